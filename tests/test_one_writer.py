"""One writer at a time (issue 11), with real processes: a second run on the same inventory waits a few seconds,
then stops with exit code 6 naming the run that writes; a report reads while a collect writes (WAL)."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

from click.testing import CliRunner

from audit.cli import cli
from audit.inventory.db import open_db
from audit.inventory.lock import WAIT_SECONDS

from .test_interrupted_runs import _camera_roll, _full_collect, _start_collect, start_command, wait_until_started

PHOTOS = 40


def _collect_holding_the_lock(root: Path) -> subprocess.Popen:
    """A collect stopped (SIGSTOP) as soon as it holds the inventory's lock: it keeps it as long as the test needs."""
    process = _start_collect(root)
    lock = root / "a.db.lock"
    while f"pid {process.pid}:" not in (lock.read_text(encoding="utf-8") if lock.exists() else ""):
        assert process.poll() is None, "the collect ended before it took the lock"
        time.sleep(0.001)
    process.send_signal(signal.SIGSTOP)
    return process


def _finish(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGCONT)
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 0, errors.decode()


def test_a_second_run_waits_then_stops_naming_the_run_that_writes(tmp_path):
    _camera_roll(tmp_path, PHOTOS)
    first = _collect_holding_the_lock(tmp_path)
    try:
        started = time.monotonic()
        second = _start_collect(tmp_path)
        _, errors = second.communicate(timeout=60)
        waited = time.monotonic() - started
    finally:
        _finish(first)
    message = errors.decode()
    assert second.returncode == 6, message
    assert f"is being written by another photo-audit run (pid {first.pid}: photo-audit collect, started " in message
    assert "Traceback" not in message and waited >= WAIT_SECONDS
    db = open_db(tmp_path / "a.db")
    assert db["photos"].count == PHOTOS and [row["command"] for row in db["runs"].rows] == ["collect"]
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"


def test_a_second_run_goes_on_when_the_first_ends_within_the_wait(tmp_path):
    _camera_roll(tmp_path, PHOTOS)
    first = _collect_holding_the_lock(tmp_path)
    second = _start_collect(tmp_path)
    time.sleep(1)
    _finish(first)
    _, errors = second.communicate(timeout=60)
    assert second.returncode == 0, errors.decode()
    runs = list(open_db(tmp_path / "a.db").query("select status from runs order by id"))
    assert runs == [{"status": "finished"}, {"status": "finished"}]


def test_a_report_reads_while_a_collect_writes(tmp_path):
    _camera_roll(tmp_path, PHOTOS)
    _full_collect(tmp_path)
    outputs = ["--out", str(tmp_path / "r.html"), "--json", str(tmp_path / "r.json")]
    assert CliRunner().invoke(cli, ["report", "--db", str(tmp_path / "a.db"), *outputs]).exit_code == 0  # scored
    db = open_db(tmp_path / "a.db")
    assert db.journal_mode == "wal" and db.execute("pragma synchronous").fetchone()[0] == 1  # NORMAL
    (tmp_path / "r.json").unlink()
    writer = _start_collect(tmp_path)
    wait_until_started(writer)
    writer.send_signal(signal.SIGSTOP)  # midway through its read, most often
    try:
        report = start_command(tmp_path, "report", *outputs)
        _, errors = report.communicate(timeout=60)
    finally:
        _finish(writer)
    assert report.returncode == 0, errors.decode()
    assert len(json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["photos"]) == PHOTOS
