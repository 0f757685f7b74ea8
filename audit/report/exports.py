"""The report's data as JSON and CSV, for advocates' own analysis (spreadsheets, scripts).

Both take what `report.report_data` returns, or `redact.redact_report` made of it: an export of a redacted
report is redacted too. JSON holds everything the report shows: the photo cards (appearances, reasons, score,
action), the plan, the summary figures, places, people, changes and errors; a card found elsewhere (in places,
in the plan) is given by its id. CSV has one row per photo card.

Never in either: face encodings (biometric templates, in the faces findings' evidence), and the places drawing
(it is only a view). Thumbnails are in JSON on request only, being most of its size, and never in CSV.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..outputs import write_private
from ..signals import kinds

# View-only keys: the drawing is SVG, and sections are the cards' reasons grouped again.
VIEW_ONLY = {"places_drawing", "sections"}
NEVER = {"encoding"}  # a face template: biometric data, never exported
CSV_COLUMNS = (
    "id", "label", "score", "action", "audience", "status", "media_type", "accounts", "platforms", "appearances",
    "first_posted", "post_urls", "findings", "top_reasons", "location", "location_points", "identity_clues",
    "face_grade", "bystander_faces",
)
TOP_REASONS = 3
GRADES = ("high", "medium", "low")  # best first
FACES = kinds("face", "bystander_face")  # every face: the user's (or not matched) and someone else's
# A cell starting with one of these is a formula to a spreadsheet: file names and captions are hostile text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_json(data: dict, path: Path, thumbnails: bool = False) -> Path:
    cards = {id(card) for card in data["photos"]}
    document = {key: value for key, value in data.items() if key not in VIEW_ONLY}
    document["photos"] = [_plain(card, set(), thumbnails) for card in data["photos"]]
    document = {key: value if key == "photos" else _plain(value, cards, thumbnails) for key, value in document.items()}
    return write_private(path, json.dumps(document, ensure_ascii=False, indent=1))


def _plain(value: Any, cards: set[int], thumbnails: bool) -> Any:
    """JSON types only; a card met outside the photo list becomes its id."""
    if id(value) in cards:
        return value["id"]
    if isinstance(value, dict):
        return {
            str(key): _plain(item, cards, thumbnails)
            for key, item in value.items()
            if key not in NEVER and (thumbnails or key != "thumbnail")
        }
    if isinstance(value, (list, tuple)):
        return [_plain(item, cards, thumbnails) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(item, cards, thumbnails) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain({f.name: getattr(value, f.name) for f in dataclasses.fields(value)}, cards, thumbnails)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)  # str, and Markup as its text


def write_csv(data: dict, path: Path) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS)
    writer.writeheader()
    for card in data["photos"]:
        writer.writerow({key: _cell(value) for key, value in _row(card).items()})
    return write_private(path, out.getvalue(), encoding="utf-8-sig")  # the BOM makes spreadsheets read UTF-8 (Hangul)


def _row(card: dict) -> dict:
    appearances, reasons = card["appearances"], card["reasons"]
    faces = [r["evidence"] for r in reasons if (r["signal"], r["kind"]) in FACES]
    mine = {face.get("grade") for face in faces if face.get("who") != "someone else"}
    scored = sorted((r for r in reasons if r["points"]), key=lambda r: -r["points"])
    return {
        "id": card["id"],
        "label": card["label"],
        "score": card["score"],
        "action": card["action"],
        "audience": card["audience"],
        "status": card["status"],
        "media_type": card["media_type"],
        "accounts": "; ".join(sorted({a["account_display"] or a["account"] for a in appearances})),
        "platforms": "; ".join(sorted({a["platform"] for a in appearances if a["platform"]})),
        "appearances": len(appearances),
        "first_posted": min((a["posted_at"] for a in appearances if a["posted_at"]), default=""),
        "post_urls": " ".join(a["post_url"] for a in appearances if a["post_url"]),
        "findings": "; ".join(sorted({f"{r['signal']}/{r['kind']}" for r in reasons})),
        "top_reasons": " | ".join(f"{r['summary']} (+{r['points']})" for r in scored[:TOP_REASONS]),
        "location": "yes" if card["location_points"] else "no",
        "location_points": card["location_points"],
        "identity_clues": "; ".join(card["identity_kinds"]),
        "face_grade": next((grade for grade in GRADES if grade in mine), "none"),
        "bystander_faces": sum(1 for face in faces if face.get("who") == "someone else"),
    }


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value  # shown as text, not run
    return value
