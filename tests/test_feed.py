"""The feed source against recorded feeds: Naver Blog RSS, Tistory RSS and a Jekyll Atom feed."""

from __future__ import annotations

from pathlib import Path

import pytest
import responses

from audit.config import Account
from audit.errors import InputError, ProofError, UnsafeInputError
from audit.inventory.archive import read_origin
from audit.sources.feed import FeedSource, parse_feed
from audit.sources.readers.html_images import web_time

from .conftest import FIXTURES
from .test_website import IMG_4012 as GRADUATION
from .test_website import PROFILE as NAVER_PROFILE
from .test_website import SUNSET, TISTORY_PROFILE, TOKEN, run

FEEDS = FIXTURES / "http" / "feed"
HOME = FIXTURES / "http" / "website" / "plain" / "index.html"  # the Atom feed's home page, with the token
NAVER_FEED = "https://rss.blog.naver.com/minji_k.xml"
BLOGTHUMB = "https://blogthumb.pstatic.net"
CHERRY = (
    "/MjAyNDA0MDZfMjIg/MDAxNzEyMzg0NTY3ODkw.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefgh.JPEG.minji_k/"
    "KakaoTalk_20240406_152233.jpg"
)
TISTORY_FEED = "https://minji-log.tistory.com/rss"
KAKAO = "https://blog.kakaocdn.net/dn"
ALBUM = f"{KAKAO}/dEfGhI/btsG9x8y7z6/A1b2C3d4E5f6G7h8I9j0K1/img.jpg"
SITE = "https://minji.example"
ATOM_FEED = f"{SITE}/feed.xml"


def serve(http, url: str, name: str, content_type: str = "image/jpeg", **options):
    http.add(responses.GET, url, body=(FEEDS / name).read_bytes(), content_type=content_type, **options)


def serve_naver(http):
    serve(http, NAVER_FEED, "naver_minji_k.xml", "text/xml;charset=UTF-8")
    serve(http, BLOGTHUMB + GRADUATION, "naver_IMG_4012_thumb.JPG")
    serve(http, BLOGTHUMB + CHERRY, "naver_cherry.jpg")
    serve(http, NAVER_PROFILE, "naver_profile.png", "image/png")


def serve_tistory(http):
    serve(http, TISTORY_FEED, "tistory_rss.xml", "application/rss+xml; charset=utf-8")
    serve(http, SUNSET, "tistory_jeju_sunset.jpg")
    serve(http, ALBUM, "tistory_graduation.jpg")
    serve(http, TISTORY_PROFILE, "tistory_profile.png", "image/png")


def serve_atom(http):
    serve(http, ATOM_FEED, "atom_feed.xml", "application/atom+xml")
    http.add(responses.GET, f"{SITE}/", body=HOME.read_bytes(), content_type="text/html; charset=utf-8")
    for name in ("grad-1600.jpg", "friends.jpg", "jeju.jpg", "jeju-map.png"):
        serve(http, f"{SITE}/img/{name}", f"atom_{name}")


def collect(url: str, token: str = TOKEN, proven_before: bool = False):
    source = FeedSource(Account(platform="feed", url=url))
    items, errors, _ = run(source, token, proven_before)
    return source, items, errors


def requested(http) -> list[str]:
    return [call.request.url for call in http.calls]


def test_declared_as_a_live_source_located_by_url():
    assert FeedSource.name == "feed" and FeedSource.needs == "url" and FeedSource.live


def test_naver_rss(http):
    serve_naver(http)
    source, items, errors = collect(NAVER_FEED)
    assert source.proof_seen and errors == []  # the token is in the channel description
    profile, graduation, cherry = items
    assert (profile.kind, profile.media_name, profile.post_id) == ("profile_photo", NAVER_PROFILE, None)
    assert graduation.media_name == BLOGTHUMB + GRADUATION  # ?type=s3 dropped
    assert graduation.post_id == graduation.url == "https://blog.naver.com/minji_k/223456789012"  # the clean guid
    assert graduation.posted_at_utc() == "2024-05-12T05:03:00Z"  # 14:03 +0900
    assert graduation.caption == (
        "졸업식 다녀왔어요\n드디어 졸업! 한빛고등학교 3학년 2반 친구들이랑 마지막으로 찍은 사진들 #졸업식 #한빛고 #졸업\n"
        "#일상 #졸업식 #한빛고 #졸업"
    )
    assert cherry.posted_at_utc() == "2024-04-06T09:22:09Z"
    assert cherry.caption.startswith("벚꽃 보러 여의도 & 석촌호수\n올해도 벚꽃 구경.")
    assert read_origin(cherry.origin) == (FEEDS / "naver_cherry.jpg").read_bytes()
    assert not any("type=" in url for url in requested(http))


