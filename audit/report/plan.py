"""The removal plan: the fewest actions that bring the exposure under the targets, in the order to take them.

The targets ([targets] in accounts.toml, kept in the `settings` table; 0 means none may stay public):
- clear_faces: pictures with a clear face of the user (exposure.py: full quality or usable, the same count as
  the report's headline);
- exact_locations: pictures whose file or post gives their position (exif `gps`, platform-location `geotag`);
- repeated_places: places you return to (the places signal, among the posts a stranger can see);
- clues_with_face: pictures with an identity clue (school, workplace, phone...) in the caption or the picture,
  next to a clear face of the user.
The plan is for what a stranger can see (models.STRANGERS): what only followers or only the user can see is
counted apart by the report.

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
from collections import Counter
from dataclasses import dataclass

import sqlite_utils

from ..config import DEFAULT_TARGETS, LEGACY_TARGETS
from ..inventory.db import shown_to
from ..models import STRANGERS
from ..signals.places import THRESHOLDS
from ..sources import SOURCES
from ..signals.platform_location import has_position
from . import actions, dates
from .exposure import PLACE_KEYS, Card, exposure

# The actions a step can take, least drastic first (actions.ACTIONS lists them most drastic first), and what each
# takes away from a card (Action.takes): strip-location, cover-face, remove.
STEP_ACTIONS = tuple(reversed([name for name, action in actions.ACTIONS.items() if action.takes]))
TAKES = {name: actions.ACTIONS[name].takes for name in STEP_ACTIONS}
# The facet of a card that each target counts (repeated_places counts places, not cards).
FACET_OF = {"clear_faces": "face", "exact_locations": "location", "clues_with_face": "clue"}


@dataclass(frozen=True)
class Totals:
    """How many of each stay public; the field names are the [targets] keys."""

    clear_faces: int = 0
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
    action: str  # one of STEP_ACTIONS
    alternatives: tuple[str, ...]  # its Action.alternatives that exist on every post; the template words them
    before: Totals
    removes: Totals  # before minus after
    after: Totals
    places_gone: tuple[dict, ...]  # places that stop repeating: PLACE_KEYS
    places_closer: tuple[dict, ...]  # the same, plus "still": how many more of its pictures must go
    where: tuple[dict, ...]  # every post and file of the picture: it is only gone when gone from all
    # Its first caption, whole: the report shows its first words, for a person to know the post by. Whole, so that a
    # redacted report masks every secret in it before it is cut (a cut phone number would no longer be found).
    caption: str
    exif_gps: bool  # the file itself carries its position: re-save it without metadata
    profile_photo: bool
    others_posts: bool  # every post of it is someone else's (tagged): she can remove her tag, not the post
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


def points_for(card: Card, action: str) -> int:
    return sum(card.points.get(family, 0) for family in TAKES[action])


def removal_plan(db: sqlite_utils.Database, seen: tuple[dict[str, Card], dict[str, dict]] | None = None) -> Plan:
    """The plan for what a stranger can see (exposure.py, models.STRANGERS).

    `seen`: exposure(db, STRANGERS) when the caller has it already; the plan takes its cards apart as it goes."""
    targets = stored_targets(db)
    cards, places = exposure(db, STRANGERS) if seen is None else seen
    state = _State(cards, places, targets)
    start, taken = state.totals(), []
    while (choice := state.best()) is not None:
        card, action = choice
        before, points = state.totals(), points_for(card, action)
        gone, closer = state.apply(card, action)
        taken.append((card, action, before, state.totals(), gone, closer, points))
    where = _appearances(db, {card.id for card, *_ in taken})
    steps = tuple(_step(number, where[row[0].id], *row) for number, row in enumerate(taken, 1))
    return Plan(targets, start, state.totals(), steps)


def stored_targets(db: sqlite_utils.Database) -> Totals:
    """The config's [targets] as the last collect stored them; the defaults when there are none."""
    row = next(db.query("select value from settings where key = 'targets'"), None)
    stored = json.loads(row["value"]) if row else {}
    stored = {LEGACY_TARGETS.get(key, key): value for key, value in stored.items()}
    return Totals(**{key: stored.get(key, default) for key, default in DEFAULT_TARGETS.items()})


