"""Where live sources keep the media they download, so that a re-run reads them instead of fetching again."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

ENV = "PHOTO_AUDIT_CACHE"
PRIVATE = 0o700  # it holds photos of private accounts and instaloader's resume files: the user's alone


def cache_dir(*parts: str) -> Path:
    """$PHOTO_AUDIT_CACHE/<parts> (default ~/.cache/photo-audit/<parts>), created on first use, and each of its
    folders readable by the user alone."""
    root = Path(os.environ.get(ENV) or Path.home() / ".cache" / "photo-audit")
    root.parent.mkdir(parents=True, exist_ok=True)  # ~/.cache is other programs' too: its mode is theirs
    folders = [root]
    for part in parts:
        folders.append(folders[-1] / _safe(part))
    for folder in folders:
        folder.mkdir(mode=PRIVATE, exist_ok=True)
        folder.chmod(PRIVATE)  # also the folders that 0.1.0 made readable by everyone
    return folders[-1]


def url_file_name(url: str, suffix: str = "") -> str:
    """A stable file name for a downloaded URL: its hash (URLs are hostile text, not file names)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:32] + suffix


def _safe(part: str) -> str:
    """A handle or host name as one harmless path component."""
    cleaned = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in part).strip(".")
    return cleaned or "_"
