"""One TikTok account added twice, its export (with videos saved beside it) and its live profile: a video seen through
both is one picture, counted once and shown with both accounts; different videos, and a post with two videos on one
account, stay apart (audit/inventory/dedupe.py).

Nothing reaches the network: the live profile is the recorded server of tests/test_tiktok_live.py, the export the
2024 sample of tests/test_tiktok_export.py, and the videos are clips made by tests/clips.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import responses
from click.testing import CliRunner
from PIL import Image

from audit.cli import cli
from audit.inventory.db import open_db
from audit.inventory.dedupe import group_near_duplicates
from audit.sources import tiktok_live

from .clips import plain, write_clip
from .conftest import write_config
from .test_tiktok_export import JSON_2024, copy_of, edit_json, posts_2024
from .test_tiktok_live import HANDLE, OTHER, TOKEN, VIDEO, TikTok
from .test_video import ME

ELSE = "7280000000000000001"  # a post of the export only
LIVE, EXPORT = f"tiktok:{HANDLE}", "tiktok-export:export"


class TikTokWithVideo(TikTok):
    """The recorded server, serving a video of the user's face at post VIDEO's address."""

    video = b""

    def _media(self, request):
        if f"/video_{VIDEO}/" in request.url:
            return 200, {"Content-Type": "video/mp4"}, self.video
        return super()._media(request)


def make_clips(folder: Path) -> dict[str, bytes]:
    """The user's video as TikTok serves it and as she saved it from the app (other bytes, other size), and three
    videos without a face, each different."""
    me = Image.open(ME)
    clips = {"served": write_clip(folder / "served.mp4", [me, me]),
             "saved": write_clip(folder / "saved.mp4", [me, me], size=(360, 480))}
    for name, shade in (("else", 60), ("first", 120), ("second", 200)):
        clips[name] = write_clip(folder / f"{name}.mp4", [plain((480, 640), shade)] * 2)
    return {name: path.read_bytes() for name, path in clips.items()}


def export_with_saved_videos(folder: Path, clips: dict[str, bytes]) -> Path:
    """The 2024 sample with three posts given share links (their ids), and their videos saved beside it: post VIDEO
    (on the live profile too), post OTHER with two videos (one named by its id, one by its date; the live profile has
    only its cover), post ELSE (on the export only)."""
    export = copy_of(JSON_2024, folder)

    def share(data):
        for index, post_id in ((0, VIDEO), (2, OTHER), (3, ELSE)):
            posts_2024(data)[index]["Link"] = f"https://www.tiktokv.com/share/video/{post_id}/"
        posts_2024(data)[0]["Date"] = "2023-11-18 07:00:00"  # TikTok's time of post VIDEO, 2 s before its upload

    edit_json(export, share)
    (export / f"{VIDEO}.mp4").write_bytes(clips["saved"])
    (export / f"[{OTHER}].mp4").write_bytes(clips["first"])
    (export / "2023-07-06_13-21-42.mp4").write_bytes(clips["second"])  # post OTHER's Date
    (export / f"{ELSE}.mp4").write_bytes(clips["else"])
    return export


def audit(folder: Path, config: Path) -> dict:
    """collect, analyze and report --json, as the user runs them; the report's JSON."""
    for command in (["collect", str(config)], ["analyze"],
                    ["report", "--out", str(folder / "r.html"), "--json", str(folder / "r.json")]):
        result = CliRunner().invoke(cli, [*command, "--db", str(folder / "audit.db")])
        assert result.exit_code == 0, result.output
    return json.loads((folder / "r.json").read_text(encoding="utf-8"))


def video_groups(db) -> dict[tuple[str, str | None, str], str]:
    """(account, post id, media name) -> group id of every video in the inventory."""
    rows = db.query("select account, post_id, media_name, group_id from appearances "
                    "join photos on photos.id = appearances.photo where photos.media_type = 'video'")
    return {(row["account"], row["post_id"], row["media_name"]): row["group_id"] for row in rows}


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """Both accounts audited twice, as a user runs the audit again: each audit's groups and report."""
    folder = tmp_path_factory.mktemp("same_post")
    clips = make_clips(folder)
    export = export_with_saved_videos(folder, clips)
    config = write_config(folder, f'[[accounts]]\nplatform = "tiktok-export"\npath = "{export.name}"\n\n'
                                  f'[[accounts]]\nplatform = "tiktok"\nhandle = "{HANDLE}"\n')
    with open_db(folder / "audit.db") as db:  # the token the bio shows (test_tiktok_live: collecting twice)
        db["proof_tokens"].insert({"account": LIVE, "token": TOKEN, "created_at": "x"}, pk="account")
    runs = []
    with pytest.MonkeyPatch.context() as patch, responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        patch.setenv("PHOTO_AUDIT_CACHE", str(folder / "cache"))  # the autouse `cache` fixture is per test
        patch.setattr(tiktok_live, "MIN_INTERVAL", 0.0)  # steps.collect makes the source: no real pauses
        server = TikTokWithVideo(mock)
        server.video = clips["served"]
        server.public_profile()
        for _ in range(2):
            report = audit(folder, config)
            with open_db(folder / "audit.db") as db:
                runs.append(SimpleNamespace(report=report, groups=video_groups(db)))
    return SimpleNamespace(folder=folder, first=runs[0], again=runs[1])


