"""The google-takeout source: the hand-built exports, sidecar name variants, album descriptions, zip and folder."""

from __future__ import annotations

import dataclasses
import json
import shutil
import unicodedata
import zipfile
from pathlib import Path

import pytest

from audit.config import Account
from audit.errors import InputError
from audit.inventory.archive import read_origin
from audit.models import ONLY_YOU, Item, ItemError
from audit.sources.google_takeout import GoogleTakeoutSource

from .conftest import FIXTURES, jpeg_bytes

# The extracted `Takeout` folders (PROVENANCE.md sits beside them); zips are written with `Takeout/` inside.
EN_2024 = FIXTURES / "formats" / "google_takeout_2024_en_handmade" / "Takeout"
FR_2019 = FIXTURES / "formats" / "google_takeout_2019_fr_handmade" / "Takeout"
YEAR_2023 = EN_2024 / "Google Photos" / "Photos from 2023"
PHOTOS_URL = "https://photos.google.com/photo/"


def collect(path: Path) -> tuple[list[Item], list[ItemError]]:
    """The items, then the errors and notes."""
    entries = list(GoogleTakeoutSource(Account(platform="google-takeout", path=path)).items())
    return [e for e in entries if isinstance(e, Item)], [e for e in entries if not isinstance(e, Item)]


def by_name(items: list[Item]) -> dict[str, Item]:
    named = {item.media_name: item for item in items}
    assert len(named) == len(items), "each media name once"
    return named


def test_declared():
    source = GoogleTakeoutSource
    assert (source.name, source.needs, source.live) == ("google-takeout", "path", False)


# --- the hand-built exports ------------------------------------------------------------------------

# media name: (posted_at = creationTime, taken_at = photoTakenTime, caption, (lat, lon), sidecar file, file present)
EN_2024_ITEMS = {
    "Graduation 2023/IMG_20231006_153851.jpg": (
        "2023-10-06T08:33:54Z", "2023-10-06T06:38:51+00:00", "졸업식 🎓 신촌에서", (37.5658, 126.9386),
        "IMG_20231006_153851.jpg.supplemental-metadata.json", True,
    ),
    "Photos from 2023/IMG_1234.JPG": (
        "2023-09-03T08:53:20Z", "2023-09-03T03:40:00+00:00", None, (37.2636, 127.0286),
        "IMG_1234.JPG.supplemental-metadata.json", True,
    ),
    "Photos from 2023/IMG_1234(1).JPG": (
        "2023-09-28T12:20:00Z", "2023-09-28T11:20:00+00:00", "Chuseok 🌕", (None, None),
        "IMG_1234.JPG.supplemental-metadata(1).json", True,
    ),
    "Photos from 2023/IMG_1234-edited.JPG": (
        "2023-09-03T08:53:20Z", "2023-09-03T03:40:00+00:00", None, (37.2636, 127.0286),
        "IMG_1234.JPG.supplemental-metadata.json", True,
    ),
    "Photos from 2023/Screenshot_20231008-221530_KakaoTalk.jpg": (
        "2023-10-08T13:16:02Z", "2023-10-08T13:15:30+00:00", None, (None, None),
        "Screenshot_20231008-221530_KakaoTalk.jpg.suppl.json", True,
    ),
    "Photos from 2023/KakaoTalk_Photo_2023-10-09-18-22-41-001_a7f3e9c2b1d04e6f.jpeg": (
        "2023-10-09T09:25:00Z", "2023-10-09T09:22:41+00:00", "해운대 🌊", (35.1587, 129.1604),
        "KakaoTalk_Photo_2023-10-09-18-22-41-001_a7f3e9.json", True,
    ),
    "Photos from 2023/KakaoTalk_Photo_2023-10-09-18-22-41-001_a7f3e9c2b1d04e6f(1).jpeg": (
        "2023-10-09T09:25:03Z", "2023-10-09T09:22:41+00:00", None, (None, None),
        "KakaoTalk_Photo_2023-10-09-18-22-41-001_a7f3e9(1).json", True,
    ),
    "Photos from 2023/VID_20231011_190512.mp4": (
        "2023-10-11T10:30:00Z", "2023-10-11T10:05:12+00:00", "광안리 불꽃축제", (35.1532, 129.1186),
        "VID_20231011_190512.mp4.supplemental-metadata.json", True,
    ),
    "Photos from 2023/IMG-20231012-WA0007.jpg": (None, None, None, (None, None), None, True),
    "Photos from 2023/PXL_20231013_101010123.jpg": (
        "2023-10-13T01:12:00Z", "2023-10-13T01:10:10+00:00", "강남역 스터디 카페", (37.4979, 127.0276),
        "PXL_20231013_101010123.jpg.supplemental-metada.json", False,
    ),
}


