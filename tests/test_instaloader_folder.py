"""The instaloader-folder source: the hand-built profile folder, metadata variants, interrupted runs, bad files."""

from __future__ import annotations

import json
import lzma
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from audit.config import Account
from audit.errors import InputError
from audit.inventory.archive import read_origin
from audit.models import ANYONE, FOLLOWERS, ONLY_YOU, Item, ItemError
from audit.sources import instaloader_folder
from audit.sources.instaloader_folder import InstaloaderFolderSource

from .conftest import FIXTURES, jpeg_bytes

PROFILE = FIXTURES / "formats" / "instaloader_profile_4.16_handmade" / "minji.kim"
SIDECAR = "2024-03-16_05-12-09_UTC"
BLOSSOM = "벚꽃 엔딩 🌸 with @jiwoo.park\n#여의도 #벚꽃"
YEOUIDO = ("여의도 한강공원", 37.5284, 126.9327)
# The profile's full_name and biography (external_url is null), from minji.kim_52810358219.json.xz.
SHOWN = "김민지 Minji Kim\n연세대 23학번 📚 | Seoul"


def collect(path: Path) -> tuple[list[Item], list[ItemError]]:
    """The items, then the errors and notes."""
    entries = list(InstaloaderFolderSource(Account(platform="instaloader-folder", path=path)).items())
    return [e for e in entries if isinstance(e, Item)], [e for e in entries if isinstance(e, ItemError)]


def by_name(items: list[Item]) -> dict[str, Item]:
    """Media names are the file paths in the folder: one item each."""
    assert len({item.media_name for item in items}) == len(items)
    return {item.media_name: item for item in items}


def test_declared():
    assert InstaloaderFolderSource.live is False
    assert f"{InstaloaderFolderSource.name}:{InstaloaderFolderSource.needs}" == "instaloader-folder:path"


# --- the hand-built profile folder ----------------------------------------------------------------

# file: (kind, post_id, posted_at, caption, (place name, lat, lon), tagged users, media type)
PROFILE_ITEMS = {
    "2024-01-10_08-20-33_UTC_profile_pic.jpg": ("profile_photo", None, "2024-01-10T08:20:33Z", SHOWN, (None,) * 3, [], "image"),
    f"{SIDECAR}_1.jpg": ("post", "C4mQx7RPa1b", "2024-03-16T05:12:09Z", BLOSSOM, YEOUIDO, ["jiwoo.park"], "image"),
    f"{SIDECAR}_2.jpg": ("post", "C4mQx7RPa1b", "2024-03-16T05:12:09Z", BLOSSOM, YEOUIDO, ["jiwoo.park", "hana_lee"], "image"),
    f"{SIDECAR}_3.jpg": ("post", "C4mQx7RPa1b", "2024-03-16T05:12:09Z", BLOSSOM, YEOUIDO, ["jiwoo.park"], "image"),
    f"{SIDECAR}_3.mp4": ("post", "C4mQx7RPa1b", "2024-03-16T05:12:09Z", BLOSSOM, YEOUIDO, ["jiwoo.park"], "video"),
    "2024-02-23_03-00-00_UTC.jpg": (
        "post", "C3qZ8kLvT2m", "2024-02-23T03:00:00Z", "졸업했다!! 🎓 #연세대학교 #졸업",
        ("Yonsei University", None, None), [], "image",
    ),
    "2023-12-24_11-30-00_UTC.jpg": ("post", "C1Bv5nXr9Qk", "2023-12-24T11:30:00Z", None, (None,) * 3, [], "image"),
    "2023-12-24_11-30-00_UTC.mp4": ("post", "C1Bv5nXr9Qk", "2023-12-24T11:30:00Z", None, (None,) * 3, [], "video"),
    "2023-08-15_09-05-33_UTC.jpg": (
        "post", "2023-08-15_09-05-33_UTC", "2023-08-15T09:05:33Z", "광복절 🇰🇷 우리 동네",
        ("Suwon, Gyeonggi-do", 37.2636, 127.0286), [], "image",
    ),
    "2024-04-02_12-00-00_UTC.jpg": ("story", "2024-04-02_12-00-00_UTC", "2024-04-02T12:00:00Z", None, (None,) * 3, [], "image"),
}


