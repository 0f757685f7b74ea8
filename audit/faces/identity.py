"""Which faces are the user: dlib's 128-d face encoder, matched against the user's reference faces.

References come from the `me` photos of the config, or from a cluster of look-alike faces that the
user confirmed as theirs when they gave no photos. dlib is optional and imported lazily: callers ask
`available()` first, and without it every face stays "not matched" while grading goes on.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
from PIL import Image

from ..errors import AuditError, ConfigError, InputError
from ..inventory import imaging
from ..inventory.db import stable_id
from ..inventory.transactions import transaction
from ..models import ItemError
from . import detect as facedetect

# dlib's own cut-off for "same person" (99.38% right on the LFW benchmark at 0.6). Measured in
# tests/test_faceid.py: the astronaut against edited copies of herself (resized down to a 30 px face,
# rotated, darker, brighter, JPEG q20, greyscale, mirrored) 0.07-0.32; the demo selfies against the user
# in 17 demo posts 0.04-0.13; against other people (Grace Hopper 0.66-0.67, a cameraman 0.83-0.86).
MATCH_THRESHOLD = 0.6

ENCODER = "dlib_face_recognition_resnet_model_v1"
MODELS = "face_recognition_models"
PREDICTOR_FILE = "shape_predictor_5_face_landmarks.dat"
ENCODER_FILE = f"{ENCODER}.dat"
MISSING = "face recognition needs dlib: pip install dlib-bin face_recognition_models"

# dlib aligns every face onto a 150 px chip, so pixels beyond about that add nothing but time.
FACE_SIDE = 150
# Context kept around the face before resizing: the chip includes a 25% border, and the landmark
# predictor looks a little outside the box.
CROP_MARGIN = 0.5
# CenterFace boxes run from the hairline to the chin (taller than wide); the 5-point predictor was
# trained on dlib's square eyebrow-to-chin boxes. On 86 faces (fixtures and demo, also rotated 8 degrees
# and scaled to 2/3), a square of side sqrt(w*h) lowered by 5% of the height put the landmarks where
# dlib's own box puts them to within 1.3% of the face width for 90% of faces (worst 7.7%, a side view);
# the raw box was off by 14% for the worst tenth (up to 33%), enough to turn a match into a miss.
BOX_SHIFT_DOWN = 0.05

# Reference photos are searched for faces at this size; the chosen face is encoded at full size.
DETECT_SIDE = 640
# Rows of reference_faces that came from a confirmed cluster rather than a `me` photo.
CLUSTER_SOURCE = "cluster {} confirmed"  # store_references() recognises these by the pattern
SAMPLE_SIZE = 6

Box = tuple[float, float, float, float]


class RecognizerMissing(AuditError):
    """dlib or the face_recognition_models files are not installed: faces cannot be told apart."""


def available() -> str | None:
    """None when faces can be encoded, else the reason in one plain line."""
    try:
        _models()
    except RecognizerMissing as exc:
        return exc.message
    return None


@functools.cache
def _models():
    """(dlib's rectangle type, landmark predictor, encoder), loaded once: the encoder file alone is 22 MB."""
    try:
        import dlib
    except ImportError as exc:
        raise RecognizerMissing(MISSING) from exc
    folder = _models_folder()
    try:
        return (
            dlib.rectangle,
            dlib.shape_predictor(str(folder / PREDICTOR_FILE)),
            dlib.face_recognition_model_v1(str(folder / ENCODER_FILE)),
        )
    except RuntimeError as exc:  # dlib's message for a truncated or corrupt model file
        raise RecognizerMissing(f"face recognition models cannot be loaded ({exc}): {MISSING}") from exc


def _models_folder() -> Path:
    # Located without importing the package: its __init__ imports pkg_resources, which recent
    # setuptools no longer ships.
    spec = importlib.util.find_spec(MODELS)
    folder = Path(spec.submodule_search_locations[0]) / "models" if spec and spec.submodule_search_locations else None
    if folder is None or not all((folder / name).is_file() for name in (PREDICTOR_FILE, ENCODER_FILE)):
        raise RecognizerMissing(MISSING)
    return folder


def encode(image: Image.Image, box: Box) -> list[float]:
    """The 128-d descriptor of the face in `box` (x0, y0, x1, y1 in pixels of `image`)."""
    rectangle, predictor, encoder = _models()
    pixels, rect = _face_crop(image, box)
    shape = predictor(pixels, rectangle(*rect))
    # Six decimals keep distances exact to 1e-5 and the stored JSON under half the size.
    return [round(value, 6) for value in encoder.compute_face_descriptor(pixels, shape)]


def face_side(box: Box) -> float:
    """The side of the square the encoder's crop is built around (the box's geometric mean side)."""
    x0, y0, x1, y1 = box
    return max(1.0, ((x1 - x0) * (y1 - y0)) ** 0.5)


def _face_crop(image: Image.Image, box: Box) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """RGB pixels around the face, reduced to about FACE_SIDE, and dlib's square box in them."""
    x0, y0, x1, y1 = box
    side = face_side(box)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2 + BOX_SHIFT_DOWN * (y1 - y0)
    reach = side * (0.5 + CROP_MARGIN)
    left, top = max(0, round(cx - reach)), max(0, round(cy - reach))
    crop = image.crop((left, top, min(image.width, round(cx + reach)), min(image.height, round(cy + reach))))
    scale = min(1.0, FACE_SIDE / side)  # never enlarge: upsampling invents no detail
    if scale < 1.0:
        crop = crop.resize((max(1, round(crop.width * scale)), max(1, round(crop.height * scale))), Image.BILINEAR)
    half = side * scale / 2
    cx, cy = (cx - left) * scale, (cy - top) * scale
    rect = (round(cx - half), round(cy - half), round(cx + half), round(cy + half))
    return np.asarray(crop.convert("RGB"), dtype=np.uint8), rect


def match(
    encoding: Iterable[float], references: list[list[float]], threshold: float = MATCH_THRESHOLD
) -> tuple[str, float | None]:
    """("you" or "someone else", distance to the nearest reference); ("not matched", None) without references."""
    if not references:
        return "not matched", None
    distance = float(np.linalg.norm(np.asarray(references) - np.asarray(list(encoding)), axis=1).min())
    return ("you" if distance <= threshold else "someone else"), distance


def load_references(db) -> list[list[float]]:
    rows = db["reference_faces"].rows_where("encoder = ?", [ENCODER], order_by="id")
    return [json.loads(row["encoding"]) for row in rows]


def store_references(db, paths: Iterable[Path]) -> Iterator[ItemError]:
    """Encode the largest face of each `me` photo into reference_faces; an ItemError per unusable photo.

    Rows of `me` photos no longer listed (or whose file changed) are removed once the generator is
    exhausted, so that editing `me` takes effect; rows from confirmed clusters stay.
    """
    kept: set[str] = set()
    for path in paths:
        try:
            row = _reference_row(Path(path))
        except InputError as exc:
            yield ItemError(str(path), exc.message, stage="reference")
            continue
        db["reference_faces"].upsert(row, pk="id")
        kept.add(row["id"])
    with transaction(db):
        for row in list(db["reference_faces"].rows_where("source NOT LIKE 'cluster % confirmed'")):
            if row["id"] not in kept:
                db["reference_faces"].delete(row["id"])


def _reference_row(path: Path) -> dict:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read reference photo: {exc.strerror or exc}") from exc
    image = imaging.decode(data)
    index, box = _largest_face(image)
    return {
        "id": f"{hashlib.sha256(data).hexdigest()}:{index}",
        "source": path.name,
        "encoder": ENCODER,
        "encoding": json.dumps(encode(image, box)),
    }


def _largest_face(image: Image.Image) -> tuple[int, Box]:
    """Index (in the detector's order) and full-size box of the biggest face; InputError if none."""
    small = image.copy()
    small.thumbnail((DETECT_SIDE, DETECT_SIDE))
    faces = facedetect.detect(small)
    if not faces:
        raise InputError("no face found in this reference photo: use a photo where your face is clearly visible")
    index, face = max(enumerate(faces), key=lambda pair: _area(pair[1].box))
    ratio = image.width / small.width
    return index, tuple(value * ratio for value in face.box)


def _area(box: Box) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])


