"""The facebook-export source: the real album sample, the older and newer layouts, as a folder and as a zip."""

from __future__ import annotations

import json
import shutil
from pathlib import Path, PurePosixPath

import pytest

from audit.config import Account
from audit.errors import InputError
from audit.inventory.photo import PhotoView
from audit.models import Item, ItemError
from audit.signals.export_metadata import ExportMetadataSignal
from audit.sources.facebook_export import FacebookExportSource, export_root

from .conftest import FIXTURES, comparable, jpeg_bytes, write_zip

FORMATS = FIXTURES / "formats"
SAMPLE = FORMATS / "facebook_dyi_json_album_2018_addshore"
POSTS_2019 = FORMATS / "facebook_dyi_json_2019_posts_handmade"
ACTIVITY_2024 = FORMATS / "facebook_dyi_json_2024_activity_handmade"
TOP_FOLDER = "facebook-minjikim-2024-05-01-Qw7Er8Ty"

# Files of the hand-built fixtures, by the Facebook photo id that ends their names.
GRADUATION, CAFE, RIVER, RIVER_MISSING, CAT, VIDEO = (
    "2294817384068146", "2355512397995644", "2412345672234568", "2412345675567901", "2341198219427062", "2408817062588302"
)
BLOSSOM, BLOSSOM_2, TRIP, YUNJUNG, UNCATEGORIZED, VIDEO_2024 = (
    "1189283738895353", "1189283742228686", "1183310839492643", "1189402272216833", "1102938468943627", "1189900434833350"
)


def collect(path: Path) -> tuple[list[Item], list[ItemError]]:
    entries = list(FacebookExportSource(Account(platform="facebook-export", path=path, label="Facebook")).items())
    items = [e for e in entries if isinstance(e, Item)]
    errors = [e for e in entries if isinstance(e, ItemError)]
    assert len(items) + len(errors) == len(entries)
    return items, errors


def by_id(items: list[Item]) -> dict[str, Item]:
    """Items by the photo id that ends their file name (the whole stem for the sample's files)."""
    named = {PurePosixPath(item.media_name).stem.rsplit("_", 1)[-1]: item for item in items}
    assert len(named) == len(items), "each media file is inventoried once"
    return named


def test_declares_itself():
    assert FacebookExportSource.name == "facebook-export"
    assert FacebookExportSource.needs == "path" and not FacebookExportSource.live
    assert FacebookExportSource.description and "\n" not in FacebookExportSource.description


@pytest.mark.parametrize("folder", [SAMPLE, POSTS_2019, ACTIVITY_2024], ids=lambda f: f.name)
def test_the_export_does_not_say_who_sees_a_post(folder):
    """No audience (privacy) field in Facebook's JSON: left unsaid, for the account's default to apply."""
    items, _ = collect(folder)
    assert items and {item.audience for item in items} == {None}


# --- the real sample (addshore/facebook-data-image-exif): 2018 albums, flat photo_metadata ----------

SAMPLE_PHOTOS = {
    # file: (album, posted_at, (lat, lon), taken_timestamp, camera, in the sample)
    "posts/myalbum_1234/11113237987292.jpg": (
        "Album 2015", "2015-07-21T04:57:37Z", (29.925027777778, -90.088072222222), None, ("Huawei", "Nexus 6P"), True
    ),
    "posts/myalbum_1234/88888888888888323.jpg": (
        "Album 2015", "2015-07-21T04:57:27Z", (None, None), "2015-07-17T15:49:18Z", ("NIKON CORPORATION", "NIKON D40X"), True
    ),
    "posts/second_album/a.jpg": (
        "Album 1 JSON", "2015-07-21T04:57:37Z", (29.925027777778, -90.088072222222), None, ("Huawei", "Nexus 6P"), False
    ),
    "posts/second_album/b.jpg": (
        "Album 1 JSON", "2015-07-21T04:57:27Z", (None, None), None, ("NIKON CORPORATION", "NIKON D40X"), False
    ),
}