def test_tistory_rss_with_escaped_html(http):
    serve_tistory(http)
    source, items, errors = collect(TISTORY_FEED)
    assert source.proof_seen and errors == []  # the token is in the channel description
    assert [(i.kind, i.media_name) for i in items] == [
        ("profile_photo", TISTORY_PROFILE), ("post", SUNSET), ("post", ALBUM)]
    sunset, album = items[1:]
    assert sunset.post_id == sunset.url == "https://minji-log.tistory.com/42"
    assert sunset.posted_at_utc() == "2024-05-12T12:30:00Z"
    assert sunset.caption.startswith("제주 여행 둘째 날\n둘째 날은 협재 해수욕장!\n협재 해수욕장 노을\n숙소는 한림읍")
    assert sunset.caption.endswith("#여행 #제주 #협재해수욕장")
    assert album.caption == "졸업 사진 정리\n졸업 앨범 사진 몇 장.\n#일상" and album.extra == {"alt": "졸업 앨범"}
    assert album.posted_at_utc() == "2024-02-16T11:05:00Z"
    assert not any("daumcdn.net/thumb" in url for url in requested(http))  # the srcset thumbnail is the same original


def test_atom_feed_with_proof_on_its_home_page(http):
    serve_atom(http)
    source, items, errors = collect(ATOM_FEED)
    assert source.proof_seen  # the feed has no token; the home page's meta tag has it
    assert requested(http)[:2] == [ATOM_FEED, f"{SITE}/"]
    by_name = {i.media_name.rsplit("/", 1)[1]: i for i in items}
    assert list(by_name) == ["grad-1600.jpg", "friends.jpg", "jeju.jpg", "jeju-map.png"]  # thumbnail and content once
    grad = by_name["grad-1600.jpg"]
    assert grad.post_id == f"{SITE}/posts/graduation" and grad.url == f"{SITE}/posts/graduation/"
    assert grad.posted_at_utc() == "2024-02-16T02:20:00Z"
    assert grad.caption == "졸업했어요!\n드디어 고등학교 졸업. 3년 동안 고마웠어요.\n친구들이랑도 찍었어요.\n#일상 #졸업\n졸업식 날 한빛고등학교 정문에서"
    assert by_name["friends.jpg"].media_name == f"{SITE}/img/friends.jpg"  # ../../ against xml:base
    jeju = by_name["jeju.jpg"]
    assert jeju.caption == "제주 여행\n협재 해수욕장에서 본 노을"  # the alt text "노을" is already in it
    assert jeju.extra == {"alt": "노을"} and jeju.posted_at_utc() == "2023-08-03T09:00:00Z"
    assert by_name["jeju-map.png"].post_id == f"{SITE}/posts/jeju"  # an image enclosure
    assert not any("waves.mp3" in url or "other.example" in url for url in requested(http))
    assert [(e.stage, e.source_item) for e in errors] == [("skip", f"{ATOM_FEED} item 2")]


def test_unproven_feed_is_refused_before_any_image(http):
    serve_atom(http)
    with pytest.raises(ProofError, match="photo-audit-verify-0000000000") as refused:
        collect(ATOM_FEED, token="photo-audit-verify-0000000000")
    assert "the blog of https://minji.example/feed.xml" in refused.value.message
    assert requested(http) == [ATOM_FEED, f"{SITE}/"]


def test_proven_before_reads_the_feed_without_the_token(http):
    serve_naver(http)
    source, items, _ = collect(NAVER_FEED, token="photo-audit-verify-0000000000", proven_before=True)
    assert len(items) == 3 and not source.proof_seen


def test_a_home_page_on_another_host_is_not_asked(http):
    serve_naver(http)  # the channel links to blog.naver.com, not the feed's host
    with pytest.raises(ProofError):
        collect(NAVER_FEED, token="photo-audit-verify-0000000000")
    assert requested(http) == [NAVER_FEED]


def test_a_rerun_reads_images_from_the_cache(http, cache):
    serve_tistory(http)
    _, first, _ = collect(TISTORY_FEED)
    http.calls.reset()
    _, second, _ = collect(TISTORY_FEED)
    assert requested(http) == [TISTORY_FEED]
    assert [i.origin for i in second] == [i.origin for i in first]
    assert {p.suffix for p in (cache / "feed" / "minji-log.tistory.com").iterdir()} == {".jpg", ".png"}


def test_an_image_that_is_not_an_image_is_an_error_and_not_cached(http, cache):
    http.add(responses.GET, NAVER_FEED, body=(FEEDS / "naver_minji_k.xml").read_bytes())
    http.add(responses.GET, BLOGTHUMB + GRADUATION, body=b"<html><body>403 Forbidden</body></html>")
    serve(http, BLOGTHUMB + CHERRY, "naver_cherry.jpg")
    http.add(responses.GET, NAVER_PROFILE, status=404)
    _, items, errors = collect(NAVER_FEED)
    assert [i.media_name for i in items] == [BLOGTHUMB + CHERRY]
    assert [(e.source_item, e.message.split(": ", 1)[1]) for e in errors] == [
        (NAVER_FEED, "HTTP 404 Not Found"),
        (f"{NAVER_FEED} item 0", "not an image Pillow can read (content is HTML)"),
    ]
    assert len(list((cache / "feed" / "rss.blog.naver.com").iterdir())) == 1


