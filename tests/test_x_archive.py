"""The x-archive source: both real sample archives, the older tweet.js layout with geotags, zip and folder,
and broken input."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import pytest

from audit.config import Account
from audit.errors import InputError
from audit.inventory.archive import read_origin
from audit.models import ANYONE, FOLLOWERS, Item, ItemError
from audit.sources.x_archive import XArchiveSource

from .conftest import FIXTURES, comparable, jpeg_bytes, write_zip

FORMATS = FIXTURES / "formats"
MILAHU = FORMATS / "x_twitter_archive_2026_milahu104"
SIMONW = FORMATS / "x_twitter_archive_2019_twitter-to-sqlite_fixtures" / "tests" / "zip_contents"
HANDMADE = FORMATS / "x_twitter_archive_2019_tweet_js_handmade"
TOP_FOLDER = "twitter-2026-03-06-4c5f0e1b"

RETWEET, ORIGINAL = "2011423930486304864", "2011423903110013235"


def collect(path: Path, handle: str | None = None) -> tuple[list[Item], list[ItemError]]:
    entries = list(XArchiveSource(Account(platform="x-archive", path=path, handle=handle)).items())
    items = [e for e in entries if isinstance(e, Item)]
    errors = [e for e in entries if isinstance(e, ItemError)]
    assert len(items) + len(errors) == len(entries)
    return items, errors


def failures(errors: list[ItemError]) -> list[ItemError]:
    """The errors, without the notes about what was passed over on purpose."""
    return [e for e in errors if e.stage != "skip"]


def tweets_by_id(items: list[Item]) -> dict[str, Item]:
    """The first media item of each tweet."""
    named: dict[str, Item] = {}
    for item in items:
        if item.kind != "profile_photo":
            named.setdefault(item.post_id, item)
    return named


def copy_archive(source: Path, tmp_path: Path) -> Path:
    return shutil.copytree(source, tmp_path / "archive")


def js(type_: str, records: list, part: int = 0) -> str:
    return f"window.YTD.{type_}.part{part} = " + json.dumps(records, indent=2, separators=(",", " : "))


def test_declared():
    assert XArchiveSource.name == "x-archive" and XArchiveSource.needs == "path" and not XArchiveSource.live
    assert XArchiveSource.description


# --- the 2026 sample (milahu104) -------------------------------------------------------------------

MILAHU_TWEETS = {
    # post id: (posted_at, caption, tagged users, media file, media type)
    "2011883284482207917": (
        "2026-01-15T19:28:48Z",
        "ein #RechterTerroranschlag auf die infrastruktur würde so aussehen: die rechten terroristen trennen große "
        "gasverbraucher vom gasnetz, damit die energieversorgung für kleine verbraucher stabil bleibt über den "
        "winter. kein schadensersatz für große gasverbraucher weil höhere gewalt",
        [],
        "2011883284482207917-G-ulHZgW0AE_yfP.mp4",
        "video",
    ),
    ORIGINAL: (
        "2026-01-14T13:03:23Z",
        "@marcfriedrich @TheLaurenChen A shrink can help! #degrowth",
        ["marcfriedrich", "TheLaurenChen"],
        f"{ORIGINAL}-G-oDX-SWsAEpwPL.jpg",
        "image",
    ),
    "2009609488027070672": (
        "2026-01-09T12:53:33Z",
        "@DudespostingWs are you coming to bed? - no, someone is wrong on the internet. #dutycalls #xkcd",
        ["DudespostingWs"],
        "2009609488027070672-G-ORHopX0AExj6w.png",
        "image",
    ),
}


def test_sample_2026_every_tweet_and_photo():
    items, errors = collect(MILAHU)
    assert failures(errors) == []
    tweets = tweets_by_id(items)
    assert set(tweets) == set(MILAHU_TWEETS) and len(items) == len(MILAHU_TWEETS) + 1  # and the profile picture
    for post_id, (posted_at, caption, tagged, media_file, media_type) in MILAHU_TWEETS.items():
        item = tweets[post_id]
        assert (item.kind, item.posted_at_utc(), item.caption, item.tagged_users) == ("post", posted_at, caption, tagged)
        assert (item.media_name, item.media_type) == (f"data/tweets_media/{media_file}", media_type)
        assert (item.lat, item.lon, item.location_name) == (None, None, None)
        assert item.url == f"https://x.com/milahu104/status/{post_id}" and item.extra["handle"] == "milahu104"
        if item.origin is not None:
            assert read_origin(item.origin) == (MILAHU / item.media_name).read_bytes()


def test_animated_gif_without_its_mp4_keeps_the_tweet_with_no_file():
    gif = tweets_by_id(collect(MILAHU)[0])["2011883284482207917"]
    assert gif.origin is None and gif.media_type == "video"
    assert gif.media_name.endswith("-G-ulHZgW0AE_yfP.mp4")  # named after the variant URL, not the thumbnail
    assert gif.posted_at_utc() == "2026-01-15T19:28:48Z" and gif.caption.startswith("ein #RechterTerroranschlag")


def test_profile_picture_with_bio_and_location():
    (profile,) = [i for i in collect(MILAHU)[0] if i.kind == "profile_photo"]
    assert profile.origin is None and profile.media_name == "data/profile_media/wV6HLEPt.jpg"  # not in the sample
    assert profile.url == "https://x.com/milahu104" and profile.location_name == "Munich, Germany"
    assert profile.caption.startswith("shadowbanned → https://t.co/dzymudWRGp\nbuying attention")


def test_retweet_copy_counts_once():
    media = MILAHU / "data" / "tweets_media"
    copy, original = media / f"{RETWEET}-G-oDX-SWsAEpwPL.jpg", media / f"{ORIGINAL}-G-oDX-SWsAEpwPL.jpg"
    assert copy.read_bytes() == original.read_bytes()  # the retweet's own byte-identical copy
    items, errors = collect(MILAHU)
    shared = [i for i in items if i.extra.get("media_id") == "2011423893966204929"]
    assert [(i.post_id, i.kind) for i in shared] == [(ORIGINAL, "post")]  # the retweet comes first in tweets.js
    assert RETWEET not in {i.post_id for i in items}
    (note,) = [e for e in errors if e.stage == "skip"]
    assert note.source_item == "data/tweets.js record 1" and f"tweet {ORIGINAL}" in note.message


def test_retweet_whose_original_is_not_in_the_archive_is_inventoried_once(tmp_path):
    archive = copy_archive(MILAHU, tmp_path)
    tweets_js = archive / "data" / "tweets.js"
    records = json.loads(tweets_js.read_text(encoding="utf-8").split("=", 1)[1])
    tweets_js.write_text(js("tweets", [r for r in records if r["tweet"]["id_str"] != ORIGINAL]), encoding="utf-8")
    items, errors = collect(archive)
    assert errors == []
    (retweet,) = [i for i in items if i.extra.get("media_id") == "2011423893966204929"]
    assert (retweet.kind, retweet.post_id, retweet.extra["retweet_of"]) == ("retweet", RETWEET, ORIGINAL)
    assert retweet.origin.path.endswith(f"{RETWEET}-G-oDX-SWsAEpwPL.jpg")
    assert retweet.caption == "RT @milahu104: @marcfriedrich @TheLaurenChen A shrink can help! #degrowth"
    assert retweet.tagged_users == ["marcfriedrich", "TheLaurenChen"]  # the account's own handle left out


# --- who can see the tweets: protected-history.js -------------------------------------------------


def protection(*changes: tuple[str, str]) -> list:
    """protected-history.js records, shaped as in real archives (X's README: the last six months)."""
    return [{"protectedHistory": {"protectedAt": at, "action": action}} for at, action in changes]


@pytest.mark.parametrize(
    "changes, audience",
    [
        (protection(("2024-10-19T05:42:07.000Z", "Protect"), ("2024-12-08T06:19:00.000Z", "Unprotect")), ANYONE),
        (protection(("2024-12-08T06:19:00.000Z", "Protect"), ("2024-10-19T05:42:07.000Z", "Unprotect")), FOLLOWERS),
        ([], None),  # no change in six months: the archive does not say
    ],
    ids=["unprotected last", "protected last, listed first", "empty"],
)
def test_the_latest_protection_change_says_who_sees_the_tweets(changes, audience, tmp_path):
    archive = copy_archive(MILAHU, tmp_path)
    (archive / "data" / "protected-history.js").write_text(js("protected_history", changes), encoding="utf-8")
    items, errors = collect(archive)
    assert failures(errors) == []
    assert {i.audience for i in items if i.kind != "profile_photo"} == {audience}
    assert all(i.audience is None for i in collect(MILAHU)[0])  # no file: the archive does not say


def test_an_unknown_protection_action_is_reported(tmp_path):
    archive = copy_archive(MILAHU, tmp_path)
    changes = protection(("2024-10-19T05:42:07.000Z", "Lock")) + [{"protectedHistory": {"action": "Protect"}}]
    (archive / "data" / "protected-history.js").write_text(js("protected_history", changes), encoding="utf-8")
    items, errors = collect(archive)
    assert [e.message for e in failures(errors)] == [
        "some protection changes have no time ('protectedAt'): they were passed over",
        "field 'action' is neither Protect nor Unprotect: 'Lock'",
    ]
    assert all(i.audience is None for i in items)


# --- the 2019 sample (twitter-to-sqlite): an account, no tweets -------------------------------------


def test_sample_2019_reads_the_handle_and_has_no_items():
    items, errors = collect(SIMONW, handle="@SimonW")  # same handle, other spelling: no mismatch
    assert items == [] and failures(errors) == []
    assert [e.message for e in errors] == ["no tweets.js or tweet.js in the archive: no tweets"]
    items, errors = collect(SIMONW, handle="someone_else")
    assert items == []
    assert [(e.source_item, e.message) for e in failures(errors)] == [
        ("accounts.toml", "handle mismatch: account.js names @simonw, accounts.toml names @someone_else; using @simonw")
    ]


def test_account_and_manifest_handles_that_differ_are_noted_and_account_js_wins(tmp_path):
    archive = copy_archive(MILAHU, tmp_path)
    manifest = archive / "data" / "manifest.js"
    manifest.write_text(manifest.read_text().replace('"userName" : "milahu104"', '"userName" : "milahu105"'))
    items, errors = collect(archive)
    assert [(e.source_item, e.message) for e in failures(errors)] == [
        ("data/manifest.js", "handle mismatch: data/account.js names @milahu104, data/manifest.js names @milahu105; "
         "using @milahu104")
    ]
    assert len(items) == 4 and all(i.url.startswith("https://x.com/milahu104") for i in items)


# --- the older tweet.js layout, built by hand -------------------------------------------------------

HANDMADE_TWEETS = {
    # post id: (kind, posted_at, caption, location_name, lat, lon, file present)
    "1124954400496226304": ("post", "2019-05-04T21:12:40Z", "한강 야경 🌉", None, None, None, True),
    "1047382010563891201": (
        "retweet", "2018-10-03T06:41:15Z", "RT @seoul_cafe_tour: 성수동 새로 생긴 카페 ☕️ 창가 자리 추천", None, None, None, True
    ),
    "786133247081193472": (
        "post", "2016-10-12T09:05:31Z", "@jiwoo_lee_ 덕수궁 돌담길 & 정동길 산책 🍂", "Jung-gu, Seoul", None, None, True
    ),
    "612983410776502272": ("post", "2015-06-22T14:30:07Z", "시험 끝!!! 🎉", None, None, None, False),
    "500751232164876288": (
        "post", "2014-08-16T20:47:42Z", "Powell's Books!! could stay here all day", "Portland, OR", 45.52312, -122.68125,
        True,
    ),
    "498822917093937152": ("post", "2014-08-11T13:05:18Z", "Big Ben 🇬🇧", None, 51.5007, -0.1246, True),
    "497041262310653953": ("post", "2014-08-06T15:05:37Z", "Brandenburger Tor", None, 52.51628, 13.3777, True),
}


def test_tweet_js_every_tweet_with_media():
    items, errors = collect(HANDMADE)
    assert errors == []
    tweets = [i for i in items if i.kind != "profile_photo"]
    assert {i.post_id for i in tweets} == set(HANDMADE_TWEETS)  # the text-only tweet gives nothing
    for item in tweets:
        kind, posted_at, caption, place, lat, lon, present = HANDMADE_TWEETS[item.post_id]
        assert (item.kind, item.posted_at_utc(), item.caption, item.location_name) == (kind, posted_at, caption, place)
        assert (item.lat, item.lon) == (lat, lon)
        assert (item.origin is not None) == present
        assert item.media_name.startswith(f"tweet_media/{item.post_id}-")
        assert item.url == f"https://x.com/minjikim_93/status/{item.post_id}"
    assert len(tweets) == 8  # the 2016 tweet has two photos, both with the tweet's place and caption
    assert [i.tagged_users for i in tweets if i.post_id == "786133247081193472"] == [["jiwoo_lee_"]] * 2


@pytest.mark.parametrize(
    "post_id, fields, lat, lon",
    [
        ("500751232164876288", "coordinates [lon, lat] and geo [lat, lon]", 45.52312, -122.68125),
        ("498822917093937152", "geo [lat, lon] only", 51.5007, -0.1246),
        ("497041262310653953", "coordinates [lon, lat] only", 52.51628, 13.3777),
    ],
)
def test_coordinates_is_lon_lat_and_geo_is_lat_lon(post_id, fields, lat, lon):
    tweet = tweets_by_id(collect(HANDMADE)[0])[post_id]
    assert (tweet.lat, tweet.lon) == (lat, lon), fields


def test_zero_zero_is_no_location():
    tweet = tweets_by_id(collect(HANDMADE)[0])["612983410776502272"]
    assert (tweet.lat, tweet.lon, tweet.location_name) == (None, None, None)


def test_video_file_is_found_by_its_variant_name_and_bitrates_are_compared_as_numbers(tmp_path):
    video = tweets_by_id(collect(HANDMADE)[0])["1124954400496226304"]
    assert video.media_type == "video" and video.origin is not None
    assert video.media_name == "tweet_media/1124954400496226304-Lp9dK2wHs6ZuN4xG.mp4"  # no "?tag=10"
    archive = copy_archive(HANDMADE, tmp_path)
    (archive / "tweet_media" / "1124954400496226304-Lp9dK2wHs6ZuN4xG.mp4").unlink()
    missing = tweets_by_id(collect(archive)[0])["1124954400496226304"]
    # "2176000" is the highest bitrate, though "832000" is the greater string
    assert missing.origin is None and missing.media_name.endswith("-Lp9dK2wHs6ZuN4xG.mp4")


def test_tweet_js_retweet_of_a_missing_original_says_whose_it_was():
    (retweet,) = [i for i in collect(HANDMADE)[0] if i.kind == "retweet"]
    assert retweet.extra["retweet_of"] == "1047380123456782336" and retweet.extra["retweeted_user"] == "seoul_cafe_tour"


def test_profile_picture_found_in_profile_media():
    (profile,) = [i for i in collect(HANDMADE)[0] if i.kind == "profile_photo"]
    assert profile.media_name == "profile_media/2873916745-Xq7PzR2k.jpg"
    assert read_origin(profile.origin) == (HANDMADE / profile.media_name).read_bytes()
    assert (profile.caption, profile.location_name) == ("연세대 17학번 📷 여행 사진", "Seoul")


# --- wrappers, parts, zip and folder ----------------------------------------------------------------


@pytest.mark.parametrize(
    "header, newline",
    [
        ("window.YTD.tweets.part0=[", "\n"),
        ("window.YTD.tweets.part0 =\r\n[", "\r\n"),
        ("\ufeffwindow.YTD.tweets.part0  =  [", "\n"),
        ("[", "\n"),
    ],
    ids=["no spaces", "crlf", "bom", "bare json"],
)
def test_wrapper_spacing_and_line_break_variants(header, newline, tmp_path):
    archive = copy_archive(MILAHU, tmp_path)
    tweets_js = archive / "data" / "tweets.js"
    body = tweets_js.read_text(encoding="utf-8").split("[", 1)[1]
    tweets_js.write_bytes((header + body.replace("\n", newline) + ";" + newline).encode("utf-8"))
    items, errors = collect(archive)
    assert failures(errors) == []
    assert comparable_all(items, str(archive.resolve())) == comparable_all(collect(MILAHU)[0], str(MILAHU.resolve()))


def extra_part(post_id: str, media_key: str) -> list:
    """A tweets-part1.js record with one photo."""
    return [
        {
            "tweet": {
                "id_str": post_id,
                "id": post_id,
                "created_at": "Mon Dec 01 08:00:00 +0000 2025",
                "full_text": "part one https://t.co/AbCdEfGhIj",
                "entities": {"user_mentions": [], "media": []},
                "extended_entities": {
                    "media": [
                        {
                            "url": "https://t.co/AbCdEfGhIj",
                            "media_url_https": f"https://pbs.twimg.com/media/{media_key}.jpg",
                            "id_str": "1995500000000000001",
                            "type": "photo",
                        }
                    ]
                },
            }
        }
    ]


def test_several_parts_are_read(tmp_path):
    archive = copy_archive(MILAHU, tmp_path)
    (archive / "data" / "tweets-part1.js").write_text(js("tweets", extra_part("1995500000000000002", "G8aBcDeFgHi"), 1))
    (archive / "data" / "tweets_media" / "1995500000000000002-G8aBcDeFgHi.jpg").write_bytes(jpeg_bytes())
    items, errors = collect(archive)
    assert failures(errors) == []
    part = tweets_by_id(items)["1995500000000000002"]
    assert (part.caption, part.posted_at_utc(), part.origin is not None) == ("part one", "2025-12-01T08:00:00Z", True)
    assert len(items) == 5


def comparable_all(items: list[Item], prefix: str) -> list[dict]:
    return [comparable(item, prefix + "/") for item in items]


@pytest.mark.parametrize("folder", [MILAHU, HANDMADE], ids=lambda f: f.name)
def test_zip_and_folder_give_the_same_items(folder, tmp_path):
    folder_items, folder_errors = collect(folder)
    zip_items, zip_errors = collect(write_zip(folder, tmp_path / "archive.zip", top=TOP_FOLDER + "/"))
    assert [dataclasses.replace(e, source_item=e.source_item.removeprefix(TOP_FOLDER + "/")) for e in zip_errors] == (
        folder_errors
    )
    assert comparable_all(zip_items, TOP_FOLDER) == comparable_all(folder_items, str(folder.resolve()))
    assert all(i.origin.path == str((tmp_path / "archive.zip").resolve()) for i in zip_items if i.origin)
    assert sum(i.origin is not None for i in zip_items) >= 2


# --- broken input -----------------------------------------------------------------------------------


def test_malformed_tweets_js_names_the_position_and_the_rest_is_read(tmp_path):
    archive = copy_archive(MILAHU, tmp_path)
    tweets_js = archive / "data" / "tweets.js"
    lines = tweets_js.read_text(encoding="utf-8").split("\n")
    broken = next(n for n, line in enumerate(lines) if '"favorite_count" : "0",' in line)
    lines[broken] = lines[broken].rstrip(",")  # the comma before "id_str" is missing
    tweets_js.write_text("\n".join(lines), encoding="utf-8")
    (archive / "data" / "tweets-part1.js").write_text(js("tweets", extra_part("1995500000000000002", "G8aBcDeFgHi"), 1))
    items, errors = collect(archive)
    column = len(lines[broken + 1]) - len(lines[broken + 1].lstrip()) + 1
    assert [(e.source_item, e.message) for e in errors] == [
        ("data/tweets.js", f"not valid JSON at line {broken + 2} column {column}: Expecting ',' delimiter")
    ]
    # account.js (the handle in the URLs), profile.js and the other part are still read
    assert [(i.kind, i.url) for i in items] == [
        ("profile_photo", "https://x.com/milahu104"),
        ("post", "https://x.com/milahu104/status/1995500000000000002"),
    ]


def test_bad_records_name_the_file_record_and_field_and_the_rest_is_read(tmp_path):
    good = extra_part("1995500000000000002", "G8aBcDeFgHi")[0]["tweet"]
    records = [
        {"tweet": {k: v for k, v in good.items() if k != "id_str"}},  # no id_str: its files cannot be named
        "not a tweet",
        {"tweet": {**{k: v for k, v in good.items() if k != "full_text"}, "id_str": "1995500000000000003",
                   "created_at": "yesterday", "text": "older tweets have text, not full_text"}},
        {**good, "id_str": "1995500000000000004", "coordinates": {"type": "Point", "coordinates": ["37.5", "126.9"]},
         "full_text": 42,
         "extended_entities": {"media": [{"type": "photo"}, {**good["extended_entities"]["media"][0],
                                                            "id_str": "4", "media_url_https": "https://x/Q.jpg"}]}},
        {"tweet": {**good, "id_str": "1995500000000000005", "geo": {"coordinates": "37.5,126.9"},
                   "full_text": "plain &lt;3 https://t.co/keep https://t.co/AbCdEfGhIj", "place": "Seoul",
                   "extended_entities": {"media": [{**good["extended_entities"]["media"][0], "id_str": "5",
                                                    "media_url_https": "https://x/R.jpg"}]}}},
    ]
    data = tmp_path / "archive" / "data"
    data.mkdir(parents=True)
    (data / "tweets.js").write_text(js("tweets", records))
    items, errors = collect(tmp_path / "archive")
    where = "data/tweets.js record "
    assert [(e.source_item.removeprefix(where), re.match(r"field '([^']+)'", e.message)[1]) for e in errors] == [
        ("0", "id_str"),
        ("1", "tweet"),
        ("2", "created_at"),
        ("3", "coordinates.coordinates"),
        ("3", "full_text"),
        ("3", "extended_entities.media[0].media_url_https"),
        ("4", "geo.coordinates"),
        ("4", "place"),
    ]
    assert [(i.post_id, i.lat, i.posted_at_utc()) for i in items] == [
        ("1995500000000000003", None, None),  # unreadable fields are left empty; the photo is still inventoried
        ("1995500000000000004", None, "2025-12-01T08:00:00Z"),  # [37.5, 126.9] read as [lon, lat]: no latitude 126.9
        ("1995500000000000005", None, "2025-12-01T08:00:00Z"),
    ]
    assert [i.caption for i in items] == [
        "older tweets have text, not full_text",
        None,
        "plain <3 https://t.co/keep",  # only the media's own link is dropped, at the end
    ]


def test_invalid_utf8_names_the_file_and_the_rest_is_read(tmp_path):
    archive = copy_archive(MILAHU, tmp_path)
    (archive / "data" / "account.js").write_bytes(b"window.YTD.account.part0 = [ \xff ]")
    items, errors = collect(archive)
    assert [(e.source_item, e.message) for e in failures(errors)] == [
        ("data/account.js", "not valid UTF-8 at byte 29")
    ]
    assert len(items) == 4 and items[1].url.startswith("https://x.com/milahu104/")  # the handle from manifest.js


def test_a_path_that_is_not_an_archive_is_unusable(tmp_path):
    (tmp_path / "holiday.jpg").write_bytes(jpeg_bytes())
    (tmp_path / "assets" / "js").mkdir(parents=True)
    (tmp_path / "assets" / "js" / "tweet.js").write_text("console.log('the viewer')")
    with pytest.raises(InputError, match="no X archive files"):
        collect(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        collect(tmp_path / "missing.zip")
