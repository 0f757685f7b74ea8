"""Fuzzing (issue 11): every source's parser and the EXIF/XMP reader, fed damaged and arbitrary input.

A source may only yield Items and ItemErrors that the inventory can store, or raise an AuditError (the whole
account is unreadable); the metadata reader may only return what it found. Anything else raised in a source's
generator ends the account there: the items after the damaged one would never be read. No case may hang.

Input is the real fixtures, damaged the way exports and pages get damaged: JSON with a value replaced, removed or
wrapped, bytes flipped, cut, repeated or spliced in, parser tokens inserted, files renamed or removed. The suite
runs each target on a few derandomized cases (the same every run); tools/fuzz.py runs them on many more.
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import json
import lzma
import math
import re
import signal
import struct
import time
import warnings
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Callable
from unittest import mock

import pytest
import requests
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from PIL import Image
from PIL.TiffImagePlugin import IFDRational

from audit.config import Account
from audit.errors import AuditError, InputError
from audit.inventory import archive
from audit.inventory.archive import ExportTree
from audit.metadata.exifdata import PhotoMetadata, read_metadata
from audit.metadata.flir import read_flir_gps
from audit.models import Item, ItemError, Origin
from audit.net import FetchError
from audit.sources import SOURCES, feed, instaloader_folder, website
from audit.sources.readers import html_images
from audit.sources.readers.meta_records import parse_json

from .conftest import FIXTURES
from .test_tiktok_live import tiktok_target

FORMATS = FIXTURES / "formats"
HANG_SECONDS = 10  # a case still running after this long is a hang, reported as a failure
DOCUMENT_SUFFIXES = (".json", ".js", ".xz", ".html", ".txt", ".xml")
JS_WRAPPER = re.compile(rb"^\s*window\.[\w.]+\s*=\s*")  # X archives: `window.YTD.tweets.part0 = [...]`
TOKEN = "photo-audit-verify-5f3a9c1e27"  # the proof of control in the pages and feeds of the fixtures


# --- damage -----------------------------------------------------------------------------------------------

# Values that break parsers: out-of-range numbers and times, empty and huge text, bidi and
# surrogate characters, escaping paths, the wrong container (copied: a later change may go inside it).
TRICKY = st.sampled_from([
    0, -1, 2**63, 10**30, 1e308, -1e308, 0.5, True, None, "", " ", "0", "-0", "NaN", "1e999", "١٢٣",
    "\u202e", "\ud800", "\x00", "%", "[", "http://[", "https://[::1", "../../x.jpg", "/etc/passwd", "C:\\x.jpg",
    "2024-01-01T00:00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "Sat Aug 16 20:47:42 +0000 2014",
    "Feb 30, 2024 6:11 pm", "2024년 13월 45일 오후 25:99", "x" * 5000, [], {}, [[[[[]]]]], {"": {}},
]).map(copy.deepcopy)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20),
    st.text(st.characters(categories=["Cs", "Cf", "Cc", "Zs", "Lo"]), max_size=5),  # surrogates, controls, bidi
)
ANY_JSON = st.recursive(
    st.one_of(SCALARS, TRICKY),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
DELETE = object()
# Bytes that mean something to the parsers: spliced in anywhere, they reach code that random bytes seldom do.
TOKENS = [
    b"<", b">", b"</", b"<table>", b"<tr>", b"<td>", b"</td>", b"<div>", b"</div>", b"<img src=", b" srcset=\"",
    b"<a href=\"", b"<iframe src=\"", b"<meta name=\"", b"<head>", b"<body>", b"<title>", b"<time datetime=\"",
    b"<![CDATA[", b"]]>", b"<!ENTITY", b"<!--", b"&#0;", b"&amp;", b"&#x202e;", b"\x00", b"\\u0000", b"\\ud800",
    b"\"", b"'", b"{", b"}", b"[", b"]", b",", b":", b"null", b"-1e999", b"window.YTD.tweets.part0 = ",
    b"Latitude", b"Longitude", b"\xec\x9c\x84\xeb\x8f\x84", b"Tagged users", b"http://[", b"?q=", b"xmlns=\"",
    b"\xff\xd8", b"\xff\xe1", b"Exif\x00\x00", b"MM\x00*", b"II*\x00", b"\xff\xff\xff\x7f", b"\xc0\x80", b"\xed\xa0\x80",
]


@st.composite
def damaged_json(draw, value: Any) -> Any:
    """`value` with one to four of its parts replaced, removed or wrapped in a list or an object."""
    value = copy.deepcopy(value)
    for _ in range(draw(st.integers(1, 4))):
        changed = _damage_node(draw, value)
        value = {} if changed is DELETE else changed
    return value


def _damage_node(draw, value: Any) -> Any:
    """Walk down to a random node (children chosen at random) and damage it."""
    if isinstance(value, (dict, list)) and value and draw(st.integers(0, 4)):
        key = draw(st.sampled_from(list(value) if isinstance(value, dict) else range(len(value))))
        changed = _damage_node(draw, value[key])
        if changed is DELETE:
            del value[key]
        else:
            value[key] = changed
        return value
    how = draw(st.sampled_from(["any", "tricky", "delete", "list", "object"]))
    if how == "list":
        return [value]
    if how == "object":
        return {draw(st.text(max_size=5)): value}
    return DELETE if how == "delete" else draw(ANY_JSON if how == "any" else TRICKY)


@st.composite
def damaged_bytes(draw, data: bytes, within: int | None = None) -> bytes:
    """`data` after one to four byte-level changes (within its first `within` bytes, where the headers are)."""
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, min(len(data), within or len(data))))
        how = draw(st.sampled_from(["cut", "byte", "insert", "token", "run", "delete", "splice"]))
        if how == "cut":
            data = data[:at]
        elif how == "byte":
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
        elif how == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=16)) + data[at:]
        elif how == "token":
            data = data[:at] + draw(st.sampled_from(TOKENS)) + data[at:]
        elif how == "run":  # long digit runs, deep nesting, huge fields
            run = draw(st.sampled_from(b"0123456789[{<\"\\ \xff\x00"))
            data = data[:at] + bytes([run]) * draw(st.integers(1, 6000)) + data[at:]
        elif how == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 64)) :]
        else:  # a piece of the file copied elsewhere in it
            start = draw(st.integers(0, len(data)))
            data = data[:at] + data[start : start + draw(st.integers(1, 256))] + data[at:]
    return data


def damaged_document(rel: str, data: bytes) -> st.SearchStrategy[bytes]:
    """A document damaged as JSON (inside its .js wrapper or .xz compression, if any), or as bytes."""
    structured = _structured(rel, data)
    as_bytes = damaged_bytes(data)
    return st.one_of(structured, as_bytes) if structured is not None else as_bytes


def _structured(rel: str, data: bytes) -> st.SearchStrategy[bytes] | None:
    if rel.endswith(".xz"):
        inner = _structured(rel[: -len(".xz")], lzma.decompress(data))
        return inner.map(lzma.compress) if inner is not None else None
    wrapper = JS_WRAPPER.match(data) if rel.endswith(".js") else None
    if not (rel.endswith(".json") or wrapper):
        return None
    head = wrapper[0] if wrapper else b""
    value = json.loads(data[len(head) :])
    return damaged_json(value).map(lambda damaged: head + json.dumps(damaged).encode())


class Damaged(dict):
    """Files (or pages) by name, printed as what was damaged: a failing case names only that."""

    def __init__(self, seeds: dict, files: dict):
        super().__init__(files)
        self.seeds = seeds

    def __repr__(self) -> str:
        changes = [f"{name!r} removed" for name in self.seeds if name not in self]
        changes += [f"{name!r}: {_change(self.seeds.get(name), value)}" for name, value in self.items()
                    if self.seeds.get(name) != value]
        return f"Damaged({'; '.join(changes)})"

    def _repr_pretty_(self, printer, cycle) -> None:  # hypothesis prints cases with this
        printer.text(repr(self))


def _change(before, after) -> str:
    """Where the bytes first differ, with some of what follows (a page is a (bytes, content type) pair)."""
    if isinstance(after, tuple):
        return f"{_change(before[0] if before else None, after[0])}, served as {after[1]!r}"
    if before is None:
        return f"added, {len(after)} bytes: {after[:200]!r}"
    at = next((i for i, (a, b) in enumerate(zip(before, after)) if a != b), min(len(before), len(after)))
    return f"{len(before)} -> {len(after)} bytes, from byte {at}: {after[max(0, at - 40) : at + 160]!r}"


@st.composite
def damaged_tree(draw, seeds: dict[str, bytes]) -> Damaged:
    """An export's files with one to three documents damaged, and maybe a file renamed or gone."""
    files = dict(seeds)
    documents = sorted(rel for rel in files if rel.endswith(DOCUMENT_SUFFIXES))
    for rel in draw(st.lists(st.sampled_from(documents), min_size=1, max_size=3, unique=True)):
        files[rel] = draw(damaged_document(rel, files[rel]))
    how = draw(st.sampled_from(["as is", "as is", "rename", "remove"]))
    if how != "as is":
        rel = draw(st.sampled_from(sorted(files)))
        data = files.pop(rel)
        if how == "rename":
            stem, dot, suffix = rel.rpartition(".")
            files[stem + draw(st.sampled_from(["", "(1)", "_1", " ", ".json", ".jpg", "\u202e"])) + dot + suffix] = data
    return Damaged(seeds, files)