def test_real_sample_every_photo_is_inventoried():
    items, errors = collect(SAMPLE)
    assert errors == []
    albums = sorted((SAMPLE / "facebook-example" / "posts" / "album").glob("*.json"))
    listed = [photo["uri"] for album in albums for photo in json.loads(album.read_text())["photos"]]
    assert sorted(i.media_name for i in items) == sorted(listed) == sorted(SAMPLE_PHOTOS)
    for item in items:
        album, posted_at, position, taken, camera, present = SAMPLE_PHOTOS[item.media_name]
        assert item.posted_at_utc() == posted_at
        assert item.caption is None and item.location_name is None  # the sample has no text
        assert (item.lat, item.lon) == position
        assert item.extra.get("taken_timestamp") == taken
        assert (item.extra["camera_make"], item.extra["camera_model"]) == camera
        assert item.extra["album"] == album and item.extra["upload_ip"] == "167.161.108.51"
        assert item.kind == "post" and item.media_type == "image"
        assert item.post_id == PurePosixPath(item.media_name).stem
        if present:  # URIs are relative to the export root, the sample's top folder
            assert Path(item.origin.path) == (SAMPLE / "facebook-example" / item.media_name).resolve()
        else:
            assert item.origin is None


# --- hand-built: posts/your_posts_1.json with a flat photos_and_videos album (2019) ---------------


def test_older_layout_every_post_with_media_is_inventoried():
    items, errors = collect(POSTS_2019)
    assert errors == []
    named = by_id(items)
    # A link and a status update carry no media: nothing to inventory.
    assert set(named) == {GRADUATION, CAFE, RIVER, RIVER_MISSING, CAT, VIDEO}
    assert {name: item.posted_at_utc() for name, item in named.items()} == {
        GRADUATION: "2019-02-22T07:59:58Z",
        CAFE: "2019-05-03T07:59:55Z",
        RIVER: "2019-08-05T10:13:10Z",
        RIVER_MISSING: "2019-08-05T10:13:11Z",
        CAT: "2019-04-14T04:00:00Z",
        VIDEO: "2019-06-08T13:20:03Z",
    }
    assert {name: item.caption for name, item in named.items()} == {
        GRADUATION: "졸업 축하해 🎓 한빛고등학교 3학년 2반 안녕",
        CAFE: "신촌 카페 투어 ☕ 과제는 내일의 나에게",
        RIVER: "한강 야경 🌉",
        RIVER_MISSING: "한강 야경 🌉",
        CAT: "우리 집 고양이 🐱 3년 전 사진",  # an album photo: its description
        VIDEO: None,  # no post text, an empty description and title
    }
    assert named[RIVER].post_id == named[RIVER_MISSING].post_id == PurePosixPath(named[RIVER].media_name).stem
    assert named[RIVER_MISSING].origin is None and named[RIVER].origin is not None


def test_a_post_and_its_album_copy_are_one_item_with_both_records():
    named = by_id(collect(POSTS_2019)[0])
    graduation = named[GRADUATION]
    assert graduation.source_item == "posts/your_posts_1.json post 4"
    assert graduation.caption.startswith("졸업 축하해")  # the post's text
    assert (graduation.lat, graduation.lon) == (37.5172, 127.0473)  # only the flat album record has the position
    assert graduation.extra["camera_model"] == "SM-G960N" and graduation.extra["album"] == "Mobile Uploads"
    assert graduation.extra["upload_ip"] == "192.0.2.44"
    assert graduation.extra["taken_timestamp"] == "2019-02-22T06:00:00Z"
    assert graduation.origin is not None


