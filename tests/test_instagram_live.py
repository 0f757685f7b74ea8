"""The live instagram source: the real instaloader code against recorded answers of Instagram's web API.

tests/fixtures/http/instagram/ holds what Instagram answers to each request that instaloader 4.16 makes
for a public profile (see its PROVENANCE.md); `Instagram` below serves them with `responses`, routing
the GraphQL requests by their doc_id or query_hash as the server does. Nothing of instaloader is faked.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qsl, urlsplit

import instaloader
import pytest
import responses

from audit.config import Account
from audit.errors import AuditError, ProofError
from audit.models import ANYONE, FOLLOWERS, Item, ItemError
from audit.sources.instagram_live import InstagramLiveSource

from .conftest import FIXTURES

RECORDED = FIXTURES / "http" / "instagram"
WWW = "https://www.instagram.com"
HANDLE = "minji.kim"
TOKEN = "photo-audit-verify-3f9c2a71be"
SINGLE, SIDECAR, VIDEO, TAGGED = "C6dQ3pVr8Kx", "C3ZtL0aS5mN", "C1Bw7yHq2Ej", "C5kR9nWp4Ts"
BIO = f"서울 · Seoul 🇰🇷\n한빛고 24 → 연세대 📚\n{TOKEN}"  # as profile_page.html has it
# What instaloader 4.16 sends, and so what the recorded answers are filed under.
POST_INFO = "27128499623469141"  # one post's metadata (doc_id)
NEXT_POSTS = "28904005159232689"  # the next page of a logged-out profile's posts (doc_id)
PROFILE_QUERY = "27937681195819736"  # a profile, logged in (doc_id)
OWN_POSTS = "29104886249145907"  # a profile's posts, logged in (doc_id)
TAGGED_QUERY = "e31a871f7301132ceaab56507a66bbb7"  # posts a profile is tagged in (query_hash)
WHO_AM_I = "d6f4427fbe92d846298cf93df0b937d3"  # test_login (query_hash)
CDN = re.compile(r"https://[a-z0-9.-]+\.(cdninstagram\.com|fbcdn\.net)/.*")


def recorded(name: str) -> str:
    return (RECORDED / name).read_text(encoding="utf-8")


def form(doc_id: str, **variables):
    """Matches a GraphQL POST by its doc_id (and variables), as Instagram tells queries apart."""

    def match(request):
        fields = dict(parse_qsl(request.body or ""))
        sent = json.loads(fields.get("variables", "{}"))
        ok = fields.get("doc_id") == doc_id and all(sent.get(k) == v for k, v in variables.items())
        return ok, "" if ok else f"not doc_id {doc_id} {variables}"

    return match


def query_hash(value: str):
    def match(request):
        ok = dict(parse_qsl(urlsplit(request.url).query)).get("query_hash") == value
        return ok, "" if ok else f"not query_hash {value}"

    return match


class Instagram:
    """The recorded server: one method per kind of answer."""

    def __init__(self, mock: responses.RequestsMock):
        self.mock = mock
        mock.add_callback(responses.GET, CDN, callback=self._media)
        self.cdn_status: dict[str, int] = {}

    def _media(self, request):
        name = PurePosixPath(urlsplit(request.url).path).name
        path = RECORDED / "media" / name
        status = self.cdn_status.get(name, 200 if path.exists() else 404)
        if status != 200:
            return status, {"Content-Type": "text/html"}, b"URL signature mismatch"
        return 200, {"Content-Type": "image/jpeg"}, path.read_bytes()

    def profile_page(self, with_token: bool = True, edit=str) -> None:
        """`edit` changes the recorded page's text before it is served."""
        name = "profile_page.html" if with_token else "profile_page_no_token.html"
        self.mock.get(f"{WWW}/{HANDLE}/", body=edit(recorded(name)), content_type="text/html; charset=utf-8")

    def start_page(self, logged_in: bool = False) -> None:
        name = "start_page_logged_in.html" if logged_in else "start_page.html"
        cookie = "csrftoken=mV4zQ8pR2sT6uW0xY3aB5cD7eF9gH1jK; Domain=.instagram.com; Path=/; Secure; SameSite=Lax"
        self.mock.get(f"{WWW}/", body=recorded(name), content_type="text/html; charset=utf-8",
                      headers={"Set-Cookie": cookie})

    def post(self, code: str, name: str | None = None, status: int = 200, endpoint: str = "api/graphql") -> None:
        self.mock.post(f"{WWW}/{endpoint}", body=recorded(name or f"post_{code}.json"), status=status,
                       content_type="application/json", match=[form(POST_INFO, shortcode=code)])

    def graphql(self, doc_id: str, name: str, status: int = 200, endpoint: str = "api/graphql") -> None:
        self.mock.post(f"{WWW}/{endpoint}", body=recorded(name), status=status, content_type="application/json",
                       match=[form(doc_id)])

    def query(self, hash_: str, name: str) -> None:
        self.mock.get(f"{WWW}/graphql/query", body=recorded(name), content_type="application/json",
                      match=[query_hash(hash_)])

    def profile_info(self, name: str = "web_profile_info.json", status: int = 200) -> None:
        self.mock.get(f"{WWW}/api/v1/users/web_profile_info/", body=recorded(name), status=status,
                      content_type="application/json")

    def logged_out_profile(self, with_token: bool = True, tagged: bool = True) -> None:
        """Everything a logged-out visit of the profile asks for, answered (the tagged posts unless told not to)."""
        self.profile_page(with_token)
        self.start_page()
        for code in (SINGLE, SIDECAR, VIDEO):
            self.post(code)
        self.graphql(NEXT_POSTS, "timeline_page2.json")
        if tagged:
            self.profile_info()
            self.query(TAGGED_QUERY, "tagged.json")

    def requests(self) -> list[str]:
        """What was asked, in order: a GraphQL query by its doc_id (and shortcode) or hash, else the URL."""
        return [_label(call.request) for call in self.mock.calls]