def card_of(report: dict, group: str) -> dict:
    (card,) = [card for card in report["photos"] if card["id"] == group]
    return card


def test_the_same_video_through_both_accounts_is_one_picture_shown_with_both(audited):
    groups, report = audited.first.groups, audited.first.report
    live, exported = groups[LIVE, VIDEO, f"{VIDEO}.mp4"], groups[EXPORT, VIDEO, f"{VIDEO}.mp4"]
    assert live == exported
    card = card_of(report, live)
    assert {appearance["account"] for appearance in card["appearances"]} == {LIVE, EXPORT}
    assert {appearance["post_url"] for appearance in card["appearances"]} == {
        f"https://www.tiktok.com/@{HANDLE}/video/{VIDEO}", f"https://www.tiktokv.com/share/video/{VIDEO}/"}
    # Counted once: one card per group of videos, one clear picture of her face (from 2 accounts), one plan step
    # that names both posts.
    videos = [card for card in report["photos"] if card["media_type"] == "video"]
    assert len(videos) == len(set(groups.values())) == len(groups) - 1 == 7
    assert report["totals"]["in_several_places"] == 1
    supply = report["strangers"]["supply"]
    assert (supply["photos"], supply["accounts"]) == (1, 2)
    (step,) = [step for step in report["plan"]["steps"] if step["card"] == live]
    assert {where["account"] for where in step["where"]} == {LIVE, EXPORT}
    assert sum(step["card"] == live for step in report["plan"]["steps"]) == 1


def test_different_videos_are_not_joined(audited):
    groups = audited.first.groups
    assert groups[EXPORT, ELSE, f"{ELSE}.mp4"] != groups[LIVE, VIDEO, f"{VIDEO}.mp4"]
    missing = [group for (account, post, _), group in groups.items() if post is None]  # no file saved, no post id
    assert len(missing) == len(set(missing)) == 2 and not set(missing) & {groups[LIVE, VIDEO, f"{VIDEO}.mp4"]}


def test_a_post_with_two_videos_on_one_account_is_not_joined(audited):
    """The export has two videos for post OTHER, the live profile its cover: which one the cover is, nobody knows."""
    groups = audited.first.groups
    other = [groups[EXPORT, OTHER, f"[{OTHER}].mp4"], groups[EXPORT, OTHER, "2023-07-06_13-21-42.mp4"],
             groups[LIVE, OTHER, f"{OTHER}.jpg"]]
    assert len(set(other)) == 3
    assert all(len(card_of(audited.first.report, group)["appearances"]) == 1 for group in other)


def test_a_second_audit_keeps_every_group(audited):
    assert audited.again.groups == audited.first.groups
    assert [card["id"] for card in audited.again.report["photos"]] == [card["id"] for card in audited.first.report["photos"]]
    with open_db(audited.folder / "audit.db") as db:
        assert group_near_duplicates(db) == 0  # nothing left to change


# --- the grouping itself, on inventories made by hand ------------------------------------------------------------


def add_post(db, account: str, post_id: str | None, photo: str, media_type: str = "video", status: str = "ok",
             posted_at: str | None = None) -> None:
    """A post of `photo` on `account` (named platform:handle, as config.Account.key names it)."""
    db["accounts"].insert({"key": account, "platform": account.split(":")[0]}, pk="key", ignore=True)
    db["photos"].insert({"id": photo, "status": status, "media_type": media_type, "width": 480, "height": 640},
                        pk="id", ignore=True)
    db["appearances"].insert({"id": f"{account}/{photo}", "photo": photo, "account": account,
                              "platform": account.split(":")[0], "kind": "post", "post_id": post_id,
                              "posted_at": posted_at}, pk="id")


def group_of(db) -> dict[str, str]:
    group_near_duplicates(db)
    return {row["id"]: row["group_id"] for row in db["photos"].rows}


@pytest.fixture
def db(tmp_path):
    with open_db(tmp_path / "audit.db") as db:
        yield db


def test_one_post_through_an_export_and_the_live_profile_is_one_group(db):
    add_post(db, "tiktok:minji", "111", "b-live")
    add_post(db, "tiktok-export:minji", "111", "a-export")
    add_post(db, "instaloader-folder:minji", "Cx1", "d-instaloader")  # instaloader and the live read: one Instagram
    add_post(db, "instagram:minji", "Cx1", "c-live")
    assert group_near_duplicates(db) == 4
    assert group_of(db) == {"a-export": "a-export", "b-live": "a-export", "c-live": "c-live", "d-instaloader": "c-live"}
    assert group_near_duplicates(db) == 0  # a re-run changes nothing


def test_a_post_with_several_videos_on_one_account_is_never_joined(db):
    """A carousel of two videos on Instagram and one video of it on instaloader: which of the two it is, is unknown."""
    add_post(db, "instagram:minji", "Cx2", "a-first")
    add_post(db, "instagram:minji", "Cx2", "b-second")
    add_post(db, "instaloader-folder:minji", "Cx2", "c-one")
    assert group_of(db) == {"a-first": "a-first", "b-second": "b-second", "c-one": "c-one"}