def test_every_file_of_the_profile_folder():
    items, errors = collect(PROFILE)
    named = by_name(items)
    assert set(named) == set(PROFILE_ITEMS)
    for name, (kind, post_id, posted_at, caption, place, tagged, media_type) in PROFILE_ITEMS.items():
        item = named[name]
        assert (item.kind, item.post_id, item.posted_at_utc(), item.caption) == (kind, post_id, posted_at, caption), name
        assert (item.location_name, item.lat, item.lon) == place, name
        assert (item.tagged_users, item.media_type) == (tagged, media_type), name
        assert read_origin(item.origin) == (PROFILE / name).read_bytes()
        assert item.extra["handle"] == "minji.kim"
        short = kind == "post" and post_id != "2023-08-15_09-05-33_UTC"
        assert item.url == (f"https://www.instagram.com/p/{post_id}/" if short else None), name
    assert [e.stage for e in errors] == ["skip", "skip"]


def test_the_profile_text_goes_with_the_newest_profile_picture(tmp_path):
    folder = shutil.copytree(PROFILE, tmp_path / "minji.kim")
    (folder / "2022-03-01_00-00-00_UTC_profile_pic.jpg").write_bytes(jpeg_bytes((0, 0, 255)))  # replaced since
    with lzma.open(folder / "minji.kim_52810358219.json.xz", "rt") as handle:
        profile = json.load(handle)
    profile["node"]["external_url"] = "https://litt.ly/minji.kim"
    with lzma.open(folder / "minji.kim_52810358219.json.xz", "wt") as handle:
        json.dump(profile, handle)
    named = by_name(collect(folder)[0])
    current = named["2024-01-10_08-20-33_UTC_profile_pic.jpg"]
    assert current.caption == SHOWN + "\nhttps://litt.ly/minji.kim"
    assert current.extra["profile"] == {
        "full_name": "김민지 Minji Kim",
        "biography": "연세대 23학번 📚 | Seoul",
        "external_url": "https://litt.ly/minji.kim",
    }
    older = named["2022-03-01_00-00-00_UTC_profile_pic.jpg"]
    assert older.caption is None and older.extra == {"handle": "minji.kim"}


def test_a_profile_without_a_downloaded_picture_is_noted(tmp_path):
    folder = shutil.copytree(PROFILE, tmp_path / "minji.kim")
    (folder / "2024-01-10_08-20-33_UTC_profile_pic.jpg").unlink()  # instaloader --no-profile-pic
    items, errors = collect(folder)
    assert "profile_photo" not in {item.kind for item in items}
    assert SHOWN not in {item.caption for item in items}
    (note,) = [e for e in errors if e.source_item == "minji.kim_52810358219.json.xz"]
    assert note.stage == "skip" and "no profile picture was downloaded" in note.message


def test_interrupted_runs_are_noted_not_read():
    _, errors = collect(PROFILE)
    notes = {e.source_item: e.message for e in errors}
    assert set(notes) == {"2024-04-20_10-00-00_UTC.jpg.temp", "iterator_kq3Vb_Zx.json.xz"}
    assert "partial download" in notes["2024-04-20_10-00-00_UTC.jpg.temp"]
    assert "interrupted" in notes["iterator_kq3Vb_Zx.json.xz"]


# --- who can see it ------------------------------------------------------------------------------


def set_private(folder: Path, private) -> None:
    with lzma.open(folder / "minji.kim_52810358219.json.xz", "rt") as handle:
        profile = json.load(handle)
    profile["node"]["is_private"] = private
    with lzma.open(folder / "minji.kim_52810358219.json.xz", "wt") as handle:
        json.dump(profile, handle)