def _label(request) -> str:
    url = urlsplit(request.url)
    if url.hostname.endswith(("cdninstagram.com", "fbcdn.net")):
        return "media " + PurePosixPath(url.path).name
    fields = dict(parse_qsl(request.body or "")) | dict(parse_qsl(url.query))
    if "doc_id" in fields:
        shortcode = json.loads(fields["variables"]).get("shortcode")
        return f"{url.path} {fields['doc_id']}" + (f" {shortcode}" if shortcode else "")
    if "query_hash" in fields:
        return f"{url.path} {fields['query_hash']}"
    return f"{request.method} {url.path}"


@pytest.fixture(autouse=True)
def cache(cache) -> Path:
    """This profile's folder in the test's cache (conftest points the cache at tmp_path)."""
    return cache / "instagram" / HANDLE


@pytest.fixture
def instagram():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield Instagram(mock)


def make_source(path: Path | None = None, proven_before: bool = False) -> tuple[InstagramLiveSource, list[float]]:
    source = InstagramLiveSource(Account(platform="instagram", handle=HANDLE, path=path))
    source.proof_token = TOKEN  # as the pipeline sets them
    source.proven_before = proven_before
    slept: list[float] = []
    source.sleep = slept.append
    return source, slept


def run(source: InstagramLiveSource) -> tuple[list[Item], list[ItemError], AuditError | None]:
    """What items() yields before it ends, or before the error that stopped the account."""
    entries, error = [], None
    try:
        for entry in source.items():
            entries.append(entry)
    except AuditError as exc:
        error = exc
    return [e for e in entries if isinstance(e, Item)], [e for e in entries if isinstance(e, ItemError)], error


def by_name(items: list[Item]) -> dict[str, Item]:
    return {item.media_name: item for item in items}


def media_bytes(url_name: str) -> bytes:
    return (RECORDED / "media" / url_name).read_bytes()


def test_declared():
    assert InstagramLiveSource.name == "instagram"
    assert InstagramLiveSource.needs == "handle" and InstagramLiveSource.live
    assert "\n" not in InstagramLiveSource.description


