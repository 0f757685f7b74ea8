"""The export-metadata signal: what a platform's export recorded about each upload, beyond the post itself.

Facebook writes `upload_ip` into almost every media record of its export (docs/formats.md). An IP address
maps to a town and a network (a home connection, a school or an office), so it reveals where the person
was when they posted. Instagram's camera records carry the `device_id` of the phone that uploaded the
photo, and the `software` that made it, which sometimes holds a design or account id (audit/software_ids.py).
Sources keep such values in the appearance's `extra`; FACTS says where each one is and which finding it
becomes, so that another one is one more row. The file's own EXIF Software is the exif signal's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from ..models import Finding
from ..software_ids import software_id
from .base import Signal

if TYPE_CHECKING:
    from ..photo import PhotoView

Path = tuple[str, ...]  # keys into `extra`; "*" is every item of a list, or every value of an object


def _any_value(value: str) -> dict[str, str]:
    return {}


def _with_software_id(value: str) -> dict[str, str] | None:
    found = software_id(value)
    return {"id": found.id, "what": found.what} if found else None


@dataclass(frozen=True)
class Fact:
    kind: str  # the finding's kind
    evidence: str  # the evidence key that holds the value
    summary: str  # {value}, and the keys that `details` returns, are filled in
    paths: tuple[Path, ...]  # where sources keep the value; a path may reach one value or a list of them
    severity: str = "medium"
    # More evidence for a value; None when the value is no finding (software without an id).
    details: Callable[[str], dict[str, str] | None] = _any_value


# Where each source keeps what: Facebook `upload_ip` (facebook-export); Instagram camera records as
# `exif_data` (JSON, instagram-export) or as the labelled `details` of the HTML variant (English and Korean labels).
FACTS: tuple[Fact, ...] = (
    Fact("upload_ip", "ip", "The export records the IP address this was uploaded from: {value}", (("upload_ip",),)),
    Fact(
        "device_id",
        "device_id",
        "The export records the ID of the phone that uploaded this: {value}. It links photos across accounts to "
        "one device.",
        (("exif_data", "*", "device_id"), ("details", "Device ID"), ("details", "기기 ID")),
        severity="low",
    ),
    Fact(
        "software_id",
        "software",
        "The export records the software this was made with, and it carries an id ({id}): {value}. That is {what}.",
        (("exif_data", "*", "software"), ("details", "Software"), ("details", "소프트웨어")),
        severity="low",
        details=_with_software_id,
    ),
)


class ExportMetadataSignal(Signal):
    name = "export-metadata"
    version = 1
    title = "What the export's metadata reveals"
    description = (
        "Upload IP addresses (Facebook), device IDs and software ids (Instagram) that the platform recorded "
        "with each photo in its export."
    )

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
    for fact in FACTS:
        found = [value for path in fact.paths for value in _values_at(extra, path)]
        for value in _distinct_values(found):
            details = fact.details(value)
            if details is not None:
                yield Finding(
                    kind=fact.kind,
                    severity=fact.severity,
                    summary=fact.summary.format(value=value, **details),
                    evidence={fact.evidence: value, **details, **where},
                )


def _values_at(value: Any, path: Path) -> Iterator[Any]:
    """What `path` reaches in `value`: nothing where a step is missing or of another shape."""
    if not path:
        yield value
        return
    key, rest = path[0], path[1:]
    if key == "*":
        children = value if isinstance(value, list) else list(value.values()) if isinstance(value, dict) else []
    else:
        children = [value[key]] if isinstance(value, dict) and key in value else []
    for child in children:
        yield from _values_at(child, rest)


def _distinct_values(found: list[Any]) -> list[str]:
    """Non-empty strings, each once, in order: `extra` comes back from the inventory as untrusted JSON."""
    values = [item for value in found for item in (value if isinstance(value, list) else [value])]
    cleaned = (v.strip() for v in values if isinstance(v, str))
    return list(dict.fromkeys(v for v in cleaned if v))
