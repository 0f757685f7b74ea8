"""Instagram "Download your information" exports: every JSON layout since 2018, and the 2025 HTML variant.

Where the media lists are (docs/formats.md), found by file name so that an export zipped inside a
top folder works too:
  media.json                                  before 2021: {"photos": [...], "videos": [...], ...}
  content/posts_1.json, stories.json...       2019-2021, at the root of the export
  your_instagram_activity/content/...         2021 on
  your_instagram_activity/media/...           some 2025 exports; also posts_1.html... (HTML variant)
The exported media files carry no EXIF: location and camera details survive only in these documents,
so every post is inventoried even when its media file is not in the export.
"""

from __future__ import annotations

import json
import math
import posixpath
import re
import zipfile
import zlib
from datetime import datetime, timezone
from functools import partial
from pathlib import PurePosixPath
from typing import Any, Callable, Iterable, Iterator, NamedTuple

from bs4 import BeautifulSoup, Tag
from bs4.exceptions import ParserRejectedMarkup

from ..archive import ExportTree, open_tree
from ..errors import InputError
from ..models import Item, ItemError, Origin
from ..textfix import fix_mojibake_deep
from .base import Source

# A media list's file name without its number (posts_2.json -> posts) says what its items are.
KINDS = {
    "posts": "post",
    "stories": "story",
    "reels": "reel",
    "profile_photos": "profile_photo",
    "archived_posts": "archived_post",
}
DOCUMENT_NAME = re.compile(r"(?P<stem>" + "|".join(KINDS) + r")(?:_\d+)?\.(?P<layout>json|html)")
# Glob patterns match from the right: they also find `your_instagram_activity/...` and a top folder.
DOCUMENT_PATTERNS = ("content/*.json", "media/*.json", "content/*.html", "media/*.html")
LEGACY_DOCUMENT = "media.json"
# media.json keeps one list per kind; "direct" (photos sent in private messages) is not something posted.
LEGACY_KINDS = {"photos": "post", "videos": "post", "stories": "story", "profile": "profile_photo"}

VIDEO_SUFFIXES = {".mp4", ".mov"}

# The HTML variant: one box per post. The `_xx` classes are generated, so they are used only to find
# the boxes and the date; everything else is found by structure.
HTML_POST_BOX = "div.pam._3-95._2ph-._a6-g.uiBoxWhite.noborder"
HTML_DATE = "div._a6-o"
# Table labels are localised. Known labels come first; when none is known, the structure decides
# (see html_location and html_tagged_users). The Korean labels are our best reading, not verified.
LATITUDE_LABELS = {"latitude", "위도"}
LONGITUDE_LABELS = {"longitude", "경도"}
TAGGED_USERS_LABELS = {"tagged users", "태그된 사용자", "태그된 사람"}
# "name (Tagged, 0.00, 0.00), other (Coauthor)": a handle, then its role and tag position in brackets.
TAGGED_ENTRY = r"([^\s,()]+)\s*\([^()]*\)"
TAGGED_VALUE = re.compile(rf"{TAGGED_ENTRY}(?:\s*,\s*{TAGGED_ENTRY})*")
ENGLISH_DATE = "%b %d, %Y %I:%M %p"  # "Oct 19, 2025 6:11 pm"
KOREAN_DATE = re.compile(r"(\d{4})년\s*(\d{1,2})월\s*(\d{1,2})일\s*(오전|오후)\s*(\d{1,2}):(\d{2})")

# What reading one file of a sound archive can still raise: a corrupt member, an unsupported
# compression method (NotImplementedError from zipfile), a member too large to read.
READ_ERRORS = (InputError, OSError, zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError)


class InstagramExportSource(Source):
    name = "instagram-export"
    description = "Instagram 'Download your information' export (zip or folder, JSON or HTML)"
    needs = "path"

    def items(self) -> Iterator[Item | ItemError]:
        tree = open_tree(self.account.path)
        documents = find_documents(tree)
        if not documents:
            refused = f"; {len(tree.refused())} members were refused as unsafe" if tree.refused() else ""
            raise InputError(
                f"{self.account.path}: no Instagram media lists found (expected your_instagram_activity/"
                f"content/posts_1.json, content/posts_1.json, media.json or posts_1.html){refused}"
            )
        for member, reason in tree.refused():
            yield ItemError(member, reason)
        for document in documents:
            for entry in read_document(tree, document):
                if isinstance(entry, Item):
                    entry.origin = locate_media(tree, document.root, entry.media_name)
                yield entry