def test_token_in_the_bio_proves_control_and_everything_is_collected(instagram, cache):
    instagram.logged_out_profile()
    source, _ = make_source()
    items, errors, error = run(source)
    assert error is None and errors == []
    assert source.proof_seen
    named = by_name(items)
    assert [i.kind for i in items] == ["profile_photo", "post", "post", "post", "post", "tagged"]

    single = named[f"{SINGLE}_1.jpg"]
    assert single.post_id == SINGLE and single.url == f"https://www.instagram.com/p/{SINGLE}/"
    assert single.posted_at_utc() == "2024-05-02T11:04:09Z"
    assert single.caption == "우리 반 마지막 날 💛 with @jiwoo.park @seoyeon_lee\n#한빛고 #classof2024"
    assert single.tagged_users == ["jiwoo.park", "seoyeon_lee"] and single.audience == ANYONE
    assert "HANBIT HIGH SCHOOL" in single.extra["accessibility_caption"]
    assert (single.location_name, single.lat, single.lon) == (None, None, None)  # logged out: no locations
    assert Path(single.origin.path).read_bytes() == media_bytes("441234567_1098765432101234_6677889900112233445_n.jpg")

    slides = [named[f"{SIDECAR}_1.jpg"], named[f"{SIDECAR}_2.jpg"]]
    assert {s.post_id for s in slides} == {SIDECAR} and {s.media_type for s in slides} == {"image"}
    assert slides[0].caption == "졸업식 🎓 드디어!\n엄마 아빠 고마워요"
    assert slides[0].posted_at_utc() == "2024-02-16T05:21:37Z"
    assert Path(slides[1].origin.path).read_bytes() == media_bytes("428811987_7788990011223344_5647382910564738291_n.jpg")

    video = named[f"{VIDEO}_1.jpg"]  # kept as its cover image
    assert video.media_type == "video" and video.extra == {"video_cover": True}
    assert video.posted_at_utc() == "2023-12-24T13:40:55Z"
    assert Path(video.origin.path).read_bytes() == media_bytes("411223344_2233445566778899_9988776655443322110_n.jpg")

    photo = items[0]
    assert photo.url == f"https://www.instagram.com/{HANDLE}/" and photo.post_id is None
    assert Path(photo.origin.path).read_bytes() == media_bytes("445566778_998877665544332_1122334455667788990_n.jpg")
    # What a stranger reads beside the picture, from the profile page already loaded for the proof: no request more.
    assert photo.caption == f"김민지 Minji Kim\n{BIO}"
    assert photo.extra == {"profile": {"full_name": "김민지 Minji Kim", "biography": BIO}}  # external_url is null
    assert instagram.requests()[:2] == [f"GET /{HANDLE}/", "media 445566778_998877665544332_1122334455667788990_n.jpg"]

    tagged = named[f"{TAGGED}_1.jpg"]
    assert tagged.kind == "tagged" and tagged.caption == "벚꽃 소풍 🌸 @minji.kim 여의도"
    assert tagged.tagged_users == [HANDLE] and tagged.posted_at_utc() == "2024-04-12T03:15:22Z"

    assert all(Path(i.origin.path).parent == cache for i in items)
    assert not list(cache.glob("iterator_*")), "a finished listing leaves no resume file"


def test_an_unproven_profile_is_refused_before_any_request_for_posts(instagram):
    instagram.logged_out_profile(with_token=False)
    source, _ = make_source()
    items, errors, error = run(source)
    assert isinstance(error, ProofError) and items == [] and errors == []
    assert TOKEN in error.message and "the bio of @minji.kim" in error.message
    assert 'platform = "instagram-export"' in error.message
    assert instagram.requests() == [f"GET /{HANDLE}/"]  # the profile itself, nothing more
    assert not source.proof_seen


def test_a_token_seen_on_an_earlier_run_is_enough(instagram):
    instagram.logged_out_profile(with_token=False)
    source, _ = make_source(proven_before=True)
    items, errors, error = run(source)
    assert error is None and errors == [] and len(items) == 6
    assert not source.proof_seen  # nothing new was seen


def test_a_429_is_waited_out_then_the_post_comes(instagram):
    instagram.post(SINGLE, "error_429.json", status=429)  # answered first; the recorded success comes next
    instagram.logged_out_profile()
    source, slept = make_source()
    items, errors, error = run(source)
    assert error is None and errors == [] and len(items) == 6
    assert instagram.requests().count(f"/api/graphql {POST_INFO} {SINGLE}") == 2
    # instaloader's rate controller waits out Instagram's window (about 11 minutes), through the injected sleep
    assert max(slept) > 600


def test_a_401_stops_the_account_with_advice_and_keeps_what_came_before(instagram):
    instagram.profile_info("error_401_wait.json", status=401)  # on every attempt
    instagram.logged_out_profile(tagged=False)
    source, _ = make_source()
    items, errors, error = run(source)
    assert [i.kind for i in items] == ["profile_photo", "post", "post", "post", "post"]
    assert error is not None and not isinstance(error, ProofError)
    assert "Instagram stopped the collection of @minji.kim" in error.message
    assert "401" in error.message and "Please wait a few minutes" in error.message
    assert 'platform = "instagram-export"' in error.message