def test_the_same_post_id_on_two_apps_is_not_joined(db):
    add_post(db, "instagram:minji", "7302516871449382145", "a-instagram")
    add_post(db, "tiktok:minji", "7302516871449382145", "b-tiktok")
    assert group_of(db) == {"a-instagram": "a-instagram", "b-tiktok": "b-tiktok"}


def test_only_videos_with_a_post_id_are_joined_by_their_post(db):
    """Stills are joined by their perceptual hash alone (a photo-mode post's images differ); no post id, no post."""
    add_post(db, "tiktok:minji", "222", "a-slide", media_type="image")
    add_post(db, "tiktok-export:minji", "222", "b-slide", media_type="image")
    for account in ("tiktok:minji", "tiktok-export:minji"):
        add_post(db, account, None, f"c-{account}")
        add_post(db, account, "", f"d-{account}")
    assert set(group_of(db).items()) == {(photo, photo) for photo in group_of(db)}


def test_a_group_is_named_by_a_video_that_can_be_shown(db):
    """The export's video is missing (not saved beside it) and its id is the smallest: the group is still named by
    the live video, whose row is the report's card."""
    add_post(db, "tiktok-export:minji", "333", "0-missing", status="missing")
    add_post(db, "tiktok:minji", "333", "9-live")
    add_post(db, "tiktok-export:minji", "444", "0-unreadable", status="unreadable")
    add_post(db, "tiktok:minji", "444", "1-missing", status="missing")
    assert group_of(db) == {"0-missing": "9-live", "9-live": "9-live", "0-unreadable": "1-missing",
                            "1-missing": "1-missing"}


def test_a_cover_replaced_by_its_video_on_a_later_read_is_no_second_video(db):
    """The live profile kept the cover on the first read and got the video on the second: the post shows one video."""
    add_post(db, "tiktok:minji", "555", "a-cover")
    add_post(db, "tiktok:minji", "555", "c-video")
    add_post(db, "tiktok-export:minji", "555", "b-export")
    db["account_reads"].insert_all([{"run": run, "account": "tiktok:minji", "complete": 1} for run in (1, 2)])
    db["sightings"].insert_all([{"run": 1, "appearance": "tiktok:minji/a-cover"},
                                {"run": 2, "appearance": "tiktok:minji/c-video"}])
    assert group_of(db) == {"a-cover": "a-cover", "b-export": "b-export", "c-video": "b-export"}


def test_near_duplicates_and_posts_are_grouped_in_one_pass(db):
    """The perceptual hash still joins stills, beside the videos joined by their post."""
    add_post(db, "folder:camera", None, "a-still", media_type="image")
    add_post(db, "folder:blog", None, "b-copy", media_type="image")
    db["photos"].update("a-still", {"phash": "c3c3a5a55a5a3c3c" + "808080"})
    db["photos"].update("b-copy", {"phash": "c3c3a5a55a5a3c3d" + "818080"})  # one bit and one level apart
    add_post(db, "tiktok:minji", "666", "d-live")
    add_post(db, "tiktok-export:minji", "666", "c-export")
    assert group_of(db) == {"a-still": "a-still", "b-copy": "a-still", "c-export": "c-export", "d-live": "c-export"}


def test_an_export_without_ids_meets_the_live_profile_at_the_second_of_the_post(db):
    """A real TikTok export links its own videos by a storage address, without their id: the time joins them."""
    add_post(db, "tiktok-export:minji", None, "a-export", posted_at="2024-09-17T14:07:21Z")
    add_post(db, "tiktok:minji", "777", "b-live", posted_at="2024-09-17T14:07:21Z")
    add_post(db, "tiktok-export:minji", None, "c-export", posted_at="2024-09-17T14:07:22Z")  # a second later: another
    add_post(db, "tiktok:minji", "888", "d-live", posted_at="2024-09-18T09:00:00Z")  # to the minute only: not joined
    add_post(db, "tiktok-export:minji", None, "e-export", posted_at="2024-09-18T09:00:00Z")
    add_post(db, "instagram:minji", "Cx3", "f-instagram", posted_at="2024-09-17T14:07:21Z")  # another app
    assert group_of(db) == {"a-export": "a-export", "b-live": "a-export", "c-export": "c-export", "d-live": "d-live",
                            "e-export": "e-export", "f-instagram": "f-instagram"}


def test_two_videos_of_one_account_at_one_second_are_joined_to_neither(db):
    """Two posts (two ids) of the live profile at one second, one video of the export then: which it is, is unknown."""
    add_post(db, "tiktok:minji", "998", "a-first", posted_at="2024-09-17T14:07:21Z")
    add_post(db, "tiktok:minji", "999", "b-second", posted_at="2024-09-17T14:07:21Z")
    add_post(db, "tiktok-export:minji", None, "c-export", posted_at="2024-09-17T14:07:21Z")
    assert group_of(db) == {"a-first": "a-first", "b-second": "b-second", "c-export": "c-export"}
