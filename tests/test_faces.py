"""The faces signal on real photos: counts and negatives from truth.json, grading, identity, decoding."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageFilter

from audit.errors import InputError
from audit.faces import detect as facedetect
from audit.faces import identity as faceid
from audit.faces.grade import THRESHOLDS
from audit.inventory.db import open_db
from audit.inventory.photo import PhotoView
from audit.signals.faces import MAX_DETECT_SIDE, FacesSignal, detect_side

FACES_DIR = Path(__file__).parent / "fixtures" / "images" / "faces"
TRUTH = {row["file"]: row for row in json.loads((FACES_DIR / "truth.json").read_text())["files"]}
COUNTED = sorted(name for name, row in TRUTH.items() if isinstance(row["faces_clear"], int) and row["faces_clear"] <= 4)
NEGATIVES = {  # the list: cat, coffee, rocket, text, page, the horse drawing, the Hubble field
    "sk_chelsea.png", "sk_coffee.png", "sk_rocket.jpg", "sk_bw_text.png", "sk_page.png", "sk_horse.png",
    "sk_hubble_deep_field.jpg",
}
WITH_FACE = sorted(name for name, row in TRUTH.items() if row["main_face"])
ASTRONAUT = FACES_DIR / "sk_astronaut.png"


def findings_in(data: bytes, tmp_path: Path, signal: FacesSignal | None = None, name: str = "photo.jpg") -> list:
    path = tmp_path / name
    path.write_bytes(data)
    view = PhotoView({"id": name, "origin": json.dumps({"path": str(path), "member": None})}, [])
    return list((signal or FacesSignal()).analyze(view))


def fixture_findings(name: str, tmp_path: Path) -> list:
    return findings_in((FACES_DIR / name).read_bytes(), tmp_path, name=name)


def encoded(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


@pytest.mark.parametrize("name", COUNTED)
def test_every_photo_with_few_clear_faces_gets_exactly_that_count(name, tmp_path):
    assert len(fixture_findings(name, tmp_path)) == TRUTH[name]["faces_clear"]


@pytest.mark.parametrize("name", sorted(NEGATIVES))
def test_no_face_on_the_negatives(name, tmp_path):
    assert TRUTH[name]["is_negative"] and TRUTH[name]["faces_clear"] == 0
    assert fixture_findings(name, tmp_path) == []


@pytest.mark.parametrize("name", WITH_FACE)
def test_the_main_face_is_where_truth_puts_it(name, tmp_path):
    """Truth's boxes are by-eye estimates on a 10x10 grid (sk_camera's sits on the man's hair, Hopper's
    below her cap), so: the centre within truth's box give or take 0.05, the box within it give or take 0.1."""
    (finding,) = fixture_findings(name, tmp_path)
    x0, y0, x1, y1 = finding.evidence["box"]
    tx0, ty0, tx1, ty1 = TRUTH[name]["main_face"]["box_norm"]
    assert tx0 - 0.05 <= (x0 + x1) / 2 <= tx1 + 0.05 and ty0 - 0.05 <= (y0 + y1) / 2 <= ty1 + 0.05
    assert tx0 - 0.1 <= x0 < x1 <= tx1 + 0.1 and ty0 - 0.1 <= y0 < y1 <= ty1 + 0.1


@pytest.mark.parametrize("name", [name for name in WITH_FACE if TRUTH[name]["main_face"]["pose"] == "frontal"])
def test_frontal_faces_read_as_frontal(name, tmp_path):
    (finding,) = fixture_findings(name, tmp_path)
    assert finding.evidence["pose"] == "frontal"
    assert abs(finding.evidence["yaw"]) < THRESHOLDS["three_quarter_yaw"].value


def test_the_astronaut_portrait_is_a_full_quality_swap_source(tmp_path):
    (finding,) = fixture_findings("sk_astronaut.png", tmp_path)
    assert finding.kind == "face_high" and finding.severity == "high"
    assert finding.summary.startswith("A face not matched to you (it may be yours): 9")
    assert finding.summary.endswith(" px, frontal, sharp: full-quality swap source")
    evidence = finding.evidence
    assert evidence["grade"] == "high" and 85 <= evidence["size_px"] <= 100
    assert evidence["who"] == "not matched" and evidence["distance"] is None and "encoding" not in evidence
    assert 0.03 < evidence["share"] < 0.06
    assert len(evidence["reasons"]) == 3


def test_the_same_face_reduced_to_about_30_px_is_of_little_use(tmp_path):
    image = Image.open(ASTRONAUT).convert("RGB")
    small = image.resize((165, 165), Image.LANCZOS)  # the 93 px face becomes about 30 px
    (finding,) = findings_in(encoded(small), tmp_path)
    assert 25 <= finding.evidence["size_px"] <= 35
    assert finding.kind == "face_low"
    assert "too small" in finding.summary


def test_a_heavily_blurred_face_is_of_little_use(tmp_path):
    blurred = Image.open(ASTRONAUT).convert("RGB").filter(ImageFilter.GaussianBlur(8))
    (finding,) = findings_in(encoded(blurred), tmp_path)
    assert finding.evidence["sharpness"] < THRESHOLDS["blurred"].value
    assert finding.kind == "face_low" and "blurred" in finding.summary