def add_story(folder: Path, taken) -> str:
    """A story as instaloader writes it (its image and plain .json metadata); returns its image's name."""
    stem = taken.strftime("%Y-%m-%d_%H-%M-%S_UTC")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.jpg").write_bytes(jpeg_bytes())
    node = {"__typename": "GraphStoryImage", "taken_at_timestamp": int(taken.timestamp())}
    (folder / f"{stem}.json").write_text(json.dumps({"node": node, "instaloader": {"node_type": "StoryItem"}}))
    return f"{stem}.jpg"


def test_a_public_profile_is_seen_by_anyone_and_an_old_story_by_no_one():
    items, _ = collect(PROFILE)
    seen = {item.kind: set() for item in items}
    for item in items:
        seen[item.kind].add(item.audience)
    assert seen == {"post": {ANYONE}, "story": {ONLY_YOU}, "profile_photo": {None}}  # the pipeline: always anyone


def test_a_private_profile_fresh_stories_and_highlights_are_for_followers(tmp_path):
    folder = shutil.copytree(PROFILE, tmp_path / "minji.kim")
    set_private(folder, True)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    fresh = add_story(folder, now - timedelta(hours=2))
    kept = add_story(folder / "Seoul 2024", now - timedelta(days=30))  # a highlight: <profile>/<title>/
    (folder / "Seoul 2024" / "2024-05-01_00-00-00_UTC_cover.jpg").write_bytes(jpeg_bytes())
    items, errors = collect(folder)
    named = by_name(items)
    assert named[fresh].audience == named[f"Seoul 2024/{kept}"].audience == FOLLOWERS
    assert named[f"Seoul 2024/{kept}"].extra["handle"] == "minji.kim"
    assert named["2024-04-02_12-00-00_UTC.jpg"].audience == ONLY_YOU  # expired, in no highlight
    assert {item.audience for item in items if item.kind == "post"} == {FOLLOWERS}
    (cover,) = [e for e in errors if e.source_item.endswith("_cover.jpg")]
    assert cover.stage == "skip" and "highlight's cover" in cover.message


def test_an_is_private_that_is_not_a_boolean_is_reported_and_says_nothing(tmp_path):
    folder = shutil.copytree(PROFILE, tmp_path / "minji.kim")
    set_private(folder, "yes")
    items, errors = collect(folder)
    assert [e.message for e in errors if e.stage != "skip"] == ["field 'is_private' is not true or false: 'yes'"]
    assert {item.audience for item in items if item.kind == "post"} == {None}


def test_compressed_and_plain_metadata():
    assert (PROFILE / f"{SIDECAR}.json.xz").read_bytes().startswith(b"\xfd7zXZ\x00")
    assert json.loads((PROFILE / "2024-02-23_03-00-00_UTC.json").read_text())["instaloader"]["node_type"] == "Post"
    named = by_name(collect(PROFILE)[0])
    plain = named["2024-02-23_03-00-00_UTC.jpg"]
    assert plain.post_id == "C3qZ8kLvT2m" and plain.extra["typename"] == "GraphImage"
    assert plain.extra["accessibility_caption"].startswith("Photo by Minji Kim in Yonsei University.")
    assert named[f"{SIDECAR}_1.jpg"].extra["typename"] == "GraphImage"  # the item's own node, not GraphSidecar
    assert named[f"{SIDECAR}_3.mp4"].extra["typename"] == "GraphVideo"


def test_location_file_fills_in_what_the_metadata_lacks(tmp_path):
    folder = shutil.copytree(PROFILE, tmp_path / "minji.kim")
    (folder / "2024-02-23_03-00-00_UTC_location.txt").write_text(
        "Yonsei University\nhttps://maps.google.com/maps?q=37.5658,126.9386&ll=37.5658,126.9386\n", encoding="utf-8"
    )
    (folder / f"{SIDECAR}_location.txt").write_text(
        "Somewhere else\nhttps://maps.google.com/maps?q=1.0,2.0&ll=1.0,2.0\n", encoding="utf-8"
    )
    named = by_name(collect(folder)[0])
    graduation = named["2024-02-23_03-00-00_UTC.jpg"]
    assert (graduation.location_name, graduation.lat, graduation.lon) == ("Yonsei University", 37.5658, 126.9386)
    blossom = named[f"{SIDECAR}_1.jpg"]  # the metadata's own place wins
    assert (blossom.location_name, blossom.lat, blossom.lon) == YEOUIDO


