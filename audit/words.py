"""A finding's words: English templates marked for translation, and the values they are said with.

A signal writes its sentence once, as a gettext message (`N_`) with %(name)s placeholders, and keeps the values
beside it: `say(N_("Caption shows a phone number: \"%(quote)s\""), quote=...)`. That "said-value" is plain JSON,
so it is stored with the finding and read again by the report, which renders it in its own language. The
English sentence (CLI, CSV, JSON, stable ids) is the same value rendered with no catalog, so a change of wording
is one edit in the signal, and the catalog (audit/locale) is filled by `pybabel extract`, which finds `N_`.

This is the bottom layer: it imports nothing from `audit`, so any module can mark its text.

A parameter is a plain value (str, int, float: formatted by the template, "%(count)d"), or itself a said-value,
rendered first in the same language: a word ("a graduation"), `listed(...)` words, or `per_language(...)` text
that exists in several languages already (a place's name in English and Korean).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

Said = dict  # {"say": template, "with": {name: parameter}} | {"list": [said...]} | {"per_language": {lang: str}}
FAILURES = (KeyError, TypeError, ValueError, AttributeError, IndexError)


# A position's numbers, the same in every language (not a message: never translated). Said as one value, so that a
# redacted report can say it at the precision it keeps (report/redact) rather than five decimals of a rounded number.
POSITION = "%(lat).5f, %(lon).5f"


def position(lat: float, lon: float) -> Said:
    """A position in words: five decimals, about a metre."""
    return {"say": POSITION, "with": {"lat": lat, "lon": lon}}


def N_(message: str) -> str:
    """Marks English for extraction (babel's default keywords include N_); it is translated later, by its text."""
    return message


def say(template: str, **params: Any) -> Said:
    """`template` (N_-marked English) with these parameters, to be rendered in any language later."""
    return {"say": template, "with": params} if params else {"say": template}


def listed(items: Iterable[Said]) -> Said:
    """Said-values joined with ", " (a face's "214 px, frontal, sharp"), each in the report's language."""
    return {"list": list(items)}


def per_language(texts: dict[str, str]) -> Said:
    """Text the signal already has in each language ({"en": " (Mapo-gu, Seoul)", "ko": " (마포구, 서울)"}):
    the report's language picks its own, English where there is none."""
    return {"per_language": dict(texts)}


def render(said: Said, gettext: Callable[[str], str] = str, lang: str = "en") -> str:
    """The said-value in the language of `gettext` (`str`: English, the source language) and `lang`.

    A translation that names a parameter the value lacks, or a parameter of the wrong type for its format (a value
    stored by an older signal version), gives the English rendering instead: a report never fails on its words.
    The English rendering itself raises on such errors, so a signal's mistake shows where it is made.
    """
    if gettext is not str or lang != "en":
        try:
            return _render(said, gettext, lang)
        except FAILURES:
            pass
    return _render(said, str, "en")


def _render(value: Any, gettext: Callable[[str], str], lang: str) -> Any:
    if not isinstance(value, dict):
        return value  # a plain parameter keeps its type, for the template's own format (%(lat).5f)
    if "say" in value:
        template = value["say"]
        translated = gettext(template) if template else template  # gettext("") is the catalog's header
        params = value.get("with") or {}
        # Always formatted, as gettext's python-format messages are: a literal "%" is written "%%".
        return translated % {name: _render(param, gettext, lang) for name, param in params.items()}
    if "list" in value:
        return ", ".join(str(_render(item, gettext, lang)) for item in value["list"])
    if "per_language" in value:
        texts = value["per_language"]
        return texts.get(lang) or texts["en"]
    raise ValueError(f"not a said-value: {sorted(value)}")
