"""Recognising the user's face: identity across photos, reference photos, clustering, a missing dlib.

Distances are printed (run with -s to see them): they are the measurement behind MATCH_THRESHOLD.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageEnhance

from audit.errors import ConfigError
from audit.faces import detect as facedetect
from audit.faces import identity as faceid
from audit.inventory import imaging
from audit.inventory.db import open_db

from .conftest import FIXTURES

FACES = FIXTURES / "images" / "faces"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SELFIES = [EXAMPLES / "demo" / "me" / "selfie1.jpg", EXAMPLES / "demo" / "me" / "selfie2.jpg"]


def _open(path: Path) -> Image.Image:
    return imaging.decode(path.read_bytes())


def _largest_encoding(image: Image.Image) -> list[float]:
    faces = facedetect.detect(image)
    face = max(faces, key=lambda f: (f.box[2] - f.box[0]) * (f.box[3] - f.box[1]))
    return faceid.encode(image, face.box)


def _distance(a, b) -> float:
    return faceid.match(a, [b])[1]


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB")


def _astronaut_photos(original: Image.Image) -> dict[str, Image.Image]:
    """'Several photos' of one person: what re-posting, cropping and editing do to a picture."""
    eyes = (225, 118)
    return {
        "tight crop": original.crop((120, 0, 340, 260)),
        "half size": original.resize((256, 256), Image.BICUBIC),
        "third size (face ~30 px)": original.resize((170, 170), Image.BICUBIC),
        "cropped and enlarged": original.crop((100, 0, 400, 300)).resize((600, 600), Image.BICUBIC),
        "rotated +10": original.rotate(10, resample=Image.BICUBIC, center=eyes),
        "rotated -10": original.rotate(-10, resample=Image.BICUBIC, center=eyes),
        "darker": ImageEnhance.Brightness(original).enhance(0.6),
        "brighter": ImageEnhance.Brightness(original).enhance(1.4),
        "jpeg q20": _jpeg(original, 20),
        "greyscale": original.convert("L").convert("RGB"),
        "mirrored": original.transpose(Image.FLIP_LEFT_RIGHT),
    }


def test_same_person_matches_across_photos_and_others_do_not():
    original = _open(FACES / "sk_astronaut.png")
    reference = _largest_encoding(original)
    same = {name: _distance(_largest_encoding(photo), reference) for name, photo in _astronaut_photos(original).items()}
    others = {
        name: _distance(_largest_encoding(_open(FACES / name)), reference)
        for name in ("pl_hopper.jpg", "sk_camera.png")
    }
    for name, distance in {**same, **others}.items():
        print(f"astronaut vs {name}: {distance:.3f}")
    assert max(same.values()) < faceid.MATCH_THRESHOLD < min(others.values())
    assert faceid.match(reference, [_largest_encoding(_open(FACES / "pl_hopper.jpg"))])[0] == "someone else"


def _nearest_detection(detections, box):
    """The detection whose centre is nearest the expected face's centre (truth boxes are rough)."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return min(detections, key=lambda f: ((f.box[0] + f.box[2]) / 2 - cx) ** 2 + ((f.box[1] + f.box[3]) / 2 - cy) ** 2)


def test_demo_reference_photos_match_the_user_in_the_demo_posts(tmp_path):
    db = open_db(tmp_path / "a.db")
    assert list(faceid.store_references(db, SELFIES)) == []
    references = faceid.load_references(db)
    print(f"selfie1 vs selfie2: {_distance(*references):.3f}")
    expected = json.loads((EXAMPLES / "demo_expected.json").read_text(encoding="utf-8"))
    checked = 0
    for entry in expected["files"]:
        if entry["path"].startswith("me/") or not entry["faces"]:
            continue
        image = _open(EXAMPLES / "demo" / entry["path"])
        detections = facedetect.detect(image)
        for face in entry["faces"]:
            box = [value * side for value, side in zip(face["box"], image.size * 2)]
            who, distance = faceid.match(faceid.encode(image, _nearest_detection(detections, box).box), references)
            print(f"{entry['path']} {face['who']} ({face['face_px']} px): {who} at {distance:.3f}")
            assert who == ("you" if face["who"] == "user" else "someone else"), entry["path"]
            checked += 1
    assert checked >= 20


