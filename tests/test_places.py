"""Places you return to, on generated inventories: three weeks of a student's photos around home and campus,
one-off trips, and a single busy day. Findings and appearances are written straight into a temp inventory."""

from __future__ import annotations

import json
import math
import random
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest

from audit.inventory.db import open_db, stable_id
from audit.report.actions import LABELS as ACTIONS
from audit.report.page import environment
from audit.places.drawing import drawing
from audit.signals import places as places_module
from audit.signals.places import THRESHOLDS, PlacesSignal, cluster, places
from audit.steps import Tally
from audit.steps.analysis import _run_inventory_signal

ACCOUNT = "instagram:me"
HOME = (37.5563, 126.9236)  # Mapo-gu, Seoul
CAMPUS = (37.5585, 126.9990)  # Jung-gu, Seoul
MONDAY = datetime(2024, 9, 2)
SEOUL_UTC_OFFSET = timedelta(hours=9)


def new_inventory(tmp_path, name="places.db"):
    db = open_db(tmp_path / name)
    db["accounts"].insert({"key": ACCOUNT, "platform": "instagram", "display": "me"})
    return db


def add_photo(db, local: datetime, lat: float, lon: float, via: str, group: str | None = None) -> str:
    """One photo taken at `local` Seoul time. via "exif": GPS and capture time in the file, posted a day later;
    via "geotag": the post's position, and only the posting time (UTC) to tell when."""
    photo = stable_id("photo", local.isoformat(), lat, lon, via)
    db["photos"].insert({"id": photo, "status": "ok", "media_type": "image", "group_id": group})
    posted = local - SEOUL_UTC_OFFSET
    if via == "exif":
        posted += timedelta(days=1, hours=2)  # the camera's clock must win over the posting time
        add_finding(db, photo, "gps", {"lat": lat, "lon": lon, "source": "EXIF GPS"})
        taken = local.strftime("%Y:%m:%d %H:%M:%S")
        add_finding(db, photo, "capture_time", {"datetime": taken, "tag": "DateTimeOriginal"})
    geotag = via == "geotag"
    db["appearances"].insert({
        "id": stable_id("appearance", photo), "photo": photo, "account": ACCOUNT, "platform": "instagram",
        "kind": "post", "posted_at": posted.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "lat": lat if geotag else None, "lon": lon if geotag else None,
    })
    return photo


def add_finding(db, photo: str, kind: str, evidence: dict) -> None:
    db["findings"].insert({
        "id": stable_id(photo, kind), "photo": photo, "signal": "exif", "signal_version": 1, "kind": kind,
        "severity": "high", "summary": kind, "evidence": json.dumps(evidence),
    })


def near(rng: random.Random, lat: float, lon: float, metres: float = 35) -> tuple[float, float]:
    """A position within `metres` of (lat, lon)."""
    distance, bearing = metres * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    north, east = distance * math.cos(bearing), distance * math.sin(bearing)
    return lat + north / 111_320, lon + east / (111_320 * math.cos(math.radians(lat)))


def timetable() -> list[tuple[datetime, tuple[float, float]]]:
    """Three weeks from a Monday: home on Monday, Wednesday and Friday evenings (two photos one Friday) and
    Sunday afternoons: 14 photos on 12 days; campus on Tuesday and Thursday, late morning and afternoon:
    12 photos on 6 days."""
    shots = []
    for week in range(3):
        monday = MONDAY + timedelta(weeks=week)
        for day in (0, 2, 4):
            shots.append((monday + timedelta(days=day, hours=21, minutes=10 * day), HOME))
        shots.append((monday + timedelta(days=6, hours=14), HOME))
        for day in (1, 3):
            shots.append((monday + timedelta(days=day, hours=11, minutes=5), CAMPUS))
            shots.append((monday + timedelta(days=day, hours=15, minutes=40), CAMPUS))
    shots.append((MONDAY + timedelta(days=4, hours=22, minutes=30), HOME))
    shots.append((MONDAY + timedelta(days=11, hours=23, minutes=50), HOME))  # Friday of week 2
    return shots


def add_timetable(db, order_seed: int = 0) -> None:
    rng = random.Random(5)
    shots = [(local, near(rng, *spot), "exif" if i % 2 else "geotag") for i, (local, spot) in enumerate(timetable())]
    random.Random(order_seed).shuffle(shots)
    for local, (lat, lon), via in shots:
        add_photo(db, local, lat, lon, via)


def add_one_off_trips(db) -> None:
    """Single photos in other cities and elsewhere in Seoul, each on its own day, some on the same days as the rest."""
    spots = [
        (35.1587, 129.1604),  # Busan, Haeundae
        (35.8714, 128.6014),  # Daegu
        (33.4996, 126.5312),  # Jeju
        (37.7519, 128.8761),  # Gangneung
        (35.6812, 139.7671),  # Tokyo
        (48.8584, 2.2945),  # Paris
        (37.4979, 127.0276),  # Gangnam station
        (37.5133, 127.1001),  # Jamsil
        (37.5345, 126.9946),  # Itaewon
        (37.5665, 126.9780),  # City Hall, 1.8 km from campus
    ]
    for index, (lat, lon) in enumerate(spots):
        add_photo(db, MONDAY + timedelta(days=index * 2, hours=13), lat, lon, "exif" if index % 2 else "geotag")


