"""The removal plan: the fewest actions that bring the exposure under the targets, in the order to take them.

The targets ([targets] in accounts.toml, kept in the `settings` table; 0 means none may stay public):
- high_faces: pictures with a full-quality face of the user (faces `face_high`, not someone else's);
- exact_locations: pictures whose file or post gives their position (exif `gps`, platform-location `geotag`);
- repeated_places: places you return to (the places signal);
- clues_with_face: pictures with an identity clue (school, workplace, phone...) in the caption or the picture,
  next to a clear face of the user.

A picture counts once however many copies and posts show it, and is only gone when it is gone from all of
them, so every action applies to a whole card of the report. Actions, least drastic first, and what they take
away: strip the location (the position, and the picture's part in the places that repeat), cover or crop the
face (the face, and with it the clue next to it), remove (everything; archiving and close friends only hide it
from the public just as well). A place stops repeating when fewer of its pictures still give a position than
the places signal needs to find a place (THRESHOLDS["min_photos"]); the plan does not count on its days.

Greedy, by what an action takes away: the violations of targets not yet met, then progress towards places
that stop repeating (a third of the way when three more pictures must go), then score points, then card id.
For each card, the least drastic action that takes away as much is the one chosen.
"""

from __future__ import annotations

import heapq
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import sqlite_utils

from .config import DEFAULT_TARGETS
from .scoring import IDENTITY_KINDS, LOCATION_KINDS, WEIGHTS
from .signals.faces import BYSTANDER
from .signals.places import THRESHOLDS
from .signals.platform_location import has_position
from .supply import USABLE_KINDS

# Identity clues, written in the caption (caption-text) or read in the picture (image-text).
CLUE_KINDS = IDENTITY_KINDS | {"id_card", "name_tag"}  # the picture can also show an ID card or a name tag
EXACT_KINDS = {("exif", "gps"), ("platform-location", "geotag")}
FACE_KINDS = {key for key, weight in WEIGHTS.items() if weight.group == "face"}
# What each action takes away from a card, least drastic first. "place": its part in the places that repeat;
# "other": the rest of its score (tags, events...), which only removing takes away.
ACTIONS = {
    "strip-location": {"location", "place"},
    "cover-face": {"face", "clue"},
    "remove": {"face", "location", "place", "clue", "other"},
}
# Ways to the same end, worded by the template.
ALTERNATIVES = {
    "strip-location": ("archive", "close-friends", "remove"),
    "cover-face": ("archive", "close-friends", "remove"),
    "remove": ("archive", "close-friends", "cover-and-strip"),
}
HIDING = {"archive", "close-friends"}  # not for a profile picture: it is public even on a private account
# What the plan says about a place (from the places signal's evidence).
PLACE_KEYS = ("place", "label", "guess", "name", "name_ko")
# The facet of a card that each target counts (repeated_places counts places, not cards).
FACET_OF = {"high_faces": "face", "exact_locations": "location", "clues_with_face": "clue"}


@dataclass(frozen=True)
class Totals:
    """How many of each stay public; the field names are the [targets] keys."""

    high_faces: int = 0
    exact_locations: int = 0
    repeated_places: int = 0
    clues_with_face: int = 0

    def counts(self) -> dict[str, int]:
        return {key: getattr(self, key) for key in DEFAULT_TARGETS}  # the same names, in the same order

    def minus(self, other: "Totals") -> "Totals":
        return Totals(*(a - b for a, b in zip(self.counts().values(), other.counts().values())))

    def within(self, targets: "Totals") -> bool:
        return all(a <= b for a, b in zip(self.counts().values(), targets.counts().values()))

    def nonzero(self) -> list[str]:
        return [key for key, count in self.counts().items() if count]


