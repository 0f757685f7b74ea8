"""Places you return to: the positions of all photos, across all accounts, grouped into places.

A place with 3 or more photos taken on 2 or more different days is "a place you return to", and the hours of
those photos suggest what it is: evenings, nights and weekends suggest home; weekday working hours suggest
school or work. That is a guess from photo times, and every finding says so.

Positions: the file's GPS (the exif signal's "gps" findings) and the post's geotag or check-in (appearances'
lat/lon, which the platform-location signal reports). Time of a photo: the camera's clock (EXIF, local time
with no zone) where the file has it, else its earliest posting time (UTC) turned into local time in the
place's zone (geonames.time_zone). Near-duplicate copies of one picture (photos.group_id) count once.

Grouping: the position with the most others within THRESHOLDS["radius_m"] starts a place and takes every
position still free within that distance; then the next densest free position, and so on. The result does not
depend on row order (ties go to the smaller photo id), and a place spans at most twice the radius. A k-d tree
finds the neighbours, so 10,000 positions take well under a second.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import datetime, timezone, tzinfo
from typing import TYPE_CHECKING, Iterator, NamedTuple

import numpy as np

from ..inventory.db import shown_to, stable_id
from ..inventory.transactions import transaction
from ..models import OTHERS, Finding
from ..places import names as geonames
from ..words import N_, say
from .base import Signal, Weight
from .exif import ExifSignal
from .platform_location import has_position, place_words

if TYPE_CHECKING:
    import sqlite_utils

THRESHOLDS = {
    # Positions within this many metres of a place's first position are that place. Issue 5: "roughly 150 m".
    # A phone's GPS is good to 5-50 m outdoors and worse indoors; a geotag names a venue, not a spot in it.
    "radius_m": 150,
    # Issue 5: a place you return to has 3 or more photos on 2 or more different (local) days.
    "min_photos": 3,
    "min_days": 2,
    # Local hours [night_from, night_until) on any day: evenings and nights, when most people are at home.
    "night_from": 19,
    "night_until": 7,
    # Local hours [workday_from, workday_until), Monday to Friday: school and office hours.
    "workday_from": 9,
    "workday_until": 18,
    # A guess needs at least this share of the photos whose time is known; below it, no guess is made.
    "label_share": 0.6,
}

# label: (how the photo times read, the guess)
LABELS = {
    "home": (N_("mostly evenings, nights and weekends"), N_("likely home")),
    "school_or_work": (N_("mostly weekday daytime"), N_("likely school or work")),
    "returning": (N_("at mixed times"), N_("a place you return to")),
}
PERIODS = ("night", "weekend_day", "weekday_day", "other", "unknown")  # "unknown": no time for the photo
EVIDENCE_KEYS = (
    "place", "lat", "lon", "radius_m", "photos", "days", "label", "guess", "times", "zone", "name", "name_ko",
)


class PlacesSignal(Signal):
    name = "places"
    version = 3  # 2: only from posts that someone else can see; 3: findings carry their words
    scope = "inventory"
    title = N_("Places you return to")
    description = "Positions that repeat across photos on different days: likely home, school or work."
    example = "examples/places.toml"
    roles = {"repeated_place": frozenset({"repeated_place"})}
    weights = {
        "repeated_place": Weight(20, 20, N_("A place that repeats across days is probably home, school or work: attackers spread victims' addresses, schools and workplaces."), "place"),
    }

    def analyze_inventory(self, db: "sqlite_utils.Database") -> Iterator[tuple[str, Finding]]:
        for place in places(db, OTHERS):  # what anyone but the user can piece together
            evidence = {key: place[key] for key in EVIDENCE_KEYS}
            finding = Finding(kind="repeated_place", text=_said(place), evidence=evidence, severity="high")
            for photo_id in place["photo_ids"]:
                yield photo_id, finding


    def inputs(self, db: "sqlite_utils.Database") -> str:
        """The positions, pictures and times places() reads, hashed: a re-audit with none changed runs nothing."""
        return _read(db, OTHERS)[0]


class _Point(NamedTuple):
    photo: str
    lat: float
    lon: float


def places(db: "sqlite_utils.Database", audiences: tuple[str, ...] = OTHERS) -> list[dict]:
    """Every place you return to, most photos first: centre, size, counts, guess, name, photo ids and positions.

    Only from the posts that the audiences (models.STRANGERS, models.OTHERS) can see."""
    digest, points, groups, times = _read(db, audiences)
    key = f"places:{'+'.join(audiences)}"
    stored = next(db.query("select value from settings where key = ?", [key]), None)
    if stored and stored["value"].startswith(digest):
        return json.loads(stored["value"][len(digest):])
    found = []
    for members in cluster([(point.lat, point.lon) for point in points], THRESHOLDS["radius_m"]):
        place = _describe([points[i] for i in members], groups, times)
        if place:
            found.append(place)
    found.sort(key=lambda place: (-place["photos"], place["place"]))
    # Kept with what it was worked out from: loading the town table and clustering took most of a re-audit's second
    # when no position had changed (and places() runs for the report too).
    with transaction(db):
        db.execute("insert or replace into settings (key, value) values (?, ?)", [key, digest + json.dumps(found)])
    return found


def _read(db, audiences: tuple[str, ...]) -> tuple[str, list[_Point], dict[str, str], dict[str, datetime]]:
    """What places() works from, for the posts the audiences can see, and a digest of it (with the rules' version)."""
    shown = shown_to(audiences)
    points = _points(db, shown)
    wanted = {point.photo for point in points}
    groups = {row["photo"]: row["picture"] for row in db.query("select photo, picture from pictures")
              if row["photo"] in wanted}
    times = _times(db, shown, wanted)
    read = [PlacesSignal.version, THRESHOLDS, points, sorted(groups.items()),
            sorted((photo, when.isoformat()) for photo, when in times.items())]
    return stable_id(json.dumps(read)), points, groups, times


def cluster(positions: list[tuple[float, float]], radius_m: float) -> list[list[int]]:
    """Indices of `positions` grouped into places (see the module docstring)."""
    if not positions:
        return []
    from scipy.spatial import cKDTree

    vectors = geonames.unit_vectors(positions)
    tree, reach = cKDTree(vectors), geonames.chord(radius_m)
    neighbours = tree.query_ball_point(vectors, reach, return_length=True)
    free = np.ones(len(positions), dtype=bool)
    groups = []
    for seed in sorted(range(len(positions)), key=lambda i: (-neighbours[i], i)):
        if free[seed]:
            members = [i for i in sorted(tree.query_ball_point(vectors[seed], reach)) if free[i]]
            free[members] = False
            groups.append(members)
    return groups


def _describe(points: list[_Point], groups: dict[str, str], times: dict[str, datetime]) -> dict | None:
    pictures = {groups.get(point.photo, point.photo) for point in points}
    if len(pictures) < THRESHOLDS["min_photos"]:
        return None
    lat, lon, radius_m = _centre(points)
    zone = geonames.time_zone(lat, lon)
    when = _picture_times(points, groups, times, zone)
    days = len({local.date() for local in when.values()})
    if days < THRESHOLDS["min_days"]:
        return None
    counts = Counter(_period(local) for local in when.values())
    counts["unknown"] = len(pictures) - len(when)
    label = _label(counts)
    return {
        "place": stable_id("place", lat, lon),
        "lat": lat,
        "lon": lon,
        "radius_m": radius_m,
        "photos": len(pictures),
        "days": days,
        "label": label,
        "pattern": LABELS[label][0],
        "guess": LABELS[label][1],
        "times": {period: counts[period] for period in PERIODS},
        "zone": str(zone),
        "name": geonames.place_name(lat, lon),
        "name_ko": geonames.place_name(lat, lon, "ko"),
        "photo_ids": sorted({point.photo for point in points}),
        # Each picture's local day here, where known: the removal plan counts the days a place still has.
        "dates": {picture: local.date().isoformat() for picture, local in sorted(when.items())},
        "points": [[point.lat, point.lon] for point in points],
    }


def _centre(points: list[_Point]) -> tuple[float, float, int]:
    """Centre (lat, lon to 4 decimals, about 10 m) and the metres from it to the farthest position."""
    vectors = geonames.unit_vectors([(point.lat, point.lon) for point in points])
    middle = vectors.mean(axis=0)
    middle /= np.linalg.norm(middle)
    lat = math.degrees(math.asin(max(-1.0, min(1.0, float(middle[2])))))
    lon = math.degrees(math.atan2(middle[1], middle[0]))
    spread = float(np.linalg.norm(vectors - middle, axis=1).max())
    return round(lat, 4), round(lon, 4), round(geonames.arc_m(spread))


def _picture_times(points: list[_Point], groups: dict[str, str], times: dict[str, datetime], zone: tzinfo) -> dict:
    """Picture (near-duplicate group) -> the earliest local time of its photos at this place, where known."""
    when: dict[str, datetime] = {}
    for point in points:
        local = _local(times.get(point.photo), zone)
        picture = groups.get(point.photo, point.photo)
        if local and (picture not in when or local < when[picture]):
            when[picture] = local
    return when


def _said(place: dict) -> dict:
    pattern, guess = LABELS[place["label"]]
    return say(
        N_("One of %(photos)s photos taken at the same place on %(days)s different days, %(pattern)s: %(guess)s%(where)s"),
        photos=place["photos"],
        days=place["days"],
        pattern=say(pattern),
        guess=say(guess),
        where=place_words({"en": place["name"], "ko": place["name_ko"] or place["name"]}),
    )


def _period(local: datetime) -> str:
    hour = local.hour
    if hour >= THRESHOLDS["night_from"] or hour < THRESHOLDS["night_until"]:
        return "night"
    if local.weekday() >= 5:
        return "weekend_day"
    if THRESHOLDS["workday_from"] <= hour < THRESHOLDS["workday_until"]:
        return "weekday_day"
    return "other"


def _label(counts: Counter) -> str:
    timed = sum(counts[period] for period in PERIODS if period != "unknown")
    if timed and (counts["night"] + counts["weekend_day"]) / timed >= THRESHOLDS["label_share"]:
        return "home"
    if timed and counts["weekday_day"] / timed >= THRESHOLDS["label_share"]:
        return "school_or_work"
    return "returning"


def _points(db, shown: str) -> list[_Point]:
    found = set()
    query = (
        "select photo, evidence from findings where signal = ? and kind = 'gps'"
        f" and photo in (select photo from {shown})"  # a file deleted since (or hidden) no longer shows where
    )
    for row in db.query(query, [ExifSignal.name]):
        evidence = json.loads(row["evidence"])
        found.add((row["photo"], evidence.get("lat"), evidence.get("lon")))
    for row in db.query(f"select photo, lat, lon from {shown} where lat is not null and lon is not null"):
        if has_position(row["lat"], row["lon"]):
            found.add((row["photo"], row["lat"], row["lon"]))
    return sorted(_Point(*point) for point in found if geonames.valid_position(point[1], point[2]))


def _times(db, shown: str, wanted: set[str]) -> dict[str, datetime]:
    """Photo id -> the camera's local time (naive) where EXIF has it, else its earliest posting time (UTC, aware),
    for the wanted photos (the ones that give a position: parsing every photo's time takes 0.2 s per 10,000)."""
    times: dict[str, datetime] = {}
    query = f"select photo, min(posted_at) as posted from {shown} where posted_at is not null group by photo"
    for row in db.query(query):
        if row["photo"] not in wanted:
            continue
        posted = _parse(row["posted"], ("%Y-%m-%dT%H:%M:%S",))
        if posted:
            times[row["photo"]] = posted.replace(tzinfo=timezone.utc)
    query = "select photo, evidence from findings where signal = ? and kind = 'capture_time'"
    for row in db.query(query, [ExifSignal.name]):
        if row["photo"] not in wanted:
            continue
        taken = _parse(json.loads(row["evidence"]).get("datetime"), ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S"))
        if taken:
            times[row["photo"]] = taken
    return times


def _parse(text: object, formats: tuple[str, ...]) -> datetime | None:
    """The first 19 characters (to the second) in one of `formats`; None for anything else."""
    for form in formats:
        try:
            return datetime.strptime(str(text).strip()[:19], form)
        except ValueError:
            continue
    return None


def _local(when: datetime | None, zone: tzinfo) -> datetime | None:
    """Naive local time: camera times already are; posting times are moved from UTC into the place's zone."""
    if when is None or when.tzinfo is None:
        return when
    return when.astimezone(zone).replace(tzinfo=None)
