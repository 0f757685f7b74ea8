"""What a photo's own metadata says about where, when and with what it was taken.

Everything works on the file's bytes alone, so a photo whose pixels cannot be decoded (a
truncated upload, a header claiming a huge size) still reports the GPS position it carries.
"""

from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from PIL import Image
from PIL.ExifTags import GPS, IFD, Base
from PIL.TiffImagePlugin import IFDRational

from .blocks import find_blocks
from .flir import read_flir_gps

# What Pillow 13 raises on malformed EXIF (found by fuzzing the fixtures' EXIF blocks):
# SyntaxError for a bad TIFF header, struct.error for a short read, KeyError for a tag that is
# listed but unreadable, ValueError for a negative IFD offset.
PILLOW_EXIF_ERRORS = (SyntaxError, struct.error, KeyError, ValueError)
# ElementTree raises LookupError for an XML declaration naming an unknown encoding.
XMP_ERRORS = (ElementTree.ParseError, LookupError)

EXIF_NAMESPACE = "{http://ns.adobe.com/exif/1.0/}"
# XMP GPSCoordinate is "DDD,MM,SSk" or "DDD,MM.mmk", k one of N S E W (XMP spec part 2);
# signed decimal degrees without a letter are accepted too, some writers use them.
XMP_COORDINATE = re.compile(
    r"(-?\d+(?:\.\d*)?)(?:\s*,\s*(\d+(?:\.\d*)?))?(?:\s*,\s*(\d+(?:\.\d*)?))?\s*([NSEW]?)",
    re.IGNORECASE,
)


@dataclass
class Position:
    lat: float  # signed decimal degrees
    lon: float
    source: str  # "EXIF GPS", "XMP", "FLIR" or "video" (a phone video's ISO 6709 tag: videotags.py)
    raw: str  # the stored values with their refs, for a person to check
    altitude_m: float | None = None


@dataclass
class PhotoMetadata:
    position: Position | None = None
    make: str | None = None
    model: str | None = None
    taken_at: str | None = None  # as written, EXIF gives no zone here
    taken_at_tag: str | None = None  # DateTimeOriginal, or DateTime when that is all there is
    software: str | None = None
    in_video: bool = False  # read from a video's container tags (videotags.py), not from EXIF


def read_metadata(data: bytes) -> PhotoMetadata:
    blocks = find_blocks(data)
    ifd0, exif_ifd, gps = _exif_directories(blocks.exif)
    taken_at, taken_at_tag = _taken_at(ifd0, exif_ifd)
    return PhotoMetadata(
        position=_exif_position(gps) or _xmp_position(blocks.xmp) or _flir_position(blocks.flir),
        make=tag_text(ifd0.get(Base.Make)),
        model=tag_text(ifd0.get(Base.Model)),
        taken_at=taken_at,
        taken_at_tag=taken_at_tag,
        software=tag_text(ifd0.get(Base.Software)),
    )


def _exif_directories(blob: bytes | None) -> tuple[dict, dict, dict]:
    """IFD0, the Exif IFD and the GPS IFD, read eagerly: Pillow parses sub-IFDs lazily, and a
    malformed one must fail here, inside the catch. Pillow reads each IFD once, so a pointer
    loop cannot make it spin."""
    if not blob:
        return {}, {}, {}
    exif = Image.Exif()
    try:
        exif.load(blob)
        return dict(exif), exif.get_ifd(IFD.Exif), exif.get_ifd(IFD.GPSInfo)
    except PILLOW_EXIF_ERRORS:
        return {}, {}, {}


def _taken_at(ifd0: dict, exif_ifd: dict) -> tuple[str | None, str | None]:
    candidates = (
        ("DateTimeOriginal", exif_ifd.get(Base.DateTimeOriginal)),
        ("DateTime", ifd0.get(Base.DateTime)),
    )
    for tag, value in candidates:
        text = tag_text(value)
        if text and text.strip("0: "):  # "0000:00:00 00:00:00" and blanks mean "unknown"
            return text, tag
    return None, None


def _exif_position(gps: dict) -> Position | None:
    lat_ref = (tag_text(gps.get(GPS.GPSLatitudeRef)) or "").upper()
    lon_ref = (tag_text(gps.get(GPS.GPSLongitudeRef)) or "").upper()
    lat = _signed(_degrees(gps.get(GPS.GPSLatitude)), lat_ref)
    lon = _signed(_degrees(gps.get(GPS.GPSLongitude)), lon_ref)
    if lat is None or lon is None or not is_real_position(lat, lon):
        return None
    raw = (
        f"{lat_ref or '(no ref)'} {_raw_numbers(gps[GPS.GPSLatitude])}, "
        f"{lon_ref or '(no ref)'} {_raw_numbers(gps[GPS.GPSLongitude])}"
    )
    return Position(lat, lon, "EXIF GPS", raw, _exif_altitude(gps))


