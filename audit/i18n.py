"""The report in Korean or English: gettext catalogs, and the English that reaches the report from Python.

English is the source language. It is written in the templates ({% trans %} blocks and _() calls) and in
the Python tables; each other language has one catalog, audit/locale/<lang>/LC_MESSAGES/messages.po.
The report reads the .po itself (Babel compiles it in memory in milliseconds), so there is no compiled
.mo file to forget to rebuild, and the wheel carries the catalog inside the package.

Signals, scoring and the other modules stay plain English; their text is translated here:
- fixed English (a weight's fact, a signal's title, an action's name, a place's guess) is looked up in
  the catalog by its English text: the `translate` filter. table_messages() lists that text, so that
  extraction (babel.cfg) puts it in the catalog and a test can check that every piece is translated;
- a finding's summary is written again from its evidence with SUMMARIES, whose messages are catalog
  entries: the `summary` filter. A finding without a message there keeps its stored English summary.
"""

from __future__ import annotations

import functools
import gettext
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from .errors import ConfigError
from .scoring import WEIGHTS
from .signals import SIGNALS
from .signals.exif import SOURCE_WORDS
from .signals.faces import WHOSE
from .signals.places import LABELS
from .software_ids import RULES
from .supply import LEVELS

if TYPE_CHECKING:
    import jinja2

LANGUAGES = ("en", "ko")
SOURCE_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def N_(message: str) -> str:
    """Marks English for extraction that is translated later, by its text."""
    return message