def test_sizes_are_in_the_posted_photo_even_when_exif_turns_it(tmp_path):
    """Orientation 6: pixels stored sideways; the posted (upright) photo is 600x800, not 800x600."""
    upright = Image.open(ASTRONAUT).convert("RGB").crop((0, 0, 512, 384)).resize((800, 600))
    exif = Image.Exif()
    exif[0x0112] = 6  # the viewer turns the stored pixels 90 degrees clockwise
    sideways = upright.transpose(Image.Transpose.ROTATE_90)
    (plain,) = findings_in(encoded(upright, "JPEG", quality=95), tmp_path, name="upright.jpg")
    (turned,) = findings_in(encoded(sideways, "JPEG", quality=95, exif=exif.tobytes()), tmp_path, name="turned.jpg")
    assert abs(turned.evidence["size_px"] - plain.evidence["size_px"]) <= 3
    assert turned.evidence["box"] == pytest.approx(plain.evidence["box"], abs=0.01)
    assert turned.evidence["pose"] == "frontal"


def test_a_face_cut_by_the_frame_edge_is_at_most_medium(tmp_path):
    image = Image.open(ASTRONAUT).convert("RGB")
    cut = image.crop((0, 0, 235, 512))  # through the middle of the face: one eye left in the picture
    findings = findings_in(encoded(cut), tmp_path)
    assert findings, "half a face is still a face"
    assert findings[0].evidence["cut_by_edge"] is True
    assert findings[0].kind != "face_high" and "cut by the frame edge" in findings[0].summary


def test_faces_are_found_on_large_photos_at_a_reduced_size():
    assert detect_side(1080) == detect_side(1350) == detect_side(640)  # feed images: one fast size
    # a 12 MP phone photo is reduced less, so that its full-quality faces stay findable
    assert detect_side(4032) > detect_side(1080)
    assert detect_side(12000) == MAX_DETECT_SIDE


def test_videos_and_unreadable_files(tmp_path):
    signal = FacesSignal()
    assert list(signal.analyze(PhotoView({"id": "v", "origin": None, "media_type": "video"}, []))) == []
    assert list(signal.analyze(PhotoView({"id": "m", "origin": None, "status": "missing"}, []))) == []
    with pytest.raises(InputError):  # recorded per photo by the pipeline
        findings_in(b"<html>not a photo</html>", tmp_path)


def test_a_missing_onnxruntime_is_a_plain_error(monkeypatch):
    facedetect._session.cache_clear()
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # makes `import onnxruntime` fail
    try:
        with pytest.raises(facedetect.DetectorMissing, match="face detection needs onnxruntime: pip install onnxruntime"):
            facedetect.detect(Image.new("RGB", (64, 64)))
    finally:
        facedetect._session.cache_clear()


needs_dlib = pytest.mark.skipif(faceid.available() is not None, reason=faceid.available() or "")


@needs_dlib
def test_the_user_is_recognised_and_someone_else_is_a_bystander(tmp_path):
    db = open_db(tmp_path / "faces.db")
    list(faceid.store_references(db, [ASTRONAUT]))
    signal = FacesSignal()
    signal.prepare(db)
    darker = Image.open(ASTRONAUT).convert("RGB").point(lambda v: v * 0.8).resize((400, 400))
    (me,) = findings_in(encoded(darker, "JPEG"), tmp_path, signal, name="me.jpg")
    assert me.evidence["who"] == "you" and me.evidence["distance"] < faceid.MATCH_THRESHOLD
    assert me.kind.startswith("face_") and len(me.evidence["encoding"]) == 128
    (other,) = findings_in((FACES_DIR / "pl_hopper.jpg").read_bytes(), tmp_path, signal, name="other.jpg")
    assert other.evidence["who"] == "someone else" and other.evidence["distance"] > faceid.MATCH_THRESHOLD
    assert other.kind == "bystander_face" and other.severity == "low"
    assert other.summary.startswith("Someone else's face (this photo exposes them too): ")


@needs_dlib
def test_new_reference_photos_change_the_fingerprint(tmp_path, monkeypatch):
    db = open_db(tmp_path / "faces.db")
    signal = FacesSignal()
    empty = signal.prepare(db)
    assert signal.prepare(db) == empty
    list(faceid.store_references(db, [ASTRONAUT]))
    with_reference = signal.prepare(db)
    assert with_reference != empty
    monkeypatch.setattr(faceid, "available", lambda: "face recognition needs dlib")
    assert signal.prepare(db) not in (empty, with_reference)


def test_without_identity_faces_are_graded_and_not_matched(tmp_path, monkeypatch):
    monkeypatch.setattr(faceid, "available", lambda: "face recognition needs dlib")
    monkeypatch.setattr(faceid, "encode", lambda *args: pytest.fail("encoded without dlib"))
    signal = FacesSignal()
    signal.prepare(open_db(tmp_path / "faces.db"))
    (finding,) = findings_in(ASTRONAUT.read_bytes(), tmp_path, signal)
    assert finding.kind == "face_high"
    assert finding.evidence["who"] == "not matched" and "encoding" not in finding.evidence
