"""Render the inventory as one self-contained HTML file: nothing in it loads from the network."""

from __future__ import annotations

import base64
import json
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
import sqlite_utils
from markupsafe import Markup

from . import __version__, faceid
from .db import now_utc
from .resources import resource_dir
from .scoring import LOCATION_KINDS
from .signals import SIGNALS
from .signals.image_text import tesseract_status
from .signals.places import places, places_svg
from .social import people_around
from .supply import face_supply

IDENTITY_KINDS = {"phone", "email", "school", "university", "student_number", "workplace", "home", "address"}
ACTIONS = {
    "remove": "Remove",
    "archive": "Archive (hide from the public)",
    "strip-location": "Strip the location",
    "keep": "Keep",
}


def safe_url(url: str | None) -> str | None:
    """Only http(s) links to original posts; anything else (javascript:, data:) is dropped."""
    if not url:
        return None
    return url if urlsplit(url).scheme in ("http", "https") else None


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resource_dir("templates"))),
        autoescape=True,  # captions, file names and EXIF are hostile text
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_url"] = safe_url
    return env


def report_data(db: sqlite_utils.Database) -> dict:
    accounts = {row["key"]: row for row in db["accounts"].rows}
    photos = [_photo_card(db, row, accounts) for row in db.query(_RANKED)]
    located = [p for p in photos if p["location_points"]]
    identified = [p for p in photos if p["identity_kinds"]]
    errors = list(db.query("select * from errors where stage != 'skip' order by source, item"))
    return {
        "generated_at": now_utc(),
        "version": __version__,
        "accounts": [_account_summary(a, photos) for a in accounts.values()],
        "photos": photos,
        "totals": {
            "photos": len(photos),
            "appearances": sum(len(p["appearances"]) for p in photos),
            "accounts": len(accounts),
            "located": len(located),
            "identified": len(identified),
            "missing": sum(1 for p in photos if p["status"] == "missing"),
            "skipped": db["errors"].count_where("stage = 'skip'"),
            "actions": Counter(p["action"] for p in photos),
        },
        "sections": _sections(photos),
        "supply": face_supply(db),
        "identity": _identity(db),
        "people": people_around(db),
        **_places(db, photos),
        "errors": errors,
        "actions": ACTIONS,
    }


# One card per group of near-duplicates, shown with its first photo's thumbnail.
_RANKED = """
select photos.*, scores.score, scores.action, scores.reasons, thumbnails.jpeg
from photos
left join scores on scores.photo = photos.id
left join thumbnails on thumbnails.photo = photos.id
where coalesce(photos.group_id, photos.id) = photos.id
order by coalesce(scores.score, 0) desc, photos.id
"""
_GROUP_APPEARANCES = """
select appearances.* from appearances join photos on photos.id = appearances.photo
where coalesce(photos.group_id, photos.id) = ?
order by appearances.posted_at, appearances.id
"""


def _photo_card(db, row: dict, accounts: dict) -> dict:
    reasons = json.loads(row["reasons"] or "[]")
    appearances = list(db.query(_GROUP_APPEARANCES, [row["id"]]))
    for appearance in appearances:
        appearance["account_display"] = accounts.get(appearance["account"], {}).get("display", appearance["account"])
        appearance["tagged_users"] = json.loads(appearance["tagged_users"] or "[]")
    return {
        "id": row["id"],
        "label": appearances[0]["media_name"] if appearances else row["id"][:12],
        "members": sorted({a["photo"] for a in appearances} | {row["id"]}),
        "status": row["status"],
        "media_type": row["media_type"],
        "format": row["format"],
        "width": row["width"],
        "height": row["height"],
        "score": row["score"] or 0,
        "action": row["action"] or "keep",
        "reasons": reasons,
        "thumbnail": "data:image/jpeg;base64," + base64.b64encode(row["jpeg"]).decode() if row["jpeg"] else None,
        "appearances": appearances,
        "location_points": sum(r["points"] for r in reasons if (r["signal"], r["kind"]) in LOCATION_KINDS),
        "identity_kinds": sorted({r["kind"] for r in reasons if r["signal"] == "caption-text" and r["kind"] in IDENTITY_KINDS}),
    }


def _places(db: sqlite_utils.Database, photos: list[dict]) -> dict:
    """Places you return to, with the cards of their photos; the drawing is escaped SVG made by places_svg."""
    found = places(db)
    card_of = {member: card for card in photos for member in card["members"]}
    for place in found:
        place["cards"] = list({card_of[photo]["id"]: card_of[photo] for photo in place["photo_ids"] if photo in card_of}.values())
    return {"places": found, "places_drawing": Markup(places_svg(found))}


def _identity(db: sqlite_utils.Database) -> dict:
    """Whether faces could be matched to the user, and if not, why, and what to do about it."""
    groups = faceid.cluster_summary(db)
    return {
        "unavailable": faceid.available(),
        "ocr_unavailable": tesseract_status()[0],
        "references": db["reference_faces"].count,
        "largest_group": groups[0] if groups else None,
    }


def _account_summary(account: dict, photos: list[dict]) -> dict:
    mine = [p for p in photos if any(a["account"] == account["key"] for a in p["appearances"])]
    return {**account, "photos": len(mine), "risky": sum(1 for p in mine if p["score"])}


def _sections(photos: list[dict]) -> list[dict]:
    """One section per signal that scored something; signals with nothing get no section at all.

    Facts that add no points (hashtags, camera model) stay on the photo cards.
    """
    sections = []
    for signal in SIGNALS.values():
        rows = [
            (photo, [r for r in photo["reasons"] if r["signal"] == signal.name and r["points"]])
            for photo in photos
        ]
        rows = [(photo, reasons) for photo, reasons in rows if reasons]
        if rows:
            sections.append({"name": signal.name, "title": signal.title, "rows": rows})
    return sections


def render_report(db: sqlite_utils.Database, out: Path) -> Path:
    html = environment().get_template("report.html.j2").render(**report_data(db))
    out.write_text(html, encoding="utf-8")
    return out
