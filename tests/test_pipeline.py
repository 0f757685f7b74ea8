"""collect -> analyze -> score on real files: idempotency, versioned recompute, hostile input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit import analysis
from audit.cli import cli
from audit.config import load_config
from audit.db import MIGRATIONS, open_db
from audit.signals.platform_location import PlatformLocationSignal

from .conftest import FIXTURES, jpeg_bytes, write_config

HOSTILE = FIXTURES / "images" / "hostile"


def _audit(tmp_path: Path, config: Path, db_name="a.db"):
    db_path = tmp_path / db_name
    result = CliRunner().invoke(cli, ["run", str(config), "--db", str(db_path), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    return open_db(db_path), result


def _counts(db) -> dict[str, int]:
    return {name: db[name].count for name in db.table_names() if name not in ("runs", "sightings", "account_reads")}  # run logs


def test_folder_is_collected_recursively_and_other_files_are_noted(tmp_path, photo_folder):
    config = write_config(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "photos"\n')
    db, _ = _audit(tmp_path, config)
    names = {row["media_name"] for row in db["appearances"].rows}
    assert names == {"plain.jpg", "sub/home.jpg"}
    skipped = list(db["errors"].rows_where("stage = 'skip'"))
    assert [row["item"] for row in skipped] == ["notes.txt"]
    gps = list(db["findings"].rows_where("kind = 'gps'"))
    assert len(gps) == 1
    evidence = json.loads(gps[0]["evidence"])
    assert evidence["lat"] == pytest.approx(37.5563, abs=1e-4)


def test_two_runs_give_identical_rows(tmp_path, photo_folder):
    shutil.copytree(HOSTILE, photo_folder / "hostile")
    config = write_config(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "photos"\n')
    db, _ = _audit(tmp_path, config)
    first = _counts(db)
    snapshot = {name: sorted(map(json.dumps, db[name].rows)) for name in ("photos", "findings", "appearances", "errors", "scores")}
    db, _ = _audit(tmp_path, config)
    assert _counts(db) == first
    assert {name: sorted(map(json.dumps, db[name].rows)) for name in snapshot} == snapshot
    assert db["runs"].count == 2


def test_same_bytes_on_two_accounts_is_one_photo(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / f"{name}.jpg").write_bytes(jpeg_bytes(gps=(37.5, 127.0)))
    config = write_config(
        tmp_path,
        '[[accounts]]\nplatform = "folder"\npath = "a"\nlabel = "A"\n[[accounts]]\nplatform = "folder"\npath = "b"\nlabel = "B"\n',
    )
    db, _ = _audit(tmp_path, config)
    assert db["photos"].count == 1
    assert db["appearances"].count == 2


def test_finding_recomputed_only_when_its_signal_version_changes(tmp_path, photo_folder, monkeypatch):
    config = write_config(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "photos"\n')
    db, _ = _audit(tmp_path, config)
    calls = []
    original = PlatformLocationSignal.analyze

    def counting(self, photo):
        calls.append(photo.id)
        return original(self, photo)

    monkeypatch.setattr(PlatformLocationSignal, "analyze", counting)
    analysis.analyze(db, run=99)
    assert calls == []
    monkeypatch.setattr(PlatformLocationSignal, "version", PlatformLocationSignal.version + 1)
    analysis.analyze(db, run=100)
    assert len(calls) == db["photos"].count
    versions = {row["signal_version"] for row in db["analyses"].rows_where("signal = 'platform-location'")}
    assert versions == {PlatformLocationSignal.version}


def test_hostile_files_are_recorded_and_the_run_goes_on(tmp_path):
    folder = tmp_path / "photos"
    shutil.copytree(HOSTILE, folder)
    (folder / "good.jpg").write_bytes(jpeg_bytes())
    config = write_config(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "photos"\n')
    db, result = _audit(tmp_path, config)
    truth = json.loads((HOSTILE / "truth.json").read_text())["files"]
    for entry in truth:
        photo = _photo_for(db, entry["file"])
        if photo is None:  # the zero-byte file and the sha256 of another copy...
            errors = list(db["errors"].rows_where("item = ?", [entry["file"]]))
            assert errors, entry["file"]
            continue
        errors = list(db["errors"].rows_where("item = ? and stage != 'skip'", [entry["file"]]))
        findings = list(db["findings"].rows_where("photo = ?", [photo["id"]]))
        assert errors or findings or photo["status"] == "ok", entry["file"]
        gps = [json.loads(f["evidence"]) for f in findings if f["kind"] == "gps"]
        if entry["expected_location_leak"]:
            assert gps and gps[0]["lat"] == pytest.approx(entry["expected_gps"]["lat"], abs=1e-5), entry["file"]
        else:
            assert not gps, entry["file"]
    undecodable = {"bomb_header_only.png", "html_named.png", "jpeg_sof_65500x65500.jpg", "png_bad_ihdr_crc.png",
                   "png_truncated_in_idat.png", "text_named.jpg", "zero_bytes.jpg", "trunc_half_gps.jpg"}
    for name in undecodable:
        assert list(db["errors"].rows_where("item = ? and stage = 'decode'", [name])), name
    assert "item(s) could not be read" in result.output
    assert db["thumbnails"].count_where("1") >= 3  # good.jpg, the polyglot, the south-west and loop files


def _photo_for(db, name):
    rows = list(db.query("select photos.* from photos join appearances on appearances.photo = photos.id where media_name = ?", [name]))
    return rows[0] if rows else None


def test_unreadable_account_does_not_stop_the_others(tmp_path, photo_folder):
    config = write_config(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "photos"\n[[accounts]]\nplatform = "instagram-export"\npath = "not-an-export.txt"\n')
    (tmp_path / "not-an-export.txt").write_text("hello")
    db, _ = _audit(tmp_path, config)
    assert db["appearances"].count == 2
    errors = list(db["errors"].rows_where("source like 'instagram-export:%'"))
    assert errors and "zip" in errors[0]["message"]


def test_config_paths_are_relative_to_the_config(tmp_path, photo_folder):
    config = load_config(write_config(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "photos"\nlabel = "Camera roll"\n'))
    assert config.accounts[0].path == photo_folder
    assert config.accounts[0].display == "Camera roll"


def test_migrations_are_named_and_recorded(tmp_path):
    db = open_db(tmp_path / "m.db")
    names = [row["name"] for row in db["_migrations"].rows]
    assert names == [name for name, _ in MIGRATIONS] and names[:8] == [
        "0001_create_inventory", "0002_faces_and_near_duplicates", "0003_proof_tokens", "0004_sightings", "0005_settings",
        "0006_current_appearances", "0007_account_reads", "0008_current_appearances_from_complete_reads"]
    open_db(tmp_path / "m.db")
    assert db["_migrations"].count == len(MIGRATIONS)


def test_an_account_kept_under_its_label_before_is_collected_once_under_its_new_key(tmp_path, photo_folder):
    # 0.1.0 keyed accounts by label: an inventory of then must not count the same posts twice, as two accounts.
    config = load_config(write_config(tmp_path, f'[[accounts]]\nplatform = "folder"\npath = "{photo_folder}"\nlabel = "Blog"\naudience = "anyone"\n'))
    db = open_db(tmp_path / "inv.db")
    account = config.accounts[0]
    db["accounts"].insert({"key": "folder:Blog", "platform": "folder", "display": "Blog", "path": str(account.path)})
    db["photos"].insert({"id": "p", "status": "ok", "media_type": "image"})
    db["appearances"].insert({"id": "old", "photo": "p", "account": "folder:Blog", "platform": "folder", "kind": "file", "media_name": "plain.jpg"})
    db["sightings"].insert({"run": 1, "appearance": "old"})
    other = {"key": "folder:Other", "platform": "folder", "display": "Other", "path": str(tmp_path / "elsewhere")}
    db["accounts"].insert(other)  # another account, whatever its label: left alone
    result = CliRunner().invoke(cli, ["collect", str(config.path), "--db", str(tmp_path / "inv.db")])
    assert result.exit_code == 0, result.output
    assert {row["key"] for row in db["accounts"].rows} == {account.key, "folder:Other"} and account.key != "folder:Blog"
    assert db["appearances"].count_where("account = ?", ["folder:Blog"]) == 0 and db["sightings"].count_where("appearance = 'old'") == 0
    assert db["appearances"].count_where("account = ?", [account.key]) == 2