def _exif_altitude(gps: dict) -> float | None:
    altitude = _finite(gps.get(GPS.GPSAltitude))
    if altitude is None:
        return None
    below_sea_level = gps.get(GPS.GPSAltitudeRef) in (1, b"\x01")
    return -altitude if below_sea_level else altitude


def _xmp_position(xmp: bytes | None) -> Position | None:
    properties = _xmp_exif_properties(xmp) if xmp else {}
    lat_text, lon_text = properties.get("GPSLatitude"), properties.get("GPSLongitude")
    lat, lon = _xmp_coordinate(lat_text), _xmp_coordinate(lon_text)
    if lat is None or lon is None or not is_real_position(lat, lon):
        return None
    return Position(lat, lon, "XMP", f"{lat_text}, {lon_text}", _xmp_altitude(properties))


def _xmp_exif_properties(xmp: bytes) -> dict[str, str]:
    """The exif: properties of an XMP packet, whether written as attributes or as elements."""
    try:
        root = ElementTree.fromstring(xmp.strip(b"\x00 \t\r\n"))
    except XMP_ERRORS:
        return {}
    properties = {}
    for element in root.iter():
        for name, value in element.attrib.items():
            if name.startswith(EXIF_NAMESPACE):
                properties[name[len(EXIF_NAMESPACE) :]] = value.strip()
        if element.tag.startswith(EXIF_NAMESPACE) and element.text:
            properties[element.tag[len(EXIF_NAMESPACE) :]] = element.text.strip()
    return properties


def _xmp_coordinate(text: str | None) -> float | None:
    match = XMP_COORDINATE.fullmatch(text.strip()) if text else None
    if match is None:
        return None
    parts = tuple(float(part) for part in match.groups()[:3] if part is not None)
    return _signed(_degrees(parts), match[4].upper())


def _xmp_altitude(properties: dict[str, str]) -> float | None:
    """exif:GPSAltitude is a rational written like "324145/1000"; ref "1" is below sea level."""
    numerator, _, denominator = properties.get("GPSAltitude", "").partition("/")
    try:
        altitude = _finite(float(numerator) / float(denominator or 1))
    except (ValueError, ZeroDivisionError):
        return None
    if altitude is None:
        return None
    return -altitude if properties.get("GPSAltitudeRef") == "1" else altitude


def _flir_position(fff: bytes | None) -> Position | None:
    gps = read_flir_gps(fff) if fff else None
    if gps is None:
        return None
    lat = _signed(gps.lat, gps.lat_ref.upper())
    lon = _signed(gps.lon, gps.lon_ref.upper())
    if not is_real_position(lat, lon):
        return None
    raw = f"{gps.lat_ref or '(no ref)'} {gps.lat!r}, {gps.lon_ref or '(no ref)'} {gps.lon!r}"
    return Position(lat, lon, "FLIR", raw, _finite(gps.altitude_m))


def _degrees(value: Any) -> float | None:
    """Degrees[, minutes[, seconds]], any part fractional, to decimal degrees.

    A 0/0 part (Pillow reads it as NaN) counts as 0: writers use it for "no seconds", and
    the degrees and minutes still locate the photo. The sign of any part makes the whole
    value negative, as signed rationals and decimal XMP values mean it.
    """
    parts = value if isinstance(value, tuple) else (value,)
    try:
        numbers = [float(part) for part in parts[:3]]
    except (TypeError, ValueError):
        return None
    numbers = [0.0 if math.isnan(number) else number for number in numbers]
    if not numbers or not all(math.isfinite(number) for number in numbers):
        return None
    magnitude = sum(abs(number) / 60**index for index, number in enumerate(numbers))
    return -magnitude if any(number < 0 for number in numbers) else magnitude


def _signed(value: float | None, ref: str) -> float | None:
    """S and W make a value negative whatever its stored sign: writers store W with a positive
    value, and some store a negative value as well, which must not flip back to positive."""
    if value is None:
        return None
    return -abs(value) if ref in ("S", "W") else value


def is_real_position(lat: float, lon: float) -> bool:
    """(0, 0) is what devices write without a fix; out-of-range values (and NaN) are junk."""
    return abs(lat) <= 90 and abs(lon) <= 180 and not (lat == 0 and lon == 0)


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _raw_numbers(value: Any) -> str:
    parts = value if isinstance(value, tuple) else (value,)
    return " ".join(
        f"{part.numerator}/{part.denominator}" if isinstance(part, IFDRational) else str(part)
        for part in parts
    )


def tag_text(value: Any) -> str | None:
    """A tag as clean text: cut at the first NUL (C-string padding), whitespace stripped."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value).split("\x00", 1)[0].strip()
    return text or None
