"""The view of one inventoried photo that signals analyse: rows plus lazily read bytes and pixels."""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from PIL import Image

from ..errors import InputError
from . import imaging
from .archive import read_origin


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
    def image(self) -> Image.Image:
        """Decoded pixels, orientation applied. InputError/UnsafeInputError on bad files."""
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
