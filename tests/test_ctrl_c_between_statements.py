"""A Ctrl-C lands between any two statements of a run: whatever was cut off midway is not kept, the run is still
recorded as interrupted, and nothing is left behind to fail once the inventory is closed.

Deterministic counterpart of test_interrupted_runs' timed Ctrl-Cs: the KeyboardInterrupt is raised just after the
Nth statement returns, for every N of a small collect. Found by that test failing now and then with "Cannot operate
on a closed database" printed under the "interrupted" line: db.atomic()'s generator, left suspended by a Ctrl-C
just after its BEGIN, was finalised after the inventory was closed.
"""

from __future__ import annotations

import gc
import re
import shutil
import signal
import sqlite3
import sys
from pathlib import Path


from audit.config import load_config
from audit.inventory.db import open_db
from audit.inventory.transactions import ctrl_c_waits_for_the_database
from audit.runs import RunLog
from audit.steps import collect

from .conftest import write_config
from .test_interrupted_runs import noise_jpeg

PHOTOS = 2


class InterruptAfter:
    """A sqlite3 connection that gets a Ctrl-C (SIGINT, to this process) once, as its `after`-th statement returns."""

    def __init__(self, conn: sqlite3.Connection):
        self._conn, self.after, self.statements = conn, None, 0

    def execute(self, *args):
        cursor = self._conn.execute(*args)
        self.statements += 1
        if self.statements == self.after:
            signal.raise_signal(signal.SIGINT)
        return cursor

    def __getattr__(self, name):
        return getattr(self._conn, name)


def _collect(tmp_path, number: int, after: int | None) -> int:
    """A collect of the camera roll into inventory `number` (a copy of a new one), cut after `after` statements;
    the number of statements the collect ran."""
    if not (tmp_path / "new.db").exists():
        (tmp_path / "photos").mkdir()
        for index in range(PHOTOS):
            (tmp_path / "photos" / f"IMG_{index}.jpg").write_bytes(noise_jpeg(index))
        write_config(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "photos"\naudience = "anyone"\n')
        open_db(tmp_path / "new.db").close()  # its migrations run once, not once a Ctrl-C
    shutil.copy(tmp_path / "new.db", tmp_path / f"{number}.db")
    db = open_db(tmp_path / f"{number}.db")
    connection = db.conn = InterruptAfter(db.conn)
    try:
        with ctrl_c_waits_for_the_database(), db, RunLog(db, "collect") as log:  # as every command runs
            connection.statements, connection.after = 0, after  # from the collect on: the run's start is not tested
            log.tally.merge(collect(db, load_config(tmp_path / "accounts.toml"), log.run))
            statements = connection.statements  # a Ctrl-C during the run's own record is not what is tested
    except KeyboardInterrupt:
        return after
    assert after is None, "the Ctrl-C was lost"
    return statements


def test_a_ctrl_c_after_any_statement_of_a_collect_keeps_whole_items_and_records_the_run(tmp_path, monkeypatch):
    left_behind = []
    monkeypatch.setattr(sys, "unraisablehook", left_behind.append)
    statements = _collect(tmp_path, 0, None)
    assert statements > 20
    for after in range(1, statements + 1):
        _collect(tmp_path, after, after)
        gc.collect()  # what a cut-off block left suspended is finalised now, after the inventory was closed
        assert not left_behind, (after, [str(hook.exc_value) for hook in left_behind])
        db = open_db(tmp_path / f"{after}.db")
        run = next(db.query("select * from runs"))
        assert run["status"] == "interrupted" and run["finished_at"] is None, after
        # all of an item or none: every photo kept has its post, and the run recorded each one it kept
        assert db["photos"].count == db["appearances"].count == db["sightings"].count <= PHOTOS, after
        # the account's read is complete only if every photo was kept; else nothing of it may be called gone
        reads = [(read["complete"], read["problem"]) for read in db["account_reads"].rows]
        assert reads in ([], [(0, "interrupted")]) or (reads == [(1, None)] and db["photos"].count == PHOTOS), after
        db.close()


def test_no_module_opens_a_transaction_with_db_atomic():
    """transaction(db) only: db.atomic()'s generator, cut by a Ctrl-C just after its BEGIN, fails later (see above);
    `with db.conn:` begins nothing (sqlite_utils commits each statement), so it holds no statements together."""
    package = Path(__file__).resolve().parent.parent / "audit"
    users = [path.name for path in package.rglob("*.py") if re.search(r"\.atomic\(|with [\w.]*conn:", path.read_text(encoding="utf-8"))]
    assert users == []
