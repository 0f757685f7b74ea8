"""Only complete reads are compared: a collect killed, stopped with Ctrl-C or cut short by a 503 lists nothing as
gone, hides no photo from the report, and the next full run calls no old photo new."""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import responses
from bs4 import BeautifulSoup
from click.testing import CliRunner
from PIL import Image

from audit.cli import cli
from audit.config import load_config
from audit.inventory import db as inventory
from audit.inventory.db import open_db
from audit.sources.readers.html_images import WebSource

from .conftest import write_config

ROOT = Path(__file__).resolve().parent.parent
PHOTOS = 200
KILLS = 12
CTRL_CS = 3
CAMERA = '[[accounts]]\nplatform = "folder"\npath = "photos"\nlabel = "Camera roll"\naudience = "anyone"\n'


def noise_jpeg(seed: int, size=(32, 24)) -> bytes:
    """A tiny JPEG of random pixels: every seed a different picture, and no two near-duplicates."""
    image = Image.frombytes("RGB", size, random.Random(seed).randbytes(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


def _camera_roll(root: Path, photos: int = PHOTOS) -> Path:
    (root / "photos").mkdir()
    for number in range(photos):
        (root / "photos" / f"IMG_{number:04d}.jpg").write_bytes(noise_jpeg(number))
    return write_config(root, CAMERA)


def _report(root: Path) -> tuple[dict, BeautifulSoup]:
    """`photo-audit report --json`, as the user runs it after the collect: its data and its changes section."""
    args = ["report", "--db", str(root / "a.db"), "--out", str(root / "r.html"), "--json", str(root / "r.json")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    html = BeautifulSoup((root / "r.html").read_text(encoding="utf-8"), "html.parser")
    return json.loads((root / "r.json").read_text(encoding="utf-8")), html.find("section", attrs={"aria-labelledby": "changes"})


def start_command(root: Path, *args: str) -> subprocess.Popen:
    """`photo-audit ARGS --db a.db` as its own process in `root` (also used by test_crash and test_one_writer)."""
    command = [sys.executable, "-m", "audit", *args, "--db", str(root / "a.db")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # Ctrl-C as a terminal gives it, even when these tests run in the background: a shell starts background jobs
    # with SIGINT ignored, and the command would inherit that and never see one.
    return subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=root, preexec_fn=_default_ctrl_c
    )


def _default_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_collect(root: Path) -> subprocess.Popen:
    """A collect that reads every file again, as of an export downloaded again (the same bytes, new times): files
    known unchanged are not read, and a read that short leaves no time to interrupt it midway."""
    for path in (root / "photos").iterdir():
        os.utime(path, ns=(time.time_ns(), time.time_ns()))
    return start_command(root, "collect", str(root / "accounts.toml"))


def wait_until_started(process: subprocess.Popen, label: str = "Collecting") -> None:
    """The progress label is printed when the account's read (Collecting) or the analysis (Analysing) begins."""
    for line in process.stderr:
        if line.startswith(label.encode()):
            return
    raise AssertionError(f"never started: no {label!r} line")


def _full_collect(root: Path) -> float:
    """A collect left to finish; returns how long it read the account, in seconds."""
    process = _start_collect(root)
    wait_until_started(process)
    started = time.monotonic()
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 0, errors.decode()
    return time.monotonic() - started


def _latest_run(root: Path) -> dict:
    db = open_db(root / "a.db")
    run = next(db.query("select * from runs order by id desc limit 1"))
    return {**run, "seen": db["sightings"].count_where("run = ?", [run["id"]])}


def _assert_nothing_gone_and_nothing_hidden(root: Path) -> dict:
    data, section = _report(root)
    changes = data["changes"]
    assert changes["gone"] == [] and changes["still_elsewhere"] == [] and changes["new_unscored"] == 0
    assert len(data["photos"]) == PHOTOS  # a partial read hides no photo from the report
    if changes["skipped"]:
        assert [(s["account_display"], s["why"]) for s in changes["skipped"]] == [("Camera roll", "interrupted")]
        [item] = [" ".join(li.get_text().split()) for li in section.select("ul.changes-skipped > li")]
        assert item == "Camera roll: the audit stopped (interrupted or killed) before it finished reading this account."
        assert not section.find(class_="changes-none")  # nothing was compared: not "nothing changed"
        assert "could not be compared with the previous one" in section.get_text()
    return changes


def _assert_a_full_run_finds_nothing_new_and_deletions_still_show(root: Path) -> None:
    _full_collect(root)
    changes = _assert_nothing_gone_and_nothing_hidden(root)
    assert changes["compared"] == ["Camera roll"] and changes["skipped"] == [] and changes["new"] == []
    deleted = ["IMG_0007.jpg", "IMG_0042.jpg", "IMG_0199.jpg"]
    for name in deleted:
        (root / "photos" / name).unlink()
    _full_collect(root)
    data, _ = _report(root)
    assert sorted(entry["label"] for entry in data["changes"]["gone"]) == deleted
    assert data["changes"]["new_unscored"] == 0 and len(data["photos"]) == PHOTOS - len(deleted)


def test_a_collect_killed_at_random_points_lists_nothing_as_gone(tmp_path):
    _camera_roll(tmp_path)
    _full_collect(tmp_path)
    data, _ = _report(tmp_path)
    assert data["changes"] is None and len(data["photos"]) == PHOTOS
    reading = _full_collect(tmp_path)  # a re-read, as long as the ones to kill (the first also stores the photos)
    chance = random.Random(20240614)
    midway = 0
    for _ in range(KILLS):
        process = _start_collect(tmp_path)
        wait_until_started(process)
        time.sleep(chance.uniform(0, 0.8 * reading))  # the rest of `reading` is closing the run and Python
        process.send_signal(signal.SIGKILL)
        process.communicate()
        run = _latest_run(tmp_path)
        if run["seen"] < PHOTOS:  # killed before the end of the read: never marked finished
            assert run["finished_at"] is None and run["status"] is None
            midway += 1
        _assert_nothing_gone_and_nothing_hidden(tmp_path)
    assert midway >= KILLS // 3  # kills landed in the middle of the read (9 to 12 of 12 where measured)
    _assert_a_full_run_finds_nothing_new_and_deletions_still_show(tmp_path)


def test_ctrl_c_during_a_collect_lists_nothing_as_gone(tmp_path):
    _camera_roll(tmp_path)
    _full_collect(tmp_path)
    chance = random.Random(130)
    for _ in range(CTRL_CS):
        process = _start_collect(tmp_path)
        wait_until_started(process)
        # By what it has read, not by a time: on a loaded machine a time measured before can outlast the read.
        _wait_until_kept(tmp_path, process, chance.randint(1, PHOTOS // 2))
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=60)
        assert process.returncode == 130, errors.decode()
        assert "photo-audit: interrupted: what was done is kept" in errors.decode() and b"Traceback" not in errors
        run = _latest_run(tmp_path)
        assert run["status"] == "interrupted" and run["finished_at"] is None and run["seen"] < PHOTOS
        assert _assert_nothing_gone_and_nothing_hidden(tmp_path)["skipped"]
    _assert_a_full_run_finds_nothing_new_and_deletions_still_show(tmp_path)


def _wait_until_kept(root: Path, process: subprocess.Popen, photos: int) -> None:
    """Until the running collect has kept `photos` photos (its run's sightings), seen from another connection."""
    with contextlib.closing(sqlite3.connect(f"file:{root / 'a.db'}?mode=ro", uri=True)) as inventory:
        while process.poll() is None:
            seen = "select count(*) from sightings where run = (select max(id) from runs)"
            if inventory.execute(seen).fetchone()[0] >= photos:
                return
            time.sleep(0.002)
    raise AssertionError(f"the collect ended before it had kept {photos} photos")


@pytest.mark.parametrize("after", [0.05, 0.2, 0.5])
def test_ctrl_c_while_the_command_starts_ends_it_quietly(tmp_path, after):
    _camera_roll(tmp_path, photos=20)
    _full_collect(tmp_path)
    process = start_command(tmp_path, "analyze")  # loading the modules takes most of a second
    time.sleep(after)
    process.send_signal(signal.SIGINT)
    _, errors = process.communicate(timeout=60)
    # 130: stopped by photo-audit; -SIGINT: by the signal itself. On a loaded machine the Ctrl-C can land while
    # Python itself starts (runpy, importlib: exit 1 or -SIGINT), before any line of photo-audit ran: out of its hands.
    before_us = b"Traceback" in errors and str(ROOT / "audit").encode() not in errors
    assert process.returncode in (130, -signal.SIGINT) and b"Traceback" not in errors or before_us, errors.decode()


SITE = "https://minji-blog.example"
TOKEN = "photo-audit-verify-0a1b2c3d4e"
PAGES, PER_PAGE = 5, 4


def _serve_blog(http: responses.RequestsMock, unavailable: int | None = None) -> None:
    """A blog of PAGES posts with PER_PAGE pictures each; post `unavailable` answers 503 every time."""
    http.reset()
    http.add(responses.GET, f"{SITE}/robots.txt", body=b"User-agent: *\nAllow: /\n", content_type="text/plain")
    links = "".join(f'<a href="/post/{page}">post {page}</a>' for page in range(PAGES))
    home = f'<html><head><meta name="photo-audit-verification" content="{TOKEN}"></head><body>{links}</body></html>'
    http.add(responses.GET, f"{SITE}/", body=home.encode(), content_type="text/html")
    for page in range(PAGES):
        images = "".join(f'<img src="/img/{page}-{n}.jpg">' for n in range(PER_PAGE))
        body, status = (b"<h1>Service Unavailable</h1>", 503) if page == unavailable else (images.encode(), 200)
        http.add(responses.GET, f"{SITE}/post/{page}", body=body, status=status, content_type="text/html")
        for n in range(PER_PAGE):
            http.add(responses.GET, f"{SITE}/img/{page}-{n}.jpg", body=noise_jpeg(1000 + 10 * page + n), content_type="image/jpeg")


def _collect(root: Path) -> None:
    result = CliRunner().invoke(cli, ["collect", str(root / "accounts.toml"), "--db", str(root / "a.db")])
    assert result.exit_code == 0, result.output  # a page that cannot be read is listed, not fatal


def test_a_page_that_answered_503_lists_nothing_as_gone_and_the_next_full_run_nothing_as_new(tmp_path, http, monkeypatch):
    monkeypatch.setattr(WebSource, "sleep", staticmethod(lambda seconds: None))
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.jpg").write_bytes(noise_jpeg(1))
    config = write_config(tmp_path, f'[[accounts]]\nplatform = "website"\nurl = "{SITE}/"\nlabel = "Blog"\n' + CAMERA)
    db = open_db(tmp_path / "a.db")
    db["proof_tokens"].insert({"account": load_config(config).accounts[0].key, "token": TOKEN, "created_at": "2025-01-01T00:00:00Z"})
    everything = PAGES * PER_PAGE + 1
    _serve_blog(http)
    _collect(tmp_path)
    first = _latest_run(tmp_path)
    _serve_blog(http, unavailable=2)
    _collect(tmp_path)
    assert any(call.response.status_code == 503 for call in http.calls)
    data, section = _report(tmp_path)
    changes = data["changes"]
    assert changes["gone"] == [] and changes["still_elsewhere"] == [] and changes["new_unscored"] == 0
    assert len(data["photos"]) == everything  # the 4 pictures of the page not read are still posted
    assert [(s["account_display"], s["why"], s["errors"]) for s in changes["skipped"]] == [("Blog", "errors", 1)]
    assert changes["compared"] == ["Camera roll"]
    assert [" ".join(li.get_text().split()) for li in section.select("ul.changes-skipped > li")] == [
        "Blog: 1 item could not be read this time."]
    _serve_blog(http)
    _collect(tmp_path)
    data, section = _report(tmp_path)
    changes = data["changes"]
    assert changes["new"] == [] and changes["new_unscored"] == 0 and changes["gone"] == [] and changes["skipped"] == []
    assert changes["compared"] == ["Blog", "Camera roll"] and len(data["photos"]) == everything
    # The blog is compared with its last complete read, the first audit, and the report says so.
    assert changes["earlier"] == [{"account_display": "Blog", "since": first["started_at"]}]
    assert "Blog is compared with the audit of" in section.get_text() and section.find(class_="changes-none")


def test_an_older_inventory_keeps_what_its_finished_runs_saw(tmp_path, monkeypatch):
    """Inventories made before account_reads: each finished collect counts as a complete read of what it saw."""
    monkeypatch.setattr(inventory, "MIGRATIONS", [m for m in inventory.MIGRATIONS if m[0] < "0007"])
    db = open_db(tmp_path / "old.db")
    db["accounts"].insert({"key": "folder:photos", "platform": "folder", "display": "photos"})
    for name in ("kept", "deleted"):
        db["photos"].insert({"id": name, "status": "ok"})
        db["appearances"].insert({"id": name, "photo": name, "account": "folder:photos", "media_name": f"{name}.jpg"})
    for run, seen, finished in ((1, ("kept", "deleted"), "2025-01-01T00:01:00Z"), (2, ("kept",), "2025-02-01T00:01:00Z"),
                                (3, ("kept",), None)):
        db["runs"].insert({"id": run, "command": "collect", "started_at": finished or "2025-03-01T00:00:00Z", "finished_at": finished})
        db["sightings"].insert_all([{"run": run, "appearance": name} for name in seen])
    monkeypatch.undo()
    db = open_db(tmp_path / "old.db")
    reads = [(r["run"], r["items"], r["complete"]) for r in db.query("select * from account_reads order by run")]
    assert reads == [(1, 2, 1), (2, 1, 1)]
    assert [row["id"] for row in db.query("select id from current_appearances")] == ["kept"]
    assert [row["status"] for row in db.query("select status from runs order by id")] == ["finished", "finished", None]
