"""Shared test helpers: small generated images and configs, built in tmp_path."""

from __future__ import annotations

import dataclasses
import io
import shutil
import zipfile
from fractions import Fraction
from pathlib import Path

import pytest
import responses
from PIL import Image

from audit.models import Item

FIXTURES = Path(__file__).parent / "fixtures"


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
    its report is demo.html beside it and what the command printed cli-output.txt. Tests that change the
    inventory work on a copy (copy_demo)."""
    from click.testing import CliRunner

    from audit.cli import cli

    folder = tmp_path_factory.mktemp("analysed-demo")
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