# --- running a source on damaged files, without disk or network --------------------------------------------


class MemoryTree(ExportTree):
    """An export held in memory: what archive.open_tree would give for a folder or a zip of these files."""

    def __init__(self, files: dict[str, bytes]):
        super().__init__(Path("fuzzed-export"))
        self.contents = files

    def files(self) -> list[str]:
        return list(self.contents)

    def read(self, rel: str) -> bytes:
        if rel not in self.contents:
            raise InputError(f"{rel}: missing")
        return self.contents[rel]

    def origin(self, rel: str) -> Origin:
        return Origin(rel)


def files_of(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def storable(entry: Item | ItemError) -> None:
    """What the pipeline needs to store an entry: the right types, a time it can convert, a real position, UTF-8."""
    if isinstance(entry, ItemError):
        texts = [entry.source_item, entry.message]
    else:
        assert isinstance(entry, Item), entry
        assert isinstance(entry.media_name, str) and entry.media_name
        assert entry.posted_at is None or entry.posted_at_utc()
        for value, limit in ((entry.lat, 90), (entry.lon, 180)):
            assert value is None or (isinstance(value, float) and math.isfinite(value) and abs(value) <= limit), value
        assert isinstance(entry.tagged_users, list) and all(isinstance(user, str) for user in entry.tagged_users)
        extra = json.dumps(entry.extra, ensure_ascii=False, sort_keys=True, default=str)
        texts = [entry.source_item, entry.media_name, entry.caption, entry.location_name, entry.post_id, entry.url,
                 *entry.tagged_users, extra]
    for text in texts:
        assert text is None or isinstance(text, str), text
        if text is not None:
            text.encode("utf-8")  # the inventory is SQLite text: a lone surrogate cannot be stored


def read_all(source) -> list[Item | ItemError]:
    """Every entry of the source, each storable; an AuditError (the account cannot be read) is allowed."""
    entries = []
    with contextlib.suppress(AuditError):
        for entry in source.items():
            storable(entry)
            entries.append(entry)
    return entries


def collect(platform: str, files: dict[str, bytes]) -> list[Item | ItemError]:
    """What the `platform` source reads from an export folder or zip holding these files."""
    source = SOURCES[platform]
    module = importlib.import_module(source.__module__)
    account = Account(platform=platform, path=Path(__file__).parent, handle="minji.kim")  # a folder that exists
    tree = MemoryTree(files)
    # instaloader-folder opens its folder itself; the others through open_tree, theirs or archive.open_export's
    opener = "FolderTree" if module is instaloader_folder else "open_tree"
    with contextlib.ExitStack() as patches:
        for target in (module, archive):
            if hasattr(target, opener):
                patches.enter_context(mock.patch.object(target, opener, lambda path: tree))
        return read_all(source(account))


def export_target(platform: str, folders: list[Path]) -> tuple[Callable, st.SearchStrategy]:
    """Reads damaged files as the `platform` source reads an export folder or zip."""
    trees = [files_of(folder) for folder in folders]
    return partial(collect, platform), st.sampled_from(trees).flatmap(damaged_tree)


class FakeSession:
    """Serves the damaged documents by address, as PoliteSession would; any other address fails to fetch."""

    def __init__(self, hosts: frozenset[str], pages: dict[str, tuple[bytes, str]]):
        self.allowed_hosts = set(hosts | html_images.MEDIA_HOSTS)
        self.min_interval = 0.0
        self.pages = pages

    def get(self, url: str, within: Callable[[str], bool] | None = None) -> requests.Response:
        if url not in self.pages or (within and not within(url)):
            raise FetchError(f"{url}: HTTP 404 Not Found")
        response = requests.Response()
        response._content, content_type = self.pages[url]
        response.status_code, response.url = 200, url
        response.headers["Content-Type"] = content_type
        return response


class FakeCache:
    """MediaCache without the network: every image address is taken as fetched."""

    def __init__(self, session, source: str, host: str):
        self.session = session

    def origin(self, url: str) -> Origin:
        return Origin(url)


def crawl(platform: str, start: str, case: tuple[dict[str, tuple[bytes, str]], bool]) -> list[Item | ItemError]:
    """What the `platform` source reads from the account's address `start`, given the pages served (address ->
    (body, content type)) and whether the account's proof was seen before (else it is looked for again)."""
    pages, proven_before = case
    source = SOURCES[platform]
    reader = source(Account(platform=platform, url=start))
    reader.proof_token, reader.proven_before = TOKEN, proven_before
    session = FakeSession(html_images.site_hosts(start), pages)
    with mock.patch.object(source, "open_session", lambda self, hosts: session), \
            mock.patch.object(website if platform == "website" else feed, "MediaCache", FakeCache):
        return read_all(reader)


def web_target(platform: str, start: str, documents: dict[str, tuple[Path, str]]) -> tuple[Callable, st.SearchStrategy]:
    """Reads damaged pages or feeds as the `platform` source reads them from the account's address `start`."""
    seeds = {url: (path.read_bytes(), content_type) for url, (path, content_type) in documents.items()}

    @st.composite
    def damaged_pages(draw) -> Damaged:
        pages = dict(seeds)
        for url in draw(st.lists(st.sampled_from(sorted(pages)), min_size=1, max_size=2, unique=True)):
            data, content_type = pages[url]
            charset = draw(st.sampled_from(["", "; charset=utf-8", "; charset=euc-kr", "; charset=utf-16", "; charset=x"]))
            pages[url] = (draw(damaged_bytes(data)), content_type.split(";")[0] + charset)
        return Damaged(seeds, pages)

    return partial(crawl, platform, start), st.tuples(damaged_pages(), st.booleans())


# --- the photo metadata reader -------------------------------------------------------------------------------


def check_metadata(data: bytes) -> None:
    """Whatever the bytes, the reader returns what it found: a real position, or none."""
    found = read_metadata(data)
    assert isinstance(found, PhotoMetadata)
    if found.position:
        lat, lon = found.position.lat, found.position.lon
        assert math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180
    for text in (found.make, found.model, found.taken_at, found.software):
        assert text is None or isinstance(text, str)


# Every format the reader walks; small files, so that a case stays quick (an iPhone HEIC is 720 KB).
SMALL_IMAGES = [
    path.read_bytes() for folder in ("exif", "hostile") for path in sorted((FIXTURES / "images" / folder).iterdir())
    if path.suffix.lower() in (".jpg", ".png", ".webp", ".heic") and 0 < path.stat().st_size < 800_000
]
# The metadata sits in the first kilobytes of a JPEG, PNG or WebP (HEIC keeps its own at the end: see exif-at-eof).
IMAGES = st.sampled_from(SMALL_IMAGES).flatmap(lambda data: damaged_bytes(data, within=4096) | damaged_bytes(data))
XMP_COORDINATE = st.from_regex(r"-?\d{1,4}(\.\d*)?(,\d{1,3}(\.\d*)?){0,2}[NSEWx]?", fullmatch=True)
XMP_VALUE = st.one_of(TRICKY.map(str), st.text(max_size=12), XMP_COORDINATE)


@st.composite
def xmp_jpegs(draw) -> bytes:
    """A JPEG whose only metadata is an XMP packet with damaged GPS properties."""
    lat, lon, altitude = draw(XMP_VALUE), draw(XMP_VALUE), draw(XMP_VALUE)
    packet = (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
              f'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="{_attribute(lat)}" '
              f'exif:GPSLongitude="{_attribute(lon)}"><exif:GPSAltitude>{_attribute(altitude)}</exif:GPSAltitude>'
              f'</rdf:Description></rdf:RDF></x:xmpmeta>').encode("utf-8", "surrogatepass")
    return _jpeg_app1(b"http://ns.adobe.com/xap/1.0/\x00" + draw(st.just(packet) | damaged_bytes(packet)))


RATIONAL = st.builds(IFDRational, st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1))  # 0/0 is NaN
RATIONALS = st.lists(RATIONAL, min_size=1, max_size=4).map(tuple)  # degrees, minutes, seconds: or fewer, or more
EXIF_TEXT = st.text(max_size=8) | TRICKY.filter(lambda value: isinstance(value, str))
# The tags the reader reads, each with values of its EXIF type (other types come from damaging the bytes):
# GPS refs, latitude, longitude, altitude ref and altitude; make, model, software and time; the time taken.
GPS_TAGS = {1: EXIF_TEXT, 2: RATIONALS, 3: EXIF_TEXT, 4: RATIONALS, 5: st.integers(0, 255), 6: RATIONAL}
IFD0_TAGS = {0x010F: EXIF_TEXT, 0x0110: EXIF_TEXT, 0x0131: EXIF_TEXT, 0x0132: EXIF_TEXT}


