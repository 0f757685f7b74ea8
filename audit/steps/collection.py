"""The collect step: every account's items into the inventory, each photo stored once by its content's hash."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import sqlite_utils

from .. import proof
from ..config import Account, Config
from ..errors import AuditError, ProofError, UnsafeInputError, plain_message
from ..faces import identity as faceid
from ..inventory import imaging, video
from ..inventory.archive import file_signature, read_origin
from ..inventory.db import insert_ignore, raw_bytes, record_error, record_read, stable_id, storable
from ..inventory.dedupe import group_near_duplicates
from ..inventory.transactions import transaction
from ..models import ANYONE, Item, ItemError
from ..sources import SOURCES
from .tally import Bar, Tally, no_bar


def collect(db: sqlite_utils.Database, config: Config, run: int, bar: Bar = no_bar) -> Tally:
    tally = Tally()
    db["settings"].upsert({"key": "targets", "value": json.dumps(config.targets, sort_keys=True)}, pk="key")
    # Every account is "interrupted" until its read ends: a run killed or stopped midway proves nothing gone.
    for account in config.accounts:
        _store_account(db, account)
        record_read(db, run, account.key, 0, 0, "interrupted")
    for account in config.accounts:
        tally.merge(_collect_account(db, account, run, bar))
    group_near_duplicates(db)  # what is known already (a video by its post, photos hashed before): the summary counts it
    if config.me and faceid.available() is None:  # without dlib the report says so; nothing to record per photo
        for error in faceid.store_references(db, config.me):
            record_error(db, run, "me", error.source_item, error.stage, error.message)
            tally.add("errors")
    return tally


def _collect_account(db: sqlite_utils.Database, account: Account, run: int, bar: Bar) -> Tally:
    """One account's items into the inventory, then whether the read was complete (`account_reads`)."""
    tally = Tally()
    source = SOURCES[account.platform](account)
    if source.live:
        source.proof_token = proof.token_for(db, account.key)
        source.proven_before = proof.is_verified(db, account.key)
    stopped = None  # the tally key of an error that stopped the whole account
    try:
        with bar(source.items(), None, f"Collecting {account.display}") as items:
            for obj in items:
                _store(db, account, obj, run, tally)
    except sqlite3.Error:
        raise  # the inventory itself cannot be used: that stops the run
    except Exception as exc:  # the account is unusable (or its source met a bug); the other accounts go on
        record_error(db, run, account.key, str(account.path or account.url or account.handle), "collect", plain_message(exc))
        stopped = _stop_key(exc)
        tally.add(stopped)
    if source.proof_seen:
        proof.mark_verified(db, account.key)
    record_read(db, run, account.key, tally.counts.get("items", 0), tally.counts.get("errors", 0), _problem(tally, stopped))
    return tally


def _stop_key(exc: Exception) -> str:
    """Refused on purpose (unproven, unsafe: the exit code says so though the other accounts went on), or errors."""
    if isinstance(exc, ProofError):
        return "unproven"
    return "unsafe" if isinstance(exc, UnsafeInputError) else "errors"


def _problem(tally: Tally, stopped: str | None) -> str | None:
    """Why the read is not complete (see db._add_account_reads), or None."""
    if stopped:
        return "failed" if stopped == "errors" else "refused"
    if tally.counts.get("errors"):
        return "errors"
    return None if tally.counts.get("items") else "empty"


def reads(db: sqlite_utils.Database, run: int) -> list[dict]:
    """How the run read each account: display, path, place (path, address or handle), items, problem..."""
    query = (
        "select accounts.display, accounts.path, coalesce(accounts.path, accounts.url, accounts.handle) as place, account_reads.* "
        "from account_reads join accounts on accounts.key = account_reads.account where run = ? order by accounts.display"
    )
    return list(db.query(query, [run]))


def _store_account(db: sqlite_utils.Database, account: Account) -> None:
    _retire_label_key(db, account)
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


def _retire_label_key(db: sqlite_utils.Database, account: Account) -> None:
    """Inventories made before keys left labels (0.1.0) hold this account under `platform:label`: its posts there
    would count twice, as an account never read again. Its rows go (its photos and findings stay; this collect
    writes its posts anew under the new key); so does its proof, which a label could borrow."""
    old = f"{account.platform}:{account.handle or account.label or account.url or (account.path.name if account.path else '')}"
    row = next(db.query("select * from accounts where key = ?", [old]), None)
    same = row and (row["url"], row["handle"], row["path"]) == (account.url, account.handle, str(account.path) if account.path else None)
    if old == account.key or not same:
        return
    with transaction(db):
        db.execute("delete from sightings where appearance in (select id from appearances where account = ?)", [old])
        for table in ("appearances", "account_reads", "proof_tokens"):
            db.execute(f"delete from {table} where account = ?", [old])
        db.execute("delete from accounts where key = ?", [old])