class Document(NamedTuple):
    rel: str  # path in the export tree
    layout: str  # "json", "html", or "legacy" for media.json
    kind: str | None  # Item kind of every record; None for media.json, which holds several kinds
    root: str  # the export's root folder in the tree: media URIs are relative to it


def find_documents(tree: ExportTree) -> list[Document]:
    found = []
    for pattern in DOCUMENT_PATTERNS:
        for rel in tree.glob(pattern):
            match = DOCUMENT_NAME.fullmatch(PurePosixPath(rel).name)
            if match:
                found.append(Document(rel, match["layout"], KINDS[match["stem"]], export_root(rel, depth=2)))
    for rel in tree.glob(LEGACY_DOCUMENT):
        found.append(Document(rel, "legacy", None, export_root(rel, depth=1)))
    return sorted(found)


def export_root(rel: str, depth: int) -> str:
    """The folder above a document's `content/` or `media/` (and `your_instagram_activity/`)."""
    parts = PurePosixPath(rel).parts[:-depth]
    if parts and parts[-1] == "your_instagram_activity":
        parts = parts[:-1]
    return "/".join(parts)


def locate_media(tree: ExportTree, root: str, uri: str) -> Origin | None:
    """The file a media URI names, or None when the export does not contain it.

    URIs are relative to the export root; 2025 exports may keep the files one folder deeper
    (your_instagram_activity/media/...), which the suffix search finds. Only indexed members are
    ever returned, so a URI with `..` cannot reach outside the export.
    """
    uri = posixpath.normpath(uri.lstrip("/"))
    exact = posixpath.join(root, uri) if root else uri
    found = exact if tree.exists(exact) else tree.find_suffix(uri)
    return tree.origin(found) if found else None


def read_document(tree: ExportTree, document: Document) -> Iterator[Item | ItemError]:
    try:
        raw = tree.read(document.rel)
    except READ_ERRORS as exc:
        yield ItemError(document.rel, f"could not read the file: {getattr(exc, 'message', exc)}")
        return
    if document.layout == "html":
        yield from html_entries(raw, document)
        return
    data = yield from parse_json(raw, document.rel)
    if data is None:
        return
    if document.layout == "legacy":
        yield from legacy_entries(data, document.rel)
        return
    records = record_list(data)
    if records is None:
        yield ItemError(document.rel, "expected a list of records, or an object holding one")
        return
    # Reel URIs may have no extension: they are videos all the same.
    bare_uri_type = "video" if document.kind == "reel" else "image"
    yield from each_record(records, document.rel, partial(post_items, kind=document.kind, bare_uri_type=bare_uri_type))


def parse_json(raw: bytes, rel: str) -> Iterator[ItemError]:
    """Yields an ItemError and returns None when the file is not JSON; returns the repaired document."""
    try:
        # Meta writes every string as UTF-8 bytes escaped one by one: repair all of them, keys too.
        return fix_mojibake_deep(json.loads(raw))
    except json.JSONDecodeError as exc:
        yield ItemError(rel, f"not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")
    except UnicodeDecodeError as exc:
        yield ItemError(rel, f"not valid UTF-8 at byte {exc.start}")
    except RecursionError:
        yield ItemError(rel, "JSON nested too deeply to read")
    return None


