"""Faces in clean copies, on real faces: bystanders blurred past the project's own encoder at full size, the user's
face left as it was or covered when asked, nothing else touched. `pytest -s` prints the encoder's distances.

The demo's user is the astronaut (Eileen Collins) and her reference photos are examples/demo/me; the bystanders are
Grace Hopper and Fei-Fei Li (tests/fixtures/images/faces/PROVENANCE.md), never among the references.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from audit.clean.faces import CLEAR, NOT_MATCHED, blur_bystanders, cover_user, find_faces
from audit.faces import identity as faceid
from audit.faces.obscure import obscure, obscured_area
from audit.inventory.db import open_db
from audit.inventory.imaging import THUMB_SIDE
from audit.signals.faces import BYSTANDER, detect_faces

from .conftest import FIXTURES

FACES_DIR = FIXTURES / "images" / "faces"
DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo"
USER, BYSTANDERS = "sk_astronaut.png", ("pl_hopper.jpg", "bf_1face.png")


def side_by_side(size: tuple[int, int], names: tuple[str, ...]) -> Image.Image:
    """A group picture: real portraits in a row, each scaled to a square filling its share of the width."""
    width, height = size
    picture = Image.new("RGB", size, (120, 140, 160))
    side = min(width // len(names), height)
    for index, name in enumerate(names):
        portrait = Image.open(FACES_DIR / name).convert("RGB").resize((side, side), Image.Resampling.LANCZOS)
        picture.paste(portrait, (index * width // len(names), (height - side) // 2))
    return picture


PICTURES = {  # feed size, a 12 MP phone photo, and a demo post with her and a friend (make_demo.py pastes them too)
    "pasted-1080px": lambda: side_by_side((1080, 540), (USER, *BYSTANDERS)),
    "pasted-12MP": lambda: side_by_side((4032, 3024), (USER, *BYSTANDERS)),
    "demo-post": lambda: Image.open(DEMO / "instagram_export/media/posts/202302/59283291030344378.jpg").convert("RGB"),
}


@pytest.fixture(scope="module")
def references(tmp_path_factory) -> list[list[float]]:
    if faceid.available():
        pytest.skip(faceid.available())
    db = open_db(tmp_path_factory.mktemp("me") / "me.db")
    assert not list(faceid.store_references(db, sorted((DEMO / "me").glob("*.jpg"))))
    return faceid.load_references(db)


@pytest.fixture(scope="module", params=sorted(PICTURES))
def picture(request, references) -> tuple[str, Image.Image, list]:
    """(name, the picture, its faces told apart with her references); the faces the other tests rely on are there."""
    image = PICTURES[request.param]()
    faces = find_faces(image, references)
    assert [face.who for face in faces].count("you") == 1 and any(face.who == BYSTANDER for face in faces), faces
    assert all(face.grade in CLEAR for face in faces if face.who == "you")
    return request.param, image, faces


def _distance(a: list[float], b: list[float]) -> float:
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)))


def _overlap(a, b) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def test_every_bystander_is_blurred_past_the_encoder(picture):
    """At the box where the face was, and wherever the detector still finds a face over it, the blurred face's
    encoding is farther than the match threshold from the bystander's own unblurred encoding."""
    name, image, faces = picture
    blurred = image.copy()
    done = blur_bystanders(blurred, faces)
    assert done == [face for face in faces if face.who == BYSTANDER]
    found_after = [found.box for found, _ in detect_faces(blurred)]
    for face in done:
        original = faceid.encode(image, face.box)
        at_box = _distance(original, faceid.encode(blurred, face.box))
        found = [_distance(original, faceid.encode(blurred, box)) for box in found_after if _overlap(box, face.box)]
        print(f"\n{name}: bystander of {face.box[2] - face.box[0]:.0f} px ({face.grade}), {face.distance:.3f} from her "
              f"references; blurred, from its own encoding: {at_box:.3f} at its box, {found} at faces found there")
        assert at_box > faceid.MATCH_THRESHOLD and all(distance > faceid.MATCH_THRESHOLD for distance in found)


