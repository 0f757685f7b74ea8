"""Near-duplicates: the same picture re-encoded, resized or converted on another account is one photo.

Platforms re-encode every upload, so the SHA-256 of the bytes only catches byte-identical copies.
A perceptual hash (imagehash's DCT hash of the oriented thumbnail) survives re-encoding and resizing.
Videos have no such hash: the same video seen through two accounts of one app (a TikTok export with its saved videos
and the live profile; instaloader and the live Instagram profile) is told by its post instead: the post id the app
gives it, or the second it was posted (Instagram's export names a post by its first file, instaloader by its
shortcode; TikTok's export links its own videos without their id).
"""

from __future__ import annotations

from collections import defaultdict

import imagehash
import numpy as np
import sqlite_utils
from PIL import Image

from .transactions import transaction

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


# Photos in the order that names groups: a group is named by its first photo, a readable one before a missing or
# unreadable one (the report's card shows the picture's own row, and skips an unreadable one), then by smallest id.
_PHOTOS = """
select id, phash, group_id, width, height from photos
order by status != 'ok', status = 'unreadable', id
"""
# Per account and post, the video it shows there, when it shows one only: a post with several videos (a carousel)
# is left alone, as it cannot be told which of them another account's video is. A post is its id, else its time: a
# real TikTok export links its own videos by a storage address without the id. What the account shows now counts
# (a cover replaced by the video on a later read is no second video); for a post it no longer shows, all it showed.
_ONE_VIDEO_POSTS = """
with videos as (
    select accounts.platform, appearances.account, appearances.posted_at, appearances.photo,
           coalesce(nullif(appearances.post_id, ''), 'at ' || appearances.posted_at) as post,
           appearances.id in (select id from current_appearances) as now
    from appearances join accounts on accounts.key = appearances.account join photos on photos.id = appearances.photo
    where photos.media_type = 'video' and (appearances.post_id != '' or appearances.posted_at is not null)
), shown as (
    select *, max(now) over (partition by account, post) as shown_now from videos
)
select platform, account, post, max(posted_at) as posted_at, min(photo) as photo from shown
where now or not shown_now
group by platform, account, post having count(distinct photo) = 1
order by platform, post, photo
"""


def group_near_duplicates(db: sqlite_utils.Database) -> int:
    """Set photos.group_id to the first photo (in _PHOTOS' order) of each photo's group: its near-duplicates, and for
    a video the videos of its post on other accounts of the same app. Returns how many changed."""
    rows = list(db.query(_PHOTOS))
    parent = list(range(len(rows)))
    _join_near_duplicates(rows, parent)
    position = {row["id"]: index for index, row in enumerate(rows)}
    for videos in _same_posts(db):
        for video in videos[1:]:
            _union(parent, position[videos[0]], position[video])
    return _store_groups(db, rows, parent)


def _join_near_duplicates(rows: list[dict], parent: list[int]) -> None:
    hashed = [i for i, row in enumerate(rows) if row["phash"] and min(row["width"] or 0, row["height"] or 0) >= MIN_HASHED_SIDE]
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


def _same_posts(db: sqlite_utils.Database) -> list[list[str]]:
    """The videos of each post, one per account that shows one video there, by app and post id, and by app and
    time to the second (an export without ids meets the live profile there). By app, not by platform:
    tiktok-export and tiktok read one TikTok, and an id means one post only there."""
    apps = _apps()
    posts: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    clashes = set()
    for row in db.query(_ONE_VIDEO_POSTS):
        app = apps.get(row["platform"], row["platform"])
        keys = [] if row["post"].startswith("at ") else [(app, row["post"])]
        # A time whose seconds are 00 may be one to the minute only (an HTML export's): too coarse to tell posts apart.
        if row["posted_at"] and not row["posted_at"].endswith(":00Z"):
            keys.append((app, f"at {row['posted_at']}"))
        for key in keys:
            if row["account"] in posts[key]:
                clashes.add(key)  # two videos of one account at one time: which is the other account's is unknown
            posts[key][row["account"]] = row["photo"]
    return [list(videos.values()) for key, videos in posts.items() if key not in clashes]


def _store_groups(db: sqlite_utils.Database, rows: list[dict], parent: list[int]) -> int:
    """Write only what changed: a re-run on an unchanged inventory writes nothing."""
    changed = 0
    with transaction(db):  # all of the grouping or none
        for index, row in enumerate(rows):
            group = rows[_find(parent, index)]["id"]
            if row["group_id"] != group:
                db["photos"].update(row["id"], {"group_id": group})
                changed += 1
    return changed


def _apps() -> dict[str, str]:
    from ..sources import SOURCES  # here, not at the top: the sources registry sits above the inventory

    return {name: source.app for name, source in SOURCES.items()}


def _elongation(row: dict) -> float:
    return max(row["width"], row["height"]) / min(row["width"], row["height"])


def _find(parent: list[int], index: int) -> int:
    while parent[index] != index:
        parent[index] = parent[parent[index]]
        index = parent[index]
    return index


def _union(parent: list[int], a: int, b: int) -> None:
    # The smaller index (rows are in _PHOTOS' order) becomes the root, so a group is named by its first photo.
    root_a, root_b = _find(parent, a), _find(parent, b)
    parent[max(root_a, root_b)] = min(root_a, root_b)
