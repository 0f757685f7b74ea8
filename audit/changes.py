"""Changes since the last audit: what the latest collect run saw, against the collect run before it.

This is how a user checks that a deletion stuck. `appearances` keeps every post ever collected,
so "gone" can only come from `sightings`: which appearances each collect run saw. A photo is a
group of near-duplicates (photos.group_id): a picture is gone only once no copy of it is seen.
"""

from __future__ import annotations

import json

import sqlite_utils

# The commands that collect, and so record sightings (audit/cli.py).
COLLECT_COMMANDS = ("run", "collect", "demo")

_SIGHTED = """
select appearances.id, appearances.account, coalesce(accounts.display, appearances.account) as account_display,
       appearances.media_name, appearances.post_url, coalesce(photos.group_id, photos.id) as grp,
       exists(select 1 from sightings where run = :before and appearance = appearances.id) as before,
       exists(select 1 from sightings where run = :now and appearance = appearances.id) as now
from appearances
join photos on photos.id = appearances.photo
left join accounts on accounts.key = appearances.account
where appearances.id in (select appearance from sightings where run in (:before, :now))
order by appearances.posted_at, appearances.id
"""


def changes_since_last(db: sqlite_utils.Database) -> dict | None:
    """New risky photos, photos gone, and photos removed from one place but still in another; None without a previous run."""
    runs = _last_two_runs(db)
    if len(runs) < 2:
        return None
    now, before = runs
    sighted = list(db.query(_SIGHTED, {"now": now["id"], "before": before["id"]}))
    collected = {row["account"] for row in sighted if row["now"]}
    groups: dict[str, list[dict]] = {}
    for row in sighted:
        groups.setdefault(row["grp"], []).append(row)
    new, gone, still_elsewhere = [], [], []
    for group, rows in groups.items():
        seen_now = [row for row in rows if row["now"]]
        # An account this run did not collect at all (failed, dropped from the config) proves nothing gone.
        dropped = [row for row in rows if row["before"] and not row["now"] and row["account"] in collected]
        if seen_now and not any(row["before"] for row in rows):
            new.append(_entry(db, group, seen_now))
        elif dropped and seen_now:
            still_elsewhere.append({**_entry(db, group, dropped + seen_now), "removed_from": _places(dropped), "still_on": _places(seen_now)})
        elif dropped and len(dropped) == len(rows):
            gone.append(_entry(db, group, dropped))
    return {
        "latest": now,
        "previous": before,
        "new": sorted((entry for entry in new if entry["score"] > 0), key=_by_score),
        "new_unscored": sum(1 for entry in new if entry["score"] == 0),
        "gone": sorted(gone, key=_by_score),
        "still_elsewhere": sorted(still_elsewhere, key=_by_score),
        "not_collected": sorted({row["account_display"] for row in sighted if row["account"] not in collected}),
    }


def _last_two_runs(db: sqlite_utils.Database) -> list[dict]:
    """The latest collect run and the one before it that saw anything (runs before sightings existed saw nothing)."""
    marks = ", ".join("?" for _ in COLLECT_COMMANDS)
    latest = list(db.query(f"select id, started_at from runs where command in ({marks}) order by id desc limit 1", COLLECT_COMMANDS))
    if not latest:
        return []
    previous = db.query(
        f"select id, started_at from runs where command in ({marks}) and id < ? "
        "and exists(select 1 from sightings where run = runs.id) order by id desc limit 1",
        [*COLLECT_COMMANDS, latest[0]["id"]],
    )
    return latest + list(previous)


def _by_score(entry: dict) -> tuple:
    return (-entry["score"], entry["label"])


def _entry(db: sqlite_utils.Database, group: str, rows: list[dict]) -> dict:
    score = next(db.query("select score, action, reasons from scores where photo = ?", [group]), {})
    reasons = [r for r in json.loads(score.get("reasons") or "[]") if r["points"]]
    return {
        "id": group,
        "label": rows[0]["media_name"],
        "accounts": sorted({row["account_display"] for row in rows}),
        "score": score.get("score") or 0,
        "action": score.get("action") or "keep",
        # The heaviest finding (score_photo lists it first), whole: the report words it in its language (i18n).
        "reason": reasons[0] if reasons else None,
    }


def _places(rows: list[dict]) -> list[dict]:
    return [{key: row[key] for key in ("account", "account_display", "media_name", "post_url")} for row in rows]
