"""What `photo-audit clean` makes copies of: the pictures of the removal plan that may stay up once changed (a step
that strips the location or covers the face), and any image files named on the command line."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterator

import sqlite_utils

from ..errors import InputError
from ..inventory.archive import READ_ERRORS, read_origin
from ..inventory.media import media_type
from ..models import ItemError
from ..report.plan import removal_plan

# The steps after which the picture may stay up, as a copy: cover-face covers her face in it, strip-location only
# needs a copy without the file's metadata. A removed picture needs no copy.
COPIED_STEPS = {"strip-location": False, "cover-face": True}  # action -> the copy covers her face
NAME_PART = re.compile(r"[^\w-]+")  # a file name from an export is hostile text: letters, digits, _ and - only
NAME_LENGTH = 40
# A video's step that strips the location: what to do instead of a copy made here.
VIDEO_PROBLEM = ("it is a video, and copies are made of photos only: post a copy of the video saved without its "
                 "location instead (phones offer it when sharing or exporting), or take it down")


@dataclass
class Target:
    data: bytes  # the original's bytes, read once
    name: str  # the copy's file name without suffix, safe on every file system
    source: str  # where the original is, for the manifest: the plan step's file name, or the path given
    photo: str  # the inventory's id of the original: the SHA-256 of its bytes
    step: int | None = None  # its plan step's number
    action: str | None = None  # its plan step's action (COPIED_STEPS)
    cover: bool = False  # cover her face in the copy


def plan_targets(db: sqlite_utils.Database) -> Iterator[Target | ItemError]:
    """A target per plan step in COPIED_STEPS, from the largest readable file of its picture; an ItemError for a
    step whose picture has no readable file (a post whose media is not in the export)."""
    for step in removal_plan(db).steps:
        if step.action not in COPIED_STEPS:
            continue
        try:
            photo, data, name = _best_file(db, step.card)
        except InputError as exc:
            yield ItemError(step.label, f"no clean copy: {exc}")
            continue
        stem = f"step-{step.number:03d}-{safe_stem(name)}-{photo[:8]}"
        yield Target(data, stem, name, photo, step.number, step.action, COPIED_STEPS[step.action])


def file_targets(paths: list[Path]) -> Iterator[Target | ItemError]:
    """A target per file named on the command line (it need not be in the inventory)."""
    for path in paths:
        if media_type(path.name) == "video":
            yield ItemError(str(path), VIDEO_PROBLEM)
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            yield ItemError(str(path), f"could not read the file: {exc.strerror or exc}")
            continue
        photo = hashlib.sha256(data).hexdigest()
        yield Target(data, f"{safe_stem(path.name)}-clean-{photo[:8]}", str(path), photo)


def _best_file(db: sqlite_utils.Database, picture: str) -> tuple[str, bytes, str]:
    """The id, bytes and name (as posted) of the picture's largest readable file: its copies and near-duplicates are
    the picture too, and the largest makes the best copy."""
    rows = db.query(
        "select photos.id, photos.origin, (select media_name from appearances where appearances.photo = photos.id "
        "order by media_name limit 1) as name from photos join pictures on pictures.photo = photos.id "
        "where pictures.picture = ? and photos.status = 'ok' and photos.media_type = 'image' "
        "and photos.origin is not null order by coalesce(photos.width * photos.height, 0) desc, photos.id",
        [picture],
    )
    problem = VIDEO_PROBLEM if _is_video(db, picture) else "its file is not in the export"
    for row in rows:
        try:
            return row["id"], read_origin(json.loads(row["origin"])), row["name"] or row["id"][:12]
        except READ_ERRORS as exc:  # moved or deleted since it was collected: the next copy may still be there
            problem = str(exc)
    raise InputError(problem)


def _is_video(db: sqlite_utils.Database, picture: str) -> bool:
    query = ("select 1 from photos join pictures on pictures.photo = photos.id "
             "where pictures.picture = ? and photos.media_type = 'video' limit 1")
    return bool(list(db.query(query, [picture])))


def safe_stem(name: str) -> str:
    """A file name's stem with nothing but letters, digits, _ and -: no folder, no dot, no control character."""
    stem = NAME_PART.sub("-", PurePosixPath(name.replace("\\", "/")).stem).strip("-_")
    return stem[:NAME_LENGTH] or "photo"