def test_check_in_place_name_and_coordinates():
    cafe = by_id(collect(POSTS_2019)[0])[CAFE]
    assert cafe.location_name == "연세대학교"
    # The check-in's coordinate goes with its name; the photo's own exif position stays in the evidence.
    assert (cafe.lat, cafe.lon) == (37.5658, 126.9386)
    assert cafe.extra["media_metadata"]["photo_metadata"]["exif_data"][0]["latitude"] == 37.5596
    assert cafe.extra["place"]["address"] == "50 Yonsei-ro, Seodaemun-gu, Seoul"
    assert cafe.extra["upload_ip"] == "2001:db8:4f2a:1c00::17"

    items, _ = collect(ACTIVITY_2024)
    named = by_id(items)
    for blossom in (named[BLOSSOM], named[BLOSSOM_2]):
        assert blossom.location_name == "여의도 한강공원" and (blossom.lat, blossom.lon) == (37.5284, 126.9327)
    assert "스타벅스 강남역점" not in {i.location_name for i in items}  # a check-in without a photo is no item


def test_mojibake_becomes_korean():
    raw = (POSTS_2019 / "posts" / "your_posts_1.json").read_text(encoding="ascii")
    assert "\\u00ec\\u00a1\\u00b8" in raw and "졸업" not in raw  # the fixture is encoded the Meta way
    named = by_id(collect(POSTS_2019)[0])
    assert named[GRADUATION].caption == "졸업 축하해 🎓 한빛고등학교 3학년 2반 안녕"
    assert named[CAFE].location_name == "연세대학교"
    activity = by_id(collect(ACTIVITY_2024)[0])
    assert activity[YUNJUNG].extra["album"] == "벚꽃 2024"
    texts = [i.caption or "" for i in activity.values()] + [i.location_name or "" for i in activity.values()]
    assert not any("\u00c3" in t or "\u00ec" in t or "\u00eb" in t for t in texts)


def test_taken_timestamp_is_kept_apart_from_the_posting_time():
    cat = by_id(collect(POSTS_2019)[0])[CAT]
    assert cat.posted_at_utc() == "2019-04-14T04:00:00Z"  # when it was posted
    assert cat.extra["taken_timestamp"] == "2016-07-09T08:00:00Z"  # three years earlier, when it was taken
    trip = by_id(collect(ACTIVITY_2024)[0])[TRIP]
    assert trip.posted_at_utc() == "2024-03-31T15:46:30Z" and trip.extra["taken_timestamp"] == "2016-05-22T06:53:20Z"
    missing = by_id(collect(POSTS_2019)[0])[RIVER_MISSING]
    assert "taken_timestamp" not in missing.extra  # written as 0: unknown


def test_zero_zero_is_no_location():
    river = by_id(collect(POSTS_2019)[0])[RIVER]
    assert river.extra["media_metadata"]["photo_metadata"]["exif_data"][0]["latitude"] == 0.0
    assert (river.lat, river.lon, river.location_name) == (None, None, None)


def test_video_post():
    video = by_id(collect(POSTS_2019)[0])[VIDEO]
    assert video.media_type == "video" and video.origin is None  # not in the export, still inventoried
    assert video.posted_at_utc() == "2019-06-08T13:20:03Z"
    assert video.extra["upload_ip"] == "198.51.100.23"
    assert "upload_timestamp" not in video.extra  # written as 0: unknown

    listed = by_id(collect(ACTIVITY_2024)[0])[VIDEO_2024]  # your_videos.json: a video in no post
    assert listed.media_type == "video" and listed.caption == "한강 라면 🍜"
    assert listed.extra["upload_timestamp"] == "2024-04-07T14:26:30Z"


# --- hand-built: your_facebook_activity/ with an exif_data album (2024) ---------------------------


