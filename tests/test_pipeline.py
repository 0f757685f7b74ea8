"""collect -> analyze -> score on real files: idempotency, versioned recompute, hostile input."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit import steps
from audit.cli import cli
from audit.config import load_config
from audit.inventory.archive import FolderTree, file_signature, read_origin
from audit.inventory.db import MIGRATIONS, open_db, stable_id, storable
from audit.models import Origin
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


def _reads_during(tmp_path: Path, config: Path, monkeypatch) -> list[str]:
    """The media files a collect reads (in a zip: its members), as it goes."""
    read = []

    def counting(origin):
        read.append(origin.member or Path(origin.path).name)
        return read_origin(origin)

    monkeypatch.setattr(steps.collection, "read_origin", counting)
    result = CliRunner().invoke(cli, ["collect", str(config), "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 0, result.output
    monkeypatch.undo()
    return read


def test_a_collect_again_reads_only_the_files_that_changed(tmp_path, photo_folder, monkeypatch):
    config = write_config(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "photos"\n')
    assert sorted(_reads_during(tmp_path, config, monkeypatch)) == ["home.jpg", "plain.jpg"]
    assert _reads_during(tmp_path, config, monkeypatch) == []  # unchanged: known by size and time
    (photo_folder / "plain.jpg").write_bytes(jpeg_bytes((1, 2, 3)))  # edited in place: new bytes, new time
    assert _reads_during(tmp_path, config, monkeypatch) == ["plain.jpg"]
    db = open_db(tmp_path / "a.db")
    current = {row["photo"] for row in db.query("select photo from current_appearances")}
    assert hashlib.sha256(jpeg_bytes((1, 2, 3))).hexdigest() in current and len(current) == 2


def test_a_zip_collected_again_reads_only_members_that_changed(tmp_path, monkeypatch):
    export = tmp_path / "photos.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("a.jpg", jpeg_bytes((10, 20, 30)))
        archive.writestr("b.jpg", jpeg_bytes((40, 50, 60)))
    # A zip's members are told apart by their size and CRC: in a zip written again, the member that changed is read.
    before = {name: file_signature(Origin(str(export), name)) for name in ("a.jpg", "b.jpg")}
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("a.jpg", jpeg_bytes((10, 20, 30)))
        archive.writestr("b.jpg", jpeg_bytes((41, 50, 60)))
    after = {name: file_signature(Origin(str(export), name)) for name in ("a.jpg", "b.jpg")}
    assert before["a.jpg"] == after["a.jpg"] and before["b.jpg"] != after["b.jpg"]
    assert file_signature(Origin(str(export), "missing.jpg")) is None


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
    steps.analyze(db, run=99)
    assert calls == []
    monkeypatch.setattr(PlatformLocationSignal, "version", PlatformLocationSignal.version + 1)
    steps.analyze(db, run=100)
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
    assert "items in the inventory could not be read" in result.output
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


# --- every per-item failure is an item error (issue 11) ------------------------------------------------------------

def test_names_that_are_not_utf8_are_kept_apart_by_their_bytes_and_shown_escaped(tmp_path):
    # A Korean CP949 zip unpacked on Linux: its names are bytes that are not UTF-8.
    folder = tmp_path / "photos"
    folder.mkdir()
    raw = os.fsencode(folder)
    for name, color in ((b"a\xff.jpg", (1, 2, 3)), (b"a\xfe.jpg", (1, 2, 3)), (b"\xbf\xa9\xc7\xe0.jpg", (9, 9, 9))):
        with open(raw + b"/" + name, "wb") as out:
            out.write(jpeg_bytes(color))
    (folder / "a\\xff.jpg").write_bytes(jpeg_bytes((1, 2, 3)))  # a real backslash: shown alike, a name apart
    (folder / "b\udcff.jpg").write_bytes(b"not an image")  # Python names the byte 0xff this way (os.fsdecode)
    config = write_config(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "photos"\n')
    db, result = _audit(tmp_path, config)
    names = sorted(row["media_name"] for row in db["appearances"].rows)
    assert names == ["\\xbf\\xa9\\xc7\\xe0.jpg", "a\\xfe.jpg", "a\\xff.jpg", "a\\xff.jpg", "b\\xff.jpg"]
    assert db["photos"].count == 3  # two pictures (one named thrice), and the file that is none
    assert [row["item"] for row in db["errors"].rows_where("stage = 'decode'")] == ["b\\xff.jpg"]
    assert "b\\xff.jpg" in result.output
    for row in db["photos"].rows:  # each file is found again from where the inventory says it is
        assert hashlib.sha256(read_origin(json.loads(row["origin"]))).hexdigest() == row["id"]
    assert db["thumbnails"].count == 2
    before = {name: sorted(map(json.dumps, db[name].rows)) for name in ("photos", "appearances", "errors")}
    db, _ = _audit(tmp_path, config)  # the same ids again: nothing added
    assert {name: sorted(map(json.dumps, db[name].rows)) for name in before} == before


def test_text_sqlite_refuses_is_stored_escaped():
    # A name's byte that is not UTF-8 (os.fsdecode's surrogate), and half of an emoji from JSON or EXIF.
    assert storable({"a\udcff.jpg": ["졸업 \ud83d", 3, None]}) == {"a\\xff.jpg": ["졸업 \\ud83d", 3, None]}
    assert stable_id("a\udcff.jpg") != stable_id("a\\xff.jpg")  # shown alike, kept apart
    # Text that is text keeps the id it had before: inventories made earlier add nothing on a re-run.
    assert stable_id("졸업") == hashlib.sha256(json.dumps(["졸업"], ensure_ascii=False).encode("utf-8")).hexdigest()[:32]


def _export_zip(target: Path, members: dict[str, bytes]) -> Path:
    """A small Instagram export (2020 layout) listing each member as one post's picture."""
    posts = [{"media": [{"uri": name, "creation_timestamp": 1592190000 + n, "title": ""}]} for n, name in enumerate(members)]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("content/posts_1.json", json.dumps(posts))
        for name, data in members.items():
            archive.writestr(name, data)
    return target


