"""Crash test (issue 11): collects and analyses killed with SIGKILL at several points, then run again, leave the
inventory that one clean run makes: the same content tables, no duplicates, and SQLite's integrity check ok."""

from __future__ import annotations

import contextlib
import json
import signal
import sqlite3
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit.steps import analysis
from audit.cli import cli
from audit.inventory import db as inventory
from audit.inventory.db import open_db
from audit.workers import WORKERS_VARIABLE

from .conftest import jpeg_bytes, write_config
from .test_interrupted_runs import CAMERA, start_command, wait_until_started

PHOTOS = 80
# When each command is killed: as soon as the inventory holds this many photos (collect) or thumbnails (analyze, one
# per photo analysed), early, midway and late. Each run goes on from what the killed ones kept; the analyses, from what
# the collects kept (70 photos at least), so each is killed before its end.
COLLECT_KILLS = (20, 45, 70)
ANALYZE_KILLS = (15, 35, 55)
CONTENT = ("photos", "appearances", "findings", "analyses", "scores", "thumbnails")
RUN_NUMBERS = {"first_run"}  # which run added a row: the killed runs came first


def _flat_camera_roll(root: Path) -> None:
    """Flat pictures, each its own colour, half of them with a position in the file: findings and scores to compare,
    and no text-like strokes, so the analysis takes seconds (the OCR signal skips them)."""
    (root / "photos").mkdir()
    for number in range(PHOTOS):
        gps = (37.55 + number % 4 * 0.01, 126.92) if number % 2 else None
        (root / "photos" / f"IMG_{number:04d}.jpg").write_bytes(jpeg_bytes((number * 3, 255 - number * 3, number), gps=gps))
    (root / "accounts.toml").write_text(CAMERA, encoding="utf-8")


def _run(root: Path, db_name: str, *args: str) -> None:
    """The command run to its end, in this process."""
    result = CliRunner().invoke(cli, [*args, "--db", str(root / db_name)])
    assert result.exit_code == 0, result.output


def _kill_when(root: Path, table: str, rows: int, *args: str, label: str) -> None:
    """The command started in its own process, and killed as soon as `table` holds `rows` rows."""
    process = start_command(root, *args)
    wait_until_started(process, label)
    with contextlib.closing(sqlite3.connect(root / "a.db")) as db:  # WAL: it reads what the command commits
        while process.poll() is None and db.execute(f"select count(*) from {table}").fetchone()[0] < rows:
            time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.communicate()


def _content(path: Path) -> dict[str, list[str]]:
    db = open_db(path)
    tables = {}
    for name in CONTENT:
        rows = ({key: value for key, value in row.items() if key not in RUN_NUMBERS} for row in db[name].rows)
        tables[name] = sorted(json.dumps(row, sort_keys=True, default=bytes.hex) for row in rows)
    return tables


def test_runs_killed_at_several_points_leave_the_inventory_of_a_clean_run(tmp_path, monkeypatch):
    monkeypatch.setenv(WORKERS_VARIABLE, "2")  # analyses killed with their pool of workers
    _flat_camera_roll(tmp_path)
    config = str(tmp_path / "accounts.toml")
    for command in (["collect", config], ["analyze"]):
        _run(tmp_path, "clean.db", *command)
    for rows in COLLECT_KILLS:
        _kill_when(tmp_path, "photos", rows, "collect", config, label="Collecting")
    for rows in ANALYZE_KILLS:  # on what the killed collects kept
        _kill_when(tmp_path, "thumbnails", rows, "analyze", label="Analysing")
    db = open_db(tmp_path / "a.db")
    killed = list(db.query("select command, status from runs"))
    assert killed == [{"command": "collect", "status": None}] * 3 + [{"command": "analyze", "status": None}] * 3
    assert db["scores"].count == 0 and db["thumbnails"].count < PHOTOS  # the kills left work undone

    for command in (["collect", config], ["analyze"]):  # run again, to the end
        _run(tmp_path, "a.db", *command)

    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert list(db.execute("pragma foreign_key_check")) == []
    crashed, clean = _content(tmp_path / "a.db"), _content(tmp_path / "clean.db")
    assert len(clean["thumbnails"]) == PHOTOS and clean["findings"] and clean["scores"]
    for name in CONTENT:
        assert crashed[name] == clean[name], name  # and so no row twice
    assert db["errors"].count == 0


def test_a_migration_stopped_midway_is_applied_whole_by_the_next_run(tmp_path, monkeypatch):
    def stopped_midway(db):  # the step's first change is made, then Ctrl-C (or a kill) comes before the rest
        db["settings"].create({"key": str, "value": str}, pk="key")
        raise KeyboardInterrupt

    monkeypatch.setattr(inventory, "MIGRATIONS", [(name, stopped_midway if name == "0005_settings" else step)
                                                  for name, step in inventory.MIGRATIONS])
    with pytest.raises(KeyboardInterrupt):
        open_db(tmp_path / "a.db")
    monkeypatch.undo()
    db = open_db(tmp_path / "a.db")
    assert [row["name"] for row in db["_migrations"].rows] == [name for name, _ in inventory.MIGRATIONS]
    assert db["settings"].exists()


def test_an_analysis_stopped_between_a_thumbnail_and_its_hash_makes_both_again(tmp_path, photo_folder, monkeypatch):
    _run(tmp_path, "a.db", "collect", str(write_config(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "photos"\n')))

    def ctrl_c(image):
        raise KeyboardInterrupt

    monkeypatch.setattr(analysis, "perceptual_hash", ctrl_c)
    assert CliRunner().invoke(cli, ["analyze", "--db", str(tmp_path / "a.db")]).exit_code == 130
    monkeypatch.undo()
    _run(tmp_path, "a.db", "analyze")
    query = "select phash, thumbnails.photo as thumbnail from photos left join thumbnails on thumbnails.photo = photos.id"
    photos = list(open_db(tmp_path / "a.db").query(query))
    assert len(photos) == 2 and all(photo["phash"] and photo["thumbnail"] for photo in photos)
