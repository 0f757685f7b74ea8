"""`photo-audit clean` as a user runs it: the plan's pictures of the analysed demo and files named on the command line,
each copy checked again from the file written (not from what the manifest says), the originals untouched, the report
pointing at each copy, and the worst cases: no inventory, no reference face, a bad file, an output inside an export."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import numpy as np
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from audit.cli import cli
from audit.faces import identity as faceid
from audit.inventory import imaging
from audit.inventory.archive import read_origin
from audit.inventory.db import open_db
from audit.report.page import environment, report_data
from audit.report.plan import removal_plan
from audit.report.redact import redact_report

from .conftest import FIXTURES, copy_demo, jpeg_bytes
from .test_clean_copy import assert_nothing_identifies

ROOT = Path(__file__).resolve().parent.parent
EXIF = FIXTURES / "images" / "exif"
ME = sorted((ROOT / "examples" / "demo" / "me").glob("*.jpg"))


def clean(*args: str):
    return CliRunner().invoke(cli, ["clean", *args])


@pytest.fixture
def demo(analysed_demo, tmp_path) -> Path:
    return copy_demo(analysed_demo, tmp_path / "demo")


def originals(db_path: Path) -> dict[str, str]:
    """Every collected file's path and SHA-256, to show that none changed."""
    with open_db(db_path) as db:
        paths = {json.loads(row["origin"])["path"] for row in db.query("select origin from photos where origin is not null")}
    return {path: hashlib.sha256(Path(path).read_bytes()).hexdigest() for path in paths}


def original_of(db_path: Path, photo: str) -> bytes:
    with open_db(db_path) as db:
        return read_origin(json.loads(db["photos"].get(photo)["origin"]))


def assert_same_picture_outside(original: bytes, copy: bytes, obscured: list[list[int]]) -> None:
    """The copy shows the original, upright, apart from the obscured faces: within JPEG's tolerance elsewhere."""
    before, after = (np.asarray(imaging.decode(data).convert("RGB"), dtype=np.int16) for data in (original, copy))
    assert before.shape == after.shape
    outside = np.ones(before.shape[:2], dtype=bool)
    for left, top, right, bottom in obscured:
        outside[top:bottom, left:right] = False
    difference = np.abs(before - after)[outside]
    assert difference.mean() < 2.0 and np.percentile(difference, 99) <= 10, (difference.mean(), np.percentile(difference, 99))
    if obscured:  # and the faces are really changed
        inside = np.abs(before - after)[~outside]
        assert inside.mean() > 5.0, inside.mean()


def test_the_plan_s_pictures_are_copied_clean_and_the_report_says_where(demo, tmp_path):
    before = originals(demo)
    out = tmp_path / "copies"
    result = clean("--plan", "--db", str(demo), "--out", str(out))
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "clean-manifest.json").read_text(encoding="utf-8"))
    with open_db(demo) as db:
        kept_up = [step for step in removal_plan(db).steps if step.action in ("strip-location", "cover-face")]
    assert [copy["step"] for copy in manifest["copies"]] == [step.number for step in kept_up] and manifest["errors"] == []
    for copy, step in zip(manifest["copies"], kept_up):
        data = (out / copy["file"]).read_bytes()
        assert_nothing_identifies(data)  # the project's readers and exiftool, on the file written
        assert copy["recheck"]["locations"] == 0 and copy["recheck"]["metadata"] == []
        if step.action == "cover-face":
            assert copy["covered"] and copy["recheck"]["clear_faces_of_you"] == 0, copy
        assert stat.S_IMODE((out / copy["file"]).stat().st_mode) == 0o600
    assert sum(copy["bystanders_blurred"] for copy in manifest["copies"]) >= 1  # the demo's friends
    for copy in manifest["copies"]:
        assert_same_picture_outside(original_of(demo, copy["photo"]), (out / copy["file"]).read_bytes(), copy["obscured"])
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert originals(demo) == before
    with open_db(demo) as db:
        data = report_data(db)
    html = environment().get_template("report.html.j2").render(**data, redacted=False, lang="en")
    said = BeautifulSoup(html, "html.parser").find_all(class_="clean-copy")
    assert len(said) == len(kept_up)
    assert all(str(out.resolve()) in paragraph.get_text() for paragraph in said)
    redacted = environment().get_template("report.html.j2").render(**redact_report(data), redacted=True, lang="en")
    assert "clean-copy" not in redacted and str(out.resolve()) not in redacted


