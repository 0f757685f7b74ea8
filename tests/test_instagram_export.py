"""The instagram-export source: every layout of docs/formats.md, as a folder and as a zip, and hostile input."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePosixPath

import pytest
from click.testing import CliRunner

from audit.cli import cli
from audit.config import Account
from audit.errors import InputError
from audit.inventory.archive import read_origin
from audit.inventory.db import open_db
from audit.inventory.photo import PhotoView
from audit.models import ONLY_YOU, Item, ItemError
from audit.signals.export_metadata import ExportMetadataSignal
from audit.sources import SOURCES
from audit.sources.instagram_export import InstagramExportSource, export_root

from .conftest import FIXTURES, comparable, jpeg_bytes, write_config, write_zip

FORMATS = FIXTURES / "formats"
SAMPLE = FORMATS / "instagram_dyi_json_2024_instagram-to-bluesky" / "transfer"
JSON_2025 = FORMATS / "instagram_dyi_json_2025_activity_media_handmade"
JSON_2020 = FORMATS / "instagram_dyi_json_2020_root_content_handmade"
JSON_2018 = FORMATS / "instagram_dyi_json_2018_media_json_handmade"
PROFILE_2024 = FORMATS / "instagram_dyi_json_2024_profile_handmade"
HTML_EN = FORMATS / "instagram_dyi_html_2025_en_handmade"
HTML_KO = FORMATS / "instagram_dyi_html_2025_ko_handmade"
HTML_REAL_2025 = FORMATS / "instagram_dyi_html_2025_akbarskuyyy"  # real markup, see its PROVENANCE.md
HTML_REAL_2024 = FORMATS / "instagram_dyi_html_2024_brogotexposed"
TOP_FOLDER = "instagram-minji.kim-2025-10-20-AbCdEfGh"


def collect(path: Path) -> tuple[list[Item], list[ItemError]]:
    account = Account(platform="instagram-export", path=path, handle="minji.kim")
    entries = list(InstagramExportSource(account).items())
    items = [e for e in entries if isinstance(e, Item)]
    errors = [e for e in entries if isinstance(e, ItemError)]
    assert len(items) + len(errors) == len(entries)
    return items, errors


def by_file(items: list[Item]) -> dict[str, Item]:
    named = {PurePosixPath(item.media_name).name: item for item in items}
    assert len(named) == len(items), "a fixture names each media file once"
    return named


def test_registered_and_declared():
    assert SOURCES["instagram-export"] is InstagramExportSource
    assert InstagramExportSource.needs == "path" and not InstagramExportSource.live


# --- the real sample (instagram-to-bluesky), put back at the real export paths ---------------------

SAMPLE_CASES = {
    # case: (posts, reels, posted_at, caption, location)
    "test_image": (1, 0, "2024-08-04T19:52:36Z", "A great rainy day lunch\n#italiansub", None),
    "test_images": (5, 0, "2022-07-26T21:45:53Z", "A lil flower garden update:", None),
    "test_mixed_media": (
        10,
        10,
        "2024-07-07T20:35:29Z",
        "What an incredible weekend day trip to celebrate Momma Olga's birthday.",
        None,
    ),
    "test_video": (1, 1, "2016-03-23T11:32:16Z", "Pokemon test video", (53.141186112, 11.038734576)),
}


def sample_export(case: str, tmp_path: Path) -> Path:
    """That project renamed posts_1.json to posts.json and flattened the media; undo both."""
    source, export = SAMPLE / case, tmp_path / "export"
    content = export / "your_instagram_activity" / "content"
    content.mkdir(parents=True)
    shutil.copy(source / "posts.json", content / "posts_1.json")
    if (source / "reels.json").exists():
        shutil.copy(source / "reels.json", content / "reels.json")
    for media in source.glob("*.jpg"):  # its URI is its bare file name: relative to the export root
        shutil.copy(media, export / media.name)
    return export


def sample_uris(case: str) -> list[tuple[str, str]]:
    posts = json.loads((SAMPLE / case / "posts.json").read_text(encoding="utf-8"))
    reels_file = SAMPLE / case / "reels.json"
    reels = json.loads(reels_file.read_text(encoding="utf-8"))["ig_reels_media"] if reels_file.exists() else []
    listed = [("post", post) for post in posts] + [("reel", reel) for reel in reels]
    return [(kind, media["uri"]) for kind, record in listed for media in record["media"]]


@pytest.mark.parametrize("case", sorted(SAMPLE_CASES))
def test_real_sample_every_post_is_inventoried(case, tmp_path):
    posts, reels, posted_at, caption, location = SAMPLE_CASES[case]
    items, errors = collect(sample_export(case, tmp_path))
    assert errors == []
    assert sorted((i.kind, i.media_name) for i in items) == sorted(sample_uris(case))
    assert Counter(i.kind for i in items) == Counter({"post": posts, "reel": reels})
    present = {p.name for p in (SAMPLE / case).glob("*.jpg")}
    for item in items:
        assert item.posted_at_utc() == posted_at
        assert item.caption.startswith(caption)
        assert (item.lat, item.lon) == (location or (None, None))
        assert item.url is None and item.audience is None
        assert item.media_type == ("video" if item.media_name.endswith(".mp4") else "image")
        if item.media_name in present:
            assert Path(item.origin.path) == (tmp_path / "export" / item.media_name).resolve()
        else:  # the media was not copied: still inventoried, with every fact the JSON holds
            assert item.origin is None


def test_real_sample_carousel_shares_one_post_id(tmp_path):
    items, _ = collect(sample_export("test_mixed_media", tmp_path))
    posts = [i for i in items if i.kind == "post"]
    assert {i.post_id for i in posts} == {"450124567_850539960325047_1014258811537594829_n_17926160567808540"}
    assert Counter(i.media_type for i in posts) == {"image": 7, "video": 3}


# --- hand-built layouts ----------------------------------------------------------------------------


def test_2025_media_folder_layout_reads_every_list():
    items, errors = collect(JSON_2025)
    assert errors == []
    assert Counter(i.kind for i in items) == {"post": 4, "story": 2, "reel": 1, "profile_photo": 1, "archived_post": 1}
    named = by_file(items)

    first = named["482910375_1029384756102938_5647382910293847561_n_18051234567890123.jpg"]
    heic = named["482910376_1029384756102939_5647382910293847562_n_18051234567890124.heic"]
    assert (first.lat, first.lon) == (37.5665, 126.978)
    assert first.posted_at_utc() == heic.posted_at_utc() == "2025-03-07T06:30:00Z"
    assert first.post_id == heic.post_id == PurePosixPath(first.media_name).stem
    camera = first.extra["exif_data"][1]
    assert camera["device_id"] == "android-8f3a2b1c4d5e6f70" and camera["date_time_original"] == "2025:03:07 15:29:48"
    assert first.origin is not None
    assert heic.origin is None and heic.caption == first.caption and heic.lat is None

    single = named["490123456_2039485761029384_1928374650192837465_n_18060000000000001.jpg"]
    assert single.caption == "한강 피크닉 with @jiwoo.park"  # no top-level title: media[0].title
    assert single.posted_at_utc() == "2025-04-07T08:00:00Z"
    assert (single.lat, single.lon) == (37.0, 127.0)  # coarse integers still locate

    null_island = named["495555555_3049586712039485_2837465019283746501_n_18065555555555555.jpg"]
    assert (null_island.lat, null_island.lon) == (None, None) and null_island.caption == "Study cafe"

    story = named["496000001_4059687123049586_3746501928374650192_n_18070000000000001.jpg"]
    deeper = "your_instagram_activity/" + story.media_name  # one folder deeper than its URI says
    assert story.origin.path.endswith(deeper)
    video_story = named["AQMx7pT2vQk9LwRb4nHs1cYd8eFg3iJh5kLm0nOp2qRs4tUv6wXy_18070000000000002.mp4"]
    assert video_story.media_type == "video" and video_story.origin is None
    assert (video_story.lat, video_story.lon) == (37.4979, 127.0276)

    reel = next(i for i in items if i.kind == "reel")
    assert reel.media_type == "video" and PurePosixPath(reel.media_name).suffix == ""
    archived = next(i for i in items if i.kind == "archived_post")
    assert archived.caption == "우리 기숙사 방 🏠" and (archived.lat, archived.lon) == (37.2636, 127.0286)
    assert next(i for i in items if i.kind == "profile_photo").origin is not None


def test_mojibake_becomes_korean_and_plain_text_passes_unchanged():
    raw = (JSON_2025 / "your_instagram_activity" / "media" / "posts_1.json").read_text(encoding="ascii")
    assert "\\u00ec\\u00a1\\u00b8" in raw and "졸업" not in raw  # the fixture is encoded the Meta way
    items, _ = collect(JSON_2025)
    captions = {i.caption for i in items}
    assert {"졸업 축하해 🎓", "한강 러닝 🏃", "우리 기숙사 방 🏠", "Café au lait"} <= captions
    assert not any("\u00c3" in c or "\u00ec" in c for c in captions if c)


def test_root_content_layout_2020():
    items, errors = collect(JSON_2020)
    assert errors == []
    assert Counter(i.kind for i in items) == {"post": 3, "story": 1}
    carousel = [i for i in items if i.caption == "제주 여행 첫날 🌊"]
    assert len(carousel) == 2 and all(i.origin and i.posted_at_utc() == "2020-06-15T03:00:00Z" for i in carousel)
    video = next(i for i in items if i.media_type == "video")
    assert video.origin is None and (video.lat, video.lon) == (33.394, 126.2396)
    assert video.caption == "Sunset at Hyeopjae"


def test_legacy_media_json():
    items, errors = collect(JSON_2018)
    assert errors == []
    named = by_file(items)
    assert not any(i.media_name.startswith("direct/") for i in items)  # private messages are not posts
    assert Counter(i.kind for i in items) == {"post": 3, "story": 1, "profile_photo": 1}
    yonsei = named["9f1c2e3d4b5a69788796a5b4c3d2e1f0.jpg"]
    assert yonsei.location_name == "Yonsei University" and yonsei.posted_at_utc() == "2018-03-02T09:15:40Z"
    assert yonsei.origin is not None and yonsei.post_id == "9f1c2e3d4b5a69788796a5b4c3d2e1f0"
    video = named["7c2d9e0f1a2b3c4d5e6f7a8b9c0d1e2f.mp4"]
    assert video.media_type == "video" and video.origin is None and video.caption == "신촌 눈 ❄"


@pytest.mark.parametrize(
    "folder, captions",
    [
        (HTML_EN, ("Graduation day with @jiwoo.park 🎓", "Late bus home")),
        (HTML_KO, ("졸업 축하해 🎓 @jiwoo.park", "막차 타고 집에")),
    ],
    ids=["english", "korean"],
)
def test_html_2025(folder, captions):
    items, errors = collect(folder)
    assert errors == []
    named = by_file(items)
    first, second = named["18091234567890123.jpg"], named["18091234567890124.jpg"]
    for item in (first, second):
        assert item.caption == captions[0] and item.origin is not None
        assert (item.lat, item.lon) == (37.5665, 126.978)
        assert item.tagged_users == ["jiwoo.park", "hana_lee"]
        assert item.posted_at_utc() == "2025-10-19T18:11:00Z"
        assert item.post_id == "18091234567890123"
        assert "android-8f3a2b1c4d5e6f70" in item.extra["details"].values()
    bus = named["18087777777777777.jpg"]  # one-cell rows, Latitude 0 / Longitude 0, file missing
    assert bus.caption == captions[1] and bus.origin is None and bus.lat is None
    assert list(bus.extra["details"].values())[:2] == ["0", "0"]
    assert bus.posted_at_utc() == "2025-09-02T23:47:00Z"
    cafe = named["18081111111111111.jpg"]
    assert cafe.caption is None and cafe.tagged_users == [] and cafe.posted_at_utc() == "2025-08-30T00:05:00Z"
    story = named["18095555555555555.mp4"]
    assert story.kind == "story" and story.media_type == "video" and (story.lat, story.lon) == (37.4979, 127.0276)


def test_html_labels_in_an_unknown_language_are_read_by_structure(tmp_path):
    media = tmp_path / "export" / "your_instagram_activity" / "media"
    media.mkdir(parents=True)
    rows = [
        ("緯度", "35.6586"),
        ("経度", "139.7454"),
        ("デバイスID", "ios-42"),
        ("タグ付け", "yuki_t (タグ付け, 0.10, 0.20)"),
    ]
    table = "".join(f"<tr><td>{label}</td><td>{value}</td></tr>" for label, value in rows)
    (media / "posts_1.html").write_text(
        '<div class="pam _3-95 _2ph- _a6-g uiBoxWhite noborder"><h2>東京タワー</h2>'
        f'<img src="media/posts/202510/1.jpg"><table>{table}</table><div class="_a6-o">Oct 1, 2025 9:00 am</div></div>',
        encoding="utf-8",
    )
    (item,), errors = collect(tmp_path / "export")
    assert errors == []
    assert (item.lat, item.lon) == (35.6586, 139.7454) and item.tagged_users == ["yuki_t"]


# --- the HTML variant, real markup (late 2025 and 2024) ---------------------------------------------

# Every located media file of the real-markup fixtures, by file stem; every other item is unlocated.
REAL_LOCATIONS = {
    HTML_REAL_2025: {
        "18060000000000006": (-6.1753871352015, 106.82719182968),  # post
        "18070000000000011": (37.579617133621, 126.97704092413),  # story
        "17970000000000012": (35.158697512345, 129.16038423077),  # reel
        "18150000000000014": (37.460190713524, 126.44069623188),  # recently deleted
    },
    HTML_REAL_2024: {
        "431234567_912345678901234_1234567890123456789_n_18031234567890123": (37.566535512347, 126.97796919134),
        "9A1B2C3D4E5F60718293A4B5C6D7E8F9_video_dashinit_17931234567890123": (35.179553914265, 129.07564206732),
    },
}


@pytest.mark.parametrize("folder", list(REAL_LOCATIONS), ids=lambda f: f.name)
def test_real_html_markup_every_location_is_read(folder):
    items, errors = collect(folder)
    assert errors == []
    located = {PurePosixPath(i.media_name).stem: (i.lat, i.lon) for i in items if i.lat is not None}
    assert located == REAL_LOCATIONS[folder]
    assert not any("" in i.extra["details"] for i in items)  # every row has its label


def test_real_html_kinds_captions_and_rows_per_media_file():
    items, _ = collect(HTML_REAL_2025)
    assert Counter(i.kind for i in items) == {"post": 6, "story": 3, "reel": 1, "deleted_post": 1, "archived_post": 1}
    named = {PurePosixPath(i.media_name).stem: i for i in items}
    image, video = named["18170000000000001"], named["18100000000000002"]  # one post: each file its own table
    assert image.extra["details"] == {} and video.extra["details"] == {"Subtitles": "Subtitles for video"}
    assert image.caption == video.caption == "Two clips from the school festival @hana_lee"
    assert named["18060000000000007"].lat is None  # Latitude 0 / Longitude 0
    assert named["18140000000000008"].tagged_users == ["jiwoo.park", "hana_lee", "minho.choi"]
    assert named["17970000000000012"].posted_at_utc() == "2025-06-25T17:09:00Z"
    captions = {i.caption for i in collect(HTML_REAL_2024)[0]}  # 2024: the caption is a div, not an h2
    assert captions == {None, "Rehearsal night 🎹", "Night market"}


def test_real_html_camera_rows_reach_exif_data_as_json_keeps_them():
    story = {PurePosixPath(i.media_name).stem: i for i in collect(HTML_REAL_2025)[0]}["18070000000000010"]
    (camera,) = story.extra["exif_data"]
    assert camera == {
        "software": "MediaTek Camera Application",
        "device_id": "android-3c9e51f0a2b47d68",
        "date_time_original": "2025:07:01 09:17:05",
        "source_type": "3",
    }
    json_camera = by_file(collect(JSON_2025)[0])[
        "482910375_1029384756102938_5647382910293847561_n_18051234567890123.jpg"
    ].extra["exif_data"][1]
    assert set(camera) <= set(json_camera)  # the keys the JSON layout uses for the same facts
    photo = PhotoView({"id": "p"}, [{"id": "a", "platform": "instagram-export", "extra": {"exif_data": [camera]}}])
    found = {(f.kind, f.evidence.get("device_id")) for f in ExportMetadataSignal().analyze(photo)}
    assert found == {("device_id", "android-3c9e51f0a2b47d68")}


def test_html_rows_of_every_shape_are_read_and_an_unknown_one_is_reported(tmp_path):
    rows = (
        '<tr><td class="_2pin _a6_q">Device ID</td><td class="_2pin _2piu _a6_r">android-1</td></tr>'  # two cells
        '<tr><td colspan="2">Software<div><div>Instagram 400.0</div></div></td></tr>'  # label as text
        '<tr><td colspan="2"><div class="_a6-q">Date taken</div><div><div class="_a6-q">2025:01:02 03:04:05</div>'
        "</div></td></tr>"  # label in a div (late 2025)
        '<tr><td colspan="2"><div><div class="pam"><h2>Location</h2><table>'  # a group of rows
        "<tr><td>Latitude</td><td>37.5665</td></tr><tr><td>Longitude</td><td>126.978</td></tr></table></div></div>"
        "</td></tr>"
        "<tr><td>a</td><td>b</td><td>c</td></tr>"  # three cells: not a shape this tool reads
    )
    media = tmp_path / "export" / "your_instagram_activity" / "media"
    media.mkdir(parents=True)
    (media / "posts_1.html").write_text(
        '<div class="pam _3-95 _2ph- _a6-g uiBoxWhite noborder"><img src="media/posts/202501/1.jpg">'
        f'<table>{rows}</table><div class="_a6-o">Jan 2, 2025 9:00 am</div></div>',
        encoding="utf-8",
    )
    (item,), (error,) = collect(tmp_path / "export")
    assert (item.lat, item.lon) == (37.5665, 126.978)
    assert item.extra["exif_data"] == [
        {"device_id": "android-1", "software": "Instagram 400.0", "date_time_original": "2025:01:02 03:04:05"}
    ]
    assert error.source_item.endswith("posts_1.html record 0") and error.stage == "collect"
    assert error.message == "field 'details' has a row this tool does not read: 'a b c'"


# --- who can see it ---------------------------------------------------------------------------------


def test_archived_deleted_and_expired_stories_only_the_user_sees():
    for folder in (HTML_REAL_2025, JSON_2025, JSON_2020):
        items, _ = collect(folder)
        hidden = {i.kind for i in items if i.audience == ONLY_YOU}
        assert hidden == {"archived_post", "deleted_post", "story"} & {i.kind for i in items}
        assert all(i.audience is None for i in items if i.kind not in hidden)  # the export does not say


def test_a_story_is_seen_for_a_day_in_both_layouts(tmp_path):
    now = datetime.now(timezone.utc)
    times = {"fresh": now - timedelta(hours=1), "old": now - timedelta(hours=25)}
    export = tmp_path / "export" / "your_instagram_activity" / "media"
    export.mkdir(parents=True)
    stories = [
        {"uri": f"media/stories/{name}.jpg", "creation_timestamp": int(t.timestamp())} for name, t in times.items()
    ]
    (export / "stories.json").write_text(json.dumps({"ig_stories": stories}))
    box = '<div class="pam _3-95 _2ph- _a6-g uiBoxWhite noborder"><img src="media/stories/{}-html.jpg">{}</div>'
    date = '<div class="_a6-o">{:%b %d, %Y %I:%M %p}</div>'
    boxes = "".join(box.format(name, date.format(t)) for name, t in times.items())
    (export / "stories.html").write_text(boxes, encoding="utf-8")
    items, errors = collect(tmp_path / "export")
    assert errors == []
    seen = {PurePosixPath(i.media_name).stem: i.audience for i in items}
    assert seen == {"fresh": None, "fresh-html": None, "old": ONLY_YOU, "old-html": ONLY_YOU}


def test_recently_deleted_content_json_is_read_as_deleted_posts(tmp_path):
    content = tmp_path / "export" / "your_instagram_activity" / "content"
    content.mkdir(parents=True)
    exif = {"photo_metadata": {"exif_data": [{"latitude": 37.5, "longitude": 127.0}]}}
    media = {"uri": "media/recently_deleted/202501/1.jpg", "creation_timestamp": 1736000000, "media_metadata": exif}
    deleted = {"ig_recently_deleted_media": [{"media": [media], "title": "gone"}]}  # as real parsers read it
    (content / "recently_deleted_content.json").write_text(json.dumps(deleted))
    (item,), errors = collect(tmp_path / "export")
    assert errors == []
    assert (item.kind, item.audience, item.lat, item.caption) == ("deleted_post", ONLY_YOU, 37.5, "gone")


@pytest.mark.parametrize(
    "document, root",
    [
        ("top/your_instagram_activity/content/posts_1.json", "top"),
        ("your_instagram_activity/media/stories.json", ""),
        ("content/posts_1.json", ""),
    ],
)
def test_media_uris_are_resolved_from_the_export_root(document, root):
    assert export_root(document, depth=2) == root


# --- the profile: personal_information.json ------------------------------------------------------

CURRENT = "447120953_1187564390123456_3349875610293847566_n_18030000000000004.jpg"
OLDER = "275318642_1064213597512348_8812345098712340981_n_17890000000000003.jpg"
BIO = "한빛고등학교 3학년 🏫 | 과외 문의 010-2345-6789\n@jiwoo.park 베프 💛"
SHOWN = {"Name": "김민지 Minji Kim", "Bio": BIO, "Website": "https://litt.ly/minji.kim", "Username": "minji.kim"}
PERSONAL = PurePosixPath("personal_information", "personal_information", "personal_information.json")
# In the private fields of the fixture: none of these may reach the inventory.
PRIVATE = ("minji.kim.2007@example.com", "+821098765432", "2007-03-14", "female")


def edit_profile(tmp_path: Path, change) -> Path:
    """A copy of the profile fixture whose personal_information.json `change(data)` has edited."""
    export = shutil.copytree(PROFILE_2024, tmp_path / "export")
    document = export / PERSONAL
    data = json.loads(document.read_text(encoding="ascii"))  # left in Meta's encoding
    change(data)
    document.write_text(json.dumps(data), encoding="ascii")
    return export


def test_name_bio_and_website_are_the_caption_of_the_current_profile_picture():
    items, errors = collect(PROFILE_2024)
    assert errors == []
    named = by_file(items)
    current = named[CURRENT]
    assert current.kind == "profile_photo" and current.origin is not None
    assert current.caption == f"김민지 Minji Kim\n{BIO}\nhttps://litt.ly/minji.kim"
    assert current.extra == {"profile": SHOWN}
    older = named[OLDER]  # no longer shown beside the bio
    assert older.kind == "profile_photo" and older.caption is None and older.extra == {}
    post = named["441298765_1180011223344556_6617283940516273849_n_18025555555555555.jpg"]
    assert post.caption == "2학기 시간표 📅 #한빛고"  # a post's caption is its own


def test_private_account_data_never_reaches_the_inventory():
    raw = (PROFILE_2024 / PERSONAL).read_text(encoding="ascii")
    assert all(value in raw for value in PRIVATE)  # the fixture holds them
    items, errors = collect(PROFILE_2024)
    kept = repr(items) + repr(errors)
    assert not [value for value in PRIVATE if value in kept]
    assert "Email" not in kept and "Phone Number" not in kept and "Date of birth" not in kept


def test_without_media_map_data_the_newest_profile_picture_gets_the_profile(tmp_path):
    def drop(data):
        del data["profile_user"][0]["media_map_data"]

    named = by_file(collect(edit_profile(tmp_path, drop))[0])
    assert named[CURRENT].extra == {"profile": SHOWN}  # newest by time, though listed first
    assert named[OLDER].caption is None


def test_without_profile_photos_json_the_profile_names_its_picture(tmp_path):
    export = shutil.copytree(PROFILE_2024, tmp_path / "export")
    (export / "your_instagram_activity" / "content" / "profile_photos.json").unlink()
    items, errors = collect(export)
    assert errors == []
    (photo,) = [i for i in items if i.kind == "profile_photo"]
    assert photo.media_name.endswith(CURRENT) and read_origin(photo.origin) == (export / photo.media_name).read_bytes()
    assert photo.posted_at_utc() == "2024-06-03T07:33:20Z" and photo.extra == {"profile": SHOWN}


def test_a_bio_with_no_profile_picture_is_noted_not_inventoried(tmp_path):
    def drop(data):
        del data["profile_user"][0]["media_map_data"]

    export = edit_profile(tmp_path, drop)
    (export / "your_instagram_activity" / "content" / "profile_photos.json").unlink()
    items, errors = collect(export)
    assert [i.kind for i in items] == ["post"]
    (note,) = errors
    assert note.stage == "skip" and note.source_item == PERSONAL.as_posix()
    assert "no profile picture to show them beside" in note.message


def test_an_unreadable_profile_is_an_error_and_the_rest_is_read(tmp_path):
    export = shutil.copytree(PROFILE_2024, tmp_path / "export")
    (export / PERSONAL).write_text('{"profile_user": [{"string_map_data": {"Bio": }}]}')
    items, errors = collect(export)
    assert [(e.source_item, e.message.split(":")[0]) for e in errors] == [
        (PERSONAL.as_posix(), "not valid JSON at line 1 column 47")
    ]
    assert len(items) == 3 and not any(i.extra.get("profile") for i in items)


def test_bad_profile_fields_are_named_and_the_rest_is_read(tmp_path):
    def garble(data):
        strings = data["profile_user"][0]["string_map_data"]
        strings["Bio"] = {"value": ["not", "text"]}
        strings["Website"] = "https://litt.ly/minji.kim"

    items, errors = collect(edit_profile(tmp_path, garble))
    assert [(e.source_item, e.message) for e in errors] == [
        (f"{PERSONAL} profile_user 0", "field 'string_map_data.Bio.value' is not text: ['not', 'text']"),
        (f"{PERSONAL} profile_user 0", "field 'string_map_data.Website' is not a JSON object"),
    ]
    assert by_file(items)[CURRENT].caption == "김민지 Minji Kim"


def test_the_bio_gives_caption_text_findings_on_the_profile_picture(tmp_path):
    """Collected and analysed: a bio's phone number and school are findings on the picture shown beside it."""
    write_config(tmp_path, f'[[accounts]]\nplatform = "instagram-export"\npath = "{PROFILE_2024.as_posix()}"\n')
    db_path = tmp_path / "a.db"
    result = CliRunner().invoke(cli, ["run", str(tmp_path / "accounts.toml"), "--db", str(db_path), "--out",
                                      str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    rows = open_db(db_path).query(
        "select findings.kind, findings.evidence, appearances.media_name from findings join appearances"
        " on appearances.id = json_extract(findings.evidence, '$.appearance') where findings.signal = 'caption-text'"
    )
    found = {(PurePosixPath(row["media_name"]).name, row["kind"], json.loads(row["evidence"])["quote"]) for row in rows}
    on_picture = {(kind, quote) for name, kind, quote in found if name == CURRENT}
    assert {("phone", "010-2345-6789"), ("school", "한빛고등학교"), ("mention", "@jiwoo.park")} <= on_picture
    assert not any(name == OLDER for name, _, _ in found)
    assert not any("9876" in quote for _, _, quote in found)  # the private phone number was never read


# --- zip and folder --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "folder",
    [JSON_2025, JSON_2020, JSON_2018, HTML_EN, HTML_KO, HTML_REAL_2025, HTML_REAL_2024, PROFILE_2024],
    ids=lambda f: f.name,
)
def test_zip_and_folder_give_the_same_items(folder, tmp_path):
    folder_items, folder_errors = collect(folder)
    zip_items, zip_errors = collect(write_zip(folder, tmp_path / "export.zip", top=TOP_FOLDER + "/"))
    assert folder_errors == zip_errors == []
    as_folder = [comparable(i, str(folder.resolve()) + "/") for i in folder_items]
    as_zip = [comparable(i, TOP_FOLDER + "/") for i in zip_items]
    assert as_zip == as_folder
    assert all(i.origin.path == str((tmp_path / "export.zip").resolve()) for i in zip_items if i.origin)


# --- broken and hostile input ----------------------------------------------------------------------


def test_malformed_json_names_file_and_position_and_the_rest_is_read(tmp_path):
    export = shutil.copytree(JSON_2025, tmp_path / "export")
    broken = export / "your_instagram_activity" / "media" / "posts_2.json"
    lines = ["[", "  {", '    "media": [],', '    "title": "Study cafe"', '    "creation_timestamp": 1747000002', "  }", "]"]
    broken.write_text("\n".join(lines))  # line 5: the comma after "Study cafe" is missing
    items, errors = collect(export)
    assert [(e.source_item, e.message.split(":")[0]) for e in errors] == [
        ("your_instagram_activity/media/posts_2.json", "not valid JSON at line 5 column 5")
    ]
    assert Counter(i.kind for i in items) == {"post": 3, "story": 2, "reel": 1, "profile_photo": 1, "archived_post": 1}


def test_bad_records_name_file_record_and_field_and_the_rest_is_read(tmp_path):
    content = tmp_path / "export" / "your_instagram_activity" / "content"
    content.mkdir(parents=True)
    posts = [
        {"media": [{"uri": "media/posts/202401/ok.jpg", "creation_timestamp": 1704067200}], "title": "fine"},
        {"media": [{"uri": "media/posts/202401/a.jpg"}, {"creation_timestamp": 1704067200}], "title": "no uri"},
        "not a record",
        {"title": "no media at all"},
        {
            "media": [
                {
                    "uri": "media/posts/202401/b.jpg",
                    "creation_timestamp": "yesterday",
                    "media_metadata": {"photo_metadata": {"exif_data": [{"latitude": "north", "longitude": 126.9}]}},
                }
            ],
            "title": "garbled",
            "creation_timestamp": 1704153600,
        },
        {"media": [{"uri": "media/posts/202401/c.jpg", "media_metadata": {"video_metadata": {"exif_data": [
            {"latitude": 126.9, "longitude": 37.5}]}}}]},  # swapped: no latitude is above 90
    ]
    (content / "posts_1.json").write_text(json.dumps(posts))
    items, errors = collect(tmp_path / "export")
    assert [PurePosixPath(i.media_name).name for i in items] == ["ok.jpg", "a.jpg", "b.jpg", "c.jpg"]
    where = "your_instagram_activity/content/posts_1.json record "
    assert [(e.source_item.removeprefix(where), e.message.split(" ")[1]) for e in errors] == [
        ("1", "'media[1].uri'"),
        ("2", "'(record)'"),
        ("3", "'media'"),
        ("4", "'media[0].creation_timestamp'"),
        ("4", "'media[0].exif_data.latitude'"),
        ("5", "'media[0].exif_data.latitude'"),
    ]
    garbled = items[2]  # unreadable fields are left empty; the post's own time still applies
    assert garbled.posted_at_utc() == "2024-01-02T00:00:00Z" and garbled.lat is None
    assert items[3].lat is None and items[3].media_type == "video"


def test_refused_zip_members_are_reported_and_never_read(tmp_path):
    post = {"media": [{"uri": "media/posts/202401/a.jpg"}, {"uri": "media/posts/202401/bomb.jpg"}], "title": "x"}
    target = tmp_path / "export.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export/your_instagram_activity/content/posts_1.json", json.dumps([post]))
        archive.writestr("export/media/posts/202401/a.jpg", jpeg_bytes())
        archive.writestr("../evil.jpg", jpeg_bytes())
        archive.writestr("export/media/posts/202401/bomb.jpg", b"\0" * (2 * 1024**2))
    items, errors = collect(target)
    reasons = {e.source_item: e.message for e in errors}
    assert set(reasons) == {"../evil.jpg", "export/media/posts/202401/bomb.jpg"}
    evil, bomb_reason = reasons["../evil.jpg"], reasons["export/media/posts/202401/bomb.jpg"]
    assert evil.startswith("refused") and "escapes" in evil
    assert bomb_reason.startswith("refused") and "zip bomb" in bomb_reason
    good, bomb = items
    assert good.origin.member == "export/media/posts/202401/a.jpg" and read_origin(good.origin) == jpeg_bytes()
    assert bomb.origin is None  # a refused member is never handed out, even when a post names it


