"""Render the inventory as one self-contained HTML file: nothing in it loads from the network."""

from __future__ import annotations

import base64
import contextlib
import gc
import hashlib
import json
from collections import Counter
from datetime import tzinfo
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
import sqlite_utils

from .. import __version__
from ..faces import identity as faceid
from ..inventory.db import now_utc, shown_to
from ..models import ANYONE, AUDIENCES, ONLY_YOU, OTHERS, STRANGERS
from ..outputs import write_private
from ..places.drawing import drawing
from ..resources import resource_dir
from ..scoring import LOCATION_KINDS
from ..signals import SIGNALS, clue_names, kinds
from ..signals.places import places
from ..text.fix import bidi_visible, isolated
from ..text.ocr import tesseract_status
from . import actions, dates, i18n
from .changes import changes_since_last
from .exports import write_csv, write_json
from .exposure import Card, clue_kinds, exposure, picture_points
from .plan import Plan, removal_plan
from .redact import redact_report
from .social import people_around
from .supply import face_supply

IDENTITY_CLUES = kinds("identity_clue")


def safe_url(url: str | None) -> str | None:
    """Only http(s) links to original posts; anything else (javascript:, data:) is dropped."""
    if not url:
        return None
    return url if urlsplit(url).scheme in ("http", "https") else None


def csp_hash(script: str) -> str:
    """The CSP source that lets exactly this inline script run (never 'unsafe-inline': captions are hostile text)."""
    return "sha256-" + base64.b64encode(hashlib.sha256(str(script).encode()).digest()).decode()


class _Environment(jinja2.Environment):
    def getattr(self, obj, attribute):
        """`card.score` reads the key first: the report's data is dicts, and jinja's own order (the attribute,
        then the key) pays for a failed attribute lookup every time (0.7 s for a 10,000-photo report)."""
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


def environment(lang: str = "en", zone: tzinfo | None = None) -> jinja2.Environment:
    """The report's templates in `lang`, showing times in `zone` (None: this computer's; dates.install)."""
    env = _Environment(
        loader=jinja2.FileSystemLoader(str(resource_dir("templates"))),
        autoescape=True,  # captions, file names and EXIF are hostile text
        trim_blocks=True,
        lstrip_blocks=True,
        # Compiled templates kept between runs (in a folder only this user can open; keyed by each template's
        # source): compiling them took a quarter of a second of every report.
        bytecode_cache=jinja2.FileSystemBytecodeCache(),
    )
    env.filters["safe_url"] = safe_url
    env.filters["csp_hash"] = csp_hash
    # Metadata (names, captions, quotes): `isolate` in text, `bidi_visible` in attributes, where no element fits.
    env.filters["isolate"] = isolated
    env.filters["bidi_visible"] = bidi_visible
    env.globals["clue_names"] = clue_names()  # {kind: English name}; templates say them with `translate`
    i18n.install(env, lang)
    dates.install(env, lang, zone)  # local_time, local_date, posted_time, time_zone
    return env


def report_data(db: sqlite_utils.Database) -> dict:
    accounts = {row["key"]: row for row in db["accounts"].rows}
    pictures = _appearances_by_picture(db)
    # Only pictures still posted somewhere; the ones deleted since are in "changes since the last audit".
    photos = [_photo_card(row, pictures[row["id"]], accounts) for row in db.query(_RANKED) if row["id"] in pictures]
    errors = list(db.query("select * from errors where stage not in ('skip', 'note') order by source, item"))
    strangers, followers, plan, found_places = _audiences(db)
    return {
        "generated_at": now_utc(),
        "version": __version__,
        "accounts": [_account_summary(a, photos) for a in accounts.values()],
        "photos": photos,
        "totals": {
            "photos": len(photos),
            "videos": sum(1 for p in photos if p["media_type"] == "video"),  # among `photos`: the count then says so
            "posts": sum(len(p["appearances"]) for p in photos),
            "in_several_places": sum(1 for p in photos if len(p["appearances"]) > 1),
            "accounts": len(accounts),
            "unreadable": db["photos"].count_where("status = 'unreadable'"),
            "missing": sum(1 for p in photos if p["status"] == "missing"),
            "skipped": db["errors"].count_where("stage = 'skip'"),
            "actions": Counter(p["action"] for p in photos),
            "hidden": sum(1 for p in photos if p["audience"] == ONLY_YOU),
        },
        "strangers": strangers,
        "followers": followers,
        "sections": _sections(photos),
        "supply": strangers["supply"],
        "identity": _identity(db),
        "people": people_around(db),
        "plan": plan,
        "changes": changes_since_last(db),
        "clean_copies": clean_copies(db),
        **_places(found_places, photos),
        "errors": errors,
        "notes": [row["message"] for row in db.query("select distinct message from errors where stage = 'note' order by message")],
        "actions": actions.LABELS,
    }


