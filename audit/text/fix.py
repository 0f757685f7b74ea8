"""Text repair and sanitising: export mojibake and characters no database stores, and hostile text on its way to a
terminal or the report."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from markupsafe import Markup

# Bidi controls: embeddings and overrides (U+202A-U+202E), isolates (U+2066-U+2069) and the marks (LRM, RLM, ALM).
# They are invisible and reorder what follows them: "photo\u202egpj.exe" shows as "photoexe.jpg".
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
# C0/C1 controls (escape sequences start with ESC), zero-width characters and the bidi controls.
_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f\u200b-\u200d{BIDI_CONTROLS}]")
# Half of a UTF-16 pair on its own: JSON can escape one ("\\ud800"), but it is no character, and SQLite refuses it.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def fix_mojibake(text: str) -> str:
    """Undo Meta's export encoding: UTF-8 bytes written one byte per \\u00XX escape.

    A string that is not mojibake (plain ASCII, real Unicode, or Latin-1 text that does not
    decode as UTF-8) passes through unchanged.
    """
    if not text or text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def repaired(value: Any, mojibake: bool) -> Any:
    """Every string (keys too) of parsed JSON as text the inventory can store: each lone surrogate becomes U+FFFD;
    with `mojibake`, Meta's export encoding is undone first (fix_mojibake)."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", fix_mojibake(value) if mojibake else value)
    if isinstance(value, list):
        return [repaired(v, mojibake) for v in value]
    if isinstance(value, dict):
        return {repaired(k, mojibake): repaired(v, mojibake) for k, v in value.items()}
    return value


def for_terminal(text: Any) -> str:
    """Strip control and bidi characters: metadata must not drive the terminal nor reorder its line."""
    cleaned = _CONTROL.sub(" ", str(text))
    return unicodedata.normalize("NFC", cleaned)


def bidi_visible(text: Any) -> str:
    """Each bidi control shown as what it is, "⟨U+202E⟩": a disguised name reads as written."""
    return _BIDI.sub(lambda control: f"⟨U+{ord(control[0]):04X}⟩", str(text))


def isolated(text: Any) -> Markup:
    """Metadata for the report's HTML: escaped, bidi controls shown, inside a <bdi>, so that neither a control nor
    right-to-left letters in it can reorder the report's own words around it. None shows as nothing."""
    return Markup("<bdi>{}</bdi>").format(bidi_visible(text)) if text is not None else Markup()