@st.composite
def exif_jpegs(draw) -> bytes:
    """A JPEG whose EXIF holds drawn values in the tags the reader reads, written by Pillow, then maybe damaged."""
    exif = Image.Exif()
    for tag in draw(st.sets(st.sampled_from(sorted(IFD0_TAGS)))):
        exif[tag] = draw(IFD0_TAGS[tag])
    exif[0x8825] = {tag: draw(GPS_TAGS[tag]) for tag in draw(st.sets(st.sampled_from(sorted(GPS_TAGS)), min_size=1))}
    exif.get_ifd(0x8769)[0x9003] = draw(EXIF_TEXT)  # DateTimeOriginal
    blob = exif.tobytes()  # "Exif\0\0" and a TIFF structure
    return _jpeg_app1(draw(st.just(blob) | damaged_bytes(blob)))


def _jpeg_app1(payload: bytes) -> bytes:
    """A JPEG of one APP1 segment: all the metadata reader looks at."""
    return b"\xff\xd8\xff\xe1" + min(len(payload) + 2, 0xFFFF).to_bytes(2, "big") + payload + b"\xff\xd9"


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


@st.composite
def flir_blocks(draw) -> bytes:
    """An FFF record file: header, directory and a GPS record, with every field drawn."""
    order = draw(st.sampled_from("<>"))
    count = draw(st.integers(0, 4))
    directory = draw(st.integers(0, 0x80))
    header = b"FFF\x00" + bytes(16) + draw(st.integers(0, 300)).to_bytes(4, "big" if order == ">" else "little")
    header += draw(st.binary(min_size=8, max_size=8)) if draw(st.booleans()) else _pack(order, "II", directory, count)
    header = header.ljust(0x40, b"\x00")
    entries = b"".join(_pack(order, "HHIIII", 0x2B, 0, 0, 0, draw(st.integers(0, 0x200)), draw(st.integers(0, 0x40)))
                       for _ in range(count))
    gps = _pack(order, "I", draw(st.sampled_from([0, 1, 2]))) + bytes(4) + b"N\x00E\x00" + bytes(4)
    gps += _pack(order, "ddf", draw(st.floats()), draw(st.floats()), draw(st.floats(width=32)))
    body = header.ljust(directory, b"\x00") + entries + gps
    return draw(st.one_of(st.just(body), damaged_bytes(body)))


