"""The report in Korean or English: gettext catalogs, and a Translator for the text that reaches the report from Python.

English is the source language. It is written in the templates ({% trans %} blocks and _() calls) and in
Python, marked with audit.words.N_ where it is defined; each other language has one catalog,
audit/locale/<lang>/LC_MESSAGES/messages.po, which `pybabel extract -F babel.cfg` keeps in step with both.
The report reads the .po itself (Babel compiles it in memory in milliseconds), so there is no compiled
.mo file to forget to rebuild, and the wheel carries the catalog inside the package.

This module knows no signal: what the report shows from Python is translated in one of two ways.
- Fixed English (a weight's fact, a signal's title, an action's name, a place's guess) is looked up in the
  catalog by its text: the `translate` filter.
- A finding carries its own words (audit/words.py: its template and values, stored with it): the `summary`
  filter renders them in the report's language. A finding stored before it had words keeps its English summary.
"""

from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigError
from ..words import render

if TYPE_CHECKING:
    import jinja2

LANGUAGES = ("en", "ko")
SOURCE_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"


def check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ConfigError(f"the report cannot be written in {lang!r}: choose one of {', '.join(LANGUAGES)}")


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


@functools.lru_cache(maxsize=None)
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog of `lang`, compiled from its .po; English, the source language, translates nothing."""
    check_language(lang)
    if lang == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with catalog_path(lang).open("rb") as po:
        catalog = read_po(po, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # leaves fuzzy entries out, as msgfmt does
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def install(env: "jinja2.Environment", lang: str) -> None:
    """Give the templates gettext (jinja2's i18n extension), `lang`, and the filters for Python-side text."""
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True  # a {% trans %} block is one line of text however it is wrapped
    env.install_gettext_translations(translations(lang), newstyle=True)
    say = Translator(lang)
    env.globals["lang"] = lang
    env.filters["translate"] = say.text
    env.filters["summary"] = say.summary
    env.filters["place_name"] = say.place_name


class Translator:
    """Python-side text in one language. Results are plain strings, which the templates autoescape.

    Never _() in a template for such text: newstyle gettext marks its result safe HTML, and this text
    holds captions and file names.
    """

    def __init__(self, lang: str):
        self.lang = lang
        self.gettext = translations(lang).gettext

    def text(self, english: str | None) -> str | None:
        """Fixed English (a weight's fact, a section title) in the report's language; unknown text stays."""
        return self.gettext(english) if english else english  # gettext("") is the catalog's header

    def summary(self, reason: dict) -> str:
        """A finding's summary (a reason of a photo card) in the report's language: its words (reason["text"]) rendered
        there, else (stored before findings had words, or words that cannot be rendered) its stored English."""
        stored = reason["summary"]
        said = reason.get("text")
        if self.lang == SOURCE_LANGUAGE or not said:
            return stored
        try:
            return render(said, self.gettext, self.lang)
        except Exception:  # noqa: BLE001 - words from an older version, or damaged: the English is still right
            return stored

    def place_name(self, place: dict) -> str | None:
        """A place you return to (signals.places.places), named in the report's language where a name exists."""
        return place.get(f"name_{self.lang}") or place.get("name")
