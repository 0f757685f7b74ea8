"""Grade one detected face as face-swap source material: size, pose, sharpness, cut by the edge.

Every number the grade uses is in THRESHOLDS, with where it comes from. Size is measured in the
image as posted (what a stranger can save); pose and sharpness are measured on the reduced image
the detector saw, which is enough for both: pose comes from landmark positions, and sharpness is
taken on a face crop resized to a fixed small size, so that it means the same at any resolution.

Roll is reported but not graded: swap tools turn every face upright before using it. The only
occlusion measured is a face cut by the frame edge (a landmark outside the picture); hands, masks
and sunglasses are not detected, for want of a cheap measure that would be honest about them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from PIL import Image

from ..words import N_, Said, listed, render, say
from .detect import DetectedFace

LEVELS = ("low", "medium", "high")  # worst first: a face's grade is its worst check
# What a face whose pose was not measured is called (report/supply.py's default pose); the poses are pose_name's.
UNKNOWN_POSE = N_("unknown")


@dataclass(frozen=True)
class Threshold:
    value: float
    source: str


THRESHOLDS = {
    "full_quality_px": Threshold(
        112,
        "risk-model.md, What face-swap tools need: ArcFace identity encoders use 112x112 crops and inswapper "
        "works on 128x128 faces; at or above about 112-128 px a face is full-quality source material. "
        "Compared with the face's swap crop (see crop_per_box).",
    ),
    "little_use_px": Threshold(
        48,
        "risk-model.md, What face-swap tools need: below about 40-64 px a face is of little use. 48 is inside "
        "that range; compared with the face's swap crop (see crop_per_box).",
    ),
    "crop_per_box": Threshold(
        1.4,
        "The crop sizes above are of the aligned crop the tools cut around a face (ArcFace's 5-point template), "
        "which has a margin: fitting that template to the landmarks gives a crop 1.38-1.46 times the short side "
        "of the detector's box on the upright fixture faces (astronaut, Hopper, Fei-Fei Li, cameraman, the "
        "man in dn_Samsung_GT-I9000). So a box of 80 px fills a 112 px crop.",
    ),
    "three_quarter_yaw": Threshold(
        25,
        "risk-model.md: frontal faces are the best source. The degrees are this project's: the fixture "
        "portraits marked frontal measure 0-18 (the yaw is a coarse estimate from 5 landmarks).",
    ),
    "profile_yaw": Threshold(
        55,
        "risk-model.md: profile views are poorer source, and a set of only frontal faces makes side views "
        "hard. The degrees are this project's: the man at the train window in dn_Samsung_GT-I9000 (near "
        "profile) measures 58-72 at every detection size; the cameraman (sk_camera.png, truth: between "
        "profile and three-quarter) 49-64, so he falls on either side.",
    ),
    "sharp": Threshold(
        300,
        "risk-model.md: sharp faces are the best source. Variance of the Laplacian on the face resized to "
        "32x32 grey; measured on the fixture faces: 570-2530 untouched, 300-700 after a Gaussian blur of 2% "
        "of the face width (still usable), 75-160 at 4%, under 25 at 8%.",
    ),
    "blurred": Threshold(
        100,
        "risk-model.md: blurred faces are poorer source. Same measure: a Gaussian blur of 4% of the face "
        "width (3 px on an 80 px face) lands at 75-160 and 8% under 25; below 100 the features are smeared.",
    ),
}

SHARPNESS_SIDE = 32  # every face crop is resized to this before measuring sharpness
# Frontal-face geometry behind the yaw estimate: the nose tip stands in front of the eyes by about
# half the distance between them, so the nose shifts sideways by 0.5 * tan(yaw) eye distances.
NOSE_DEPTH = 0.5


class Check(NamedTuple):
    level: str  # the best grade this check allows
    word: Said  # how the sentence describes the face
    limit: Said | None  # how the verdict names it when it holds the grade down
    reason: str  # the full reason, with its figure, for the evidence


@dataclass(frozen=True)
class FaceGrade:
    size_px: int  # short side of the box in the image as posted
    crop_px: int  # side of the aligned crop swap tools would cut around it, in the same pixels
    share: float  # box area / image area
    pose: str  # frontal, three-quarter, profile
    yaw: float  # degrees, sign: which way the head turns in the image
    roll: float  # degrees of the eye line from horizontal (head tilt)
    sharpness: float
    cut: bool  # part of the face (an eye, the nose or the mouth) is outside the frame
    grade: str  # high, medium, low
    reasons: tuple[str, ...]
    words: Said  # "214 px, frontal, sharp"
    verdict: Said  # "full-quality swap source"

    @property
    def sentence(self) -> str:
        """The grade in English: "214 px, frontal, sharp: full-quality swap source"."""
        return f"{render(self.words)}: {render(self.verdict)}"


def grade_face(face: DetectedFace, image: Image.Image, scale: tuple[float, float]) -> FaceGrade:
    """Grade `face`, found in `image`; `scale` maps `image` pixels to the posted image's (x, y)."""
    x0, y0, x1, y1 = face.box
    size_px = round(min((x1 - x0) * scale[0], (y1 - y0) * scale[1]))
    yaw, roll = head_angles(face)
    pose = pose_name(yaw)
    sharpness = laplacian_variance(image, face.box)
    cut = any(not (0 <= x <= image.width and 0 <= y <= image.height) for x, y in face.landmarks)
    crop_px = round(size_px * THRESHOLDS["crop_per_box"].value)
    checks = [_size_check(size_px, crop_px), _pose_check(pose, yaw), _sharpness_check(sharpness)]
    if cut:
        cut_words = say(N_("cut by the frame edge"))
        checks.append(Check("medium", cut_words, cut_words, "cut by the frame edge"))
    grade = min((check.level for check in checks), key=LEVELS.index)
    return FaceGrade(
        size_px=size_px,
        crop_px=crop_px,
        share=(x1 - x0) * (y1 - y0) / (image.width * image.height),
        pose=pose,
        yaw=yaw,
        roll=roll,
        sharpness=sharpness,
        cut=cut,
        grade=grade,
        reasons=tuple(check.reason for check in checks),
        words=listed(check.word for check in checks),
        verdict=_verdict(grade, checks),
    )


