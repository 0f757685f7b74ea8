"""The view of one inventoried photo that signals analyse: rows plus lazily read bytes and pixels."""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from PIL import Image

from ..errors import InputError
from . import imaging
from .archive import read_origin

# The largest side any analysis reads: text is read at up to 1,600 px (text/ocr.OCR_SIDE) and faces are found at
# up to 1,280 (signals/faces.MAX_DETECT_SIDE); a face too small here for its identity is encoded at full size.
WORKING_SIDE = 1600


class PhotoView:
    def __init__(self, row: dict[str, Any], appearances: list[dict[str, Any]]):
        self.row = row
        self.id: str = row["id"]
        self.status: str = row.get("status") or "ok"
        self.media_type: str = row.get("media_type") or "image"
        self.appearances = [_decode_appearance(a) for a in appearances]

    @property
    def has_file(self) -> bool:
        return bool(self.row.get("origin"))

    @cached_property
    def data(self) -> bytes:
        """The original bytes; InputError when the file is missing or gone."""
        if not self.has_file:
            raise InputError("the media file is not in the export")
        return read_origin(json.loads(self.row["origin"]))

    @cached_property
    def working(self) -> Image.Image:
        """The photo decoded once, orientation applied: a JPEG decodes already reduced towards WORKING_SIDE
        (to between it and twice it), other formats at full size.

        Every analysis reads a reduced copy (reduced()) of this one decode: a 12 MP photo was decoded four
        times, a third of the time it took to analyse. InputError/UnsafeInputError on bad files."""
        return imaging.decode(self.data, max_side=WORKING_SIDE, resize=False)

    def reduced(self, side: int) -> Image.Image:
        """The photo with its longest side at most `side` pixels (the working decode itself when it fits)."""
        return imaging.reduced(self.working, side)

    @cached_property
    def image(self) -> Image.Image:
        """Full-size pixels, orientation applied (decoded again only when the working copy is reduced)."""
        if max(self.working.size) >= max(imaging.probe(self.data).size):
            return self.working
        return imaging.decode(self.data)


def _decode_appearance(row: dict[str, Any]) -> dict[str, Any]:
    decoded = dict(row)
    for key in ("tagged_users", "extra"):
        value = decoded.get(key)
        if isinstance(value, str):
            decoded[key] = json.loads(value)
    decoded.setdefault("tagged_users", [])
    decoded.setdefault("extra", {})
    return decoded