def by_name(found: list[dict]) -> dict[str, dict]:
    return {place["name"]: place for place in found}


def test_home_and_campus_are_found_with_their_labels_and_counts(tmp_path):
    db = new_inventory(tmp_path)
    add_timetable(db)
    found = by_name(places(db))
    assert set(found) == {"Mapo-gu, Seoul", "Jung-gu, Seoul"}
    home, campus = found["Mapo-gu, Seoul"], found["Jung-gu, Seoul"]
    assert (home["label"], home["photos"], home["days"]) == ("home", 14, 12)
    assert (campus["label"], campus["photos"], campus["days"]) == ("school_or_work", 12, 6)
    assert home["times"] == {"night": 11, "weekend_day": 3, "weekday_day": 0, "other": 0, "unknown": 0}
    assert campus["times"] == {"night": 0, "weekend_day": 0, "weekday_day": 12, "other": 0, "unknown": 0}
    assert home["name_ko"] == "마포구, 서울" and home["zone"] == "Asia/Seoul"
    assert home["radius_m"] < 40 and abs(home["lat"] - HOME[0]) < 0.0003 and abs(home["lon"] - HOME[1]) < 0.0003
    assert len(home["photo_ids"]) == 14 and len(home["points"]) == 14


def test_one_off_trips_make_no_place_and_leave_the_real_ones_alone(tmp_path):
    trips = new_inventory(tmp_path, "trips.db")
    add_one_off_trips(trips)
    assert places(trips) == []
    assert list(PlacesSignal().analyze_inventory(trips)) == []

    both = new_inventory(tmp_path, "both.db")
    add_timetable(both)
    add_one_off_trips(both)
    found = by_name(places(both))
    assert set(found) == {"Mapo-gu, Seoul", "Jung-gu, Seoul"}
    assert (found["Mapo-gu, Seoul"]["photos"], found["Jung-gu, Seoul"]["photos"]) == (14, 12)


def test_three_photos_on_one_day_are_not_a_place_you_return_to(tmp_path):
    db = new_inventory(tmp_path)
    rng = random.Random(1)
    saturday = MONDAY + timedelta(days=5)
    # 08:30 in Seoul is 23:30 UTC the day before: counted in UTC, these would span two days.
    for hour, minute in ((8, 30), (12, 0), (20, 0)):
        add_photo(db, saturday.replace(hour=hour, minute=minute), *near(rng, *HOME), "geotag")
    assert places(db) == []
    add_photo(db, saturday + timedelta(days=1, hours=10), *near(rng, *HOME), "exif")
    [place] = places(db)
    assert (place["photos"], place["days"], place["label"]) == (4, 2, "home")


def test_near_duplicate_copies_count_as_one_photo(tmp_path):
    db = new_inventory(tmp_path)
    rng = random.Random(2)
    first = add_photo(db, MONDAY + timedelta(hours=21), *near(rng, *HOME), "geotag")
    add_photo(db, MONDAY + timedelta(days=1, hours=21), *near(rng, *HOME), "geotag", group=first)  # re-posted copy
    add_photo(db, MONDAY + timedelta(days=2, hours=21), *near(rng, *HOME), "geotag")
    assert places(db) == []  # two pictures, however many copies
    add_photo(db, MONDAY + timedelta(days=3, hours=21), *near(rng, *HOME), "geotag")
    [place] = places(db)
    assert (place["photos"], len(place["photo_ids"])) == (3, 4)  # every copy gets the finding


def test_findings_one_per_photo_per_place_stored_by_the_analysis_runner(tmp_path):
    db = new_inventory(tmp_path)
    add_timetable(db)
    add_one_off_trips(db)
    _run_inventory_signal(db, PlacesSignal(), 1, Tally())
    rows = list(db.query("select * from findings where signal = 'places'"))
    assert len(rows) == 26 and len({row["photo"] for row in rows}) == 26
    assert {(row["kind"], row["severity"], row["signal_version"]) for row in rows} == {("repeated_place", "high", PlacesSignal.version)}
    summaries = {row["summary"] for row in rows}
    assert summaries == {
        "One of 14 photos taken at the same place on 12 different days, mostly evenings, nights and weekends: "
        "likely home (Mapo-gu, Seoul)",
        "One of 12 photos taken at the same place on 6 different days, mostly weekday daytime: "
        "likely school or work (Jung-gu, Seoul)",
    }
    evidence = json.loads(rows[0]["evidence"])
    assert set(evidence) == {"place", "lat", "lon", "radius_m", "photos", "days", "label", "guess", "times", "zone",
                             "name", "name_ko"}
    _run_inventory_signal(db, PlacesSignal(), 2, Tally())  # replaced, not added to
    assert db["findings"].count_where("signal = 'places'") == 26


