"""Offline place names and time zones: Korea by the district that contains the point, in English and Korean,
elsewhere by the town whose estimated area holds it, with the network cut off. The wider measurement, on 112
landmarks: benchmarks/place_names.py."""

from __future__ import annotations

import csv
import socket
from datetime import datetime, timedelta

import numpy as np
import pytest
from scipy.spatial import cKDTree

from audit.places import names as geonames

HOME = (37.5563, 126.9236)  # near Hongik University, Mapo-gu
CAMPUS = (37.5585, 126.9990)  # Jung-gu


@pytest.fixture(scope="module", autouse=True)
def offline():
    """Every test here runs with the network cut off, and the tables are loaded afresh under that rule."""

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket, "create_connection", refuse)
        patch.setattr(socket, "getaddrinfo", refuse)
        for cached in (geonames._table, geonames._zones, geonames._korea_places, geonames._outlines):
            cached.cache_clear()
        yield


def test_a_seoul_position_is_named_with_its_district_in_english_and_korean_offline():
    assert geonames.place_name(*HOME) == "Mapo-gu, Seoul"
    assert geonames.place_name(*HOME, lang="ko") == "마포구, 서울"
    assert geonames.place_name(*CAMPUS) == "Jung-gu, Seoul"
    assert geonames.place_name(*CAMPUS, lang="ko") == "중구, 서울"


def test_yeouido_is_named_after_the_district_that_contains_it_not_the_nearest_office():
    yeouido_park = (37.5284, 126.9330)  # 서울 영등포구 여의동로 330; the Dongjak-gu office is nearer
    assert geonames.place_name(*yeouido_park) == "Yeongdeungpo-gu, Seoul"
    assert geonames.place_name(*yeouido_park, lang="ko") == "영등포구, 서울"
    # Either side of the channel south of Yeouido: 63 Building (63로 50) and Noryangjin fish market (노들로 674).
    assert geonames.place_name(37.5198, 126.9403) == "Yeongdeungpo-gu, Seoul"
    assert geonames.place_name(37.5133, 126.9407) == "Dongjak-gu, Seoul"
    assert geonames.place_name(37.5512, 126.9882) == "Yongsan-gu, Seoul"  # N Seoul Tower, on the Jung-gu border
    assert geonames.place_name(37.5663, 126.9779) == "Jung-gu, Seoul"  # City Hall, 300 m from Jongno-gu


def test_korean_districts_of_other_cities_and_provinces():
    assert geonames.place_name(35.1587, 129.1604) == "Haeundae-gu, Busan"  # Haeundae beach: a few metres inland
    assert geonames.place_name(35.1587, 129.1604, lang="ko") == "해운대구, 부산"
    assert geonames.place_name(35.8694, 128.5960) == "Jung-gu, Daegu"
    assert geonames.place_name(37.2819, 127.0138) == "Paldal-gu, Suwon-si, Gyeonggi-do"  # a city's district
    assert geonames.place_name(37.2819, 127.0138, lang="ko") == "수원시 팔달구, 경기도"
    assert geonames.place_name(36.48, 127.26, lang="ko") == "세종"  # Sejong has no districts: its name once
    assert geonames.place_name(36.2430, 128.5730) == "Gunwi-gun, Daegu"  # part of Daegu since July 2023


def test_districts_made_after_the_boundary_data():
    assert geonames.place_name(37.4490, 126.4509) == "Yeongjong-gu, Incheon"  # the airport; Jung-gu until 2026
    assert geonames.place_name(37.4756, 126.6178, lang="ko") == "제물포구, 인천"  # Chinatown; Jung-gu until 2026
    assert geonames.place_name(36.6424, 127.4890) == "Cheongju-si, Chungcheongbuk-do"  # its 2014 districts: no data


def test_outside_every_outline_the_town_whose_area_holds_the_position_names_it():
    at_sea = (35.12, 129.20)  # 5 km off Haeundae: inside the disc estimated for Busan's 3.4 million people
    assert geonames.district(*at_sea) is None
    assert geonames.place_name(*at_sea) == "Busan"
    assert geonames.place_name(*at_sea, lang="ko") == "부산"
    assert geonames.nearest_town(*at_sea).name == "Dongnae"  # the nearest point, which only the time zone uses
    assert geonames.place_name(37.429, 126.988, lang="ko") == "과천시, 경기도"
    # reverse_geocoder's README example: Bayswater is a section of London, never a district-level name.
    assert geonames.place_name(51.5214588, -0.1729636) == "London, England"
    assert geonames.place_name(51.5214588, -0.1729636, lang="ko") == "London, England"


def test_abroad_the_city_that_holds_the_position_wins_over_a_nearer_small_town_or_a_section():
    assert geonames.place_name(48.8584, 2.2945) == "Paris, Ile-de-France"  # Neuilly-sur-Seine's point is nearer
    assert geonames.place_name(40.7580, -73.9855) == "Manhattan, New York"  # Weehawken's point is nearer
    assert geonames.place_name(41.4036, 2.1744) == "Barcelona, Catalonia"  # the Sagrada Familia section is nearer
    assert geonames.place_name(40.76955, -74.02042) == "Weehawken, New Jersey"  # at its own point, its own name


def test_the_town_table_holds_towns_not_sections_of_towns():
    table = geonames._table()
    names = {(town[0], town[2]) for town in table.towns}
    assert {("Paris", "FR"), ("Weehawken", "US"), ("Manhattan", "US"), ("New York City", "US")} <= names
    sections = {("Hell's Kitchen", "US"), ("Tiergarten", "DE"), ("Kirribilli", "AU"), ("Sagrada Familia", "ES")}
    assert not sections & names  # GeoNames' PPLX
    assert all(len(town[2]) == 2 for town in table.towns) and table.people.min() >= geonames.MIN_PEOPLE
    assert len(table.towns) == len(table.radii) == table.tree.n > 100_000