# How a finding is said again in the report's language: (signal, kind, variant) -> a message whose
# %(name)s placeholders are filled from the finding's evidence and the fields of Translator._fields.
# The English repeats the signal's own wording; the variant (see _variant) picks among its wordings.
SUMMARIES: dict[tuple[str, str, str], str] = {
    ("caption-text", "phone", ""): N_('Caption shows a phone number: "%(quote)s"'),
    ("caption-text", "email", ""): N_('Caption shows an e-mail address: "%(quote)s"'),
    ("caption-text", "address", ""): N_('Caption shows an address: "%(quote)s"'),
    ("caption-text", "mention", ""): N_('Caption mentions an account: "%(quote)s"'),
    ("caption-text", "hashtag", ""): N_('Caption uses a hashtag: "%(quote)s"'),
    ("caption-text", "tagged_user", ""): N_('Post tags an account: "%(quote)s"'),
    ("caption-text", "school", ""): N_('Caption mentions a school: "%(quote)s"'),
    ("caption-text", "school", "named"): N_('Caption names a school: "%(quote)s"'),
    ("caption-text", "university", ""): N_('Caption mentions a university: "%(quote)s"'),
    ("caption-text", "university", "named"): N_('Caption names a university: "%(quote)s"'),
    ("caption-text", "student_number", ""): N_('Caption mentions a student number or ID: "%(quote)s"'),
    ("caption-text", "workplace", ""): N_('Caption mentions work: "%(quote)s"'),
    ("caption-text", "home", ""): N_('Caption mentions home: "%(quote)s"'),
    ("caption-text", "event", ""): N_('Caption mentions %(event)s: "%(quote)s"'),
    ("image-text", "id_card", ""): N_('Photo shows an ID card: "%(quote)s"'),
    ("image-text", "name_tag", ""): N_('Photo shows a written name: "%(quote)s"'),
    ("image-text", "licence_plate", ""): N_('Photo shows a licence plate: "%(quote)s"'),
    ("image-text", "phone", ""): N_('Photo shows a phone number: "%(quote)s"'),
    ("image-text", "email", ""): N_('Photo shows an e-mail address: "%(quote)s"'),
    ("image-text", "address", ""): N_('Photo shows an address: "%(quote)s"'),
    ("image-text", "student_number", ""): N_('Photo shows a student number or ID: "%(quote)s"'),
    ("image-text", "school", ""): N_('Photo shows text about a school: "%(quote)s"'),
    ("image-text", "school", "named"): N_('Photo names a school: "%(quote)s"'),
    ("image-text", "university", ""): N_('Photo shows text about a university: "%(quote)s"'),
    ("image-text", "university", "named"): N_('Photo names a university: "%(quote)s"'),
    ("image-text", "workplace", ""): N_('Photo shows text about work: "%(quote)s"'),
    ("image-text", "home", ""): N_('Photo shows text about home: "%(quote)s"'),
    ("image-text", "event", ""): N_('Photo shows text about %(event)s: "%(quote)s"'),
    ("exif", "gps", ""): N_("The file's %(source)s holds a GPS position: %(lat).5f, %(lon).5f%(where)s"),
    ("exif", "camera", ""): N_("The file's EXIF names the camera: %(shown)s"),
    ("exif", "capture_time", "taken"): N_("The file's EXIF says when it was taken: %(datetime)s (no time zone)"),
    ("exif", "capture_time", "saved"): N_("The file's EXIF says when it was last saved: %(datetime)s (no time zone)"),
    ("exif", "software", ""): N_("The file's EXIF names the software that wrote it: %(software)s"),
    ("exif", "software_id", ""): N_(
        "The file's EXIF names the software that wrote it, with an id (%(id)s): %(software)s. That is %(what)s."
    ),
    ("platform-location", "geotag", ""): N_("The post carries a position: %(lat).5f, %(lon).5f%(where)s"),
    ("platform-location", "geotag", "named"): N_(
        "The post carries a position: %(lat).5f, %(lon).5f, tagged %(name)s%(where)s"
    ),
    ("platform-location", "place_name", ""): N_("The post is tagged with a place: %(name)s"),
    ("export-metadata", "upload_ip", ""): N_("The export records the IP address this was uploaded from: %(ip)s"),
    ("export-metadata", "device_id", ""): N_(
        "The export records the ID of the phone that uploaded this: %(device_id)s. "
        "It links photos across accounts to one device."
    ),
    ("export-metadata", "software_id", ""): N_(
        "The export records the software this was made with, and it carries an id (%(id)s): %(software)s. "
        "That is %(what)s."
    ),
    ("places", "repeated_place", ""): N_(
        "One of %(photos)s photos taken at the same place on %(days)s different days, %(pattern)s: %(guess)s%(where)s"
    ),
}
# The events of caption-text and image-text findings, as their summaries name them.
EVENTS = {
    "graduation": N_("a graduation"),
    "wedding": N_("a wedding"),
    "family": N_("family"),
    "classroom": N_("a class or classroom"),
}
# The words audit/facegrade.py builds a face's sentence from ("214 px, frontal, sharp: full-quality swap
# source"); a number in them is the placeholder %(n)s. WHOSE, the start of the summary, is a table.
FACE_PHRASES = (
    N_("%(n)s px"),
    N_("frontal"),
    N_("three-quarter"),
    N_("profile"),
    N_("unknown"),
    N_("sharp"),
    N_("slightly soft"),
    N_("blurred"),
    N_("cut by the frame edge"),
    N_("too small"),
    N_("crop under %(n)s px"),
    N_("full-quality swap source"),
    N_("of little use as a swap source (%(limits)s)"),
    N_("usable swap source, below full quality (%(limits)s)"),
)


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
        """A finding's summary (a reason of a photo card) in the report's language."""
        stored = reason["summary"]
        if self.lang == SOURCE_LANGUAGE:
            return stored
        try:
            if reason["signal"] == "faces":
                return self._face(stored)
            evidence = reason["evidence"]
            message = SUMMARIES.get((reason["signal"], reason["kind"], _variant(reason["kind"], evidence)))
            return self.gettext(message) % self._fields(reason) if message else stored
        except (KeyError, TypeError, ValueError):  # evidence from an older signal version lacks a field
            return stored

    def place_name(self, place: dict) -> str | None:
        """A place you return to (signals.places.places), named in the report's language where a name exists."""
        return place.get(f"name_{self.lang}") or place.get("name")

    def _fields(self, reason: dict) -> dict:
        evidence = reason["evidence"]
        names = evidence.get("place")
        if not isinstance(names, dict):  # a place you return to carries its names itself; "place" is its id
            names = {"en": evidence.get("name"), "ko": evidence.get("name_ko")}
        name = names.get(self.lang) or names.get("en")
        label = LABELS.get(evidence.get("label"))
        derived = {
            "where": f" ({name})" if name else "",
            "event": self.text(EVENTS.get(evidence.get("event"))),
            "source": self.text(SOURCE_WORDS.get(evidence.get("source"))),
            "what": self.text(evidence.get("what")),
            "guess": self.text(evidence.get("guess")),
            "pattern": self.text(label[0]) if label else None,
            # The camera as the exif signal named it (make and model, without repeating the make).
            "shown": reason["summary"].partition(": ")[2] or None,
        }
        # A missing field stays missing: its message then raises KeyError and the English is kept.
        return {**evidence, **{key: value for key, value in derived.items() if value is not None}}

    def _face(self, summary: str) -> str:
        """'Your face: 321 px, frontal, sharp: full-quality swap source', phrase by phrase (FACE_PHRASES)."""
        whose, words, verdict = summary.split(": ", 2)
        head, _, limits = verdict.partition(" (")
        if limits:
            limited = ", ".join(self._phrase(limit) for limit in limits.removesuffix(")").split(", "))
            verdict = self.gettext(f"{head} (%(limits)s)") % {"limits": limited}
        else:
            verdict = self.gettext(head)
        words = ", ".join(self._phrase(word) for word in words.split(", "))
        # TRANSLATORS: a face's summary: whose face, its size, pose and sharpness, then what it is worth to swap tools.
        return self.gettext("%(whose)s: %(words)s: %(verdict)s") % {
            "whose": self.gettext(whose), "words": words, "verdict": verdict,
        }

    def _phrase(self, english: str) -> str:
        number = re.search(r"\d+", english)
        if number is None:
            return self.gettext(english)
        return self.gettext(english.replace(number[0], "%(n)s", 1)) % {"n": number[0]}