def _store(db, account: Account, obj: Item | ItemError, run: int, tally: Tally) -> None:
    if isinstance(obj, ItemError):
        record_error(db, run, account.key, obj.source_item, obj.stage, obj.message)
        tally.add({"skip": "skipped", "note": "notes"}.get(obj.stage, "errors"))
        return
    try:
        with transaction(db):  # all of the item or none: a run killed midway leaves no photo without its post
            photo_id, note = _store_photo(db, account, obj, run)
            _store_appearance(db, account, obj, photo_id, note, run)
    except sqlite3.Error:
        raise  # the inventory itself cannot be used: that stops the run
    except Exception as exc:  # whatever one item raises (a damaged file, a malformed value) is that item's error
        record_error(db, run, account.key, obj.source_item, "collect", plain_message(exc))
        tally.add("errors")
        return
    tally.add("items")


def _store_photo(db, account: Account, item: Item, run: int) -> tuple[str, str | None]:
    """Insert the photo row once per distinct content; returns its id and a note for the appearance."""
    signature = None
    if item.origin is None:
        photo_id = hashlib.sha256(raw_bytes(f"missing:{account.key}:{item.media_name}")).hexdigest()
        row = {"status": "missing", "media_type": item.media_type}
        note = f"media file {item.media_name} is not in the export"
    else:
        signature = file_signature(item.origin)
        signature = stable_id(*signature) if signature else None
        known = signature and _known_photo(db, signature)
        if known:
            return known, None
        data = read_origin(item.origin)
        photo_id = hashlib.sha256(data).hexdigest()
        row = {"bytes": len(data), "origin": json.dumps(item.origin.as_dict()), **_describe(data, item)}
        note = None
        if row["status"] == "unreadable":
            record_error(db, run, account.key, item.source_item, "decode", row.pop("problem"))
    db["photos"].insert({"id": photo_id, "first_run": run, **row}, pk="id", ignore=True)
    if signature and row["status"] == "ok":
        db["known_files"].insert({"signature": signature, "photo": photo_id}, pk="signature", replace=True)
    return photo_id, note


def _known_photo(db, signature: str) -> str | None:
    """The photo a file was when last read, if it has not changed since (and was readable: errors are said again)."""
    query = "select photo from known_files join photos on photos.id = photo where signature = ? and status = 'ok'"
    row = next(db.query(query, [signature]), None)
    return row["photo"] if row else None


def _describe(data: bytes, item: Item) -> dict:
    if item.media_type == "video" and not video.is_cover(data):
        return _describe_video(data, item)
    if item.media_type != "image":
        return {"status": "ok", "media_type": item.media_type, "format": item.media_name.rsplit(".", 1)[-1].upper()}
    try:
        image = imaging.probe(data)
    except AuditError as exc:
        return {"status": "unreadable", "media_type": "image", "problem": exc.message}
    return {"status": "ok", "media_type": "image", "format": image.format, "width": image.width, "height": image.height}


def _describe_video(data: bytes, item: Item) -> dict:
    """A video's header, read as an image's is: a file that cannot be opened is unreadable from the start."""
    try:
        header = video.probe(data)
    except AuditError as exc:
        return {"status": "unreadable", "media_type": "video", "problem": exc.message}
    return {"status": "ok", "media_type": "video", "format": header["format"], "width": header["width"], "height": header["height"]}


def _store_appearance(db, account: Account, item: Item, photo_id: str, note: str | None, run: int) -> None:
    # Not from source_item: a newer export of the same account renames files and shifts record
    # indexes, and the same post must keep its id so that runs can be compared.
    appearance_id = stable_id(account.key, item.kind, item.media_name, item.post_id)
    insert_ignore(db, "sightings", {"run": run, "appearance": appearance_id})
    audience = audience_of(account, item)
    row = storable({
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
        "tagged_users": item.tagged_users,
        "audience": audience,
        "extra": item.extra,
        "note": note,
        "source_item": item.source_item,
        "first_run": run,
    })
    row["tagged_users"] = json.dumps(row["tagged_users"], ensure_ascii=False)
    row["extra"] = json.dumps(row["extra"], ensure_ascii=False, sort_keys=True, default=str)
    insert_ignore(db, "appearances", row)
    # Who can see a post changes (archived since, the account made private), and a file can be edited where it is
    # (its location stripped): the latest collect says which picture the post now shows, and to whom.
    db.execute(
        "update appearances set audience = ?, photo = ? where id = ? and (audience is not ? or photo is not ?)",
        [audience, photo_id, appearance_id, audience, photo_id],
    )


def audience_of(account: Account, item: Item) -> str:
    """What the export says, else the config's default for the account, else the source's.

    A profile picture is public even on a private account, whatever the rest says."""
    if item.kind == "profile_photo":
        return ANYONE
    return item.audience or account.audience or SOURCES[account.platform].audience

