"""The files of an X archive: which of them are there (Layout), and how a .js file of it is read.

An archive's data files are JavaScript that assigns one JSON value (`window.YTD.tweets.part0 = [...]`); the tweets
come in parts (tweets.js, tweets-part1.js...), and the files sit in `data/` or at the archive's root, also inside a
top folder (audit/sources/x_archive.py reads what they hold).
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import PurePosixPath
from typing import Any, Iterator, NamedTuple

from ...inventory.archive import READ_ERRORS, ExportTree
from ...models import ANYONE, FOLLOWERS, ItemError
from ...text.fix import repaired
from .meta_records import JSON_ERRORS, json_problem

TWEET_FILE = re.compile(r"(?P<stem>tweets?)(?:-part(?P<part>\d+))?\.js")
# `window.YTD.tweets.part0 = ` or `window.__THAR_CONFIG = `, with any spacing and line breaks (optional).
WRAPPER = re.compile(r"\s*(?:window\.[\w.]+\s*=\s*)?")
DECODER = json.JSONDecoder()
HANDLE = re.compile(r"@?(?P<handle>[A-Za-z0-9_]{1,50})")
PROTECTED_ACTIONS = {"protect": FOLLOWERS, "unprotect": ANYONE}


class Layout(NamedTuple):
    tweets: list[str]  # tweets.js and its parts, or the older tweet.js
    account: str | None
    manifest: str | None
    profile: str | None
    protected: str | None

    @property
    def found(self) -> bool:
        """Any of the files that make an X archive (the profile alone does not)."""
        return bool(self.tweets or self.account or self.manifest)


def find_layout(tree: ExportTree) -> Layout:
    scripts = [rel for rel in tree.glob("*.js") if in_archive_folder(rel)]
    tweets = sorted((rel for rel in scripts if TWEET_FILE.fullmatch(posixpath.basename(rel))), key=part_order)

    def named(name: str) -> str | None:
        return next((rel for rel in scripts if posixpath.basename(rel) == name), None)

    return Layout(
        tweets, named("account.js"), named("manifest.js"), named("profile.js"), named("protected-history.js")
    )


def in_archive_folder(rel: str) -> bool:
    """In `data/`, or at the root (also of a top folder): not the viewer's own scripts under assets/js/."""
    parts = PurePosixPath(rel).parts
    return len(parts) <= 2 or parts[-2] == "data"


def part_order(rel: str) -> tuple:
    match = TWEET_FILE.fullmatch(posixpath.basename(rel))
    return posixpath.dirname(rel), match["stem"], int(match["part"] or 0)


def tweet_stem(rel: str) -> str:
    """"tweets" (2020 on) or "tweet" (2019): which media folder name goes with the file."""
    return TWEET_FILE.fullmatch(posixpath.basename(rel))["stem"]


def archive_root(rel: str) -> str:
    """The archive's root folder in the tree ("" or a top folder): the folder above `data/`."""
    folder = posixpath.dirname(rel)
    return posixpath.dirname(folder) if posixpath.basename(folder) == "data" else folder


def from_root(rel: str, root: str) -> str:
    """The same name for a folder and a zip with a top folder."""
    return rel[len(root) + 1 :] if root else rel


def read_js(tree: ExportTree, rel: str) -> Iterator[ItemError]:
    """Yields an ItemError and returns None when the file cannot be read; returns its data.

    Positions in errors are lines and columns of the file itself, wrapper included.
    """
    try:
        source = tree.read(rel).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield ItemError(rel, f"not valid UTF-8 at byte {exc.start}")
        return None
    except READ_ERRORS as exc:
        yield ItemError(rel, f"could not read the file: {getattr(exc, 'message', exc)}")
        return None
    try:
        data, end = DECODER.raw_decode(source, WRAPPER.match(source).end())
    except JSON_ERRORS as exc:
        yield ItemError(rel, json_problem(exc))
        return None
    if source[end:].strip().strip(";").strip():
        line = source.count("\n", 0, end) + 1
        yield ItemError(rel, f"text after the data, from line {line}, was ignored")
    return repaired(data, mojibake=False)  # X writes real UTF-8: only lone surrogates need repair


def lookup(data: Any, path: tuple) -> Any:
    """data[path[0]][path[1]]... or None when any step is missing."""
    for key in path:
        if isinstance(key, int) != isinstance(data, list) or not isinstance(data, (list, dict)):
            return None
        try:
            data = data[key]
        except (KeyError, IndexError):
            return None
    return data


def handle_at(data: Any, path: tuple, where: str) -> Iterator[ItemError]:
    """Returns the handle at `path` (a leading @ dropped), or None with a note; None when `data` is None."""
    if data is None:
        return None
    value = lookup(data, path)
    field = ".".join(str(key) for key in path if isinstance(key, str))
    match = HANDLE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        yield ItemError(where, f"field '{field or 'handle'}' is not an X handle: {value!r}")
        return None
    return match["handle"]


def protected_audience(tree: ExportTree, rel: str) -> Iterator[ItemError]:
    """Returns who sees the tweets after the latest change of protection, or None when there was none."""
    data = yield from read_js(tree, rel)
    if not isinstance(data, list):
        if data is not None:
            yield ItemError(rel, "expected a list of protection changes")
        return None
    changes = [lookup(entry, ("protectedHistory",)) for entry in data]
    changes = [change for change in changes if isinstance(change, dict) and isinstance(change.get("protectedAt"), str)]
    if len(changes) < len(data):
        yield ItemError(rel, "some protection changes have no time ('protectedAt'): they were passed over")
    if not changes:
        return None
    action = max(changes, key=lambda change: change["protectedAt"]).get("action")  # ISO times sort as text
    audience = PROTECTED_ACTIONS.get(action.lower()) if isinstance(action, str) else None
    if audience is None:
        yield ItemError(rel, f"field 'action' is neither Protect nor Unprotect: {action!r}")
    return audience