def _pack(order: str, layout: str, *values) -> bytes:
    return struct.pack(order + layout, *values)


def check_flir(fff: bytes) -> None:
    found = read_flir_gps(fff)
    assert found is None or all(isinstance(value, float) for value in (found.lat, found.lon, found.altitude_m))


# --- the targets -------------------------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    check: Callable[[Any], None]
    cases: st.SearchStrategy
    examples: int  # in the suite: a second or two each
    source: str | None = None  # the source it reads with


def _export(name: str, platform: str, folders: list[str], examples: int) -> Target:
    check, cases = export_target(platform, [FORMATS / folder for folder in folders])
    return Target(name, check, cases, examples, platform)


def _web(name: str, platform: str, start: str, documents: dict, examples: int) -> Target:
    check, cases = web_target(platform, start, documents)
    return Target(name, check, cases, examples, platform)


WEBSITE = FIXTURES / "http" / "website"
FEEDS = FIXTURES / "http" / "feed"
HTML, XML, TEXT = "text/html; charset=utf-8", "application/rss+xml", "text/plain"
TARGETS = [
    _export("instagram-json", "instagram-export", [
        "instagram_dyi_json_2018_media_json_handmade", "instagram_dyi_json_2020_root_content_handmade",
        "instagram_dyi_json_2024_profile_handmade", "instagram_dyi_json_2025_activity_media_handmade"], 250),
    _export("instagram-html", "instagram-export", [
        "instagram_dyi_html_2024_brogotexposed", "instagram_dyi_html_2025_akbarskuyyy",
        "instagram_dyi_html_2025_en_handmade", "instagram_dyi_html_2025_ko_handmade"], 120),
    _export("threads-export", "threads-export", [
        "threads_dyi_json_2024_yungztr", "threads_dyi_json_2025_replies_private_handmade",
        "threads_dyi_html_2024_koufujioghaghpgs"], 150),
    _export("tiktok-export", "tiktok-export", [
        "tiktok_json_2025_post_posts_beyzaacesur", "tiktok_json_2024_video_videos_tt-downloader",
        "tiktok_txt_2019_videos_mightyphoenix"], 150),
    _export("facebook-export", "facebook-export", [
        "facebook_dyi_json_2019_posts_handmade", "facebook_dyi_json_2024_activity_handmade",
        "facebook_dyi_json_album_2018_addshore"], 200),
    _export("x-archive", "x-archive", [
        "x_twitter_archive_2019_tweet_js_handmade", "x_twitter_archive_2026_milahu104"], 200),
    _export("google-takeout", "google-takeout", ["google_takeout_2019_fr_handmade", "google_takeout_2024_en_handmade"], 200),
    _export("instaloader-folder", "instaloader-folder", ["instaloader_profile_4.16_handmade/minji.kim"], 150),
    _web("website-plain", "website", "https://minji.example/", {
        "https://minji.example/": (WEBSITE / "plain" / "index.html", HTML),
        "https://minji.example/posts/graduation.html": (WEBSITE / "plain" / "posts" / "graduation.html", HTML),
        "https://minji.example/robots.txt": (WEBSITE / "tistory" / "robots.txt", TEXT)}, 120),
    _web("website-naver", "website", "https://blog.naver.com/minji_k", {
        "https://blog.naver.com/minji_k": (WEBSITE / "naver" / "minji_k.html", HTML),
        "https://blog.naver.com/PostList.naver?blogId=minji_k": (WEBSITE / "naver" / "PostList_minji_k.html", HTML),
        "https://blog.naver.com/robots.txt": (WEBSITE / "naver" / "robots.txt", TEXT)}, 150),
    _web("feed-rss", "feed", "https://rss.blog.naver.com/minji_k.xml", {
        "https://rss.blog.naver.com/minji_k.xml": (FEEDS / "naver_minji_k.xml", XML)}, 300),
    _web("feed-atom", "feed", "https://minji.example/feed.xml", {
        "https://minji.example/feed.xml": (FEEDS / "atom_feed.xml", XML),
        "https://minji.example/": (WEBSITE / "plain" / "index.html", HTML)}, 200),
    Target("tiktok-live", *tiktok_target(), 150, "tiktok"),  # its damaged answers: tests/test_tiktok_live.py
    Target("image-metadata", check_metadata, IMAGES, 400),
    Target("exif", check_metadata, exif_jpegs(), 150),
    Target("xmp", check_metadata, xmp_jpegs(), 250),
    Target("flir", check_flir, flir_blocks(), 300),
]


