"""collect -> inventory -> (audit.analysis) -> score: the steps behind the CLI, as plain functions.

Each step is idempotent: stable ids come from content hashes, so running it again on the same
inputs adds no rows and changes none. Per-item failures are recorded in `errors` and the step
goes on; only an unusable account or database stops anything, and then only that account.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass, field
from typing import Callable, ContextManager, Iterable

import sqlite_utils

from . import faceid, imaging, proof
from .archive import read_origin
from .config import Account, Config
from .db import record_error, stable_id
from .dedupe import group_near_duplicates
from .errors import AuditError, ProofError
from .models import Item, ItemError
from .scoring import SCORING_VERSION, score_photo
from .sources import SOURCES

# bar(iterable, length, label) -> context manager yielding the iterable (click.progressbar fits)
Bar = Callable[[Iterable, "int | None", str], ContextManager[Iterable]]


def no_bar(iterable: Iterable, length: int | None, label: str) -> ContextManager[Iterable]:
    return contextlib.nullcontext(iterable)


@dataclass
class Tally:
    """What a step did, for the closing summary."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def merge(self, other: "Tally") -> None:
        for key, n in other.counts.items():
            self.add(key, n)


def collect(db: sqlite_utils.Database, config: Config, run: int, bar: Bar = no_bar) -> Tally:
    tally = Tally()
    db["settings"].upsert({"key": "targets", "value": json.dumps(config.targets, sort_keys=True)}, pk="key")
    for account in config.accounts:
        _store_account(db, account)
        source = SOURCES[account.platform](account)
        if source.live:
            source.proof_token = proof.token_for(db, account.key)
            source.proven_before = proof.is_verified(db, account.key)
        try:
            with bar(source.items(), None, f"Collecting {account.display}") as items:
                for obj in items:
                    _store(db, account, obj, run, tally)
        except AuditError as exc:  # the whole account is unusable; the other accounts go on
            record_error(db, run, account.key, str(account.path or account.url or account.handle), "collect", exc.message)
            tally.add("unproven" if isinstance(exc, ProofError) else "errors")
        if source.proof_seen:
            proof.mark_verified(db, account.key)
    if config.me and faceid.available() is None:  # without dlib the report says so; nothing to record per photo
        for error in faceid.store_references(db, config.me):
            record_error(db, run, "me", error.source_item, error.stage, error.message)
            tally.add("errors")
    return tally


def _store_account(db: sqlite_utils.Database, account: Account) -> None:
    db["accounts"].upsert(
        {
            "key": account.key,
            "platform": account.platform,
            "display": account.display,
            "handle": account.handle,
            "url": account.url,
            "path": str(account.path) if account.path else None,
        },
        pk="key",
    )


def _store(db, account: Account, obj: Item | ItemError, run: int, tally: Tally) -> None:
    if isinstance(obj, ItemError):
        record_error(db, run, account.key, obj.source_item, obj.stage, obj.message)
        tally.add("skipped" if obj.stage == "skip" else "errors")
        return
    try:
        photo_id, note = _store_photo(db, account, obj, run)
    except AuditError as exc:
        record_error(db, run, account.key, obj.source_item, "collect", exc.message)
        tally.add("errors")
        return
    tally.add("items")
    _store_appearance(db, account, obj, photo_id, note, run)


def _store_photo(db, account: Account, item: Item, run: int) -> tuple[str, str | None]:
    """Insert the photo row once per distinct content; returns its id and a note for the appearance."""
    if item.origin is None:
        photo_id = hashlib.sha256(f"missing:{account.key}:{item.media_name}".encode()).hexdigest()
        row = {"status": "missing", "media_type": item.media_type}
        note = f"media file {item.media_name} is not in the export"
    else:
        data = read_origin(item.origin)
        photo_id = hashlib.sha256(data).hexdigest()
        row = {"bytes": len(data), "origin": json.dumps(item.origin.as_dict()), **_describe(data, item)}
        note = None
        if row["status"] == "unreadable":
            record_error(db, run, account.key, item.source_item, "decode", row.pop("problem"))
    db["photos"].insert({"id": photo_id, "first_run": run, **row}, pk="id", ignore=True)
    return photo_id, note


def _describe(data: bytes, item: Item) -> dict:
    if item.media_type != "image":
        return {"status": "ok", "media_type": item.media_type, "format": item.media_name.rsplit(".", 1)[-1].upper()}
    try:
        image = imaging.probe(data)
    except AuditError as exc:
        return {"status": "unreadable", "media_type": "image", "problem": exc.message}
    return {"status": "ok", "media_type": "image", "format": image.format, "width": image.width, "height": image.height}


def _store_appearance(db, account: Account, item: Item, photo_id: str, note: str | None, run: int) -> None:
    # Not from source_item: a newer export of the same account renames files and shifts record
    # indexes, and the same post must keep its id so that runs can be compared.
    appearance_id = stable_id(account.key, item.kind, item.media_name, item.post_id)
    db["sightings"].insert({"run": run, "appearance": appearance_id}, pk=("run", "appearance"), ignore=True)
    db["appearances"].insert(
        {
            "id": appearance_id,
            "photo": photo_id,
            "account": account.key,
            "platform": account.platform,
            "kind": item.kind,
            "media_name": item.media_name,
            "post_id": item.post_id,
            "post_url": item.url,
            "posted_at": item.posted_at_utc(),
            "caption": item.caption,
            "location_name": item.location_name,
            "lat": item.lat,
            "lon": item.lon,
            "tagged_users": json.dumps(item.tagged_users, ensure_ascii=False),
            "audience": item.audience,
            "extra": json.dumps(item.extra, ensure_ascii=False, sort_keys=True, default=str),
            "note": note,
            "source_item": item.source_item,
            "first_run": run,
        },
        pk="id",
        ignore=True,
    )


def score(db: sqlite_utils.Database) -> Tally:
    """Group near-duplicates, then score each group from the findings of all its copies.

    A picture posted twice is one exposure: every copy gets the group's score and action,
    because it is only gone once every copy is gone. Unchanged scores are left untouched.
    """
    tally = Tally()
    group_near_duplicates(db)  # again here: `report` scores an inventory without analysing it
    groups: dict[str, list[str]] = {}
    for row in db.query("select id, coalesce(group_id, id) as grp from photos order by id"):
        groups.setdefault(row["grp"], []).append(row["id"])
    current = {row["photo"] for row in db.query("select distinct photo from current_appearances")}
    for members in groups.values():
        if current.isdisjoint(members):
            continue  # gone everywhere: keep its last score, which "changes since the last audit" reports
        result = score_photo(_group_findings(db, members))
        reasons = json.dumps([r.as_dict() for r in result.reasons], ensure_ascii=False, sort_keys=True)
        for member in members:
            record = {"photo": member, "score": result.score, "action": result.action, "reasons": reasons}
            db["scores"].upsert({**record, "scoring_version": SCORING_VERSION}, pk="photo")
            tally.add("scored")
    return tally


def _group_findings(db, members: list[str]) -> list[dict]:
    """Findings of every copy still posted; a fact found in two copies (the same caption clue) is listed once."""
    marks = ", ".join("?" for _ in members)
    unique: dict[tuple, dict] = {}
    # Copies deleted since (no current appearance) no longer expose anything.
    query = f"select * from findings where photo in ({marks}) and photo in (select photo from current_appearances) order by photo, id"
    for row in db.query(query, members):
        unique.setdefault((row["signal"], row["kind"], row["summary"]), row)
    return list(unique.values())
