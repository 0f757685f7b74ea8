"""Times in the report: `time_zone` in accounts.toml (else this computer's zone), kept in the inventory for `report`,
and written as a person writes them in the report's language; times an export gives without a zone, as it prints them."""

from __future__ import annotations

import re
import shutil
from datetime import timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from audit import config as config_module
from audit.cli import cli
from audit.config import load_config, system_zone
from audit.errors import ConfigError
from audit.inventory.db import open_db
from audit.report import dates
from audit.report.dates import FALLBACK, Times, posted_time, report_zone
from audit.report.page import environment, render_report

from .conftest import FIXTURES, copy_demo, jpeg_bytes, write_config

SEOUL = ZoneInfo("Asia/Seoul")
NNBSP = "\u202f"  # CLDR's English time puts a narrow no-break space before AM/PM
ISO_IN_TEXT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")
HTML_EXPORT = FIXTURES / "formats" / "instagram_dyi_html_2025_en_handmade"


def _config(tmp_path: Path, top: str = "") -> Path:
    (tmp_path / "photos").mkdir(exist_ok=True)
    (tmp_path / "photos" / "a.jpg").write_bytes(jpeg_bytes())
    return write_config(tmp_path, f'{top}[[accounts]]\nplatform = "folder"\npath = "photos"\n')


# accounts.toml

def test_time_zone_is_read_from_the_config(tmp_path):
    assert load_config(_config(tmp_path, 'time_zone = "Asia/Seoul"\n')).time_zone == "Asia/Seoul"


def test_without_time_zone_the_config_leaves_it_to_this_computer(tmp_path):
    assert load_config(_config(tmp_path)).time_zone is None


@pytest.mark.parametrize("value, says", [
    ('"Asia/Seul"', 'unknown time zone \'Asia/Seul\': did you mean "Asia/Seoul"?'),
    ('"asia/seoul"', 'did you mean "Asia/Seoul"?'),
    ('"Mars/Olympus"', "unknown time zone 'Mars/Olympus': use a name such as \"Asia/Seoul\""),
    ('"Asia"', "unknown time zone 'Asia'"),  # a folder of the tz database
    ('"../../etc/passwd"', "unknown time zone"),
    ('""', "unknown time zone ''"),
    ("9", 'time_zone must be the name of a time zone, such as "Asia/Seoul"'),
])
def test_a_time_zone_that_is_not_one_is_a_one_line_error_naming_its_line(tmp_path, value, says):
    path = _config(tmp_path, f'me = []\ntime_zone = {value}\n')
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert says in error.value.message and f"{path}:2:" in error.value.message and "\n" not in error.value.message


def test_an_unknown_key_names_time_zone_among_the_expected_ones(tmp_path):
    with pytest.raises(ConfigError, match="expected: me, accounts, targets, time_zone"):
        load_config(_config(tmp_path, 'timezone = "Asia/Seoul"\n'))