def test_the_result_does_not_depend_on_row_order(tmp_path):
    results = []
    for seed in (1, 2):
        db = new_inventory(tmp_path, f"order{seed}.db")
        add_timetable(db, order_seed=seed)
        results.append([(p["place"], p["photos"], p["days"], p["radius_m"], p["photo_ids"]) for p in places(db)])
    assert results[0] == results[1]


def test_clustering_keeps_each_place_within_twice_the_radius():
    assert cluster([], 150) == []
    # A street walked in steps of 100 m: neighbours are always close, but it is not one place.
    street = [(37.55 + step * 100 / 111_320, 126.92) for step in range(12)]
    groups = cluster(street, THRESHOLDS["radius_m"])
    assert sorted(i for group in groups for i in group) == list(range(12))
    for group in groups:
        span_m = (max(group) - min(group)) * 100
        assert span_m <= 2 * THRESHOLDS["radius_m"]


def _drawn(found: list[dict], lang: str = "en") -> str:
    """The places section's SVG, as the report writes it."""
    for place in found:
        place["cards"] = []
    section = environment(lang).get_template("parts/places.html.j2").render(
        places=found, places_drawing=drawing(found), actions=ACTIONS, redacted=False
    )
    return section[section.index("<svg"):section.index("</svg>") + len("</svg>")]


def test_drawing_is_plain_inline_svg_with_escaped_text_and_no_references(tmp_path):
    db = new_inventory(tmp_path)
    add_timetable(db)
    found = places(db)
    found[0]["name"] = '<script>alert("x")</script>'
    svg = _drawn(found)
    root = ET.fromstring(svg)
    tags = {element.tag.split("}")[-1] for element in root.iter()}
    assert tags <= {"svg", "g", "rect", "line", "circle", "text"}
    assert len(root.findall(".//{http://www.w3.org/2000/svg}circle")) == 26
    assert "<script" not in svg and "&lt;script&gt;" in svg
    lowered = svg.lower()
    assert "href" not in lowered and "url(" not in lowered and "@import" not in lowered
    assert lowered.count("http") == 1  # the SVG namespace name, which is never fetched
    assert drawing([]) is None


def test_drawing_speaks_the_reports_language(tmp_path):
    db = new_inventory(tmp_path)
    add_timetable(db)
    root = ET.fromstring(_drawn(places(db), "ko"))
    words = " ".join(text.text or "" for text in root.iter("{http://www.w3.org/2000/svg}text")) + root.get("aria-label")
    assert re.search("[가-힣]", words) and not re.findall("[A-Za-z]{2,}", words), words


def test_places_are_worked_out_again_only_when_what_they_read_changes(tmp_path, monkeypatch):
    """A re-audit with no position, time or picture changed reuses the places (the town table and the clustering
    took most of its second); one new photo at a place, or a changed rule, works them out again."""
    db = new_inventory(tmp_path)
    add_timetable(db)
    first = places(db)
    calls = []
    real_cluster = places_module.cluster
    monkeypatch.setattr(places_module, "cluster", lambda *args: calls.append(1) or real_cluster(*args))
    assert places(db) == first and calls == []
    add_photo(db, MONDAY + timedelta(days=40, hours=22), *HOME, via="exif")
    again = places(db)
    assert len(calls) == 1 and by_name(again)["Mapo-gu, Seoul"]["photos"] == by_name(first)["Mapo-gu, Seoul"]["photos"] + 1
    monkeypatch.setitem(places_module.THRESHOLDS, "min_photos", 13)
    assert [p["photos"] for p in places(db)] == [15] and len(calls) == 2


def test_the_inventory_signal_is_skipped_while_its_inputs_stand_and_never_keeps_lost_findings(tmp_path, monkeypatch):
    db = new_inventory(tmp_path)
    add_timetable(db)
    tally = Tally()
    _run_inventory_signal(db, PlacesSignal(), 1, tally)
    stored = sorted(row["id"] for row in db.query("select id from findings where signal = 'places'"))
    monkeypatch.setattr(PlacesSignal, "analyze_inventory", lambda self, db: pytest.fail("ran with nothing changed"))
    _run_inventory_signal(db, PlacesSignal(), 2, tally)
    assert sorted(row["id"] for row in db.query("select id from findings where signal = 'places'")) == stored
    monkeypatch.undo()
    new = add_photo(db, MONDAY + timedelta(days=40, hours=22), *HOME, via="exif")
    _run_inventory_signal(db, PlacesSignal(), 3, tally)
    assert db["findings"].count_where("signal = 'places' and photo = ?", [new]) == 1
