"""What a phone writes into a video file about where, when and with what it was recorded.

Phones store it as container tags, which FFmpeg (audit/inventory/video.py) reads by these names (checked on real
files: an iPhone 6 MOV and an Android 6 MP4, tests/fixtures/videos/PROVENANCE.md):

- the position as an ISO 6709 string, "+32.0929+034.8620+028.516/": iPhones in the QuickTime key
  `com.apple.quicktime.location.ISO6709`, Android in the `©xyz` atom that FFmpeg calls `location`;
- the make and model (`com.apple.quicktime.make`/`model`; newer Androids `com.android.manufacturer`/`model`);
- when it was recorded, with the phone's time zone (`com.apple.quicktime.creationdate`, iPhones only: the header's
  own `creation_time` is also the time of any later export, so it says nothing certain about the recording).

The tags are hostile text like any metadata: each value is cut to a bounded length before it is parsed or shown.
"""

from __future__ import annotations

import re
from datetime import datetime

from ..errors import InputError
from ..inventory import video
from .exifdata import PhotoMetadata, Position, is_real_position, tag_text

POSITION_TAGS = ("com.apple.quicktime.location.ISO6709", "location", "location-eng")
MAKE_TAGS = ("com.apple.quicktime.make", "com.android.manufacturer")
MODEL_TAGS = ("com.apple.quicktime.model", "com.android.model")
RECORDED_TAG = "com.apple.quicktime.creationdate"
LONGEST_TAG = 200  # characters of a tag kept: longer than any make, model, date or position a device writes

# ISO 6709 (Annex H, the string form): latitude as ±DD, ±DDMM or ±DDMMSS, longitude as ±DDD, ±DDDMM or ±DDDMMSS, each
# with an optional decimal fraction, then an optional altitude and coordinate reference, ended by "/".
ISO6709 = re.compile(
    r"(?P<lat>[+-](?:\d{6}|\d{4}|\d{2})(?:\.\d{1,12})?)"
    r"(?P<lon>[+-](?:\d{7}|\d{5}|\d{3})(?:\.\d{1,12})?)"
    r"(?P<alt>[+-]\d{1,6}(?:\.\d{1,12})?)?(?:CRS[A-Za-z0-9_:.]{1,40})?/?"
)


def read_video_tags(data: bytes) -> PhotoMetadata:
    """The position, camera and recording time a video file carries; empty when it carries none or cannot be opened
    (an unreadable video is reported where the inventory reads it)."""
    try:
        tags = {key: value[:LONGEST_TAG] for key, value in video.container_tags(data).items()}
    except InputError:
        return PhotoMetadata()
    recorded = _recorded(tags.get(RECORDED_TAG))
    return PhotoMetadata(
        position=_position(tags),
        make=_first(tags, MAKE_TAGS),
        model=_first(tags, MODEL_TAGS),
        taken_at=recorded,
        taken_at_tag=RECORDED_TAG if recorded else None,
        in_video=True,
    )


def parse_iso6709(text: str) -> tuple[float, float, float | None] | None:
    """(latitude, longitude, altitude in metres or None) of an ISO 6709 string; None when it is not one."""
    match = ISO6709.fullmatch(text.strip())
    if not match:
        return None
    lat, lon = _degrees(match["lat"], 2), _degrees(match["lon"], 3)
    if lat is None or lon is None:
        return None
    return lat, lon, float(match["alt"]) if match["alt"] else None


def _degrees(text: str, degree_digits: int) -> float | None:
    """Signed decimal degrees of ±D[M[S]] with an optional fraction on its last part; None for minutes or seconds of
    60 or more."""
    sign = -1.0 if text[0] == "-" else 1.0
    whole, _, fraction = text[1:].partition(".")
    parts = [whole[:degree_digits], whole[degree_digits:degree_digits + 2], whole[degree_digits + 2:]]
    numbers = [float(part) for part in parts if part]
    numbers[-1] += float("0." + fraction) if fraction else 0.0
    if any(number >= 60 for number in numbers[1:]):
        return None
    return sign * sum(number / 60**index for index, number in enumerate(numbers))


def _position(tags: dict[str, str]) -> Position | None:
    for tag in POSITION_TAGS:
        raw = tags.get(tag)
        parsed = parse_iso6709(raw) if raw else None
        if parsed and is_real_position(parsed[0], parsed[1]):
            return Position(parsed[0], parsed[1], "video", raw.strip(), parsed[2])
    return None


def _first(tags: dict[str, str], names: tuple[str, ...]) -> str | None:
    return next((text for name in names if (text := tag_text(tags.get(name)))), None)


def _recorded(text: str | None) -> str | None:
    """The recording time as the phone's local time, 'YYYY-MM-DD HH:MM:SS (UTC+hh:mm)'; None when it is no such time."""
    try:
        when = datetime.strptime((text or "").strip(), "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None
    offset = when.strftime("%z")
    return f"{when:%Y-%m-%d %H:%M:%S} (UTC{offset[:3]}:{offset[3:]})"