# --- running them ------------------------------------------------------------------------------------------


class Hang(Exception):
    """A case ran longer than HANG_SECONDS."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Stop a case that runs too long (hypothesis's deadline only measures a case after it ends)."""
    if not hasattr(signal, "SIGALRM"):  # Windows has none: there, a hang hangs the run
        yield
        return

    def stop(signum, frame):
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Figures:
    target: str
    cases: int  # shrinking a failure runs cases too: they count
    seconds: float
    slowest: float  # seconds, the slowest case
    failure: Exception | None  # what the smallest failing case raised, with hypothesis's notes on it


def fuzz(target: Target, examples: int, random_seed: int | None = None) -> Figures:
    """Run one target on `examples` cases: derandomized without a seed, the same cases every time."""
    cases, slowest, failure = 0, 0.0, None

    @settings(max_examples=examples, derandomize=random_seed is None, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], print_blob=True)
    @given(target.cases)
    def run(case):
        nonlocal cases, slowest
        started = time.perf_counter()
        with time_limit(HANG_SECONDS):
            target.check(case)
        cases += 1
        slowest = max(slowest, time.perf_counter() - started)

    started = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # damaged files make Pillow and Beautiful Soup warn at every other case
            (seed(random_seed)(run) if random_seed is not None else run)()
    except Exception as exc:  # whatever a case raised is a finding: reported with the figures
        failure = exc
    return Figures(target.name, cases, time.perf_counter() - started, slowest, failure)