def test_newer_layout_and_exif_data_album():
    items, errors = collect(ACTIVITY_2024)
    assert errors == []
    named = by_id(items)
    assert set(named) == {BLOSSOM, BLOSSOM_2, TRIP, YUNJUNG, UNCATEGORIZED, VIDEO_2024}
    assert all(i.origin is not None for i in items if i.media_type == "image")
    yunjung = named[YUNJUNG]  # only in the album
    assert yunjung.caption == "윤중로 🌸 사람 많다" and yunjung.posted_at_utc() == "2024-04-07T11:00:00Z"
    assert (yunjung.lat, yunjung.lon) == (37.5283, 126.9294)
    assert yunjung.extra["taken_timestamp"] == "2024-04-07T09:00:00Z"
    blossom = named[BLOSSOM]  # in the post and in the album: one item
    assert blossom.caption == "벚꽃 보러 왔어요 🌸" and blossom.extra["album"] == "벚꽃 2024"
    assert blossom.post_id == named[BLOSSOM_2].post_id
    assert named[UNCATEGORIZED].extra["upload_ip"] == "203.0.113.50" and named[UNCATEGORIZED].caption is None
    assert {i.extra["upload_ip"] for i in items} == {"2001:db8:85a3::8a2e:370:7334", "198.51.100.77", "203.0.113.50"}


@pytest.mark.parametrize(
    "document, depth, root",
    [
        ("top/your_facebook_activity/posts/album/0.json", 3, "top"),
        ("your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json", 2, ""),
        ("facebook-example/posts/album/1.json", 3, "facebook-example"),
        ("posts/your_posts_1.json", 2, ""),
    ],
)
def test_media_uris_are_resolved_from_the_export_root(document, depth, root):
    assert export_root(document, depth) == root


# --- zip and folder --------------------------------------------------------------------------------


@pytest.mark.parametrize("folder", [SAMPLE, POSTS_2019, ACTIVITY_2024], ids=lambda f: f.name)
def test_zip_and_folder_give_the_same_items(folder, tmp_path):
    archive = write_zip(folder, tmp_path / "export.zip", top=TOP_FOLDER + "/")
    (zipped, zip_errors), (extracted, folder_errors) = collect(archive), collect(folder)
    assert zip_errors == folder_errors == []
    prefix = f"{folder.resolve()}/"
    assert [comparable(i, TOP_FOLDER + "/") for i in zipped] == [comparable(i, prefix) for i in extracted]
    assert {i.origin.path for i in zipped if i.origin} == {str(archive.resolve())}


# --- broken input ----------------------------------------------------------------------------------


def test_malformed_records_name_file_record_and_field_and_the_rest_is_read(tmp_path):
    export = tmp_path / "export"
    (export / "posts").mkdir(parents=True)
    (export / "photos_and_videos" / "album").mkdir(parents=True)
    photo = "photos_and_videos/x/{}.jpg".format
    posts = [
        {"timestamp": 1704067200, "attachments": [{"data": [{"media": {"uri": photo("ok")}}]}], "data": [{"post": "fine"}]},
        "not a record",
        {
            "timestamp": "yesterday",
            "attachments": [{"data": [
                {"media": {"creation_timestamp": 1704067200}},
                {"media": {"uri": photo("a"), "media_metadata": {"photo_metadata": {"exif_data": [
                    {"upload_ip": "not-an-ip", "taken_timestamp": "last summer"}]}}}},
            ]}],
        },
        {"timestamp": 1704153600, "attachments": {"data": []}},
        {"timestamp": 1704153600, "attachments": [{"data": [
            {"place": {"name": "Nowhere", "coordinate": {"latitude": "north", "longitude": 127}}},
            {"media": {"uri": photo("b")}},
        ]}]},
    ]
    album = {"name": "x", "photos": [
        {"uri": photo("c"), "media_metadata": {"photo_metadata": {"latitude": 137.5, "longitude": 37.5, "upload_ip": 3232235777}}},
        {"title": "no uri"},
    ]}
    (export / "posts" / "your_posts_1.json").write_text(json.dumps(posts))
    (export / "photos_and_videos" / "album" / "0.json").write_text(json.dumps(album))
    items, errors = collect(export)
    assert [(e.source_item, e.message.split(" ")[1]) for e in errors] == [
        ("photos_and_videos/album/0.json photo 0", "'media_metadata.photo_metadata.upload_ip'"),
        ("photos_and_videos/album/0.json photo 0", "'media_metadata.photo_metadata.latitude'"),
        ("photos_and_videos/album/0.json photo 1", "'uri'"),
        ("posts/your_posts_1.json post 1", "'(record)'"),
        ("posts/your_posts_1.json post 2", "'timestamp'"),
        ("posts/your_posts_1.json post 2", "'attachments[0].data[0].media.uri'"),
        ("posts/your_posts_1.json post 2", "'attachments[0].data[1].media.exif_data.upload_ip'"),
        ("posts/your_posts_1.json post 2", "'attachments[0].data[1].media.exif_data.taken_timestamp'"),
        ("posts/your_posts_1.json post 3", "'attachments'"),
        ("posts/your_posts_1.json post 4", "'attachments[0].data[0].place.coordinate'"),
    ]
    assert "is not an IP address: 3232235777" in errors[0].message
    named = {PurePosixPath(i.media_name).stem: i for i in items}
    assert list(named) == ["ok", "a", "b", "c"]
    # Unreadable fields are left empty; what could be read is kept.
    assert "upload_ip" not in named["a"].extra and named["a"].posted_at is None
    assert named["b"].location_name == "Nowhere" and named["b"].lat is None
    assert named["c"].lat is None and named["c"].extra["album"] == "x"


