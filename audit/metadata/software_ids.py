"""Ids inside a `Software` value: some apps write the id of a design, account or install next to their name.

Such an id ties the photo to that design or account, and to every other file that carries it. Used by the
exif signal (the file's own EXIF Software) and the export-metadata signal (the software an export recorded).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..words import N_


class SoftwareId(NamedTuple):
    id: str
    what: str  # what the id points to, in plain words (N_-marked: the report says it in its language)


class Rule(NamedTuple):
    app: re.Pattern[str]  # the app's name must be in the value too
    id: re.Pattern[str]  # group 1 is the id
    what: str


# Canva design ids (canva.com/design/DAF.../) and brand (team) ids are 11 characters, DA... and BA....
# A UUID is an identifier whatever app wrote it.
RULES = (
    Rule(
        re.compile(r"\bcanva\b", re.IGNORECASE),
        re.compile(r"(?<![\w-])((?:DA|BA)[A-Za-z0-9_-]{9})(?![\w-])"),
        N_(
            "a Canva design or brand id: it links the images made from one design (or by one team), and leads to "
            "the design itself wherever it is shared by link"
        ),
    ),
    Rule(
        re.compile(r""),
        re.compile(r"(?<![0-9A-Fa-f])([0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12})(?![0-9A-Fa-f])"),
        N_("a unique id (UUID) of an install, account or document: it links every file that carries it"),
    ),
)


def software_id(software: str) -> SoftwareId | None:
    """The first id the rules find in a Software value, or None."""
    for rule in RULES:
        found = rule.id.search(software) if rule.app.search(software) else None
        if found:
            return SoftwareId(found[1], rule.what)
    return None
