"""The website source against recorded pages: a personal site, a Naver Blog and a Tistory blog."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
import responses

from audit import proof
from audit import steps as pipeline
from audit.config import Account, load_config
from audit.errors import AuditError, InputError, ProofError
from audit.inventory.archive import read_origin
from audit.inventory.db import open_db
from audit.models import Item, ItemError
from audit.sources import SOURCES, website
from audit.sources.readers.html_images import Found, WebSource, image_urls, largest_in_srcset, original, soup_of
from audit.sources.website import Site, WebsiteSource

from .conftest import FIXTURES, write_config

PAGES = FIXTURES / "http" / "website"
TOKEN = "photo-audit-verify-5f3a9c1e27"
HTML = "text/html; charset=utf-8"
PLAIN = "https://minji.example"
NAVER = "https://blog.naver.com"
POSTFILES = "https://postfiles.pstatic.net"
IMG_4012 = "/MjAyNDA1MTJfMTc0/MDAxNzE1NDk1MDIxMjQ3.kX3FhQpT8bN2vLwYc0RmJdUs5eZa1gHi7oKq4tVx9y4g.JPEG/IMG_4012.JPG"
IMG_4015 = "/MjAyNDA1MTJfMjgx/MDAxNzE1NDk1MDIyMDEw.Qm7RwZ2pLs9TjKx4Vb1NcHy8Ue3Af6Gd0Io5Jr2Ks7Mg.JPEG/IMG_4015.JPG"
PROFILE = (
    "https://blogpfthumb-phinf.pstatic.net/MjAyMzA5MTBfMjU4/MDAxNjk0MzE4NTk0NjU4."
    "Xy1QzR9kVbA1nTqL0eKp3sWmYcUd7fGh2jIo4uPr5s0g.PNG.minji_k/profile.png"
)
TISTORY = "https://minji-log.tistory.com"
KAKAO = "https://blog.kakaocdn.net/dn"
SUNSET = f"{KAKAO}/bAbCdE/btsH1a2b3c4/K5l6M7n8o9p0q1r2s3t4u5/img.jpg"
WINDOW = f"{KAKAO}/cXyZaB/btsH1d5e6f7/P8q9R0s1T2u3V4w5X6y7Z8/img.png"
TISTORY_PROFILE = "https://tistory1.daumcdn.net/tistory/6543210/attach/0f1e2d3c4b5a49788796a5b4c3d2e1f0"


def serve(http: responses.RequestsMock, url: str, file: Path | None = None, content_type: str = HTML, **options):
    body = file.read_bytes() if file else options.pop("body", b"")
    http.add(responses.GET, url, body=body, content_type=content_type, **options)


def serve_plain(http):
    site = PAGES / "plain"
    serve(http, f"{PLAIN}/robots.txt", site / "robots.txt", "text/plain")
    serve(http, f"{PLAIN}/", site / "index.html")
    serve(http, f"{PLAIN}/about/", site / "about" / "index.html")
    serve(http, f"{PLAIN}/about/team/", site / "about" / "team" / "index.html")
    serve(http, f"{PLAIN}/about/team/2019/", site / "about" / "team" / "2019" / "index.html")
    serve(http, f"{PLAIN}/posts/graduation/", site / "posts" / "graduation.html")
    serve(http, f"{PLAIN}/posts/jeju/", site / "posts" / "jeju.html")
    serve(http, f"{PLAIN}/notes/", site / "notes.txt", "text/plain; charset=utf-8")
    serve(http, f"{PLAIN}/old-blog/", status=301, headers={"Location": "https://minji-old.example.net/"})
    serve(http, f"{PLAIN}/photo-of-the-day/", status=302, headers={"Location": SUNSET})
    serve(http, f"{PLAIN}/archive/2019/", body=b"<html>", headers={"Content-Length": str(40 * 1024**2)})
    serve(http, SUNSET, PAGES / "tistory" / "jeju_sunset.jpg", "image/jpeg")
    serve_images(http, PLAIN + "/img/", site / "img", ["grad-1600.jpg", "grad-800.jpg", "grad-full.jpg", "friends.jpg",
                                                      "me.jpg", "me.webp", "team.png", "broken.jpg"])


def serve_images(http, prefix: str, folder: Path, names: list[str]):
    for name in names:
        serve(http, prefix + name, folder / name, "image/jpeg")


def serve_naver(http):
    blog = PAGES / "naver"
    post_list = "/PostList.naver?blogId=minji_k&widgetTypeCall=true&noTrackingCode=true&directAccess=true"
    post_view = (
        "/PostView.naver?blogId=minji_k&logNo=223456789012&redirect=Dlog&widgetTypeCall=true"
        "&noTrackingCode=true&directAccess=false"
    )
    serve(http, f"{NAVER}/robots.txt", blog / "robots.txt", "text/plain")
    serve(http, f"{NAVER}/minji_k", blog / "minji_k.html")
    serve(http, NAVER + post_list, blog / "PostList_minji_k.html")
    serve(http, f"{NAVER}/PostList.naver?blogId=minji_k", blog / "PostList_minji_k.html")
    serve(http, f"{NAVER}/minji_k/223456789012", blog / "minji_k_223456789012.html")
    serve(http, NAVER + post_view, blog / "PostView_223456789012.html")
    serve(http, POSTFILES + IMG_4012, blog / "IMG_4012.JPG", "image/jpeg")
    serve(http, POSTFILES + IMG_4015, blog / "IMG_4015.JPG", "image/jpeg")
    serve(http, "https://blogthumb.pstatic.net" + IMG_4012, blog / "IMG_4012_thumb.JPG", "image/jpeg")
    serve(http, PROFILE, blog / "profile.png", "image/png")


def serve_tistory(http):
    blog = PAGES / "tistory"
    serve(http, f"{TISTORY}/robots.txt", blog / "robots.txt", "text/plain")
    serve(http, f"{TISTORY}/", blog / "index.html")
    serve(http, f"{TISTORY}/42", blog / "42.html")
    for missing in ("/41", "/category/%EC%97%AC%ED%96%89", "/tag/%EC%A0%9C%EC%A3%BC"):
        serve(http, TISTORY + missing, body=b"<h1>404</h1>", status=404)
    serve(http, SUNSET, blog / "jeju_sunset.jpg", "image/jpeg")
    serve(http, WINDOW, blog / "jeju_window.png", "image/png")
    serve(http, TISTORY_PROFILE, PAGES / "naver" / "profile.png", "image/png")


def run(source: WebSource, token: str, proven_before: bool):
    """items() as the pipeline drives it, with the token set and no real waiting: items, errors, sleeps."""
    source.proof_token, source.proven_before = token, proven_before
    sleeps: list[float] = []
    source.sleep = sleeps.append
    entries = list(source.items())
    items = [e for e in entries if isinstance(e, Item)]
    errors = [e for e in entries if isinstance(e, ItemError)]
    assert len(items) + len(errors) == len(entries)
    return items, errors, sleeps


def collect(url: str, token: str = TOKEN, proven_before: bool = False):
    source = WebsiteSource(Account(platform="website", url=url))
    return (source, *run(source, token, proven_before))


def requested(http) -> list[str]:
    return [call.request.url for call in http.calls]


def by_page(items: list[Item]) -> dict[str, list[str]]:
    pages: dict[str, list[str]] = {}
    for item in items:
        pages.setdefault(item.post_id, []).append(item.media_name)
    return pages


def test_declared_as_a_live_source_located_by_url():
    assert WebsiteSource.name == "website" and WebsiteSource.needs == "url" and WebsiteSource.live


def test_crawl_stays_on_its_host_and_obeys_robots_txt(http):
    serve_plain(http)
    source, items, errors, _ = collect(f"{PLAIN}/")
    urls = requested(http)
    assert urls[:2] == [f"{PLAIN}/robots.txt", f"{PLAIN}/"]
    pages = [u for u in urls if "/img/" not in u]
    assert {urlsplit(u).hostname for u in pages} == {"minji.example"}  # a redirect to an image host is not followed
    for never in ("/private/diary.html", "/drafts/jeju-day2.html", "/files/cv.pdf", "/about/team/2019/old/"):
        assert PLAIN + never not in urls
    assert not any(host in u for u in urls for host in ("instagram.com", "other.example", "minji-old.example.net"))
    notes = {e.source_item: e.message for e in errors if e.stage == "skip"}
    assert notes[f"{PLAIN}/private/diary.html"] == "not read: robots.txt disallows it"
    assert notes[f"{PLAIN}/drafts/jeju-day2.html"] == "not read: robots.txt disallows it"
    assert source.proof_seen


def test_images_of_each_page_with_time_caption_and_originals(http):
    serve_plain(http)
    _, items, errors, _ = collect(f"{PLAIN}/")
    pages = by_page(items)
    img = f"{PLAIN}/img/"
    assert pages[f"{PLAIN}/posts/graduation/"] == [img + "grad-1600.jpg", img + "grad-full.jpg", img + "friends.jpg"]
    assert pages[f"{PLAIN}/about/"] == [img + "me.webp", img + "me.jpg"]
    assert pages[f"{PLAIN}/about/team/"] == [img + "team.png"]
    assert pages[f"{PLAIN}/"] == [img + "me.jpg"]
    assert f"{PLAIN}/img/grad-800.jpg" not in requested(http)  # the srcset's largest is taken instead
    grad = next(i for i in items if i.media_name.endswith("grad-1600.jpg"))
    assert grad.posted_at_utc() == "2024-02-16T02:20:00Z"
    assert grad.caption == "졸업했어요!\n드디어 고등학교 졸업. 3년 동안 고마웠어요.\n졸업식 날 한빛고등학교 정문에서"
    assert grad.extra == {"alt": "졸업식 날 한빛고등학교 정문에서"} and grad.url == f"{PLAIN}/posts/graduation/"
    assert read_origin(grad.origin) == (PAGES / "plain" / "img" / "grad-1600.jpg").read_bytes()
    assert {i.kind for i in items} == {"post"} and all(i.media_type == "image" for i in items)
    other = [e for e in errors if "photos.other.example" in e.message]
    assert other and other[0].stage == "skip" and "on another host, not fetched" in other[0].message


def test_pages_that_cannot_be_read_are_noted_and_the_crawl_goes_on(http):
    serve_plain(http)
    _, items, errors, _ = collect(f"{PLAIN}/")
    failures = {e.source_item: e.message for e in errors if e.stage == "collect"}
    assert "not a web page (text/plain; charset=utf-8)" in failures[f"{PLAIN}/notes/"]
    assert "minji-old.example.net/: refused, outside" in failures[f"{PLAIN}/old-blog/"]
    assert f"{SUNSET}: refused, outside the account's own pages" in failures[f"{PLAIN}/photo-of-the-day/"]
    assert "refused, 40 MiB is more than 25 MiB" in failures[f"{PLAIN}/archive/2019/"]
    assert "img/broken.jpg: not an image" in failures[f"{PLAIN}/posts/jeju/"]
    assert f"{PLAIN}/about/team/" in {i.post_id for i in items}  # read after all of those


def test_unproven_site_is_refused_before_any_other_page(http):
    serve_plain(http)
    with pytest.raises(ProofError, match="photo-audit-verify-0000000000") as refused:
        collect(f"{PLAIN}/", token="photo-audit-verify-0000000000")
    assert "audit them as a folder" in refused.value.message
    assert requested(http) == [f"{PLAIN}/robots.txt", f"{PLAIN}/"]


def test_proven_before_goes_on_without_the_token(http):
    serve_plain(http)
    source, items, _, _ = collect(f"{PLAIN}/", token="photo-audit-verify-0000000000", proven_before=True)
    assert items and not source.proof_seen


def test_a_token_echoed_from_the_address_proves_nothing(http):
    echo = f"{PLAIN}/search?q={TOKEN}"
    serve(http, f"{PLAIN}/robots.txt", body=b"")
    serve(http, echo, body=f"<p>No results for {TOKEN}</p>".encode())
    with pytest.raises(ProofError):
        collect(echo)


def test_429_on_the_start_page_is_followed_by_backoff_and_success(http):
    serve(http, f"{PLAIN}/robots.txt", status=404)
    serve(http, f"{PLAIN}/", status=429, headers={"Retry-After": "7"})
    serve(http, f"{PLAIN}/", PAGES / "plain" / "index.html")
    serve(http, f"{PLAIN}/img/me.jpg", PAGES / "plain" / "img" / "me.jpg", "image/jpeg")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(website, "MAX_DEPTH", 0)
        source, items, errors, sleeps = collect(f"{PLAIN}/")
    assert 7 in sleeps and source.proof_seen
    assert [i.media_name for i in items] == [f"{PLAIN}/img/me.jpg"]
    assert requested(http).count(f"{PLAIN}/") == 2
    assert errors == [ItemError(f"{PLAIN}/robots.txt", f"not read ({PLAIN}/robots.txt: HTTP 404 Not Found): "
                                "crawled as if there were none", "skip")]


def test_robots_txt_that_forbids_the_start_page_stops_the_account(http):
    serve(http, f"{PLAIN}/robots.txt", body=b"User-agent: *\nDisallow: /\n", content_type="text/plain")
    with pytest.raises(InputError, match="robots.txt does not allow"):
        collect(f"{PLAIN}/")
    assert requested(http) == [f"{PLAIN}/robots.txt"]


def test_crawl_delay_slows_the_session_down(http):
    serve(http, f"{PLAIN}/robots.txt", body=b"User-agent: *\nCrawl-delay: 5\n", content_type="text/plain")
    serve(http, f"{PLAIN}/", body=f'<head><meta name="photo-audit-verification" content="{TOKEN}"></head><a href="/a">a</a>'.encode())
    serve(http, f"{PLAIN}/a", body=b"<p>a</p>")
    _, _, _, sleeps = collect(f"{PLAIN}/")
    assert len(sleeps) == 2 and all(4 < s <= 5 for s in sleeps)


def test_page_limit_is_noted(http, monkeypatch):
    serve_plain(http)
    monkeypatch.setattr(website, "MAX_PAGES", 2)
    _, items, errors, _ = collect(f"{PLAIN}/")
    assert {i.post_id for i in items} <= {f"{PLAIN}/", f"{PLAIN}/about/"}
    assert any(e.message.startswith("stopped after 2 pages") for e in errors)


def test_naver_blog_post_iframe_and_pstatic_originals(http):
    serve_naver(http)
    source, items, errors, _ = collect(f"{NAVER}/minji_k")
    assert source.proof_seen  # the token is in the profile text inside the home page's frame
    post = f"{NAVER}/minji_k/223456789012"
    pages = by_page(items)
    assert pages[post] == ["https://blogthumb.pstatic.net" + IMG_4012, POSTFILES + IMG_4012, POSTFILES + IMG_4015]
    group = next(i for i in items if i.media_name == POSTFILES + IMG_4012)
    assert group.posted_at_utc() == "2024-05-12T05:03:00Z"  # "2024. 5. 12. 14:03", Korean time
    assert group.caption.startswith("졸업식 다녀왔어요\n드디어 졸업! 한빛고등학교 3학년 2반")
    assert group.caption.endswith("졸업식 단체 사진") and group.url == post
    assert [i.media_name for i in items if i.kind == "profile_photo"] == [PROFILE]  # shown on every page, kept once
    assert PROFILE not in {i.media_name for i in items if i.kind == "post"}
    urls = requested(http)
    assert not any("type=" in u for u in urls if "pstatic" in u)
    assert urls.count(post) == 1  # the PostView link and the post link are one page
    assert not any("hana_lee" in u or "BlogTagView" in u or "CommentList" in u or "guestbook" in u for u in urls)
    assert {urlsplit(u).hostname for u in urls} <= {
        "blog.naver.com", "postfiles.pstatic.net", "blogthumb.pstatic.net", "blogpfthumb-phinf.pstatic.net"}
    assert not [e for e in errors if e.stage == "collect"]


def test_tistory_page_with_daumcdn_originals(http):
    serve_tistory(http)
    source, items, errors, _ = collect(f"{TISTORY}/")
    assert source.proof_seen
    pages = by_page(items)
    assert pages[f"{TISTORY}/42"] == [SUNSET, WINDOW]
    assert pages[f"{TISTORY}/"] == [TISTORY_PROFILE, SUNSET]  # og:image, and the list's thumbnail's original
    sunset = next(i for i in items if i.post_id == f"{TISTORY}/42" and i.media_name == SUNSET)
    assert sunset.posted_at_utc() == "2024-05-12T12:30:00Z"
    assert sunset.caption == "제주 여행 둘째 날\n협재에서 본 노을. 숙소는 한림읍 쪽이었어요."
    window = next(i for i in items if i.media_name == WINDOW)
    assert window.caption.endswith("숙소 창밖 풍경")
    urls = requested(http)
    assert not any("/search" in u or "/manage" in u or "daumcdn.net/thumb" in u for u in urls)
    assert urls.count(SUNSET) == 1  # fetched once, then read from the cache
    failures = {e.source_item for e in errors if e.stage == "collect"}
    assert failures == {f"{TISTORY}/41", f"{TISTORY}/category/%EC%97%AC%ED%96%89", f"{TISTORY}/tag/%EC%A0%9C%EC%A3%BC"}


def test_a_rerun_reads_images_from_the_cache(http, cache):
    serve_plain(http)
    _, first, _, _ = collect(f"{PLAIN}/")
    image_requests = [u for u in requested(http) if "/img/" in u]
    assert sorted(p.name for p in (cache / "website" / "minji.example").iterdir())[0].endswith((".jpg", ".png", ".webp"))
    http.calls.reset()
    _, second, _, _ = collect(f"{PLAIN}/")
    assert image_requests and not [u for u in requested(http) if "/img/" in u and "broken" not in u]
    assert [(i.post_id, i.media_name, i.origin) for i in second] == [(i.post_id, i.media_name, i.origin) for i in first]
    assert not list((cache / "website" / "minji.example").glob(".*"))  # no half-written files


def test_site_scope_and_page_addresses():
    naver = Site.of(f"{NAVER}/minji_k")
    assert naver.page_url(f"{NAVER}/PostView.naver?blogId=minji_k&logNo=223456789012&from=postList#c") == (
        f"{NAVER}/minji_k/223456789012")
    assert naver.page_url(f"{NAVER}/hana_lee/223450000001") is None
    assert naver.page_url(f"{NAVER}/PostView.naver?blogId=hana_lee&logNo=1") is None
    plain = Site.of("https://minji.example/blog/")
    assert plain.contains("https://www.minji.example/blog/about/") and not plain.contains("https://cdn.minji.example/blog/")
    assert not plain.contains("https://minji.example/about/") and not plain.contains("https://minji.example/blogger/")
    assert plain.page_url("https://minji.example/blog#top") == "https://minji.example/blog"
    topic = Site.of("https://forum.example/viewtopic.php?t=123")  # one topic of a forum, not the forum
    assert topic.contains("https://forum.example/viewtopic.php?t=123&start=20")
    assert not topic.contains("https://forum.example/viewtopic.php?t=124")
    for bad in ("ftp://minji.example/", "minji.example", "https://blog.naver.com/", "https://exa mple.com/"):
        with pytest.raises(InputError):
            Site.of(bad)


def test_srcset_and_blog_originals():
    assert largest_in_srcset("a.jpg 800w, b.jpg 1600w, c.jpg 1200w") == "b.jpg"
    assert largest_in_srcset("a.jpg 1x,b.jpg 2x") == "b.jpg"
    assert largest_in_srcset("https://res.example/w_300,h_200/a.jpg 300w, https://res.example/w_600,h_400/a.jpg 600w") == (
        "https://res.example/w_600,h_400/a.jpg")
    assert largest_in_srcset("") is None
    assert original(POSTFILES + IMG_4012 + "?type=w773") == POSTFILES + IMG_4012
    assert original("https://img1.daumcdn.net/thumb/R800x0/?scode=mtistory2&fname=" + SUNSET.replace("/", "%2F").replace(
        ":", "%3A")) == SUNSET
    assert original("https://minji.example/a.jpg?type=w773") == "https://minji.example/a.jpg?type=w773"


def test_collected_through_the_pipeline_with_the_stored_token(http, tmp_path, monkeypatch):
    monkeypatch.setitem(SOURCES, "website", WebsiteSource)  # until the registry lists it
    monkeypatch.setattr(WebsiteSource, "sleep", staticmethod(lambda seconds: None))
    serve_tistory(http)
    config = load_config(write_config(tmp_path, f'[[accounts]]\nplatform = "website"\nurl = "{TISTORY}/"\n'))
    db = open_db(tmp_path / "a.db")
    account = config.accounts[0].key
    db["proof_tokens"].insert({"account": account, "token": TOKEN, "created_at": "2024-05-13T00:00:00Z"}, pk="account")
    tally = pipeline.collect(db, config, run=1)
    assert proof.is_verified(db, account)
    assert tally.counts["items"] == 4 and db["photos"].count == 3  # the sunset is on two pages: one photo
    rows = list(db.query("select post_url, posted_at from appearances where media_name = ? order by post_url", [SUNSET]))
    assert rows == [{"post_url": f"{TISTORY}/", "posted_at": None},
                    {"post_url": f"{TISTORY}/42", "posted_at": "2024-05-12T12:30:00Z"}]


def test_hostile_markup_gives_no_address_and_no_crash():
    soup = soup_of(
        "<a data-linkdata='" + "[" * 100_000 + "'>x</a><img src='javascript:alert(1)'><img src='data:image/png;base64,AA'>"
        "<img src='/icon.svg'><img srcset=' , '><img src=' /ok.jpg#top '><a href='mailto:a@b.c'>mail</a>"
    )
    assert list(image_urls(soup, "https://minji.example/p/")) == [Found("https://minji.example/ok.jpg")]


# --- proof of control only the owner can give ----------------------------------------------------------------------

ENCODED = "%2570hoto-audit-verify-5f3a9c1e27"  # the token percent-encoded twice ("p" is %70, "%" is %25)


def html_page(head: str = "", body: str = "") -> bytes:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode()


def test_a_visitors_comment_or_guestbook_entry_proves_nothing(http):
    """Someone else's blog, with the token left by a visitor in a comment and in the guestbook box."""
    serve(http, f"{TISTORY}/robots.txt", body=b"")
    serve(http, f"{TISTORY}/", body=html_page(
        '<meta name="description" content="일상과 여행">',
        f'<div class="comment"><p>좋은 글이네요 {TOKEN}</p></div><aside class="guestbook">{TOKEN}</aside>'
        '<a href="/42">제주</a>'))
    with pytest.raises(ProofError):
        collect(f"{TISTORY}/")
    assert requested(http) == [f"{TISTORY}/robots.txt", f"{TISTORY}/"]


