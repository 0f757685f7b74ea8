"""Times as a person writes them: in the user's time zone, in the report's language (Babel's patterns).

The inventory keeps times in UTC, as ISO 8601 ("2023-03-02T02:05:00Z"). The report shows them in the zone that
`time_zone` in accounts.toml names, else in this computer's (config.system_zone): each collect keeps that zone's name
in the `settings` table, so that `report` knows it without the config. Where no zone is known, times are shown in UTC
and the report says so.

An export that prints its times without a zone (Instagram's HTML variant: readers/instagram_html.py stores the time it
prints as if it were UTC, and marks the post's `extra` with "time_zone") is shown as it prints them: the clock reading
the person saw in the export, neither moved into another zone nor called UTC.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone, tzinfo
from typing import TYPE_CHECKING

from babel import Locale
from babel.core import get_global
from babel.dates import get_timezone_location, parse_pattern

from ..config import Config, named_zone, system_zone

if TYPE_CHECKING:
    import jinja2
    import sqlite_utils

SETTING = "time_zone"  # the key in `settings`
FALLBACK = timezone.utc  # when no zone is known: shown, and said, as UTC
UNPLACED = {"ZZ", "001"}  # the territories CLDR gives zones of no country (Etc/GMT-9, EST5EDT)
UTC_NAMES = {"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu"}
# How an appearance's stored `extra` says that the export gave no zone (readers/instagram_html.py: "time_zone": "not in
# the export, read as UTC"); tests/test_dates.py checks it against that reader.
ZONE_KEY, ZONE_NOT_GIVEN = "time_zone", "not in the export"


def remember_zone(db: sqlite_utils.Database, config: Config) -> None:
    """Keep the zone of this audit's times (the config's, else this computer's) for `report`; none known, none kept."""
    zone = config.time_zone or getattr(system_zone(), "key", None)
    if zone:
        db["settings"].upsert({"key": SETTING, "value": zone}, pk="key")
    else:
        db.execute("delete from settings where key = ?", [SETTING])


def report_zone(db: sqlite_utils.Database) -> tzinfo:
    """The zone the report shows times in: the one the last collect kept, else this computer's, else UTC (FALLBACK)."""
    row = next(db.query("select value from settings where key = ?", [SETTING]), None)
    return (named_zone(row["value"]) if row else None) or system_zone() or FALLBACK


def zone_name(zone: tzinfo, locale: Locale) -> str:
    """How the report names the zone, in its language: "South Korea", "대한민국", "Germany (Berlin)"; "UTC" (Korean:
    "협정 세계시"); a zone the tz data places nowhere by its name ("Etc/GMT-9"), one without a name by its
    abbreviation ("KST")."""
    key = getattr(zone, "key", None)
    if zone is FALLBACK or key in UTC_NAMES:
        long_name = locale.time_zones.get("Etc/UTC", {}).get("long", {}).get("standard", "UTC")
        return "UTC" if locale.language == "en" else long_name
    if get_global("zone_territories").get(key or "", "ZZ") not in UNPLACED:
        before, _, after = locale.zone_formats["region"].partition("%s")  # "%s Time", "%s 시간"
        return get_timezone_location(zone, locale).removeprefix(before).removesuffix(after)
    return key or datetime.now(zone).tzname() or "UTC"


def parse(value: str) -> datetime | None:
    """An ISO 8601 time, with "Z", an offset or neither (then naive); None when it is not one."""
    text = value.strip()
    if text.endswith(("Z", "z")):  # Python 3.10's fromisoformat does not read "Z"
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def posted_time(appearance: dict) -> str | None:
    """When a post was made, as ISO 8601: the stored UTC time, or without its "Z" where the export gave no zone
    (a naive time: shown as the export printed it)."""
    stamp = appearance.get("posted_at")
    extra = appearance.get("extra") or ""
    if stamp and stamp.endswith("Z") and ZONE_NOT_GIVEN in extra and _zoneless(extra):
        return stamp[:-1]
    return stamp


def _zoneless(extra: str) -> bool:
    try:
        said = json.loads(extra)
    except ValueError:
        return False
    return isinstance(said, dict) and str(said.get(ZONE_KEY, "")).startswith(ZONE_NOT_GIVEN)


class Times:
    """Formats times in one language and zone: "Mar 2, 2023, 11:05 AM", "2023년 3월 2일 오전 11:05"."""

    def __init__(self, lang: str, zone: tzinfo):
        self.locale = Locale.parse(lang)
        self.zone = zone
        # The locale's own order and words: "MMM d, y", "y년 MMM d일".
        day = (self.locale.datetime_skeletons.get("yMMMd") or self.locale.date_formats["medium"]).pattern
        clock = self.locale.time_formats["short"].pattern
        both = self.locale.datetime_formats["medium"].replace("{1}", day).replace("{0}", clock)
        self.date_pattern, self.time_pattern = parse_pattern(day), parse_pattern(both)

    def time(self, value: str | None) -> str:
        return self._format(value, self.time_pattern)

    def date(self, value: str | None) -> str:
        return self._format(value, self.date_pattern)

    def _format(self, value: str | None, pattern) -> str:
        """"" for no time; a text that is not a time comes back as it is (the template escapes it)."""
        if not value:
            return ""
        when = parse(str(value))
        if when is None:
            return str(value)
        if when.tzinfo is not None:
            try:
                when = when.astimezone(self.zone)
            except (OverflowError, ValueError):  # 0001-01-01 moved west: shown in its own offset
                pass
        return pattern.apply(when, self.locale)


def install(env: jinja2.Environment, lang: str, zone: tzinfo | None = None) -> None:
    """The filters `local_time` and `local_date` (an ISO time in the report's zone and language), `posted_time` (an
    appearance's time, see above), and `time_zone` (its name, and whether it is the UTC fallback)."""
    zone = zone or system_zone() or FALLBACK
    times = Times(lang, zone)
    env.filters["local_time"] = times.time
    env.filters["local_date"] = times.date
    env.filters["posted_time"] = posted_time
    env.globals["time_zone"] = {"name": zone_name(zone, times.locale), "fallback": zone is FALLBACK}
