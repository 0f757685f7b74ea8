"""Tell a photographed face from a drawn or rendered one: flat colour and ink lines against photographic shading.

CenterFace fires on cartoons, flat avatars and rendered game faces too (issue 17: every false face on a held-out set
of real photos was on one). A stranger cannot swap those onto anyone, and the user's report must not count them.

What the check measures, on the part of the face the five landmarks span (eyes to mouth, so it holds skin and not
the background whatever the pose), in the image the detector saw:

- flat share: pixels within a few levels of the region's most common colour. Drawn and flat-filled faces are mostly
  one skin colour; photographed skin is shaded, grainy and lit unevenly.
- line share: steps between neighbouring pixels of 30 levels or more: ink outlines and hard cel-shading edges.
- shading share: steps of 2 to 11 levels: the gradual shading and sensor grain of a photographed face. It keeps a
  dark face in low light (whose colours all sit close together, so its flat share is high) real.

score = flat + line - shading / 2; a face scoring DRAWN_SCORE or more is drawn. Measured on faces of 40 px or more
in the design half of benchmarks/faces_varied (the held-out half was not used to choose anything here) and on the
portraits of tests/fixtures/images/faces: real faces, profiles and low light included, score -0.22 to 0.14 (the
highest a woman in near profile against a pale wall), Grace Hopper's small 128 px JPEG 0.18; flat avatars 0.60-0.94,
cartoons 0.64-0.71, anime faces 0.22-0.49; of two rendered 3D avatars, one 0.25 and one -0.01 (missed: smooth
rendered shading reads as photographed). Faces whose landmark region is too small to measure are kept: a wrong
"drawn" would hide a real face.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from .detect import DetectedFace
from .grade import THRESHOLDS, laplacian_variance

# Between the highest real face measured (Hopper, 0.18) and the lowest drawn one (an anime face, 0.22).
DRAWN_SCORE = 0.20
# Fewer pixels than this between the landmarks (about 8x8) and the shares are too coarse to trust.
MIN_REGION_PIXELS = 64
FLAT_TOLERANCE = 6  # levels (of 255) around the most common colour still counted as that colour
COLOUR_BIN = 8  # the most common colour is found on colours binned to 8 levels, then widened by FLAT_TOLERANCE
SHADING_STEPS = (2, 12)  # neighbour steps (grey levels) of photographic shading and grain
LINE_STEP = 30  # neighbour steps of ink lines and hard cel edges


def drawn_score(image: Image.Image, face: DetectedFace) -> float | None:
    """How drawn the face looks (module docstring); None when its landmark region is too small to say."""
    region = _landmark_region(image, face)
    if region is None:
        return None
    grey = region.astype(np.float32).mean(axis=2)
    steps = np.concatenate([np.abs(np.diff(grey, axis=1)).ravel(), np.abs(np.diff(grey, axis=0)).ravel()])
    shading = float(((steps >= SHADING_STEPS[0]) & (steps < SHADING_STEPS[1])).mean())
    line = float((steps >= LINE_STEP).mean())
    return _flat_share(region) + line - shading / 2


def is_real(image: Image.Image, face: DetectedFace) -> bool:
    """False for a face that looks drawn, flat-filled or rendered; True otherwise, and when it cannot be measured.

    A blurred face is kept unmeasured: blur smooths photographed skin into flat colour, and drawn faces, all crisp
    outlines, are never blurred (every one in the design half is sharp by the grade's measure).
    """
    if laplacian_variance(image, face.box) < THRESHOLDS["blurred"].value:
        return True
    score = drawn_score(image, face)
    return score is None or score < DRAWN_SCORE


def _landmark_region(image: Image.Image, face: DetectedFace) -> np.ndarray | None:
    """The pixels of the landmarks' bounding box, clipped to the picture, as an RGB int array."""
    xs = [x for x, _ in face.landmarks]
    ys = [y for _, y in face.landmarks]
    x0, y0 = max(0, round(min(xs))), max(0, round(min(ys)))
    x1, y1 = min(image.width, round(max(xs)) + 1), min(image.height, round(max(ys)) + 1)
    if (x1 - x0) * (y1 - y0) < MIN_REGION_PIXELS or x1 - x0 < 2 or y1 - y0 < 2:
        return None
    return np.asarray(image.crop((x0, y0, x1, y1)).convert("RGB"), dtype=np.int16)


def _flat_share(region: np.ndarray) -> float:
    """Share of pixels within FLAT_TOLERANCE of the most common colour (found on COLOUR_BIN-level bins)."""
    binned = region.astype(np.int32) // COLOUR_BIN  # int16 would overflow in the colour codes below
    codes = (binned[..., 0] * 256 + binned[..., 1]) * 256 + binned[..., 2]
    values, counts = np.unique(codes, return_counts=True)
    mode = int(values[counts.argmax()])
    centre = np.array([mode // 65536, (mode // 256) % 256, mode % 256]) * COLOUR_BIN + COLOUR_BIN // 2
    return float((np.abs(region - centre).max(axis=2) <= FLAT_TOLERANCE).mean())
