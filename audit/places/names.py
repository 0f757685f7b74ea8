"""Offline place names at district or city level, and the time zone of a position. No network, ever.

A position in South Korea is named after the district (시/군/구) whose outline contains it:
`data/korea_districts.npz` holds the outlines of Korea's 250 districts and `data/korea_districts.csv` their English
and Korean names (source, age and accuracy: `data/README.md`). The outlines are simplified, so where two overlap a
position goes to the one it is deepest inside, and a position just outside them all (a pier, a beach) to the nearest.

No outlines ship for the rest of the world: none that a package offers is both small and of one consistent level
(data/README.md). There, and in Korea where no outline is near (at sea, say), a position is named after the town
whose area contains it, estimated from towns' positions and populations (`containing_town`). Towns come from
`data/world_towns.csv.gz`: GeoNames' places with 1,000 or more people (CC BY, extracted in March 2019), without
GeoNames' sections of a town (Hell's Kitchen, Kirribilli), which are never the district-level name of a position.
That table has no Korean names and holds all of Seoul as one point, so `data/korea_places.csv` adds Korean names
of Korea's provinces and metropolitan cities, and Seoul's district offices and five towns next to Seoul.
"""

from __future__ import annotations

import csv
import functools
import gzip
import importlib.resources
import math
import re
import sys
import zoneinfo
from datetime import timedelta, timezone, tzinfo
from pathlib import Path
from typing import NamedTuple

import numpy as np

DATA = Path(__file__).resolve().parent / "data"
KOREA_TABLE = DATA / "korea_places.csv"
KOREA_DISTRICTS = DATA / "korea_districts.csv"
KOREA_OUTLINES = DATA / "korea_districts.npz"
WORLD_TOWNS = DATA / "world_towns.csv.gz"
OUTLINE_SCALE = 100_000  # korea_districts.npz stores degrees in units of 1e-5
EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180
# The outlines are simplified (borders and coasts cut corners by tens of metres): this far outside every outline, a
# position still takes the nearest one.
NEAR_OUTLINE_M = 100
# Farther than this from every town (at sea, say), a position gets no name and a time zone from its longitude.
MAX_TOWN_M = 50_000
# A town's area is estimated as a disc holding its people at this density, about that of a city proper (Barcelona
# has 16,000 people per km², Rome 2,200). Chosen on GeoNames' own codes rather than on landmarks: at positions of
# GeoNames' sections of towns and of villages, the town named should be the one whose codes hold them
# (data/README.md).
PEOPLE_PER_M2 = 5_000 / 1e6
# GeoNames lists a place with fewer people, or none recorded, only as the seat of a division: count it as this many.
MIN_PEOPLE = 1_000
LANGUAGES = ("en", "ko")


class Town(NamedTuple):
    name: str
    admin1: str  # first-level division: state, province, metropolitan city
    cc: str  # ISO country code
    name_ko: str | None = None


class _Table(NamedTuple):
    tree: object  # scipy.spatial.cKDTree over unit vectors
    towns: list[tuple]  # Town fields, one tuple per point of the tree
    people: np.ndarray  # each town's population, at least MIN_PEOPLE
    radii: np.ndarray  # metres: the radius of each town's estimated area, a disc (see containing_town)


class _Outlines(NamedTuple):
    districts: list[Town]
    lonlat: np.ndarray  # (n, 2) degrees: every district's closed rings, one district after another
    joins: np.ndarray  # (n,) True where a ring ends, so that point and the next make no edge
    spans: np.ndarray  # (districts, 2) each district's first and end index in lonlat
    boxes: np.ndarray  # (districts, 4) west, south, east, north


def place_name(lat: float, lon: float, lang: str = "en") -> str | None:
    """'Mapo-gu, Seoul' / '마포구, 서울': in Korea the district that contains the position, elsewhere the town
    whose estimated area contains it (containing_town); then its province or state.

    None where neither is found: outside Korea when the town table is missing or no town is within
    MAX_TOWN_M. Korean names exist for Korea's districts and provinces; elsewhere "ko" gives the English name.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, not {lang!r}")
    town = district(lat, lon) or containing_town(lat, lon)  # a town only where no outline is near
    if town is None:
        return None
    korean = lang == "ko"
    admin = (_provinces_ko().get(town.admin1) if korean and town.cc == "KR" else None) or town.admin1
    if town.name == town.admin1:  # Busan, Busan
        return admin
    name = (town.name_ko if korean else None) or town.name
    return f"{name}, {admin}" if admin else name


def place_names(lat: float, lon: float) -> dict[str, str]:
    """The position's name in every language we have ({} when it has none): evidence for findings."""
    names = {lang: place_name(lat, lon, lang) for lang in LANGUAGES}
    return {lang: name for lang, name in names.items() if name}


