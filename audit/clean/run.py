"""`photo-audit clean`: clean copies of the plan's pictures and of files named on the command line, a manifest of
what each copy lost and still shows, and the copies remembered in the inventory for the report's plan.

Originals are only read: every copy is a new file in the output folder, which may not be inside an account's folder
(an export, a folder of photos): a copy there would be collected again as a new photo, and an export stays as the
platform delivered it."""

from __future__ import annotations

import os
import tempfile
from operator import itemgetter
from pathlib import Path
from typing import Callable, Iterator

import sqlite_utils

from ..errors import AuditError, InputError, UsageError
from ..faces import identity as faceid
from ..inventory.db import now_utc, open_db
from ..inventory.transactions import transaction
from ..models import ItemError
from ..workers import WorkerDied, run_jobs
from .make import Checker, Options, make_copy
from .manifest import previous_copies, write_manifest
from .select import Target, file_targets, plan_targets


def clean(db: sqlite_utils.Database | None, files: list[Path], from_plan: bool, out: Path, options: Options,
          me: tuple[Path, ...], lang: str, say: Callable[[str], None]) -> Path:
    """Write the clean copies and the manifest into `out`; the manifest page's path. `db` is the inventory (None
    without one: then only FILES, with `me` to tell her face)."""
    check_out(out, db)
    out.mkdir(mode=0o700, exist_ok=True)
    earlier = previous_copies(out)
    with tempfile.TemporaryDirectory(prefix="photo-audit-clean-") as work:
        faces_db = reference_inventory(db, me, Path(work) / "faces.db", say)
        references, checker = faceid.load_references(faces_db), Checker(faces_db)
        faces_db.close()
        copies, errors = [], []  # (the target's place in the list, its entry): listed in the targets' order
        jobs = _copyable(targets(db, files, from_plan), errors)
        for (index, target), made in run_jobs(copy_target, jobs, use_copier, (out, references, options, checker)):
            if isinstance(made, dict):
                copies.append((index, made))
                say(f"{made['file']}  ({target.source})")
            else:  # one picture that cannot be decoded, or crashes its decoder, ends nothing
                errors.append((index, {"source": target.source, "error": _why_not(made)}))
        copies, errors = ([entry for _, entry in sorted(found, key=itemgetter(0))] for found in (copies, errors))
    for name in earlier - {copy["file"] for copy in copies}:  # an older plan's copies: stale, and not listed any more
        (out / name).unlink(missing_ok=True)
    if db is not None:
        remember(db, out, copies)
    for error in errors:  # listed in the manifest too; said here so that nobody takes a missing copy for a clean one
        say(f"Not copied: {error['source']}: {error['error']}")
    return write_manifest(out, copies, errors, lang, bool(references), options)


def _copyable(found: Iterator[Target | ItemError], errors: list) -> Iterator[tuple[int, Target]]:
    """The targets to copy, numbered; a target that cannot be copied at all goes to `errors` under its number."""
    for index, target in enumerate(found):
        if isinstance(target, ItemError):
            errors.append((index, {"source": target.source_item, "error": target.message}))
        else:
            yield index, target


_COPYING: dict = {}  # in each process that makes copies: what use_copier gave it


def use_copier(out: Path, references: list, options: Options, checker: Checker) -> None:
    """Run once in each process that makes copies (audit/workers.py), before its first copy."""
    _COPYING.update(out=out, references=references, options=options, checker=checker)


def copy_target(job: tuple[int, Target]) -> dict | str:
    """The copy's manifest entry (make.make_copy), or why it could not be made: runs in a worker process."""
    try:
        return make_copy(job[1], _COPYING["out"], _COPYING["references"], _COPYING["options"], _COPYING["checker"])
    except AuditError as exc:
        return exc.message


def _why_not(failure: str | WorkerDied) -> str:
    if isinstance(failure, WorkerDied):
        return "the process making its copy stopped (a crash in a decoder?): run the command again to retry it"
    return failure


def targets(db, files: list[Path], from_plan: bool) -> Iterator[Target | ItemError]:
    if from_plan:
        yield from plan_targets(db)
    yield from file_targets(files)


def check_out(out: Path, db: sqlite_utils.Database | None) -> None:
    """UsageError for an output folder inside an account's folder; InputError when it cannot be made there."""
    resolved = out.resolve()
    for row in (db["accounts"].rows if db is not None else []):
        account = Path(row["path"]).resolve() if row["path"] else None
        if account and account.is_dir() and resolved.is_relative_to(account):
            raise UsageError(f"{out} is inside the folder of the account {row['display']} ({account}): write the "
                             "copies elsewhere, so that the export stays as it is and no copy is collected as a photo")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} is a file: name a folder for the copies")
    parent = resolved.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"{out}: cannot make the folder there ({parent} is missing or not writable)")


def reference_inventory(db, me: tuple[Path, ...], path: Path, say: Callable[[str], None]) -> sqlite_utils.Database:
    """A scratch inventory holding her reference faces: the inventory's, and those of the `me` photos given (never
    written into her inventory, whose analyses depend on its references)."""
    faces_db = open_db(path)
    for problem in faceid.store_references(faces_db, me):  # first: it drops the rows of photos it was not given
        say(f"{problem.source_item}: {problem.message}")
    if db is not None:
        faces_db["reference_faces"].insert_all(db["reference_faces"].rows, pk="id", replace=True)
    return faces_db


def remember(db: sqlite_utils.Database, out: Path, copies: list[dict]) -> None:
    """The copies of inventoried photos, for the report's plan to say where each one is."""
    known = {row["id"] for row in db.query("select id from photos")}
    rows = [{"path": str((out / copy["file"]).resolve()), "photo": copy["photo"], "made_at": now_utc(),
             "covered": int(copy["covered"])} for copy in copies if copy["photo"] in known]
    with transaction(db):
        db["clean_copies"].insert_all(rows, pk="path", replace=True)
