"""A photo is decoded once (PhotoView.working) and every analysis reads a reduced copy of it; the full size is
decoded again only for a face too small in the working copy for its identity."""

from __future__ import annotations

import io
import json
from pathlib import Path

from PIL import Image

from audit.faces import identity as faceid
from audit.inventory import imaging
from audit.inventory.db import open_db
from audit.inventory.photo import WORKING_SIDE, PhotoView
from audit.signals.faces import MAX_DETECT_SIDE, FacesSignal
from audit.text.ocr import OCR_SIDE

ASTRONAUT = Path(__file__).parent / "fixtures" / "images" / "faces" / "sk_astronaut.png"


def camera_photo(tmp_path: Path, face_px: int, size=(4000, 3000)) -> PhotoView:
    """A 12 MP JPEG with the fixture's face pasted `face_px` wide (its head about twice that)."""
    canvas = Image.new("RGB", size, (120, 140, 110))
    head = Image.open(ASTRONAUT).convert("RGB").crop((150, 10, 330, 200)).resize((face_px * 2, face_px * 2))
    canvas.paste(head, (size[0] // 2 - face_px, size[1] // 3))
    out = io.BytesIO()
    canvas.save(out, "JPEG", quality=90)
    path = tmp_path / "camera.jpg"
    path.write_bytes(out.getvalue())
    return PhotoView({"id": "camera", "origin": json.dumps({"path": str(path), "member": None})}, [])


def prepared(tmp_path: Path) -> FacesSignal:
    signal = FacesSignal()
    signal.prepare(open_db(tmp_path / "inventory.db"))
    return signal


def test_the_working_copy_is_large_enough_for_every_analysis():
    assert WORKING_SIDE >= max(OCR_SIDE, MAX_DETECT_SIDE)


def test_a_4_3_jpeg_decodes_already_reduced(tmp_path):
    """The draft's box is the photo's shape: a square box left a 4000x3000 photo at full size for 1,600 px."""
    photo = camera_photo(tmp_path, 100)
    assert photo.working.size == (2000, 1500)
    assert imaging.decode(photo.data, max_side=1600).size == (1600, 1200)
    assert photo.reduced(448).size == (448, 336) and photo.reduced(5000) is photo.working


def test_a_face_that_fills_the_encoders_crop_in_the_working_copy_is_encoded_there(tmp_path):
    photo = camera_photo(tmp_path, 600)  # 300 px in the working copy: more than the encoder's 150
    [finding] = prepared(tmp_path).analyze(photo)
    assert finding.evidence["encoding"] and "image" not in photo.__dict__  # no full-size decode


def test_a_small_face_is_encoded_at_full_size(tmp_path, monkeypatch):
    photo = camera_photo(tmp_path, 220)  # 110 px in the working copy, 220 at full size
    sources = []
    real_encode = faceid.encode
    monkeypatch.setattr(faceid, "encode", lambda image, box: sources.append(image.size) or real_encode(image, box))
    [finding] = prepared(tmp_path).analyze(photo)
    assert sources == [(4000, 3000)] and finding.evidence["encoding"]
