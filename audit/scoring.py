"""Exposure score per photo: 0-100, always as a list of reasons a person can check.

WEIGHTS is the one table of points, gathered from the signals (each declares its kinds' `weights`);
`photo-audit signals --weights` prints it with the fact behind each weight, and docs/scoring.md says how the
points add up. A finding kind
missing from the table is shown as a fact but scores nothing: no point of risk without a stated reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from typing import Iterable

from .signals import SIGNALS, kinds
from .signals.base import Weight

SCORING_VERSION = 1


# Every signal declares its own kinds' weights (Signal.weights); this is all of them, keyed (signal, kind).
WEIGHTS: dict[tuple[str, str], Weight] = {(cls.name, kind): w for cls in SIGNALS.values() for kind, w in cls.weights.items()}

# A photo's position leaked twice (EXIF and geotag) is still one position.
# The user's face in one photo is one face, however many detections or copies show it.
GROUP_CAPS = {"location": 40, "face": 45, "place": 20}
# The same clue in the caption and in the picture (a phone number in both) is one clue.
GROUP_CAPS.update({weight.group: weight.cap for weight in WEIGHTS.values() if weight.group and weight.group.startswith("clue:")})

# Kinds that stripping the location from a photo (and its post) takes away.
LOCATION_KINDS = kinds("exact_location", "named_place", "repeated_place")

# Actions, most drastic first. Thresholds are the project's choice, explained in docs/scoring.md.
REMOVE_AT = 50
ARCHIVE_AT = 20


@dataclass(frozen=True)
class Reason:
    signal: str
    kind: str
    points: int
    summary: str  # the finding's English sentence
    fact: str
    evidence: dict
    text: dict | None = None  # the finding's said-value (audit/words.py), which the report renders; None: stored before it

    def as_dict(self) -> dict:
        """Shallow, for json.dumps: dataclasses.asdict deep-copies every evidence dict, half of scoring 10,000 photos."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


@dataclass(frozen=True)
class Score:
    score: int
    action: str
    reasons: list[Reason]


def score_photo(findings: Iterable[dict]) -> Score:
    """Score one photo from its findings rows (dicts with signal, kind, summary, evidence)."""
    reasons: list[Reason] = []
    used: dict[object, int] = {}  # points given so far, per kind and per group
    ordered = sorted(findings, key=_award_order)
    for row in ordered:
        key = (row["signal"], row["kind"])
        weight = WEIGHTS.get(key)
        points = _award(weight, key, used) if weight else 0
        evidence = row["evidence"] if isinstance(row["evidence"], dict) else json.loads(row["evidence"])
        text = json.loads(row["text"]) if isinstance(row.get("text"), str) else row.get("text")
        reasons.append(Reason(row["signal"], row["kind"], points, row["summary"], weight.fact if weight else "", evidence, text))
    reasons.sort(key=lambda r: -r.points)
    total = min(100, sum(r.points for r in reasons))
    return Score(total, recommend(total, reasons), reasons)


def _award_order(row: dict) -> tuple:
    """Heaviest first; among equals, the longest quote (the most specific clue) takes the points."""
    weight = WEIGHTS.get((row["signal"], row["kind"]))
    evidence = row["evidence"] if isinstance(row["evidence"], dict) else json.loads(row["evidence"])
    quote = str(evidence.get("quote", ""))
    return (-(weight.points if weight else 0), row["signal"], row["kind"], -len(quote), row["summary"])


def _award(weight: Weight, key: tuple[str, str], used: dict[object, int]) -> int:
    room = weight.cap - used.get(key, 0)
    if weight.group:
        room = min(room, GROUP_CAPS[weight.group] - used.get(weight.group, 0))
    points = max(0, min(weight.points, room))
    used[key] = used.get(key, 0) + points
    if weight.group:
        used[weight.group] = used.get(weight.group, 0) + points
    return points


def recommend(total: int, reasons: list[Reason]) -> str:
    """remove, archive, strip-location or keep; stripping is offered when location is the whole risk."""
    scoring = [r for r in reasons if r.points]
    if not scoring:
        return "keep"
    if all((r.signal, r.kind) in LOCATION_KINDS for r in scoring):
        return "strip-location"
    if total >= REMOVE_AT:
        return "remove"
    if total >= ARCHIVE_AT:
        return "archive"
    return "keep"