def test_a_checkpoint_stops_the_account_and_the_next_run_resumes_without_fetching_again(instagram, cache):
    instagram.graphql(NEXT_POSTS, "error_checkpoint.json", status=400)
    instagram.logged_out_profile()
    first, _ = make_source()
    items, errors, error = run(first)
    assert [i.media_name for i in items if i.kind == "post"] == [f"{SINGLE}_1.jpg", f"{SIDECAR}_1.jpg", f"{SIDECAR}_2.jpg"]
    assert "security check (checkpoint)" in error.message and "instagram-export" in error.message
    assert len(list(cache.glob("iterator_post_*.json"))) == 1

    instagram.mock.calls.reset()
    second, _ = make_source()
    items, errors, error = run(second)
    assert error is None and errors == []
    # It goes on from the post it stopped after, whose images are in the cache; the post before is neither
    # yielded nor downloaded again (instaloader reads its metadata once more, to know the newest post).
    assert [i.media_name for i in items][1:] == [f"{SIDECAR}_1.jpg", f"{SIDECAR}_2.jpg", f"{VIDEO}_1.jpg", f"{TAGGED}_1.jpg"]
    asked = instagram.requests()
    assert asked.count(f"/api/graphql {POST_INFO} {SINGLE}") == 1
    assert [a for a in asked if a.startswith("media ")] == [
        "media 411223344_2233445566778899_9988776655443322110_n.jpg",  # the video's cover
        "media 437788990_5566778899001122_1231231231231231231_n.jpg",  # the tagged post
    ]
    assert not list(cache.glob("iterator_*")), "the resume file is gone once the listing is done"


def test_an_answer_instaloader_does_not_understand_stops_the_account_and_the_listing_can_resume(instagram, cache):
    instagram.mock.post(f"{WWW}/api/graphql", json={"data": {"node": None}, "extensions": {"is_final": True}},
                        match=[form(NEXT_POSTS)])  # the next page, once Instagram has changed the query
    instagram.logged_out_profile()
    items, errors, error = run(make_source()[0])
    assert errors == [] and len(items) == 4
    assert "does not understand" in error.message and "instagram-export" in error.message
    assert len(list(cache.glob("iterator_post_*.json"))) == 1


def test_a_second_run_downloads_nothing_again(instagram):
    instagram.logged_out_profile()
    first_items, _, _ = run(make_source()[0])
    instagram.mock.calls.reset()
    again, errors, error = run(make_source()[0])
    assert error is None and errors == []
    assert not any(a.startswith("media ") for a in instagram.requests())
    assert [i.origin for i in again] == [i.origin for i in first_items]


def test_a_post_that_cannot_be_read_or_downloaded_is_an_error_row_and_the_rest_goes_on(instagram, tmp_path):
    gone = tmp_path / "gone.json"  # deleted between the listing and the request for its metadata
    gone.write_text(json.dumps({"data": {"xdt_api__v1__media__shortcode__web_info": {"items": []}},
                                "extensions": {"is_final": True}}))
    instagram.mock.post(f"{WWW}/api/graphql", body=gone.read_text(), match=[form(POST_INFO, shortcode=VIDEO)])
    instagram.cdn_status["428811987_7788990011223344_5647382910564738291_n.jpg"] = 403  # an expired signature
    instagram.logged_out_profile()
    items, errors, error = run(make_source()[0])
    assert error is None
    assert [i.media_name for i in items if i.kind == "post"] == [f"{SINGLE}_1.jpg", f"{SIDECAR}_1.jpg", f"{SIDECAR}_2.jpg"]
    assert by_name(items)[f"{SIDECAR}_2.jpg"].origin is None  # inventoried without its file
    assert len(errors) == 2
    assert "HTTP 403" in errors[0].message and errors[0].source_item == f"https://www.instagram.com/p/{SIDECAR}/"
    assert "Fetching Post metadata failed" in errors[1].message


def test_a_post_by_someone_else_in_the_listing_is_skipped(instagram, tmp_path):
    answer = json.loads(recorded(f"post_{SIDECAR}.json"))
    media = answer["data"]["xdt_api__v1__media__shortcode__web_info"]["items"][0]
    media["user"] = media["owner"] = dict(media["user"], username="hanbit.official", pk="77001234")
    instagram.mock.post(f"{WWW}/api/graphql", json=answer, match=[form(POST_INFO, shortcode=SIDECAR)])
    instagram.logged_out_profile()
    items, errors, error = run(make_source()[0])
    assert error is None and SIDECAR not in {i.post_id for i in items}
    assert [(e.stage, e.source_item) for e in errors] == [("skip", f"https://www.instagram.com/p/{SIDECAR}/")]
    assert "@hanbit.official" in errors[0].message


