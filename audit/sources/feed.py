"""RSS 2.0 and Atom feeds of the user's own blog (Naver Blog, Tistory, a personal site): posts and images.

- One request for the feed, which lists recent posts only (Naver and Tistory: the latest 10 to 50);
  the website source or a download from the blog's admin covers the rest. Feeds are published for
  programs to read, so, like feed readers, this source does not consult robots.txt.
- Parsed with xml.etree (the standard library: lxml and feedparser are not installed). A document
  that declares XML entities is refused before parsing (no entity bombs, no external entities: a
  feed never needs them), and the Expat it runs on (2.4 or later) limits entity expansion as well.
  CDATA sections (Naver) and escaped HTML (Tistory, Atom) read the same.
- Images: inside the description, content:encoded or Atom content HTML (audit/sources/html_images.py),
  enclosures, Atom enclosure links and media:content / media:thumbnail. The channel image (Naver and
  Tistory put the blog's profile picture there) or Atom logo is a profile_photo.
- Items: post_id from the guid or Atom id, url from the permalink, time from pubDate (`+0900`),
  dc:date, Atom published or updated, caption from the title, the description's text and the tags
  (categories, Naver's <tag>).
- Proof of control (audit/proof.py): the token in the feed's own title or description (RSS channel,
  Atom feed title and subtitle: the blog's name and description, which Naver and Tistory put there), never
  in an item (a post or a comment feed's entry); else in the <head> of the home page the feed links to,
  when that page is on the feed's own host. The feed and the home page are read only at and below their
  own address, and neither counts when an address asked for carries the token.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from itertools import chain
from typing import Iterator, NamedTuple
from urllib.parse import urlsplit

from .. import proof
from ..errors import AuditError, InputError, UnsafeInputError
from ..models import Item, ItemError
from ..net import PoliteSession, addresses
from .readers.html_images import (
    BLOG_DESCRIPTION,
    Found,
    MediaCache,
    WebSource,
    caption,
    head_texts,
    hostname,
    image_items,
    image_url,
    image_urls,
    site_hosts,
    soup_of,
    under,
    unique_images,
    web_time,
)

ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_DATE = "{http://purl.org/dc/elements/1.1/}date"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
XHTML = "http://www.w3.org/1999/xhtml"


class FeedSource(WebSource):
    name = "feed"
    app = "website"
    description = "Your own blog's RSS or Atom feed (Naver Blog, Tistory...): recent posts and their images"
    example = "examples/feed.json"  # recorded answers, replayed offline

    def items(self) -> Iterator[Item | ItemError]:
        url = self.account.url
        hosts = site_hosts(url)
        session = self.open_session(hosts)
        response = session.get(url, within=lambda address: under(address, url))
        feed = parse_feed(response.content, url)
        self.check_proof(feed, addresses(response), session, hosts)
        cache = MediaCache(session, self.name, urlsplit(url).hostname)
        profile = image_url(feed.image, url)
        if profile:
            yield from image_items(cache, [Found(profile)], url, None, kind="profile_photo")
        for index, entry in enumerate(feed.entries):
            yield from entry_items(entry, cache, f"{url} item {index}")

    def check_proof(self, feed: Feed, asked: list[str], session: PoliteSession, hosts: frozenset[str]) -> None:
        """The token in the feed's own title or description, else (when not proven on an earlier run) in the
        <head> of its home page."""
        seen = proof.shown(self.proof_token, feed.about, asked) or (
            not self.proven_before and home_shows_token(feed.home, self.proof_token, session, hosts)
        )
        self.require_proof(seen, f"the blog of {self.account.url}", BLOG_DESCRIPTION)


def home_shows_token(home: str | None, token: str | None, session: PoliteSession, hosts: frozenset[str]) -> bool:
    if not home or hostname(home) not in hosts:
        return False
    try:
        response = session.get(home, within=lambda address: under(address, home))
        head = head_texts(soup_of(response.content))
    except AuditError:  # a home page that cannot be fetched or read shows nothing
        return False
    return proof.shown(token, head, addresses(response))


class Entry(NamedTuple):
    post_id: str | None
    url: str | None
    title: str | None
    html: str  # the description or content, as HTML
    base: str  # what relative addresses in the HTML are relative to
    posted_at: datetime | None
    media: list[str]  # enclosures and Media RSS addresses
    tags: list[str]


class Feed(NamedTuple):
    home: str | None
    image: str | None
    entries: list[Entry]
    about: list[str]  # the feed's own title and description, which only the blog's owner writes


def entry_items(entry: Entry, cache: MediaCache, source_item: str) -> Iterator[Item | ItemError]:
    try:
        soup = soup_of(entry.html)
    except InputError as exc:  # this post's HTML only: the other posts are read
        yield ItemError(source_item, exc.message)
        return
    attached = (Found(url) for url in (image_url(raw, entry.base) for raw in entry.media) if url)
    found = unique_images(chain(image_urls(soup, entry.base), attached))
    hashtags = " ".join("#" + "".join(tag.split()) for tag in entry.tags)
    text = caption(entry.title, soup.get_text(" "), hashtags)
    post = {"post_id": entry.post_id, "url": entry.url, "posted_at": entry.posted_at}
    yield from image_items(cache, found, source_item, text, **post)


def parse_feed(raw: bytes, url: str) -> Feed:
    """RSS 2.0 or Atom; InputError when the document is neither (an HTML page, a broken file)."""
    root = parse_xml(raw, url)
    if root.tag == "rss" and root.find("channel") is not None:
        return rss_feed(root.find("channel"), url)
    if root.tag == ATOM + "feed":
        return atom_feed(root, url)
    raise InputError(f"{url}: not an RSS 2.0 or Atom feed (the document is <{root.tag}>)")


def parse_xml(raw: bytes, url: str) -> ET.Element:
    raw = raw.lstrip()  # blank lines before the XML declaration are a common server slip
    if b"<!ENTITY" in raw:
        raise UnsafeInputError(f"{url}: refused, the document declares XML entities (a feed never needs them)")
    try:
        return ET.fromstring(raw)
    except (ET.ParseError, LookupError) as exc:  # LookupError: the XML declaration names an unknown encoding
        raise InputError(f"{url}: not a readable feed: {exc}") from exc


def rss_feed(channel: ET.Element, url: str) -> Feed:
    home = _text(channel, "link")
    entries = [rss_entry(item, home or url) for item in channel.findall("item")]
    return Feed(home, _text(channel, "image/url"), entries, _texts(channel, "title", "description"))


def rss_entry(item: ET.Element, base: str) -> Entry:
    link = _text(item, "link")
    guid = item.find("guid")
    guid_text = _text(item, "guid")
    is_link = guid is not None and guid.get("isPermaLink", "true") != "false" and (guid_text or "").startswith("http")
    permalink = guid_text if is_link else link
    enclosures = [e.get("url") for e in item.findall("enclosure") if e.get("type", "image/").startswith("image/")]
    tags = [c.text.strip() for c in item.findall("category") if c.text and c.text.strip()]
    tags += [tag.strip() for tag in (_text(item, "tag") or "").split(",") if tag.strip()]  # Naver: "졸업식,한빛고"
    return Entry(
        post_id=guid_text or link,
        url=permalink,
        title=_text(item, "title"),
        html=_text(item, CONTENT_ENCODED) or _text(item, "description") or "",
        base=permalink or base,
        posted_at=web_time(_text(item, "pubDate") or _text(item, DC_DATE)),
        media=enclosures + media_rss(item),
        tags=tags,
    )


def atom_feed(root: ET.Element, url: str) -> Feed:
    home = atom_link(root, "alternate")
    entries = [atom_entry(entry, home or url) for entry in root.findall(ATOM + "entry")]
    return Feed(home, _text(root, ATOM + "logo"), entries, _texts(root, ATOM + "title", ATOM + "subtitle"))


def atom_entry(entry: ET.Element, base: str) -> Entry:
    link = atom_link(entry, "alternate")
    content = entry.find(ATOM + "content")
    if content is None:
        content = entry.find(ATOM + "summary")
    enclosures = [
        link.get("href") for link in entry.findall(ATOM + "link")
        if link.get("rel") == "enclosure" and link.get("type", "image/").startswith("image/")
    ]
    published = _text(entry, ATOM + "published") or _text(entry, ATOM + "updated")
    return Entry(
        post_id=_text(entry, ATOM + "id") or link,
        url=link,
        title=_text(entry, ATOM + "title"),
        html=atom_html(content),
        base=(content.get(XML_BASE) if content is not None else None) or link or base,
        posted_at=web_time(published),
        media=enclosures + media_rss(entry),
        tags=[c.get("term") for c in entry.findall(ATOM + "category") if c.get("term")],
    )


def atom_link(element: ET.Element, rel: str) -> str | None:
    for link in element.findall(ATOM + "link"):
        if link.get("rel", "alternate") == rel and link.get("href"):
            return link.get("href")
    return None


def atom_html(content: ET.Element | None) -> str:
    """Atom content of type html or text is a string; xhtml is markup, written back out as plain HTML."""
    if content is None:
        return ""
    if content.get("type") != "xhtml":
        return content.text or ""
    div = content.find(f"{{{XHTML}}}div")
    if div is None:
        return ""
    for element in div.iter():  # {http://www.w3.org/1999/xhtml}img -> img
        element.tag = element.tag.rpartition("}")[2]
    try:
        return ET.tostring(div, encoding="unicode")
    except RecursionError:  # markup nested thousands deep: keep its text for the caption
        return " ".join(div.itertext())


def media_rss(element: ET.Element) -> list[str]:
    """media:content of an image, and media:thumbnail, at any depth (media:group holds them too)."""
    urls = []
    for media in element.iter(MEDIA + "content"):
        if media.get("medium") == "image" or media.get("type", "").startswith("image/"):
            urls.append(media.get("url"))
    urls += [thumb.get("url") for thumb in element.iter(MEDIA + "thumbnail")]
    return [url for url in urls if url]


def _text(element: ET.Element, path: str) -> str | None:
    return (element.findtext(path) or "").strip() or None


def _texts(element: ET.Element, *paths: str) -> list[str]:
    """The element's own children at these paths (findtext looks no deeper: never an item's)."""
    return [text for text in (_text(element, path) for path in paths) if text]