def test_the_cli_says_an_unknown_zone_in_one_line_and_exits_2(tmp_path):
    result = CliRunner().invoke(cli, ["collect", str(_config(tmp_path, 'time_zone = "Seoul"\n')), "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "unknown time zone 'Seoul'" in result.output


# This computer's zone

@pytest.mark.parametrize("tz, key", [("Asia/Seoul", "Asia/Seoul"), (":Europe/London", "Europe/London"),
                                     (":/usr/share/zoneinfo/America/New_York", "America/New_York")])
def test_tz_names_this_computers_zone(monkeypatch, tz, key):
    monkeypatch.setenv("TZ", tz)
    assert system_zone().key == key


def test_a_tz_that_names_no_zone_leaves_it_unknown(monkeypatch):
    monkeypatch.setenv("TZ", "KST-9")  # a POSIX rule: the C library reads it, the tz database has no such name
    assert system_zone() is None


def test_without_tz_the_zone_is_the_one_etc_localtime_links_to(tmp_path, monkeypatch):
    monkeypatch.delenv("TZ", raising=False)
    link = tmp_path / "localtime"
    link.symlink_to("/usr/share/zoneinfo/Asia/Seoul")
    monkeypatch.setattr(config_module, "LOCALTIME", link)
    assert system_zone().key == "Asia/Seoul"


def test_a_copied_localtime_is_named_by_etc_timezone_else_read_as_it_is(tmp_path, monkeypatch):
    monkeypatch.delenv("TZ", raising=False)
    copy = tmp_path / "localtime"
    shutil.copy("/usr/share/zoneinfo/Asia/Seoul", copy)
    monkeypatch.setattr(config_module, "LOCALTIME", copy)
    monkeypatch.setattr(config_module, "TIMEZONE_FILE", tmp_path / "timezone")
    (tmp_path / "timezone").write_text("Asia/Seoul\n")
    assert system_zone().key == "Asia/Seoul"
    (tmp_path / "timezone").unlink()
    unnamed = system_zone()
    assert unnamed.key is None and Times("en", unnamed).time("2023-03-02T02:05:00Z") == f"Mar 2, 2023, 11:05{NNBSP}AM"


def test_no_zone_anywhere_is_none(tmp_path, monkeypatch):
    monkeypatch.delenv("TZ", raising=False)
    monkeypatch.setattr(config_module, "LOCALTIME", tmp_path / "missing")
    monkeypatch.setattr(config_module, "TIMEZONE_FILE", tmp_path / "missing-too")
    assert system_zone() is None


# Kept in the inventory for `report`

def test_collect_keeps_the_configs_zone_and_report_uses_it_without_the_config(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "Europe/London")
    db_path = tmp_path / "a.db"
    result = CliRunner().invoke(cli, ["collect", str(_config(tmp_path, 'time_zone = "Asia/Seoul"\n')), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert report_zone(open_db(db_path)).key == "Asia/Seoul"


def test_without_time_zone_collect_keeps_this_computers(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "Europe/London")
    db_path = tmp_path / "a.db"
    assert CliRunner().invoke(cli, ["collect", str(_config(tmp_path)), "--db", str(db_path)]).exit_code == 0
    monkeypatch.setenv("TZ", "Asia/Tokyo")  # the report, later or elsewhere, shows the audit's zone
    assert report_zone(open_db(db_path)).key == "Europe/London"


def test_no_zone_known_is_utc_and_the_report_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(dates, "system_zone", lambda: None)
    db_path = tmp_path / "a.db"
    result = CliRunner().invoke(cli, ["run", str(_config(tmp_path)), "--db", str(db_path), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    db = open_db(db_path)
    assert report_zone(db) is FALLBACK and not list(db.query("select * from settings where key = 'time_zone'"))
    page = BeautifulSoup((tmp_path / "r.html").read_text(encoding="utf-8"), "html.parser")
    cards = page.find("section", attrs={"aria-labelledby": "ranked"})
    assert "Times are in UTC: this computer's time zone could not be found" in cards.get_text(" ")
    assert "time_zone" in cards.get_text(" ")


# Written as a person writes them

@pytest.mark.parametrize("lang, when, day", [
    ("en", f"Mar 2, 2023, 11:05{NNBSP}AM", "Mar 2, 2023"),
    ("ko", "2023년 3월 2일 오전 11:05", "2023년 3월 2일"),
])
def test_an_instant_in_the_users_zone_and_language(lang, when, day):
    times = Times(lang, SEOUL)
    assert times.time("2023-03-02T02:05:00Z") == when  # 02:05 UTC is 11:05 in Seoul
    assert times.time("2023-03-02T11:05:00+09:00") == when
    assert times.date("2023-03-02T02:05:00Z") == day
    assert times.date("2023-03-01T20:00:00Z") == day  # already the 2nd in Seoul


def test_the_zone_moves_the_day_and_an_evening_is_pm():
    assert Times("en", ZoneInfo("America/Los_Angeles")).time("2023-03-02T02:05:00Z") == f"Mar 1, 2023, 6:05{NNBSP}PM"
    assert Times("ko", SEOUL).time("2024-01-13T12:00:00Z") == "2024년 1월 13일 오후 9:00"


def test_a_naive_time_is_shown_as_it_is_written():
    assert Times("en", ZoneInfo("America/Los_Angeles")).time("2025-10-19T18:11:00") == f"Oct 19, 2025, 6:11{NNBSP}PM"
    assert Times("ko", timezone.utc).time("2025-10-19T18:11:00") == "2025년 10월 19일 오후 6:11"


@pytest.mark.parametrize("value, shown", [(None, ""), ("", ""), ("not a time", "not a time"), ("2023-13-45T99:00Z", "2023-13-45T99:00Z")])
def test_no_time_is_empty_and_what_is_not_a_time_stays_as_it_is(value, shown):
    assert Times("en", SEOUL).time(value) == shown


def test_the_filters_in_a_template_escape_what_is_not_a_time():
    env = environment("ko", SEOUL)
    page = env.from_string("[{{ none | local_time }}][{{ bad | local_time }}][{{ t | local_time }}][{{ t | local_date }}]")
    assert page.render(none=None, bad="<b>x</b>", t="2023-03-02T02:05:00Z") == (
        "[][&lt;b&gt;x&lt;/b&gt;][2023년 3월 2일 오전 11:05][2023년 3월 2일]")


@pytest.mark.parametrize("lang, zone, name", [("en", "Asia/Seoul", "South Korea"), ("ko", "Asia/Seoul", "대한민국"),
                                             ("en", "Etc/UTC", "UTC"), ("ko", "Etc/UTC", "협정 세계시"),
                                             ("en", "Etc/GMT-9", "Etc/GMT-9")])
def test_the_zone_is_named_in_the_reports_language(lang, zone, name):
    assert environment(lang, ZoneInfo(zone)).globals["time_zone"] == {"name": name, "fallback": False}


# An export that gives no zone

def test_the_html_exports_times_are_shown_as_it_prints_them(tmp_path):
    """Instagram's HTML export prints "Oct 19, 2025 6:11 pm" without a zone: the card says 6:11 PM whatever the zone,
    with a machine-readable time that claims no zone; the JSON export's posts keep the zone they give."""
    shutil.copytree(HTML_EXPORT, tmp_path / "export", ignore=shutil.ignore_patterns("PROVENANCE.md"))
    config = write_config(tmp_path, 'time_zone = "America/Los_Angeles"\n'
                                    '[[accounts]]\nplatform = "instagram-export"\npath = "export"\nhandle = "minji.kim"\n')
    result = CliRunner().invoke(cli, ["run", str(config), "--db", str(tmp_path / "a.db"), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    rows = list(open_db(tmp_path / "a.db").query("select posted_at, extra from appearances where posted_at like '2025-10-19%'"))
    assert rows and all(posted_time(row) == "2025-10-19T18:11:00" for row in rows)  # stored "...Z", marked as zoneless
    page = BeautifulSoup((tmp_path / "r.html").read_text(encoding="utf-8"), "html.parser")
    shown = {time["datetime"]: time.get_text() for time in page.find(id="cards").find_all("time")}
    assert shown["2025-10-19T18:11:00"] == f"Oct 19, 2025, 6:11{NNBSP}PM"
    assert not [stamp for stamp in shown if stamp.endswith("Z")]


def test_a_post_whose_export_gives_its_zone_is_moved_into_the_users():
    post = {"posted_at": "2023-03-02T02:05:00Z", "extra": '{"details": {"time_zone": "not in the export"}}'}
    assert posted_time(post) == "2023-03-02T02:05:00Z"  # the mark is the export's own key, not a value inside it
    assert posted_time({"posted_at": None, "extra": None}) is None


# The demo's cards

@pytest.fixture(scope="module")
def demo_in_seoul(analysed_demo, tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo-seoul")
    db = open_db(copy_demo(analysed_demo, folder))
    db["settings"].upsert({"key": "time_zone", "value": "Asia/Seoul"}, pk="key")
    return {lang: BeautifulSoup(render_report(db, folder / f"{lang}.html", lang=lang).read_text(encoding="utf-8"),
                                "html.parser") for lang in ("en", "ko")}


@pytest.mark.parametrize("lang, shown", [("en", f"Mar 2, 2023, 11:05{NNBSP}AM"), ("ko", "2023년 3월 2일 오전 11:05")])
def test_the_demos_cards_show_local_times_and_no_iso_text(demo_in_seoul, lang, shown):
    cards = demo_in_seoul[lang].find("section", attrs={"aria-labelledby": "ranked"})
    times = cards.find_all("time")
    assert times and all(dates.parse(time["datetime"]) for time in times)  # machine-readable, as before
    assert shown in [time.get_text() for time in times if time["datetime"] == "2023-03-02T02:05:00Z"]
    text = cards.get_text(" ")
    assert not ISO_IN_TEXT.findall(text), ISO_IN_TEXT.findall(text)[:3]
    assert ("South Korea" if lang == "en" else "대한민국") in cards.find("p", class_="note").get_text()
