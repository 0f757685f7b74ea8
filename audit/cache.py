"""Where live sources keep the media they download, so that a re-run reads them instead of fetching again."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

ENV = "PHOTO_AUDIT_CACHE"


def cache_dir(*parts: str) -> Path:
    """$PHOTO_AUDIT_CACHE/<parts> (default ~/.cache/photo-audit/<parts>), created on first use."""
    root = Path(os.environ.get(ENV) or Path.home() / ".cache" / "photo-audit")
    folder = root.joinpath(*(_safe(part) for part in parts))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def url_file_name(url: str, suffix: str = "") -> str:
    """A stable file name for a downloaded URL: its hash (URLs are hostile text, not file names)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:32] + suffix


def _safe(part: str) -> str:
    """A handle or host name as one harmless path component."""
    cleaned = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in part).strip(".")
    return cleaned or "_"
