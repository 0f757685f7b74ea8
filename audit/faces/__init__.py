"""Faces: finding them, grading them as face-swap source, and telling whose they are."""
