"""The export-metadata signal: what a platform's export recorded about each upload, beyond the post itself.

Facebook writes `upload_ip` into almost every media record of its export (docs/formats.md). An IP address
maps to a town and a network (a home connection, a school or an office), so it reveals where the person
was when they posted. Sources keep such values in the appearance's `extra`; FACTS says which key becomes
which finding, so that another one (device ids, say) is one more row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from ..models import Finding
from .base import Signal

if TYPE_CHECKING:
    from ..photo import PhotoView


@dataclass(frozen=True)
class Fact:
    kind: str  # the finding's kind
    evidence: str  # the evidence key that holds the value
    summary: str  # {value} is replaced by the value
    severity: str = "medium"


# extra key -> the finding it becomes. A key may hold one value or a list of them.
FACTS: dict[str, Fact] = {
    "upload_ip": Fact("upload_ip", "ip", "The export records the IP address this was uploaded from: {value}"),
}


class ExportMetadataSignal(Signal):
    name = "export-metadata"
    version = 1
    title = "What the export's metadata reveals"
    description = "Upload IP addresses that the platform recorded with each photo in its export (Facebook)."

    def analyze(self, photo: "PhotoView") -> Iterable[Finding]:
        for appearance in photo.appearances:
            extra = appearance.get("extra")
            if isinstance(extra, dict):
                yield from _appearance_findings(appearance, extra)


def _appearance_findings(appearance: dict[str, Any], extra: dict[str, Any]) -> Iterator[Finding]:
    where = {
        "appearance": appearance.get("id"),
        "platform": appearance.get("platform"),
        "account": appearance.get("account"),
        "post_id": appearance.get("post_id"),
    }
    for key, fact in FACTS.items():
        for value in _distinct_values(extra.get(key)):
            yield Finding(
                kind=fact.kind,
                severity=fact.severity,
                summary=fact.summary.format(value=value),
                evidence={fact.evidence: value, **where},
            )


def _distinct_values(value: Any) -> list[str]:
    """Non-empty strings, each once, in order: `extra` comes back from the inventory as untrusted JSON."""
    values = value if isinstance(value, list) else [value]
    cleaned = (v.strip() for v in values if isinstance(v, str))
    return list(dict.fromkeys(v for v in cleaned if v))
