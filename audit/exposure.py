"""What one audience can see, picture by picture: the facts that the report's headline and the removal plan count.

One definition for both, so that their numbers agree. A picture (a group of near-duplicates, `photos.group_id`)
counts for an audience when one of its current posts is shown to that audience; a fact tied to one post (a
caption, a geotag) counts only when that post is. The audiences are models.STRANGERS (what anyone can see) and
models.OTHERS (what anyone but the user can see: strangers and followers).

- clear face: a face of the user graded usable as face-swap source (supply.USABLE_KINDS: full quality or
  usable but imperfect; thresholds in docs/scoring.md), or a face not matched to anyone (it may be hers);
- exact location: the file's GPS position or the post's geotag;
- located: an exact location or a named place (a check-in, a place name on the post);
- clue: an identity clue (school, workplace, phone, ID card...) in the caption or read in the picture;
- places: the places that repeat among the positions this audience can see (signals.places).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlite_utils

from .db import shown_to
from .scoring import IDENTITY_KINDS, LOCATION_KINDS, WEIGHTS
from .signals.faces import BYSTANDER
from .signals.places import places as repeated_places
from .supply import USABLE_KINDS

# Identity clues, written in the caption (caption-text) or read in the picture (image-text).
CLUE_KINDS = IDENTITY_KINDS | {"id_card", "name_tag"}  # the picture can also show an ID card or a name tag
EXACT_KINDS = {("exif", "gps"), ("platform-location", "geotag")}
FACE_KINDS = {key for key, weight in WEIGHTS.items() if weight.group == "face"}
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


# Findings with only the evidence read here (faces' evidence carries long encodings), for the pictures the
# audience can see; `appearance` ties a fact to one post.
_FINDINGS = """
select coalesce(photos.group_id, photos.id) as card, findings.signal, findings.kind,
       json_extract(findings.evidence, '$.who') as who, json_extract(findings.evidence, '$.handle') as handle,
       json_extract(findings.evidence, '$.appearance') as appearance
from findings join photos on photos.id = findings.photo
where photos.id in (select photo from {shown})
"""
# Each card's score points, reason by reason (every copy carries its card's reasons: the first one's are read).
_POINTS = """
select photos.id as card, json_extract(reason.value, '$.signal') as signal,
       json_extract(reason.value, '$.kind') as kind, json_extract(reason.value, '$.points') as points
from scores join photos on photos.id = scores.photo, json_each(scores.reasons) as reason
where coalesce(photos.group_id, photos.id) = photos.id
"""


def exposure(db: sqlite_utils.Database, audiences: tuple[str, ...]) -> tuple[dict[str, Card], dict[str, dict]]:
    """The pictures these audiences can see that show anything counted here, and the places that repeat."""
    shown = shown_to(audiences)
    posts = {row["id"] for row in db.query(f"select id from {shown}")}
    cards: dict[str, Card] = {}
    clear, clues = set(), set()
    for row in db.query(_FINDINGS.format(shown=shown)):
        if row["appearance"] and row["appearance"] not in posts:
            continue  # a fact of a post this audience cannot see (an archived copy's caption)
        key, card = (row["signal"], row["kind"]), row["card"]
        if row["signal"] == "faces" and row["who"] != BYSTANDER and row["kind"] in USABLE_KINDS:
            clear.add(card)
        elif key in EXACT_KINDS:
            found = cards.setdefault(card, Card(card))
            found.facets.add("location")
            found.located = True
            found.exif_gps = found.exif_gps or key == ("exif", "gps")
        elif key in LOCATION_KINDS and row["signal"] != "places":
            cards.setdefault(card, Card(card)).located = True
        elif row["signal"] in ("caption-text", "image-text") and row["kind"] in CLUE_KINDS:
            clues.add(card)
            cards.setdefault(card, Card(card)).clue_kinds.add(row["kind"])
        elif row["signal"] == "caption-text" and row["kind"] in ("tagged_user", "mention"):
            cards.setdefault(card, Card(card)).handles.add(row["handle"])
    for card in clear:
        cards.setdefault(card, Card(card)).facets.add("face")
    for card in clear & clues:
        cards[card].facets.add("clue")
    places = _places(db, audiences, cards)
    for row in db.query(_POINTS):
        if row["card"] in cards:
            cards[row["card"]].points[_family((row["signal"], row["kind"]))] += row["points"] or 0
    return cards, places


def _places(db: sqlite_utils.Database, audiences: tuple[str, ...], cards: dict[str, Card]) -> dict[str, dict]:
    """The places that repeat among what the audience can see, each filed on its pictures' cards."""
    group_of = {row["id"]: row["grp"] for row in db.query("select id, coalesce(group_id, id) as grp from photos")}
    found = {}
    for place in repeated_places(db, audiences):
        found[place["place"]] = {key: place[key] for key in PLACE_KEYS} | {"dates": place["dates"]}
        for photo in place["photo_ids"]:
            card = group_of.get(photo, photo)
            cards.setdefault(card, Card(card)).places.add(place["place"])
    return found


def _family(key: tuple[str, str]) -> str:
    """Which action takes a reason's points away (plan.ACTIONS)."""
    if key in LOCATION_KINDS:
        return "location"
    return "face" if key in FACE_KINDS else "other"


def clue_kinds(cards: dict[str, Card]) -> set[str]:
    return {kind for card in cards.values() for kind in card.clue_kinds}