def cluster_faces(db, threshold: float = MATCH_THRESHOLD) -> list[dict]:
    """Group every encoded face of the inventory by likeness; rewrite face_clusters; summarise, largest first.

    Greedy and deterministic: faces in finding-id order join the cluster whose mean encoding is nearest
    when within `threshold`, else start a new one. Means, unlike single links, do not chain two people
    together through one ambiguous face.
    """
    clusters = _ordered(_greedy_clusters(_encoded_faces(db), threshold))
    with transaction(db):
        db["face_clusters"].delete_where()
        db["face_clusters"].insert_all(
            {"finding": face["id"], "photo": face["photo"], "cluster": number}
            for number, members in enumerate(clusters, 1)
            for face in members
        )
    return [_summary(number, members) for number, members in enumerate(clusters, 1)]


def _encoded_faces(db) -> list[dict]:
    from ..signals import kinds  # here, not at the top: the faces signal imports this module

    # The signals that find faces (the registry's face roles): another signal's evidence is no face.
    signals = sorted({signal for signal, _ in kinds("face", "bystander_face")})
    rows = db.query(
        "SELECT id, photo, json_extract(evidence, '$.encoding') AS encoding FROM findings"
        f" WHERE signal IN ({', '.join('?' for _ in signals)}) AND json_extract(evidence, '$.encoding') IS NOT NULL"
        " ORDER BY id",
        signals,
    )
    return [{**row, "encoding": np.asarray(json.loads(row["encoding"]))} for row in rows]


