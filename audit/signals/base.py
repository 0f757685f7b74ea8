"""What every risk signal is: a named, versioned class that turns one photo into Findings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Iterable

from ..models import Finding

if TYPE_CHECKING:
    import sqlite_utils

    from ..inventory.photo import PhotoView


@dataclass(frozen=True)
class Weight:
    """What one kind of finding adds to a photo's exposure score (audit/scoring.py, docs/scoring.md)."""

    points: int  # for one finding of this kind
    cap: int  # most points this kind can add to one photo, however many findings
    fact: str  # why, from shared/docs/risk-model.md
    group: str | None = None  # kinds that reveal the same fact share scoring.GROUP_CAPS


# What the rest of the audit asks the signals for, by meaning rather than by signal name (audit.signals.kinds):
# role -> what a finding of a kind in that role is. A kind can play several roles; a signal declares only its own.
ROLES = {
    "face": "a face of the user, or one not matched to anyone (it may be hers), of any grade",
    "clear_face": "a face of the user usable as face-swap source: full quality, or usable but imperfect",
    "bystander_face": "someone else's face",
    "exact_location": "where the picture was taken, as a position: the file's GPS or the post's geotag",
    "file_position": "a position written in the file itself: every saved copy carries it",
    "named_place": "a place named on the post without a position (a check-in)",
    "venue": "a post's location whose evidence `name` is the venue the post was tagged with",
    "repeated_place": "a place the person returns to, found across pictures",
    "identity_clue": "a clue to who the person is: school, workplace, contact, home, an ID card, a written name",
    "person_tag": "another account tagged or mentioned with the picture",
}


class Signal:
    """Subclasses declare themselves with class attributes and implement `analyze()`.

    Bump `version` whenever the logic changes: stored findings of an older version are
    recomputed on the next `analyze`, and findings of the current version are left alone.
    """

    name: ClassVar[str]
    version: ClassVar[int]
    title: ClassVar[str]  # report section heading
    description: ClassVar[str]  # one line for the README and `photo-audit signals`
    # Required: a path relative to tests/fixtures/ in which the signal finds something (tests/test_examples.py): a
    # photo, or an accounts.toml describing a small inventory (posts with their fields; photos across days).
    example: ClassVar[str]
    # "photo": analyze() runs once per photo. "inventory": analyze_inventory() runs once, after every
    # photo signal, for facts that only show across photos (a place that repeats, say).
    scope: ClassVar[str] = "photo"
    # What each kind of finding adds to the score; a kind without a weight is shown but scores nothing.
    weights: ClassVar[dict[str, Weight]] = {}
    # role (ROLES) -> this signal's kinds that play it: what report, plan and scoring ask for.
    roles: ClassVar[dict[str, frozenset[str]]] = {}
    # Its identity clues' names as a list names them ("school", "ID card"), gettext-marked: signals.kind_names().
    kind_names: ClassVar[dict[str, str]] = {}
    # True when what it finds is in the picture itself (faces, text in it), not in the file or the post: every copy of
    # a picture shows the same, each found at its copy's size, so a picture's card takes these from one copy.
    reads_pixels: ClassVar[bool] = False

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

    def inputs(self, db: "sqlite_utils.Database") -> str | None:
        """Inventory signals: a digest of everything analyze_inventory reads, or None to run it every time. When
        the last run stored the same digest for the same version, its findings stand and it is not run again."""
        return None