def test_a_small_town_whose_disc_holds_the_position_wins_over_the_big_city(monkeypatch):
    """A city of 1,000,000 (disc radius 8 km at 5,000 per km²) and a town of 20,000 (1.1 km) 5 km east of it."""
    towns = [("City", "P", "XX", None), ("Town", "P", "XX", None)]
    people = np.array([1_000_000.0, 20_000.0])
    radii = np.sqrt(people / (np.pi * geonames.PEOPLE_PER_M2))
    east = 5_000 / geonames.METRES_PER_DEGREE
    table = geonames._Table(cKDTree(geonames.unit_vectors([(0.0, 0.0), (0.0, east)])), towns, people, radii)
    monkeypatch.setattr(geonames, "_table", lambda: table)
    named = lambda km: geonames.containing_town(0.0, km * 1_000 / geonames.METRES_PER_DEGREE).name  # noqa: E731
    assert named(3.0) == "City"  # 2 km from the town's point: outside its disc, inside the city's
    assert named(4.2) == "Town"  # inside both discs: the one with fewer people
    assert named(6.0) == "Town"
    assert named(7.0) == "City"  # the town's point is nearer, but its disc ends 6.1 km east of the city
    assert named(8.5) == "Town"  # outside both discs: the nearest


def test_no_name_far_from_any_town_or_for_a_broken_position():
    assert geonames.place_name(0.0, -150.0) is None  # the middle of the Pacific
    assert geonames.place_name(float("nan"), 126.9) is None
    assert geonames.place_name(137.0, 126.9) is None
    with pytest.raises(ValueError):
        geonames.place_name(*HOME, lang="fr")


def test_every_seoul_district_office_is_named_after_its_own_district():
    with geonames.KOREA_TABLE.open(encoding="utf-8", newline="") as handle:
        districts = [row for row in csv.DictReader(handle) if row["kind"] == "district"]
    assert len(districts) == 25 and len({row["name_ko"] for row in districts}) == 25
    for row in districts:
        lat, lon = float(row["lat"]), float(row["lon"])
        assert geonames.place_name(lat, lon) == f"{row['name']}, Seoul"
        assert geonames.place_name(lat, lon, lang="ko") == f"{row['name_ko']}, 서울"


def test_every_korean_province_of_the_town_table_has_a_korean_name():
    # Sejong (2012) has no name in the 2015 table that spells the first-level divisions (data/README.md).
    korean_provinces = {town[1] for town in geonames._table().towns if town[2] == "KR"} - {""}
    assert len(korean_provinces) == 16
    assert korean_provinces <= set(geonames._provinces_ko())


def test_the_district_table_and_its_outlines_agree():
    outlines = geonames._outlines()
    assert len(outlines.districts) == len(outlines.spans) == 250
    assert all(end - start >= 4 for start, end in outlines.spans)  # every district has an outline
    assert len({(town.name_ko, town.admin1) for town in outlines.districts}) == 250
    assert {town.admin1 for town in outlines.districts} <= set(geonames._provinces_ko())
    west, south, east, north = outlines.boxes.T
    assert west.min() > 124 and east.max() < 132 and south.min() > 33 and north.max() < 39


def square(west: float, south: float, side: float) -> list[tuple[float, float]]:
    return [(west, south), (west + side, south), (west + side, south + side), (west, south + side), (west, south)]


def test_overlapping_outlines_go_to_the_one_the_position_is_deepest_in(monkeypatch):
    """Two squares that overlap by 0.001 degree of longitude (88 m); the first has a hole."""
    first, second, hole = square(127.0, 37.0, 0.01), square(127.009, 37.0, 0.01), square(127.002, 37.002, 0.004)
    towns = [geonames.Town("First", "P", "KR"), geonames.Town("Second", "P", "KR")]
    rings = np.array(first + hole + second)
    outlines = geonames._index_outlines(towns, rings, np.array([5, 10, 15]), np.array([2, 3]))
    monkeypatch.setattr(geonames, "_outlines", lambda: outlines)
    named = lambda lon: (geonames.district(37.005, lon) or geonames.Town("-", "", "")).name  # noqa: E731
    assert named(127.0092) == "First"  # 71 m inside First, 18 m inside Second
    assert named(127.0098) == "Second"
    assert named(127.0194) == "Second"  # 36 m outside: a simplified coast or border
    assert named(127.0205) == "-"  # 133 m outside
    assert named(127.004) == "-"  # in the hole, 111 m from First's land
    assert named(127.0059) == "First"  # in the hole, 9 m from First's land


def test_time_zone_from_the_country_and_the_tz_database():
    july = datetime(2024, 7, 1, 12)
    assert geonames.time_zone(*HOME).utcoffset(july) == timedelta(hours=9)
    assert str(geonames.time_zone(40.7128, -74.0060)) == "America/New_York"
    assert str(geonames.time_zone(51.5074, -0.1278)) == "Europe/London"


def test_time_zone_falls_back_to_longitude_without_the_zone_table(monkeypatch):
    monkeypatch.setattr(geonames, "_zones", lambda: {})
    assert geonames.time_zone(40.7128, -74.0060).utcoffset(None) == timedelta(hours=-5)
    assert geonames.time_zone(*HOME).utcoffset(None) == timedelta(hours=8)  # the documented cost of the fallback


def test_zone_table_coordinates():
    assert geonames._iso6709("+3733+12658") == pytest.approx((37 + 33 / 60, 126 + 58 / 60))
    assert geonames._iso6709("+404251-0740023") == pytest.approx((40 + 42 / 60 + 51 / 3600, -(74 + 23 / 3600)))
    assert geonames._iso6709("nonsense") is None
