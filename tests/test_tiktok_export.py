"""The tiktok-export source: the three real layouts (2025 JSON, 2024 JSON with the older section names, 2019-2020 TXT),
as folders and zips; videos saved beside the export, matched by id or date; what the export lacks, said plainly;
broken and hostile input."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from audit.config import Account
from audit.detect import recognise
from audit.errors import InputError
from audit.inventory.archive import open_tree
from audit.models import ANYONE, FOLLOWERS, ONLY_YOU, Item, ItemError
from audit.sources.tiktok_export import TikTokExportSource

from .conftest import FIXTURES, write_zip

FORMATS = FIXTURES / "formats"
JSON_2025 = FORMATS / "tiktok_json_2025_post_posts_beyzaacesur"
JSON_2024 = FORMATS / "tiktok_json_2024_video_videos_tt-downloader"
TXT_2019 = FORMATS / "tiktok_txt_2019_videos_mightyphoenix"
SAMPLES = [JSON_2025, JSON_2024, TXT_2019]
SHARE_ID = "7123456789012345678"
CAPTION = "축제 #서울 우리학교"

# sample: [(posted_at, media_name, media_type, audience, location)], handle
EXPECTED = {
    JSON_2025: ([
        ("2025-01-26T15:50:46Z", "2025-01-26_15-50-46.jpg", "image", ANYONE, None),  # photo mode: 3 image links
        ("2024-02-14T19:45:10Z", "2024-02-14_19-45-10.mp4", "video", ONLY_YOU, None),
        ("2023-08-14T14:21:33Z", "2023-08-14_14-21-33.mp4", "video", ANYONE, None),
        ("2023-07-16T22:17:59Z", "2023-07-16_22-17-59.mp4", "video", ONLY_YOU, None),
    ], "jiwoo.film"),
    JSON_2024: ([
        ("2024-09-17T14:07:21Z", "2024-09-17_14-07-21.mp4", "video", ANYONE, None),
        ("2024-04-05T16:54:25Z", "2024-04-05_16-54-25.mp4", "video", ONLY_YOU, None),
        ("2023-07-06T13:21:42Z", "2023-07-06_13-21-42.mp4", "video", ANYONE, "Seoul"),
        ("2023-06-14T21:15:19Z", "2023-06-14_21-15-19.mp4", "video", ANYONE, "Seoul"),
        ("2023-03-13T13:55:21Z", "2023-03-13_13-55-21.mp4", "video", ANYONE, "Seoul Mapo"),
    ], "haneul.daily"),
    TXT_2019: ([
        ("2019-12-07T11:01:04Z", "2019-12-07_11-01-04.mp4", "video", None, None),
        ("2019-12-07T10:53:59Z", "2019-12-07_10-53-59.mp4", "video", None, None),
        ("2019-12-07T10:46:35Z", "2019-12-07_10-46-35.mp4", "video", None, None),
    ], None),
}


def collect(path: Path, handle: str | None = None) -> tuple[list[Item], list[ItemError]]:
    entries = list(TikTokExportSource(Account(platform="tiktok-export", path=path, handle=handle)).items())
    items = [entry for entry in entries if isinstance(entry, Item)]
    errors = [entry for entry in entries if isinstance(entry, ItemError)]
    assert len(items) + len(errors) == len(entries)
    return items, errors


def failures(errors: list[ItemError]) -> list[str]:
    return [f"{error.source_item}: {error.message}" for error in errors if error.stage not in ("skip", "note")]


def notes(errors: list[ItemError]) -> list[str]:
    return [error.message for error in errors if error.stage in ("skip", "note")]


def copy_of(sample: Path, tmp_path: Path) -> Path:
    return shutil.copytree(sample, tmp_path / "export", ignore=shutil.ignore_patterns("PROVENANCE.md"))


def edit_json(folder: Path, change, name: str = "user_data_tiktok.json") -> None:
    path = folder / name
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def posts_2024(data: dict) -> list[dict]:
    return data["Video"]["Videos"]["VideoList"]


def test_declared():
    cls = TikTokExportSource
    assert (cls.name, cls.app, cls.exported, cls.needs, cls.live) == ("tiktok-export", "tiktok", True, "path", False)
    assert (FIXTURES / cls.example) == JSON_2025


# --- the real samples, as folders and as zips ---------------------------------------------------------------


@pytest.mark.parametrize("zipped", ["folder", "zip at the root", "zip with a top folder"])
@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.name)
def test_every_sample_reads_its_posts(sample, zipped, tmp_path):
    path = sample if zipped == "folder" else write_zip(
        copy_of(sample, tmp_path), tmp_path / "TikTok_Data_1732712951.zip", "" if "root" in zipped else "TikTok/")
    items, errors = collect(path)
    assert failures(errors) == []
    posts, handle = EXPECTED[sample]
    assert [(i.posted_at_utc(), i.media_name, i.media_type, i.audience, i.location_name) for i in items] == posts
    for item in items:
        assert item.kind == "post" and item.origin is None  # the export holds no video
        assert item.post_id is None and item.url is None  # the links of one's own posts are storage links: no id
        assert item.caption is None  # the samples' owners wrote no caption (Title "N/A" or "")
        assert item.posted_at.tzinfo is timezone.utc
        assert item.extra.get("handle") == handle
    assert [i.source_item.removeprefix("TikTok/") for i in items][:2] == (
        ["Videos/Videos.txt post 0 (line 1)", "Videos/Videos.txt post 1 (line 5)"] if sample == TXT_2019
        else ["user_data_tiktok.json post 0", "user_data_tiktok.json post 1"])


def test_what_each_sample_keeps_beside_the_post():
    items, _ = collect(JSON_2025)
    assert items[0].extra == {"handle": "jiwoo.film", "likes": 58, "sound": "Sunset - ADTurnUp",
                              "who_can_view": "Everyone", "photos": 3}
    assert "sound" not in items[3].extra  # " - ": a sound with neither title nor author
    items, _ = collect(TXT_2019)
    assert [item.extra for item in items] == [{"likes": 29}, {"likes": 90}, {"likes": 24}]


def test_times_are_utc_as_the_covers_upload_times_show():
    """Each video's cover link ends in the Unix time of its upload: seconds after the post's Date read as UTC."""
    data = json.loads((JSON_2025 / "user_data_tiktok.json").read_text(encoding="utf-8"))
    checked = 0
    for post in data["Post"]["Posts"]["VideoList"]:
        upload = re.search(r"_(\d{10})~", post["CoverImage"])
        if upload:
            posted = datetime.strptime(post["Date"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
            assert 0 <= int(upload[1]) - posted.timestamp() < 10
            checked += 1
    assert checked == 2


def test_the_watch_history_is_not_read_as_posts():
    items, _ = collect(JSON_2025)  # its Watch History holds share links with ids: the videos the owner watched
    assert len(items) == 4 and not any(item.post_id for item in items)


# --- what the export lacks, said plainly -------------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.name)
def test_what_the_export_lacks_is_said_plainly(sample):
    items, errors = collect(sample)
    (videos,) = [message for message in notes(errors) if "no video or photo" in message]
    assert "TikTok's export lists your posts but holds no video or photo of them" in videos
    assert "links to TikTok's servers that expire within days, which photo-audit never opens" in videos
    assert f"{len(items)} posts are inventoried without their picture" in videos
    assert "to audit the videos, save them from the app into the export's folder, named by their id" in videos.lower()
    first_video = next(name for _, name, kind, _, _ in EXPECTED[sample][0] if kind == "video")
    assert f"as in {first_video}" in videos  # the name to give a video, from the export itself
    avatar = [message for message in notes(errors) if "profile picture" in message]
    if sample == TXT_2019:
        assert avatar == []  # the sample holds no profile
    else:
        (note,) = avatar
        assert "holds only a link to your profile picture, not the picture, and photo-audit never downloads" in note
    assert ("and the bio shown beside it" in "".join(avatar)) == (sample == JSON_2024)  # only that bio is not empty


# --- videos saved beside the export ---------------------------------------------------------------------------


def with_saved_videos(tmp_path: Path) -> Path:
    """The 2024 sample, its third post's link a share link with a caption, and the user's saved files beside it."""
    export = copy_of(JSON_2024, tmp_path)

    def share(data):
        posts_2024(data)[2].update(Link=f"https://www.tiktokv.com/share/video/{SHARE_ID}/", Title=CAPTION)

    edit_json(export, share)
    (export / "videos").mkdir()
    (export / "videos" / "2024-09-17_14-07-21.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")  # named by its Date
    (export / f"[{SHARE_ID}].mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")  # named by its id, as yt-dlp writes
    (export / "2023-03-13-13-55-21.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")  # tiktok-archiver's names
    (export / "holiday.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")  # matches no post
    return export


@pytest.mark.parametrize("zipped", [False, True])
def test_saved_videos_are_matched_by_id_or_date(zipped, tmp_path):
    export = with_saved_videos(tmp_path)
    path = write_zip(export, tmp_path / "tiktok.zip", "TikTok/") if zipped else export
    items, errors = collect(path)
    assert failures(errors) == []
    found = {item.posted_at_utc(): item for item in items}
    assert len(found) == 5
    by_date, by_id = found["2024-09-17T14:07:21Z"], found["2023-07-06T13:21:42Z"]
    archived = found["2023-03-13T13:55:21Z"]
    assert by_date.media_name == "videos/2024-09-17_14-07-21.mp4" and by_date.media_type == "video"
    assert (by_id.media_name, by_id.post_id) == (f"[{SHARE_ID}].mp4", SHARE_ID)
    assert by_id.url == f"https://www.tiktokv.com/share/video/{SHARE_ID}/" and by_id.caption == CAPTION
    assert archived.media_name == "2023-03-13-13-55-21.mp4"
    for item in (by_date, by_id, archived):
        member = item.origin.member if zipped else Path(item.origin.path).relative_to(export.resolve()).as_posix()
        assert member.removeprefix("TikTok/") == item.media_name
    assert [i.origin for i in items if i not in (by_date, by_id, archived)] == [None, None]
    assert "2 posts are inventoried without their picture" in " ".join(notes(errors))
    (unmatched,) = [e for e in errors if e.source_item.endswith("holiday.mp4")]
    assert unmatched.stage == "skip" and "neither the id nor the date and time of any post" in unmatched.message


def test_a_photo_mode_post_takes_every_image_saved_under_its_date(tmp_path):
    export = copy_of(JSON_2025, tmp_path)
    for number in (1, 2):
        (export / f"2025-01-26_15-50-46_{number}.jpg").write_bytes(b"\xff\xd8\xff")
    items, _ = collect(export)
    photos = [item for item in items if item.posted_at_utc() == "2025-01-26T15:50:46Z"]
    assert [(p.media_name, p.media_type, p.source_item) for p in photos] == [
        ("2025-01-26_15-50-46_1.jpg", "image", "user_data_tiktok.json post 0"),
        ("2025-01-26_15-50-46_2.jpg", "image", "user_data_tiktok.json post 0")]


# --- who sees the posts ---------------------------------------------------------------------------------------


def test_a_private_account_shows_its_posts_to_followers_only(tmp_path):
    export = copy_of(JSON_2025, tmp_path)
    edit_json(export, lambda data: data["App Settings"]["Settings"]["SettingsMap"].update(
        {"Private Account": "Enabled"}))
    items, errors = collect(export)
    assert failures(errors) == []
    assert [item.audience for item in items] == [FOLLOWERS, ONLY_YOU, FOLLOWERS, ONLY_YOU]


def test_who_can_view_friends_deleted_posts_and_unknown_values(tmp_path):
    export = copy_of(JSON_2024, tmp_path)

    def change(data):
        posts_2024(data)[0]["WhoCanView"] = "Friends"
        posts_2024(data)[2]["WhoCanView"] = "Close friends only"
        data["Video"]["RecentlyDeletedPosts"]["PostList"] = [dict(posts_2024(data)[3])]

    edit_json(export, change)
    items, errors = collect(export)
    assert [(item.kind, item.audience) for item in items] == [
        ("post", FOLLOWERS), ("post", ONLY_YOU), ("post", None), ("post", ANYONE), ("post", ANYONE),
        ("deleted_post", ONLY_YOU)]
    assert failures(errors) == ["user_data_tiktok.json post 2: field 'WhoCanView' is not Everyone, Friends, Followers "
                                "or Only You: 'Close friends only'"]


# --- the older file name, the TXT variants ---------------------------------------------------------------------


def test_the_older_file_name_user_data_json(tmp_path):
    export = copy_of(JSON_2024, tmp_path)
    (export / "user_data_tiktok.json").rename(export / "user_data.json")
    assert [found.source.name for found in recognise(export)] == ["tiktok-export"]
    items, errors = collect(export)
    assert len(items) == 5 and failures(errors) == []
    other = tmp_path / "someone_elses_app"
    other.mkdir()
    (other / "user_data.json").write_text('{"users": [{"name": "a"}]}', encoding="utf-8")
    (other / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    assert not TikTokExportSource.recognises(open_tree(other))


def test_a_later_posts_txt_with_link_lines(tmp_path):
    """Posts.txt as tiktok-archiver reads it: Date then Link lines; a caption over two lines continues its value."""
    (tmp_path / "Post").mkdir()
    (tmp_path / "Post" / "Posts.txt").write_text(
        f"Date: 2023-01-01 12:00:00\nLink: https://www.tiktokv.com/share/video/{SHARE_ID}/\nLike(s): 3\n"
        "Title: first line\nsecond line\nWhoCanView: Followers\n"
        "Date: 2023-01-02 08:30:00 UTC\nLink: https://video-va.tiktokv.com/storage/v1/tos-x/abc\n", encoding="utf-8")
    (tmp_path / "Profile").mkdir()
    (tmp_path / "Profile" / "Profile Information.txt").write_text("Username: minji.kim\nNickname: Minji\n")
    (tmp_path / "Settings.txt").write_text("Private Account: Off\n")
    assert [found.source.name for found in recognise(tmp_path)] == ["tiktok-export"]
    items, errors = collect(tmp_path)
    assert failures(errors) == []
    assert [(i.post_id, i.posted_at_utc(), i.caption, i.audience, i.extra) for i in items] == [
        (SHARE_ID, "2023-01-01T12:00:00Z", "first line\nsecond line", FOLLOWERS,
         {"handle": "minji.kim", "likes": 3, "who_can_view": "Followers"}),
        (None, "2023-01-02T08:30:00Z", None, None, {"handle": "minji.kim"})]
    assert items[0].media_name == f"{SHARE_ID}.mp4"


def test_an_empty_txt_section_is_recognised_and_reads_no_post(tmp_path):
    (tmp_path / "Videos").mkdir()
    (tmp_path / "Videos" / "Videos.txt").write_text("You have no data in this section\n", encoding="utf-8")
    assert [found.source.name for found in recognise(tmp_path)] == ["tiktok-export"]
    items, errors = collect(tmp_path)
    assert items == [] and failures(errors) == []


# --- detection --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda path: path.name)
def test_each_sample_is_recognised_by_this_source_alone(sample, tmp_path):
    assert [found.source.name for found in recognise(sample)] == ["tiktok-export"]
    archive = write_zip(copy_of(sample, tmp_path), tmp_path / "TikTok_Data.zip", "")
    assert [found.source.name for found in recognise(archive)] == ["tiktok-export"]


def test_no_other_format_is_claimed():
    others = [path for path in FORMATS.iterdir() if path.is_dir() and not path.name.startswith("tiktok_")]
    assert others and not [path.name for path in others if TikTokExportSource.recognises(open_tree(path))]


def test_a_folder_without_tiktok_files_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("Date: 2023-01-01\n", encoding="utf-8")
    with pytest.raises(InputError, match="no TikTok export files found"):
        collect(tmp_path)


# --- broken and hostile input ----------------------------------------------------------------------------------


def test_a_malformed_record_is_an_error_and_the_rest_is_read(tmp_path):
    export = copy_of(JSON_2024, tmp_path)

    def damage(data):
        posts = posts_2024(data)
        posts[1] = "not a post"
        posts[2].update(Date=12345, Likes="lots", Title=["a", "list"], Location={"name": "x"})
        posts[3].update(Title="가" * 20_000)
        posts.append({"Likes": "1"})

    edit_json(export, damage)
    items, errors = collect(export)
    assert len(items) == 4  # the string and the record with neither Date nor Link are no posts
    assert items[1].posted_at is None and items[1].caption is None and items[1].location_name is None
    assert items[1].media_name == "user_data_tiktok.json post 2.mp4"  # no date, no id: named by where it is
    assert len(items[2].caption) == 10_000
    assert sorted(failures(errors)) == [
        "user_data_tiktok.json post 1: field '(record)' is not a JSON object",
        "user_data_tiktok.json post 2: field 'Date' is not a date like '2024-09-17 14:07:21': '12345'",
        "user_data_tiktok.json post 2: field 'Likes' is not a count: 'lots'",
        "user_data_tiktok.json post 2: field 'Location' is not text: \"{'name': 'x'}\"",
        "user_data_tiktok.json post 2: field 'Title' is not text: \"['a', 'list']\"",
        "user_data_tiktok.json post 3: field 'Title' is 20,000 characters long: only the first 10,000 are kept",
        "user_data_tiktok.json post 5: field 'Date' and 'Link' are missing: the post cannot be told apart from the "
        "others",
    ]


@pytest.mark.parametrize("content, expected", [
    (b'{"Video": {"Videos": {"VideoList": [', "not valid JSON at line 1"),
    (b"\xff\xfe{}", "not valid UTF-8 at byte 0"),
    (b"[1, 2]", "expected a JSON object of sections"),
    (b"[" * 100_000 + b"]" * 100_000, "JSON nested too deeply to read"),
    (b'{"Video": ["x"], "Post": {"Posts": {"VideoList": {"Date": "x"}}}}', "field 'Video' is not a JSON object"),
    (b'{"Post": {"Posts": {"VideoList": {"Date": "x"}}}}', "field 'Post › Posts › VideoList' is not a list"),
    (b'{"Profile": {"Profile Info": {"ProfileMap": {"userName": "a"}}}}', "no list of posts found in it"),
])
def test_a_broken_document_is_an_error_not_an_exception(content, expected, tmp_path):
    (tmp_path / "user_data_tiktok.json").write_bytes(content)
    items, errors = collect(tmp_path)
    assert items == [] and any(expected in message for message in failures(errors)), failures(errors)


def test_a_txt_file_that_is_not_utf8_is_read_with_its_bad_bytes_replaced(tmp_path):
    (tmp_path / "Videos").mkdir()
    (tmp_path / "Videos" / "Videos.txt").write_bytes(b"Date: 2019-12-07 11:01:04\nVideo Link: x\nLike(s): \xff\n")
    items, errors = collect(tmp_path)
    assert [(item.posted_at_utc(), item.extra) for item in items] == [("2019-12-07T11:01:04Z", {})]
    assert failures(errors) == [
        "Videos/Videos.txt: not valid UTF-8 at byte 49: read with each bad byte as \ufffd",
        "Videos/Videos.txt post 0 (line 1): field 'Like(s)' is not a count: '\ufffd'"]


def test_no_post_and_a_handle_that_is_not_the_configured_one(tmp_path):
    export = copy_of(JSON_2025, tmp_path)
    edit_json(export, lambda data: data["Post"]["Posts"].update(VideoList=None))
    items, errors = collect(export, handle="someone.else")
    assert items == []
    assert "skipped: the export lists no post" in notes(errors)
    assert failures(errors) == ["user_data_tiktok.json ProfileMap: field 'userName' names @jiwoo.film, accounts.toml "
                                "names @someone.else; using @jiwoo.film"]


def test_a_zip_member_refused_as_unsafe_is_an_error_and_the_rest_is_read(tmp_path):
    archive = tmp_path / "tiktok.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(JSON_2024 / "user_data_tiktok.json", "user_data_tiktok.json")
        out.writestr("../escape.mp4", b"x")
    items, errors = collect(archive)
    assert len(items) == 5 and any("escapes the archive" in message for message in failures(errors))


def test_what_the_export_lacks_is_said_at_the_end_of_the_run_and_in_the_report(tmp_path):
    """Not counted among "files that are not photos, skipped": a note, printed and listed in the report."""
    from click.testing import CliRunner

    from audit.cli import cli

    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["run", str(FORMATS / "tiktok_json_2025_post_posts_beyzaacesur"),
                                      "--db", str(tmp_path / "a.db"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Note: TikTok's export lists your posts but holds no video or photo of them" in result.output
    html = out.read_text(encoding="utf-8")
    assert "What the exports do not hold" in html and "holds no video or photo of them" in html

