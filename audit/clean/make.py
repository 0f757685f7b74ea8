"""One clean copy: the original's pixels with no metadata (copy.py), bystanders' faces blurred and hers covered where
asked (faces.py), written to the output folder; then read back and analysed again by the project's own signals, so
that the manifest says what the copy still shows from the copy itself, not from what was meant to be done."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from ..faces.obscure import obscured_area
from ..inventory.photo import PhotoView
from ..metadata.blocks import find_blocks
from ..metadata.exifdata import read_metadata
from ..outputs import write_private
from ..signals import SIGNALS, Signal, kinds
from .copy import encode_clean, open_clean
from .faces import blur_bystanders, cover_user, find_faces
from .select import Target

CLEAR = "clear_face"
LOCATION_ROLES = ("exact_location", "file_position")


@dataclass(frozen=True)
class Options:
    keep_bystanders: bool = False  # --keep-bystanders: leave other people's faces as they are
    cover_me: bool = False  # --cover-me: cover her clear faces in every copy, not only for a cover-face step


class Checker:
    """The photo signals, prepared once on the inventory (her reference faces), to analyse each copy as a photo."""

    def __init__(self, db: sqlite_utils.Database):
        self.signals: list[Signal] = [cls() for cls in SIGNALS.values() if cls.scope == "photo"]
        for signal in self.signals:
            signal.prepare(db)

    def recheck(self, data: bytes) -> dict:
        """What the copy still gives away, found in it: positions, metadata blocks and fields, faces and their grades,
        identity clues in the picture."""
        view = PhotoView({"id": hashlib.sha256(data).hexdigest(), "status": "ok", "media_type": "image"}, [])
        view.data = data  # the copy's bytes, not an inventoried file
        found = [(signal.name, finding) for signal in self.signals for finding in signal.analyze(view)]
        faces = [finding.evidence for name, finding in found if (name, finding.kind) in kinds("face", "bystander_face")]
        return {
            "locations": sum((name, finding.kind) in kinds(*LOCATION_ROLES) for name, finding in found),
            "metadata": metadata_left(data),
            "clear_faces_of_you": sum((name, finding.kind) in kinds(CLEAR) and finding.evidence.get("who") == "you"
                                      for name, finding in found),
            "faces": [{"who": face.get("who"), "grade": face.get("grade")} for face in faces],
            "clues": sorted({finding.kind for name, finding in found if (name, finding.kind) in kinds("identity_clue")}),
            "findings": sorted(f"{name}/{finding.kind}" for name, finding in found),
        }


def metadata_left(data: bytes) -> list[str]:
    """What the project's own readers still find in the file: its metadata blocks and the fields that identify."""
    blocks = find_blocks(data)
    left = [name for name in ("exif", "xmp", "flir") if getattr(blocks, name)]
    metadata = read_metadata(data)
    fields = {"gps": metadata.position, "camera": metadata.make or metadata.model, "capture_time": metadata.taken_at,
              "software": metadata.software}
    return left + [name for name, value in fields.items() if value]


def make_copy(target: Target, out: Path, references: list, options: Options, checker: Checker) -> dict:
    """Write the target's clean copy into `out`; its manifest entry. InputError when the original cannot be decoded."""
    copy = open_clean(target.data)
    faces = find_faces(copy.image, references)
    blurred = [] if options.keep_bystanders else blur_bystanders(copy.image, faces)
    covered = cover_user(copy.image, faces) if target.cover or options.cover_me else []
    data = encode_clean(copy)
    path = write_private(out / f"{target.name}{copy.suffix}", data)
    return {
        "file": path.name,
        "source": target.source,
        "photo": target.photo,
        "step": target.step,
        "action": target.action,
        "format": copy.out_format,
        "converted_from": copy.converted_from,
        "removed": copy.removed,
        "bystanders_blurred": 0 if options.keep_bystanders else len(blurred),
        "bystanders_kept": options.keep_bystanders,
        "faces_not_told_apart": sum(face.who == "not matched" for face in faces),
        "your_faces_covered": len(covered),
        # The pixels that differ on purpose, as (left, top, right, bottom): outside them the copy is the original.
        "obscured": [list(obscured_area(face.box, copy.image.size)) for face in blurred + covered],
        "covered": bool(target.cover or options.cover_me),
        "sha256": hashlib.sha256(data).hexdigest(),
        "recheck": checker.recheck(data),
    }
