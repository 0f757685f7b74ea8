"""Images of web pages and feeds, shared by the website and feed sources: not a source, not registered.

- WebSource: their base class (located by `url`, live, one PoliteSession, the proof-of-control rule).

- Where HTML names its images: og:image, twitter:image, one address per `img` or `picture` source (the
  largest `srcset` candidate, else data-lazy-src (Naver) / data-src / data-original, else src), Naver's
  `data-linkdata` JSON, and links straight to an image file (a lightbox's full size). URLs are made
  absolute and original-sized, each listed once. SVG, ICO and GIF files are never photos: skipped.
- Originals: Naver's pstatic resizes through `?type=w773` (dropped); Tistory's daumcdn thumbnails name
  the original in `fname`.
- Bytes: fetched through the account's one PoliteSession, which may reach the account's own hosts and
  the blogs' image hosts (MEDIA_HOSTS), into its cache folder (audit/cache.py); a re-run reads them
  from there. A response that is not an image is an ItemError, never a cached file.
- Proof of control (audit/proof.py): the token counts in a page's <head> only (head_texts: the
  verification meta tag, the title, the site's name and description), never in the body, where comments,
  guestbook entries and "recent comments" boxes are visitors' words; and never when an address asked
  for carries it. Pages are read only within the account's own address (under).
- Times: ISO 8601 (HTML, Atom) or RFC 822 (RSS, `+0900`), kept only with their zone.
"""

from __future__ import annotations

import json
import os
import re
import time
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path, PurePosixPath
from typing import Iterable, Iterator, NamedTuple
from urllib.parse import parse_qs, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag
from bs4.exceptions import ParserRejectedMarkup

from ... import proof
from ...errors import AuditError, InputError
from ...inventory import imaging
from ...inventory.cache import cache_dir, url_file_name
from ...models import Item, ItemError, Origin
from ...net import PoliteSession
from ..base import Source
from .meta_records import has_utc

# Image hosts of the blogs formats.md describes. Only images are read from them, never pages.
NAVER_MEDIA_HOSTS = {
    "postfiles.pstatic.net", "blogfiles.pstatic.net", "blogthumb.pstatic.net",
    "mblogthumb-phinf.pstatic.net", "blogpfthumb-phinf.pstatic.net",
}
TISTORY_MEDIA_HOSTS = {"blog.kakaocdn.net", "img1.daumcdn.net", "t1.daumcdn.net", "tistory1.daumcdn.net"}
MEDIA_HOSTS = frozenset(NAVER_MEDIA_HOSTS | TISTORY_MEDIA_HOSTS)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".jpe", ".png", ".webp", ".heic", ".heif", ".avif"}
# Icons, drawings and spacer GIFs are never a photo this tool reads: never fetched.
NOT_PHOTO_SUFFIXES = {".svg", ".ico", ".gif"}
LAZY_ATTRIBUTES = ("data-lazy-src", "data-src", "data-original")
META_IMAGES = {"og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"}
SUFFIX_OF_FORMAT = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "WEBP": ".webp", "HEIF": ".heic", "AVIF": ".avif"}
MAX_CAPTION = 4000  # characters: a feed's description can be a whole post
EXPORT_HINT = "download your images from the blog's or site's admin and audit them as a folder"
# The <head> meta tags only the site's owner writes: the verification tag, the site's name and description.
OWNER_META = {proof.META_NAME, "description", "og:title", "og:site_name", "og:description", "twitter:title",
              "twitter:description"}
# Where a blog's owner writes about the blog (README, "Proving a site or blog is yours").
BLOG_DESCRIPTION = "the blog's description (Naver Blog: 소개글; Tistory: 블로그 설명)"


class Found(NamedTuple):
    url: str  # absolute, original size
    alt: str | None = None  # the img's alt text


class WebSource(Source):
    """What the website and feed sources share: an address, live collection, one polite session."""

    needs = "url"
    live = True
    sleep = staticmethod(time.sleep)  # tests replace it to run without waiting

    def open_session(self, hosts: frozenset[str]) -> PoliteSession:
        """The account's one session: its own hosts, and the blogs' image hosts for media."""
        return PoliteSession(allowed_hosts=set(hosts | MEDIA_HOSTS), sleep=self.sleep)

    def require_proof(self, seen: bool, where: str, place: str) -> None:
        """Record whether the token was seen; without it, go on only if an earlier run saw it."""
        self.proof_seen = seen
        if not seen and not self.proven_before:
            raise proof.refuse(where, self.proof_token, EXPORT_HINT, place)


