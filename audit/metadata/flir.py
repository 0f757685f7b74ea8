"""GPS from a FLIR block: FLIR thermal cameras and phone add-ons write it there, not in EXIF.

The block is an FFF record file (layout from exiftool's FLIR.pm): a 64-byte header, a directory
of 32-byte entries, and records. Record 0x2B holds GPSValid (int32), the refs (2 bytes each at
0x08 and 0x0A), latitude and longitude (doubles at 0x10 and 0x18) and altitude (float at 0x20).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

GPS_RECORD = 0x2B
HEADER_SIZE = 0x40
ENTRY_SIZE = 0x20
GPS_RECORD_MIN_SIZE = 0x24


@dataclass
class FlirGps:
    lat_ref: str
    lat: float
    lon_ref: str
    lon: float
    altitude_m: float


def read_flir_gps(fff: bytes) -> FlirGps | None:
    record = _record(fff, GPS_RECORD)
    if record is None or len(record) < GPS_RECORD_MIN_SIZE:
        return None
    # The record's byte order is not declared (it differs from the header's in real files);
    # GPSValid reads as 1 in the right one, and as 0 or garbage when there is no fix.
    for order in "<>":
        if struct.unpack_from(order + "I", record, 0)[0] == 1:
            lat, lon = struct.unpack_from(order + "dd", record, 0x10)
            (altitude,) = struct.unpack_from(order + "f", record, 0x20)
            return FlirGps(_ref(record[0x08:0x0A]), lat, _ref(record[0x0A:0x0C]), lon, altitude)
    return None


def _record(fff: bytes, wanted: int) -> bytes | None:
    if len(fff) < HEADER_SIZE or fff[:4] not in (b"FFF\x00", b"AFF\x00"):
        return None
    order = _header_byte_order(fff)
    if order is None:
        return None
    directory, count = struct.unpack_from(order + "II", fff, 0x18)
    count = min(count, max(0, len(fff) - directory) // ENTRY_SIZE)  # ignore entries past the end
    for index in range(count):
        kind, _subtype, _version, _id, offset, length = struct.unpack_from(
            order + "HHIIII", fff, directory + index * ENTRY_SIZE
        )
        if kind == wanted:
            return fff[offset : offset + length]
    return None


def _header_byte_order(fff: bytes) -> str | None:
    """The order in which the format version reads as 100-199, as exiftool decides it."""
    for order in "><":
        if 100 <= struct.unpack_from(order + "I", fff, 0x14)[0] < 200:
            return order
    return None


def _ref(raw: bytes) -> str:
    return raw.split(b"\x00", 1)[0].decode("ascii", "replace").strip()
