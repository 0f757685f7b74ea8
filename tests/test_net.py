"""PoliteSession, the one way photo-audit talks to the network: interval, retries, size cap, redirects."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
import requests
import responses

from audit.net import USER_AGENT, FetchError, PoliteSession, addresses

SITE = "https://minji.example"


class FakeTime:
    """A clock that moves only when the session sleeps, and a record of every sleep."""

    def __init__(self):
        self.now = 100.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def http():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def session(fake: FakeTime, **options) -> PoliteSession:
    return PoliteSession(allowed_hosts={"minji.example"}, sleep=fake.sleep, clock=fake.clock, **options)


def test_requests_keep_the_minimum_interval_and_say_who_asks(http):
    http.add(responses.GET, f"{SITE}/a", body="a")
    http.add(responses.GET, f"{SITE}/b", body="b")
    fake = FakeTime()
    polite = session(fake, min_interval=1.5)
    polite.get(f"{SITE}/a")
    fake.now += 0.5  # half a second of work between the two requests
    polite.get(f"{SITE}/b")
    assert fake.sleeps == [pytest.approx(1.0)]
    assert http.calls[0].request.headers["User-Agent"] == USER_AGENT


def test_429_waits_as_long_as_retry_after_says_then_succeeds(http):
    http.add(responses.GET, f"{SITE}/a", status=429, headers={"Retry-After": "7"})
    http.add(responses.GET, f"{SITE}/a", body="at last")
    fake = FakeTime()
    assert session(fake, min_interval=0).get(f"{SITE}/a").text == "at last"
    assert fake.sleeps == [7.0]
    assert len(http.calls) == 2


def test_retry_after_as_an_http_date(http):
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    http.add(responses.GET, f"{SITE}/a", status=503, headers={"Retry-After": when})
    http.add(responses.GET, f"{SITE}/a", body="ok")
    fake = FakeTime()
    session(fake, min_interval=0).get(f"{SITE}/a")
    assert len(fake.sleeps) == 1 and 27 <= fake.sleeps[0] <= 30


def test_retry_after_is_capped_by_max_wait(http):
    http.add(responses.GET, f"{SITE}/a", status=429, headers={"Retry-After": "86400"})
    http.add(responses.GET, f"{SITE}/a", body="ok")
    fake = FakeTime()
    session(fake, min_interval=0, max_wait=60).get(f"{SITE}/a")
    assert fake.sleeps == [60]


def test_backoff_doubles_without_retry_after_then_gives_up(http):
    http.add(responses.GET, f"{SITE}/a", status=503)
    fake = FakeTime()
    with pytest.raises(FetchError, match="HTTP 503"):
        session(fake, min_interval=0, retries=3, backoff=2.0).get(f"{SITE}/a")
    assert fake.sleeps == [2.0, 4.0, 8.0]
    assert len(http.calls) == 4  # the first try and three retries


def test_connection_errors_are_retried_then_reported(http):
    http.add(responses.GET, f"{SITE}/a", body=requests.ConnectionError("connection reset"))
    fake = FakeTime()
    with pytest.raises(FetchError, match="ConnectionError: connection reset"):
        session(fake, min_interval=0, retries=1).get(f"{SITE}/a")
    assert len(http.calls) == 2


def test_client_errors_are_not_retried(http):
    http.add(responses.GET, f"{SITE}/gone", status=404)
    fake = FakeTime()
    with pytest.raises(FetchError, match="HTTP 404"):
        session(fake, min_interval=0).get(f"{SITE}/gone")
    assert len(http.calls) == 1 and fake.sleeps == []


def test_declared_size_over_the_cap_is_refused(http):
    http.add(responses.GET, f"{SITE}/huge", body=b"x", headers={"Content-Length": str(30 * 1024**2)})
    with pytest.raises(FetchError, match="30 MiB is more than 25 MiB"):
        session(FakeTime()).get(f"{SITE}/huge")


def test_undeclared_body_over_the_cap_is_refused(http):
    http.add(responses.GET, f"{SITE}/chunked", body=b"x" * (3 * 1024**2))
    with pytest.raises(FetchError, match="larger than 2 MiB"):
        session(FakeTime(), max_bytes=2 * 1024**2).get(f"{SITE}/chunked")


def test_a_body_that_breaks_off_is_a_fetch_error(http, monkeypatch):
    http.add(responses.GET, f"{SITE}/a", body=b"partial")

    def broken(self, chunk_size=1):
        raise requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead")

    monkeypatch.setattr(requests.Response, "iter_content", broken)
    with pytest.raises(FetchError, match="ChunkedEncodingError"):
        session(FakeTime()).get(f"{SITE}/a")


def test_redirects_are_followed_on_allowed_hosts_only(http):
    http.add(responses.GET, f"{SITE}/old", status=301, headers={"Location": "/new"})
    http.add(responses.GET, f"{SITE}/new", body="moved here")
    http.add(responses.GET, f"{SITE}/away", status=302, headers={"Location": "https://elsewhere.example/x"})
    polite = session(FakeTime())
    response = polite.get(f"{SITE}/old")
    assert response.text == "moved here" and response.url == f"{SITE}/new"
    with pytest.raises(FetchError, match="elsewhere.example/x: refused, outside minji.example"):
        polite.get(f"{SITE}/away")
    assert [call.request.url for call in http.calls] == [f"{SITE}/old", f"{SITE}/new", f"{SITE}/away"]


def test_within_keeps_the_address_and_its_redirects_to_the_accounts_own_pages(http):
    http.add(responses.GET, f"{SITE}/~minji/", status=301, headers={"Location": "/~minji/home"})
    http.add(responses.GET, f"{SITE}/~minji/home", status=302, headers={"Location": "/~mallory/"})
    http.add(responses.GET, f"{SITE}/~minji/about", status=302, headers={"Location": "/~minji/about/"})
    http.add(responses.GET, f"{SITE}/~minji/about/", body="about")
    polite = session(FakeTime())

    def mine(url: str) -> bool:
        return url.startswith(f"{SITE}/~minji/")

    with pytest.raises(FetchError, match="~mallory/: refused, outside the account's own pages"):
        polite.get(f"{SITE}/~minji/", within=mine)
    with pytest.raises(FetchError, match="refused, outside"):
        polite.get(f"{SITE}/~mallory/", within=mine)
    response = polite.get(f"{SITE}/~minji/about", within=mine)
    assert addresses(response) == [f"{SITE}/~minji/about", f"{SITE}/~minji/about/"]  # the redirect is remembered
    assert f"{SITE}/~mallory/" not in [call.request.url for call in http.calls]


def test_redirect_loops_end(http):
    http.add(responses.GET, f"{SITE}/loop", status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchError, match="too many redirects"):
        session(FakeTime(), max_redirects=3).get(f"{SITE}/loop")
    assert len(http.calls) == 4


@pytest.mark.parametrize("url", ["https://elsewhere.example/", "file:///etc/passwd", "ftp://minji.example/x"])
def test_other_hosts_and_schemes_are_never_requested(http, url):
    with pytest.raises(FetchError, match="refused"):
        session(FakeTime()).get(url)
    assert len(http.calls) == 0