def site_hosts(url: str) -> frozenset[str]:
    """The host of a configured address and its www twin (example.com redirecting to www. is common).

    InputError when the address is not an http(s) URL with a plain host name.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", host):
        raise InputError(f"{url}: not a web address (expected https://host/...)")
    bare = host.removeprefix("www.")
    return frozenset({bare, "www." + bare})


def site_path(url: str) -> tuple[str, str]:
    """Host (lower case, without "www.") and path (without a trailing slash) of an address: which site, which part."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2].lower()  # with its port, if any: another port is another server
    return host.removeprefix("www."), parts.path.rstrip("/")


def under(url: str, account_url: str) -> bool:
    """The address is the account's own: same site, its path the account's path or below it, and the account's
    query parameters, if it has any (`viewtopic.php?t=123` is one topic of a forum, not the whole forum)."""
    host, path = site_path(url)
    own_host, own_path = site_path(account_url)
    own_query = set(parse_qsl(urlsplit(account_url).query, keep_blank_values=True))
    return (
        host == own_host
        and (path == own_path or path.startswith(own_path + "/"))
        and own_query <= set(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    )


def head_texts(soup: BeautifulSoup) -> list[str]:
    """What the site's owner writes in the page's <head>: its title and the OWNER_META contents.

    A tag inside <body> does not count even when a page without `</head>` nests its body in the head.
    """
    if soup.head is None:
        return []
    tags = [tag for tag in soup.head.find_all(["title", "meta"]) if tag.find_parent("body") is None]
    titles = [tag.get_text() for tag in tags if tag.name == "title"]
    return titles + [tag.get("content") or "" for tag in tags if _meta_name(tag) in OWNER_META]


def _meta_name(tag: Tag) -> str:
    return (tag.get("property") or tag.get("name") or "").lower() if tag.name == "meta" else ""


def soup_of(html: str | bytes, encoding: str | None = None) -> BeautifulSoup:
    """Parsed HTML; InputError for markup Python's parser gives up on (an unknown `<![...[` section)."""
    try:
        return BeautifulSoup(html, "html.parser", from_encoding=encoding if isinstance(html, bytes) else None)
    except ParserRejectedMarkup as exc:
        # The parser's own words are the last line, "AssertionError: ...", after Beautiful Soup's advice.
        words = str(exc).rpartition("\n")[2].partition(": ")[2] or str(exc)
        raise InputError(f"not readable HTML: {words}") from exc


def meta_content(soups: Iterable[BeautifulSoup], *names: str) -> str | None:
    """The first non-empty `<meta property|name=...>` content, trying the names in order."""
    soups = list(soups)
    for name in names:
        for soup in soups:
            for meta in soup.find_all("meta", content=True):
                if _meta_name(meta) == name and meta["content"].strip():
                    return meta["content"].strip()
    return None


def image_urls(soup: BeautifulSoup, base: str) -> Iterator[Found]:
    """Every image the HTML names, in page order, absolute and original-sized (repeats possible).

    One address per `img` (or `picture` source): the largest srcset candidate, else the lazy-loaded
    address, else `src`, which lazy pages fill with a placeholder.
    """
    for meta in soup.find_all("meta", content=True):
        if _meta_name(meta) in META_IMAGES:
            yield from _found(meta["content"], base)
    for tag in soup.find_all(["img", "source", "a"]):
        if tag.name == "a":
            href = absolute(base, tag.get("href") or "")
            if href and PurePosixPath(urlsplit(href).path).suffix.lower() in IMAGE_SUFFIXES:
                yield from _found(href, base)
            for src in _linkdata_sources(tag):
                yield from _found(src, base)
            continue
        srcset = largest_in_srcset(tag.get("srcset") or tag.get("data-srcset") or "")
        lazy = next((tag[name] for name in LAZY_ATTRIBUTES if tag.get(name)), None)
        yield from _found(srcset or lazy or tag.get("src"), base, (tag.get("alt") or "").strip() or None)


def unique_images(found: Iterable[Found]) -> list[Found]:
    """Each image once, where it first appears, with the first alt text found for it."""
    unique: dict[str, Found] = {}
    for image in found:
        if image.url not in unique or (image.alt and not unique[image.url].alt):
            unique[image.url] = image  # a dict keeps the first position of a key it updates
    return list(unique.values())


def _found(raw: str | None, base: str, alt: str | None = None) -> Iterator[Found]:
    url = image_url(raw, base)
    if url:
        yield Found(url, alt)


def image_url(raw: str | None, base: str) -> str | None:
    """An absolute http(s) address of a photo's original, or None (data:, javascript:, an icon...)."""
    url = absolute(base, raw) if raw and raw.strip() else None
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if PurePosixPath(parts.path).suffix.lower() in NOT_PHOTO_SUFFIXES:
        return None
    return original(urlunsplit(parts._replace(fragment="")))


def absolute(base: str, raw: str) -> str | None:
    """`raw` (an href, a src) made absolute against `base`; None when urllib cannot read either as an address
    (an unclosed IPv6 bracket, "http://[x/a.jpg"), which no browser could fetch either."""
    try:
        url = urljoin(base, raw.strip())
        urlsplit(url)  # urljoin returns one of the two unread when the other is empty
    except ValueError:
        return None
    return url


def hostname(url: str) -> str | None:
    """The host of an address; None when it has none, or urllib cannot read it as an address."""
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _linkdata_sources(tag: Tag) -> list[str]:
    """Naver's SmartEditor keeps each image's full size in `data-linkdata` JSON: {"src": ..., ...}."""
    try:
        data = json.loads(tag.get("data-linkdata") or "null")
    except (ValueError, RecursionError):
        return []
    return [data["src"]] if isinstance(data, dict) and isinstance(data.get("src"), str) else []


def largest_in_srcset(srcset: str) -> str | None:
    """The candidate with the largest width (`800w`) or density (`2x`) descriptor."""
    best, best_size = None, -1.0
    # A candidate ends at a comma followed by a space, or right after a descriptor ("a.jpg 1x,b.jpg 2x"):
    # commas inside URLs (Cloudinary's w_300,h_200) are neither.
    for candidate in re.split(r",(?=\s)|(?<=\d[wx]),", srcset):
        parts = candidate.split()
        if not parts:
            continue
        size = float(parts[1][:-1]) if len(parts) > 1 and re.fullmatch(r"\d+(\.\d+)?[wx]", parts[1]) else 1.0
        if size > best_size:
            best, best_size = parts[0].rstrip(","), size
    return best


def original(url: str) -> str:
    """The full-size address of a resized blog image; other URLs unchanged."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host.endswith(".pstatic.net"):
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "type"]
        return urlunsplit(parts._replace(query=urlencode(query)))
    if host.endswith(".daumcdn.net") and parts.path.startswith("/thumb/"):
        fname = absolute("", parse_qs(parts.query).get("fname", [""])[0]) or ""
        if urlsplit(fname).scheme in ("http", "https"):
            return fname
    return url


def web_time(value: str | None) -> datetime | None:
    """An ISO 8601 or RFC 822 time; None when unreadable or without a zone (it would be a guess)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        try:
            stamp = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):  # OverflowError: a year of a dozen digits
            return None
    return stamp if stamp.tzinfo and has_utc(stamp) else None


