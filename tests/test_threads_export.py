"""The threads-export source: the real JSON and HTML exports (tests/fixtures/formats/threads_*), the documented 2025
keys, zipped and as folders; a Meta export holding Instagram and Threads is two accounts, and a picture posted to
both is one photo; broken records are named and the rest is read."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

import pytest
from bs4 import BeautifulSoup

from audit import steps
from audit.config import Account
from audit.detect import config_for
from audit.inventory.archive import open_tree
from audit.inventory.db import open_db, start_run
from audit.models import ANYONE, FOLLOWERS, Item, ItemError
from audit.report.page import environment, report_data
from audit.report.plan import removal_plan
from audit.sources import SOURCES
from audit.sources.instagram_export import InstagramExportSource
from audit.sources.threads_export import ThreadsExportSource, export_root

from .conftest import FIXTURES, comparable, jpeg_bytes, write_zip
from .test_plan import _inventory

FORMATS = FIXTURES / "formats"
JSON_REAL = FORMATS / "threads_dyi_json_2024_yungztr"  # real records, see its PROVENANCE.md
HTML_REAL = FORMATS / "threads_dyi_html_2024_koufujioghaghpgs"  # real markup, Japanese
JSON_2025 = FORMATS / "threads_dyi_json_2025_replies_private_handmade"  # documented keys, unverified
INSTAGRAM = FORMATS / "instagram_dyi_json_2025_activity_media_handmade"
TOP_FOLDER = "instagram-minji.kim-2025-10-20-AbCdEfGh"
DOCUMENT = "your_instagram_activity/threads/threads_and_replies.json"


def collect(path: Path) -> tuple[list[Item], list[ItemError]]:
    entries = list(ThreadsExportSource(Account(platform="threads-export", path=path)).items())
    items = [entry for entry in entries if isinstance(entry, Item)]
    errors = [entry for entry in entries if isinstance(entry, ItemError)]
    assert len(items) + len(errors) == len(entries)
    return items, errors


def by_file(items: list[Item]) -> dict[str, Item]:
    named = {PurePosixPath(item.media_name).name: item for item in items}
    assert len(named) == len(items), "a fixture names each media file once"
    return named


def failures(errors: list[ItemError]) -> list[ItemError]:
    return [error for error in errors if error.stage != "skip"]


def test_registered_and_declared():
    assert SOURCES["threads-export"] is ThreadsExportSource
    cls = ThreadsExportSource
    assert (cls.app, cls.exported, cls.needs, cls.live, cls.audience) == ("threads", True, "path", False, ANYONE)


# --- the real JSON export -----------------------------------------------------------------------------------


def test_real_json_every_picture_is_read_and_text_only_posts_are_counted():
    items, errors = collect(JSON_REAL)
    assert failures(errors) == []
    [note] = errors
    assert note.source_item == DOCUMENT and note.message.endswith(": 2")
    files = by_file(items)
    assert len(files) == 5 and all(item.kind == "post" and item.audience is None for item in items)
    photo = next(item for name, item in files.items() if name.startswith("429111222_"))
    assert photo.caption == "졸업 축하해 🎓 한빛고 3학년 2반 다들 고마워"  # Meta's mojibake, repaired
    assert photo.posted_at == datetime(2024, 2, 27, 20, 14, 50, tzinfo=timezone.utc)
    assert photo.extra["exif_data"][0]["device_id"] == "0C1D2E3F-4A5B-4C6D-8E7F-9A0B1C2D3E4F"
    assert photo.post_id == PurePosixPath(photo.media_name).stem and photo.url is None  # no id or link in the export
    carousel = [item for item in items if item.caption == "한강 피크닉 🧺"]
    assert len(carousel) == 2 and len({item.post_id for item in carousel}) == 1  # the caption is on the post
    assert all(item.media_name.startswith("media/4") and item.origin for item in carousel)
    [video] = [item for item in items if item.media_type == "video"]
    assert PurePosixPath(video.media_name).suffix == "" and video.origin is None  # no extension; file not exported
    assert [item.media_type for item in items if item.media_name.endswith(".webp")] == ["image"]


def test_documented_2025_keys_replies_and_a_private_profile():
    items, errors = collect(JSON_2025)
    assert failures(errors) == [] and [error.message.endswith(": 1") for error in errors] == [True]
    posts = [item for item in items if item.kind == "post"]
    assert [item.extra.get("reply", False) for item in posts] == [False, True]
    assert posts[1].caption == "여기 우리 동아리방이야 @jiwoo.park"
    assert all(item.audience == FOLLOWERS for item in posts)  # "Private Account": "True"
    [profile] = [item for item in items if item.kind == "profile_photo"]
    assert profile.caption == "김민지\n연세대 22 | 서울" and profile.origin is not None
    assert "minji@example.com" not in json.dumps([item.extra for item in items]) + str(profile.caption)


def test_a_privacy_value_that_is_neither_yes_nor_no_is_named_and_the_account_audience_applies(tmp_path):
    export = shutil.copytree(JSON_2025, tmp_path / "export")
    profile = export / "your_instagram_activity" / "threads" / "personal_information.json"
    profile.write_text(profile.read_text().replace('"True"', '"Maybe"'))
    items, errors = collect(export)
    assert [error.message for error in failures(errors)] == [
        "field 'Private Account' is neither yes nor no: 'Maybe'; the account's audience applies"]
    assert {item.audience for item in items if item.kind == "post"} == {None}


# --- the real HTML export -----------------------------------------------------------------------------------


def test_real_html_posts_dates_details_and_the_public_profile():
    items, errors = collect(HTML_REAL)
    assert failures(errors) == [] and [error.message for error in errors] == [
        "skipped: posts and replies of text only, with no photo or video: 2"]
    posts = [item for item in items if item.kind == "post"]
    assert len(posts) == 4 and {item.audience for item in posts} == {ANYONE}  # 非公開アカウント: いいえ
    first = posts[0]
    assert first.caption == "駅前のカフェで勉強中 ☕" and first.media_name.endswith(".webp") and first.origin
    assert first.posted_at == datetime(2024, 8, 25, 2, 31, tzinfo=timezone.utc)  # "2024/08/25 2:31", no zone
    assert first.extra["details"]["デバイスID"] == "android-0a1b2c3d4e5f6a7b"
    shared = posts[1]  # shared from Instagram; its file is not in the published copy
    assert shared.extra["details"]["ソースタイプ"] == "MediaSourceType.IG_TO_THREADS_XPOST" and shared.origin is None
    assert len({item.post_id for item in posts[2:]}) == 1 and all(item.origin for item in posts[2:])
    [profile] = [item for item in items if item.kind == "profile_photo"]
    assert profile.media_name.startswith("media/other/") and profile.origin
    assert profile.caption == "東京の大学2年生 📷 写真が好き\nhttps://example.com/hana"


def test_a_profile_in_an_unknown_language_is_noted_and_the_account_audience_applies(tmp_path):
    export = shutil.copytree(HTML_REAL, tmp_path / "export")
    profile = export / "your_instagram_activity" / "threads" / "personal_information.html"
    profile.write_text(profile.read_text(encoding="utf-8").replace("非公開アカウント", "비공개?"), encoding="utf-8")
    items, errors = collect(export)
    assert failures(errors) == []
    assert any("no 'Private Account' row" in error.message for error in errors)
    assert {item.audience for item in items if item.kind == "post"} == {None}


# --- zip and folder; where the export root is -------------------------------------------------------------


@pytest.mark.parametrize("folder", [JSON_REAL, HTML_REAL, JSON_2025], ids=lambda folder: folder.name)
def test_zip_and_folder_give_the_same_items(folder, tmp_path):
    folder_items, folder_errors = collect(folder)
    zip_items, zip_errors = collect(write_zip(folder, tmp_path / "export.zip", top=TOP_FOLDER + "/"))
    assert failures(folder_errors) == failures(zip_errors) == []
    assert [error.message for error in zip_errors] == [error.message for error in folder_errors]
    as_folder = [comparable(item, str(folder.resolve()) + "/") for item in folder_items]
    as_zip = [comparable(item, TOP_FOLDER + "/") for item in zip_items]
    assert as_zip == as_folder
    assert all(item.origin.path == str((tmp_path / "export.zip").resolve()) for item in zip_items if item.origin)


@pytest.mark.parametrize(
    "document, root",
    [
        ("your_instagram_activity/threads/threads_and_replies.json", ""),
        ("top/your_instagram_activity/threads/threads_and_replies.html", "top"),
        ("threads/threads_and_replies.json", ""),  # Threads alone, or the threads/ folder at the top
        ("top/threads_and_replies.json", "top"),  # the threads/ folder given alone
    ],
)
def test_media_uris_are_relative_to_the_folder_above_threads(document, root):
    assert export_root(document) == root


# --- one download, two accounts -------------------------------------------------------------------------------


def test_a_meta_export_with_instagram_and_threads_is_two_accounts_and_a_shared_picture_is_one_photo(tmp_path):
    both = tmp_path / "meta-export"
    shutil.copytree(INSTAGRAM, both)
    shutil.copytree(JSON_REAL, both, dirs_exist_ok=True)  # one root: media/ holds both apps' files
    shared = INSTAGRAM / "media/posts/202503/482910375_1029384756102938_5647382910293847561_n_18051234567890123.jpg"
    threads_copy = both / "media/posts/202402/429111222_1234567890123456_1122334455667788990_n_17985600000000001.jpg"
    threads_copy.write_bytes(shared.read_bytes())  # the same picture, posted to both apps

    config, found = config_for([both])
    assert {account.platform for account in config.accounts} == {"instagram-export", "threads-export"}
    assert {account.display for account in config.accounts} == {"meta-export (instagram-export)",
                                                                  "meta-export (threads-export)"}
    account = next(account for account in config.accounts if account.platform == "instagram-export")
    instagram = [entry for entry in InstagramExportSource(account).items() if isinstance(entry, Item)]
    assert not any("threads" in item.source_item for item in instagram)  # Instagram does not read Threads' posts
    assert {PurePosixPath(item.media_name).name for item in instagram} & set(by_file(collect(both)[0])) == set()

    db = open_db(tmp_path / "audit.db")
    steps.collect(db, config, start_run(db, "collect", "test"))
    assert list(db.query("select item, message from errors where stage != 'skip'")) == []
    photo = hashlib.sha256(shared.read_bytes()).hexdigest()
    rows = list(db.query("select platform, media_name, caption from appearances where photo = ? order by platform",
                         [photo]))
    assert [row["platform"] for row in rows] == ["instagram-export", "threads-export"]
    assert rows[1]["caption"] == "졸업 축하해 🎓 한빛고 3학년 2반 다들 고마워"
    assert db["photos"].count == len({row["photo"] for row in db["appearances"].rows if row["photo"]})
    per_platform = Counter(row["platform"] for row in db["appearances"].rows)
    assert per_platform["threads-export"] == 5


def test_a_threads_post_without_a_link_is_found_in_the_threads_app(tmp_path):
    db, ids = _inventory(tmp_path)
    db.execute("update appearances set platform = 'threads-export', post_url = null where media_name = 'A.jpg'")
    db.conn.commit()
    step = next(step for step in removal_plan(db).steps if step.card == ids["A"])
    for lang in ("en", "ko"):
        html = environment(lang).get_template("report.html.j2").render(**report_data(db))
        row = BeautifulSoup(html, "html.parser").select_one(f"#plan-step-{step.number} ul.step-where > li")
        way = " ".join(row.select_one(".way").get_text(" ").split())
        assert way.startswith("Threads › ") and (lang == "ko" or way == "Threads › your profile › posts")


# --- broken input -------------------------------------------------------------------------------------------


def test_bad_records_are_named_and_the_rest_is_read(tmp_path):
    threads = tmp_path / "export" / "your_instagram_activity" / "threads"
    threads.mkdir(parents=True)
    good = {"media": [{"uri": "media/posts/202401/ok.jpg", "creation_timestamp": 1704067200, "title": "fine"}]}
    posts = [
        good,
        "not a record",
        {"media": "not a list"},
        {"media": [{"uri": "media/posts/202401/bad.jpg", "creation_timestamp": "yesterday",
                    "text_app_post": "not an object"}]},
        {"media": [{"uri": "", "title": "only words"}]},
    ]
    (threads / "threads_and_replies.json").write_text(json.dumps({"text_post_app_text_posts": posts}))
    (tmp_path / "export" / "media" / "posts" / "202401").mkdir(parents=True)
    (tmp_path / "export" / "media" / "posts" / "202401" / "ok.jpg").write_bytes(jpeg_bytes())
    items, errors = collect(tmp_path / "export")
    assert [(error.source_item.removeprefix(DOCUMENT + " "), error.message) for error in failures(errors)] == [
        ("record 1", "field '(record)' is not a JSON object"),
        ("record 2", "field 'media' is not a non-empty list"),
        ("record 3", "field 'media[0].text_app_post' is not a JSON object"),
        ("record 3", "field 'media[0].creation_timestamp' is not epoch seconds: 'yesterday'"),
    ]
    assert [(item.media_name, item.caption, item.origin is not None) for item in items] == [
        ("media/posts/202401/ok.jpg", "fine", True), ("media/posts/202401/bad.jpg", None, False)]
    assert errors[-1].stage == "skip" and errors[-1].message.endswith(": 1")


def test_a_broken_document_is_named_with_its_position(tmp_path):
    threads = tmp_path / "export" / "threads"
    threads.mkdir(parents=True)
    (threads / "threads_and_replies.json").write_text('{"text_post_app_text_posts": [\n  {"media": []\n]}')
    (threads / "threads_and_replies_2.html").write_text("<html><body><p>nothing</p></body></html>")
    items, errors = collect(tmp_path / "export")
    assert items == []
    assert [(error.source_item, error.message.split(":")[0]) for error in errors] == [
        ("threads/threads_and_replies.json", "not valid JSON at line 3 column 1"),
        ("threads/threads_and_replies_2.html", "no post boxes (div.pam._3-95._2ph-._a6-g.uiBoxWhite.noborder) found"),
    ]


def test_a_path_without_threads_posts_is_not_recognised():
    assert not ThreadsExportSource.recognises(open_tree(INSTAGRAM))
    assert ThreadsExportSource.recognises(open_tree(JSON_REAL))