def clean_copies(db: sqlite_utils.Database) -> dict[str, dict]:
    """The newest clean copy of each picture (`photo-audit clean`) that is still where it was written: {picture:
    {"path", "covered"}}. A copy deleted or moved since is not offered."""
    rows = db.query("select pictures.picture, clean_copies.path, clean_copies.covered from clean_copies "
                    "join pictures on pictures.photo = clean_copies.photo order by clean_copies.made_at")
    return {row["picture"]: {"path": row["path"], "covered": bool(row["covered"])} for row in rows
            if Path(row["path"]).is_file()}


def _audiences(db: sqlite_utils.Database) -> tuple[dict, dict | None, Plan, list[dict]]:
    """What strangers see, what followers see on top, the removal plan, and the places that anyone but the user sees
    repeat: from each audience's exposure, worked out once (reading the findings and clustering the positions again
    for each of these took seconds on 10,000 photos)."""
    found = {audiences: places(db, audiences) for audiences in (STRANGERS, OTHERS)}
    points = picture_points(db)
    seen = {audiences: exposure(db, audiences, found[audiences], points) for audiences in (STRANGERS, OTHERS)}
    strangers = seen_by(db, STRANGERS, seen[STRANGERS])
    followers = _more_for_followers(strangers, seen_by(db, OTHERS, seen[OTHERS]))
    return strangers, followers, removal_plan(db, seen[STRANGERS]), found[OTHERS]  # the plan last: it takes cards apart


def seen_by(db: sqlite_utils.Database, audiences: tuple[str, ...], seen: tuple[dict[str, Card], dict[str, dict]]) -> dict:
    """What the audiences can see (`seen`: exposure(db, audiences)), in the numbers the headline says (exposure.py's
    definitions)."""
    cards, places = seen
    shown = shown_to(audiences)
    pictures = db.execute(f"select count(distinct pictures.picture) from {shown} as shown "
                          "join pictures on pictures.photo = shown.photo join photos on photos.id = shown.photo "
                          "where photos.status != 'unreadable'").fetchone()[0]
    return {
        "pictures": pictures,
        "supply": face_supply(db, audiences),
        "located": sum(1 for card in cards.values() if card.located),
        "identified": sum(1 for card in cards.values() if card.clue_kinds),
        "clue_kinds": sorted(clue_kinds(cards)),
        "places": list(places.values()),  # most pictures first, as the places signal lists them
    }


def _more_for_followers(strangers: dict, others: dict) -> dict | None:
    """What followers see on top of what strangers see; None when they see nothing more."""
    def faces(seen: dict) -> int:
        return seen["supply"].photos if seen["supply"] else 0

    more = {
        "pictures": others["pictures"] - strangers["pictures"],
        "faces": faces(others) - faces(strangers),
        "located": others["located"] - strangers["located"],
        "identified": others["identified"] - strangers["identified"],
        "places": len(others["places"]) - len(strangers["places"]),
    }
    return more if more["pictures"] > 0 else None


# One card per picture (a group of near-duplicates), shown with its first photo's thumbnail.
_RANKED = """
select photos.*, scores.score, scores.action, scores.reasons, thumbnails.jpeg
from photos
join pictures on pictures.photo = photos.id
left join scores on scores.photo = photos.id
left join thumbnails on thumbnails.photo = photos.id
where pictures.picture = photos.id and photos.status != 'unreadable'
order by coalesce(scores.score, 0) desc, photos.id
"""
# Every appearance with its picture, read in one pass: a query per picture scans photos each time (10,000 cards: 80 s).
_PICTURE_APPEARANCES = """
select pictures.picture, current_appearances.*
from current_appearances join pictures on pictures.photo = current_appearances.photo
order by current_appearances.posted_at, current_appearances.id
"""