@dataclass(frozen=True)
class Step:
    number: int
    card: str  # the report card's id (its first photo)
    label: str
    action: str  # a key of ACTIONS
    alternatives: tuple[str, ...]  # keys of ALTERNATIVES' values; the template words them
    before: Totals
    removes: Totals  # before minus after
    after: Totals
    places_gone: tuple[dict, ...]  # places that stop repeating: PLACE_KEYS
    places_closer: tuple[dict, ...]  # the same, plus "still": how many more of its pictures must go
    where: tuple[dict, ...]  # every post and file of the picture: it is only gone when gone from all
    exif_gps: bool  # the file itself carries its position: re-save it without metadata
    profile_photo: bool
    untag: tuple[str, ...]  # accounts tagged or mentioned, when the picture stays up
    points: int  # score points the action takes away


@dataclass(frozen=True)
class Plan:
    targets: Totals
    start: Totals
    end: Totals
    steps: tuple[Step, ...]

    @property
    def met(self) -> bool:
        return self.end.within(self.targets)


@dataclass
class _Card:
    id: str
    facets: set[str] = field(default_factory=set)  # face, location, clue: what counts against a target
    places: set[str] = field(default_factory=set)  # places it still helps to repeat
    points: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # per face, location, other
    handles: set[str] = field(default_factory=set)
    exif_gps: bool = False

    def points_for(self, action: str) -> int:
        return sum(self.points.get(family, 0) for family in ACTIONS[action])


def removal_plan(db: sqlite_utils.Database) -> Plan:
    targets = stored_targets(db)
    cards, places = _cards(db)
    state = _State(cards, places, targets)
    start, taken = state.totals(), []
    while (choice := state.best()) is not None:
        card, action = choice
        before, points = state.totals(), card.points_for(action)
        gone, closer = state.apply(card, action)
        taken.append((card, action, before, state.totals(), gone, closer, points))
    where = _appearances(db, {card.id for card, *_ in taken})
    steps = tuple(_step(number, where[row[0].id], *row) for number, row in enumerate(taken, 1))
    return Plan(targets, start, state.totals(), steps)


def stored_targets(db: sqlite_utils.Database) -> Totals:
    """The config's [targets] as the last collect stored them; the defaults when there are none."""
    row = next(db.query("select value from settings where key = 'targets'"), None)
    stored = json.loads(row["value"]) if row else {}
    return Totals(**{key: stored.get(key, default) for key, default in DEFAULT_TARGETS.items()})