def test_invalid_utf8_in_html_is_reported_and_the_page_still_read(tmp_path):
    export = shutil.copytree(HTML_EN, tmp_path / "export")
    page = export / "your_instagram_activity" / "media" / "posts_1.html"
    raw = page.read_bytes()
    page.write_bytes(raw.replace(b"Late bus home", b"Late bus\xff home"))
    items, errors = collect(export)
    line = raw[: raw.index(b"Late bus home")].count(b"\n") + 1
    assert [(e.source_item, f"line {line} " in e.message) for e in errors] == [
        ("your_instagram_activity/media/posts_1.html", True)
    ]
    assert len(items) == 5 and "Late bus\ufffd home" in {i.caption for i in items}


def test_html_without_post_boxes_says_the_layout_changed(tmp_path):
    media = tmp_path / "export" / "your_instagram_activity" / "media"
    media.mkdir(parents=True)
    (media / "posts_1.html").write_text("<html><body><div class='pam'>nothing</div></body></html>")
    items, errors = collect(tmp_path / "export")
    assert items == [] and "layout may have changed" in errors[0].message


def test_a_path_that_is_not_an_export_is_unusable(tmp_path):
    (tmp_path / "holiday.jpg").write_bytes(jpeg_bytes())
    with pytest.raises(InputError, match="no Instagram media lists"):
        collect(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        collect(tmp_path / "missing.zip")
