"""The report's data as JSON and CSV: every card once, the figures advocates count, no biometric data."""

from __future__ import annotations

import csv
import json
from collections import Counter

import pytest

from audit.inventory.db import open_db
from audit.report.exports import CSV_COLUMNS, write_csv, write_json
from audit.report.page import report_data
from audit.report.supply import Supply

from .test_redact import hostile_inventory

ENCODING = [0.0712, -0.0193, 0.0091]


def _reason(signal: str, kind: str, points: int, evidence: dict) -> dict:
    return {"signal": signal, "kind": kind, "points": points, "summary": f"{signal} {kind}", "fact": "", "evidence": evidence}


def _data() -> dict:
    """Report data in report_data's shape: one card, shared by sections and places as the report shares it."""
    reasons = [
        _reason("faces", "face_high", 45, {"who": "you", "grade": "high", "box": [0.2, 0.2, 0.4, 0.4], "encoding": ENCODING}),
        _reason("exif", "gps", 40, {"lat": 37.5563, "lon": 126.9236}),
        _reason("faces", "bystander_face", 5, {"who": "someone else", "grade": "high", "encoding": ENCODING}),
        _reason("caption-text", "school", 20, {"quote": "한빛여고"}),
        _reason("exif", "camera", 0, {"make": "samsung"}),
    ]
    appearance = {
        "id": "a1", "photo": "p1", "account": "instagram-export:me", "account_display": "@me", "platform": "instagram-export",
        "kind": "post", "media_name": "=HYPERLINK(\"http://x\").jpg", "post_url": "https://www.instagram.com/p/abc/",
        "posted_at": "2024-01-13T12:00:00Z", "caption": "졸업 🎓", "tagged_users": ["friend"], "lat": None, "lon": None,
    }
    card = {
        "id": "p1", "label": appearance["media_name"], "members": ["p1"], "status": "ok", "media_type": "image",
        "score": 100, "action": "remove", "audience": "anyone", "reasons": reasons, "thumbnail": "data:image/jpeg;base64,AAAA",
        "appearances": [appearance], "location_points": 40, "identity_kinds": ["school"],
    }
    return {
        "generated_at": "2026-01-01T00:00:00Z",
        "photos": [card],
        "sections": [{"name": "faces", "rows": [(card, reasons[:1])]}],
        "places": [{"place": "x", "lat": 37.5562, "lon": 126.9235, "cards": [card], "points": [[37.5563, 126.9236]]}],
        "places_drawing": None,
        "people": [{"handle": "friend", "how": {"tagged", "mentioned"}, "posts": [("1.jpg", None)]}],
        "supply": Supply(photos=1, accounts=1, angles=("frontal",), profile_photos=0, unmatched=0, meaning="One is enough."),
        "totals": {"photos": 1, "actions": Counter({"remove": 1})},
    }


def test_json_holds_each_card_once_and_never_a_face_encoding(tmp_path):
    document = json.loads(write_json(_data(), tmp_path / "r.json").read_text(encoding="utf-8"))
    assert "encoding" not in json.dumps(document) and str(ENCODING[0]) not in json.dumps(document)
    assert "sections" not in document and "places_drawing" not in document  # views of the same data
    card = document["photos"][0]
    assert [r["kind"] for r in card["reasons"]][:2] == ["face_high", "gps"] and card["score"] == 100
    assert card["appearances"][0]["tagged_users"] == ["friend"] and "thumbnail" not in card
    assert document["places"][0]["cards"] == ["p1"]  # the card itself is in photos
    assert document["people"][0]["how"] == ["mentioned", "tagged"]
    assert document["supply"]["photos"] == 1 and document["totals"]["actions"] == {"remove": 1}


def test_json_carries_thumbnails_only_when_asked(tmp_path):
    document = json.loads(write_json(_data(), tmp_path / "r.json", thumbnails=True).read_text(encoding="utf-8"))
    assert document["photos"][0]["thumbnail"].startswith("data:image/jpeg;base64,")


def _rows(path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_has_one_row_per_card_with_the_figures(tmp_path):
    (row,) = _rows(write_csv(_data(), tmp_path / "r.csv"))
    assert tuple(row) == CSV_COLUMNS
    assert row["score"] == "100" and row["action"] == "remove" and row["location"] == "yes"
    assert row["face_grade"] == "high" and row["bystander_faces"] == "1" and row["identity_clues"] == "school"
    assert row["top_reasons"] == "faces face_high (+45) | exif gps (+40) | caption-text school (+20)"
    assert row["findings"] == "caption-text/school; exif/camera; exif/gps; faces/bystander_face; faces/face_high"
    assert row["post_urls"] == "https://www.instagram.com/p/abc/" and row["first_posted"] == "2024-01-13T12:00:00Z"
    assert row["label"] == "'=HYPERLINK(\"http://x\").jpg"  # text to a spreadsheet, not a formula
    assert row["accounts"] == "'@me"


@pytest.fixture(scope="module")
def inventory(tmp_path_factory):
    return open_db(hostile_inventory(tmp_path_factory.mktemp("hostile")))


def test_exports_of_a_real_inventory_match_the_report(inventory, tmp_path):
    data = report_data(inventory)
    rows = _rows(write_csv(data, tmp_path / "r.csv"))
    document = json.loads(write_json(data, tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [row["id"] for row in rows] == [card["id"] for card in document["photos"]] == [card["id"] for card in data["photos"]]
    assert sum(int(row["appearances"]) for row in rows) == data["totals"]["posts"]
    public = [row for row in rows if row["audience"] == "anyone"]
    assert public and sum(row["location"] == "yes" for row in public) == data["strangers"]["located"]
    formula = next(row for row in rows if "1+2" in row["label"])
    assert formula["label"] == "'=1+2.jpg"
    assert all(not value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())
