"""Text repair and sanitising: export mojibake, and hostile text on its way to a terminal."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# C0/C1 controls (escape sequences start with ESC) and the bidi overrides that can reorder a line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


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


def fix_mojibake_deep(value: Any) -> Any:
    """Apply fix_mojibake to every string (keys too) in parsed JSON."""
    if isinstance(value, str):
        return fix_mojibake(value)
    if isinstance(value, list):
        return [fix_mojibake_deep(v) for v in value]
    if isinstance(value, dict):
        return {fix_mojibake(k): fix_mojibake_deep(v) for k, v in value.items()}
    return value


def for_terminal(text: Any) -> str:
    """Strip control and bidi-override characters: metadata must not drive the terminal."""
    cleaned = _CONTROL.sub(" ", str(text))
    return unicodedata.normalize("NFC", cleaned)