class _State:
    """What is still public, with the cards filed by what they count.

    Cards with the same facets in the same places count the same at every step, so they share their best
    action: a group keeps one heap of its cards per action, ordered by points, and each step compares only
    the top of each group. A card that an action changes moves to another group; its old entries are
    dropped as they reach the top.
    """

    def __init__(self, cards: dict[str, _Card], places: dict[str, dict], targets: Totals) -> None:
        self.cards, self.places, self.targets = cards, places, targets
        self.showing: dict[str, set[str]] = {place: set() for place in places}  # its cards still positioned
        for card in cards.values():
            for place in card.places:
                self.showing[place].add(card.id)
        self.counts = Counter(facet for card in cards.values() for facet in card.facets)
        self.groups: dict[tuple, dict[str, list]] = {}
        for card in cards.values():
            self._file(card)

    def totals(self) -> Totals:
        repeating = sum(1 for place in self.showing if self._still_needed(place))
        return Totals(**{target: self.counts[facet] for target, facet in FACET_OF.items()}, repeated_places=repeating)

    def best(self) -> tuple[_Card, str] | None:
        """The next (card, action), or None once the targets are met."""
        totals = self.totals()
        if totals.within(self.targets):
            return None
        over = {key: count > getattr(self.targets, key) for key, count in totals.counts().items()}
        excess_places = totals.repeated_places - self.targets.repeated_places
        ranked = []
        for group in list(self.groups):
            action, gain = self._best_action(group, over, excess_places)
            top = self._top(group, action) if action else None
            if top:
                points, card_id = top
                ranked.append((-gain[0], -gain[1], points, card_id, action))
        if not ranked:
            return None
        *_, card_id, action = min(ranked)
        return self.cards[card_id], action

    def apply(self, card: _Card, action: str) -> tuple[list[dict], list[dict]]:
        """Take the action's share away from the card; returns the places now gone and those brought closer."""
        taken = ACTIONS[action]
        self.counts.subtract(card.facets & taken)
        card.facets -= taken
        for family in taken:
            card.points.pop(family, None)
        gone, closer = [], []
        if "place" in taken:
            for place in sorted(card.places):
                if self._still_needed(place):
                    self.showing[place].discard(card.id)
                    still = self._still_needed(place)
                    (closer if still else gone).append({**self.places[place], "still": still})
            card.places.clear()
        self._file(card)
        return gone, closer

    def _file(self, card: _Card) -> None:
        if card.facets or card.places:
            heaps = self.groups.setdefault(_group(card), {action: [] for action in ACTIONS})
            for action, heap in heaps.items():
                heapq.heappush(heap, (-card.points_for(action), card.id))

    def _top(self, group: tuple, action: str) -> tuple[int, str] | None:
        """The group's card with the most points for the action, dropping the cards that have moved on."""
        heap = self.groups[group][action]
        while heap and _group(self.cards[heap[0][1]]) != group:
            heapq.heappop(heap)
        if not heap:
            del self.groups[group]  # every heap of a group holds the same cards
            return None
        return heap[0]

    def _still_needed(self, place: str) -> int:
        """How many more of the place's pictures must lose their position before it stops repeating."""
        return max(0, len(self.showing[place]) - THRESHOLDS["min_photos"] + 1)

    def _best_action(self, group: tuple, over: dict[str, bool], excess_places: int) -> tuple[str | None, tuple]:
        """The least drastic action among those that take away the most from a group's cards, and what it takes."""
        best, best_gain = None, (0, 0.0)
        for action in ACTIONS:
            gain = self._gain(group, action, over, excess_places)
            if gain > best_gain:
                best, best_gain = action, gain
        return best, best_gain

    def _gain(self, group: tuple, action: str, over: dict[str, bool], excess_places: int) -> tuple[int, float]:
        """(violations taken away while their target is not met, progress towards places that stop repeating)."""
        facets, places = group
        taken = ACTIONS[action]
        violations = sum(1 for target, facet in FACET_OF.items() if facet in (taken & facets) and over[target])
        if "place" not in taken or excess_places <= 0:
            return violations, 0.0
        still = [n for n in map(self._still_needed, places) if n]
        return violations + min(still.count(1), excess_places), sum(1 / n for n in still if n > 1)


def _group(card: _Card) -> tuple[frozenset, frozenset]:
    return frozenset(card.facets), frozenset(card.places)


# Findings the plan needs, with only the evidence it reads (faces' evidence carries long encodings).
_FINDINGS = """
select coalesce(photos.group_id, photos.id) as card, findings.signal, findings.kind,
       json_extract(findings.evidence, '$.who') as who, json_extract(findings.evidence, '$.handle') as handle,
       json_extract(findings.evidence, '$.place') as place, json_extract(findings.evidence, '$.guess') as guess,
       json_extract(findings.evidence, '$.label') as label, json_extract(findings.evidence, '$.name') as name,
       json_extract(findings.evidence, '$.name_ko') as name_ko
from findings join photos on photos.id = findings.photo
where findings.signal in ('faces', 'exif', 'platform-location', 'places', 'caption-text', 'image-text')
  and photos.id in (select photo from current_appearances)
"""
# Each card's score points, reason by reason (every copy carries its card's reasons: the first one's are read).
_POINTS = """
select photos.id as card, json_extract(reason.value, '$.signal') as signal,
       json_extract(reason.value, '$.kind') as kind, json_extract(reason.value, '$.points') as points
from scores join photos on photos.id = scores.photo, json_each(scores.reasons) as reason
where coalesce(photos.group_id, photos.id) = photos.id
"""


