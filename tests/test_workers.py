"""Analysing on every core (audit/workers.py): the pool gives what one process gives, loses no job when a worker
dies, stops cleanly on Ctrl-C, and leaves no process behind."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from concurrent.futures import ProcessPoolExecutor

import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw

from audit import workers
from audit.cli import cli
from audit.inventory.db import open_db

from .conftest import FIXTURES, jpeg_bytes, write_config
from .test_interrupted_runs import CAMERA, start_command, wait_until_started

JOBS = 24
FACES = FIXTURES / "images" / "faces"


def pid_of(job: int) -> tuple[int, int]:
    return job, os.getpid()


def end_on_seven(job: int) -> int:
    if job == 7:
        os._exit(3)  # as a native crash in a decoder would: no exception, no answer
    return job * job


def nothing() -> None:
    pass


def test_the_pool_does_every_job_once_in_other_processes():
    results = list(workers.run_jobs(pid_of, range(JOBS), nothing, workers=2))
    assert sorted(job for job, _ in results) == list(range(JOBS))
    assert all(result[0] == job for job, result in results)
    assert {pid for _, (_, pid) in results} - {os.getpid()}, "no job ran in a worker"


def test_a_handful_of_jobs_runs_here_in_order():
    assert [result for _, result in workers.run_jobs(pid_of, range(3), nothing, workers=2)] == [(n, os.getpid()) for n in range(3)]


def test_a_worker_that_dies_costs_only_the_jobs_it_had_in_hand():
    results = dict(workers.run_jobs(end_on_seven, range(JOBS), nothing, workers=2))
    assert sorted(results) == list(range(JOBS))  # every job answered once
    died = [job for job, result in results.items() if isinstance(result, workers.WorkerDied)]
    assert 7 in died and len(died) <= 2 * workers.IN_FLIGHT_PER_WORKER
    assert all(results[job] == job * job for job in results if job not in died)


def test_worker_count_reads_the_variable_and_ignores_a_malformed_one(monkeypatch):
    monkeypatch.setenv(workers.WORKERS_VARIABLE, "3")
    assert workers.worker_count() == 3
    monkeypatch.setenv(workers.WORKERS_VARIABLE, "many")
    assert workers.worker_count() == len(os.sched_getaffinity(0))


def _camera_roll(root, photos: int) -> None:
    """Photos with faces (real ones, from the fixtures) and with positions in the file, so every signal finds something."""
    (root / "photos").mkdir()
    faces = sorted(path for path in FACES.iterdir() if path.suffix in (".jpg", ".png"))
    for number in range(photos):
        if number < len(faces):
            shutil.copy(faces[number], root / "photos" / f"face_{number}{faces[number].suffix}")
        else:
            gps = (37.55 + number % 3 * 0.01, 126.92) if number % 2 else None
            (root / "photos" / f"IMG_{number:04d}.jpg").write_bytes(jpeg_bytes((number * 5, 90, 200 - number), gps=gps))
    write_config(root, CAMERA)


def _analysed(root, monkeypatch, worker_count: int) -> dict:
    monkeypatch.setenv(workers.WORKERS_VARIABLE, str(worker_count))
    db_path = str(root / f"{worker_count}.db")
    for command in (["collect", str(root / "accounts.toml")], ["analyze"]):
        result = CliRunner().invoke(cli, [*command, "--db", db_path])
        assert result.exit_code == 0, result.output
    db = open_db(root / f"{worker_count}.db")
    return {
        "findings": sorted((r["photo"], r["signal"], r["kind"], r["summary"], r["evidence"]) for r in db["findings"].rows),
        "analyses": sorted((r["photo"], r["signal"], r["signal_version"], r["inputs"]) for r in db["analyses"].rows),
        "thumbnails": sorted((r["photo"], r["jpeg"]) for r in db["thumbnails"].rows),
        "phash": sorted((r["id"], r["phash"]) for r in db["photos"].rows),
        "errors": db["errors"].count,
    }


def test_two_workers_find_exactly_what_one_process_finds(tmp_path, monkeypatch):
    _camera_roll(tmp_path, 20)
    alone = _analysed(tmp_path, monkeypatch, 1)
    pooled = _analysed(tmp_path, monkeypatch, 2)
    assert alone["findings"] and alone["errors"] == 0
    assert {signal for _, signal, *_ in alone["findings"]} >= {"faces", "exif"}
    assert pooled == alone


def _workers_of(process: subprocess.Popen) -> list[int]:
    children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    return [int(pid) for pid in children]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = open(f"/proc/{pid}/stat").read() if os.path.exists(f"/proc/{pid}/stat") else ""
    return " Z " not in stat  # a zombie has ended: it only waits to be reaped


def _portraits(root, photos: int) -> None:
    """Distinct photos of a real face: each costs the detector and the face encoder, so an analysis lasts seconds."""
    (root / "photos").mkdir()
    face = Image.open(FACES / "sk_astronaut.png").convert("RGB")
    for number in range(photos):
        ImageDraw.Draw(face).rectangle((0, 0, 15, 15), fill=(number * 6, 255 - number * 6, 0))  # another photo, the same face
        face.save(root / "photos" / f"IMG_{number:04d}.jpg", quality=90)
    write_config(root, CAMERA)


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill"])
def test_a_stopped_analysis_leaves_no_worker_behind_and_the_next_run_finishes(tmp_path, how, monkeypatch):
    monkeypatch.setenv(workers.WORKERS_VARIABLE, "2")
    _portraits(tmp_path, 40)
    assert CliRunner().invoke(cli, ["collect", str(tmp_path / "accounts.toml"), "--db", str(tmp_path / "a.db")]).exit_code == 0
    process = start_command(tmp_path, "analyze")
    wait_until_started(process, "Analysing")
    deadline = time.monotonic() + 60
    while len(_workers_of(process)) < 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    children = _workers_of(process)
    assert children, "the analysis started no worker"
    process.send_signal(how)
    _, errors = process.communicate(timeout=60)
    if how == signal.SIGINT:
        assert process.returncode == 130 and b"Traceback" not in errors, errors.decode()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in children)
    result = CliRunner().invoke(cli, ["analyze", "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 0, result.output
    db = open_db(tmp_path / "a.db")
    assert db["thumbnails"].count == 40 and db["errors"].count == 0


def test_a_ctrl_c_while_a_worker_starts_stops_the_pool(monkeypatch):
    """The Ctrl-C that lands while pool.submit starts a worker process is held back, not lost."""
    real_submit = ProcessPoolExecutor.submit

    def submit_then_ctrl_c(pool, *args):
        future = real_submit(pool, *args)
        os.kill(os.getpid(), signal.SIGINT)  # arrives inside the submit, as a key pressed at that moment would
        return future

    monkeypatch.setattr(ProcessPoolExecutor, "submit", submit_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        for _ in workers.run_jobs(pid_of, range(JOBS), nothing, workers=2):
            pass


def _cleaned(root, monkeypatch, worker_count: int) -> tuple[list, list]:
    monkeypatch.setenv(workers.WORKERS_VARIABLE, str(worker_count))
    out = root / f"copies-{worker_count}"
    (root / "broken.jpg").write_bytes(b"\xff\xd8 not really a JPEG")
    files = sorted(str(path) for path in (root / "photos").iterdir())
    files.insert(5, str(root / "broken.jpg"))  # its error is listed in its place, whichever worker finishes first
    result = CliRunner().invoke(cli, ["clean", *files, "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "clean-manifest.json").read_text(encoding="utf-8"))
    copies = [(entry["source"], entry["file"], entry["sha256"], entry["recheck"]) for entry in manifest["copies"]]
    return copies, manifest["errors"]


def test_two_workers_make_the_same_clean_copies_in_the_same_order(tmp_path, monkeypatch):
    _camera_roll(tmp_path, 18)  # more than MIN_JOBS_FOR_POOL: the copies are made in two worker processes
    alone, pooled = _cleaned(tmp_path, monkeypatch, 1), _cleaned(tmp_path, monkeypatch, 2)
    assert len(alone[0]) == 18 and [source for source, *_ in alone[0]] == sorted(source for source, *_ in alone[0])
    assert pooled == alone and [error["source"] for error in alone[1]] == [str(tmp_path / "broken.jpg")]
