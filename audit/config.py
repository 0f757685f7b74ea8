"""accounts.toml: which accounts to audit, and reference photos of the user.

    me = ["me/selfie1.jpg"]
    time_zone = "Asia/Seoul"

    [[accounts]]
    platform = "instagram-export"
    path = "instagram-export.zip"
    handle = "minji.kim"
    label = "Instagram"

Paths are relative to the config file. Every mistake is reported in one line that names
the line of the file it is on.
"""

from __future__ import annotations

import difflib
import os
import posixpath
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, available_timezones

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from .errors import ConfigError, InputError
from .models import AUDIENCES
from .sources import SOURCES
from .sources.folder import SAVED_FROM
from .sources.readers.html_images import site_path

TOP_KEYS = {"me", "accounts", "targets", "time_zone"}
# What the removal plan aims for: how many of each may stay public (docs/scoring.md).
DEFAULT_TARGETS = {"clear_faces": 0, "exact_locations": 0, "repeated_places": 0, "clues_with_face": 0}
# Targets under an older name: high_faces counted only full-quality faces, now one count of clear faces.
LEGACY_TARGETS = {"high_faces": "clear_faces"}
ACCOUNT_KEYS = {"platform", "path", "handle", "url", "label", "audience", "saved_from"}


@dataclass(frozen=True)
class Account:
    platform: str
    path: Path | None = None
    handle: str | None = None
    url: str | None = None
    label: str | None = None
    audience: str | None = None  # who can see its posts when the export does not say; None: the source's default
    path_in_config: str | None = None  # `path` as accounts.toml writes it (relative to it), for the key
    saved_from: str | None = None  # a folder's photos saved by hand from this app (sources/folder.py SAVED_FROM)

    @property
    def key(self) -> str:
        """Stable account id in the inventory and for proof of control: who the account is, never its label
        (two accounts with one label would share one proof).

        Located by address (website, feed): platform + host without "www." + path without trailing slash +
        query (a Naver blog can be named in it: PostList.naver?blogId=...). By handle: platform + handle, also
        for an export that names one, so that a newer export of the account keeps its posts' ids. Else
        platform + the path as accounts.toml writes it, normalised: the same on every machine and wherever
        the run starts, and no home folder in the report (an absolute path would be neither).
        """
        if SOURCES[self.platform].needs == "url":
            host, path = site_path(self.url or "")
            query = urlsplit(self.url or "").query
            return f"{self.platform}:{host}{path}" + (f"?{query}" if query else "")
        if self.handle:
            return f"{self.platform}:{self.handle.strip().lstrip('@').lower()}"
        return f"{self.platform}:{posixpath.normpath(self.path_in_config or str(self.path))}"

    @property
    def display(self) -> str:
        """How the report names it: never the absolute path, which names the user's home folder."""
        return self.label or (f"@{self.handle}" if self.handle else None) or self.url or self.path_in_config or str(self.path)


@dataclass(frozen=True)
class Config:
    accounts: tuple[Account, ...]
    path: Path | None = None  # the accounts.toml read; None when the accounts were recognised from paths (detect.py)
    me: tuple[Path, ...] = ()
    targets: dict = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    time_zone: str | None = None  # an IANA name, as accounts.toml writes it; None: this computer's (system_zone)


def load_config(path: Path) -> Config:
    """Read and validate accounts.toml; ConfigError (one line, naming the line) on any mistake."""
    text = _read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    lines = text.splitlines()
    for key in data:
        if key not in TOP_KEYS:
            raise ConfigError(f"{path}:{_line_of(lines, key)}: unknown key '{key}' (expected: me, accounts, targets, time_zone)")
    base = path.parent
    accounts = tuple(
        _account(entry, index, base, path, lines)
        for index, entry in enumerate(_list_of(data, "accounts", path, lines))
    )
    if not accounts:
        raise ConfigError(f"{path}: no [[accounts]] listed; add at least one")
    me = tuple(base / str(p) for p in _list_of(data, "me", path, lines))
    for photo in me:
        if not photo.is_file():
            raise ConfigError(f"{path}:{_line_of(lines, 'me')}: reference photo {photo} does not exist")
    targets = _targets(data.get("targets", {}), path, lines)
    return Config(path=path, accounts=accounts, me=me, targets=targets, time_zone=_time_zone(data, path, lines))


def _time_zone(data: dict, path: Path, lines: list[str]) -> str | None:
    """time_zone = "Asia/Seoul": a name of the tz database, in which the report shows times."""
    name = data.get("time_zone")
    if name is None:
        return None
    where = f"{path}:{_line_of(lines, 'time_zone')}"
    if not isinstance(name, str):
        raise ConfigError(f'{where}: time_zone must be the name of a time zone, such as "Asia/Seoul"')
    if named_zone(name) is None:
        close = difflib.get_close_matches(name, available_timezones(), n=1) if name.strip() else []
        hint = f'did you mean "{close[0]}"?' if close else 'use a name such as "Asia/Seoul" or "Europe/London"'
        raise ConfigError(f"{where}: unknown time zone {name!r}: {hint}")
    return name


def named_zone(name: str) -> ZoneInfo | None:
    """The zone of the tz database called `name`, or None when there is none of that name."""
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # not found (a KeyError), not a name, a folder such as "Asia"
        return None