class _State:
    """What is still public, with the cards filed by what they count.

    Cards with the same facets in the same places, photos or videos alike, count the same at every step, so they
    share their best action: a group keeps one heap of its cards per action, ordered by points, and each step compares only
    the top of each group. A card that an action changes moves to another group; its old entries are
    dropped as they reach the top.
    """

    def __init__(self, cards: dict[str, Card], places: dict[str, dict], targets: Totals) -> None:
        self.cards, self.places, self.targets = cards, places, targets
        self.showing: dict[str, set[str]] = {place: set() for place in places}  # its cards still positioned
        for card in cards.values():
            for place in card.places:
                self.showing[place].add(card.id)
        # How many of its pictures still showing it each place has per local day (pictures of unknown time: none).
        self.days = {place: Counter(info["dates"][card] for card in self.showing[place] if card in info["dates"])
                     for place, info in places.items()}
        # _still_needed of each place, worked out again only when one of its pictures goes: every step reads it for
        # every place and group, and a place of a large inventory has thousands of days to sort.
        self.needed = {place: self._still_needed(place) for place in places}
        self.counts = Counter(facet for card in cards.values() for facet in card.facets)
        self.groups: dict[tuple, dict[str, list]] = {}
        for card in cards.values():
            self._file(card)

    def totals(self) -> Totals:
        repeating = sum(1 for place in self.showing if self.needed[place])
        return Totals(**{target: self.counts[facet] for target, facet in FACET_OF.items()}, repeated_places=repeating)

    def best(self) -> tuple[Card, str] | None:
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

    def apply(self, card: Card, action: str) -> tuple[list[dict], list[dict]]:
        """Take the action's share away from the card; returns the places now gone and those brought closer."""
        taken = TAKES[action]
        self.counts.subtract(card.facets & taken)
        card.facets -= taken
        for family in taken:
            card.points.pop(family, None)
        gone, closer = [], []
        if "place" in taken:
            for place in sorted(card.places):
                needed = self.needed[place]
                if needed:
                    self._hide(place, card.id)
                    still = self.needed[place]
                    if still < needed:  # taking one picture away can leave a place as close as before (its days)
                        described = {key: self.places[place][key] for key in PLACE_KEYS}
                        (closer if still else gone).append({**described, "still": still})
            card.places.clear()
        self._file(card)
        return gone, closer

    def _file(self, card: Card) -> None:
        if card.facets or card.places:
            heaps = self.groups.setdefault(_group(card), {action: [] for action in STEP_ACTIONS})
            for action, heap in heaps.items():
                heapq.heappush(heap, (-points_for(card, action), card.id))

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
        """How many more of the place's pictures must lose their position before it stops repeating: before fewer
        pictures than the places signal needs show it, or they show it on fewer days (THRESHOLDS)."""
        by_photos = len(self.showing[place]) - THRESHOLDS["min_photos"] + 1
        days = self.days[place]
        by_days = sum(sorted(days.values())[: max(0, len(days) - THRESHOLDS["min_days"] + 1)])
        return max(0, min(by_photos, by_days))

    def _hide(self, place: str, card: str) -> None:
        self.showing[place].discard(card)
        day = self.places[place]["dates"].get(card)
        if day:
            self.days[place][day] -= 1
            if not self.days[place][day]:
                del self.days[place][day]
        self.needed[place] = self._still_needed(place)

    def _best_action(self, group: tuple, over: dict[str, bool], excess_places: int) -> tuple[str | None, tuple]:
        """The least drastic action among those that take away the most from a group's cards, and what it takes."""
        best, best_gain = None, (0, 0.0)
        for action in STEP_ACTIONS:
            gain = self._gain(group, action, over, excess_places)
            if gain > best_gain:
                best, best_gain = action, gain
        return best, best_gain

    def _gain(self, group: tuple, action: str, over: dict[str, bool], excess_places: int) -> tuple[int, float]:
        """(violations taken away while their target is not met, progress towards places that stop repeating)."""
        facets, places, video = group
        if video and action == actions.COVER:
            return 0, 0.0  # no copy of a video with the face covered: the tool cannot make one, nor can most apps
        taken = TAKES[action]
        violations = sum(1 for target, facet in FACET_OF.items() if facet in (taken & facets) and over[target])
        if "place" not in taken or excess_places <= 0:
            return violations, 0.0
        still = [self.needed[place] for place in places if self.needed[place]]
        return violations + min(still.count(1), excess_places), sum(1 / n for n in still if n > 1)


