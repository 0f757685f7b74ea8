"""Network politeness in one place: every request photo-audit makes goes through PoliteSession.

Only collection from live sources (the user's own site, feed or profile) talks to the network;
analysis and the report never do. One session per account: a timeout on every request, a
minimum interval between requests, retries with backoff on 429 and 5xx (honouring Retry-After),
a cap on response size, and redirects followed only within the allowed hosts (and, when the caller
says so, only within the account's own pages). A response keeps the redirects that led to it in
`history`, as requests does: a proof of control must not come from an address that carries the token.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Callable
from urllib.parse import urljoin, urlsplit

import requests

from . import __version__
from .errors import InputError

USER_AGENT = f"photo-audit/{__version__} (auditing the owner's own photos; +https://pypi.org/project/photo-audit/)"
RETRY_STATUSES = {429, 500, 502, 503, 504}


class FetchError(InputError):
    """A request that failed for good: the message says why, for the per-item error row."""


@dataclass
class PoliteSession:
    allowed_hosts: set[str]
    min_interval: float = 1.0  # seconds between the start of two requests
    timeout: float = 20.0
    retries: int = 4
    backoff: float = 2.0  # first wait after a 429/5xx without Retry-After; doubles each time
    max_wait: float = 120.0  # never sleep longer than this for one retry
    max_bytes: int = 25 * 1024**2  # responses larger than this are refused
    max_redirects: int = 5
    session: requests.Session = field(default_factory=requests.Session)
    sleep: callable = time.sleep  # tests replace it to run without waiting
    clock: callable = time.monotonic
    _last: float | None = None

    def __post_init__(self) -> None:
        self.session.headers["User-Agent"] = USER_AGENT

    def get(self, url: str, within: Callable[[str], bool] | None = None) -> requests.Response:
        """GET with politeness; raises FetchError for a refused host, an error status or a huge body.

        `within`, when given, says which addresses are the account's own: the address and every redirect
        must be one of them (a redirect elsewhere on the same host is someone else's page).
        """
        history: list[requests.Response] = []
        for _ in range(self.max_redirects + 1):
            self._check_host(url)
            if within and not within(url):
                raise FetchError(f"{url}: refused, outside the account's own pages")
            response = self._get_with_retries(url)
            if not response.is_redirect:
                response.history = history
                return response
            history.append(response)
            url = urljoin(url, response.headers.get("Location", ""))
        raise FetchError(f"{url}: too many redirects")

    def _check_host(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.hostname not in self.allowed_hosts:
            raise FetchError(f"{url}: refused, outside {', '.join(sorted(self.allowed_hosts))}")

    def _get_with_retries(self, url: str) -> requests.Response:
        wait = self.backoff
        for attempt in range(self.retries + 1):
            self.keep_interval()
            try:
                response = self.session.get(url, timeout=self.timeout, allow_redirects=False, stream=True)
            except requests.RequestException as exc:
                if attempt == self.retries:
                    raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
            else:
                if response.status_code not in RETRY_STATUSES or attempt == self.retries:
                    return self._finish(url, response)
                wait = _retry_after(response, wait)
                response.close()
            self.sleep(min(wait, self.max_wait))
            wait *= 2
        raise AssertionError("unreachable: the last attempt returns or raises")

    def keep_interval(self) -> None:
        """Wait until min_interval has passed since the last request (also for requests made elsewhere)."""
        now = self.clock()
        if self._last is not None and now - self._last < self.min_interval:
            self.sleep(self.min_interval - (now - self._last))
        self._last = self.clock()

    def _finish(self, url: str, response: requests.Response) -> requests.Response:
        if response.status_code >= 400:
            response.close()
            raise FetchError(f"{url}: HTTP {response.status_code} {response.reason or ''}".rstrip())
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            response.close()
            raise FetchError(f"{url}: refused, {int(declared) // 1024**2} MiB is more than {self.max_bytes // 1024**2} MiB")
        body = bytearray()
        try:
            for chunk in response.iter_content(64 * 1024):
                body += chunk
                if len(body) > self.max_bytes:
                    response.close()
                    raise FetchError(f"{url}: refused, the response is larger than {self.max_bytes // 1024**2} MiB")
        except requests.RequestException as exc:  # the connection broke off in the middle of the body
            response.close()
            raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
        response._content = bytes(body)  # read once, capped: later .content/.text use this
        return response


def addresses(response: requests.Response) -> list[str]:
    """Every address asked for to get this response: the redirects that led to it, then its own."""
    return [hop.url for hop in response.history] + [response.url]


def _retry_after(response: requests.Response, default: float) -> float:
    """Seconds the server asked us to wait (a number or an HTTP date), else the backoff default."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return default
