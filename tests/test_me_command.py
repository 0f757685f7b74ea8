"""Without reference photos: look-alike faces are grouped, and `photo-audit me --confirm N` makes group N "you"."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from audit.cli import cli
from audit.inventory.db import open_db
from audit.signals import SIGNALS
from audit.workers import WORKERS_VARIABLE

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo"


def _who(db) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in db["findings"].rows_where("signal = 'faces'"):
        who = json.loads(row["evidence"])["who"]
        counts[who] = counts.get(who, 0) + 1
    return counts


def test_confirming_the_largest_group_matches_the_user(tmp_path, monkeypatch):
    # Faces are what this is about; reading the text in photos takes most of a run. (setitem: SIGNALS keeps its order.)
    reads_no_text = type("ReadsNoText", (SIGNALS["image-text"],), {"analyze": lambda self, photo: []})
    monkeypatch.setitem(SIGNALS, "image-text", reads_no_text)
    monkeypatch.setenv(WORKERS_VARIABLE, "1")  # the stand-in lives in this process: workers would not see it
    shutil.copytree(DEMO / "instagram_export", tmp_path / "instagram_export")
    config = tmp_path / "accounts.toml"
    config.write_text('[[accounts]]\nplatform = "instagram-export"\npath = "instagram_export"\nhandle = "minji.kim"\n')
    db_path, out = tmp_path / "a.db", tmp_path / "r.html"
    runner = CliRunner()
    assert runner.invoke(cli, ["run", str(config), "--db", str(db_path), "--out", str(out)]).exit_code == 0
    assert set(_who(open_db(db_path))) == {"not matched"}
    assert "photo-audit me --confirm 1" in out.read_text(encoding="utf-8")

    listing = runner.invoke(cli, ["me", "--db", str(db_path)])
    assert listing.exit_code == 0 and listing.output.startswith("group 1: ")
    assert listing.output.splitlines()[-1].endswith("run `photo-audit me --confirm N` with its number.")
    wrong = runner.invoke(cli, ["me", "--db", str(db_path), "--confirm", "99"])
    count = sum(line.startswith("group ") for line in listing.output.splitlines())
    choices = "the only group is 1" if count == 1 else f"choose a group from 1 to {count}"
    assert wrong.exit_code == 2 and f"there is no face group 99: {choices}" in wrong.output
    confirmed = runner.invoke(cli, ["me", "--db", str(db_path), "--confirm", "1"])
    assert confirmed.exit_code == 0 and "recorded as you" in confirmed.output

    assert runner.invoke(cli, ["analyze", "--db", str(db_path)]).exit_code == 0
    who = _who(open_db(db_path))
    assert who["you"] >= 14 and who["someone else"] == 6 and "not matched" not in who
