"""The HTML variant of Instagram exports (2024 on), and of Threads' (threads_export): one post box per post, a details
table with localised labels after each media file, tagged users, and dates in English, Korean or numbers.

The details rows come in the shapes Meta's HTML exports use (docs/formats.md, and the real samples in
tests/fixtures/formats/instagram_dyi_html_*): one cell holding the label and the value in nested divs, either
`<td><div>Latitude</div><div><div>-2.54</div></div></td>` (the media lists since 2024) or
`<td>Latitude<div><div>-2.54</div></div></td>` (other lists); two cells, label then value; and a cell holding a
nested table, a group whose own rows are read in turn. Since 2024 each media file of a post is followed by its
own tables; a table outside every file's part of the box belongs to all of them. A row of any other shape is
reported, so that a change of layout shows as an error rather than as a silent loss.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from functools import partial
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Iterator

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.exceptions import ParserRejectedMarkup

from ...models import Item, ItemError
from .meta_records import RecordContext, coordinates, each_record, media_type, number

if TYPE_CHECKING:
    from ..instagram_export import Document

# The HTML variant: one box per post. The `_xx` classes are generated, so they are used only to find
# the boxes, the date and a caption that is not an h2; everything else is found by structure.
HTML_POST_BOX = "div.pam._3-95._2ph-._a6-g.uiBoxWhite.noborder"
HTML_DATE = "div._a6-o"
HTML_CAPTION = "div._a6-h"  # 2024; since 2025 the caption is the box's h2
HTML_MEDIA = "img[src], video[src]"
# Table labels are localised. Known labels come first; when none is known, the structure decides
# (see html_location and html_tagged_users). The Korean labels are our best reading, not verified.
LATITUDE_LABELS = {"latitude", "위도"}
LONGITUDE_LABELS = {"longitude", "경도"}
TAGGED_USERS_LABELS = {"tagged users", "태그된 사용자", "태그된 사람"}
# Camera rows, by the key the JSON layout gives them in `exif_data` (docs/formats.md): kept there for the HTML
# variant too, so that the signals read both layouts alike. English labels only: every row, in any language,
# stays in `details` as well, which the export-metadata signal also reads.
EXIF_KEYS = {
    "device id": "device_id",
    "software": "software",
    "date taken": "date_time_original",
    "source type": "source_type",
}
# "name (Tagged, 0.00, 0.00), other (Coauthor)": a handle, then its role and tag position in brackets.
TAGGED_ENTRY = r"([^\s,()]+)\s*\([^()]*\)"
TAGGED_VALUE = re.compile(rf"{TAGGED_ENTRY}(?:\s*,\s*{TAGGED_ENTRY})*")
ENGLISH_DATE = "%b %d, %Y %I:%M %p"  # "Oct 19, 2025 6:11 pm"
NUMERIC_DATE = "%Y/%m/%d %H:%M"  # "2024/08/25 2:31", a Japanese export (tests/fixtures/formats/threads_dyi_html_*)
KOREAN_DATE = re.compile(r"(\d{4})년\s*(\d{1,2})월\s*(\d{1,2})일\s*(오전|오후)\s*(\d{1,2}):(\d{2})")

Rows = list[tuple[str, str]]  # (label, value) pairs of a details table, in order


def html_entries(raw: bytes, document: Document) -> Iterator[Item | ItemError]:
    boxes = yield from html_boxes(raw, document.rel)
    if boxes:
        yield from each_record(boxes, document.rel, partial(html_post_items, kind=document.kind))


def html_boxes(raw: bytes, rel: str) -> Iterator[ItemError]:
    """Yields the problems of a page; returns its post boxes (None when there are none to read)."""
    try:
        page = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # One bad byte must not cost the whole file: report it, then read on with it replaced.
        line = raw.count(b"\n", 0, exc.start) + 1
        yield ItemError(rel, f"not valid UTF-8 at line {line} (byte {exc.start}); read with it replaced")
        page = raw.decode("utf-8", errors="replace")
    try:
        boxes = BeautifulSoup(page, "html.parser").select(HTML_POST_BOX)
    except ParserRejectedMarkup as exc:
        yield ItemError(rel, f"not readable HTML: {exc}")
        return None
    if not boxes:
        yield ItemError(rel, f"no post boxes ({HTML_POST_BOX}) found: the export layout may have changed")
        return None
    return boxes


def html_post_items(box: Tag, context: RecordContext, kind: str) -> Iterator[Item]:
    media = [tag for tag in box.select(HTML_MEDIA) if tag["src"].strip()]
    if not media:
        context.note("img src", "is missing: the post shows no media file")
        return
    heading = box.find("h2") or box.select_one(HTML_CAPTION)  # the caption, when there is one
    date = box.select_one(HTML_DATE)
    common = {
        "source_item": context.source_item,
        "origin": None,
        "kind": kind,
        "post_id": PurePosixPath(media[0]["src"]).stem,  # as for JSON: the first media file's stem
        "posted_at": html_time(date.get_text(strip=True), context) if date else None,
        "caption": (heading.get_text().strip() or None) if heading else None,
    }
    for tag, rows in zip(media, media_rows(box, media, context)):
        uri = tag["src"]
        yield Item(
            media_name=uri,
            media_type=media_type(uri, tag.name == "video", "image"),
            **common,
            **media_facts(rows, context),
        )


def media_facts(rows: Rows, context: RecordContext) -> dict:
    """The Item fields that one media file's details rows give."""
    lat, lon = html_location(rows, context)
    camera = {EXIF_KEYS[label.casefold()]: value for label, value in rows if label.casefold() in EXIF_KEYS and value}
    # The HTML prints times without a zone; they are read as UTC and flagged so.
    extra = {"details": dict(rows), "time_zone": "not in the export, read as UTC"}
    if camera:
        extra["exif_data"] = [camera]
    return {"lat": lat, "lon": lon, "tagged_users": html_tagged_users(rows), "extra": extra}


