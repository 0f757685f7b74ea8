"""`photo-audit run PATH...` and `photo-audit init` without a config file: every source that reads a path recognises
its own example and nothing else does; what is not recognised is said, with what can be read."""

from __future__ import annotations

import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit.cli import cli
from audit.config import load_config
from audit.detect import config_for, readable_sources, recognise, settings_for
from audit.errors import InputError, UsageError
from audit.inventory.db import open_db

from .conftest import FIXTURES, jpeg_bytes

ROOT = Path(__file__).resolve().parent.parent
PERSONA_ZIP = next((ROOT / "examples" / "personas" / "yuna").glob("*.zip"))


@pytest.mark.parametrize("source", readable_sources(), ids=lambda cls: cls.name)
def test_every_source_recognises_its_own_example_and_no_other_does(source):
    found = recognise(FIXTURES / source.example)
    assert [recognised.source for recognised in found] == [source]


def test_the_folder_source_is_asked_last():
    assert [cls.catch_all for cls in readable_sources()][-1] is True
    assert sum(cls.catch_all for cls in readable_sources()) == 1


def test_a_zipped_export_is_recognised(tmp_path):
    export = FIXTURES / "formats" / "x_twitter_archive_2026_milahu104"
    archive = tmp_path / "twitter-2026.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(export.rglob("*")):
            if path.is_file():
                out.write(path, path.relative_to(export).as_posix())
    assert [r.source.name for r in recognise(archive)] == ["x-archive"]


def test_the_personas_zips_are_recognised():
    platforms = {recognised.source.name for path in (ROOT / "examples" / "personas").glob("*/*.zip")
                 for recognised in recognise(path)}
    assert platforms == {"instagram-export", "facebook-export", "x-archive"}


