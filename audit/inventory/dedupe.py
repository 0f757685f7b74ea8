"""Near-duplicates: the same picture re-encoded, resized or converted on another account is one photo.

Platforms re-encode every upload, so the SHA-256 of the bytes only catches byte-identical copies.
A perceptual hash (imagehash's DCT hash of the oriented thumbnail) survives re-encoding and resizing.
"""

from __future__ import annotations

import imagehash
import numpy as np
import sqlite_utils
from PIL import Image

# Bits of 64 that may differ. On the shipped example, re-encoded and resized copies differed by
# 0-2 bits and different photos of similar scenes (same room, same person) by 12 or more.
MAX_DISTANCE = 6
# The DCT hash ignores overall colour: every flat or nearly flat picture hashes alike. Copies keep
# their mean colour within a few levels, so a larger difference means different pictures.
MAX_COLOUR_DIFFERENCE = 16
# Re-encoding and resizing keep the shape of a picture; a different shape is a different picture
# (or a crop, which this does not try to catch).
MAX_ASPECT_DIFFERENCE = 0.03
# A picture smaller than this has too little detail for its hash to mean anything: tiny icons and
# placeholders all hash alike. They are never grouped.
MIN_HASHED_SIDE = 64


def perceptual_hash(image: Image.Image) -> str:
    """16 hex digits of DCT hash, then the mean colour as 6 hex digits (RRGGBB)."""
    mean = image.convert("RGB").resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    return str(imagehash.phash(image)) + "".join(f"{channel:02x}" for channel in mean)


def group_near_duplicates(db: sqlite_utils.Database) -> int:
    """Set photos.group_id to the smallest id among each photo's near-duplicates; returns how many changed."""
    rows = list(db.query("select id, phash, group_id, width, height from photos order by id"))
    hashed = [i for i, row in enumerate(rows) if row["phash"] and min(row["width"] or 0, row["height"] or 0) >= MIN_HASHED_SIDE]
    parent = list(range(len(rows)))
    values = np.array([int(rows[i]["phash"][:16], 16) for i in hashed], dtype=np.uint64)
    # Long side over short side: the stored size may be before an EXIF rotation that a copy has applied.
    aspects = np.log(np.array([_elongation(rows[i]) for i in hashed], dtype=float))
    colours = np.array([list(bytes.fromhex(rows[i]["phash"][16:22])) for i in hashed], dtype=np.int16).reshape(-1, 3)
    for position, index in enumerate(hashed):
        distances = np.bitwise_count(values[position + 1 :] ^ values[position])
        colour_gaps = np.abs(colours[position + 1 :] - colours[position]).max(axis=1, initial=0)
        shape_gaps = np.abs(aspects[position + 1 :] - aspects[position])
        alike = (distances <= MAX_DISTANCE) & (colour_gaps <= MAX_COLOUR_DIFFERENCE) & (shape_gaps <= MAX_ASPECT_DIFFERENCE)
        for offset in np.nonzero(alike)[0]:
            _union(parent, index, hashed[position + 1 + int(offset)])
    changed = 0
    with db.conn:
        for index, row in enumerate(rows):
            group = rows[_find(parent, index)]["id"]
            if row["group_id"] != group:
                db["photos"].update(row["id"], {"group_id": group})
                changed += 1
    return changed


def _elongation(row: dict) -> float:
    return max(row["width"], row["height"]) / min(row["width"], row["height"])


def _find(parent: list[int], index: int) -> int:
    while parent[index] != index:
        parent[index] = parent[parent[index]]
        index = parent[index]
    return index


def _union(parent: list[int], a: int, b: int) -> None:
    # The smaller index (rows are sorted by id) becomes the root, so a group's id is its smallest photo id.
    root_a, root_b = _find(parent, a), _find(parent, b)
    parent[max(root_a, root_b)] = min(root_a, root_b)