def head_angles(face: DetectedFace) -> tuple[float, float]:
    """(yaw, roll) in degrees, from where the nose tip sits along the line between the eyes."""
    (lx, ly), (rx, ry), (nx, ny) = face.landmarks[:3]
    ex, ey = rx - lx, ry - ly
    eye_distance = math.hypot(ex, ey)
    if eye_distance == 0:
        return 0.0, 0.0
    roll = math.degrees(math.atan2(ey, ex))
    # Measured along the eye line, so a tilted head does not read as a turned one.
    shift = ((nx - (lx + rx) / 2) * ex + (ny - (ly + ry) / 2) * ey) / eye_distance**2
    return math.degrees(math.atan(shift / NOSE_DEPTH)), roll


def pose_name(yaw: float) -> str:
    if abs(yaw) >= THRESHOLDS["profile_yaw"].value:
        return N_("profile")
    if abs(yaw) >= THRESHOLDS["three_quarter_yaw"].value:
        return N_("three-quarter")
    return N_("frontal")


def laplacian_variance(image: Image.Image, box: tuple[float, float, float, float]) -> float:
    """Variance of the 4-neighbour Laplacian of the face crop, resized to SHARPNESS_SIDE square."""
    crop = image.convert("L").crop(tuple(round(v) for v in box))
    grey = np.asarray(crop.resize((SHARPNESS_SIDE, SHARPNESS_SIDE), Image.BILINEAR), dtype=np.float32)
    laplacian = grey[:-2, 1:-1] + grey[2:, 1:-1] + grey[1:-1, :-2] + grey[1:-1, 2:] - 4 * grey[1:-1, 1:-1]
    return float(laplacian.var())


def _size_check(size_px: int, crop_px: int) -> Check:
    full, little = THRESHOLDS["full_quality_px"].value, THRESHOLDS["little_use_px"].value
    word, measured = say(N_("%(n)s px"), n=size_px), f"{size_px} px on its short side, a {crop_px} px swap crop"
    if crop_px >= full:
        return Check("high", word, None, f"{measured}: at least {full:.0f} px, full quality for swap tools")
    if crop_px < little:
        return Check("low", word, say(N_("too small")), f"{measured}: under {little:.0f} px, of little use to swap tools")
    limit = say(N_("crop under %(n)s px"), n=f"{full:.0f}")
    return Check("medium", word, limit, f"{measured}: {little:.0f} to {full:.0f} px, usable at lower quality")


def _pose_check(pose: str, yaw: float) -> Check:
    words = say(pose)
    return Check("low" if pose == "profile" else "high", words, words, f"{pose} (turned about {abs(yaw):.0f} degrees)")


def _sharpness_check(sharpness: float) -> Check:
    if sharpness >= THRESHOLDS["sharp"].value:
        return Check("high", say(N_("sharp")), None, f"sharp (sharpness {sharpness:.0f})")
    if sharpness < THRESHOLDS["blurred"].value:
        blurred = say(N_("blurred"))
        return Check("low", blurred, blurred, f"blurred (sharpness {sharpness:.0f})")
    soft = say(N_("slightly soft"))
    return Check("medium", soft, soft, f"slightly soft (sharpness {sharpness:.0f})")


def _verdict(grade: str, checks: list[Check]) -> Said:
    """What the face is worth to swap tools, naming the checks that hold its grade down."""
    if grade == "high":
        return say(N_("full-quality swap source"))
    limits = listed(check.limit for check in checks if check.level == grade and check.limit)
    if grade == "low":
        return say(N_("of little use as a swap source (%(limits)s)"), limits=limits)
    return say(N_("usable swap source, below full quality (%(limits)s)"), limits=limits)