def test_every_source_that_reads_documents_is_fuzzed():
    # `folder` reads file names only; `instagram` reads through instaloader's own objects, from the network.
    assert {target.source for target in TARGETS} >= set(SOURCES) - {"folder", "instagram"}


@pytest.mark.parametrize("target", TARGETS, ids=lambda target: target.name)
def test_damaged_input_is_read_or_refused_never_crashes(target):
    figures = fuzz(target, target.examples)
    if figures.failure:
        raise figures.failure
    assert figures.cases >= target.examples // 2  # hypothesis ran the cases asked for (few are rejected)


# --- what fuzzing found, one case each --------------------------------------------------------------------

INSTALOADER = FORMATS / "instaloader_profile_4.16_handmade" / "minji.kim"
POST = "2024-02-23_03-00-00_UTC"  # a photo with its .json metadata and .txt caption


def test_a_number_too_long_for_python_is_the_files_error_not_the_accounts():
    files = files_of(FORMATS / "x_twitter_archive_2019_tweet_js_handmade")
    files["tweet.js"] = b"window.YTD.tweet.part0 = [" + b"9" * 4301 + b"]"
    files["account.js"] = b"[" + b"1" * 5000 + b"]"
    errors = {entry.source_item: entry.message for entry in collect("x-archive", files) if isinstance(entry, ItemError)}
    assert errors["tweet.js"] == errors["account.js"] == "not readable JSON: it holds a number of more than 4,300 digits"
    assert parse_json_errors(b'{"media": [' + b"1" * 4400 + b"]}") == [errors["tweet.js"]]