def _damage(target: Path, member: str, field: int, value: int) -> None:
    """Overwrite one 32-bit field of a member in both of the zip's headers (crc: 14/16, size: 22/24)."""
    data = bytearray(target.read_bytes())
    with zipfile.ZipFile(target) as archive:
        local, central = archive.getinfo(member).header_offset, archive.start_dir
    name = member.encode()
    while data[central + 46: central + 46 + len(name)] != name:  # the member's entry in the central directory
        central = data.index(b"PK\x01\x02", central + 1)
    struct.pack_into("<I", data, local + field, value)
    struct.pack_into("<I", data, central + field + 2, value)
    target.write_bytes(bytes(data))


@pytest.mark.parametrize("field, why", [(14, "bad crc"), (22, "larger than declared")])
def test_a_damaged_zip_member_is_an_item_error_and_the_other_members_are_read(tmp_path, field, why):
    members = {f"media/posts/{n}.jpg": jpeg_bytes((n * 40, 90, 30)) for n in range(3)}
    export = _export_zip(tmp_path / "instagram.zip", members)
    _damage(export, "media/posts/1.jpg", field, 7)
    config = write_config(tmp_path, '[[accounts]]\nplatform = "instagram-export"\npath = "instagram.zip"\nhandle = "minji"\n')
    for _ in range(2):  # a re-run meets the same member, and still audits the rest
        db, result = _audit(tmp_path, config)
        assert db["photos"].count == 2 and db["appearances"].count == 2
        [error] = list(db["errors"].rows_where("stage != 'skip'"))
        assert error["item"] == "content/posts_1.json record 1" and "media/posts/1.jpg" in error["message"]
        assert "damaged" in error["message"] and "download" in error["message"] and "Traceback" not in result.output


def test_a_file_that_cannot_be_read_is_an_item_error(tmp_path, photo_folder, monkeypatch):
    listed = FolderTree.files

    def files_then_one_changes(self):
        found = listed(self)
        (photo_folder / "plain.jpg").unlink()  # a sync tool makes a folder of it while the run goes through
        (photo_folder / "plain.jpg").mkdir()
        return found

    monkeypatch.setattr(FolderTree, "files", files_then_one_changes)
    db, _ = _audit(tmp_path, write_config(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "photos"\n'))
    assert [row["media_name"] for row in db["appearances"].rows] == ["sub/home.jpg"]
    [error] = list(db["errors"].rows_where("stage != 'skip'"))
    assert error["item"] == "plain.jpg" and "could not read" in error["message"] and "Is a directory" in error["message"]


def test_a_media_list_refused_as_a_bomb_is_named_with_why(tmp_path):
    export = tmp_path / "instagram.zip"
    with zipfile.ZipFile(export, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("content/posts_1.json", "[" + " " * (4 * 1024**2) + "]")  # 4 MiB that zip to 4 KiB
        archive.writestr("media/posts/1.jpg", jpeg_bytes())
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.jpg").write_bytes(jpeg_bytes())
    config = write_config(tmp_path, '[[accounts]]\nplatform = "instagram-export"\npath = "instagram.zip"\nhandle = "minji"\n'
                                    '[[accounts]]\nplatform = "folder"\npath = "photos"\n')
    result = CliRunner().invoke(cli, ["run", str(config), "--db", str(tmp_path / "a.db"), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 4, result.output  # refused as unsafe, not "nothing found"
    [error] = list(open_db(tmp_path / "a.db")["errors"].rows_where("source like 'instagram-export:%'"))
    assert "content/posts_1.json" in error["message"] and "looks like a zip bomb" in error["message"]
    assert "refused" in error["message"]
    assert open_db(tmp_path / "a.db")["appearances"].count == 1  # the folder was audited


def test_a_source_that_breaks_on_one_account_stops_only_that_account(tmp_path, photo_folder, monkeypatch):
    from audit.sources.instagram_export import InstagramExportSource

    def broken(self):
        yield from ()
        raise ValueError("a parser met something it never expected")

    monkeypatch.setattr(InstagramExportSource, "items", broken)
    _export_zip(tmp_path / "instagram.zip", {"media/posts/0.jpg": jpeg_bytes()})
    config = write_config(tmp_path, '[[accounts]]\nplatform = "instagram-export"\npath = "instagram.zip"\nhandle = "minji"\n'
                                    '[[accounts]]\nplatform = "folder"\npath = "photos"\n')
    db, result = _audit(tmp_path, config)
    assert db["appearances"].count == 2  # the folder
    [error] = list(db["errors"].rows_where("source like 'instagram-export:%'"))
    assert "please report" in error["message"] and "ValueError: a parser met" in error["message"]
    assert [row["problem"] for row in db["account_reads"].rows_where("account like 'instagram-export:%'")] == ["failed"]