def test_bystanders_blurred_in_a_thumbnail_are_past_the_encoder_too(picture):
    """The same strength relative to the face holds at the redacted report's thumbnail size, for every bystander the
    encoder still recognises there (a face of a few pixels is recognised by nobody, blurred or not)."""
    name, image, faces = picture
    thumbnail = image.copy()
    thumbnail.thumbnail((THUMB_SIDE, THUMB_SIDE))
    scale = thumbnail.width / image.width
    recognised = 0
    for face in (face for face in faces if face.who == BYSTANDER):
        original, box = faceid.encode(image, face.box), tuple(value * scale for value in face.box)
        blurred = thumbnail.copy()
        obscure(blurred, box)
        before = _distance(original, faceid.encode(thumbnail, box))
        after = _distance(original, faceid.encode(blurred, box))
        print(f"\n{name} at {THUMB_SIDE} px: bystander of {box[2] - box[0]:.0f} px, from its full-size encoding: "
              f"{before:.3f} as it is, {after:.3f} blurred")
        if before <= faceid.MATCH_THRESHOLD:
            recognised += 1
            assert after > faceid.MATCH_THRESHOLD
    assert recognised  # the test can fail: in each picture a bystander is recognisable at thumbnail size


def test_her_face_is_left_as_it_was_and_still_hers(picture, references):
    name, image, faces = picture
    blurred = image.copy()
    blur_bystanders(blurred, faces)
    (her,) = [face for face in faces if face.who == "you"]
    box = tuple(round(value) for value in her.box)
    assert np.array_equal(np.asarray(image.crop(box)), np.asarray(blurred.crop(box)))
    assert [face.who for face in find_faces(blurred, references)].count("you") == 1


def test_cover_user_leaves_no_clear_face_of_hers(picture, references):
    name, image, faces = picture
    covered_image = image.copy()
    covered = cover_user(covered_image, faces)
    assert [face.who for face in covered] == ["you"]  # bystanders are blurred or kept, not covered
    after = find_faces(covered_image, references)
    at_box = faceid.match(faceid.encode(covered_image, covered[0].box), references)[1]
    print(f"\n{name}: her face, {covered[0].distance:.3f} from her references; covered: {at_box:.3f} at its box, "
          f"faces found after: {[(face.who, face.grade, face.distance) for face in after]}")
    assert at_box > faceid.MATCH_THRESHOLD
    assert not [face for face in after if face.who == "you" and face.grade in CLEAR]


def test_nothing_outside_the_obscured_areas_changes(picture):
    name, image, faces = picture
    edited = image.copy()
    done = blur_bystanders(edited, faces) + cover_user(edited, faces)
    touched = np.zeros((image.height, image.width), dtype=bool)
    for face in done:
        left, top, right, bottom = obscured_area(face.box, image.size)
        touched[top:bottom, left:right] = True
    before, after = np.asarray(image), np.asarray(edited)
    assert np.array_equal(before[~touched], after[~touched])
    assert not np.array_equal(before[touched], after[touched])


@pytest.mark.parametrize("name", sorted(PICTURES))
def test_without_references_no_face_is_blurred_as_a_bystander(name):
    """Nobody can be told apart: nothing is blurred as a bystander's; asked to cover hers, every clear face is."""
    image = PICTURES[name]()
    faces = find_faces(image, [])
    assert len(faces) >= 2 and all(face.who == NOT_MATCHED and face.distance is None for face in faces)
    edited = image.copy()
    assert blur_bystanders(edited, faces) == []
    assert edited.tobytes() == image.tobytes()
    assert cover_user(edited, faces) == [face for face in faces if face.grade in CLEAR] != []


def test_without_dlib_references_tell_nobody_apart(monkeypatch):
    monkeypatch.setattr(faceid, "available", lambda: "face recognition needs dlib")
    monkeypatch.setattr(faceid, "encode", lambda *args: pytest.fail("encoded without dlib"))
    faces = find_faces(PICTURES["pasted-1080px"](), [[0.0] * 128])
    assert len(faces) == 3 and {face.who for face in faces} == {NOT_MATCHED}