def parse_json_errors(raw: bytes) -> list[str]:
    return [error.message for error in parse_json(raw, "posts_1.json")]


def test_a_lone_surrogate_escaped_in_json_becomes_a_replacement_character():
    post = {"media": [{"uri": "media/posts/1.jpg", "creation_timestamp": 1704067200}], "title": "caf\\ud800e"}
    items = collect("instagram-export", {"content/posts_1.json": json.dumps([post]).encode().replace(b"\\\\", b"\\")})
    assert [item.caption for item in items] == ["caf\ufffde"]
    tweets = files_of(FORMATS / "x_twitter_archive_2019_tweet_js_handmade")
    tweets["tweet.js"] = tweets["tweet.js"].replace(b'"full_text" : "', b'"full_text" : "\\udc00', 1)
    assert any("\ufffd" in (item.caption or "") for item in collect("x-archive", tweets) if isinstance(item, Item))


def test_an_instaloader_node_type_that_is_not_text_reads_as_a_post():
    files = files_of(INSTALOADER)
    document = json.loads(files[f"{POST}.json"])
    document["instaloader"]["node_type"] = ["StoryItem"]
    files[f"{POST}.json"] = json.dumps(document).encode()
    assert photo(collect("instaloader-folder", files), f"{POST}.jpg").kind == "post"


def test_a_maps_link_urllib_cannot_read_gives_no_position():
    files = files_of(INSTALOADER)
    files[f"{POST}_location.txt"] = b"Yonsei University\nhttp://[maps.google.com/maps?q=37.5658,126.9386\n"
    found = photo(collect("instaloader-folder", files), f"{POST}.jpg")
    assert (found.location_name, found.lat, found.lon) == ("Yonsei University", None, None)


def photo(entries: list[Item | ItemError], name: str) -> Item:
    [found] = [entry for entry in entries if isinstance(entry, Item) and entry.media_name == name]
    return found


def test_addresses_urllib_cannot_read_are_no_images_no_links_and_no_home():
    page = b'<a href="http://[x/a.jpg">a</a><img src="https://[::1/b.jpg"><a href="http://[x/page">p</a>' \
           b'<img src="https://img1.daumcdn.net/thumb/R800x0/?fname=http%3A%2F%2F%5Bx%2Fc.jpg"><img src="/ok.jpg">'
    entries = crawl("website", "https://minji.example/", ({"https://minji.example/": (page, HTML)}, True))
    images = [entry.media_name for entry in entries if isinstance(entry, Item)]
    assert images == ["https://img1.daumcdn.net/thumb/R800x0/?fname=http%3A%2F%2F%5Bx%2Fc.jpg", "https://minji.example/ok.jpg"]
    assert not feed.home_shows_token("http://[x/", TOKEN, None, frozenset({"x"}))


def test_a_feed_naming_an_unknown_encoding_is_refused_as_unreadable():
    with pytest.raises(InputError, match="not a readable feed: unknown encoding: u-tf-8"):
        feed.parse_feed(b'<?xml version="1.0" encoding="u-tf-8"?><rss version="2.0"></rss>', "https://x.example/rss")


