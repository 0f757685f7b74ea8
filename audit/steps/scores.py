"""The score step: each picture (a photo and its near-duplicates) scored from its copies' findings."""

from __future__ import annotations

import json
from collections import defaultdict

import sqlite_utils

from ..inventory.dedupe import group_near_duplicates
from ..inventory.transactions import transaction
from ..models import OTHERS
from ..report.actions import card_action
from ..scoring import SCORING_VERSION, score_photo
from ..signals import SIGNALS
from .tally import Tally


def score(db: sqlite_utils.Database) -> Tally:
    """Group near-duplicates, then score each picture (a photo and its near-duplicates, the `pictures` view) from
    the findings of all its copies, in one pass.

    A picture posted twice is one exposure: every copy gets the picture's score and action, because it is only
    gone once every copy is gone. Only copies that someone else can see count; a picture that only the user
    sees now is scored from its hidden copies (what it would expose if posted again) and told so.
    """
    tally = Tally()
    group_near_duplicates(db)  # again here: `report` scores an inventory without analysing it
    pictures: dict[str, list[str]] = defaultdict(list)  # picture -> its photos
    for row in db.query("select photo, picture from pictures order by photo"):
        pictures[row["picture"]].append(row["photo"])
    posted: dict[str, list[dict]] = defaultdict(list)  # photo -> its current posts
    for row in db.query("select photo, platform, kind, coalesce(audience, 'anyone') as audience from current_appearances"):
        posted[row["photo"]].append(row)
    findings: dict[str, list[dict]] = defaultdict(list)
    for row in db.query("select photo, signal, kind, summary, evidence, text from findings order by photo, id"):
        findings[row["photo"]].append(row)
    pixels = {row["id"]: row["pixels"] for row in db.query("select id, coalesce(width * height, 0) as pixels from photos")}
    scores = []
    for members in pictures.values():
        current = [member for member in members if posted[member]]
        if not current:
            continue  # gone everywhere: keep its last score, which "changes since the last audit" reports
        seen = [member for member in current if any(row["audience"] in OTHERS for row in posted[member])]
        result = score_photo(_group_findings(findings, seen or current, pixels))
        action = card_action(result.action, [row for member in current for row in posted[member]])
        reasons = json.dumps([r.as_dict() for r in result.reasons], ensure_ascii=False, sort_keys=True)
        record = {"score": result.score, "action": action, "reasons": reasons, "scoring_version": SCORING_VERSION}
        scores.extend({"photo": member, **record} for member in members)
    # Only what changed is written: a `report` on a scored inventory writes nothing, so it runs while a collect writes.
    stored = {row["photo"]: row for row in db.query("select photo, score, action, reasons, scoring_version from scores")}
    with transaction(db):
        db["scores"].upsert_all([row for row in scores if stored.get(row["photo"]) != row], pk="photo")
    tally.add("scored", len(scores))
    return tally


def _group_findings(findings: dict[str, list[dict]], members: list[str], pixels: dict[str, int]) -> list[dict]:
    """Findings of the copies that count; a fact found in two copies (the same caption clue) is listed once.

    What a signal finds in the pixels (Signal.reads_pixels) comes from one copy: the largest in which it found
    anything, the one a stranger would save. Each copy's own would list one face twice, at two sizes."""
    copy_of: dict[str, str] = {}  # pixel signal -> the copy its findings come from
    for member in sorted(members, key=lambda member: (-pixels.get(member, 0), member)):
        for row in findings[member]:
            if getattr(SIGNALS.get(row["signal"]), "reads_pixels", False):
                copy_of.setdefault(row["signal"], member)
    unique: dict[tuple, dict] = {}
    for member in sorted(members):
        for row in findings[member]:
            if copy_of.get(row["signal"], member) == member:
                unique.setdefault((row["signal"], row["kind"], row["summary"]), row)
    return list(unique.values())