def test_a_copy_deleted_since_is_not_offered_and_a_rerun_replaces_only_its_own_files(demo, tmp_path):
    out = tmp_path / "copies"
    assert clean("--plan", "--db", str(demo), "--out", str(out)).exit_code == 0
    first = json.loads((out / "clean-manifest.json").read_text(encoding="utf-8"))["copies"]
    (out / first[0]["file"]).unlink()
    with open_db(demo) as db:
        assert len(report_data(db)["clean_copies"]) == len(first) - 1
    (out / "mine.txt").write_text("not a copy", encoding="utf-8")
    stale = out / first[1]["file"]
    manifest = json.loads((out / "clean-manifest.json").read_text(encoding="utf-8"))
    manifest["copies"].append({"file": "old-copy.jpg"})
    (out / "clean-manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (out / "old-copy.jpg").write_bytes(b"an older plan's copy")
    assert clean("--plan", "--db", str(demo), "--out", str(out)).exit_code == 0
    assert (out / "mine.txt").exists() and stale.exists() and not (out / "old-copy.jpg").exists()


def test_files_without_an_inventory_and_without_a_face_to_tell_blur_no_one_and_say_so(tmp_path):
    out = tmp_path / "copies"
    photo = EXIF / "dn_Nikon_D5000.jpg"
    result = clean(str(photo), "--out", str(out), "--db", str(tmp_path / "none.db"))
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "none.db").exists()
    manifest = json.loads((out / "clean-manifest.json").read_text(encoding="utf-8"))
    (copy,) = manifest["copies"]
    assert manifest["told_faces_apart"] is False and copy["bystanders_blurred"] == 0
    assert "gps" in copy["removed"] and copy["source"] == str(photo)
    assert_nothing_identifies((out / copy["file"]).read_bytes())
    assert "no face was blurred as someone else" in (out / "clean-manifest.html").read_text(encoding="utf-8")


@pytest.mark.skipif(faceid.available() is not None, reason="the face matcher (dlib) is not installed")
def test_with_me_a_friend_is_blurred_and_she_is_not(tmp_path):
    group = ROOT / "examples" / "demo" / "instagram_export" / "media" / "posts" / "202302" / "59283291030344378.jpg"
    out = tmp_path / "copies"
    args = [str(group), "--out", str(out), "--db", str(tmp_path / "none.db")]
    result = clean(*args, *[part for photo in ME for part in ("--me", str(photo))])
    assert result.exit_code == 0, result.output
    (copy,) = json.loads((out / "clean-manifest.json").read_text(encoding="utf-8"))["copies"]
    assert copy["bystanders_blurred"] == 1 and copy["your_faces_covered"] == 0
    assert copy["recheck"]["clear_faces_of_you"] == 1  # hers stays: only a cover-face step or --cover-me covers it
    covered = clean(*args, "--cover-me", *[part for photo in ME for part in ("--me", str(photo))])
    assert covered.exit_code == 0
    (copy,) = json.loads((out / "clean-manifest.json").read_text(encoding="utf-8"))["copies"]
    assert copy["your_faces_covered"] == 1 and copy["recheck"]["clear_faces_of_you"] == 0


def test_one_bad_file_is_listed_and_the_others_are_copied(tmp_path):
    bad, good = tmp_path / "bad.jpg", tmp_path / "good.jpg"
    bad.write_bytes(b"not a picture at all")
    good.write_bytes(jpeg_bytes(gps=(37.5563, 126.9236)))
    out = tmp_path / "copies"
    result = clean(str(bad), str(good), "--out", str(out), "--db", str(tmp_path / "none.db"))
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "clean-manifest.json").read_text(encoding="utf-8"))
    assert [copy["source"] for copy in manifest["copies"]] == [str(good)]
    assert [error["source"] for error in manifest["errors"]] == [str(bad)]
    assert "Not copied" in (out / "clean-manifest.html").read_text(encoding="utf-8")
    assert f"Not copied: {bad}: not an image" in result.output  # said where she looks, not only in the manifest


def test_nothing_to_copy_and_an_output_inside_an_account_are_refused(demo, tmp_path):
    assert clean("--out", str(tmp_path / "copies")).exit_code == 2
    with open_db(demo) as db:
        folder = next(Path(row["path"]) for row in db["accounts"].rows if row["path"] and Path(row["path"]).is_dir())
    result = clean("--plan", "--db", str(demo), "--out", str(folder / "copies"))
    assert result.exit_code == 2 and "inside the folder of the account" in result.output
    assert not (folder / "copies").exists()


def test_a_hostile_file_name_makes_a_plain_copy_name(tmp_path):
    hostile = tmp_path / "..\u202egpj.exe\x07;rm -rf.jpg"
    hostile.write_bytes(jpeg_bytes())
    out = tmp_path / "copies"
    assert clean(str(hostile), "--out", str(out), "--db", str(tmp_path / "none.db")).exit_code == 0
    (copy,) = json.loads((out / "clean-manifest.json").read_text(encoding="utf-8"))["copies"]
    assert all(character.isalnum() or character in "-_." for character in copy["file"]), copy["file"]
    assert (out / copy["file"]).parent == out


def test_hostile_file_names_do_not_reach_the_terminal_as_controls(tmp_path):
    hostile = tmp_path / "\x1b]0;pwned\x07\x1b[31mred.jpg"
    hostile.write_bytes(jpeg_bytes())
    broken = tmp_path / "\x1b[2Jbroken.jpg"
    broken.write_bytes(b"not a picture")
    result = clean(str(hostile), str(broken), "--out", str(tmp_path / "copies"), "--db", str(tmp_path / "none.db"))
    assert result.exit_code == 0 and "red.jpg" in result.output and "Not copied" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
