"""The end of a run in sentences ("Read 4 items from 2 accounts: ..."), every number checked against the inventory and
the run's tally, recounted here another way."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner
from PIL import Image

from audit.cli import cli
from audit.runs import summary_lines
from audit.inventory.db import open_db
from audit.signals import SIGNALS

from .clips import plain, write_clip
from .conftest import jpeg_bytes, write_config

READ = re.compile(r"^Read (\d+) items? from (\d+) accounts?: (\d+) distinct photos?(?: and (\d+) distinct videos?)?"
                  r"(?: \(in (\d+) files: copies and near-duplicates count once\))?"
                  r"(?:, (\d+) unreadable files?)?"
                  r"(?:, (\d+) files? that (?:is|are) not (?:a photo or a video|photos or videos), skipped)?\.$",
                  re.MULTILINE)
ANALYSED = re.compile(r"^Analysed (\d+) files?; scored (\d+)\.$", re.MULTILINE)
PHOTO_SIGNALS = [name for name, cls in SIGNALS.items() if cls.scope == "photo"]


def _accounts(tmp_path):
    """Two folders: two photos, a video, a file that is not a JPEG, a text file, and in the other one a copy of a photo."""
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "red.jpg").write_bytes(jpeg_bytes((200, 30, 30), size=(96, 64), text="red"))
    (tmp_path / "photos" / "blue.jpg").write_bytes(jpeg_bytes((20, 40, 220), size=(64, 96), text="blue"))
    (tmp_path / "photos" / "broken.jpg").write_bytes(b"\xff\xd8 not really a JPEG")
    (tmp_path / "photos" / "notes.txt").write_text("not a photo")
    write_clip(tmp_path / "photos" / "clip.mp4", [plain((64, 64))], size=(64, 64), seconds_each=0.5)
    (tmp_path / "blog").mkdir()
    (tmp_path / "blog" / "red-again.jpg").write_bytes((tmp_path / "photos" / "red.jpg").read_bytes())
    return write_config(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "photos"\n'
                                  '[[accounts]]\nplatform = "folder"\npath = "blog"\n')


def _run(tmp_path, *args):
    return CliRunner().invoke(cli, [*args, "--db", str(tmp_path / "a.db")])


def _last_run(db) -> dict:
    row = next(db.query("select * from runs order by id desc limit 1"))
    return {**row, "summary": json.loads(row["summary"])}


def test_the_summary_of_a_run_is_sentences_of_true_counts(tmp_path):
    result = _run(tmp_path, "run", str(_accounts(tmp_path)), "--out", str(tmp_path / "r.html"))
    assert result.exit_code == 0, result.output
    db = open_db(tmp_path / "a.db")
    tally = _last_run(db)["summary"]
    [read] = READ.findall(result.output)
    items, accounts, distinct, videos, files, unreadable, skipped = (int(n) if n else None for n in read)
    assert items == tally["items"] == db["appearances"].count == 5  # red, blue, the clip, broken and the copy
    assert accounts == db["accounts"].count == 2
    photos = list(db.query("select id, coalesce(group_id, id) as picture, media_type from photos where status = 'ok'"))
    assert distinct == len({row["picture"] for row in photos if row["media_type"] == "image"}) == 2
    assert videos == len({row["picture"] for row in photos if row["media_type"] == "video"}) == 1  # no photo in the count
    assert (files or distinct + videos) == len(photos) == 3  # the copy is the same file: counted once
    assert unreadable == db["photos"].count_where("status = 'unreadable'") == 1
    assert skipped == tally["skipped"] == db["errors"].count_where("stage = 'skip'") == 1
    [(analysed, scored)] = ANALYSED.findall(result.output)
    assert {tally[f"analysed:{name}"] for name in PHOTO_SIGNALS} == {int(analysed)}
    assert int(analysed) == db["photos"].count  # every file, the unreadable one too, went through the checks
    assert int(scored) == tally["scored"] == db["scores"].count
    assert "1 item in the inventory could not be read" in result.output and "broken.jpg" in result.output
    assert not re.search(r"\w+: \d+;", result.output)  # no "items: 4; scored: 3" left

    again = _run(tmp_path, "run", str(tmp_path / "accounts.toml"), "--out", str(tmp_path / "r.html"))
    assert again.exit_code == 0, again.output
    assert f"No file needed analysing again; scored {db['scores'].count}." in again.output
    analysed_only = _run(tmp_path, "analyze")
    assert analysed_only.exit_code == 0 and not READ.findall(analysed_only.output)  # analyze reads no account
    assert f"No file needed analysing again; scored {db['scores'].count}." in analysed_only.output


def test_an_empty_input_says_that_nothing_was_read(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("not a photo")
    config = write_config(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "empty"\n')
    result = _run(tmp_path, "run", str(config), "--out", str(tmp_path / "r.html"))
    assert result.exit_code == 3
    assert "Nothing was read from 1 account (1 file that is not a photo or a video was skipped)." in result.output
    assert "distinct" not in result.output and "Analysed" not in result.output and "scored" not in result.output


def test_checks_that_ran_on_different_numbers_of_files_are_each_said(tmp_path):
    db = open_db(tmp_path / "a.db")
    first, *others = PHOTO_SIGNALS
    counts = {f"analysed:{first}": 5, **{f"analysed:{name}": 3 for name in others}, "scored": 7}
    each = ", ".join([f"{first} on 5 files"] + [f"{name} on 3 files" for name in others])
    assert summary_lines(db, 1, counts) == [f"Ran each check on the files it had not analysed yet: {each}; scored 7."]
    assert summary_lines(db, 1, {f"analysed:{name}": 1 for name in PHOTO_SIGNALS} | {"scored": 1}) == ["Analysed 1 file; scored 1."]


def test_a_collect_does_not_call_files_distinct_photos_before_they_are_compared(tmp_path):
    """Near-duplicates are told by a hash the analysis makes: after a collect alone, a re-encoded copy is only known
    to be another file; after the analysis, it counts once."""
    (tmp_path / "photos").mkdir()
    (tmp_path / "blog").mkdir()
    (tmp_path / "photos" / "red.jpg").write_bytes(jpeg_bytes((200, 30, 30), size=(240, 160), text="red"))
    Image.open(tmp_path / "photos" / "red.jpg").resize((180, 120)).save(tmp_path / "blog" / "red-small.jpg", quality=70)
    config = write_config(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "photos"\n'
                                    '[[accounts]]\nplatform = "folder"\npath = "blog"\n')
    collected = _run(tmp_path, "collect", str(config))
    assert collected.exit_code == 0, collected.output
    assert ("Read 2 items from 2 accounts: 2 different files (near-duplicates are looked for when the photos are "
            "analysed).") in collected.output
    audited = _run(tmp_path, "run", str(config), "--out", str(tmp_path / "r.html"))
    assert audited.exit_code == 0, audited.output
    assert "Read 2 items from 2 accounts: 1 distinct photo (in 2 files: copies and near-duplicates count once)." in audited.output


def _plain_photos(tmp_path, count: int):
    """A folder account of `count` different plain photos; its accounts.toml."""
    (tmp_path / "photos").mkdir()
    for index in range(count):
        (tmp_path / "photos" / f"p{index}.jpg").write_bytes(jpeg_bytes((40 * index, 90, 30), size=(64, 48)))
    return write_config(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "photos"\n')


def test_an_analysis_cut_short_says_how_many_files_are_analysed_as_the_inventory_counts_them(tmp_path, monkeypatch):
    config = _plain_photos(tmp_path, 5)
    calls = []
    original = SIGNALS["exif"].analyze

    def ctrl_c_on_the_third(self, photo):
        calls.append(photo.id)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(self, photo)

    monkeypatch.setattr(SIGNALS["exif"], "analyze", ctrl_c_on_the_third)
    result = _run(tmp_path, "run", str(config), "--out", str(tmp_path / "r.html"))
    assert result.exit_code == 130, result.output
    [(done, total, rest)] = re.findall(r"^Analysis cut short: (\d+) of (\d+) files analysed by every check; run the "
                                       r"command again to analyse the other (\d+)\.$", result.output, re.MULTILINE)
    db = open_db(tmp_path / "a.db")
    analysed = [row["photo"] for row in db.query("select photo from analyses group by photo having count(*) = ?",
                                                  [len(PHOTO_SIGNALS)])]
    assert (int(done), int(total), int(rest)) == (len(analysed), db["photos"].count, db["photos"].count - len(analysed))
    assert (int(done), int(total)) == (2, 5) and not ANALYSED.search(result.output)
    monkeypatch.setattr(SIGNALS["exif"], "analyze", original)
    again = _run(tmp_path, "run", str(config), "--out", str(tmp_path / "r.html"))
    assert "Analysed 3 files; scored 5." in again.output


def test_a_run_cut_short_after_every_file_was_analysed_says_so(tmp_path, monkeypatch):
    config = _plain_photos(tmp_path, 2)

    def ctrl_c(db):
        raise KeyboardInterrupt

    monkeypatch.setattr("audit.runs.score_step", ctrl_c)
    result = _run(tmp_path, "run", str(config), "--out", str(tmp_path / "r.html"))
    assert result.exit_code == 130, result.output
    assert "Every file (2) is analysed by every check; the run was cut short before it ended." in result.output
    assert "Analysis cut short" not in result.output and not ANALYSED.search(result.output)
