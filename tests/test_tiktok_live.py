"""The live tiktok source against recorded answers of TikTok's web app (tests/fixtures/tiktok_live/PROVENANCE.md).

`TikTok` below serves the profile page, the post listing (/api/creator/item_list/) and the media hosts with
`responses`; nothing reaches the network. The source's own code, audit/proof.py and audit/net.py run unchanged.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from audit import steps
from audit.config import Account, load_config
from audit.errors import ProofError
from audit.inventory.db import open_db, start_run
from audit.models import ANYONE
from audit.net import FetchError
from audit.sources import SOURCES
from audit.sources import tiktok_live
from audit.sources.tiktok_live import TikTokLiveSource

from .conftest import FIXTURES, write_config
from .test_instagram_live import by_name, run  # what a live source yields, told apart

RECORDED = FIXTURES / "tiktok_live"
HANDLE = "minji.kim"
TOKEN = "photo-audit-verify-5d1e0c9a4b"
PAGE = f"https://www.tiktok.com/@{HANDLE}"
LISTING = "https://www.tiktok.com/api/creator/item_list/"
VIDEO, PHOTO, OTHER, BROKEN = "7302516871449382145", "7299887766554433221", "7291203345678901234", "7288001122334455667"
MEDIA = re.compile(r"https://[a-z0-9.-]+\.(tiktokcdn\.com|tiktok\.com)/(obj|tos-|video/).*")
BIO = f"서울 · Seoul 🇰🇷\n한빛고 24 → 연세대\n{TOKEN}"


class TikTok:
    """The recorded server. Media are served by the name in their path; a medium not recorded is refused (403),
    as TikTok refuses a video address it did not sign for this visitor."""

    def __init__(self, mock: responses.RequestsMock):
        self.mock = mock
        self.video_answer: tuple[int, str, bytes] | None = None  # replaces every video's answer when set
        mock.add_callback(responses.GET, MEDIA, callback=self._media)

    def _media(self, request):
        path = urlsplit(request.url).path
        if "/video/" in path and self.video_answer:
            status, kind, body = self.video_answer
            return status, {"Content-Type": kind}, body
        for file in (RECORDED / "media").iterdir():
            if file.stem in path:
                kind = "video/mp4" if file.suffix == ".mp4" else "image/jpeg"
                return 200, {"Content-Type": kind}, file.read_bytes()
        return 403, {"Content-Type": "text/html"}, b"<html>Access Denied</html>"

    def profile(self, name: str = "profile_page.html", **kwargs) -> None:
        self.mock.get(PAGE, body=(RECORDED / name).read_bytes(), content_type="text/html; charset=utf-8", **kwargs)

    def listing(self, *names: str, status: int = 200, headers: dict | None = None) -> None:
        """Pages of the listing, answered in this order (the last one again after that)."""
        for name in names:
            self.mock.get(LISTING, body=(RECORDED / name).read_bytes(), status=status,
                          content_type="application/json", headers=headers)

    def public_profile(self) -> None:
        self.profile()
        self.listing("item_list_all.json")

    def requests(self) -> list[str]:
        return [_label(call.request.url) for call in self.mock.calls]


def _label(url: str) -> str:
    parts = urlsplit(url)
    if parts.hostname == "www.tiktok.com":
        return "page" if parts.path == f"/@{HANDLE}" else f"listing cursor={parse_qs(parts.query)['cursor'][0]}"
    return "media " + PurePosixPath(parts.path.rstrip("/")).name.split("~")[0]


@pytest.fixture
def tiktok():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield TikTok(mock)


def make_source(proven_before: bool = False) -> tuple[TikTokLiveSource, list[float]]:
    source = TikTokLiveSource(Account(platform="tiktok", handle=HANDLE))
    source.proof_token = TOKEN  # as the pipeline sets them
    source.proven_before = proven_before
    slept: list[float] = []
    source.sleep = slept.append
    return source, slept




def test_declared():
    assert SOURCES["tiktok"] is TikTokLiveSource
    assert TikTokLiveSource.needs == "handle" and TikTokLiveSource.live and TikTokLiveSource.app == "tiktok"
    assert "\n" not in TikTokLiveSource.description


def test_token_in_the_bio_proves_control_and_everything_is_collected(tiktok, cache):
    tiktok.public_profile()
    source, _ = make_source()
    items, errors, error = run(source)
    assert error is None and source.proof_seen
    assert tiktok.requests()[0] == "page"  # the proof before anything else
    named = by_name(items)
    assert list(named) == ["profile.jpg", f"{VIDEO}.mp4", f"{PHOTO}_1.jpg", f"{PHOTO}_2.jpg", f"{OTHER}.jpg"]

    photo = named["profile.jpg"]
    assert photo.kind == "profile_photo" and photo.url == PAGE and photo.audience == ANYONE
    assert photo.caption == f"김민지 Minji\n{BIO}"  # what a stranger reads beside the picture
    assert Path(photo.origin.path).read_bytes() == (RECORDED / "media/3f6a0b9c2d7e41f58a1b2c3d4e5f6a7b.jpeg").read_bytes()

    video = named[f"{VIDEO}.mp4"]  # the video file itself: TikTok served it
    assert video.media_type == "video" and video.kind == "post" and video.post_id == VIDEO
    assert video.url == f"https://www.tiktok.com/@{HANDLE}/video/{VIDEO}"
    assert video.posted_at_utc() == "2023-11-18T07:00:02Z" and video.audience == ANYONE
    assert video.caption == "졸업 사진 찍는 날 📸 #한빛고 #졸업" and video.location_name == "한빛고등학교"
    assert video.extra == {"handle": HANDLE, "likes": 57, "sound": "original sound - minji.kim"}
    assert Path(video.origin.path).read_bytes() == (RECORDED / f"media/video_{VIDEO}.mp4").read_bytes()

    slides = [named[f"{PHOTO}_1.jpg"], named[f"{PHOTO}_2.jpg"]]  # a photo-mode post: each image
    assert {s.media_type for s in slides} == {"image"} and {s.post_id for s in slides} == {PHOTO}
    assert slides[0].url == f"https://www.tiktok.com/@{HANDLE}/photo/{PHOTO}" and slides[0].caption == "벚꽃 소풍 🌸 여의도"
    assert Path(slides[1].origin.path).read_bytes() == (RECORDED / f"media/photo_{PHOTO}_2.jpeg").read_bytes()

    cover = named[f"{OTHER}.jpg"]  # TikTok refused the video: its cover, said to be only the cover
    assert cover.media_type == "video" and cover.extra["video_cover"] is True and cover.origin is not None
    assert cover.posted_at_utc() == "2023-10-15T14:30:45Z" and cover.caption == "Dance challenge 💃 w/ @jiwoo.park"
    (note,) = errors
    assert note.stage == "note" and note.source_item == cover.url
    assert "could not be downloaded (" in note.message and "HTTP 403" in note.message
    assert "cover picture is audited instead, not the video" in note.message
    assert f"save it from the TikTok app into a folder named by its id ({OTHER}.mp4)" in note.message


def test_an_unproven_profile_is_refused_before_any_request_for_posts(tiktok):
    tiktok.profile("profile_page_no_token.html")
    tiktok.listing("item_list_all.json")
    source, _ = make_source()
    items, errors, error = run(source)
    assert isinstance(error, ProofError) and items == [] and errors == []
    assert TOKEN in error.message and f"the bio of @{HANDLE}" in error.message
    assert "run again" in error.message and 'platform = "tiktok-export"' in error.message
    assert tiktok.requests() == ["page"]  # the profile, nothing more
    assert not source.proof_seen


def test_a_profile_without_a_bio_is_refused_plainly(tiktok):
    page = re.sub(r'"signature":"[^"]*",', "", (RECORDED / "profile_page.html").read_text(encoding="utf-8"), count=1)
    tiktok.mock.get(PAGE, body=page, content_type="text/html")
    items, errors, error = run(make_source()[0])
    assert isinstance(error, ProofError) and TOKEN in error.message and tiktok.requests() == ["page"]


def test_a_token_seen_on_an_earlier_run_is_enough(tiktok):
    tiktok.profile("profile_page_no_token.html")
    tiktok.listing("item_list_all.json")
    source, _ = make_source(proven_before=True)
    items, _, error = run(source)
    assert error is None and len(items) == 5
    assert not source.proof_seen  # nothing new was seen


def test_a_token_echoed_from_the_address_asked_for_proves_nothing(tiktok):
    """A redirect to an address that carries the token, to a page that shows it: anyone could make that."""
    echo = f"{PAGE}?lang=ko-KR&share_text=%70hoto-audit-verify-5d1e0c9a4b"
    tiktok.mock.get(PAGE, status=302, headers={"Location": echo}, match=[responses.matchers.query_string_matcher("")])
    tiktok.mock.get(echo, body=(RECORDED / "profile_page.html").read_bytes(), content_type="text/html")
    tiktok.listing("item_list_all.json")
    source, _ = make_source()
    items, errors, error = run(source)
    assert isinstance(error, ProofError) and items == []
    assert not any(label.startswith(("listing", "media")) for label in tiktok.requests())


def test_a_private_account_is_a_plain_error_and_nothing_is_listed(tiktok):
    tiktok.profile("profile_private.html")
    tiktok.listing("item_list_all.json")
    items, errors, error = run(make_source()[0])
    assert isinstance(error, FetchError) and not isinstance(error, ProofError) and items == []
    assert f"@{HANDLE} is a private account" in error.message and "use the export" in error.message
    assert tiktok.requests() == ["page"]


def test_a_missing_account_is_a_plain_error(tiktok):
    tiktok.profile("profile_missing.html")
    items, errors, error = run(make_source()[0])
    assert isinstance(error, FetchError) and items == []
    assert f"TikTok shows no account @{HANDLE}: check the handle" in error.message


@pytest.mark.parametrize("name, edit, missing", [
    ("profile_changed.html", None, "__UNIVERSAL_DATA_FOR_REHYDRATION__"),  # another layout
    ("profile_page.html", lambda page: page.replace("webapp.user-detail", "webapp.user-page"), "webapp.user-detail"),
    ("profile_page.html", lambda page: page.replace('"secUid"', '"secUidV2"'), "no secUid"),
])
def test_a_profile_page_photo_audit_cannot_read_is_a_plain_error_naming_what_is_missing(tiktok, name, edit, missing):
    page = (RECORDED / name).read_text(encoding="utf-8")
    tiktok.mock.get(PAGE, body=edit(page) if edit else page, content_type="text/html")
    items, errors, error = run(make_source()[0])
    assert isinstance(error, FetchError) and items == []  # an AuditError with a message, not a traceback
    assert missing in error.message and "a layout photo-audit does not know yet" in error.message
    assert tiktok.requests() == ["page"]


def test_a_429_on_the_listing_is_waited_out_through_the_polite_session(tiktok):
    tiktok.profile()
    tiktok.listing("error_429.json", status=429, headers={"Retry-After": "37"})
    tiktok.listing("item_list_all.json")
    source, slept = make_source()
    items, errors, error = run(source)
    assert error is None and len(items) == 5
    assert [label for label in tiktok.requests() if label.startswith("listing")].__len__() == 2
    assert 37.0 in slept  # TikTok's Retry-After, through audit/net.py's one sleep
    assert all(pause <= tiktok_live.MIN_INTERVAL or pause == 37.0 for pause in slept)


def test_a_post_whose_json_lacks_fields_is_an_error_row_and_the_rest_is_read_across_pages(tiktok):
    tiktok.profile()
    tiktok.listing("item_list_page1.json", "item_list_page2.json")
    items, errors, error = run(make_source()[0])
    assert error is None
    assert {item.post_id for item in items if item.kind == "post"} == {VIDEO, PHOTO, OTHER}
    broken = [e for e in errors if e.stage == "collect"]
    assert [e.source_item for e in broken] == [f"{PAGE} post {BROKEN}"]
    assert "'createTime' is missing" in broken[0].message
    listings = [label for label in tiktok.requests() if label.startswith("listing")]
    assert listings[1] == "listing cursor=1699611120000"  # the next page: before the last post of the first


def test_an_empty_listing_answer_stops_the_account_and_keeps_the_profile_picture(tiktok):
    tiktok.profile()
    tiktok.listing("item_list_empty_answer.json")
    items, errors, error = run(make_source()[0])
    assert [item.kind for item in items] == ["profile_photo"]
    assert isinstance(error, FetchError) and "did not list the posts" in error.message
    assert "tiktok-export" in error.message


def test_an_error_page_instead_of_a_video_is_never_kept_as_the_video(tiktok, cache):
    tiktok.video_answer = (200, "text/html", b"<!DOCTYPE html><html>verify</html>")
    tiktok.public_profile()
    items, errors, error = run(make_source()[0])
    assert error is None and f"{VIDEO}.mp4" not in by_name(items)
    assert by_name(items)[f"{VIDEO}.jpg"].extra["video_cover"] is True
    assert any("did not send a video file" in e.message for e in errors)
    assert not list((cache / "tiktok" / HANDLE).glob("*.mp4"))


def test_a_second_run_downloads_nothing_again(tiktok):
    tiktok.public_profile()
    first, _, _ = run(make_source()[0])
    tiktok.mock.calls.reset()
    again, _, error = run(make_source()[0])
    assert error is None
    assert [label for label in tiktok.requests() if label.startswith("media")] == ["media video_" + OTHER]
    assert [i.origin for i in again] == [i.origin for i in first]


def test_collecting_twice_adds_nothing_new_to_the_inventory(tiktok, tmp_path, monkeypatch):
    monkeypatch.setattr(tiktok_live, "MIN_INTERVAL", 0.0)  # steps.collect makes the source: no real pauses
    tiktok.public_profile()
    config = load_config(write_config(tmp_path, f'[[accounts]]\nplatform = "tiktok"\nhandle = "{HANDLE}"\n'))
    db = open_db(tmp_path / "audit.db")
    counts = []
    for attempt in range(2):
        if attempt:  # the second run: the token is gone from the bio, the first run's proof still holds
            tiktok.mock.replace(responses.GET, PAGE, body=(RECORDED / "profile_page_no_token.html").read_bytes(),
                                content_type="text/html")
        else:
            db["proof_tokens"].insert({"account": f"tiktok:{HANDLE}", "token": TOKEN, "created_at": "x"},
                                      pk="account", alter=True)
        steps.collect(db, config, start_run(db, "collect", "test"))
        counts.append((db["appearances"].count, db["photos"].count))
    assert counts[0] == counts[1] == (5, 5)
    assert json.loads(next(db.query("select extra from appearances where media_name = ?",
                                    [f"{OTHER}.jpg"]))["extra"])["video_cover"] is True


# --- damaged answers (a target of tests/test_fuzz.py, which runs every source on damaged input) ---------------


class RecordedSession:
    """PoliteSession's interface over the recorded answers, by address without its query: no network, no pauses."""

    def __init__(self, answers: dict[str, bytes], **settings):
        self.answers = answers
        self.allowed_hosts = set(settings.get("allowed_hosts", ()))
        self.session = requests.Session()

    def get(self, url: str, within=None):
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.hostname}{parts.path}"
        name = PurePosixPath(parts.path.rstrip("/")).name.split("~")[0]
        if key not in self.answers and parts.hostname != "www.tiktok.com":
            key = next((k for k in self.answers if k.startswith("media/") and PurePosixPath(k).stem in name), key)
        if key not in self.answers or (within and not within(url)):
            raise FetchError(f"{url}: HTTP 404 Not Found")
        response = requests.Response()
        response._content, response.status_code, response.url = self.answers[key], 200, url
        return response


