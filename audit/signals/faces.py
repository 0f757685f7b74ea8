"""Every face in the photo, graded as face-swap source material, and whether it is the user's."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import replace
from typing import TYPE_CHECKING, Iterator

from PIL import Image

from ..faces import detect as facedetect
from ..faces import identity as faceid
from ..faces import real as realface
from ..faces.grade import THRESHOLDS, FaceGrade, grade_face
from ..inventory import imaging, video
from ..models import Finding
from ..words import N_, Said, say
from .base import Signal, Weight

if TYPE_CHECKING:
    import sqlite_utils

    from ..inventory.photo import PhotoView

# Longest side, in pixels, that a photo is reduced to before detection. CenterFace finds faces from
# about 24 px at its own scale every time and misses most under 15, so what the side decides is how
# many medium faces (box 34-80 px as posted) are found; full-quality ones (80 px and up) are found at
# every side tried. benchmarks/face_speed.py, 200 feed-size photos, identity excluded, this 2-core
# machine (speeds move by a third with what else runs on it):
#   side 320: 52 photos/s, medium faces found 50%      side 448: 47 photos/s, 79%
#   side 384: 55 photos/s, 61%                          side 512: 35 photos/s, 88%
# 448 finds most medium faces and stays well above the 20 photos/s target on a busy machine.
DETECT_SIDE = 448
# A photo larger than a feed image (a camera original in a folder) is reduced less, so that a
# full-quality face still reaches the detector at that reliable size. Capped so one photo takes at
# most a few tenths of a second: up to about 4260 px (12 MP phones: 4032) nothing is lost; beyond,
# full-quality faces under 80 * long side / 4260 px may be missed.
RELIABLE_FACE_PX = 24
MAX_DETECT_SIDE = 1280

BYSTANDER = "someone else"  # what faceid.match calls a face that is not the user's
# How a finding's summary starts, by faceid.match's verdict.
WHOSE = {
    "you": N_("Your face"),
    BYSTANDER: N_("Someone else's face (this photo exposes them too)"),
    "not matched": N_("A face not matched to you (it may be yours)"),
}


class FacesSignal(Signal):
    name = "faces"
    # 2: findings carry their words; 3: videos (their sampled frames, faces_video.py); 4: drawn, flat-filled and
    # rendered faces (cartoons, avatars) are no longer findings (faces/real.py), in photos and video frames alike
    version = 4
    title = N_("Faces a stranger could use")
    description = ("Every face, in photos and in videos' sampled frames, graded as face-swap source (size, pose, "
                   "sharpness), and whether it is yours.")
    example = "images/faces/pl_hopper.jpg"
    reads_pixels = True
    roles = {
        "face": frozenset({"face_high", "face_medium", "face_low"}),  # the user's, or not matched (it may be hers)
        "clear_face": frozenset({"face_high", "face_medium"}),  # full quality, or usable but imperfect
        "bystander_face": frozenset({"bystander_face"}),
    }
    weights = {
        "face_high": Weight(45, 45, N_("One clear photo of a face is enough for today's face-swap tools (roop, InstantID); a face of 112-128 px or more is full-quality source material."), "face"),
        "face_medium": Weight(25, 25, N_("A usable but imperfect face (smaller, turned or softer): swap models work at 128 px and restorers upscale the rest."), "face"),
        "face_low": Weight(5, 5, N_("Under about 40-64 px, in profile or blurred, a face is of little use to swap tools, but it still shows the person."), "face"),
        "bystander_face": Weight(5, 10, N_("Someone else's face: the photo exposes them too, and attackers target the victim's friends and family.")),
    }

    def __init__(self) -> None:
        self.references: list[list[float]] = []
        self.identity_problem: str | None = "prepare() has not run"

    def prepare(self, db: "sqlite_utils.Database") -> str:
        self.identity_problem = faceid.available()
        self.references = faceid.load_references(db)
        state = [self.references, faceid.MATCH_THRESHOLD, "no-identity" if self.identity_problem else "identity"]
        return hashlib.sha256(json.dumps(state).encode()).hexdigest()

    def analyze(self, photo: "PhotoView") -> Iterator[Finding]:
        if photo.status != "ok":
            return  # files already recorded as missing or unreadable
        if photo.media_type == "video":
            if not photo.has_file or video.is_cover(photo.data):
                return  # a video kept as its cover frame only: not sampled, as before videos were
            from .faces_video import video_findings  # it builds on this module's findings

            yield from video_findings(photo, faceid.encode if self.identity_problem is None else None, self.references)
            return
        if photo.media_type != "image":
            return
        reduced, scale = reduce_for_detection(photo)
        for index, (face, grade) in enumerate(graded_faces(reduced, scale)):
            encoding = self._encode(photo, face.box, reduced) if self.identity_problem is None else None
            who, distance = faceid.match(encoding, self.references) if encoding else ("not matched", None)
            yield _finding(index, face, grade, reduced, who, distance, encoding)

    def _encode(self, photo: "PhotoView", box: facedetect.Box, reduced: Image.Image) -> list[float]:
        """Encoded where the detail is: on the working copy when the face fills the encoder's crop there, else
        on the full-size image (decoded only then, once per photo)."""
        source = photo.working
        if faceid.face_side(_scaled(box, source, reduced)) < faceid.FACE_SIDE:
            source = photo.image
        return faceid.encode(source, _scaled(box, source, reduced))


def detect_side(long_side: int) -> int:
    """How far to reduce a photo whose longest side is `long_side` (see DETECT_SIDE)."""
    full_quality_box = THRESHOLDS["full_quality_px"].value / THRESHOLDS["crop_per_box"].value  # 80 px
    needed = math.ceil(long_side * RELIABLE_FACE_PX / full_quality_box)
    return min(MAX_DETECT_SIDE, max(DETECT_SIDE, needed))


def graded_faces(reduced: Image.Image, scale: tuple[float, float]) -> list[tuple[facedetect.DetectedFace, FaceGrade]]:
    """Every photographed face in `reduced` (boxes in its pixels), graded; `scale` maps its pixels to the photo's as
    posted. Drawn and rendered faces are left out here, so photos, video frames and clean copies all skip them."""
    faces = [face for face in facedetect.detect(reduced) if realface.is_real(reduced, face)]
    return [(face, grade_face(face, reduced, scale)) for face in faces]


def detect_faces(image: Image.Image) -> list[tuple[facedetect.DetectedFace, FaceGrade]]:
    """Every face in a picture already decoded at full size and upright, graded as the signal grades it, found
    the same way (on a copy reduced to detect_side); boxes and landmarks in `image`'s pixels."""
    reduced = image.copy()
    side = detect_side(max(image.size))
    reduced.thumbnail((side, side), reducing_gap=1.0)  # as PhotoView.reduced reduces the signal's copy
    scale = (image.width / reduced.width, image.height / reduced.height)
    return [(_scaled_face(face, image, reduced), grade) for face, grade in graded_faces(reduced, scale)]