def test_every_item_of_the_2024_export():
    items, errors = collect(EN_2024)
    assert [(e.source_item, e.stage) for e in errors] == [("archive_browser.html", "skip")]
    named = by_name(items)
    assert set(named) == set(EN_2024_ITEMS)
    for name, (posted_at, taken_at, caption, place, sidecar, present) in EN_2024_ITEMS.items():
        item = named[name]
        assert item.posted_at_utc() == posted_at, name
        assert item.extra.get("taken_at") == taken_at, name
        assert item.caption == caption, name
        assert (item.lat, item.lon) == place, name
        assert Path(item.extra.get("sidecar", "")).name == (sidecar or ""), name
        assert (item.origin is not None) == present, name
        assert item.kind == "file" and item.audience == ONLY_YOU  # a private library
        assert item.media_type == ("video" if name.endswith(".mp4") else "image")
        assert (item.url or "").startswith(PHOTOS_URL) == (sidecar is not None)


def test_timestamps_are_strings_and_posted_at_is_the_upload():
    raw = json.loads((YEAR_2023 / "IMG_1234.JPG.supplemental-metadata.json").read_text(encoding="utf-8"))
    assert raw["creationTime"]["timestamp"] == "1693731200" and raw["photoTakenTime"]["timestamp"] == "1693712400"
    item = by_name(collect(EN_2024)[0])["Photos from 2023/IMG_1234.JPG"]
    assert item.posted_at_utc() == "2023-09-03T08:53:20Z"
    assert item.extra["taken_at"] == "2023-09-03T03:40:00+00:00"


def test_zero_position_is_no_location_and_the_camera_position_still_counts():
    named = by_name(collect(EN_2024)[0])
    removed = named["Photos from 2023/IMG_1234.JPG"]  # geoData 0, 0 (removed in Google Photos), geoDataExif kept
    assert (removed.lat, removed.lon) == (37.2636, 127.0286) and removed.extra["location_from"] == "geoDataExif"
    nowhere = named["Photos from 2023/IMG_1234(1).JPG"]  # 0, 0 in both
    assert (nowhere.lat, nowhere.lon) == (None, None) and "location_from" not in nowhere.extra
    assert named["Graduation 2023/IMG_20231006_153851.jpg"].extra["location_from"] == "geoData"


def test_duplicates_and_edited_copies():
    named = by_name(collect(EN_2024)[0])
    first, second = named["Photos from 2023/IMG_1234.JPG"], named["Photos from 2023/IMG_1234(1).JPG"]
    assert first.post_id != second.post_id  # the same title, two photos
    edited = named["Photos from 2023/IMG_1234-edited.JPG"]
    assert edited.extra["edited_copy_of"] == "IMG_1234.JPG" and edited.post_id == first.post_id
    assert read_origin(edited.origin) != read_origin(first.origin)


def test_album_copies_are_one_item_with_the_album_named():
    named = by_name(collect(EN_2024)[0])
    graduation = named["Graduation 2023/IMG_20231006_153851.jpg"]
    assert "Photos from 2023/IMG_20231006_153851.jpg" not in named
    assert graduation.extra["albums"] == ["Graduation 2023"] and graduation.extra["people"] == ["박지우"]
    assert graduation.extra["uploaded_from"]["mobileUpload"]["deviceType"] == "ANDROID_PHONE"


def test_a_media_file_without_sidecar_is_inventoried_with_its_exif():
    named = by_name(collect(EN_2024)[0])
    whatsapp = named["Photos from 2023/IMG-20231012-WA0007.jpg"]
    assert whatsapp.extra == {} and whatsapp.url is None and whatsapp.post_id is None
    assert read_origin(whatsapp.origin) == (YEAR_2023 / "IMG-20231012-WA0007.jpg").read_bytes()
    with_gps = named["Graduation 2023/IMG_20231006_153851.jpg"]
    assert b"GPS" not in read_origin(whatsapp.origin) and b"Exif" in read_origin(with_gps.origin)


