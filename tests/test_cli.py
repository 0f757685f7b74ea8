"""The command line: help for every command, one-line config errors with their line, exit codes."""

from __future__ import annotations

import re
import sqlite3
import struct
import zipfile
from pathlib import Path

import pytest
import responses
from click.testing import CliRunner

from audit.cli import cli
from audit.commandline import DEBUG_ENV
from audit.inventory.db import open_db
from audit.sources import SOURCES
from audit.sources.readers.html_images import WebSource

from .conftest import jpeg_bytes, write_config

ROOT = Path(__file__).resolve().parent.parent


def test_every_command_has_help():
    runner = CliRunner()
    for name, command in cli.commands.items():
        assert command.help and len(command.help.strip()) > 20, f"{name} has no docstring"
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0
        assert command.help.split("\n")[0][:30] in result.output


def test_expected_commands_exist():
    assert {"run", "collect", "analyze", "report", "demo", "sources"} <= set(cli.commands)


def test_sources_lists_the_registry():
    result = CliRunner().invoke(cli, ["sources"])
    assert result.exit_code == 0
    for name, cls in SOURCES.items():
        assert f"{name}" in result.output and cls.description in result.output


def _run(tmp_path, body):
    config = write_config(tmp_path, body)
    return CliRunner().invoke(cli, ["run", str(config), "--db", str(tmp_path / "a.db"), "--out", str(tmp_path / "r.html")])


