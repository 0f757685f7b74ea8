"""What kind of picture a file is, by its name: the photo and video formats this tool reads from a folder."""

from __future__ import annotations

from pathlib import PurePosixPath

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".jpe", ".png", ".webp", ".heic", ".heif", ".avif"}
VIDEO_SUFFIXES = {".mp4", ".mov", ".m4v", ".3gp", ".avi", ".mkv", ".mts", ".webm"}  # what phones and cameras record


def media_type(name: str) -> str | None:
    """"image" or "video" by the file's suffix; None for a file of any other kind."""
    suffix = PurePosixPath(name).suffix.lower()
    return "image" if suffix in PHOTO_SUFFIXES else "video" if suffix in VIDEO_SUFFIXES else None
