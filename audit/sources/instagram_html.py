"""The 2025 HTML variant of Instagram exports: one post box per post, a details table with localised
labels, tagged users, and dates in English or Korean."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from functools import partial
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Iterator

from bs4 import BeautifulSoup, Tag
from bs4.exceptions import ParserRejectedMarkup

from ..models import Item, ItemError
from .meta_records import RecordContext, coordinates, each_record, media_type, number

if TYPE_CHECKING:
    from .instagram_export import Document

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
