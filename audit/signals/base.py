"""What every risk signal is: a named, versioned class that turns one photo into Findings."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterable

from ..models import Finding

if TYPE_CHECKING:
    import sqlite_utils

    from ..photo import PhotoView


class Signal:
    """Subclasses declare themselves with class attributes and implement `analyze()`.

    Bump `version` whenever the logic changes: stored findings of an older version are
    recomputed on the next `analyze`, and findings of the current version are left alone.
    """

    name: ClassVar[str]
    version: ClassVar[int]
    title: ClassVar[str]  # report section heading
    description: ClassVar[str]  # one line for the README and `photo-audit signals`
    # "photo": analyze() runs once per photo. "inventory": analyze_inventory() runs once, after every
    # photo signal, for facts that only show across photos (a place that repeats, say).
    scope: ClassVar[str] = "photo"

    def prepare(self, db: "sqlite_utils.Database") -> str:
        """Load what the signal needs from the whole inventory before any photo is analysed.

        Returns a fingerprint of it: when the fingerprint changes (new reference photos of the
        user, say), every photo is analysed again by this signal.
        """
        return ""

    def analyze(self, photo: "PhotoView") -> Iterable[Finding]:
        raise NotImplementedError

    def analyze_inventory(self, db: "sqlite_utils.Database") -> Iterable[tuple[str, Finding]]:
        """Inventory signals: (photo id, finding) pairs for the whole inventory."""
        raise NotImplementedError