def test_the_older_french_export():
    items, errors = collect(FR_2019)
    assert errors == []
    named = by_name(items)
    assert set(named) == {"Photos de 2019/DSC_0238.JPG", "Photos de 2019/DSC_0238(1).JPG"}
    sunset, duplicate = named["Photos de 2019/DSC_0238.JPG"], named["Photos de 2019/DSC_0238(1).JPG"]
    assert sunset.caption == "Coucher de soleil à Hyeopjae" and (sunset.lat, sunset.lon) == (33.394, 126.2396)
    assert sunset.posted_at_utc() == "2019-10-06T23:53:20Z" and sunset.extra["albums"] == ["Voyage à Jeju"]
    assert Path(duplicate.extra["sidecar"]).name == "DSC_0238.JPG(1).json"
    assert (duplicate.lat, duplicate.lon) == (None, None) and duplicate.posted_at_utc() == "2019-10-07T10:00:00Z"


ALBUM_NAMES = [
    "metadata.json", "métadonnées.json", "metadatos.json", "Metadaten.json", "메타데이터.json", "metadati.json"
]
ALBUM_SHAPES = {
    "albumData": {"albumData": {"title": "Voyage à Jeju", "description": "", "access": "protected",
                                "date": {"timestamp": "1570500000", "formatted": "8 oct. 2019"}}},
    "title and date": {"title": "Voyage à Jeju", "description": "", "access": "protected",
                       "date": {"timestamp": "1570500000", "formatted": "8 oct. 2019"}},
}


@pytest.mark.parametrize("shape", sorted(ALBUM_SHAPES))
@pytest.mark.parametrize("name", ALBUM_NAMES)
def test_localised_album_descriptions_are_read_by_structure_not_name(name, shape, tmp_path):
    export = shutil.copytree(FR_2019, tmp_path / "export")
    album = export / "Google Photos" / "Voyage à Jeju"
    (album / "métadonnées.json").unlink()
    (album / name).write_text(json.dumps(ALBUM_SHAPES[shape], ensure_ascii=False), encoding="utf-8")
    items, errors = collect(export)
    assert errors == []
    assert by_name(items)["Photos de 2019/DSC_0238.JPG"].extra["albums"] == ["Voyage à Jeju"]


# --- sidecar names ---------------------------------------------------------------------------------


def sidecar(title: str, url_id: str) -> str:
    return json.dumps({
        "title": title,
        "creationTime": {"timestamp": "1700000000", "formatted": "Nov 14, 2023, 10:13:20 PM UTC"},
        "photoTakenTime": {"timestamp": "1699990000", "formatted": "Nov 14, 2023, 7:26:40 PM UTC"},
        "url": PHOTOS_URL + url_id,
    })


# (media file, sidecar file, title in the sidecar): each media file must get exactly its sidecar.
NAME_CASES = {
    "plain": ("IMG_0001.jpg", "IMG_0001.jpg.json", "IMG_0001.jpg"),
    "supplemental": ("IMG_0002.jpg", "IMG_0002.jpg.supplemental-metadata.json", "IMG_0002.jpg"),
    "counter after the extension": ("DSC_0238(1).JPG", "DSC_0238.JPG(1).json", "DSC_0238.JPG"),
    "counter after supplemental": ("IMG_0003(2).jpg", "IMG_0003.jpg.supplemental-metadata(2).json", "IMG_0003.jpg"),
    "counter kept in the name": ("image(1).png", "image(1).png.supplemental-metadata.json", "image(1).png"),
    "supplemental cut": ("PXL_20240101_000000001.jpg", "PXL_20240101_000000001.jpg.supplemental-metada.json",
                         "PXL_20240101_000000001.jpg"),
    "supplemental cut to a dot": ("Screenshot_20240102-101010_NAVER Webtoons.jpg",
                                  "Screenshot_20240102-101010_NAVER Webtoons.jpg..json",
                                  "Screenshot_20240102-101010_NAVER Webtoons.jpg"),
    "supplemental cut, counter": ("Screenshot_20240103-111111_Instagram_2(1).jpg",
                                  "Screenshot_20240103-111111_Instagram_2.jpg.sup(1).json",
                                  "Screenshot_20240103-111111_Instagram_2.jpg"),
    "name cut": ("original_1f8a9c0e7d6b5a4f3e2d1c0b9a8f7e6d5c4b3a29.jpg",
                 "original_1f8a9c0e7d6b5a4f3e2d1c0b9a8f7e6d5c4b3.json",
                 "original_1f8a9c0e7d6b5a4f3e2d1c0b9a8f7e6d5c4b3a29.jpg"),
    "name cut, media cut too, counter": ("Screenshot_2022-04-21_abb9c8060a0a1(1).jpg",
                                         "Screenshot_2022-04-21_abb9c8060a0a(1).json",
                                         "Screenshot_2022-04-21_abb9c8060a0a12c5ac89e934e52a2f4f.jpg"),
    "no extension in the title": ("03.03.13 - 1.jpg", "03.03.13 - 1.json", "03.03.13 - 1"),
}


