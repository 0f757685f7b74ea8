"""Faces in a clean copy: found in the full-size picture, told apart, bystanders blurred, the user's covered.

Faces are found and graded exactly as the faces signal finds them (signals.faces.detect_faces), and told apart by
the same encoder and threshold, so that the copy's re-check by the signals agrees with what was done here. Both
blurring and covering use faces.obscure, measured to defeat that encoder at full size (tests/test_clean_faces.py).

Without reference photos of the user (or without dlib) every face is "not matched": nobody can be told apart, so
no face is blurred as a bystander's, and the caller must say so rather than claim bystanders were blurred. Blurring
them all would silently blur what may be the user's own face, which she chose to post. Covering is done only when
she asks for it (--cover-me, or a step that covers her face), so there it errs the other way: every clear face
that is not known to be someone else's is covered, her own or not matched.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from ..faces import identity as faceid
from ..faces.obscure import obscure
from ..signals.faces import BYSTANDER, detect_faces

NOT_MATCHED = "not matched"  # faceid.match's word when there is nothing to match against
CLEAR = frozenset({"high", "medium"})  # grades usable as face-swap source (the signal's clear_face role)


@dataclass
class Face:
    box: tuple[float, float, float, float]  # pixels of the full-size image
    who: str  # "you", "someone else", "not matched" (faceid.match's words)
    grade: str  # "high", "medium", "low" (grade_face)
    distance: float | None  # to the nearest reference face; None when not matched


def find_faces(image: Image.Image, references: list[list[float]]) -> list[Face]:
    """Every face in `image` (full size, upright), graded, and whose it is when `references` can tell."""
    can_tell = bool(references) and faceid.available() is None
    faces = []
    for found, grade in detect_faces(image):
        who, distance = faceid.match(faceid.encode(image, found.box), references) if can_tell else (NOT_MATCHED, None)
        faces.append(Face(box=found.box, who=who, grade=grade.grade, distance=distance))
    return faces


def blur_bystanders(image: Image.Image, faces: list[Face]) -> list[Face]:
    """Obscure, in place, every face known to be someone else's, whatever its grade; returns those faces."""
    return _obscure_all(image, [face for face in faces if face.who == BYSTANDER])


def cover_user(image: Image.Image, faces: list[Face]) -> list[Face]:
    """Obscure, in place, every clear face that is not known to be someone else's; returns those faces.

    Low-grade faces are left: they are of little use to swap tools, and covering is about swap material.
    """
    return _obscure_all(image, [face for face in faces if face.who != BYSTANDER and face.grade in CLEAR])


def _obscure_all(image: Image.Image, faces: list[Face]) -> list[Face]:
    for face in faces:
        obscure(image, face.box)
    return faces