def tiktok_target():
    """(check, cases) for tests/test_fuzz.py: the profile page and the listing, damaged, are read or refused with an
    AuditError, never crash; whatever is yielded is storable."""
    from hypothesis import strategies as st

    from .test_fuzz import Damaged, damaged_bytes, read_all

    seeds = {PAGE: (RECORDED / "profile_page.html").read_bytes(), LISTING: (RECORDED / "item_list_all.json").read_bytes()}
    seeds |= {f"media/{file.name}": file.read_bytes() for file in (RECORDED / "media").iterdir()}

    @st.composite
    def damaged(draw) -> Damaged:
        answers = dict(seeds)
        for address in draw(st.lists(st.sampled_from([PAGE, LISTING]), min_size=1, max_size=2, unique=True)):
            answers[address] = draw(damaged_bytes(answers[address]))
        return Damaged(seeds, answers)

    def check(case) -> None:
        answers, proven_before = case
        source = TikTokLiveSource(Account(platform="tiktok", handle=HANDLE))
        source.proof_token, source.proven_before = TOKEN, proven_before
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(tiktok_live, "PoliteSession", lambda **settings: RecordedSession(answers, **settings))
            read_all(source)

    return check, st.tuples(damaged(), st.booleans())


def test_the_recorded_session_serves_what_the_source_reads():
    """The fuzz target's session, undamaged, gives what the recorded server gives: the fuzzing reaches the posts."""
    answers = {PAGE: (RECORDED / "profile_page.html").read_bytes(), LISTING: (RECORDED / "item_list_all.json").read_bytes()}
    answers |= {f"media/{file.name}": file.read_bytes() for file in (RECORDED / "media").iterdir()}
    source = TikTokLiveSource(Account(platform="tiktok", handle=HANDLE))
    source.proof_token = TOKEN
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tiktok_live, "PoliteSession", lambda **settings: RecordedSession(answers, **settings))
        items, errors, error = run(source)
    assert error is None and len(items) == 5 and [e.stage for e in errors] == ["note"]