# Where Linux and macOS say this computer's zone: /etc/localtime, a link to a file of the tz database (or a copy).
LOCALTIME = Path("/etc/localtime")
TIMEZONE_FILE = Path("/etc/timezone")  # Debian's plain-text name of the zone


def system_zone() -> ZoneInfo | None:
    """This computer's time zone, by its name where one is found; None when it cannot be known (Windows, a TZ that
    names no zone): the report then shows times in UTC, and says so.

    TZ first, as the C library reads it (a name, ":Asia/Seoul", or a file); else the zone /etc/localtime links to,
    else the one /etc/timezone names, else /etc/localtime read as it is (a zone without a name)."""
    tz = os.environ.get("TZ", "").strip().removeprefix(":")
    if tz:
        return _zone_at(tz)
    local = _zone_at(str(LOCALTIME))
    if local is not None and local.key:
        return local
    return named_zone(_read(TIMEZONE_FILE) or "") or local


def _zone_at(value: str) -> ZoneInfo | None:
    """The zone a name gives ("Asia/Seoul"), or a file: by its name when it is a file of the tz database
    ("/usr/share/zoneinfo/Asia/Seoul", or a link to one; macOS: "/var/db/timezone/zoneinfo/Asia/Seoul"), else read
    as it is."""
    if not value.startswith("/"):
        return named_zone(value)
    try:
        target = os.readlink(value)
    except OSError:
        target = value
    named = named_zone(target.split("/zoneinfo/", 1)[1]) if "/zoneinfo/" in target else None
    if named is not None:
        return named
    try:
        with open(value, "rb") as tzfile:
            return ZoneInfo.from_file(tzfile)
    except (OSError, ValueError):
        return None


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def _targets(table, path: Path, lines: list[str]) -> dict:
    """[targets] clear_faces = 0 ...: each a whole number of photos that may stay public."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}:{_line_of(lines, 'targets')}: 'targets' must be a table")
    table = {LEGACY_TARGETS.get(key, key): value for key, value in table.items()}
    for key, value in table.items():
        if key not in DEFAULT_TARGETS:
            hint = ", ".join(DEFAULT_TARGETS)
            raise ConfigError(f"{path}:{_line_of(lines, key)}: unknown target '{key}' (expected one of: {hint})")
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"{path}:{_line_of(lines, key)}: target '{key}' must be a whole number of photos, 0 or more")
    return {**DEFAULT_TARGETS, **table}


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: config file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from exc


def _list_of(data: dict, key: str, path: Path, lines: list[str]) -> list:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ConfigError(f"{path}:{_line_of(lines, key)}: '{key}' must be a list")
    return value


def _account(entry, index, base: Path, path: Path, lines) -> Account:
    start = _table_line(lines, index)
    if not isinstance(entry, dict):
        raise ConfigError(f"{path}:{start}: each entry of 'accounts' must be a table")
    for key in entry:
        if key not in ACCOUNT_KEYS:
            hint = ", ".join(sorted(ACCOUNT_KEYS))
            raise ConfigError(f"{path}:{_line_of(lines, key, start)}: unknown key '{key}' (expected one of: {hint})")
    platform = entry.get("platform")
    if platform not in SOURCES:
        known = ", ".join(sorted(SOURCES))
        raise ConfigError(f"{path}:{_line_of(lines, 'platform', start)}: unknown platform {platform!r} (known: {known})")
    needs = SOURCES[platform].needs
    if not entry.get(needs):
        raise ConfigError(f"{path}:{start}: account {index + 1} ({platform}) needs '{needs}'")
    account_path = base / Path(str(entry["path"])).expanduser() if entry.get("path") else None
    if account_path and not account_path.exists():  # a well-formed config naming a missing input: exit 3, not 2
        raise InputError(f"{path}:{_line_of(lines, 'path', start)}: path {account_path} does not exist")
    audience = entry.get("audience")
    if audience is not None and audience not in AUDIENCES:
        hint = ", ".join(AUDIENCES)
        raise ConfigError(f"{path}:{_line_of(lines, 'audience', start)}: audience must be one of: {hint}")
    written = str(entry["path"]) if entry.get("path") else None
    saved_from = _saved_from(entry, platform, f"{path}:{_line_of(lines, 'saved_from', start)}")
    return Account(platform, account_path, entry.get("handle"), entry.get("url"), entry.get("label"), audience, written,
                   saved_from)


def _saved_from(entry: dict, platform: str, where: str) -> str | None:
    """saved_from = "kakaotalk-profile": the app a folder's photos were saved from, one that gives no download."""
    saved_from = entry.get("saved_from")
    if saved_from is None:
        return None
    if platform != "folder":
        raise ConfigError(f"{where}: saved_from is for a folder of photos saved from an app, not for {platform}")
    if not isinstance(saved_from, str) or saved_from not in SAVED_FROM:
        raise ConfigError(f"{where}: saved_from must be one of: {', '.join(SAVED_FROM)}")
    return saved_from


def _table_line(lines: list[str], index: int) -> int:
    """1-based line of the index-th [[accounts]] header (or inline list start)."""
    headers = [n for n, line in enumerate(lines, 1) if re.match(r"\s*\[\[\s*accounts\s*\]\]", line)]
    if index < len(headers):
        return headers[index]
    return _line_of(lines, "accounts")


def _line_of(lines: list[str], key: str, start: int = 1) -> int:
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number in range(start, len(lines) + 1):
        if pattern.match(lines[number - 1]):
            return number
    return start
