"""Changes since the last audit: for each account, what the latest collect run saw against its last complete read.

This is how a user checks that a deletion stuck, so only complete reads are compared (`account_reads`): a run
killed or interrupted, or one that met read errors on an account, proves nothing gone from that account, and
what a later full read finds again is not new. Such accounts are listed as skipped, with why.
`appearances` keeps every post ever collected, so "gone" can only come from `sightings`: which appearances
each collect run saw. A picture is a photo and its near-duplicates (the `pictures` view): it is gone only once
no copy of it is seen.
"""

from __future__ import annotations

import json

import sqlite_utils

# The commands that collect, and so record sightings and account reads (audit/cli.py).
COLLECT_COMMANDS = ("run", "collect", "demo")

# The accounts the latest collect run read, or the previous audit read completely; with the latest read, if any.
_ACCOUNTS = """
select candidates.account, coalesce(accounts.display, candidates.account) as account_display,
       latest.complete, latest.problem, latest.errors
from (select distinct account from account_reads where run = :latest or (run = :previous and complete)) as candidates
left join account_reads as latest on latest.account = candidates.account and latest.run = :latest
left join accounts on accounts.key = candidates.account
order by account_display
"""

# Each account's last complete read before the latest collect run: what its posts are compared with.
_BASELINES = "select account, max(run) as run from account_reads where complete and run < ? group by account"

_SIGHTED = """
select sightings.run, appearances.id, appearances.account,
       coalesce(accounts.display, appearances.account) as account_display,
       appearances.media_name, appearances.post_url, pictures.picture
from sightings
join appearances on appearances.id = sightings.appearance
join pictures on pictures.photo = appearances.photo
left join accounts on accounts.key = appearances.account
where sightings.run in ({runs})
order by appearances.posted_at, appearances.id
"""


def changes_since_last(db: sqlite_utils.Database) -> dict | None:
    """New risky photos, photos gone, photos removed from one place but still in another, and the accounts skipped
    with why; None until some account was read completely before the latest collect run."""
    latest = _latest_collect(db)
    previous = latest and _previous_audit(db, latest["id"])
    if not previous:
        return None
    baselines = {row["account"]: row["run"] for row in db.query(_BASELINES, [latest["id"]])}
    accounts = list(db.query(_ACCOUNTS, {"latest": latest["id"], "previous": previous["id"]}))
    started = any(row["complete"] is not None for row in accounts)
    for row in accounts:
        row["why"] = _why(row, baselines.get(row["account"]), started)
    compared = {row["account"] for row in accounts if row["why"] is None}
    new, gone, still_elsewhere = _compare(db, _pictures(db, latest["id"], baselines), compared)
    skipped = [{key: row[key] for key in ("account", "account_display", "why", "errors")} for row in accounts if row["why"]]
    return {
        "latest": latest,
        "previous": previous,
        "new": sorted((entry for entry in new if entry["score"] > 0), key=_by_score),
        "new_unscored": sum(1 for entry in new if entry["score"] == 0),
        "gone": sorted(gone, key=_by_score),
        "still_elsewhere": sorted(still_elsewhere, key=_by_score),
        "compared": sorted(row["account_display"] for row in accounts if row["why"] is None),
        "skipped": skipped,
        "not_collected": [row["account_display"] for row in skipped if row["why"] == "not_collected"],
        "earlier": _earlier(db, accounts, baselines, previous["id"]),
    }


def _latest_collect(db: sqlite_utils.Database) -> dict | None:
    marks = ", ".join("?" for _ in COLLECT_COMMANDS)
    query = f"select id, started_at, status from runs where command in ({marks}) order by id desc limit 1"
    return next(db.query(query, COLLECT_COMMANDS), None)


def _previous_audit(db: sqlite_utils.Database, latest: int) -> dict | None:
    """The last run before `latest` that read some account completely."""
    query = (
        "select id, started_at, status from runs where id < ? "
        "and id in (select run from account_reads where complete) order by id desc limit 1"
    )
    return next(db.query(query, [latest]), None)


def _why(read: dict, baseline: int | None, started: bool) -> str | None:
    """Why an account is not compared this time (account_reads.problem, or not_collected, first), None when it is."""
    if read["complete"] is None:  # not in the latest run: left out of the config, or the run stopped before any read
        return "not_collected" if started else "interrupted"
    if not read["complete"]:
        return read["problem"]
    return None if baseline else "first"


def _pictures(db: sqlite_utils.Database, latest: int, baselines: dict[str, int]) -> dict[str, list[dict]]:
    """Each picture's appearances, marked `before` (seen by their account's last complete read) and `now`."""
    runs = sorted({latest, *baselines.values()})
    seen: dict[str, dict] = {}
    for row in db.query(_SIGHTED.format(runs=", ".join("?" for _ in runs)), runs):
        run = row.pop("run")
        entry = seen.setdefault(row["id"], {**row, "before": False, "now": False})
        entry["before"] |= run == baselines.get(row["account"])
        entry["now"] |= run == latest
    pictures: dict[str, list[dict]] = {}
    for entry in seen.values():
        if entry["before"] or entry["now"]:
            pictures.setdefault(entry["picture"], []).append(entry)
    return pictures


def _compare(db: sqlite_utils.Database, pictures: dict[str, list[dict]], compared: set[str]) -> tuple[list, list, list]:
    new, gone, still_elsewhere = [], [], []
    for picture, rows in pictures.items():
        seen_now = [row for row in rows if row["now"]]
        # Only an account read completely both times proves a post gone, or new; a copy seen anywhere is still up.
        dropped = [row for row in rows if row["before"] and not row["now"] and row["account"] in compared]
        if any(row["account"] in compared for row in seen_now) and not any(row["before"] for row in rows):
            new.append(_entry(db, picture, seen_now))
        elif dropped and seen_now:
            still_elsewhere.append({**_entry(db, picture, dropped + seen_now), "removed_from": _places(dropped), "still_on": _places(seen_now)})
        elif dropped and len(dropped) == len(rows):
            gone.append(_entry(db, picture, dropped))
    return new, gone, still_elsewhere


def _earlier(db: sqlite_utils.Database, accounts: list[dict], baselines: dict[str, int], previous: int) -> list[dict]:
    """Compared accounts whose last complete read is older than the previous audit, with that read's time."""
    older = {row["account"]: row for row in accounts if row["why"] is None and baselines[row["account"]] != previous}
    started = {row["id"]: row["started_at"] for row in db.query("select id, started_at from runs")} if older else {}
    return [{"account_display": row["account_display"], "since": started[baselines[key]]} for key, row in older.items()]


def _by_score(entry: dict) -> tuple:
    return (-entry["score"], entry["label"])


def _entry(db: sqlite_utils.Database, picture: str, rows: list[dict]) -> dict:
    score = next(db.query("select score, action, reasons from scores where photo = ?", [picture]), {})
    reasons = [r for r in json.loads(score.get("reasons") or "[]") if r["points"]]
    return {
        "id": picture,
        "label": rows[0]["media_name"],
        "accounts": sorted({row["account_display"] for row in rows}),
        "score": score.get("score") or 0,
        "action": score.get("action") or "keep",
        # The heaviest finding (score_photo lists it first), whole: the report words it in its language (i18n).
        "reason": reasons[0] if reasons else None,
    }


def _places(rows: list[dict]) -> list[dict]:
    return [{key: row[key] for key in ("account", "account_display", "media_name", "post_url")} for row in rows]