def _variant(kind: str, evidence: dict) -> str:
    """Which of a kind's wordings (SUMMARIES) a finding takes, from its evidence."""
    if kind == "capture_time":
        return "taken" if evidence.get("tag") == "DateTimeOriginal" else "saved"
    if kind in ("school", "university", "geotag") and evidence.get("name"):
        return "named"
    return ""


def table_messages() -> Iterator[tuple[str, str]]:
    """(where, English) for the fixed text of Python tables that the report shows through `translate`."""
    from .actions import LABELS as ACTIONS

    for (signal, kind), weight in WEIGHTS.items():
        yield f"scoring.WEIGHTS {signal} {kind}", weight.fact
    for name, signal_class in SIGNALS.items():
        yield f"signal {name}: title", signal_class.title
    for action, label in ACTIONS.items():
        yield f"actions.LABELS {action}", label
    for minimum, meaning in LEVELS:
        yield f"supply.LEVELS {minimum}", meaning
    for label, texts in LABELS.items():
        for text in texts:
            yield f"places.LABELS {label}", text
    for who, text in WHOSE.items():
        yield f"faces.WHOSE {who}", text
    for source, text in SOURCE_WORDS.items():
        yield f"exif.SOURCE_WORDS {source}", text
    for rule in RULES:
        yield "software_ids.RULES", rule.what


def extract(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel extraction method for this module (babel.cfg): its own N_() and gettext calls, then table_messages()."""
    from babel.messages.extract import extract_python

    yield from extract_python(fileobj, keywords, comment_tags, options)
    for where, text in table_messages():
        yield 0, None, text, [where]
