"""The inventory: one SQLite file, browsable in Datasette as it is.

Schema changes go through the named migrations below, recorded in `_migrations`. Never edit
a migration that has shipped; add a new one.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import sqlite_utils

from ..errors import DatabaseError
from ..models import AUDIENCES
from .transactions import transaction


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


def _audience_values(db: sqlite_utils.Database) -> None:
    # One vocabulary for who can see a post (models.AUDIENCES). Older inventories left it empty (then everything
    # counted as public) or used the live source's words; the next collect writes each post's own value.
    db.execute(
        "update appearances set audience = case when audience in ('private', 'followers', 'close_friends') "
        "then 'followers' when audience = 'only-you' then 'only-you' else 'anyone' end"
    )


def _add_account_reads(db: sqlite_utils.Database) -> None:
    # Whether each collect run read each account completely: only complete reads say what is posted now and
    # what is gone. `problem` is null for a complete read, else why not: interrupted (the run stopped before
    # the account's end: Ctrl-C, killed, a crash), errors (items that could not be read), failed (the whole
    # account could not be read), refused (not proven yours, or unsafe input), empty (nothing found: a wrong
    # path, most likely).
    db["account_reads"].create(
        {"run": int, "account": str, "items": int, "errors": int, "complete": int, "problem": str}, pk=("run", "account")
    )
    # finished (finished_at stamped), interrupted (Ctrl-C) or failed (an error); null when killed or still going.
    db["runs"].add_column("status", str)
    db.execute("update runs set status = 'finished' where finished_at is not null")
    # Older inventories: every finished collect read each account it saw completely, as far as anyone can tell.
    db.execute(
        """
        insert into account_reads (run, account, items, errors, complete)
        select sightings.run, appearances.account, count(*), 0, 1
        from sightings join appearances on appearances.id = sightings.appearance join runs on runs.id = sightings.run
        where runs.finished_at is not null
        group by sightings.run, appearances.account
        """
    )


def _current_from_complete_reads(db: sqlite_utils.Database) -> None:
    # What is posted now: an account's appearances seen by its latest complete read, or by a later partial one
    # (what a partial read saw is posted; what it missed may only be unread). A post deleted since stays in the
    # inventory (the report can say it is gone) but is not exposure. An account never read completely (rows
    # inserted by hand, only interrupted reads) counts as all current.
    db.create_view(
        "current_appearances",
        """
        with latest as (select account, max(run) as run from account_reads where complete group by account)
        select appearances.* from appearances left join latest on latest.account = appearances.account
        where latest.run is null
           or exists (select 1 from sightings where sightings.appearance = appearances.id and sightings.run >= latest.run)
        """,
        replace=True,
    )


def _add_pictures(db: sqlite_utils.Database) -> None:
    # A picture: a photo and its near-duplicates (photos.group_id, set by dedupe), named by its smallest photo id. Every
    # query that counts, groups or shows pictures joins this view (`pictures.photo` -> `pictures.picture`) rather
    # than repeating how a group is named.
    db.create_view("pictures", "select id as photo, coalesce(group_id, id) as picture from photos")


def _add_finding_text(db: sqlite_utils.Database) -> None:
    # A finding's words (audit/words.py): JSON of its English template and values, which the report renders in its
    # language. Findings stored before have none (null): the report shows their English summary. Signals whose
    # version rose with it write it on the next analyse.
    db["findings"].add_column("text", str)


def _add_known_files(db: sqlite_utils.Database) -> None:
    # A re-run reads no file it has seen unchanged (archive.file_signature: size and time, or a zip member's CRC):
    # the signature, hashed, names the photo its bytes were. Rows only speed a collect up; deleting them is safe.
    db["known_files"].create({"signature": str, "photo": str}, pk="signature")


def _add_clean_copies(db: sqlite_utils.Database) -> None:
    # The copies `photo-audit clean` wrote to post instead (audit/clean/): the report's plan says where each one is.
    db["clean_copies"].create({"path": str, "photo": str, "made_at": str, "covered": int}, pk="path")
    db["clean_copies"].create_index(["photo"])


MIGRATIONS: list[tuple[str, Callable[[sqlite_utils.Database], None]]] = [
    ("0001_create_inventory", _create_inventory),
    ("0002_faces_and_near_duplicates", _add_faces),
    ("0003_proof_tokens", _add_proof_tokens),
    ("0004_sightings", _add_sightings),
    ("0005_settings", _add_settings),
    ("0006_current_appearances", _add_current_appearances),
    ("0007_account_reads", _add_account_reads),
    ("0008_current_appearances_from_complete_reads", _current_from_complete_reads),
    ("0010_audience_values", _audience_values),
    ("0012_pictures", _add_pictures),
    ("0011_finding_text", _add_finding_text),
    ("0013_known_files", _add_known_files),
    ("0014_clean_copies", _add_clean_copies),
]


def open_db(path: Path) -> sqlite_utils.Database:
    """Open (or create) the inventory and apply pending migrations."""
    try:
        db = sqlite_utils.Database(path)
        db.execute("PRAGMA foreign_keys = ON")
        # WAL: a `report` reads while a `collect` writes. NORMAL: a commit survives the process being killed (only a
        # power cut may lose the last ones, never the file's integrity), without a disk sync per photo.
        db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
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
        with transaction(db):
            step(db)
            table.insert({"name": name, "applied_at": now_utc()})
        applied.append(name)
    return applied


def shown_to(audiences: tuple[str, ...]) -> str:
    """SQL for the posts of now (`current_appearances`) that these audiences can see, to use as a table.

    `audiences` are models.AUDIENCES constants, never user input: they are written into the SQL."""
    names = ", ".join(f"'{name}'" for name in audiences if name in AUDIENCES)
    # A row written without an audience (by hand, or before there was one) counts as public, to be safe.
    return f"(select * from current_appearances where coalesce(audience, 'anyone') in ({names}))"


def now_utc() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def stable_id(*parts: object) -> str:
    """A content-derived id: the same inputs give the same id on every run."""
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(raw_bytes(text)).hexdigest()[:32]


def raw_bytes(text: str) -> bytes:
    """UTF-8, keeping what is not text apart: a file name's bytes that are not UTF-8 (os.fsdecode makes each a lone
    surrogate, common when a Korean CP949 zip is unpacked on Linux) and lone surrogates from JSON. Plain text encodes
    as before, so ids made before stay the same."""
    return text.encode("utf-8", "surrogatepass")


def storable(value):
    """`value` (text, or dicts and lists of it: a row, a finding's evidence) as SQLite and UTF-8 files can hold it: a
    name's bytes that are not UTF-8 shown as `\\xff`, a lone surrogate (half of an emoji) as `\\ud83d`. Ids are made
    from the raw text, so names shown alike stay apart."""
    if isinstance(value, str):
        return _shown(value)
    if isinstance(value, dict):
        return {storable(key): storable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [storable(item) for item in value]
    return value


def _shown(text: str) -> str:
    try:
        raw = text.encode("utf-8", "surrogateescape")  # os.fsdecode's surrogates back to the name's bytes
    except UnicodeEncodeError:  # a lone surrogate that stands for no byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def insert_ignore(db: sqlite_utils.Database, table: str, row: dict) -> None:
    """`insert or ignore` one row of ready values (strings, numbers, None). sqlite-utils' insert looks the table up
    again on every call: half a millisecond a row, half of a re-audit's collect over 1,000 unchanged photos."""
    db.execute(_insert_sql(table, tuple(row)), list(row.values()))


@functools.lru_cache(maxsize=64)
def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(f"[{column}]" for column in columns)
    return f"insert or ignore into [{table}] ({names}) values ({', '.join('?' * len(columns))})"


def record_error(db: sqlite_utils.Database, run: int, source: str, item: str, stage: str, message: str) -> None:
    """Record a per-item error once: the same error on a re-run adds no row."""
    row = {"source": source, "item": item, "stage": stage, "message": message}
    db["errors"].insert(storable({"id": stable_id(row), "first_run": run, **row}), ignore=True)


def start_run(db: sqlite_utils.Database, command: str, version: str) -> int:
    table = db["runs"]
    table.insert({"command": command, "version": version, "started_at": now_utc()})
    return table.last_pk


def end_run(db: sqlite_utils.Database, run: int, summary: dict, status: str) -> None:
    """finished, interrupted or failed: only a finished run gets `finished_at`."""
    row = {"status": status, "summary": json.dumps(summary, ensure_ascii=False)}
    if status == "finished":
        row["finished_at"] = now_utc()
    db["runs"].update(run, row)


def record_read(db: sqlite_utils.Database, run: int, account: str, items: int, errors: int, problem: str | None) -> None:
    """How this run's read of an account went (`account_reads`); problem None means complete."""
    row = {"run": run, "account": account, "items": items, "errors": errors, "complete": int(problem is None)}
    db["account_reads"].upsert({**row, "problem": problem}, pk=("run", "account"))
