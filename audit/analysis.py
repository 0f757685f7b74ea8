"""analyze: run every risk signal on the inventory, skipping work that is already done.

Photo signals run once per photo and signal version (and again when a photo's appearances or the
signal's inventory-wide context change). Inventory signals (scope "inventory") look across all
photos at once, after the photo signals, and are recomputed every time: they are cheap.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Iterable

import sqlite_utils

from . import faceid, imaging
from .db import record_error, stable_id, storable
from .dedupe import group_near_duplicates, perceptual_hash
from .errors import plain_message
from .models import Finding
from .photo import PhotoView
from .pipeline import Bar, Tally, no_bar
from .signals import SIGNALS


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
    """Run every signal whose version or inputs changed since it last ran on a photo."""
    tally = Tally()
    signals = [cls() for cls in SIGNALS.values()]
    per_photo = [(signal, signal.prepare(db)) for signal in signals if signal.scope == "photo"]
    total = db["photos"].count
    with bar(photo_views(db), total, "Analysing") as photos:
        for photo in photos:
            _thumbnail(db, photo, run, tally)
            appearance_ids = sorted(a["id"] for a in photo.appearances)
            for signal, fingerprint in per_photo:
                _run_signal(db, signal, photo, stable_id(appearance_ids, fingerprint), run, tally)
    _group_faces(db)
    group_near_duplicates(db)  # inventory signals count a picture and its copies once
    for signal in signals:
        if signal.scope == "inventory":
            _run_inventory_signal(db, signal, run, tally)
    return tally


def _group_faces(db: sqlite_utils.Database) -> None:
    """Without reference photos, group look-alike faces so the user can confirm which group is them."""
    if faceid.available() is None and not faceid.load_references(db):
        faceid.cluster_faces(db)
    else:
        db["face_clusters"].delete_where()


def _thumbnail(db, photo: PhotoView, run: int, tally: Tally) -> None:
    if photo.status != "ok" or photo.media_type != "image" or db["thumbnails"].count_where("photo = ?", [photo.id]):
        return
    try:
        small = imaging.decode(photo.data, max_side=imaging.THUMB_SIDE)
    except Exception as exc:  # one photo that cannot be read or decoded is its own error; the others go on
        record_error(db, run, _where(photo), _item(photo), "decode", plain_message(exc))
        tally.add("errors")
        return
    with db.atomic():
        db["thumbnails"].insert({"photo": photo.id, "jpeg": imaging.jpeg_bytes(small)}, pk="photo", replace=True)
        db["photos"].update(photo.id, {"phash": perceptual_hash(small)})


def _run_signal(db, signal, photo: PhotoView, inputs: str, run: int, tally: Tally) -> None:
    done = db.execute(
        "select 1 from analyses where photo = ? and signal = ? and signal_version = ? and inputs = ?",
        [photo.id, signal.name, signal.version, inputs],
    ).fetchone()
    if done:
        return
    try:
        findings = list(signal.analyze(photo))
    except Exception as exc:  # a bug in one signal must not end the audit either; recorded so it gets reported
        record_error(db, run, _where(photo), _item(photo), f"analyze:{signal.name}", plain_message(exc))
        tally.add("errors")
        return
    with db.atomic():
        db.execute("delete from findings where photo = ? and signal = ?", [photo.id, signal.name])
        _insert_findings(db, signal, ((photo.id, finding) for finding in findings))
        db["analyses"].upsert(
            {"photo": photo.id, "signal": signal.name, "signal_version": signal.version, "inputs": inputs},
            pk=("photo", "signal"),
        )
    tally.add(f"analysed:{signal.name}")


def _run_inventory_signal(db, signal, run: int, tally: Tally) -> None:
    try:
        pairs = list(signal.analyze_inventory(db))
    except sqlite3.Error:
        raise  # the inventory itself cannot be used: that stops the run
    except Exception as exc:
        record_error(db, run, "inventory", signal.name, f"analyze:{signal.name}", plain_message(exc))
        tally.add("errors")
        return
    with db.atomic():
        db.execute("delete from findings where signal = ?", [signal.name])
        _insert_findings(db, signal, pairs)
    tally.add(f"analysed:{signal.name}")


def _insert_findings(db, signal, pairs: Iterable[tuple[str, Finding]]) -> None:
    for photo_id, finding in pairs:
        # Metadata is hostile text: a lone surrogate in a caption or in EXIF must not stop the run.
        summary = storable(finding.summary)
        evidence = json.dumps(storable(finding.evidence), ensure_ascii=False, sort_keys=True, default=str)
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
            },
            pk="id",
            ignore=True,
        )


def _where(photo: PhotoView) -> str:
    return photo.appearances[0]["account"] if photo.appearances else "inventory"


def _item(photo: PhotoView) -> str:
    return photo.appearances[0]["source_item"] if photo.appearances else photo.id