def _error(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        recognise(path)
    message = str(caught.value)
    assert "\n" not in message  # the terminal's error line is one line
    for cls in readable_sources():  # every kind of path that can be read is named
        assert cls.description in message
    return message


def test_what_is_not_recognised_is_said_with_what_can_be_read(tmp_path):
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    assert "a single file that is not a .zip archive" in _error(tmp_path / "notes.txt")
    (tmp_path / "empty").mkdir()
    assert "no file in it is one photo-audit knows" in _error(tmp_path / "empty")


def test_a_single_photo_is_told_to_go_after_me(tmp_path):
    (tmp_path / "selfie.jpg").write_bytes(jpeg_bytes())
    assert "--me" in _error(tmp_path / "selfie.jpg")


def test_a_single_video_is_told_to_give_its_folder(tmp_path):
    (tmp_path / "reel.mp4").write_bytes(b"not decoded: only the name is read")
    message = _error(tmp_path / "reel.mp4")
    assert "one video: to audit videos, give the folder they are in" in message and "--me" not in message


def test_a_folder_of_zips_names_them(tmp_path):
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    shutil.copyfile(PERSONA_ZIP, downloads / PERSONA_ZIP.name)
    assert f"it holds 1 .zip file(s) ({PERSONA_ZIP.name}): name those instead" in _error(downloads)


def test_a_damaged_zip_says_so(tmp_path):
    cut = tmp_path / "instagram.zip"
    cut.write_bytes(PERSONA_ZIP.read_bytes()[:5000])
    with pytest.raises(InputError, match="incomplete or damaged"):
        recognise(cut)


def test_a_path_that_holds_two_exports_gives_two_accounts_each_labelled(tmp_path):
    both = tmp_path / "meta-export"
    shutil.copytree(FIXTURES / "formats" / "instagram_dyi_json_2025_activity_media_handmade", both / "instagram")
    shutil.copytree(FIXTURES / "formats" / "facebook_dyi_json_2024_activity_handmade", both / "facebook")
    config, found = config_for([both])
    assert {account.platform for account in config.accounts} == {"instagram-export", "facebook-export"}
    assert {account.display for account in config.accounts} == {"meta-export (instagram-export)", "meta-export (facebook-export)"}
    assert len({account.key for account in config.accounts}) == 2


def test_two_inputs_with_one_name_are_refused_and_one_path_twice_counts_once(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder / "photos").mkdir(parents=True)
        (tmp_path / folder / "photos" / "x.jpg").write_bytes(jpeg_bytes())
    with pytest.raises(UsageError, match="both named photos"):
        config_for([tmp_path / "a" / "photos", tmp_path / "b" / "photos"])
    config, found = config_for([tmp_path / "a" / "photos", tmp_path / "a" / ".." / "a" / "photos"])
    assert len(config.accounts) == 1


def test_the_key_is_the_name_so_that_a_run_from_elsewhere_resumes(tmp_path):
    config, _ = config_for([PERSONA_ZIP])
    (account,) = config.accounts
    assert account.key == f"instagram-export:{PERSONA_ZIP.name}"
    assert str(ROOT) not in account.key and account.display == PERSONA_ZIP.name


def test_a_config_file_goes_alone_and_me_adds_to_its_photos(tmp_path):
    demo = ROOT / "examples" / "demo" / "accounts.toml"
    with pytest.raises(UsageError, match="give it alone"):
        settings_for((demo, PERSONA_ZIP), ())
    extra = tmp_path / "me.jpg"
    extra.write_bytes(jpeg_bytes())
    config, found = settings_for((demo,), (extra,))
    assert found == [] and config.me[-1] == extra and config.me[:-1] == load_config(demo).me


def test_run_on_a_zip_with_no_config(tmp_path):
    db, out = tmp_path / "a.db", tmp_path / "report.html"
    args = ["run", str(PERSONA_ZIP), "--db", str(db), "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    assert f"Recognised {PERSONA_ZIP}: Instagram" in result.stderr
    assert "Read 18 items from 1 account" in result.stderr
    assert out.exists() and result.stdout.strip() == str(out.resolve())
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0 and "No file needed analysing again" in again.stderr
    with open_db(db) as inventory:
        assert [row["key"] for row in inventory["accounts"].rows] == [f"instagram-export:{PERSONA_ZIP.name}"]


def test_run_names_each_account_s_count_when_there_are_several(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "a.jpg").write_bytes(jpeg_bytes())
    args = ["run", str(FIXTURES / "formats" / "instagram_dyi_json_2025_activity_media_handmade"), str(photos),
            "--db", str(tmp_path / "a.db"), "--out", str(tmp_path / "r.html")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    assert "1 item in photos" in result.stderr and "items in instagram_dyi_json_2025_activity_media_handmade" in result.stderr


def test_init_writes_a_config_that_loads_as_what_was_recognised(tmp_path):
    (tmp_path / "me.jpg").write_bytes(jpeg_bytes())
    export = tmp_path / PERSONA_ZIP.name
    shutil.copyfile(PERSONA_ZIP, export)
    out = tmp_path / "accounts.toml"
    result = CliRunner().invoke(cli, ["init", str(export), "--me", str(tmp_path / "me.jpg"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = out.read_text(encoding="utf-8")
    assert f'path = "{PERSONA_ZIP.name}"' in text  # relative to the config, as the README asks
    assert "18 items" in text
    config = load_config(out)
    (account,) = config.accounts
    recognised, _ = config_for([export])
    assert account.key == recognised.accounts[0].key  # `run accounts.toml` and `run ZIP` are one account
    assert (account.platform, account.path) == ("instagram-export", export)
    assert config.me == (tmp_path / "me.jpg",)


def test_init_never_writes_over_a_file(tmp_path):
    out = tmp_path / "accounts.toml"
    out.write_text("# mine\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["init", str(PERSONA_ZIP), "--out", str(out)])
    assert result.exit_code == 2 and "exists already" in result.output
    assert out.read_text(encoding="utf-8") == "# mine\n"


def test_init_writes_names_as_they_are(tmp_path):
    folder = tmp_path / '사진 "여름"'
    folder.mkdir()
    (folder / "a.jpg").write_bytes(jpeg_bytes())
    result = CliRunner().invoke(cli, ["init", str(folder), "--out", str(tmp_path / "accounts.toml")])
    assert result.exit_code == 0, result.output
    (account,) = load_config(tmp_path / "accounts.toml").accounts
    assert account.path == folder and account.label == folder.name