def test_a_comment_inside_a_naver_blogs_frame_proves_nothing(http):
    serve(http, f"{NAVER}/robots.txt", body=b"")
    serve(http, f"{NAVER}/minji_k", body=html_page("<title>민지의 일상 기록</title>",
                                                  '<iframe src="/PostList.naver?blogId=minji_k"></iframe>'))
    serve(http, f"{NAVER}/PostList.naver?blogId=minji_k", body=html_page(body=(
        '<div id="profile"><p class="caption">소소한 하루들</p></div>'
        f'<div class="u_cbox_comment"><span class="u_cbox_contents">{TOKEN}</span></div>')))
    with pytest.raises(ProofError):
        collect(f"{NAVER}/minji_k")


def test_a_body_nested_in_the_head_is_still_the_body(http):
    """A page that leaves out </head>: html.parser nests the body in the head; the body's tags still do not count."""
    serve(http, f"{PLAIN}/robots.txt", body=b"")
    serve(http, f"{PLAIN}/", body=f'<html><head><title>Minji</title><p>{TOKEN}</p><body><meta name="description" '
                                   f'content="{TOKEN}"></body></html>'.encode())
    with pytest.raises(ProofError):
        collect(f"{PLAIN}/")


def test_a_double_encoded_token_in_the_address_proves_nothing(http):
    """A search page that decodes its query twice and echoes it in its title."""
    echo = f"{PLAIN}/search?q={ENCODED}"
    serve(http, f"{PLAIN}/robots.txt", body=b"")
    serve(http, echo, body=html_page(f"<title>Results for {TOKEN}</title>"))
    with pytest.raises(ProofError):
        collect(echo)