def test_centerface_boxes_give_the_encoding_of_dlibs_own_boxes():
    """The 5-point predictor was trained on dlib's square boxes; encode() reshapes CenterFace's taller ones."""
    import dlib

    _, predictor, encoder = faceid._models()
    dlib_detector = dlib.get_frontal_face_detector()
    for path in [FACES / "sk_astronaut.png", FACES / "pl_hopper.jpg", *SELFIES]:
        image = _open(path).convert("RGB")
        pixels = np.asarray(image)
        own = max(dlib_detector(pixels, 1), key=lambda rect: rect.area())
        native = list(encoder.compute_face_descriptor(pixels, predictor(pixels, own)))
        distance = _distance(_largest_encoding(image), native)
        print(f"{path.name}: CenterFace box vs dlib box {distance:.3f}")
        assert distance < 0.1


def test_match_boundaries():
    origin, other = [0.0] * 128, [0.0] * 127 + [0.6]
    assert faceid.match(origin, []) == ("not matched", None)
    assert faceid.match(origin, [other]) == ("you", pytest.approx(0.6))  # the threshold itself still matches
    assert faceid.match(origin, [[0.0] * 127 + [0.61]])[0] == "someone else"
    assert faceid.match(origin, [other], threshold=0.5)[0] == "someone else"
    assert faceid.match(origin, [[1.0] * 128, other]) == ("you", pytest.approx(0.6))  # the nearest reference counts


def test_store_references_is_idempotent_and_follows_the_config(tmp_path):
    db = open_db(tmp_path / "a.db")
    astronaut = tmp_path / "astronaut.png"
    shutil.copy(FACES / "sk_astronaut.png", astronaut)
    confirmed = {"id": "c1", "source": "cluster 1 confirmed", "encoder": faceid.ENCODER, "encoding": "[0]"}
    db["reference_faces"].insert(confirmed)
    assert list(faceid.store_references(db, [astronaut, SELFIES[0]])) == []
    first = list(db["reference_faces"].rows_where(order_by="id"))
    assert list(faceid.store_references(db, [astronaut, SELFIES[0]])) == []
    assert list(db["reference_faces"].rows_where(order_by="id")) == first
    assert {row["source"] for row in first} == {"astronaut.png", "selfie1.jpg", "cluster 1 confirmed"}
    assert all(len(json.loads(row["encoding"])) == 128 for row in first if row["id"] != "c1")
    # Taking a photo out of `me` takes its face out of the references; a confirmed cluster stays.
    assert list(faceid.store_references(db, [astronaut])) == []
    assert {row["source"] for row in db["reference_faces"].rows} == {"astronaut.png", "cluster 1 confirmed"}


def test_store_references_reports_photos_without_a_usable_face(tmp_path):
    db = open_db(tmp_path / "a.db")
    text = tmp_path / "notes.jpg"
    text.write_text("not a photo")
    gone = tmp_path / "gone.jpg"
    errors = list(faceid.store_references(db, [FACES / "sk_coffee.png", text, gone]))
    assert [error.source_item for error in errors] == [str(FACES / "sk_coffee.png"), str(text), str(gone)]
    assert "no face found" in errors[0].message
    assert "not an image" in errors[1].message
    assert "cannot read" in errors[2].message
    assert db["reference_faces"].count == 0


def _person(axis: int, jitter: float) -> list[float]:
    """A synthetic encoding: people sit 0.7 apart on their own axis, their photos within 0.1 of it."""
    encoding = [0.0] * 128
    encoding[axis] = 0.5
    encoding[100] = jitter
    return encoding