def district(lat: float, lon: float) -> Town | None:
    """The Korean district whose outline contains the position; where outlines overlap, the one the position is
    deepest inside; outside them all, the nearest within NEAR_OUTLINE_M. None elsewhere."""
    if not valid_position(lat, lon):
        return None
    outlines = _outlines()
    north_south = NEAR_OUTLINE_M / METRES_PER_DEGREE
    east_west = north_south / max(math.cos(math.radians(lat)), 0.01)
    west, south, east, north = outlines.boxes.T
    near = np.flatnonzero(
        (west - east_west <= lon)
        & (lon <= east + east_west)
        & (south - north_south <= lat)
        & (lat <= north + north_south)
    )
    depths = [_depth_m(outlines, index, lat, lon) for index in near]
    if not depths or max(depths) < -NEAR_OUTLINE_M:
        return None
    return outlines.districts[near[int(np.argmax(depths))]]


def _depth_m(outlines: _Outlines, index: int, lat: float, lon: float) -> float:
    """Metres from the position to the district's border: positive inside, negative outside."""
    start, end = outlines.spans[index]
    # Metres east and north of the position: flat is exact enough over one district.
    metres = (METRES_PER_DEGREE * math.cos(math.radians(lat)), METRES_PER_DEGREE)
    points = (outlines.lonlat[start:end] - (lon, lat)) * metres
    edges = ~outlines.joins[start : end - 1]
    tail, head = points[:-1][edges], points[1:][edges]
    # Even-odd rule: a ray from the position eastwards crosses the border an odd number of times from inside.
    crossing = (tail[:, 1] > 0) != (head[:, 1] > 0)
    (tail_x, tail_y), (head_x, head_y) = tail[crossing].T, head[crossing].T
    inside = np.count_nonzero(tail_x - tail_y * (head_x - tail_x) / (head_y - tail_y) > 0) % 2 == 1
    step = head - tail
    along = np.clip(-(tail * step).sum(axis=1) / np.maximum((step * step).sum(axis=1), 1e-9), 0, 1)
    distance = float(np.sqrt(((tail + along[:, None] * step) ** 2).sum(axis=1).min()))
    return distance if inside else -distance


def containing_town(lat: float, lon: float) -> Town | None:
    """The town whose area contains the position, where a town's area is estimated as a disc around its GeoNames
    position that holds its population at PEOPLE_PER_M2. Of the towns whose disc holds the position, the one with
    the fewest people, the most local: Manhattan rather than New York City, and a small town rather than the big
    city whose disc spills over it. Where no disc holds the position, the nearest town within MAX_TOWN_M.

    A disc is a crude outline: a city's GeoNames position is rarely its middle (New York City's is City Hall, near
    the southern tip of Manhattan), so near a border, and in the suburbs of a big city, a neighbour can be named.
    """
    table = _table()
    if table is None or not valid_position(lat, lon):
        return None
    here = unit_vectors([(lat, lon)])[0]
    near = np.asarray(table.tree.query_ball_point(here, chord(float(table.radii.max()))), dtype=np.intp)
    lengths = np.linalg.norm(table.tree.data[near] - here, axis=1)
    metres = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, lengths / 2))  # arc_m, for many at once
    holding = metres <= table.radii[near]
    if holding.any():
        first = np.lexsort((metres[holding], table.people[near[holding]]))[0]  # fewest people, then nearest
        return Town(*table.towns[near[holding][first]])
    return nearest_town(lat, lon)


def nearest_town(lat: float, lon: float) -> Town | None:
    table = _table()
    if table is None or not valid_position(lat, lon):
        return None
    chord, index = table.tree.query(unit_vectors([(lat, lon)])[0])
    return Town(*table.towns[index]) if arc_m(chord) <= MAX_TOWN_M else None


def time_zone(lat: float, lon: float) -> tzinfo:
    """The position's time zone: of its country's zones in the tz database's zone.tab, the one whose main city
    is nearest (exact for one-zone countries such as Korea, UTC+9). Where the country or the tz data is unknown:
    UTC plus round(lon / 15) hours, which can be an hour or two off (Spain; Seoul would get UTC+8)."""
    town = nearest_town(lat, lon)
    zones = _zones().get(town.cc, []) if town else []
    if zones:
        here = unit_vectors([(lat, lon)])[0]
        spots = unit_vectors([zone[:2] for zone in zones])
        try:
            return zoneinfo.ZoneInfo(zones[int(np.argmin(((spots - here) ** 2).sum(axis=1)))][2])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return timezone(timedelta(hours=round(lon / 15)))


