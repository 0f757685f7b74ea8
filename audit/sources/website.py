"""The user's own website or blog, crawled politely: its pages, and the images they show.

- Scope: the configured address and the pages below it (https://minji.example/ is the whole site,
  https://home.example/~minji/ only her folder), on its host and its www twin; on blog.naver.com, a host
  every Naver blogger shares, only the configured blog's pages. Links and redirects elsewhere are never
  followed: a proof of control covers the account's own pages, not its neighbours'.
- Politeness: robots.txt is read first and obeyed (its Crawl-delay too); at most MAX_PAGES pages, at
  most MAX_DEPTH links away from the start page; one PoliteSession (interval, retries, size cap).
- Proof of control: the start page (with its frames) must show the account's token where only the owner
  writes (audit/proof.py), before any other page is read: in the <head> (a `<meta
  name="photo-audit-verification">` tag, the title, the site's name or description) or, on Naver Blog, in
  the blog's introduction (소개글) in its profile box. Body text (comments, guestbook) never counts, nor a
  page whose address or redirects carry the token.
- Naver Blog: a post page wraps the post in an iframe (PostView.naver), which is read as part of the
  page; PostView links are read through their post address, so each post is read once under one id.
- Each image of a page is an Item of that page (post_id and url: the page address); a picture shown
  on two pages is two appearances of one photo. The site's profile picture (Naver's
  `naverblog:profile_image`) is a profile_photo.
- A page that is not HTML, is redirected off the site, or is too large is skipped with a note.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from itertools import chain
from pathlib import PurePosixPath
from typing import Iterator, NamedTuple
from urllib.parse import parse_qs, urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

from bs4 import BeautifulSoup

from .. import proof
from ..errors import AuditError, InputError
from ..models import Item, ItemError
from ..net import USER_AGENT, PoliteSession, addresses
from .readers.html_images import (
    BLOG_DESCRIPTION,
    EXPORT_HINT,
    IMAGE_SUFFIXES,
    Found,
    MediaCache,
    WebSource,
    absolute,
    caption,
    head_texts,
    image_items,
    image_url,
    image_urls,
    meta_content,
    site_hosts,
    soup_of,
    under,
    unique_images,
    web_time,
)
from .readers.meta_records import has_utc

MAX_PAGES = 200
MAX_DEPTH = 3  # links followed away from the start page
# Seconds between requests: a robots.txt that asks for more (some ask for a day) would keep the audit waiting for days.
MAX_CRAWL_DELAY = 60
HTML_TYPES = {"text/html", "application/xhtml+xml"}
# Links to these are documents, media or code, not pages: never requested.
NOT_PAGE_SUFFIXES = IMAGE_SUFFIXES | {
    ".pdf", ".zip", ".gz", ".rar", ".7z", ".mp3", ".mp4", ".mov", ".avi", ".doc", ".docx", ".xls", ".xlsx",
    ".ppt", ".pptx", ".hwp", ".exe", ".dmg", ".apk", ".svg", ".gif", ".ico", ".css", ".js", ".xml", ".json",
}
NAVER_BLOG_HOSTS = {"blog.naver.com", "m.blog.naver.com"}
NAVER_INTRO = "#profile .caption"  # the blog's introduction (소개글) in its profile box, written by its owner only
NAVER_DATE = re.compile(r"(\d{4})\.\s*(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{1,2}):(\d{2})")  # 2024. 5. 12. 14:03
KST = timezone(timedelta(hours=9))


class WebsiteSource(WebSource):
    name = "website"
    app = "website"
    description = "Your own website or blog (Naver Blog, Tistory...), crawled politely from its address"
    example = "examples/website.json"  # recorded answers, replayed offline

    def items(self) -> Iterator[Item | ItemError]:
        site = Site.of(self.account.url)
        crawler = Crawler(site, self.open_session(site.hosts), self.name)
        yield from crawler.read_robots()
        start, notes = crawler.start_page()
        seen = proof.shown(self.proof_token, owner_texts(start, site), start.addresses)
        tag = f'<meta name="{proof.META_NAME}" content="…">'
        self.require_proof(seen, site.start, f"a {tag} tag in the <head> of {site.start}, or in {BLOG_DESCRIPTION}")
        yield from notes
        yield from crawler.crawl(start)


@dataclass(frozen=True)
class Site:
    """Which addresses are pages of the user's site, and the one address each page is read under."""

    start: str
    hosts: frozenset[str]
    naver_id: str | None  # on blog.naver.com, the blog's id: every Naver blogger shares the host

    @classmethod
    def of(cls, url: str) -> "Site":
        hosts = site_hosts(url)
        naver_id = None
        if urlsplit(url).hostname in NAVER_BLOG_HOSTS:
            naver_id = naver_blog_id(url)
            if not naver_id:
                raise InputError(f"{url}: name the blog itself, as in https://blog.naver.com/<blog id>")
        site = cls(url, hosts, naver_id)
        return replace(site, start=site.page_url(url) or url)

    def contains(self, url: str) -> bool:
        if urlsplit(url).hostname not in self.hosts:
            return False
        return naver_blog_id(url) == self.naver_id if self.naver_id else under(url, self.start)

    def page_url(self, url: str) -> str | None:
        """The address a link is read under (no fragment; a Naver PostView as its post), or None: not ours."""
        if not self.contains(url):
            return None
        parts = urlsplit(url)
        parts = parts._replace(path=parts.path or "/", fragment="")
        log_no = parse_qs(parts.query).get("logNo", [""])[0]
        if self.naver_id and log_no.isdigit():
            return urlunsplit(parts._replace(path=f"/{self.naver_id}/{log_no}", query=""))
        return urlunsplit(parts)