def caption(*parts: str | None) -> str | None:
    """Title, description, alt text...: each once (a part inside another counts once), lines kept, capped."""
    unique: list[str] = []
    for part in parts:
        part = "\n".join(" ".join(line.split()) for line in (part or "").splitlines() if line.strip())
        if part and not any(part in kept for kept in unique):
            unique.append(part)
    return "\n".join(unique)[:MAX_CAPTION] or None


class MediaCache:
    """Image bytes of one account, fetched once through its session and kept for re-runs."""

    def __init__(self, session: PoliteSession, source: str, host: str):
        self.session = session
        self.folder = cache_dir(source, host)

    def origin(self, url: str) -> Origin:
        """Where the image's bytes are on disk; AuditError when it cannot be fetched or is not an image."""
        stem = url_file_name(url)
        cached = next(self.folder.glob(stem + ".*"), None)
        if cached is not None:
            return Origin(str(cached))
        data = self.session.get(url).content
        try:
            suffix = SUFFIX_OF_FORMAT[imaging.probe(data).format]
        except InputError as exc:  # an HTML error page, a GIF, a decompression bomb...
            raise InputError(f"{url}: {exc.message}") from exc
        return Origin(str(self._keep(stem + suffix, data)))

    def _keep(self, name: str, data: bytes) -> Path:
        """Written under a hidden name, then renamed: an interrupted run leaves no half file behind."""
        path = self.folder / name
        partial = self.folder / f".{name}.part"
        try:
            partial.write_bytes(data)
            os.replace(partial, path)
        except OSError as exc:  # a full disk, a read-only cache folder
            raise InputError(f"cannot keep a downloaded image in {self.folder}: {exc}") from exc
        return path


def image_items(
    cache: MediaCache, found: Iterable[Found], source_item: str, caption_text: str | None, **post
) -> Iterator[Item | ItemError]:
    """An Item per image (the post's fields shared, its alt text added to the caption), or its error."""
    for image in found:
        if urlsplit(image.url).hostname not in cache.session.allowed_hosts:
            yield ItemError(source_item, f"image {image.url}: on another host, not fetched", stage="skip")
            continue
        try:
            origin = cache.origin(image.url)
        except AuditError as exc:
            yield ItemError(source_item, exc.message)
            continue
        extra = {"alt": image.alt} if image.alt else {}
        yield Item(source_item, image.url, origin, caption=caption(caption_text, image.alt), extra=extra, **post)