@pytest.mark.parametrize(
    "body, error, message",
    [
        (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><rss>&b;</rss>',
         UnsafeInputError, "declares XML entities"),
        (b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel>&x;</channel></rss>',
         UnsafeInputError, "declares XML entities"),
        (b"<!DOCTYPE html><html><body>Not here</body></html>", InputError, "not an RSS 2.0 or Atom feed"),
        (b"<html><body>Not here<br></body></html>", InputError, "not a readable feed: mismatched tag"),
        (b'<rss version="2.0"><channel><item><title>cut off', InputError, "line 1, column"),
    ],
)
def test_documents_that_are_not_feeds_stop_the_account(http, body, error, message):
    http.add(responses.GET, NAVER_FEED, body=body)
    with pytest.raises(error, match=message):
        collect(NAVER_FEED)
    assert requested(http) == [NAVER_FEED]


def test_blank_lines_before_the_declaration_are_forgiven(http):
    http.add(responses.GET, NAVER_FEED, body=b"\n\n" + (FEEDS / "naver_minji_k.xml").read_bytes())
    serve(http, BLOGTHUMB + GRADUATION, "naver_IMG_4012_thumb.JPG")
    serve(http, BLOGTHUMB + CHERRY, "naver_cherry.jpg")
    serve(http, NAVER_PROFILE, "naver_profile.png", "image/png")
    assert len(collect(NAVER_FEED)[1]) == 3


def test_web_times_keep_their_zone_or_are_dropped():
    assert web_time("Sun, 12 May 2024 14:03:00 +0900").isoformat() == "2024-05-12T14:03:00+09:00"
    assert web_time("2024-05-12T14:03:00Z").utcoffset().total_seconds() == 0
    assert web_time("2024-05-12T14:03:00") is None  # no zone: a guess would be off by up to a day
    assert web_time("Sun, 12 May 2024 14:03:00 -0000") is None
    assert web_time("어제") is None and web_time(None) is None


def test_deeply_nested_xhtml_keeps_its_text():
    nested = b"<b>" * 5000 + b"x" + b"</b>" * 5000
    deep = (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><content type="xhtml">'
            b'<div xmlns="http://www.w3.org/1999/xhtml">' + nested + b"</div></content></entry></feed>")
    assert parse_feed(deep, ATOM_FEED).entries[0].html == "x"


def test_a_cache_that_cannot_be_written_is_an_error_per_image(http, monkeypatch):
    serve_naver(http)

    def disk_full(self, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", disk_full)
    _, items, errors = collect(NAVER_FEED)
    assert items == [] and len(errors) == 3
    assert all("cannot keep a downloaded image" in e.message and "No space left" in e.message for e in errors)


# --- proof of control only the owner can give ----------------------------------------------------------------------


def rss(description: str, item: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>민지의 기록</title>'
            f"<link>{SITE}/</link><description>{description}</description>{item}</channel></rss>").encode()


def test_a_token_in_an_item_or_on_the_home_pages_body_proves_nothing(http):
    """A comment feed's entry and a visitor's comment on the home page, both carrying the token."""
    comment = f"<item><title>댓글</title><link>{SITE}/42#comment</link><description>저도요 {TOKEN}</description></item>"
    http.add(responses.GET, ATOM_FEED, body=rss("일상과 여행", comment))
    http.add(responses.GET, f"{SITE}/", content_type="text/html",
             body=f"<html><head><title>민지</title></head><body><p class='comment'>{TOKEN}</p></body></html>")
    with pytest.raises(ProofError):
        collect(ATOM_FEED)
    assert requested(http) == [ATOM_FEED, f"{SITE}/"]


def test_a_feed_echoing_a_double_encoded_token_in_its_address_proves_nothing(http):
    """A search feed that decodes its query twice and puts it in its own description."""
    search = f"{SITE}/search/feed?q=%2570hoto-audit-verify-5f3a9c1e27"
    http.add(responses.GET, search, body=rss(f"Results for {TOKEN}"))
    with pytest.raises(ProofError):
        collect(search)


def test_a_feed_redirected_out_of_its_own_path_is_not_read(http):
    minji, mallory = f"{SITE}/~minji/feed.xml", f"{SITE}/~mallory/feed.xml"
    http.add(responses.GET, minji, status=301, headers={"Location": mallory})
    http.add(responses.GET, mallory, body=rss(TOKEN))
    with pytest.raises(InputError, match="~mallory/feed.xml: refused, outside the account's own pages"):
        collect(minji)
    assert requested(http) == [minji]


@pytest.mark.parametrize("feed", [
    rss(f"일상과 여행. {TOKEN}"),
    f'<feed xmlns="http://www.w3.org/2005/Atom"><title>민지</title><subtitle>{TOKEN}</subtitle></feed>'.encode(),
])
def test_the_token_in_the_feeds_own_description_proves_control(http, feed):
    http.add(responses.GET, ATOM_FEED, body=feed)
    assert collect(ATOM_FEED)[0].proof_seen
    assert requested(http) == [ATOM_FEED]  # the home page is not needed