def _group(card: Card) -> tuple[frozenset, frozenset, bool]:
    return frozenset(card.facets), frozenset(card.places), card.video


_APPEARANCES = """
select pictures.picture, appearances.account, accounts.display as account_display,
       appearances.platform, appearances.kind, appearances.media_name, appearances.post_url,
       appearances.posted_at, appearances.extra, appearances.caption, appearances.lat, appearances.lon
from {shown} as appearances join pictures on pictures.photo = appearances.photo
left join accounts on accounts.key = appearances.account
order by appearances.posted_at, appearances.id
"""


def _appearances(db: sqlite_utils.Database, wanted: set[str]) -> dict[str, list[dict]]:
    """Where a stranger finds each wanted picture: every post of every copy, oldest first, as the report cards list them."""
    found: dict[str, list[dict]] = {picture: [] for picture in wanted}
    for row in db.query(_APPEARANCES.format(shown=shown_to(STRANGERS))):
        picture = row.pop("picture")
        if picture in found:
            lat, lon = row.pop("lat"), row.pop("lon")
            row["posted_at"] = dates.posted_time(row)  # as the export gave it: naive where it gave no zone
            extra = json.loads(row.pop("extra") or "{}")  # platform metadata: large, and never shown in a step
            row["account_display"] = row["account_display"] or row["account"]
            editable = actions.exists(actions.EDIT_LOCATION, row["platform"], row["kind"])
            # "card": the report card's id, as Step.card (the name the JSON export and the templates read)
            # "app": where in which app to look for the post when it has no link of its own (the template words it):
            # its source's, or the app a folder's photos were saved from (sources/folder.py SAVED_FROM, in `extra`)
            source = SOURCES.get(row["platform"])
            found[picture].append({"card": picture, **row, "app": extra.get("app") or (source and source.app),
                                   "exported": bool(source and source.exported),
                                   "geotag": has_position(lat, lon), "edit_location": editable})
    return found


def _step(number: int, where: list[dict], card: Card, action: str, before: Totals, after: Totals,
          gone: list[dict], closer: list[dict], points: int) -> Step:
    profile_photo = any(row["kind"] == "profile_photo" for row in where)
    stays_up = action != "remove"
    return Step(
        number=number,
        card=card.id,
        label=where[0]["media_name"] if where else card.id[:12],
        action=action,
        alternatives=tuple(a for a in actions.ACTIONS[action].alternatives if actions.exists_everywhere(a, where)),
        before=before,
        removes=before.minus(after),
        after=after,
        places_gone=tuple(gone),
        places_closer=tuple(closer),
        where=tuple(where),
        caption=next((row["caption"] for row in where if (row["caption"] or "").strip()), ""),
        exif_gps=card.exif_gps and before.exact_locations > after.exact_locations,
        profile_photo=profile_photo,
        others_posts=bool(where) and all(row["kind"] in actions.OTHERS_POSTS for row in where),
        untag=tuple(sorted(card.handles)) if stays_up else (),
        points=points,
    )