def test_an_x_media_type_that_is_a_list_reads_as_a_photo_with_a_note():
    files = files_of(FORMATS / "x_twitter_archive_2019_tweet_js_handmade")
    before = [(entry.media_name, entry.media_type) for entry in collect("x-archive", files) if isinstance(entry, Item)]
    files["tweet.js"] = files["tweet.js"].replace(b'"type" : "photo"', b'"type" : ["photo"]')
    entries = collect("x-archive", files)
    assert [(entry.media_name, entry.media_type) for entry in entries if isinstance(entry, Item)] == before
    assert any("is not photo, video or animated_gif: ['photo']; read as a photo" in entry.message for entry in entries
               if isinstance(entry, ItemError))


def test_robots_txt_lines_urllib_cannot_read_are_left_out_and_the_rest_obeyed():
    robots = b"User-agent: *\nDisallow: http://[x\nCrawl-delay: \xc2\xb2\nDisallow: /private/\n"
    page = b'<a href="/private/diary.html">diary</a><a href="/about.html">about</a>'
    pages = {"https://minji.example/": (page, HTML), "https://minji.example/robots.txt": (robots, TEXT)}
    notes = [entry.message for entry in crawl("website", "https://minji.example/", (pages, True))]
    assert notes == ["2 unreadable lines left out", "not read: robots.txt disallows it",
                     "https://minji.example/about.html: HTTP 404 Not Found"]


def test_a_site_asking_to_wait_longer_than_a_minute_between_requests_is_not_crawled():
    robots = b"User-agent: *\nCrawl-delay: " + b"9" * 4000 + b"\n"
    session = FakeSession(html_images.site_hosts("https://minji.example/"), {"https://minji.example/robots.txt": (robots, TEXT)})
    crawler = website.Crawler(website.Site.of("https://minji.example/"), session, "website")
    with pytest.raises(InputError, match="asks to wait more than 60 s between requests"):
        list(crawler.read_robots())


def test_html_pythons_parser_gives_up_on_is_that_posts_error_only():
    rss = (FEEDS / "naver_minji_k.xml").read_bytes().replace(b"<![CDATA[\xec\x97\xb0\xeb\x82\xa8", b"<![CDATA[<![DOCTYPE x>", 1)
    entries = crawl("feed", "https://rss.blog.naver.com/minji_k.xml", ({"https://rss.blog.naver.com/minji_k.xml": (rss, XML)}, True))
    errors = [entry.message for entry in entries if isinstance(entry, ItemError) and "HTML" in entry.message]
    assert errors == ["not readable HTML: unknown status keyword 'DOCTYPE ' in marked section"]
    assert len([entry for entry in entries if isinstance(entry, Item)]) >= 2  # the posts before and after
    home = {"https://minji.example/": (f"<![DOCTYPE html><head><title>{TOKEN}</title>".encode(), HTML)}
    hosts = frozenset({"minji.example"})
    assert not feed.home_shows_token("https://minji.example/", TOKEN, FakeSession(hosts, home), hosts)


def test_a_time_with_no_utc_equivalent_is_noted_and_left_out():
    """0001-01-01 at +14:00 is before year 1 in UTC, where the inventory keeps its times."""
    export = files_of(FORMATS / "instagram_dyi_json_2018_media_json_handmade")
    photos = len([entry for entry in collect("instagram-export", export) if isinstance(entry, Item)])
    export["media.json"] = export["media.json"].replace(b"2018-11-03T22:14:09", b"0001-01-01T00:00:00+14:00")
    entries = collect("instagram-export", export)
    assert len([entry for entry in entries if isinstance(entry, Item)]) == photos  # the photo is still read
    assert any("field 'taken_at' is out of range: '0001-01-01T00:00:00+14:00'" == entry.message for entry in entries
               if isinstance(entry, ItemError))
    archive = files_of(FORMATS / "x_twitter_archive_2019_tweet_js_handmade")
    archive["tweet.js"] = archive["tweet.js"].replace(b"Sat May 04 21:12:40 +0000 2019", b"Mon Jan 01 00:00:00 +1400 0001")
    assert any("field 'created_at' is out of range" in entry.message for entry in collect("x-archive", archive)
               if isinstance(entry, ItemError))
    for value in ("0001-01-01T00:00:00+14:00", "Sun, 12 May 11111112024 14:03:00 +0900"):
        assert html_images.web_time(value) is None
    assert website._naver_time(website.NAVER_DATE.search("0001. 1. 1. 00:00")) is None
