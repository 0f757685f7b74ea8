"""Offline place names and time zones: Seoul by district in English and Korean, with the network cut off."""

from __future__ import annotations

import csv
import socket
from datetime import datetime, timedelta

import pytest

from audit import geonames

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
        geonames._table.cache_clear()
        geonames._zones.cache_clear()
        yield


def test_a_seoul_position_is_named_with_its_district_in_english_and_korean_offline():
    assert geonames.place_name(*HOME) == "Mapo-gu, Seoul"
    assert geonames.place_name(*HOME, lang="ko") == "마포구, 서울"
    assert geonames.place_name(*CAMPUS) == "Jung-gu, Seoul"
    assert geonames.place_name(*CAMPUS, lang="ko") == "중구, 서울"


def test_korean_cities_provinces_and_the_rest_of_the_world():
    assert geonames.place_name(35.1028, 129.0403) == "Busan"
    assert geonames.place_name(35.1028, 129.0403, lang="ko") == "부산"
    assert geonames.place_name(37.2636, 127.0286, lang="ko") == "Suwon-si, 경기도"  # no Korean town name: said so
    assert geonames.place_name(37.429, 126.988, lang="ko") == "과천시, 경기도"  # added: the 2015 table lacks it
    # reverse_geocoder's own README example; no Korean names outside Korea.
    assert geonames.place_name(51.5214588, -0.1729636) == "Bayswater, England"
    assert geonames.place_name(51.5214588, -0.1729636, lang="ko") == "Bayswater, England"


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
    table = geonames._table()
    korean_provinces = {town[1] for town in table.towns if town[2] == "KR"}
    assert len(korean_provinces) == 16
    assert korean_provinces <= set(table.provinces_ko)


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