def test_a_location_file_with_only_a_name(tmp_path):
    folder = tmp_path / "minji.kim"
    folder.mkdir()
    (folder / "2022-05-05_05-05-05_UTC.jpg").write_bytes(jpeg_bytes())
    (folder / "2022-05-05_05-05-05_UTC_location.txt").write_text("Lotte World", encoding="utf-8")
    (item,), errors = collect(folder)
    assert errors == [] and (item.location_name, item.lat, item.lon) == ("Lotte World", None, None)


# --- broken and unusual input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda raw: raw[: len(raw) // 2], "not a readable .xz file: it is cut short"),
        (lambda raw: b"\x00" * 64, "not a readable .xz file: Input format not supported by decoder"),
        (lambda raw: lzma.compress(b'{"node": {"shortcode": "C4m"'), "not valid JSON at line 1"),
        (lambda raw: lzma.compress(b'{"shortcode": "C4mQx7RPa1b"}'), "not instaloader metadata"),
    ],
    ids=["truncated", "not xz", "not json", "not instaloader"],
)
def test_unreadable_metadata_is_an_error_and_the_post_is_read_from_its_other_files(damage, message, tmp_path):
    folder = shutil.copytree(PROFILE, tmp_path / "minji.kim")
    metadata = folder / f"{SIDECAR}.json.xz"
    metadata.write_bytes(damage(metadata.read_bytes()))
    items, errors = collect(folder)
    problems = [e for e in errors if e.stage != "skip"]
    assert [e.source_item for e in problems] == [f"{SIDECAR}.json.xz"]
    assert problems[0].message.startswith(message)
    named = by_name(items)
    assert len(named) == len(PROFILE_ITEMS)
    for index in ("1", "2", "3"):
        item = named[f"{SIDECAR}_{index}.jpg"]
        assert item.posted_at_utc() == "2024-03-16T05:12:09Z" and item.caption == BLOSSOM
        assert (item.location_name, item.lat, item.lon) == YEOUIDO  # from _location.txt
        assert item.post_id == SIDECAR and item.url is None and item.tagged_users == []


def test_an_xz_file_that_expands_without_end_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(instaloader_folder, "MAX_METADATA_BYTES", 1024**2)
    folder = tmp_path / "minji.kim"
    folder.mkdir()
    (folder / "2022-05-05_05-05-05_UTC.jpg").write_bytes(jpeg_bytes())
    (folder / "2022-05-05_05-05-05_UTC.json.xz").write_bytes(lzma.compress(b" " * 2 * 1024**2))
    (item,), (error,) = collect(folder)
    assert error.message == "not a readable .xz file: it expands beyond 1 MiB"
    assert item.posted_at_utc() == "2022-05-05T05:05:05Z"