def media_rows(box: Tag, media: list[Tag], context: RecordContext) -> list[Rows]:
    """The details rows of each media file: its own tables', then those of the post as a whole."""
    tables = top_tables(box)
    rows = {id(table): table_rows(table, context) for table in tables}
    parts = [own_part(tag, box) for tag in media]
    # By identity: bs4 tags that hold the same markup compare equal.
    owned = [[table for table in tables if any(parent is part for parent in table.parents)] for part in parts]
    claimed = {id(table) for found in owned for table in found}
    shared = [table for table in tables if id(table) not in claimed]
    return [[row for table in found + shared for row in rows[id(table)]] for found in owned]


def top_tables(box: Tag) -> list[Tag]:
    """The box's tables that are not inside another of its tables (those are read with their rows)."""
    tables = box.find_all("table")
    inner = {id(nested) for table in tables for nested in table.find_all("table")}
    return [table for table in tables if id(table) not in inner]


def own_part(tag: Tag, box: Tag) -> Tag:
    """The largest part of the box around a media file that holds no other media file."""
    part = tag
    while part is not box and part.parent is not None and len(part.parent.select(HTML_MEDIA)) == 1:
        part = part.parent
    return part


def table_rows(table: Tag, context: RecordContext) -> Rows:
    rows = []
    for row in table.find_all("tr"):
        if row.find("table"):  # a group: its rows are among those found here
            continue
        pair = row_pair(row)
        if pair is None:
            context.note("details", f"has a row this tool does not read: {row.get_text(' ', strip=True)[:80]!r}")
        else:
            rows.append(pair)
    return rows


def row_pair(row: Tag) -> tuple[str, str] | None:
    """A row's label and value: two cells, or one cell holding both (label text or div, then a div);
    None for any other shape, or a row without a label."""
    cells = row.find_all("td")
    parts = cells if len(cells) == 2 else [child for child in cells[0].children if not blank(child)] if cells else []
    if len(parts) != 2:
        return None
    label, value = (text_of(part) for part in parts)
    return (label, value) if label else None


def blank(node) -> bool:
    """Layout whitespace between tags, or a comment."""
    return isinstance(node, NavigableString) and (isinstance(node, Comment) or not node.strip())


def text_of(node) -> str:
    return node.strip() if isinstance(node, NavigableString) else node.get_text(" ", strip=True)


def labelled(rows: Rows, labels: set[str]) -> str | None:
    return next((value for label, value in rows if label.casefold() in labels), None)


def html_location(rows: Rows, context: RecordContext) -> tuple[float | None, float | None]:
    """Latitude and longitude by label; in an unknown language, the first two rows when both values are
    numbers (a media file's details list Latitude then Longitude first; later rows can be numbers too,
    such as Source type "3" then Has Camera Metadata "1")."""
    lat, lon = labelled(rows, LATITUDE_LABELS), labelled(rows, LONGITUDE_LABELS)
    if lat is None or lon is None:
        values = [value for _, value in rows[:2]]
        if len(values) < 2 or number(values[0]) is None or number(values[1]) is None:
            return None, None
        lat, lon = values
    return coordinates(lat, lon, context, "Latitude") or (None, None)


def html_tagged_users(rows: Rows) -> list[str]:
    """Handles from "name (Tagged, 0.00, 0.00), other (Coauthor)"; by label, else by that shape."""
    value = labelled(rows, TAGGED_USERS_LABELS)
    if value is None:
        value = next((v for _, v in rows if TAGGED_VALUE.fullmatch(v)), None)
    return list(dict.fromkeys(re.findall(TAGGED_ENTRY, value))) if value else []  # a coauthor is often tagged too


def html_time(value: str, context: RecordContext) -> datetime | None:
    """"Oct 19, 2025 6:11 pm", the Korean "2025년 10월 19일 오후 6:11", or "2024/08/25 2:31"; no zone, read as UTC."""
    naive = strict_time(value, ENGLISH_DATE) or strict_time(value, NUMERIC_DATE) or korean_time(value)
    if naive is None:
        context.note("date", f"is not a date this tool reads: {value!r}")
        return None
    return naive.replace(tzinfo=timezone.utc)


def strict_time(value: str, form: str) -> datetime | None:
    try:
        return datetime.strptime(value, form)
    except ValueError:
        return None


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
