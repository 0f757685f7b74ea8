"""Drawn, flat-filled and rendered faces are not findings; photographed ones are, in low light and in profile too.

The pictures are small copies from benchmarks/faces_varied (tests/fixtures/images/faces_varied/PROVENANCE.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from audit.faces import detect as facedetect
from audit.faces import real
from audit.inventory.photo import PhotoView
from audit.signals.faces import FacesSignal, detect_faces, detect_side

FIXTURES = Path(__file__).parent / "fixtures" / "images" / "faces_varied"
DRAWN = ["avatar_grid.jpg", "cartoon.jpg", "flat_avatar.jpg"]
REAL = {"low_light.jpg": 1, "profile.jpg": 1, "two_people.jpg": 2}  # photographed faces in each picture


def reduced_faces(name: str) -> tuple[Image.Image, list[facedetect.DetectedFace]]:
    """The picture reduced as the signal reduces it, and every face the detector finds there, check or no check."""
    image = Image.open(FIXTURES / name).convert("RGB")
    side = detect_side(max(image.size))
    image.thumbnail((side, side), reducing_gap=1.0)
    return image, facedetect.detect(image)


@pytest.mark.parametrize("name", DRAWN)
def test_the_detector_finds_drawn_faces_and_the_check_rejects_every_one(name):
    image, faces = reduced_faces(name)
    assert faces, "the detector no longer fires on this picture: it no longer tests the check"
    assert [real.is_real(image, face) for face in faces] == [False] * len(faces)
    assert detect_faces(Image.open(FIXTURES / name).convert("RGB")) == []


@pytest.mark.parametrize("name", sorted(REAL))
def test_photographed_faces_are_kept_in_low_light_and_in_profile(name):
    image, faces = reduced_faces(name)
    assert len(faces) == REAL[name]
    assert all(real.drawn_score(image, face) < real.DRAWN_SCORE for face in faces)
    assert len(detect_faces(Image.open(FIXTURES / name).convert("RGB"))) == REAL[name]


def test_the_profile_face_is_graded_as_turned():
    ((_, grade),) = detect_faces(Image.open(FIXTURES / "profile.jpg").convert("RGB"))
    assert grade.pose in ("three-quarter", "profile")


def test_the_low_light_face_is_dark():
    grey = np.asarray(Image.open(FIXTURES / "low_light.jpg").convert("L"))
    assert grey.mean() < 40  # the mean level of a dim, underexposed photo: the case the shading share is there for


def test_the_faces_signal_gives_no_finding_on_an_avatar_grid():
    view = PhotoView({"id": "grid", "origin": json.dumps({"path": str(FIXTURES / "avatar_grid.jpg"), "member": None})}, [])
    assert list(FacesSignal().analyze(view)) == []


def test_grain_on_a_flat_face_makes_it_read_as_photographed():
    """The score follows what it claims to measure: the same drawn face, flat, then with sensor-like grain."""
    image, (face,) = reduced_faces("flat_avatar.jpg")
    assert real.drawn_score(image, face) >= real.DRAWN_SCORE
    pixels = np.asarray(image, dtype=np.float32)
    grain = np.random.default_rng(0).normal(0, 8, pixels.shape[:2])[..., None]  # about a phone sensor's in dim light
    grainy = Image.fromarray(np.clip(pixels + grain, 0, 255).astype(np.uint8))
    assert real.drawn_score(grainy, face) < real.DRAWN_SCORE


def test_a_face_too_small_to_measure_is_kept():
    tiny = facedetect.DetectedFace(box=(0, 0, 6, 6), score=0.9, landmarks=((1, 1), (4, 1), (2, 3), (1, 4), (4, 4)))
    assert real.drawn_score(Image.new("RGB", (8, 8), "white"), tiny) is None
    assert real.is_real(Image.new("RGB", (8, 8), "white"), tiny)


FRESH = Path(__file__).parent.parent / "benchmarks" / "faces_fresh"  # in the repository, not in the sdist (licences)
GLOSSARY = Path(__file__).parent.parent / "templates" / "parts" / "glossary.html.j2"


@pytest.mark.skipif(not FRESH.is_dir(), reason="benchmarks/faces_fresh is not in the source distribution")
def test_what_the_glossary_says_of_drawn_faces_holds_on_the_blind_set():
    """The glossary's figures and claims about drawn faces, recounted by the benchmark on its blind set."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("faces_varied", FRESH.parent / "faces_varied.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    entries = json.loads((FRESH / "truth.json").read_text(encoding="utf-8"))["files"]
    kept, _ = bench.run(FRESH, entries, check=True)
    unchecked, _ = bench.run(FRESH, entries, check=False)
    false = sum(max(0, n - entry["faces_40"]) for entry, n in zip(entries, kept))
    text = " ".join(GLOSSARY.read_text(encoding="utf-8").split())
    assert f"{false} of the {sum(kept)} faces it counted were drawn or rendered" in text

    def drawn_found(found: list[int], categories: set[str]) -> int:
        return sum(n for entry, n in zip(entries, found) if entry["category"] in categories)

    flat = {"flat_avatar", "cartoon"}  # "most are left out"
    assert drawn_found(kept, flat) < drawn_found(unchecked, flat) / 2
    rendered = {"cg_avatar", "painting"}  # "still counted"
    assert drawn_found(kept, rendered) > drawn_found(unchecked, rendered) / 2
