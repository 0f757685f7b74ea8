"""collect -> analyze -> score: the steps behind the CLI, as plain functions.

Each step is idempotent: stable ids come from content hashes, so running it again on the same
inputs adds no rows and changes none. Per-item failures are recorded in `errors` and the step
goes on; only an unusable account or database stops anything, and then only that account.

analyze runs photo signals once per photo and signal version (and again when a photo's appearances or the
signal's inventory-wide context change). Inventory signals (scope "inventory") look across all photos at once,
after the photo signals, and are recomputed every time: they are cheap.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, ContextManager, Iterable

import sqlite_utils

from . import proof
from .config import Account, Config
from .errors import AuditError, ProofError, UnsafeInputError, plain_message
from .faces import identity as faceid
from .inventory import imaging, video
from .inventory.archive import file_signature, read_origin
from .inventory.db import insert_ignore, raw_bytes, record_error, record_read, stable_id, storable
from .inventory.dedupe import group_near_duplicates, perceptual_hash
from .inventory.photo import PhotoView
from .inventory.transactions import transaction
from .models import ANYONE, OTHERS, Finding, Item, ItemError
from .report.actions import card_action
from .scoring import SCORING_VERSION, score_photo
from .signals import SIGNALS, Signal
from .sources import SOURCES
from .workers import WorkerDied, run_jobs

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



def photo_views(db: sqlite_utils.Database) -> Iterable[PhotoView]:
    """Every photo with its appearances, one at a time, so memory stays flat on large inventories.

    Only the ids are read up front: an open cursor on `photos` would lock the tables that the
    caller writes to while iterating.
    """
    ids = [row["id"] for row in db.query("select id from photos order by id")]
    for photo_id in ids:
        row = db["photos"].get(photo_id)
        appearances = list(db.query("select * from appearances where photo = ? order by id", [photo_id]))
        yield PhotoView(row, appearances)


def analyze(db: sqlite_utils.Database, run: int, bar: Bar = no_bar) -> Tally:
    """Run every signal whose version or inputs changed since it last ran on a photo.

    Photos are analysed on every core (audit/workers.py); this process alone writes, one transaction per photo,
    so an interrupted run keeps every photo it finished and the next run does the rest."""
    tally = Tally()
    signals = [cls() for cls in SIGNALS.values()]
    per_photo = [(signal, signal.prepare(db)) for signal in signals if signal.scope == "photo"]
    total = db["photos"].count
    prepared = {signal.name: signal for signal, _ in per_photo}
    done = _done(db)
    with bar(photo_views(db), total, "Analysing") as photos:
        jobs = (job for photo in photos if (job := _job(photo, per_photo, done)))
        for job, outcome in run_jobs(analyze_photo, jobs, use_signals, (list(prepared.values()),)):
            _store_outcome(db, job, outcome, run, tally, prepared)
    _group_faces(db)
    group_near_duplicates(db)  # inventory signals count a picture and its copies once
    for signal in signals:
        if signal.scope == "inventory":
            _run_inventory_signal(db, signal, run, tally)
    return tally


@dataclass
class PhotoJob:
    """What is left to do for one photo: its thumbnail, and the signals (name, inputs) not yet run on it."""

    photo: PhotoView
    thumbnail: bool
    signals: list[tuple[str, str]]


@dataclass
class PhotoOutcome:
    thumbnail: bytes | None = None
    phash: str | None = None
    decode_error: str | None = None
    findings: dict[str, list[Finding]] = field(default_factory=dict)  # by signal
    errors: dict[str, str] = field(default_factory=dict)  # signal -> what went wrong


def _done(db) -> dict[str, set[tuple]]:
    """What each photo already has, read once (a re-run asks it of every photo): its analyses as (signal, version,
    inputs), and "thumbnail"."""
    done: dict[str, set[tuple]] = defaultdict(set)
    for row in db.query("select photo, signal, signal_version, inputs from analyses"):
        done[row["photo"]].add((row["signal"], row["signal_version"], row["inputs"]))
    for row in db.query("select photo from thumbnails"):
        done[row["photo"]].add(("thumbnail",))
    return done


def _job(photo: PhotoView, per_photo: list, done: dict[str, set[tuple]]) -> PhotoJob | None:
    appearance_ids = sorted(a["id"] for a in photo.appearances)
    signals = []
    for signal, fingerprint in per_photo:
        inputs = stable_id(appearance_ids, fingerprint)
        if (signal.name, signal.version, inputs) not in done[photo.id]:
            signals.append((signal.name, inputs))
    thumbnail = photo.status == "ok" and photo.media_type in THUMBNAILED and ("thumbnail",) not in done[photo.id]
    return PhotoJob(photo, thumbnail, signals) if thumbnail or signals else None


THUMBNAILED = ("image", "video")  # a video's thumbnail is one of its frames (_video_thumbnail)
SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3}


_SIGNALS: dict[str, Signal] = {}  # in each process that analyses: the prepared photo signals, by name


def use_signals(signals: list[Signal]) -> None:
    """Set up a process to analyse photos with these prepared signals (they travel to workers by pickling)."""
    _SIGNALS.clear()
    _SIGNALS.update((signal.name, signal) for signal in signals)


def analyze_photo(job: PhotoJob) -> PhotoOutcome:
    """Everything one photo needs, without the inventory: runs in a worker process (or here, with one)."""
    outcome = PhotoOutcome()
    if job.thumbnail and job.photo.media_type == "image":
        try:
            small = job.photo.reduced(imaging.THUMB_SIDE)
            outcome.thumbnail, outcome.phash = imaging.jpeg_bytes(small), perceptual_hash(small)
        except Exception as exc:  # one photo that cannot be read or decoded is its own error; the others go on
            outcome.decode_error = plain_message(exc)
    for name, _ in job.signals:
        try:
            outcome.findings[name] = list(_SIGNALS[name].analyze(job.photo))
        except Exception as exc:  # a bug in one signal must not end the audit either; recorded so it gets reported
            outcome.errors[name] = plain_message(exc)
    if job.thumbnail and job.photo.media_type == "video":
        _video_thumbnail(job.photo, outcome)
    return outcome


def _video_thumbnail(photo: PhotoView, outcome: PhotoOutcome) -> None:
    """The frame of the video's gravest finding that names one (`frame_s`: the best view of a face), else its first.

    No perceptual hash: a video is not the near-duplicate of a photo that looks like one of its frames."""
    framed = [f for found in outcome.findings.values() for f in found if isinstance(f.evidence.get("frame_s"), (int, float))]
    worst = max(framed, key=lambda f: SEVERITY_RANK.get(f.severity, 0), default=None)
    try:
        if video.is_cover(photo.data):  # a video kept as its cover frame: that frame is its thumbnail
            picture = photo.reduced(imaging.THUMB_SIDE)
        else:
            picture = video.frame_at(photo.data, worst.evidence["frame_s"] if worst else 0.0)
        picture.thumbnail((imaging.THUMB_SIDE, imaging.THUMB_SIDE), reducing_gap=1.0)
        outcome.thumbnail = imaging.jpeg_bytes(picture)
    except Exception as exc:  # as for a photo: this video's own error, the others go on
        outcome.decode_error = plain_message(exc)


def _store_outcome(db, job: PhotoJob, outcome: PhotoOutcome | WorkerDied, run: int, tally: Tally, signals: dict) -> None:
    photo = job.photo
    if isinstance(outcome, WorkerDied):
        message = "the process analysing it stopped (a crash in a decoder?); run again to retry it"
        record_error(db, run, _where(photo), _item(photo), "analyze", message)
        tally.add("errors")
        return
    with transaction(db):
        if outcome.decode_error:
            record_error(db, run, _where(photo), _item(photo), "decode", outcome.decode_error)
            tally.add("errors")
        elif outcome.thumbnail:
            db["thumbnails"].insert({"photo": photo.id, "jpeg": outcome.thumbnail}, pk="photo", replace=True)
            db["photos"].update(photo.id, {"phash": outcome.phash})
        # A video that cannot be decoded fails every signal that reads it, with one message: one error, not one a signal.
        failed_by: dict[str, list[str]] = {}
        for name, message in outcome.errors.items():
            failed_by.setdefault(message, []).append(name)
        for message, names in failed_by.items():
            record_error(db, run, _where(photo), _item(photo), f"analyze:{','.join(names)}", message)
            tally.add("errors")
        for name, inputs in job.signals:
            if name in outcome.errors:
                continue
            signal = signals[name]
            db.execute("delete from findings where photo = ? and signal = ?", [photo.id, name])
            _insert_findings(db, signal, ((photo.id, finding) for finding in outcome.findings[name]))
            db["analyses"].upsert(
                {"photo": photo.id, "signal": name, "signal_version": signal.version, "inputs": inputs},
                pk=("photo", "signal"),
            )
            tally.add(f"analysed:{name}")


def _group_faces(db: sqlite_utils.Database) -> None:
    """Without reference photos, group look-alike faces so the user can confirm which group is them."""
    if faceid.available() is None and not faceid.load_references(db):
        faceid.cluster_faces(db)
    else:
        db["face_clusters"].delete_where()


def _run_inventory_signal(db, signal, run: int, tally: Tally) -> None:
    key = f"inputs:{signal.name}"
    try:
        digest = signal.inputs(db)
        stamp = f"{signal.version}:{digest}" if digest else None
        if stamp and stamp == next(db.query("select value from settings where key = ?", [key]), {}).get("value"):
            return  # nothing it reads has changed since its findings were stored
        pairs = list(signal.analyze_inventory(db))
    except sqlite3.Error:
        raise  # the inventory itself cannot be used: that stops the run
    except Exception as exc:
        record_error(db, run, "inventory", signal.name, f"analyze:{signal.name}", plain_message(exc))
        tally.add("errors")
        return
    with transaction(db):
        db.execute("delete from findings where signal = ?", [signal.name])
        _insert_findings(db, signal, pairs)
        db.execute("delete from settings where key = ?", [key])
        if stamp:  # in the findings' own transaction: a run cut short in between leaves no stamp for lost findings
            db.execute("insert into settings (key, value) values (?, ?)", [key, stamp])
    tally.add(f"analysed:{signal.name}")


def _insert_findings(db, signal, pairs: Iterable[tuple[str, Finding]]) -> None:
    for photo_id, finding in pairs:
        # Metadata is hostile text: a lone surrogate in a caption or in EXIF must not stop the run.
        summary = storable(finding.summary)
        evidence = json.dumps(storable(finding.evidence), ensure_ascii=False, sort_keys=True, default=str)
        text = json.dumps(storable(finding.text), ensure_ascii=False, sort_keys=True, default=str)
        db["findings"].insert(
            {
                "id": stable_id(photo_id, signal.name, finding.kind, summary, evidence),
                "photo": photo_id,
                "signal": signal.name,
                "signal_version": signal.version,
                "kind": finding.kind,
                "severity": finding.severity,
                "summary": summary,
                "evidence": evidence,
                "text": text,
            },
            pk="id",
            ignore=True,
        )


def _where(photo: PhotoView) -> str:
    return photo.appearances[0]["account"] if photo.appearances else "inventory"


def _item(photo: PhotoView) -> str:
    return photo.appearances[0]["source_item"] if photo.appearances else photo.id


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