def record_list(data: Any) -> list | None:
    """posts_N.json is a bare list; the others wrap theirs ({"ig_stories": [...]}, names vary)."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        lists = [value for value in data.values() if isinstance(value, list)]
        if lists:
            return [record for records in lists for record in records]
    return None


class RecordContext:
    """Where a record is, and what in it could not be read.

    A field that cannot be read is left empty and reported, and the media is still inventoried:
    a garbled time must not hide a location leak. Only a media entry without a file name is dropped.
    """

    def __init__(self, rel: str, label: str):
        self.source_item = f"{rel} {label}"
        self.problems: list[str] = []

    def note(self, field: str, problem: str) -> None:
        self.problems.append(f"field '{field}' {problem}")

    def errors(self) -> list[ItemError]:
        return [ItemError(self.source_item, problem) for problem in self.problems]


def each_record(
    records: Iterable[Any], rel: str, read_record: Callable[[Any, RecordContext], Iterable[Item]], name: str = "record"
) -> Iterator[Item | ItemError]:
    """The problems, then the Items, of every record: one bad record never stops the file."""
    for index, record in enumerate(records):
        context = RecordContext(rel, f"{name} {index}")
        items = list(read_record(record, context))
        yield from context.errors()
        yield from items


# --- JSON, 2019 onwards ---------------------------------------------------------------------------


def post_items(record: Any, context: RecordContext, kind: str, bare_uri_type: str) -> Iterator[Item]:
    """The Items of one record: a post `{"media": [...], "title", "creation_timestamp"}`, or a single
    media object that is its own post (stories, profile photos)."""
    media_list = record_media(record, context)
    if media_list is None:
        return
    nested = "media" in record
    first = media_list[0] if isinstance(media_list[0], dict) else {}
    # A post's caption is its `title`; a single-media post may carry it only on the media.
    caption = text(record.get("title"), context, "title")
    if caption is None and nested:
        caption = text(first.get("title"), context, "media[0].title")
    post_time = epoch(record.get("creation_timestamp"), context, "creation_timestamp") if nested else None
    # post_id: the stem of the post's first media file. Instagram names files after media ids, so the
    # id is stable across exports and shared by every file of a carousel.
    first_uri = first.get("uri")
    post_id = PurePosixPath(first_uri).stem if isinstance(first_uri, str) and first_uri else None
    post = {"kind": kind, "post_id": post_id, "caption": caption}
    for index, media in enumerate(media_list):
        where = f"media[{index}]." if nested else ""
        if not isinstance(media, dict):
            context.note(f"media[{index}]", "is not a JSON object")
            continue
        item = media_item(media, context, where, post_time, bare_uri_type, post)
        if item:
            yield item


def record_media(record: Any, context: RecordContext) -> list | None:
    if not isinstance(record, dict):
        context.note("(record)", "is not a JSON object")
        return None
    if "media" not in record:
        if "uri" in record:
            return [record]
        context.note("media", "is missing (and the record has no 'uri' either)")
        return None
    if not isinstance(record["media"], list) or not record["media"]:
        context.note("media", "is not a non-empty list")
        return None
    return record["media"]


def media_item(
    media: dict, context: RecordContext, where: str, post_time: datetime | None, bare_uri_type: str, post: dict
) -> Item | None:
    """One media file of a post (`post` holds the fields its files share); None without a file name."""
    uri = media.get("uri")
    if not isinstance(uri, str) or not uri.strip():
        context.note(f"{where}uri", "is missing: no media file is named")
        return None
    posted_at = epoch(media.get("creation_timestamp"), context, f"{where}creation_timestamp") or post_time
    metadata = media.get("media_metadata") if isinstance(media.get("media_metadata"), dict) else {}
    exif = exif_records(metadata, context, where)
    lat, lon = exif_location(exif, context, where)
    return Item(
        source_item=context.source_item,
        media_name=uri,
        origin=None,  # set by the caller of read_document, which knows the tree
        media_type=media_type(uri, "video_metadata" in metadata, bare_uri_type),
        **post,
        posted_at=posted_at,
        lat=lat,
        lon=lon,
        extra={"exif_data": exif} if exif else {},
    )


def exif_records(metadata: dict, context: RecordContext, where: str) -> list[dict]:
    """`exif_data` of photo_metadata and video_metadata: location and camera records (device_id,
    software, source_type, date_time_original, lens_model, iso...), kept whole as evidence."""
    records = []
    for holder in ("photo_metadata", "video_metadata"):
        section = metadata.get(holder)
        exif = section.get("exif_data", []) if isinstance(section, dict) else []
        if not isinstance(exif, list):
            context.note(f"{where}media_metadata.{holder}.exif_data", "is not a list")
            continue
        records.extend(entry for entry in exif if isinstance(entry, dict))
    return records


def exif_location(exif: list[dict], context: RecordContext, where: str) -> tuple[float | None, float | None]:
    for entry in exif:
        if "latitude" in entry or "longitude" in entry:
            pair = coordinates(entry.get("latitude"), entry.get("longitude"), context, f"{where}exif_data.latitude")
            if pair:
                return pair
    return None, None


# --- JSON, media.json before 2021 -----------------------------------------------------------------


def legacy_entries(data: Any, rel: str) -> Iterator[Item | ItemError]:
    if not isinstance(data, dict):
        yield ItemError(rel, "expected a JSON object with 'photos' and 'videos' lists")
        return
    for key, kind in LEGACY_KINDS.items():
        records = data.get(key, [])
        if not isinstance(records, list):
            yield ItemError(rel, f"field '{key}' is not a list")
            continue
        bare_uri_type = "video" if key == "videos" else "image"  # as for reels: no extension, still a video
        read = partial(legacy_item, kind=kind, bare_uri_type=bare_uri_type)
        yield from each_record(records, rel, read, name=f"{key} record")


def legacy_item(record: Any, context: RecordContext, kind: str, bare_uri_type: str) -> Iterator[Item]:
    """`{"caption", "taken_at": "2018-12-31T08:05:13", "path", "location"}`: one file per record."""
    if not isinstance(record, dict):
        context.note("(record)", "is not a JSON object")
        return
    path = record.get("path")
    if not isinstance(path, str) or not path.strip():
        context.note("path", "is missing: no media file is named")
        return
    yield Item(
        source_item=context.source_item,
        media_name=path,
        origin=None,
        kind=kind,
        media_type=media_type(path, False, bare_uri_type),
        post_id=PurePosixPath(path).stem,  # media ids name the files here too
        posted_at=iso_time(record.get("taken_at"), context, "taken_at"),
        caption=text(record.get("caption"), context, "caption"),
        location_name=text(record.get("location"), context, "location"),
    )


# --- HTML, 2025 -----------------------------------------------------------------------------------


def html_entries(raw: bytes, document: Document) -> Iterator[Item | ItemError]:
    try:
        page = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # One bad byte must not cost the whole file: report it, then read on with it replaced.
        line = raw.count(b"\n", 0, exc.start) + 1
        yield ItemError(document.rel, f"not valid UTF-8 at line {line} (byte {exc.start}); read with it replaced")
        page = raw.decode("utf-8", errors="replace")
    try:
        boxes = BeautifulSoup(page, "html.parser").select(HTML_POST_BOX)
    except ParserRejectedMarkup as exc:
        yield ItemError(document.rel, f"not readable HTML: {exc}")
        return
    if not boxes:
        yield ItemError(document.rel, f"no post boxes ({HTML_POST_BOX}) found: the export layout may have changed")
        return
    yield from each_record(boxes, document.rel, partial(html_post_items, kind=document.kind))


def html_post_items(box: Tag, context: RecordContext, kind: str) -> Iterator[Item]:
    media = [tag for tag in box.select("img[src], video[src]") if tag["src"].strip()]
    if not media:
        context.note("img src", "is missing: the post shows no media file")
        return
    heading = box.find("h2")  # the caption, when there is one
    date = box.select_one(HTML_DATE)
    rows = table_rows(box)
    lat, lon = html_location(rows, context)
    common = {
        "source_item": context.source_item,
        "origin": None,
        "kind": kind,
        "post_id": PurePosixPath(media[0]["src"]).stem,  # as for JSON: the first media file's stem
        "posted_at": html_time(date.get_text(strip=True), context) if date else None,
        "caption": (heading.get_text().strip() or None) if heading else None,
        "lat": lat,
        "lon": lon,
        "tagged_users": html_tagged_users(rows),
        # The HTML prints times without a zone; they are read as UTC and flagged so.
        "extra": {"details": dict(rows), "time_zone": "not in the export, read as UTC"},
    }
    for tag in media:
        uri = tag["src"]
        yield Item(media_name=uri, media_type=media_type(uri, tag.name == "video", "image"), **common)


def table_rows(box: Tag) -> list[tuple[str, str]]:
    """Label/value pairs of a post's details table. A row is either two cells (label, value) or one
    cell holding the label as text and the value in a nested div."""
    rows = []
    for row in box.select("table tr"):
        cells = row.find_all("td")
        if len(cells) >= 2:
            rows.append((cells[0].get_text(" ", strip=True), cells[1].get_text(" ", strip=True)))
        elif cells:
            label = "".join(cells[0].find_all(string=True, recursive=False)).strip()
            value = cells[0].find("div")
            rows.append((label, value.get_text(" ", strip=True) if value else ""))
    return rows


def labelled(rows: list[tuple[str, str]], labels: set[str]) -> str | None:
    return next((value for label, value in rows if label.casefold() in labels), None)


def html_location(rows: list[tuple[str, str]], context: RecordContext) -> tuple[float | None, float | None]:
    """Latitude and longitude by label; in an unknown language, the first two adjacent rows whose
    values are both numbers (the table lists Latitude then Longitude first; the fields after them
    are ids, words and dates, so no other pair of adjacent rows is numeric)."""
    lat, lon = labelled(rows, LATITUDE_LABELS), labelled(rows, LONGITUDE_LABELS)
    if lat is None or lon is None:
        values = [value for _, value in rows]
        lat, lon = next(
            ((a, b) for a, b in zip(values, values[1:]) if number(a) is not None and number(b) is not None),
            (None, None),
        )
    if lat is None:
        return None, None
    return coordinates(lat, lon, context, "Latitude") or (None, None)


def html_tagged_users(rows: list[tuple[str, str]]) -> list[str]:
    """Handles from "name (Tagged, 0.00, 0.00), other (Coauthor)"; by label, else by that shape."""
    value = labelled(rows, TAGGED_USERS_LABELS)
    if value is None:
        value = next((v for _, v in rows if TAGGED_VALUE.fullmatch(v)), None)
    return re.findall(TAGGED_ENTRY, value) if value else []


def html_time(value: str, context: RecordContext) -> datetime | None:
    """"Oct 19, 2025 6:11 pm", or the Korean "2025년 10월 19일 오후 6:11"; no zone, read as UTC."""
    try:
        naive = datetime.strptime(value, ENGLISH_DATE)
    except ValueError:
        naive = korean_time(value)
    if naive is None:
        context.note("date", f"is not a date this tool reads: {value!r}")
        return None
    return naive.replace(tzinfo=timezone.utc)


def korean_time(value: str) -> datetime | None:
    match = KOREAN_DATE.fullmatch(value)
    if not match:
        return None
    year, month, day, half, hour, minute = match.groups()
    hour_24 = int(hour) % 12 + (12 if half == "오후" else 0)
    try:
        return datetime(int(year), int(month), int(day), hour_24, int(minute))
    except ValueError:
        return None


# --- Field readers shared by every layout ---------------------------------------------------------


def media_type(uri: str, video_metadata: bool, bare_uri_type: str) -> str:
    suffix = PurePosixPath(uri).suffix.lower()
    if video_metadata or suffix in VIDEO_SUFFIXES:
        return "video"
    return "image" if suffix else bare_uri_type


def text(value: Any, context: RecordContext, field: str) -> str | None:
    """A caption or name: None when absent or empty."""
    if value is None:
        return None
    if not isinstance(value, str):
        context.note(field, f"is not text: {value!r}")
        return None
    return value.strip() or None


def epoch(value: Any, context: RecordContext, field: str) -> datetime | None:
    """Epoch seconds (UTC). 0 is how Meta writes "unknown"."""
    if value is None or value == 0:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        context.note(field, f"is not epoch seconds: {value!r}")
        return None
    try:
        return datetime.fromtimestamp(value, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        context.note(field, f"is out of range: {value!r}")
        return None


def iso_time(value: Any, context: RecordContext, field: str) -> datetime | None:
    """"2018-12-31T08:05:13": media.json writes no zone; read as UTC like the later epoch times
    (an assumption: formats.md does not say)."""
    if value is None or value == "":
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        context.note(field, f"is not a date: {value!r}")
        return None
    return stamp.replace(tzinfo=timezone.utc) if stamp.tzinfo is None else stamp


def number(value: Any) -> float | None:
    """A finite number from JSON (int or float) or HTML (text); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    return None


def coordinates(lat_value: Any, lon_value: Any, context: RecordContext, field: str) -> tuple[float, float] | None:
    """A (lat, lon) pair; None for 0, 0, which is how Meta writes "no location"."""
    lat, lon = number(lat_value), number(lon_value)
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        context.note(field, f"is not a coordinate pair: {lat_value!r}, {lon_value!r}")
        return None
    if lat == 0 and lon == 0:
        return None
    return lat, lon