def test_a_redirect_that_carries_the_token_proves_nothing(http):
    """A short link on the site (within the account's own path) that redirects to a search echoing the token."""
    serve(http, f"{PLAIN}/robots.txt", body=b"")
    serve(http, f"{PLAIN}/go/abc", status=302, headers={"Location": f"/go/abc/find?q={TOKEN.upper()}"})
    serve(http, f"{PLAIN}/go/abc/find?q={TOKEN.upper()}", body=html_page(f"<title>Results for {TOKEN}</title>"))
    with pytest.raises(ProofError):
        collect(f"{PLAIN}/go/abc")


def test_a_redirect_out_of_the_accounts_own_path_is_not_followed(http):
    """On a host shared by many people, Minji's folder redirecting to another user's page that shows a token."""
    serve(http, "https://home.example/robots.txt", body=b"")
    serve(http, "https://home.example/~minji/", status=302, headers={"Location": "/~mallory/"})
    serve(http, "https://home.example/~mallory/", body=html_page(f'<meta name="photo-audit-verification" content="{TOKEN}">'))
    with pytest.raises(AuditError, match="~mallory/: refused, outside the account's own pages"):
        collect("https://home.example/~minji/")
    assert "https://home.example/~mallory/" not in requested(http)


@pytest.mark.parametrize("head", [
    f'<meta name="photo-audit-verification" content="{TOKEN}">',
    f'<meta property="og:description" content="사진과 글. {TOKEN}">',
    f"<title>민지 {TOKEN}</title>",
])
def test_the_token_where_only_the_owner_writes_proves_control(http, head):
    serve(http, f"{PLAIN}/robots.txt", body=b"")
    serve(http, f"{PLAIN}/", body=html_page(head, "<p>안녕하세요</p>"))
    assert collect(f"{PLAIN}/")[0].proof_seen