def naver_blog_id(url: str) -> str | None:
    """`blogId=` of PostView.naver and the like, else the first path segment: blog.naver.com/<id>/<logNo>."""
    parts = urlsplit(url)
    first = parts.path.strip("/").split("/")[0]
    return parse_qs(parts.query).get("blogId", [""])[0] or (first if first and "." not in first else None)


class Page(NamedTuple):
    url: str
    documents: list[tuple[str, BeautifulSoup]]  # (address, parsed HTML): the page, then its frames
    addresses: list[str]  # every address requested for it, redirects included: none may carry the proof token


def owner_texts(page: Page, site: Site) -> list[str]:
    """What only the site's owner writes on the page: each document's <head>, and a Naver blog's introduction."""
    soups = [soup for _, soup in page.documents]
    intro = [tag.get_text(" ") for soup in soups for tag in soup.select(NAVER_INTRO)] if site.naver_id else []
    return [text for soup in soups for text in head_texts(soup)] + intro


class Crawler:
    def __init__(self, site: Site, session: PoliteSession, source: str):
        self.site = site
        self.session = session
        self.cache = MediaCache(session, source, urlsplit(site.start).hostname)
        self.robots = RobotFileParser(urljoin(site.start, "/robots.txt"))
        self.profiles: set[str] = set()  # profile pictures already collected

    def read_robots(self) -> Iterator[ItemError]:
        """A robots.txt that cannot be read counts as none, and a line of it that cannot be read as absent, with a
        note saying so; a site that asks to wait more than MAX_CRAWL_DELAY between requests is not crawled."""
        try:
            lines = self.session.get(self.robots.url).text.splitlines()
        except AuditError as exc:
            lines = []
            yield ItemError(self.robots.url, f"not read ({exc.message}): crawled as if there were none", "skip")
        readable = [line for line in lines if robots_readable(line)]
        if len(readable) < len(lines):
            yield ItemError(self.robots.url, f"{len(lines) - len(readable)} unreadable lines left out", "skip")
        self.robots.parse(readable)
        delay = self.robots.crawl_delay(USER_AGENT)
        if delay and delay > MAX_CRAWL_DELAY:
            raise InputError(f"{self.robots.url}: asks to wait more than {MAX_CRAWL_DELAY} s between requests, so "
                             f"reading the site would take days; {EXPORT_HINT}")
        if delay:
            self.session.min_interval = max(self.session.min_interval, float(delay))

    def start_page(self) -> tuple[Page, list[ItemError]]:
        """Read before any other page; an AuditError here means the site cannot be audited."""
        if not self.robots.can_fetch(USER_AGENT, self.site.start):
            raise InputError(f"{self.site.start}: robots.txt does not allow reading this page; {EXPORT_HINT}")
        return self.page(self.site.start)

    def crawl(self, start: Page) -> Iterator[Item | ItemError]:
        """Breadth first from the start page: each page's images, then its links."""
        queue = deque([(start.url, 0)])
        seen = {start.url}
        read = 0
        while queue:
            url, depth = queue.popleft()
            if read == MAX_PAGES:
                left = len(queue) + 1
                yield ItemError(self.site.start, f"stopped after {MAX_PAGES} pages: {left} more not read", "skip")
                return
            page = start if url == start.url else (yield from self.allowed_page(url))
            if page is None:
                continue
            read += 1
            yield from page_items(page, self.cache, self.profiles)
            links = page_links(page, self.site) if depth < MAX_DEPTH else []
            queue.extend((link, depth + 1) for link in links if link not in seen)
            seen.update(links)

    def allowed_page(self, url: str) -> Iterator[ItemError]:
        """Returns the page, or None with a note when robots.txt forbids it or it cannot be read."""
        if not self.robots.can_fetch(USER_AGENT, url):
            yield ItemError(url, "not read: robots.txt disallows it", stage="skip")
            return None
        try:
            page, notes = self.page(url)
        except AuditError as exc:
            yield ItemError(url, exc.message)
            return None
        yield from notes
        return page

    def page(self, url: str) -> tuple[Page, list[ItemError]]:
        """A page with its frames on the site (Naver's post iframe); notes for frames that could not be read."""
        soup, asked = self.document(url)
        documents, notes = [(url, soup)], []
        for frame in soup.find_all(["iframe", "frame"], src=True):
            frame_url = absolute(url, frame["src"])
            if not frame_url or not self.site.contains(frame_url) or not self.robots.can_fetch(USER_AGENT, frame_url):
                continue
            try:
                frame_soup, frame_asked = self.document(frame_url)
            except AuditError as exc:
                notes.append(ItemError(url, f"frame {exc.message}"))
                continue
            documents.append((frame_url, frame_soup))
            asked += frame_asked
        return Page(url, documents, asked), notes

    def document(self, url: str) -> tuple[BeautifulSoup, list[str]]:
        """One HTML document of the site, with the addresses asked for it; InputError (a note) when it is
        something else, FetchError when it is off the site or redirects off it."""
        response = self.session.get(url, within=self.site.contains)
        content_type = response.headers.get("Content-Type", "")
        if content_type.split(";")[0].strip().lower() not in HTML_TYPES:
            raise InputError(f"{url}: not a web page ({content_type or 'no content type'}): not read")
        charset = re.search(r"charset=[\"']?([\w.:-]+)", content_type)
        return soup_of(response.content, charset[1] if charset else None), addresses(response)