def _scaled_face(face: facedetect.DetectedFace, to: Image.Image, reduced: Image.Image) -> facedetect.DetectedFace:
    sx, sy = to.width / reduced.width, to.height / reduced.height
    landmarks = tuple((x * sx, y * sy) for x, y in face.landmarks)
    return replace(face, box=_scaled(face.box, to, reduced), landmarks=landmarks)


def _scaled(box: facedetect.Box, to: Image.Image, reduced: Image.Image) -> facedetect.Box:
    sx, sy = to.width / reduced.width, to.height / reduced.height
    return (box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy)


def reduce_for_detection(photo: "PhotoView") -> tuple[Image.Image, tuple[float, float]]:
    """The photo reduced to detection size, and the (x, y) factors back to its size as posted.

    The posted size is the header's, turned upright when the decoder turned the pixels (EXIF
    orientation 5-8): of (w, h) and (h, w), the one shaped like the decoded image. Only a nearly
    square photo leaves room for doubt, and then both give the same factors.
    """
    width, height = imaging.probe(photo.data).size
    reduced = photo.reduced(detect_side(max(width, height)))
    if (width > height) != (reduced.width > reduced.height) and width != height:
        width, height = height, width
    return reduced, (width / reduced.width, height / reduced.height)


def _finding(
    index: int,
    face: facedetect.DetectedFace,
    grade: FaceGrade,
    image: Image.Image,
    who: str,
    distance: float | None,
    encoding: list[float] | None,
) -> Finding:
    evidence = {
        "face": index,
        "box": [round(value / side, 4) for value, side in zip(face.box, (image.width, image.height) * 2)],
        "score": round(face.score, 3),
        # eyes, nose tip, mouth corners, as fractions of the picture like the box
        "landmarks": [[round(x / image.width, 4), round(y / image.height, 4)] for x, y in face.landmarks],
        "size_px": grade.size_px,
        "crop_px": grade.crop_px,
        "share": round(grade.share, 4),
        "pose": grade.pose,
        "yaw": round(grade.yaw, 1),
        "roll": round(grade.roll, 1),
        "sharpness": round(grade.sharpness, 1),
        "cut_by_edge": grade.cut,
        "grade": grade.grade,
        "reasons": list(grade.reasons),
        "who": who,
        "distance": None if distance is None else round(distance, 4),
    }
    if encoding:
        evidence["encoding"] = [round(value, 5) for value in encoding]
    if who == BYSTANDER:
        return Finding(kind="bystander_face", text=face_words(who, grade), evidence=evidence, severity="low")
    # The grades are named like the severities: a high-grade face of the user is a high risk.
    return Finding(kind=f"face_{grade.grade}", text=face_words(who, grade), evidence=evidence, severity=grade.grade)


def face_words(who: str, grade: FaceGrade) -> Said:
    """Whose face (WHOSE), then the grade's words: "Your face: 214 px, frontal, sharp: full-quality swap source"."""
    # TRANSLATORS: a face's summary: whose face, its size, pose and sharpness, then what it is worth to swap tools.
    return say(N_("%(whose)s: %(words)s: %(verdict)s"), whose=say(WHOSE[who]), words=grade.words, verdict=grade.verdict)
