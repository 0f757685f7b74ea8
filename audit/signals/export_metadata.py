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

from ..metadata.software_ids import software_id
from ..models import Finding
from ..words import N_, say
from .base import Signal, Weight

if TYPE_CHECKING:
    from ..inventory.photo import PhotoView

Path = tuple[str, ...]  # keys into `extra`; "*" is every item of a list, or every value of an object


def _any_value(value: str) -> dict[str, str]:
    return {}


def _with_software_id(value: str) -> dict[str, str] | None:
    found = software_id(value)
    return {"id": found.id, "what": found.what} if found else None


def _said(fact: "Fact", value: str, details: dict[str, str]) -> dict:
    """The finding's words: its summary with the value (under its evidence key) and the details; `what` is English
    to translate (software_ids.RULES), said in the report's language."""
    params = {key: say(text) if key == "what" else text for key, text in details.items()}
    return say(fact.summary, **{fact.evidence: value}, **params)


@dataclass(frozen=True)
class Fact:
    kind: str  # the finding's kind
    evidence: str  # the evidence key that holds the value
    summary: str  # N_-marked: %(<evidence>)s is the value; the keys that `details` returns are filled in too
    paths: tuple[Path, ...]  # where sources keep the value; a path may reach one value or a list of them
    severity: str = "medium"
    # More evidence for a value; None when the value is no finding (software without an id).
    details: Callable[[str], dict[str, str] | None] = _any_value


# Where each source keeps what: Facebook `upload_ip` (facebook-export); Instagram camera records as
# `exif_data` (JSON, instagram-export) or as the labelled `details` of the HTML variant (English and Korean labels).
FACTS: tuple[Fact, ...] = (
    Fact("upload_ip", "ip", N_("The export records the IP address this was uploaded from: %(ip)s"), (("upload_ip",),)),
    Fact(
        "device_id",
        "device_id",
        N_(
            "The export records the ID of the phone that uploaded this: %(device_id)s. "
            "It links photos across accounts to one device."
        ),
        (("exif_data", "*", "device_id"), ("details", "Device ID"), ("details", "기기 ID")),
        severity="low",
    ),
    Fact(
        "software_id",
        "software",
        N_(
            "The export records the software this was made with, and it carries an id (%(id)s): %(software)s. "
            "That is %(what)s."
        ),
        (("exif_data", "*", "software"), ("details", "Software"), ("details", "소프트웨어")),
        severity="low",
        details=_with_software_id,
    ),
)


class ExportMetadataSignal(Signal):
    name = "export-metadata"
    version = 2  # 2: findings carry their words
    title = N_("What the export's metadata reveals")
    description = (
        "Upload IP addresses (Facebook), device IDs and software ids (Instagram) that the platform recorded "
        "with each photo in its export."
    )
    example = "examples/export-metadata.toml"
    weights = {
        "device_id": Weight(3, 3, N_("The export records the phone's ID: it ties photos on different accounts to one device, which matters if the export or the account leaks.")),
        "software_id": Weight(3, 3, N_("A design or account id in the recorded software links this image to other files and to the design itself; it matters if the export leaks.")),
        "upload_ip": Weight(5, 5, N_("An upload IP address maps to a town and a network (home, school or workplace); it matters if the export or the account leaks.")),
    }

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
                    text=_said(fact, value, details),
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