def build_folder(root: Path, files: dict[str, bytes | str]) -> Path:
    folder = root / "Takeout" / "Google Photos" / "Photos from 2024"
    folder.mkdir(parents=True)
    for name, content in files.items():
        (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    return root


def test_sidecar_name_variants(tmp_path):
    files: dict[str, bytes | str] = {}
    for index, (media, side, title) in enumerate(NAME_CASES.values()):
        files[media] = jpeg_bytes((index * 20, 80, 40))
        files[side] = sidecar(title, f"case{index}")
    items, errors = collect(build_folder(tmp_path, files))
    assert errors == []
    got = {Path(item.media_name).name: Path(item.extra.get("sidecar", "")).name for item in items}
    assert got == {media: side for media, side, _ in NAME_CASES.values()}
    assert all(item.origin is not None for item in items)


@pytest.mark.parametrize("suffix", ["-edited", "-bearbeitet", "-modifié", "-편집됨", "-ha editado"])
def test_localised_edited_copies_share_their_originals_sidecar(suffix, tmp_path):
    files = {
        "IMG_0001.jpg": jpeg_bytes(),
        f"IMG_0001{suffix}.jpg": jpeg_bytes((10, 10, 200)),
        "IMG_0001.jpg.supplemental-metadata.json": sidecar("IMG_0001.jpg", "original"),
        "IMG-20240101-WA0001.jpg": jpeg_bytes((10, 200, 10)),  # a dash, but digits follow: not an edit
        "IMG.jpg.json": sidecar("IMG.jpg", "other"),
    }
    items, errors = collect(build_folder(tmp_path, files))
    named = {Path(item.media_name).name: item for item in items}
    assert errors == []
    assert named[f"IMG_0001{suffix}.jpg"].url == named["IMG_0001.jpg"].url == PHOTOS_URL + "original"
    assert named[f"IMG_0001{suffix}.jpg"].extra["edited_copy_of"] == "IMG_0001.jpg"
    assert named["IMG-20240101-WA0001.jpg"].url is None


def test_a_cut_name_needs_a_title_that_agrees(tmp_path):
    files = {
        "holiday_in_jeju_with_the_whole_family_2019_day1.jpg": jpeg_bytes(),
        "holiday_in_jeju_with_the_whole_family_2019_day2.jpg": jpeg_bytes((10, 10, 200)),
        # cut to 46 characters: the start of both names; the title says which one it is
        "holiday_in_jeju_with_the_whole_family_2019_da.json": sidecar(
            "holiday_in_jeju_with_the_whole_family_2019_day2.jpg", "day2"),
    }
    named = {Path(i.media_name).name: i for i in collect(build_folder(tmp_path, files))[0]}
    assert named["holiday_in_jeju_with_the_whole_family_2019_day2.jpg"].url == PHOTOS_URL + "day2"
    assert named["holiday_in_jeju_with_the_whole_family_2019_day1.jpg"].url is None
    assert len(named) == 2  # the sidecar found its file: no item for a missing one


def test_decomposed_file_names_match_composed_titles(tmp_path):
    """macOS writes names decomposed (NFD); the title inside the sidecar is composed."""
    title = "Café_à_Séoul_avec_les_amis_de_luniversité_2019.jpg"
    media = unicodedata.normalize("NFD", title)
    files = {media: jpeg_bytes(), (media + ".supplemental-metadata")[:46] + ".json": sidecar(title, "nfd")}
    (item,) = collect(build_folder(tmp_path, files))[0]
    assert item.url == PHOTOS_URL + "nfd" and item.origin is not None


# --- copies of one photo, and who can see it --------------------------------------------------------


def sidecar_of(title: str, url: str, taken: str = "1699990000", **more) -> str:
    return json.dumps({"title": title, "photoTakenTime": {"timestamp": taken}, "url": url, **more})


def album_folder(root: Path, name: str, files: dict[str, bytes | str], access: str = "protected") -> None:
    folder = root / "Takeout" / "Google Photos" / name
    folder.mkdir(parents=True)
    (folder / "metadata.json").write_text(json.dumps({"title": name, "access": access, "date": {"timestamp": "1"}}))
    for file_name, content in files.items():
        (folder / file_name).write_bytes(content if isinstance(content, bytes) else content.encode())


def test_distinct_photos_sharing_a_url_stay_distinct(tmp_path):
    """Redacted or repeated urls: the same url on photos whose bytes, names or times differ."""
    redacted = PHOTOS_URL + "REDACTED"
    build_folder(tmp_path, {
        "IMG_0001.jpg": jpeg_bytes((200, 0, 0)), "IMG_0001.jpg.json": sidecar_of("IMG_0001.jpg", redacted),
        "IMG_0002.jpg": jpeg_bytes((0, 200, 0)), "IMG_0002.jpg.json": sidecar_of("IMG_0002.jpg", redacted),
    })
    # Same name and url as the first, in an album: another photo taken at another time.
    album_folder(tmp_path, "Trip", {"IMG_0001.jpg": jpeg_bytes((0, 0, 200)),
                                    "IMG_0001.jpg.json": sidecar_of("IMG_0001.jpg", redacted, taken="1600000000")})
    items, errors = collect(tmp_path)
    assert errors == []
    assert sorted(i.media_name for i in items) == ["Photos from 2024/IMG_0001.jpg", "Photos from 2024/IMG_0002.jpg",
                                                  "Trip/IMG_0001.jpg"]
    assert {i.url for i in items} == {redacted}


def test_album_copies_merge_on_the_same_bytes_or_the_same_title_time_and_size(tmp_path):
    photo = jpeg_bytes((10, 120, 200))
    build_folder(tmp_path, {
        "IMG_0001.jpg": photo, "IMG_0001.jpg.json": sidecar_of("IMG_0001.jpg", PHOTOS_URL + "a"),
        "IMG_0002.jpg": b"A" * 64, "IMG_0002.jpg.json": sidecar_of("IMG_0002.jpg", PHOTOS_URL + "b"),
    })
    album_folder(tmp_path, "Trip", {
        # the same bytes, though its url differs (redacted) and its sidecar has no time
        "IMG_0001.jpg": photo, "IMG_0001.jpg.json": json.dumps({"title": "IMG_0001.jpg", "creationTime": {}}),
        # other bytes of the same size, with the same title and capture time: the same photo
        "IMG_0002.jpg": b"B" * 64, "IMG_0002.jpg.json": sidecar_of("IMG_0002.jpg", PHOTOS_URL + "c"),
    })
    items, errors = collect(tmp_path)
    assert errors == []
    assert {i.media_name: i.extra["albums"] for i in items} == {"Photos from 2024/IMG_0001.jpg": ["Trip"],
                                                                "Photos from 2024/IMG_0002.jpg": ["Trip"]}


def test_the_library_is_private_unless_the_export_shows_sharing(tmp_path):
    build_folder(tmp_path, {
        "own.jpg": jpeg_bytes((200, 0, 0)), "own.jpg.json": sidecar_of("own.jpg", PHOTOS_URL + "own"),
        "given.jpg": jpeg_bytes((0, 200, 0)),
        "given.jpg.json": sidecar_of("given.jpg", PHOTOS_URL + "given", googlePhotosOrigin={"fromSharedAlbum": {}}),
    })
    album_folder(tmp_path, "Family", {"album.jpg": jpeg_bytes((0, 0, 200)),
                                      "album.jpg.json": sidecar_of("album.jpg", PHOTOS_URL + "album")}, access="shared")
    seen = {Path(i.media_name).name: i.audience for i in collect(tmp_path)[0]}
    assert seen == {"own.jpg": ONLY_YOU, "given.jpg": None, "album.jpg": None}  # None: the export does not say
    assert all(i.audience == ONLY_YOU for i in collect(EN_2024)[0] + collect(FR_2019)[0])


# --- zip and folder --------------------------------------------------------------------------------


def write_zip(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, "Takeout/" + path.relative_to(folder).as_posix())
    return target


def comparable(item: Item | ItemError) -> dict:
    """An item as the zip gives it, without where its bytes are read from."""
    fields = dataclasses.asdict(item)
    fields["source_item"] = "Takeout/" + item.source_item
    if isinstance(item, Item):
        fields["origin"] = item.origin is not None
        if "sidecar" in item.extra:
            fields["extra"]["sidecar"] = "Takeout/" + item.extra["sidecar"]
    return fields


@pytest.mark.parametrize("export", [EN_2024, FR_2019], ids=lambda p: p.parent.name)
def test_zip_and_folder_give_the_same_items(export, tmp_path):
    folder_items, folder_errors = collect(export)
    zip_path = write_zip(export, tmp_path / "takeout-20241020T101500Z-001.zip")
    zip_items, zip_errors = collect(zip_path)
    assert [dataclasses.asdict(e) for e in zip_errors] == [comparable(e) for e in folder_errors]
    assert [dataclasses.asdict(i) | {"origin": i.origin is not None} for i in zip_items] == [
        comparable(i) for i in folder_items
    ]
    for zipped, unzipped in zip(zip_items, folder_items):
        if zipped.origin:
            assert zipped.origin.path == str(zip_path.resolve()) and zipped.origin.member == zipped.source_item
            assert read_origin(zipped.origin) == read_origin(unzipped.origin)


# --- bad input -------------------------------------------------------------------------------------


def test_a_malformed_sidecar_is_an_error_and_its_photo_is_still_inventoried(tmp_path):
    export = shutil.copytree(EN_2024, tmp_path / "export")
    broken = export / "Google Photos" / "Photos from 2023" / "VID_20231011_190512.mp4.supplemental-metadata.json"
    broken.write_text('{\n  "title": "VID_20231011_190512.mp4"\n  "description": ""\n}\n', encoding="utf-8")
    items, errors = collect(export)
    assert [(e.source_item.split("/")[-1], e.message.split(":")[0]) for e in errors if e.stage != "skip"] == [
        ("VID_20231011_190512.mp4.supplemental-metadata.json", "not valid JSON at line 3 column 3")
    ]
    video = by_name(items)["Photos from 2023/VID_20231011_190512.mp4"]
    assert video.origin is not None and video.url is None and video.posted_at is None
    assert len(items) == len(EN_2024_ITEMS)


def test_bad_fields_are_named_and_the_rest_is_read(tmp_path):
    doc = {
        "title": "IMG_0001.jpg",
        "description": "Seoul Forest",
        "creationTime": {"timestamp": "yesterday"},
        "photoTakenTime": {"timestamp": "1699990000"},
        "geoData": "37.54, 127.04",
        "geoDataExif": {"latitude": 137.5, "longitude": 127.04},
        "url": PHOTOS_URL + "bad",
    }
    files = {"IMG_0001.jpg": jpeg_bytes(), "IMG_0001.jpg.json": json.dumps(doc)}
    items, errors = collect(build_folder(tmp_path, files))
    assert [(Path(e.source_item).name, e.message.split(" ")[1]) for e in errors] == [
        ("IMG_0001.jpg.json", "'geoData'"),
        ("IMG_0001.jpg.json", "'geoDataExif.latitude'"),
        ("IMG_0001.jpg.json", "'creationTime.timestamp'"),
    ]
    (item,) = items
    assert item.caption == "Seoul Forest" and item.posted_at is None and item.lat is None
    assert item.extra["taken_at"] == "2023-11-14T19:26:40+00:00"


def test_other_json_and_files_are_noted_as_skipped(tmp_path):
    files = {
        "IMG_0001.jpg": jpeg_bytes(),
        "IMG_0001.jpg.json": sidecar("IMG_0001.jpg", "one"),
        "print-subscriptions.json": json.dumps({"subscriptions": []}),
        "desktop.ini": "[.ShellClassInfo]",
    }
    items, errors = collect(build_folder(tmp_path, files))
    assert len(items) == 1
    assert sorted((Path(e.source_item).name, e.stage) for e in errors) == [
        ("desktop.ini", "skip"), ("print-subscriptions.json", "skip")
    ]


def test_a_path_that_is_not_a_takeout_is_unusable(tmp_path):
    (tmp_path / "holiday.jpg").write_bytes(jpeg_bytes())
    with pytest.raises(InputError, match="no Google Photos sidecar JSON"):
        collect(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        collect(tmp_path / "missing.zip")


def test_refused_zip_members_are_reported(tmp_path):
    target = tmp_path / "takeout.zip"
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("Takeout/Google Photos/Photos from 2024/IMG_0001.jpg", jpeg_bytes())
        archive.writestr("Takeout/Google Photos/Photos from 2024/IMG_0001.jpg.json", sidecar("IMG_0001.jpg", "one"))
        archive.writestr("../../.bashrc", "echo owned")
    items, errors = collect(target)
    assert [(e.source_item, "escapes" in e.message) for e in errors] == [("../../.bashrc", True)]
    assert [i.url for i in items] == [PHOTOS_URL + "one"]