def _greedy_clusters(faces: list[dict], threshold: float) -> list[list[dict]]:
    clusters: list[list[dict]] = []
    centroids: list[np.ndarray] = []
    for face in faces:
        distances = [float(np.linalg.norm(face["encoding"] - centroid)) for centroid in centroids]
        if distances and min(distances) <= threshold:
            best = distances.index(min(distances))
            clusters[best].append(face)
            centroids[best] = np.mean([member["encoding"] for member in clusters[best]], axis=0)
        else:
            clusters.append([face])
            centroids.append(face["encoding"])
    return clusters


def _ordered(clusters: list[list[dict]]) -> list[list[dict]]:
    """Largest first; equal sizes by their first finding id (each cluster's members are in id order)."""
    return sorted(clusters, key=lambda members: (-len(members), members[0]["id"]))


def cluster_summary(db) -> list[dict]:
    """The face groups of the last analysis, largest first, each with sample media names to look at."""
    rows = db.query(
        "SELECT c.cluster, COUNT(*) AS faces, COUNT(DISTINCT c.photo) AS photos,"
        " (SELECT GROUP_CONCAT(media_name, ', ') FROM (SELECT DISTINCT a.media_name FROM appearances a"
        "   JOIN face_clusters c2 ON c2.photo = a.photo WHERE c2.cluster = c.cluster"
        f"   ORDER BY a.media_name LIMIT {SAMPLE_SIZE})) AS sample"
        " FROM face_clusters c GROUP BY c.cluster ORDER BY c.cluster"
    )
    return list(rows)


def _summary(number: int, members: list[dict]) -> dict:
    photos = list(dict.fromkeys(face["photo"] for face in members))
    return {"cluster": number, "faces": len(members), "photos": len(photos), "sample": photos[:SAMPLE_SIZE]}


def confirm_cluster(db, cluster: int) -> int:
    """Make cluster `cluster`'s faces reference faces of the user; returns how many were added."""
    rows = list(
        db.query(
            "SELECT json_extract(f.evidence, '$.encoding') AS encoding FROM face_clusters c"
            " JOIN findings f ON f.id = c.finding WHERE c.cluster = ? ORDER BY c.finding",
            [cluster],
        )
    )
    if not rows:
        raise ConfigError(f"there is no face group {cluster}: {_known_clusters(db)}")
    source = CLUSTER_SOURCE.format(cluster)
    references = ({"id": stable_id(row["encoding"]), "source": source, "encoder": ENCODER, **row} for row in rows)
    with transaction(db):
        db["reference_faces"].upsert_all(references, pk="id")
    return len(rows)


def _known_clusters(db) -> str:
    count = db.execute("SELECT MAX(cluster) FROM face_clusters").fetchone()[0]
    if not count:
        return "there are none (reference photos are set with `me` in accounts.toml, or nothing is analysed yet)"
    return "the only group is 1" if count == 1 else f"choose a group from 1 to {count} (`photo-audit me` lists them)"