# --- proof through an instaloader session ---------------------------------------------------------


def session_file(tmp_path: Path) -> Path:
    """A session file as `instaloader -l minji.kim` saves it (the cookies of a logged-in browser session)."""
    loader = instaloader.Instaloader(quiet=True)
    loader.context.load_session(HANDLE, {
        "csrftoken": "mV4zQ8pR2sT6uW0xY3aB5cD7eF9gH1jK", "ds_user_id": "5917304826",
        "sessionid": "5917304826%3AqWeRtYuIoPaSdF%3A12%3AAYdKx1-7nBvCzXmLpQoWiEuRyT", "mid": "ZkQ1aAALAAE-7xHnR2pT4sVw",
        "ig_did": "3F2A1B0C-9D8E-4F7A-B6C5-D4E3F2A1B0C9", "rur": '"CCO\\0545917304826\\0541762000000:01f7"',
    })
    path = tmp_path / f"session-{HANDLE}"
    loader.save_session_to_file(str(path))
    return path


def logged_in_profile(instagram: Instagram, private: bool = False) -> None:
    """Everything a logged-in visit of the profile asks for, answered; `private` makes the profile private."""
    make_private = (lambda page: page.replace('"is_private":false', '"is_private":true', 1)) if private else str
    instagram.query(WHO_AM_I, "test_login.json")
    instagram.profile_page(with_token=False, edit=make_private)
    instagram.graphql(PROFILE_QUERY, "profile_query_logged_in.json", endpoint="graphql/query")
    instagram.start_page(logged_in=True)
    instagram.graphql(OWN_POSTS, "timeline_logged_in.json")
    instagram.post(SINGLE, f"post_{SINGLE}_logged_in.json", endpoint="graphql/query")
    instagram.query(TAGGED_QUERY, "tagged_none.json")


def test_a_session_of_the_account_proves_control_and_brings_locations(instagram, tmp_path):
    logged_in_profile(instagram)
    source, _ = make_source(path=session_file(tmp_path))
    items, errors, error = run(source)
    assert error is None and errors == []
    assert source.proof_seen
    assert instagram.requests()[:2] == [f"/graphql/query {WHO_AM_I}", f"GET /{HANDLE}/"]
    photo, post = items
    assert photo.kind == "profile_photo" and photo.origin is not None
    assert photo.caption.startswith("김민지 Minji Kim\n서울 · Seoul")  # from the logged-in profile query
    assert post.post_id == SINGLE and post.posted_at_utc() == "2024-05-02T11:04:09Z"
    assert (post.location_name, post.lat, post.lon) == ("한빛고등학교 Hanbit High School", 37.6542, 127.0669)
    assert post.tagged_users == ["jiwoo.park", "seoyeon_lee"]


def test_a_private_profile_s_posts_are_for_followers_and_its_picture_for_anyone(instagram, tmp_path):
    logged_in_profile(instagram, private=True)
    items, errors, error = run(make_source(path=session_file(tmp_path))[0])
    assert error is None and errors == []
    assert [(i.kind, i.audience) for i in items] == [("profile_photo", ANYONE), ("post", FOLLOWERS)]


def test_a_session_of_another_account_proves_nothing(instagram, tmp_path):
    instagram.query(WHO_AM_I, "test_login_other_user.json")
    instagram.logged_out_profile()
    source, _ = make_source(path=session_file(tmp_path))
    items, errors, error = run(source)
    assert isinstance(error, ProofError) and items == []
    assert "logged in as @jiwoo.park" in error.message and "instagram-export" in error.message
    assert instagram.requests() == [f"/graphql/query {WHO_AM_I}"]


def test_a_damaged_session_file_is_a_clear_error(tmp_path):
    damaged = tmp_path / f"session-{HANDLE}"
    damaged.write_bytes(b"not a pickle")
    with responses.RequestsMock() as mock:
        items, errors, error = run(make_source(path=damaged)[0])
        assert len(mock.calls) == 0
    assert "cannot load this instaloader session file" in error.message and "instaloader -l minji.kim" in error.message


def test_a_handle_that_is_not_one_is_refused_without_a_request():
    source = InstagramLiveSource(Account(platform="instagram", handle="../accounts/login"))
    with responses.RequestsMock() as mock:
        with pytest.raises(AuditError, match="is not an Instagram handle"):
            list(source.items())
        assert len(mock.calls) == 0