def _appearances_by_picture(db: sqlite_utils.Database) -> dict[str, list[dict]]:
    pictures: dict[str, list[dict]] = {}
    for row in db.query(_PICTURE_APPEARANCES):
        row["audience"] = row["audience"] or ANYONE  # written without one: counted as public, like db.shown_to
        pictures.setdefault(row.pop("picture"), []).append(row)
    return pictures


def _photo_card(row: dict, appearances: list[dict], accounts: dict) -> dict:
    reasons = json.loads(row["reasons"] or "[]")
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
        # Who can see it now: the widest audience among its posts (models.AUDIENCES, widest first).
        "audience": next((a for a in AUDIENCES if any(p["audience"] == a for p in appearances)), ONLY_YOU),
        "thumbnail": "data:image/jpeg;base64," + base64.b64encode(row["jpeg"]).decode() if row["jpeg"] else None,
        "appearances": appearances,
        # What the report's filters and sorting read (templates/parts/report.js).
        "accounts": list(dict.fromkeys(a["account"] for a in appearances)),
        "signals": sorted({r["signal"] for r in reasons if r["points"]}),
        "last_posted": max((a["posted_at"] for a in appearances if a["posted_at"]), default=""),
        "location_points": sum(r["points"] for r in reasons if (r["signal"], r["kind"]) in LOCATION_KINDS),
        # Identity clues in the caption or the picture: the kinds that exposure.py counts as clues.
        "identity_kinds": sorted({r["kind"] for r in reasons if (r["signal"], r["kind"]) in IDENTITY_CLUES}),
    }


def _places(found: list[dict], photos: list[dict]) -> dict:
    """Places you return to (what anyone but the user sees: `found`), with the cards of their photos, and where to
    draw their positions."""
    card_of = {member: card for card in photos for member in card["members"]}
    for place in found:
        place["cards"] = list({card_of[photo]["id"]: card_of[photo] for photo in place["photo_ids"] if photo in card_of}.values())
    return {"places": found, "places_drawing": drawing(found)}


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
    """Its posts (a carousel's photos and a picture posted twice each count), and who can see them."""
    posts = [(p, a) for p in photos for a in p["appearances"] if a["account"] == account["key"]]
    return {
        **account,
        "posts": len(posts),
        "risky": len({p["id"] for p, _ in posts if p["score"]}),
        "audiences": Counter(a["audience"] for _, a in posts),
    }


def _sections(photos: list[dict]) -> list[dict]:
    """One section per signal that scored something; signals with nothing get no section at all.

    Facts that add no points (hashtags, camera model) stay on the photo cards.
    """
    rows: dict[str, list] = {name: [] for name in SIGNALS}
    for photo in photos:
        for name in photo["signals"]:
            rows[name].append((photo, [r for r in photo["reasons"] if r["signal"] == name and r["points"]]))
    return [{"name": name, "title": signal.title, "rows": rows[name]} for name, signal in SIGNALS.items() if rows[name]]


def render_report(
    db: sqlite_utils.Database,
    out: Path,
    redact: bool = False,
    lang: str = "en",
    json_path: Path | None = None,
    csv_path: Path | None = None,
) -> Path:
    """The HTML report, and the same (redacted, when asked) data as JSON and CSV for advocates' own analysis."""
    with _cycle_collector_paused():
        data = report_data(db)
        if redact:
            data = redact_report(data)
        # Written as it is made: a 10,000-photo report is 70 MB of HTML, which held whole (its pieces, the joined
        # text, then its UTF-8) would more than double the command's peak memory.
        template = environment(lang, dates.report_zone(db)).get_template("report.html.j2")
        write_private(out, template.generate(**data, redacted=redact, lang=lang))
    if json_path:
        write_json(data, json_path)
    if csv_path:
        write_csv(data, csv_path)
    return out


@contextlib.contextmanager
def _cycle_collector_paused():
    """The report's data is hundreds of thousands of small dicts and lists without reference cycles: Python's cycle
    collector walks them again and again while they are made, and finds nothing (1 to 1.5 s of a 10,000-photo
    report, benchmarks/report.py). Reference counting still frees them; what a cycle holds is collected after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
