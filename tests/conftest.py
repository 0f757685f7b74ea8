"""Shared test helpers: small generated images and configs, built in tmp_path."""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import zipfile
from fractions import Fraction
from pathlib import Path

import pytest
import responses
from PIL import Image

from audit.models import Item
from audit.workers import WORKERS_VARIABLE

FIXTURES = Path(__file__).parent / "fixtures"

# Modules that take longest (their own tests, or a module fixture such as a whole audit), started first when the
# tests run on several cores, so that none is left running alone at the end. Only the order changes.
SLOW_FIRST = ("test_changes.py", "test_social.py", "test_interrupted_runs.py", "test_me_command.py", "test_demo.py",
              "test_plan.py", "test_faceid.py", "test_wheel.py", "test_one_writer.py", "test_crash.py", "test_browser.py")


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """The tests run on every core (pytest-xdist, in the `test` extra), each module on one core, so that a module's
    fixtures are made once. `-n 0` or `-p no:xdist` runs them in this one process, `-n N` on N cores."""
    if not config.pluginmanager.hasplugin("xdist") or hasattr(config, "workerinput"):
        return
    if config.option.numprocesses is None and config.option.dist == "no" and not config.option.usepdb:
        config.option.numprocesses = "auto"
        config.option.dist = "loadscope"
        config.option.loadscopereorder = False  # keep SLOW_FIRST's order


def pytest_configure(config):
    # The tests already keep every core busy (above): an analysis in a test runs in its test's process, not in a
    # pool of its own that would compete for the same cores. The pool has its own tests (test_workers, test_crash),
    # which ask for it; a variable set outside the tests is kept.
    if hasattr(config, "workerinput"):
        os.environ.setdefault(WORKERS_VARIABLE, "1")


def pytest_collection_modifyitems(config, items):
    first = {name: rank for rank, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: first.get(item.path.name, len(first)))  # stable: the rest keep their order


def jpeg_bytes(color=(200, 80, 40), size=(64, 48), gps: tuple[float, float] | None = None, text: str | None = None) -> bytes:
    """A small JPEG; with gps, its EXIF carries that position (N/E refs)."""
    image = Image.new("RGB", size, color)
    if text:
        from PIL import ImageDraw

        ImageDraw.Draw(image).text((2, 2), text, fill=(255, 255, 255))
    exif = Image.Exif()
    if gps:
        exif[0x8825] = _gps_ifd(*gps)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes() if gps else b"")
    return out.getvalue()


def _gps_ifd(lat: float, lon: float) -> dict:
    def dms(value: float):
        value = abs(value)
        degrees = int(value)
        minutes_full = (value - degrees) * 60
        minutes = int(minutes_full)
        seconds = Fraction((minutes_full - minutes) * 60).limit_denominator(10000)
        return (Fraction(degrees), Fraction(minutes), seconds)

    return {1: "N" if lat >= 0 else "S", 2: dms(lat), 3: "E" if lon >= 0 else "W", 4: dms(lon)}


def write_config(folder: Path, body: str) -> Path:
    path = folder / "accounts.toml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.fixture
def photo_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    (folder / "sub").mkdir(parents=True)
    (folder / "plain.jpg").write_bytes(jpeg_bytes())
    (folder / "sub" / "home.jpg").write_bytes(jpeg_bytes((10, 120, 200), gps=(37.5563, 126.9236)))
    (folder / "notes.txt").write_text("not a photo")
    return folder


@pytest.fixture
def http():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch) -> Path:
    """No test writes to the real download cache (~/.cache/photo-audit)."""
    monkeypatch.setenv("PHOTO_AUDIT_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def write_zip(folder: Path, target: Path, top: str) -> Path:
    """A fixture export zipped the way platforms do: inside a top folder."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, top + path.relative_to(folder).as_posix())
    return target


def comparable(item: Item, prefix: str) -> dict:
    """An item without where its bytes are: the zip member (or file) relative to the export root."""
    fields = dataclasses.asdict(item)
    fields["source_item"] = item.source_item.removeprefix(prefix)
    fields["origin"] = None if item.origin is None else (item.origin.member or item.origin.path).removeprefix(prefix)
    return fields


@pytest.fixture(scope="session")
def analysed_demo(tmp_path_factory) -> Path:
    """The demo's inventory, collected and analysed once per test session (`photo-audit demo`, 20 s or more):
    its report is demo.html beside it and what the command printed cli-output.txt. Tests only read these; tests
    that change the inventory work on a copy (copy_demo). With several workers (pytest-xdist), the first to need
    it makes it in the folder they share while the others wait for it, under a lock."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return _analyse_demo(tmp_path_factory.mktemp("analysed-demo"))
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent  # this run's folder, above each worker's own
    folder = shared / "analysed-demo"
    with FileLock(shared / "analysed-demo.lock"):
        if not (folder / "cli-output.txt").exists():  # written last
            shutil.rmtree(folder, ignore_errors=True)  # what a worker that failed here left
            folder.mkdir()
            _analyse_demo(folder)
    return folder / "demo.db"


def _analyse_demo(folder: Path) -> Path:
    from click.testing import CliRunner

    from audit.cli import cli

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PHOTO_AUDIT_CACHE", str(folder / "cache"))  # a session fixture: before the autouse `cache`
        result = CliRunner().invoke(cli, ["demo", "--db", str(folder / "demo.db"), "--out", str(folder / "demo.html")])
    assert result.exit_code == 0, result.output
    (folder / "cli-output.txt").write_text(result.output, encoding="utf-8")
    return folder / "demo.db"


def copy_demo(analysed_demo: Path, folder: Path) -> Path:
    """A copy of the analysed demo's inventory and report in `folder`; returns the inventory's path."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("demo.db", "demo.html"):
        shutil.copy(analysed_demo.parent / name, folder / name)
    return folder / "demo.db"
