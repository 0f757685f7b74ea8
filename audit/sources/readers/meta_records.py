"""Records of Meta "Download your information" JSON exports, shared by the Meta export sources.

What does not depend on the platform: the context that reports each field it cannot read as an
ItemError (file, record, field) while the rest of the record is still read; readers for text, epoch
and ISO times, numbers and coordinates; the `exif_data` records and their location; media types from
`uri` names; JSON parsing that repairs Meta's mojibake and names the line and column of an error; the
caption made of a profile's public fields, and when a story has expired (both also used by the instaloader sources).
Not a source, and not registered: sources import from it.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from pathlib import PurePosixPath
from typing import Any, Callable, Iterable, Iterator

from ...models import Item, ItemError
from ...text.fix import repaired

VIDEO_SUFFIXES = {".mp4", ".mov"}  # the videos of a Meta export (inventory/media.py lists what a folder may hold)
# What json raises on a bad document: JSONDecodeError (a ValueError), RecursionError for deep nesting, and a plain
# ValueError for a number of more than 4,300 digits (Python's limit on reading an int from text).
JSON_ERRORS = (ValueError, RecursionError)
# An Instagram story is shown for a day after it is posted; then only its owner sees it, unless a highlight keeps it.
STORY_LIFETIME = timedelta(hours=24)


def parse_json(raw: bytes, rel: str) -> Iterator[ItemError]:
    """Yields an ItemError and returns None when the file is not JSON; returns the repaired document."""
    try:
        # Meta writes every string as UTF-8 bytes escaped one by one: repair all of them, keys too.
        return repaired(json.loads(raw), mojibake=True)
    except UnicodeDecodeError as exc:
        yield ItemError(rel, f"not valid UTF-8 at byte {exc.start}")
    except JSON_ERRORS as exc:
        yield ItemError(rel, json_problem(exc))
    return None


def json_problem(exc: ValueError | RecursionError) -> str:
    """What is wrong with a document json could not read (JSON_ERRORS), in words for the errors table."""
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
    if isinstance(exc, RecursionError):
        return "JSON nested too deeply to read"
    return "not readable JSON: it holds a number of more than 4,300 digits"


class RecordContext:
    """Where a record is, and what in it could not be read.

    A field that cannot be read is left empty and reported, and the media is still inventoried:
    a garbled time must not hide a location leak. Only a media entry without a file name is dropped.
    """

    def __init__(self, rel: str, label: str):
        self.source_item = f"{rel} {label}"
        self.problems: list[str] = []

    def note(self, field: str, problem: str) -> None:
        problem = f"field '{field}' {problem}"
        if problem not in self.problems:  # a post's shared details are read once per media file
            self.problems.append(problem)

    def errors(self) -> list[ItemError]:
        return [ItemError(self.source_item, problem) for problem in self.problems]


def each_record(
    records: Iterable[Any], rel: str, read_record: Callable[[Any, RecordContext], Iterable[Item]], name: str = "record"
) -> Iterator[Item | ItemError]:
    """The problems, then the Items, of every record: one bad record never stops the file."""
    for index, record in enumerate(records):
        context = RecordContext(rel, f"{name} {index}")
        items = list(read_record(record, context))
        yield from context.errors()
        yield from items


def exif_records(metadata: dict, context: RecordContext, where: str) -> list[dict]:
    """`exif_data` of photo_metadata and video_metadata: location and camera records (device_id,
    software, source_type, date_time_original, lens_model, iso...), kept whole as evidence."""
    records = []
    for holder in ("photo_metadata", "video_metadata"):
        section = metadata.get(holder)
        exif = section.get("exif_data", []) if isinstance(section, dict) else []
        if not isinstance(exif, list):
            context.note(f"{where}media_metadata.{holder}.exif_data", "is not a list")
            continue
        records.extend(entry for entry in exif if isinstance(entry, dict))
    return records


def exif_location(exif: list[dict], context: RecordContext, where: str) -> tuple[float | None, float | None]:
    for entry in exif:
        if "latitude" in entry or "longitude" in entry:
            pair = coordinates(entry.get("latitude"), entry.get("longitude"), context, f"{where}exif_data.latitude")
            if pair:
                return pair
    return None, None


def media_type(uri: str, video_metadata: bool, bare_uri_type: str) -> str:
    suffix = PurePosixPath(uri).suffix.lower()
    if video_metadata or suffix in VIDEO_SUFFIXES:
        return "video"
    return "image" if suffix else bare_uri_type


def text(value: Any, context: RecordContext, field: str) -> str | None:
    """A caption or name: None when absent or empty."""
    if value is None:
        return None
    if not isinstance(value, str):
        context.note(field, f"is not text: {value!r}")
        return None
    return value.strip() or None


def epoch(value: Any, context: RecordContext, field: str) -> datetime | None:
    """Epoch seconds (UTC). 0 is how Meta writes "unknown"."""
    if value is None or value == 0:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        context.note(field, f"is not epoch seconds: {value!r}")
        return None
    try:
        return datetime.fromtimestamp(value, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        context.note(field, f"is out of range: {value!r}")
        return None


def iso_time(value: Any, context: RecordContext, field: str) -> datetime | None:
    """"2018-12-31T08:05:13": media.json writes no zone; read as UTC like the later epoch times
    (an assumption: formats.md does not say)."""
    if value is None or value == "":
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        context.note(field, f"is not a date: {value!r}")
        return None
    stamp = stamp.replace(tzinfo=timezone.utc) if stamp.tzinfo is None else stamp
    if not has_utc(stamp):
        context.note(field, f"is out of range: {value!r}")
        return None
    return stamp


def has_utc(stamp: datetime) -> bool:
    """Whether the time has a UTC equivalent, as the inventory stores times: 0001-01-01 at +14:00 has none."""
    try:
        stamp.astimezone(timezone.utc)
    except OverflowError:
        return False
    return True


def number(value: Any) -> float | None:
    """A finite number from JSON (int or float) or HTML (text); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    return None


def coordinates(lat_value: Any, lon_value: Any, context: RecordContext, field: str) -> tuple[float, float] | None:
    """A (lat, lon) pair; None for 0, 0, which is how Meta writes "no location"."""
    lat, lon = number(lat_value), number(lon_value)
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        context.note(field, f"is not a coordinate pair: {lat_value!r}, {lon_value!r}")
        return None
    if lat == 0 and lon == 0:
        return None
    return lat, lon


def record_list(data: Any) -> list | None:
    """posts_N.json is a bare list; the others wrap theirs ({"ig_stories": [...]}, names vary)."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        lists = [value for value in data.values() if isinstance(value, list)]
        if lists:
            return [record for records in lists for record in records]
    return None


def profile_text(fields: dict[str, Any]) -> str | None:
    """What a stranger reads beside a profile picture (name, bio, website), one field per line, in the
    order given: it becomes the picture's caption, which the caption-text signal scans like any other.
    None when every field is empty."""
    lines = [value.strip() for value in fields.values() if isinstance(value, str) and value.strip()]
    return "\n".join(lines) or None


def expired(posted_at: datetime | None, now: datetime) -> bool:
    """Whether a story posted at `posted_at` is no longer shown at `now` (unknown time: not said to be)."""
    return posted_at is not None and now - posted_at > STORY_LIFETIME
