"""The signal registry: one module per risk signal, each with a version.

Nothing outside this package names a signal or its kinds: it asks for a role (base.ROLES) with `kinds()`,
or in SQL with `finding_in()`, and each signal declares which of its kinds play which role.
"""

from __future__ import annotations

from .base import ROLES, Signal
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


def kinds(*roles: str) -> frozenset[tuple[str, str]]:
    """Every (signal name, kind) that plays any of these roles (base.ROLES), over the registry."""
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        raise KeyError(f"no such role: {', '.join(unknown)}")
    return frozenset((cls.name, kind) for cls in SIGNALS.values() for role in roles for kind in cls.roles.get(role, ()))


def clue_names() -> dict[str, str]:
    """The name (a gettext message) of every identity clue kind, as the signals word them, in the order a list says
    them: for sentences and charts that list the kinds found ("phone number, school, ID card")."""
    names: dict[str, str] = {}
    for cls in SIGNALS.values():
        for kind, name in cls.kind_names.items():
            names.setdefault(kind, name)
    return names


def finding_in(*roles: str, table: str = "findings") -> tuple[str, list[str]]:
    """SQL that holds for a row of `table` (a findings table or alias) of these roles, and its bound parameters:
    `(table.signal, table.kind) in (values (?, ?), ...)`. `table` is the code's own alias, never user input."""
    pairs = sorted(kinds(*roles))
    if not pairs:
        return "0", []
    values = ", ".join("(?, ?)" for _ in pairs)
    return f"({table}.signal, {table}.kind) in (values {values})", [value for pair in pairs for value in pair]
