"""The signal registry: one module per risk signal, each with a version."""

from __future__ import annotations

from .base import Signal
from .caption_text import CaptionTextSignal
from .exif import ExifSignal
from .export_metadata import ExportMetadataSignal
from .faces import FacesSignal
from .image_text import ImageTextSignal
from .places import PlacesSignal
from .platform_location import PlatformLocationSignal

SIGNALS: dict[str, type[Signal]] = {
    cls.name: cls
    for cls in (
        FacesSignal,
        ExifSignal,
        PlatformLocationSignal,
        CaptionTextSignal,
        ImageTextSignal,
        ExportMetadataSignal,
        PlacesSignal,
    )
}