def _one_line_error(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("photo-audit: error:")
    return lines[0]


def test_unknown_platform_names_the_line(tmp_path):
    result = _run(tmp_path, '[[accounts]]\nplatform = "myspace"\npath = "."\n')
    assert result.exit_code == 2
    line = _one_line_error(result)
    assert "accounts.toml:2" in line and "myspace" in line


def test_key_typo_names_the_line(tmp_path):
    (tmp_path / "p").mkdir()
    result = _run(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "p"\n\n[[accounts]]\nplatform = "folder"\npaht = "p"\n')
    assert result.exit_code == 2
    line = _one_line_error(result)
    assert "accounts.toml:7" in line and "paht" in line


def test_missing_path_names_the_line(tmp_path):
    result = _run(tmp_path, 'me = []\n[[accounts]]\nplatform = "folder"\nlabel = "x"\npath = "nowhere"\n')
    assert result.exit_code == 3  # a well-formed config naming an input that is not there
    line = _one_line_error(result)
    assert "accounts.toml:5" in line and "nowhere" in line


def test_missing_config_file(tmp_path):
    result = CliRunner().invoke(cli, ["run", str(tmp_path / "absent.toml"), "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 2
    assert "config file not found" in _one_line_error(result)


def test_unreadable_config(tmp_path):
    result = _run(tmp_path, "[[accounts]\nplatform = \n")
    assert result.exit_code == 2
    assert "not valid TOML" in _one_line_error(result)


def test_not_a_database(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    result = CliRunner().invoke(cli, ["report", "--db", str(bad), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 6
    _one_line_error(result)


def test_a_database_that_fails_midway_is_exit_6_not_a_bug(tmp_path, monkeypatch):
    _good_folder(tmp_path)

    def disk_full(*args):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr("audit.runs.analyze_step", disk_full)
    result = _run(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "photos"\n')
    assert result.exit_code == 6
    [line] = [line for line in result.output.splitlines() if line.startswith("photo-audit:")]
    assert line == "photo-audit: error: the inventory cannot be used (database or disk is full)"


def test_terminal_output_carries_no_control_characters(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "\x1b]0;pwned\x07\x1b[31mred.jpg").write_bytes(b"not an image \x1b[2J")
    result = _run(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "photos"\n')
    assert result.exit_code == 0
    assert "red.jpg" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output


# The tests of each row of the README's exit-code table (one per case it names), each producing its code through the
# real command line. Another run writing to the inventory (6) is tests/test_one_writer.py's, with two processes.
EXIT_CODE_TESTS = {
    0: "test_exit_0_unreadable_items_are_listed_not_fatal",
    1: "test_exit_1_an_internal_error_is_one_line_that_asks_to_report_it",
    2: "test_exit_2_report_or_analyze_before_any_collect_writes_nothing",
    3: ("test_exit_3_run_on_an_empty_folder", "test_exit_3_an_output_in_a_missing_folder_is_refused_before_any_work",
        "test_exit_3_a_path_run_cannot_recognise_is_one_line_and_nothing_is_written"),
    4: "test_exit_4_an_archive_refused_whole_while_the_other_accounts_go_on",
    5: "test_exit_5_a_live_account_whose_control_is_not_proven",
    6: "test_not_a_database",
    130: "test_exit_130_ctrl_c_is_a_plain_message_and_the_run_is_not_finished",
}


def test_every_documented_exit_code_has_its_test():
    table = (ROOT / "README.md").read_text(encoding="utf-8").split("### Exit codes", 1)[1].split("\n#", 1)[0]
    assert {int(code) for code in re.findall(r"^\| (\d+) \|", table, re.MULTILINE)} == set(EXIT_CODE_TESTS)
    names = [name for tests in EXIT_CODE_TESTS.values() for name in ((tests,) if isinstance(tests, str) else tests)]
    assert all(callable(globals().get(name)) for name in names)


def test_exit_3_a_path_run_cannot_recognise_is_one_line_and_nothing_is_written(tmp_path):
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(tmp_path / "notes.txt"), "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 3
    assert "not recognised" in _one_line_error(result)
    assert not (tmp_path / "a.db").exists()


def _good_folder(tmp_path: Path, name: str = "photos") -> None:
    (tmp_path / name).mkdir()
    (tmp_path / name / "good.jpg").write_bytes(jpeg_bytes())


def _last_run(tmp_path: Path) -> dict:
    return next(open_db(tmp_path / "a.db").query("select * from runs order by id desc limit 1"))


def test_exit_0_unreadable_items_are_listed_not_fatal(tmp_path):
    _good_folder(tmp_path)
    (tmp_path / "photos" / "broken.jpg").write_bytes(b"\xff\xd8 not really a JPEG")
    result = _run(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "photos"\n')
    assert result.exit_code == 0, result.output
    assert "1 item in the inventory could not be read" in result.output and "broken.jpg" in result.output
    assert (tmp_path / "r.html").is_file()


def test_exit_1_an_internal_error_is_one_line_that_asks_to_report_it(tmp_path, monkeypatch):
    _good_folder(tmp_path)

    def bug(*args):
        raise RuntimeError("boom \x1b[31m")

    monkeypatch.setattr("audit.runs.analyze_step", bug)
    result = _run(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "photos"\n')
    assert result.exit_code == 1
    [line] = [line for line in result.output.splitlines() if line.startswith("photo-audit:")]
    assert "a bug: please report it" in line and "RuntimeError: boom" in line and DEBUG_ENV in line
    assert "Traceback" not in result.output and "\x1b" not in result.output
    assert _last_run(tmp_path)["status"] == "failed" and _last_run(tmp_path)["finished_at"] is None
    monkeypatch.setenv(DEBUG_ENV, "1")  # whoever reports it can show where it happened
    assert isinstance(_run(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "photos"\n').exception, RuntimeError)


@pytest.mark.parametrize("command", ["report", "analyze"])
def test_exit_2_report_or_analyze_before_any_collect_writes_nothing(tmp_path, command):
    fresh = ["--db", str(tmp_path / "a.db")] + (["--out", str(tmp_path / "r.html")] if command == "report" else [])
    result = CliRunner().invoke(cli, [command, *fresh])
    assert result.exit_code == 2
    assert "no inventory at" in _one_line_error(result) and "photo-audit collect accounts.toml" in result.output
    open_db(tmp_path / "a.db")  # now there is an inventory, still without a photo
    result = CliRunner().invoke(cli, [command, *fresh])
    assert result.exit_code == 2
    assert "holds no photos: run `photo-audit collect accounts.toml` first" in _one_line_error(result)
    assert not (tmp_path / "r.html").exists()


def test_exit_3_run_on_an_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("not a photo")
    result = _run(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "empty"\nlabel = "Blog"\n')
    assert result.exit_code == 3
    assert f"no photo found in Blog ({tmp_path / 'empty'}): is this the export's folder?" in result.output
    assert "photo-audit: error: no account yielded a photo" in result.output
    assert not (tmp_path / "r.html").exists()


def test_an_account_that_yields_nothing_is_named_and_the_others_are_audited(tmp_path):
    _good_folder(tmp_path)
    (tmp_path / "empty").mkdir()
    result = _run(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "photos"\n'
                            '[[accounts]]\nplatform = "instagram-export"\npath = "empty"\nhandle = "minji"\n')
    assert result.exit_code == 0, result.output
    assert f"no photo found in @minji ({tmp_path / 'empty'}): is this the export's folder?" in result.output
    assert (tmp_path / "r.html").is_file()


def _declaring(target: Path, members: int, declared: int) -> Path:
    """A small zip whose central directory declares `declared` bytes for each of its members: a bomb on paper."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:
        for number in range(members):
            archive.writestr(f"export/media/{number}.jpg", b"tiny")
    data = bytearray(target.read_bytes())
    start = data.index(b"PK\x01\x02")  # the central directory: after every member's data
    for offset in (m.start() for m in re.finditer(b"PK\x01\x02", bytes(data[start:]))):
        struct.pack_into("<I", data, start + offset + 24, declared)  # its "uncompressed size" field
    target.write_bytes(bytes(data))
    return target


def test_exit_4_an_archive_refused_whole_while_the_other_accounts_go_on(tmp_path):
    _good_folder(tmp_path)
    _declaring(tmp_path / "instagram.zip", members=17, declared=0xFFFFFFFE)  # 17 x 4 GiB: 68 GiB
    result = _run(tmp_path, '[[accounts]]\nplatform = "instagram-export"\npath = "instagram.zip"\nhandle = "minji"\n'
                            '[[accounts]]\nplatform = "folder"\npath = "photos"\n')
    assert result.exit_code == 4, result.output
    assert "would expand to 68.0 GiB" in result.output and "refused as unsafe" in result.output
    assert (tmp_path / "r.html").is_file()  # the folder was audited
    assert open_db(tmp_path / "a.db")["appearances"].count == 1


def test_exit_5_a_live_account_whose_control_is_not_proven(tmp_path, http, monkeypatch):
    monkeypatch.setattr(WebSource, "sleep", staticmethod(lambda seconds: None))
    http.add(responses.GET, "https://minji.example/robots.txt", status=404)
    http.add(responses.GET, "https://minji.example/", body=b"<p>my blog</p>", content_type="text/html")
    result = _run(tmp_path, '[[accounts]]\nplatform = "website"\nurl = "https://minji.example/"\n')
    assert result.exit_code == 5, result.output
    assert "cannot confirm that https://minji.example/ is yours" in result.output
    assert "control is not proven" in result.output


def test_exit_130_ctrl_c_is_a_plain_message_and_the_run_is_not_finished(tmp_path, monkeypatch):
    _good_folder(tmp_path)

    def ctrl_c(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr("audit.runs.analyze_step", ctrl_c)
    result = _run(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "photos"\n')
    assert result.exit_code == 130
    assert "photo-audit: interrupted: what was done is kept" in result.output and "Traceback" not in result.output
    run = _last_run(tmp_path)
    assert run["status"] == "interrupted" and run["finished_at"] is None


@pytest.mark.parametrize("option", ["--out", "--json", "--csv"])
def test_exit_3_an_output_in_a_missing_folder_is_refused_before_any_work(tmp_path, option):
    _good_folder(tmp_path)
    config = write_config(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "photos"\n')
    missing = tmp_path / "missing" / "r.out"
    outputs = {"--out": str(tmp_path / "r.html"), option: str(missing)}
    result = CliRunner().invoke(cli, ["run", str(config), "--db", str(tmp_path / "a.db"), *sum(outputs.items(), ())])
    assert result.exit_code == 3
    assert f"{missing}: the folder {missing.parent} does not exist" in _one_line_error(result)
    assert not (tmp_path / "a.db").exists()  # nothing was collected, let alone analysed
    CliRunner().invoke(cli, ["collect", str(config), "--db", str(tmp_path / "a.db")])
    result = CliRunner().invoke(cli, ["report", "--db", str(tmp_path / "a.db"), *sum(outputs.items(), ())])
    assert result.exit_code == 3 and "does not exist" in _one_line_error(result)
    assert not open_db(tmp_path / "a.db")["scores"].count  # stopped before scoring