def test_malformed_json_names_file_and_position_and_the_rest_is_read(tmp_path):
    export = shutil.copytree(POSTS_2019, tmp_path / "export")
    album = export / "photos_and_videos" / "album" / "0.json"
    album.write_text("\n".join(['{', '  "name": "Mobile Uploads"', '  "photos": []', '}']))  # no comma: line 3
    items, errors = collect(export)
    assert [(e.source_item, e.message.split(":")[0]) for e in errors] == [
        ("photos_and_videos/album/0.json", "not valid JSON at line 3 column 3")
    ]
    named = by_id(items)
    assert set(named) == {GRADUATION, CAFE, RIVER, RIVER_MISSING, VIDEO}  # the album-only photo is lost, no more
    assert named[GRADUATION].lat is None and named[GRADUATION].caption.startswith("졸업")


def test_documents_of_the_wrong_shape_are_reported(tmp_path):
    activity = tmp_path / "export" / "your_facebook_activity" / "posts"
    (activity / "album").mkdir(parents=True)
    (activity / "your_posts__check_ins__photos_and_videos_1.json").write_text('"just text"')
    (activity / "album" / "0.json").write_text('{"name": "no photos"}')
    items, errors = collect(tmp_path / "export")
    assert items == []
    assert [(PurePosixPath(e.source_item).name, e.message.split(",")[0]) for e in errors] == [
        ("0.json", "expected an album with a 'photos' list"),
        ("your_posts__check_ins__photos_and_videos_1.json", "expected a list of posts"),
    ]


def test_a_path_that_is_not_an_export_is_unusable(tmp_path):
    (tmp_path / "holiday.jpg").write_bytes(jpeg_bytes())
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "your_posts_1.html").write_text("<html></html>")  # the HTML export is not read
    with pytest.raises(InputError, match="no Facebook posts or albums"):
        collect(tmp_path)


# --- into the export-metadata signal ---------------------------------------------------------------


def test_upload_ip_reaches_the_export_metadata_signal():
    """What the source keeps in `extra` survives the inventory's JSON and becomes the finding."""
    cafe = by_id(collect(POSTS_2019)[0])[CAFE]
    appearance = {
        "id": "a1",
        "platform": "facebook-export",
        "account": "facebook-export:Facebook",
        "post_id": cafe.post_id,
        "extra": json.dumps(cafe.extra, ensure_ascii=False, sort_keys=True, default=str),
    }
    (finding,) = ExportMetadataSignal().analyze(PhotoView({"id": "p1"}, [appearance]))
    assert finding.kind == "upload_ip" and finding.severity == "medium"
    assert finding.summary == "The export records the IP address this was uploaded from: 2001:db8:4f2a:1c00::17"
    assert finding.evidence["post_id"] == cafe.post_id == PurePosixPath(cafe.media_name).stem