@functools.cache
def _table() -> _Table | None:
    if not WORLD_TOWNS.is_file():
        return None
    from scipy.spatial import cKDTree

    towns, points, people = [], [], []
    with gzip.open(WORLD_TOWNS, "rt", encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        next(rows)
        for lat, lon, name, admin1, cc, population in rows:
            if cc == "KR" and admin1 == "Seoul":
                continue  # Seoul is one point in this table: its districts (below) replace it
            towns.append((name, sys.intern(admin1), sys.intern(cc), None))
            points.append((float(lat), float(lon)))
            people.append(int(population))
    for row in _korea_places():
        if row["kind"] != "province":
            towns.append((row["name"], row["admin1"], "KR", row["name_ko"]))
            points.append((float(row["lat"]), float(row["lon"])))
            people.append(0)  # a district office or town hall: the outlines name positions there
    people = np.maximum(np.array(people, dtype=np.float64), MIN_PEOPLE)
    return _Table(cKDTree(unit_vectors(points)), towns, people, np.sqrt(people / (np.pi * PEOPLE_PER_M2)))


@functools.cache
def _korea_places() -> list[dict[str, str]]:
    with KOREA_TABLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _provinces_ko() -> dict[str, str]:
    """English province name as the town table spells it ('Gyeonggi-do') -> Korean ('경기도')."""
    return {row["name"]: row["name_ko"] for row in _korea_places() if row["kind"] == "province"}


@functools.cache
def _outlines() -> _Outlines:
    with KOREA_DISTRICTS.open(encoding="utf-8", newline="") as handle:
        districts = [Town(row["name"], row["admin1"], "KR", row["name_ko"]) for row in csv.DictReader(handle)]
    with np.load(KOREA_OUTLINES) as data:
        return _index_outlines(districts, data["lonlat"] / OUTLINE_SCALE, data["ring_ends"], data["district_ends"])


def _index_outlines(districts: list[Town], lonlat, ring_ends, district_ends) -> _Outlines:
    """Closed rings of (lon, lat) in degrees, district after district; each district's rings end at its
    district_ends entry (an index into ring_ends), each ring at its ring_ends entry (an index into lonlat)."""
    joins = np.zeros(len(lonlat), dtype=bool)
    joins[ring_ends - 1] = True
    ends = ring_ends[district_ends - 1]
    starts = np.concatenate(([0], ends[:-1]))
    lowest, highest = np.minimum.reduceat(lonlat, starts), np.maximum.reduceat(lonlat, starts)
    return _Outlines(districts, lonlat, joins, np.column_stack((starts, ends)), np.hstack((lowest, highest)))


@functools.cache
def _zones() -> dict[str, list[tuple[float, float, str]]]:
    """Country code -> [(lat, lon, zone name)] from zone.tab, where zoneinfo itself finds its data."""
    zones: dict[str, list[tuple[float, float, str]]] = {}
    for line in (_zone_tab() or "").splitlines():
        fields = line.split("\t")
        if line.startswith("#") or len(fields) < 3:
            continue
        position = _iso6709(fields[1])
        if position:
            zones.setdefault(fields[0], []).append((*position, fields[2]))
    return zones


def _zone_tab() -> str | None:
    for folder in zoneinfo.TZPATH:
        path = Path(folder) / "zone.tab"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    try:
        return importlib.resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return None


def _iso6709(text: str) -> tuple[float, float] | None:
    """'+3733+12658' or '+404251-0740023' -> (lat, lon)."""
    match = re.fullmatch(r"([+-])(\d\d)(\d\d)(\d\d)?([+-])(\d\d\d)(\d\d)(\d\d)?", text)
    if not match:
        return None
    lat_sign, lat_d, lat_m, lat_s, lon_sign, lon_d, lon_m, lon_s = match.groups()

    def degrees(sign: str, d: str, m: str, s: str | None) -> float:
        value = int(d) + int(m) / 60 + int(s or 0) / 3600
        return -value if sign == "-" else value

    return degrees(lat_sign, lat_d, lat_m, lat_s), degrees(lon_sign, lon_d, lon_m, lon_s)


def valid_position(lat: object, lon: object) -> bool:
    """Two finite numbers within the ranges of latitude and longitude (metadata is hostile)."""
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (lat, lon))
    return numbers and -90 <= lat <= 90 and -180 <= lon <= 180


def unit_vectors(points) -> np.ndarray:
    """(lat, lon) pairs in degrees -> points on the unit sphere, where straight-line nearest is nearest on Earth."""
    radians = np.radians(np.asarray(points, dtype=np.float64).reshape(-1, 2))
    lat, lon = radians[:, 0], radians[:, 1]
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def arc_m(length: float) -> float:
    """Distance on Earth, in metres, for a straight-line distance between unit vectors."""
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, length / 2))


def chord(metres: float) -> float:
    """The straight-line distance between unit vectors that are `metres` apart on Earth (arc_m's inverse)."""
    return 2 * math.sin(min(math.pi, metres / EARTH_RADIUS_M) / 2)
