"""The analyze step: every photo signal on the photos it has not analysed at its version, on every core, then the
inventory signals."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

import sqlite_utils

from ..errors import plain_message
from ..faces import identity as faceid
from ..inventory import imaging, video
from ..inventory.db import record_error, stable_id, storable
from ..inventory.dedupe import group_near_duplicates, perceptual_hash
from ..inventory.photo import PhotoView
from ..inventory.transactions import transaction
from ..models import Finding
from ..signals import SIGNALS, Signal
from ..workers import WorkerDied, run_jobs
from .tally import Bar, Tally, no_bar

ANALYSING = "analysing"  # the tally's mark that the analysis began (0: a mark, not a count)


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


def analyze(db: sqlite_utils.Database, run: int, bar: Bar = no_bar, tally: Tally | None = None) -> Tally:
    """Run every signal whose version or inputs changed since it last ran on a photo; count into `tally` (the run's
    own, so that a run cut short still shows that it was analysing: runs.summary_lines) and return it.

    Photos are analysed on every core (audit/workers.py); this process alone writes, one transaction per photo,
    so an interrupted run keeps every photo it finished and the next run does the rest."""
    tally = Tally() if tally is None else tally
    tally.add(ANALYSING, 0)
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
