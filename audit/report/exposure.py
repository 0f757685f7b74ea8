"""What one audience can see, picture by picture: the facts that the report's headline and the removal plan count.

One definition for both, so that their numbers agree. A picture (a photo and its near-duplicates, the `pictures` view)
counts for an audience when one of its current posts is shown to that audience; a fact tied to one post (a
caption, a geotag) counts only when that post is. The audiences are models.STRANGERS (what anyone can see) and
models.OTHERS (what anyone but the user can see: strangers and followers).

- clear face: a face of the user graded usable as face-swap source (the `clear_face` role: full quality or
  usable but imperfect; thresholds in docs/scoring.md), or a face not matched to anyone (it may be hers);
- exact location: the file's GPS position or the post's geotag;
- located: an exact location or a named place (a check-in, a place name on the post);
- clue: an identity clue (school, workplace, phone, ID card...) in the caption or read in the picture;
- places: the places that repeat among the positions this audience can see (signals.places).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import sqlite_utils

from ..inventory.db import shown_to
from ..scoring import LOCATION_KINDS
from ..signals import kinds
from ..signals.faces import BYSTANDER
from ..signals.places import places as repeated_places

CLEAR_FACES = kinds("clear_face")
FACE_KINDS = kinds("face")
EXACT_KINDS = kinds("exact_location")
FILE_POSITIONS = kinds("file_position")  # the file itself carries its position: re-save it without metadata
NAMED_PLACES = kinds("named_place")
# Identity clues, written in the caption or read in the picture (an ID card, a written name).
CLUE_KINDS = kinds("identity_clue")
PERSON_TAGS = kinds("person_tag")
# What the plan says about a place (from the places signal's description of it).
PLACE_KEYS = ("place", "label", "guess", "name", "name_ko")


@dataclass
class Card:
    """One picture as an audience sees it."""

    id: str
    facets: set[str] = field(default_factory=set)  # face, location, clue: what counts against a target
    places: set[str] = field(default_factory=set)  # places it helps to repeat
    located: bool = False  # an exact location or a named place
    clue_kinds: set[str] = field(default_factory=set)
    points: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # per face, location, other
    handles: set[str] = field(default_factory=set)
    exif_gps: bool = False
    video: bool = False  # a face in it cannot be covered in a copy (clean copies are of photos): it is taken down


# Findings with only the evidence read here (faces' evidence carries long encodings), for the pictures the
# audience can see; `appearance` ties a fact to one post.
_FINDINGS = """
select pictures.picture, findings.signal, findings.kind,
       json_extract(findings.evidence, '$.who') as who, json_extract(findings.evidence, '$.handle') as handle,
       json_extract(findings.evidence, '$.appearance') as appearance
from findings join pictures on pictures.photo = findings.photo
where findings.photo in (select photo from {shown})
"""
_VIDEOS = "select pictures.picture from pictures join photos on photos.id = pictures.photo where photos.media_type = 'video'"
# Each picture's score points, reason by reason (every copy carries its picture's reasons: the first one's are read).
_POINTS = """
select pictures.picture, json_extract(reason.value, '$.signal') as signal,
       json_extract(reason.value, '$.kind') as kind, json_extract(reason.value, '$.points') as points
from scores join pictures on pictures.photo = scores.photo, json_each(scores.reasons) as reason
where pictures.picture = pictures.photo
"""


def exposure(db: sqlite_utils.Database, audiences: tuple[str, ...], found_places: list[dict] | None = None,
             points: dict[str, Counter] | None = None) -> tuple[dict[str, Card], dict[str, dict]]:
    """The pictures these audiences can see that show anything counted here, and the places that repeat.

    `found_places` (the places signal's, for these audiences) and `points` (picture_points) when the caller has them
    already: the report works each out once, not once per use."""
    shown = shown_to(audiences)
    posts = {row["id"] for row in db.query(f"select id from {shown}")}
    cards: dict[str, Card] = {}
    clear, clues = set(), set()
    for row in db.query(_FINDINGS.format(shown=shown)):
        if row["appearance"] and row["appearance"] not in posts:
            continue  # a fact of a post this audience cannot see (an archived copy's caption)
        key, picture = (row["signal"], row["kind"]), row["picture"]
        if key in CLEAR_FACES and row["who"] != BYSTANDER:
            clear.add(picture)
        elif key in EXACT_KINDS:
            found = cards.setdefault(picture, Card(picture))
            found.facets.add("location")
            found.located = True
            found.exif_gps = found.exif_gps or key in FILE_POSITIONS
        elif key in NAMED_PLACES:
            cards.setdefault(picture, Card(picture)).located = True
        elif key in CLUE_KINDS:
            clues.add(picture)
            cards.setdefault(picture, Card(picture)).clue_kinds.add(row["kind"])
        elif key in PERSON_TAGS:
            cards.setdefault(picture, Card(picture)).handles.add(row["handle"])
    for picture in clear:
        cards.setdefault(picture, Card(picture)).facets.add("face")
    for picture in clear & clues:
        cards[picture].facets.add("clue")
    for row in db.query(_VIDEOS):
        if row["picture"] in cards:
            cards[row["picture"]].video = True
    places = _places(db, repeated_places(db, audiences) if found_places is None else found_places, cards)
    for picture, families in (picture_points(db) if points is None else points).items():
        if picture in cards:
            cards[picture].points.update(families)  # the card's own copy: the plan takes points away
    return cards, places


def picture_points(db: sqlite_utils.Database) -> dict[str, Counter]:
    """Each picture's score points by family (face, location, other)."""
    points: dict[str, Counter] = defaultdict(Counter)
    for row in db.query(_POINTS):
        points[row["picture"]][_family((row["signal"], row["kind"]))] += row["points"] or 0
    return points


def _places(db: sqlite_utils.Database, repeating: list[dict], cards: dict[str, Card]) -> dict[str, dict]:
    """The places that repeat among what the audience can see, each filed on its pictures' cards."""
    picture_of = {row["photo"]: row["picture"] for row in db.query("select photo, picture from pictures")}
    found = {}
    for place in repeating:
        found[place["place"]] = {key: place[key] for key in PLACE_KEYS} | {"dates": place["dates"]}
        for photo in place["photo_ids"]:
            picture = picture_of.get(photo, photo)
            cards.setdefault(picture, Card(picture)).places.add(place["place"])
    return found


def _family(key: tuple[str, str]) -> str:
    """Which family of points a reason's are: what each action takes away (actions.Action.takes)."""
    if key in LOCATION_KINDS:
        return "location"
    return "face" if key in FACE_KINDS else "other"


def clue_kinds(cards: dict[str, Card]) -> set[str]:
    return {kind for card in cards.values() for kind in card.clue_kinds}
