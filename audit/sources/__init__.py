"""The source registry: one module per source. Adding a source = module + a line here + test + README row."""

from __future__ import annotations

from .base import Source
from .folder import FolderSource
from .instagram_export import InstagramExportSource

SOURCES: dict[str, type[Source]] = {
    cls.name: cls
    for cls in (
        FolderSource,
        InstagramExportSource,
    )
}