def _faces_db(tmp_path):
    db = open_db(tmp_path / "a.db")
    faces = [  # finding id, photo, encoding (None: a face too small to encode)
        ("f1", "p1", _person(0, 0.0)),
        ("f2", "p2", _person(1, 0.0)),  # B, alone
        ("f3", "p2", _person(0, 0.08)),
        ("f4", "p3", _person(0, -0.05)),
        ("f5", "p3", None),
        ("f0", "p4", _person(2, 0.0)),  # C, alone: ties with B, and comes first by finding id
    ]
    db["photos"].insert_all({"id": photo} for photo in ("p1", "p2", "p3", "p4"))
    for finding, photo, encoding in faces:
        evidence = {"box": [0, 0, 1, 1], **({"encoding": encoding} if encoding else {})}
        _finding(db, finding, photo, "faces", evidence)
    _finding(db, "g1", "p1", "exif", {"encoding": [0.0] * 128})  # another signal's finding is no face
    return db


def _finding(db, finding: str, photo: str, signal: str, evidence: dict) -> None:
    db["findings"].insert({"id": finding, "photo": photo, "signal": signal, "evidence": json.dumps(evidence)})


def test_cluster_faces_groups_look_alikes_largest_first(tmp_path):
    db = _faces_db(tmp_path)
    summary = faceid.cluster_faces(db)
    assert summary == [
        {"cluster": 1, "faces": 3, "photos": 3, "sample": ["p1", "p2", "p3"]},
        {"cluster": 2, "faces": 1, "photos": 1, "sample": ["p4"]},
        {"cluster": 3, "faces": 1, "photos": 1, "sample": ["p2"]},
    ]
    rows = [(row["finding"], row["cluster"]) for row in db["face_clusters"].rows_where(order_by="finding")]
    assert rows == [("f0", 2), ("f1", 1), ("f2", 3), ("f3", 1), ("f4", 1)]
    assert faceid.cluster_faces(db) == summary  # rewritten, not appended
    assert db["face_clusters"].count == 5
    assert len(faceid.cluster_faces(db, threshold=0.01)) == 5


def test_confirm_cluster_makes_its_faces_references(tmp_path):
    db = _faces_db(tmp_path)
    faceid.cluster_faces(db)
    assert faceid.confirm_cluster(db, 1) == 3
    assert faceid.confirm_cluster(db, 1) == 3
    assert {row["source"] for row in db["reference_faces"].rows} == {"cluster 1 confirmed"}
    assert sorted(faceid.load_references(db)) == sorted([_person(0, 0.0), _person(0, 0.08), _person(0, -0.05)])
    assert faceid.match(_person(0, 0.02), faceid.load_references(db))[0] == "you"
    assert list(faceid.store_references(db, [])) == []  # an empty `me` keeps the confirmed faces
    assert db["reference_faces"].count == 3
    with pytest.raises(ConfigError) as info:
        faceid.confirm_cluster(db, 9)
    assert info.value.exit_code == 2
    assert info.value.message == "there is no face group 9: choose a group from 1 to 3 (`photo-audit me` lists them)"


@pytest.fixture
def fresh_models():
    """available() caches the loaded models: start and end each of these tests without them."""
    faceid._models.cache_clear()
    yield
    faceid._models.cache_clear()


def test_available_without_dlib_gives_the_reason(monkeypatch, fresh_models):
    assert faceid.available() is None
    faceid._models.cache_clear()
    monkeypatch.setitem(sys.modules, "dlib", None)  # makes `import dlib` raise ImportError
    assert faceid.available() == "face recognition needs dlib: pip install dlib-bin face_recognition_models"
    with pytest.raises(faceid.RecognizerMissing, match="needs dlib"):
        faceid.encode(Image.new("RGB", (64, 64)), (10, 10, 50, 50))


def test_available_without_the_model_files_gives_the_reason(monkeypatch, fresh_models):
    monkeypatch.setattr(faceid, "MODELS", "no_such_models_package")
    assert faceid.available() == faceid.MISSING
