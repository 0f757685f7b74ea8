"""The command line: help for every command, one-line config errors with their line, exit codes."""

from __future__ import annotations

from click.testing import CliRunner

from audit.cli import cli
from audit.sources import SOURCES

from .conftest import write_config


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
    assert result.exit_code == 2
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


def test_terminal_output_carries_no_control_characters(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "\x1b]0;pwned\x07\x1b[31mred.jpg").write_bytes(b"not an image \x1b[2J")
    result = _run(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "photos"\n')
    assert result.exit_code == 0
    assert "red.jpg" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
