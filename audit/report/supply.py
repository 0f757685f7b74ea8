"""Account-level supply: how many distinct, clear photos of the user's face a stranger can collect.

Face-swap tools need one clear photo; the Telegram rooms of 2024 asked for about 10; more photos
from more angles are enough to train a model of the face (shared/docs/risk-model.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from ..inventory.db import shown_to
from ..models import STRANGERS
from ..signals import finding_in
from ..words import N_
# (at least this many photos, what it means), most first.
LEVELS = [
    (11, N_("That is more than the Telegram rooms asked for, and enough to train a model of your face.")),
    (10, N_("That is as many as the Telegram rooms of 2024 asked for.")),
    (1, N_("One clear photo is enough for today's face-swap tools.")),
]

# Clear faces (the `clear_face` role: full quality, or usable but imperfect) of the pictures the audience sees.
_CLEAR, _CLEAR_PARAMS = finding_in("clear_face")
_USABLE_FACES = f"""
select pictures.picture, findings.evidence, photos.media_type
from findings join pictures on pictures.photo = findings.photo join photos on photos.id = findings.photo
where {_CLEAR}
  and findings.photo in (select photo from {{shown}})
"""
# Posts of every copy of the pictures above that the audience sees: where it finds them.
_APPEARANCES = f"""
select shown.account, shown.kind, pictures.picture
from {{shown}} as shown join pictures on pictures.photo = shown.photo
where pictures.picture in (select picture from ({_USABLE_FACES}))
"""


@dataclass(frozen=True)
class Supply:
    photos: int  # distinct pictures (near-duplicates count once) with a usable face of the user
    accounts: int
    angles: tuple[str, ...]  # poses covered: frontal, three-quarter, profile
    profile_photos: int  # always public, even on private accounts
    unmatched: int  # of `photos`, how many count only because faces could not be matched to the user
    meaning: str
    # of `photos`, the videos whose clear frames show the face from 2 or more angles: what a model learns most from
    turning_videos: int = 0
    videos: int = 0  # of `photos`, the videos: the count calls each one photo, and the report says so

    @property
    def sentence(self) -> str:
        photos = f"{self.photos} clear photo{'s' if self.photos != 1 else ''}"
        accounts = f"{self.accounts} account{'s' if self.accounts != 1 else ''}"
        return f"A stranger can collect {photos} of your face from {accounts}."


def face_supply(db: sqlite_utils.Database, audiences: tuple[str, ...] = STRANGERS) -> Supply | None:
    """What the audiences (models.STRANGERS, models.OTHERS) can collect; None when they see no usable face of the user."""
    shown = shown_to(audiences)
    pictures: dict[str, bool] = {}  # picture -> matched to the user (False: not matched, counted to be safe)
    angles: set[str] = set()
    video_angles: dict[str, set[str]] = {}  # picture -> the poses its video's clear faces show
    for row in db.query(_USABLE_FACES.format(shown=shown), _CLEAR_PARAMS):
        evidence = json.loads(row["evidence"])
        pictures[row["picture"]] = pictures.get(row["picture"], False) or evidence.get("who") == "you"
        angles.add(evidence.get("pose", "unknown"))
        if row["media_type"] == "video":
            video_angles.setdefault(row["picture"], set()).add(evidence.get("pose", "unknown"))
    if not pictures:
        return None
    appearances = list(db.query(_APPEARANCES.format(shown=shown), _CLEAR_PARAMS))
    return Supply(
        photos=len(pictures),
        accounts=len({row["account"] for row in appearances}),
        angles=tuple(sorted(angles)),
        profile_photos=len({row["picture"] for row in appearances if row["kind"] == "profile_photo"}),
        unmatched=sum(1 for matched in pictures.values() if not matched),
        meaning=next(text for minimum, text in LEVELS if len(pictures) >= minimum),
        turning_videos=sum(1 for poses in video_angles.values() if len(poses - {"unknown"}) >= 2),
        videos=len(video_angles),
    )