def _cards(db: sqlite_utils.Database) -> tuple[dict[str, _Card], dict[str, dict]]:
    """Cards with anything the plan counts, and the places that repeat (PLACE_KEYS)."""
    cards: dict[str, _Card] = {}
    places: dict[str, dict] = {}
    clear, clues = set(), set()
    for row in db.query(_FINDINGS):
        key, card = (row["signal"], row["kind"]), row["card"]
        mine = row["signal"] == "faces" and row["who"] != BYSTANDER
        if mine and row["kind"] in USABLE_KINDS:
            clear.add(card)
        if mine and row["kind"] == "face_high":
            cards.setdefault(card, _Card(card)).facets.add("face")
        elif key in EXACT_KINDS:
            found = cards.setdefault(card, _Card(card))
            found.facets.add("location")
            found.exif_gps = found.exif_gps or key == ("exif", "gps")
        elif key == ("places", "repeated_place"):
            places.setdefault(row["place"], {name: row[name] for name in PLACE_KEYS})
            cards.setdefault(card, _Card(card)).places.add(row["place"])
        elif row["signal"] in ("caption-text", "image-text") and row["kind"] in CLUE_KINDS:
            clues.add(card)
        elif row["signal"] == "caption-text" and row["kind"] in ("tagged_user", "mention"):
            cards.setdefault(card, _Card(card)).handles.add(row["handle"])
    for card in clear & clues:
        cards.setdefault(card, _Card(card)).facets.add("clue")
    for row in db.query(_POINTS):
        if row["card"] in cards:
            cards[row["card"]].points[_family((row["signal"], row["kind"]))] += row["points"] or 0
    return cards, places


def _family(key: tuple[str, str]) -> str:
    """Which action takes a reason's points away (see ACTIONS)."""
    if key in LOCATION_KINDS:
        return "location"
    return "face" if key in FACE_KINDS else "other"


_APPEARANCES = """
select coalesce(photos.group_id, photos.id) as card, appearances.account, accounts.display as account_display,
       appearances.platform, appearances.kind, appearances.media_name, appearances.post_url,
       appearances.posted_at, appearances.lat, appearances.lon
from current_appearances as appearances join photos on photos.id = appearances.photo
left join accounts on accounts.key = appearances.account
order by appearances.posted_at, appearances.id
"""


def _appearances(db: sqlite_utils.Database, wanted: set[str]) -> dict[str, list[dict]]:
    """Where each wanted card lives: every post and file of every copy, oldest first, as the report cards list them."""
    found: dict[str, list[dict]] = {card: [] for card in wanted}
    for row in db.query(_APPEARANCES):
        if row["card"] in found:
            lat, lon = row.pop("lat"), row.pop("lon")
            row["account_display"] = row["account_display"] or row["account"]
            found[row["card"]].append({**row, "geotag": has_position(lat, lon)})
    return found


def _step(number: int, where: list[dict], card: _Card, action: str, before: Totals, after: Totals,
          gone: list[dict], closer: list[dict], points: int) -> Step:
    profile_photo = any(row["kind"] == "profile_photo" for row in where)
    stays_up = action != "remove"
    return Step(
        number=number,
        card=card.id,
        label=where[0]["media_name"] if where else card.id[:12],
        action=action,
        alternatives=tuple(a for a in ALTERNATIVES[action] if not (profile_photo and a in HIDING)),
        before=before,
        removes=before.minus(after),
        after=after,
        places_gone=tuple(gone),
        places_closer=tuple(closer),
        where=tuple(where),
        exif_gps=card.exif_gps and before.exact_locations > after.exact_locations,
        profile_photo=profile_photo,
        untag=tuple(sorted(card.handles)) if stays_up else (),
        points=points,
    )