def test_bad_fields_are_named_and_the_rest_is_read(tmp_path):
    folder = tmp_path / "minji.kim"
    folder.mkdir()
    node = {
        "__typename": "GraphImage",
        "shortcode": "../../evil",
        "taken_at_timestamp": "yesterday",
        "edge_media_to_caption": {"edges": [{"node": {"text": ["not", "text"]}}]},
        "location": {"name": "Seoul Forest", "lat": 137.5, "lng": 127.04},
        "edge_media_to_tagged_user": {"edges": [{"node": {"user": {"username": "jiwoo.park"}}}, {"node": None}]},
    }
    metadata = {"node": node, "instaloader": {"node_type": "Post"}}
    (folder / "2022-05-05_05-05-05_UTC.json").write_text(json.dumps(metadata))
    (folder / "2022-05-05_05-05-05_UTC.txt").write_bytes("한강 \xff".encode() + b"\xff\n")
    (folder / "2022-05-05_05-05-05_UTC.jpg").write_bytes(jpeg_bytes())
    (item,), errors = collect(folder)
    assert [(e.source_item, e.message.split(" ")[1]) for e in errors] == [
        ("2022-05-05_05-05-05_UTC.txt", "valid"),
        ("2022-05-05_05-05-05_UTC.json", "'shortcode'"),
        ("2022-05-05_05-05-05_UTC.json", "'edge_media_to_caption.edges[0].node.text'"),
        ("2022-05-05_05-05-05_UTC.json", "'taken_at_timestamp'"),
        ("2022-05-05_05-05-05_UTC.json", "'location.lat'"),
    ]
    assert item.post_id == "2022-05-05_05-05-05_UTC" and item.url is None
    assert item.posted_at_utc() == "2022-05-05T05:05:05Z" and item.caption == "한강 \u00ff\ufffd"
    assert (item.location_name, item.lat) == ("Seoul Forest", None) and item.tagged_users == ["jiwoo.park"]


def test_a_post_without_media_files_is_inventoried_with_its_file_missing(tmp_path):
    folder = tmp_path / "minji.kim"
    folder.mkdir()
    # taken_at_timestamp is the time, not the file name (one second apart here, to tell them apart)
    node = {"__typename": "GraphImage", "shortcode": "CxYz123", "taken_at_timestamp": 1651727106,
            "edge_media_to_caption": {"edges": [{"node": {"text": "어린이날"}}]}}
    with lzma.open(folder / "2022-05-05_05-05-05_UTC.json.xz", "wt") as handle:
        json.dump({"node": node, "instaloader": {"version": "4.16", "node_type": "Post"}}, handle)
    (item,), errors = collect(folder)
    assert errors == []
    assert item.origin is None and item.media_name == "2022-05-05_05-05-05_UTC" and item.caption == "어린이날"
    assert item.url == "https://www.instagram.com/p/CxYz123/" and item.posted_at_utc() == "2022-05-05T05:05:06Z"


def test_target_prefixed_names_and_nested_folders(tmp_path):
    """Without {target} in --dirname-pattern, files are prefixed with the target, all in one folder."""
    folder = tmp_path / "downloads" / "instagram"
    folder.mkdir(parents=True)
    (folder / "minji.kim_2022-05-05_05-05-05_UTC.jpg").write_bytes(jpeg_bytes())
    (folder / "minji.kim_2022-05-05_05-05-05_UTC.txt").write_text("prefixed\n", encoding="utf-8")
    (folder / "minji.kim_2022-05-05_05-05-05_UTC_comments.json").write_text("[]")
    (folder / "minji.kim_2022-01-01_00-00-00_UTC_profile_pic.jpg").write_bytes(jpeg_bytes((0, 0, 255)))
    (folder / "minji.kim_id").write_text("52810358219\n")
    (folder / "minji.kim_2022-06-06_06-06-06_UTC.html").write_text("<p>saved by hand</p>")
    items, errors = collect(tmp_path / "downloads")
    named = by_name(items)
    assert set(named) == {
        "instagram/minji.kim_2022-05-05_05-05-05_UTC.jpg", "instagram/minji.kim_2022-01-01_00-00-00_UTC_profile_pic.jpg"
    }
    assert named["instagram/minji.kim_2022-05-05_05-05-05_UTC.jpg"].caption == "prefixed"
    assert named["instagram/minji.kim_2022-01-01_00-00-00_UTC_profile_pic.jpg"].kind == "profile_photo"
    assert [(e.source_item, e.stage) for e in errors] == [("instagram/minji.kim_2022-06-06_06-06-06_UTC.html", "skip")]


def test_a_path_that_is_not_an_instaloader_folder_is_unusable(tmp_path):
    with pytest.raises(InputError, match="not a folder"):
        collect(tmp_path / "missing")
    (tmp_path / "holiday.jpg").write_bytes(jpeg_bytes())
    with pytest.raises(InputError, match="no files named the way instaloader names them"):
        collect(tmp_path)