def robots_readable(line: str) -> bool:
    """Whether urllib's robots.txt parser can read the line: it raises ValueError on some (an Allow or Disallow
    address with an unclosed "[", a Crawl-delay in superscript digits), and one such line must not cost the rest."""
    try:
        RobotFileParser().parse(["User-agent: *", line])
    except ValueError:
        return False
    return True


def page_links(page: Page, site: Site) -> list[str]:
    """The site's pages this page links to, in order, each once."""
    links: dict[str, None] = {}
    for base, soup in page.documents:
        for anchor in soup.find_all("a", href=True):
            link = absolute(base, anchor["href"])
            url = site.page_url(link) if link else None
            if url and PurePosixPath(urlsplit(url).path).suffix.lower() not in NOT_PAGE_SUFFIXES:
                links[url] = None
    return list(links)


def page_items(page: Page, cache: MediaCache, profiles: set[str]) -> Iterator[Item | ItemError]:
    """The page's images as Items of one post. The blog's profile picture (Naver's `naverblog:profile_image`)
    is one profile_photo for the whole crawl (`profiles`), never a post's image, though pages show it."""
    soups = [soup for _, soup in page.documents]
    profile = image_url(meta_content(soups, "naverblog:profile_image"), page.url)
    if profile and profile not in profiles:
        profiles.add(profile)
        yield from image_items(cache, [Found(profile)], page.url, None, kind="profile_photo")
    found = unique_images(chain.from_iterable(image_urls(soup, base) for base, soup in page.documents))
    title = meta_content(soups, "og:title") or next((s.title.get_text(strip=True) for s in soups if s.title), None)
    text = caption(title, meta_content(soups, "og:description", "description"))
    post = {"post_id": page.url, "url": page.url, "posted_at": posted_at(soups)}
    yield from image_items(cache, [image for image in found if image.url not in profiles], page.url, text, **post)


def posted_at(soups: list[BeautifulSoup]) -> datetime | None:
    """article:published_time, else the first `<time datetime>`, else Naver's "2024. 5. 12. 14:03" (Korean time)."""
    values = [meta_content(soups, "article:published_time")]
    values += [tag["datetime"] for soup in soups for tag in soup.find_all("time", datetime=True)]
    for value in values:
        stamp = web_time(value)
        if stamp:
            return stamp
    for soup in soups:
        for tag in soup.select(".se_publishDate"):
            match = NAVER_DATE.search(tag.get_text())
            if match:
                return _naver_time(match)
    return None


def _naver_time(match: re.Match) -> datetime | None:
    try:
        stamp = datetime(*(int(part) for part in match.groups()), tzinfo=KST)
    except ValueError:  # 2024. 13. 45.
        return None
    return stamp if has_utc(stamp) else None  # 0001. 1. 1. in Korea is before year 1 in UTC
