"""Private by default (issue 11): what photo-audit creates is readable by the user alone on POSIX (0600 files, 0700
folders): the inventory and its -wal and -shm files (the thumbnails are in it), the report, JSON and CSV, the lock
file and the download cache. An instaloader session file that others can read gets a warning."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import responses
from click.testing import CliRunner

from audit.cli import cli
from audit.config import load_config
from audit.inventory.cache import cache_dir
from audit.inventory.db import open_db
from audit.outputs import write_private
from audit.sources.readers.html_images import WebSource

from .conftest import write_config
from .test_interrupted_runs import SITE, TOKEN, _serve_blog

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX's")


def modes(paths: list[Path]) -> dict[str, str]:
    return {path.name: oct(stat.S_IMODE(path.stat().st_mode)) for path in paths}


def umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def test_the_inventory_the_report_and_the_exports_are_the_user_s_alone(tmp_path, photo_folder):
    before = umask()
    (tmp_path / "r.html").write_text("the report of an earlier version, readable by everyone")
    (tmp_path / "r.html").chmod(0o644)
    config = write_config(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "photos"\n')
    outputs = [f"--{kind}={tmp_path / f'r.{kind}'}" for kind in ("json", "csv")]
    result = CliRunner().invoke(cli, ["run", str(config), "--db", str(tmp_path / "a.db"), f"--out={tmp_path / 'r.html'}", *outputs])
    assert result.exit_code == 0, result.output
    db = open_db(tmp_path / "a.db")  # while it is open, its -wal and -shm files are there
    assert db["thumbnails"].count == 2
    files = [tmp_path / name for name in ("a.db", "a.db-wal", "a.db-shm", "a.db.lock", "r.html", "r.json", "r.csv")]
    assert modes(files) == {path.name: "0o600" for path in files}
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith(".")) == []  # no temporary file left
    assert umask() == before  # the command's own umask ends with it



def test_a_report_that_fails_while_it_is_written_leaves_the_earlier_one_and_no_temporary_file(tmp_path):
    """The report is written as the template makes it, and still whole or not at all."""
    earlier = tmp_path / "r.html"
    earlier.write_text("the earlier report")

    def pieces():
        yield "<!DOCTYPE html>"
        raise RuntimeError("a template that fails halfway")

    with pytest.raises(RuntimeError):
        write_private(earlier, pieces())
    assert earlier.read_text() == "the earlier report" and [path.name for path in tmp_path.iterdir()] == ["r.html"]


def test_the_download_cache_is_the_user_s_alone(tmp_path, cache, http, monkeypatch):
    cache.mkdir()
    cache.chmod(0o755)  # as an earlier version made it
    monkeypatch.setattr(WebSource, "sleep", staticmethod(lambda seconds: None))
    _serve_blog(http)
    config = write_config(tmp_path, f'[[accounts]]\nplatform = "website"\nurl = "{SITE}/"\nlabel = "Blog"\n')
    db = open_db(tmp_path / "a.db")
    db["proof_tokens"].insert({"account": load_config(config).accounts[0].key, "token": TOKEN, "created_at": "2025-01-01T00:00:00Z"})
    result = CliRunner().invoke(cli, ["collect", str(config), "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 0, result.output
    folders = [cache, *(path for path in cache.rglob("*") if path.is_dir())]
    files = [path for path in cache.rglob("*") if path.is_file()]
    assert len(folders) == 3 and len(files) == 20  # cache/website/<host>: the blog's pictures
    assert set(modes(folders).values()) == {"0o700"} and set(modes(files).values()) == {"0o600"}


def test_cache_folders_are_private_at_every_level(cache):
    folder = cache_dir("instagram", "minji.kim")
    assert modes([cache, cache / "instagram", folder]) == {"cache": "0o700", "instagram": "0o700", "minji.kim": "0o700"}


def _collect_with_session(tmp_path: Path, mode: int) -> list[str]:
    """A collect of a live Instagram account whose session file has this mode (and is damaged: no request is made)."""
    session = tmp_path / "session-minji.kim"
    session.write_bytes(b"not a pickle")
    session.chmod(mode)
    config = write_config(tmp_path, '[[accounts]]\nplatform = "instagram"\nhandle = "minji.kim"\npath = "session-minji.kim"\n')
    with responses.RequestsMock():
        result = CliRunner().invoke(cli, ["collect", str(config), "--db", str(tmp_path / "a.db")])
    assert "cannot load this instaloader session file" in result.output
    return [line for line in result.output.splitlines() if "warning" in line]


def test_a_session_file_that_others_can_read_gets_a_warning(tmp_path):
    session = tmp_path / "session-minji.kim"
    assert _collect_with_session(tmp_path, 0o644) == [
        f"photo-audit: warning: {session}: other users of this computer can read this instaloader session file, and "
        f"whoever reads it is logged in to Instagram as @minji.kim; make it yours alone: chmod 600 {session}"
    ]
    assert _collect_with_session(tmp_path, 0o600) == []
