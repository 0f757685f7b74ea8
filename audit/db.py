"""The inventory: one SQLite file, browsable in Datasette as it is.

Schema changes go through the named migrations below, recorded in `_migrations`. Never edit
a migration that has shipped; add a new one.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import sqlite_utils

from .errors import DatabaseError


def _create_inventory(db: sqlite_utils.Database) -> None:
    db["accounts"].create(
        {"key": str, "platform": str, "display": str, "handle": str, "url": str, "path": str}, pk="key"
    )
    db["photos"].create(
        {
            "id": str,  # sha256 of the bytes; for a missing media file, of "missing:" + where it should be
            "status": str,  # ok, unreadable (header or pixels cannot be decoded), missing
            "media_type": str,
            "format": str,
            "width": int,
            "height": int,
            "bytes": int,
            "origin": str,  # JSON {"path", "member"}: where to read the bytes again
            "first_run": int,
        },
        pk="id",
    )
    db["appearances"].create(
        {
            "id": str,
            "photo": str,
            "account": str,
            "platform": str,
            "kind": str,
            "media_name": str,
            "post_id": str,
            "post_url": str,
            "posted_at": str,  # UTC, ISO 8601
            "caption": str,
            "location_name": str,
            "lat": float,
            "lon": float,
            "tagged_users": str,  # JSON list
            "audience": str,
            "extra": str,  # JSON: platform metadata kept as evidence
            "note": str,
            "source_item": str,
            "first_run": int,
        },
        pk="id",
        foreign_keys=[("photo", "photos", "id"), ("account", "accounts", "key")],
    )
    db["findings"].create(
        {
            "id": str,
            "photo": str,
            "signal": str,
            "signal_version": int,
            "kind": str,
            "severity": str,
            "summary": str,
            "evidence": str,  # JSON
        },
        pk="id",
        foreign_keys=[("photo", "photos", "id")],
    )
    db["analyses"].create(
        {"photo": str, "signal": str, "signal_version": int, "inputs": str},
        pk=("photo", "signal"),
        foreign_keys=[("photo", "photos", "id")],
    )
    db["thumbnails"].create({"photo": str, "jpeg": bytes}, pk="photo", foreign_keys=[("photo", "photos", "id")])
    db["scores"].create(
        {"photo": str, "score": int, "action": str, "reasons": str, "scoring_version": int},
        pk="photo",
        foreign_keys=[("photo", "photos", "id")],
    )
    db["errors"].create(
        {"id": str, "first_run": int, "source": str, "item": str, "stage": str, "message": str}, pk="id"
    )
    db["runs"].create(
        {"id": int, "command": str, "version": str, "started_at": str, "finished_at": str, "summary": str}, pk="id"
    )
    db["appearances"].create_index(["photo"])
    db["findings"].create_index(["photo", "signal"])


def _add_faces(db: sqlite_utils.Database) -> None:
    # Reference encodings of the user's face: from `me` photos, or from a cluster the user confirmed.
    db["reference_faces"].create({"id": str, "source": str, "encoder": str, "encoding": str}, pk="id")
    # Which faces look alike across the inventory, for "probably you" when there are no references.
    db["face_clusters"].create({"finding": str, "photo": str, "cluster": int}, pk="finding")
    db["photos"].add_column("phash", str)  # perceptual hash: platforms re-encode, so sha256 misses copies
    db["photos"].add_column("group_id", str)  # the first photo this one is a near-duplicate of, else itself


def _add_proof_tokens(db: sqlite_utils.Database) -> None:
    # One-time tokens that prove control of a live profile or site (audit/proof.py).
    db["proof_tokens"].create({"account": str, "token": str, "created_at": str, "verified_at": str}, pk="account")


def _add_sightings(db: sqlite_utils.Database) -> None:
    # Which appearances each collect run saw: what a later audit compares with ("gone since").
    # Like `runs`, a log that grows by one set of rows per run.
    db["sightings"].create({"run": int, "appearance": str}, pk=("run", "appearance"))
    db["sightings"].create_index(["appearance"])


def _add_current_appearances(db: sqlite_utils.Database) -> None:
    # What is public now: an account's appearances that its latest collect saw. A post deleted since
    # stays in the inventory (nothing is lost, and the report can say it is gone) but is not exposure.
    # An account never collected with sightings (rows inserted by hand) counts as all current.
    db.create_view(
        "current_appearances",
        """
        with latest as (
            select appearances.account, max(sightings.run) as run
            from sightings join appearances on appearances.id = sightings.appearance
            group by appearances.account
        )
        select appearances.* from appearances left join latest on latest.account = appearances.account
        where latest.run is null
           or exists (select 1 from sightings where sightings.appearance = appearances.id and sightings.run = latest.run)
        """,
    )


def _add_settings(db: sqlite_utils.Database) -> None:
    # What the config said that later steps need without the config (the plan's targets).
    db["settings"].create({"key": str, "value": str}, pk="key")


MIGRATIONS: list[tuple[str, Callable[[sqlite_utils.Database], None]]] = [
    ("0001_create_inventory", _create_inventory),
    ("0002_faces_and_near_duplicates", _add_faces),
    ("0003_proof_tokens", _add_proof_tokens),
    ("0004_sightings", _add_sightings),
    ("0005_settings", _add_settings),
    ("0006_current_appearances", _add_current_appearances),
]


def open_db(path: Path) -> sqlite_utils.Database:
    """Open (or create) the inventory and apply pending migrations."""
    try:
        db = sqlite_utils.Database(path)
        db.execute("PRAGMA foreign_keys = ON")
        migrate(db)
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path}: not a usable photo-audit database ({exc})") from exc
    return db


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply the migrations not yet recorded; returns their names."""
    table = db["_migrations"]
    if not table.exists():
        table.create({"name": str, "applied_at": str}, pk="name")
    done = {row["name"] for row in table.rows}
    applied = []
    for name, step in MIGRATIONS:
        if name in done:
            continue
        with db.conn:
            step(db)
            table.insert({"name": name, "applied_at": now_utc()})
        applied.append(name)
    return applied


def now_utc() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def stable_id(*parts: object) -> str:
    """A content-derived id: the same inputs give the same id on every run."""
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def record_error(db: sqlite_utils.Database, run: int, source: str, item: str, stage: str, message: str) -> None:
    """Record a per-item error once: the same error on a re-run adds no row."""
    row = {"source": source, "item": item, "stage": stage, "message": message}
    db["errors"].insert({"id": stable_id(row), "first_run": run, **row}, ignore=True)


def start_run(db: sqlite_utils.Database, command: str, version: str) -> int:
    table = db["runs"]
    table.insert({"command": command, "version": version, "started_at": now_utc()})
    return table.last_pk


def finish_run(db: sqlite_utils.Database, run: int, summary: dict) -> None:
    db["runs"].update(run, {"finished_at": now_utc(), "summary": json.dumps(summary, ensure_ascii=False)})
