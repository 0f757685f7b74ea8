"""`photo-audit workshop merge`: the group's picture from at least 5 summaries, with no count under 3 shown or
given back by subtraction, from files that are checked as the hostile input they are."""

from __future__ import annotations

import copy
import itertools
import json
import os
import random
import re
import stat
from html.parser import HTMLParser
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from audit.cli import cli
from audit.inventory.db import open_db
from audit.report.plan import STEP_ACTIONS
from audit.workshop.merge import COUNT, FEWER, MANY, SMALL, WITHHELD, suppress
from audit.workshop.summary import summarise

from .conftest import copy_demo

# Variations on the demo's summary: five participants, each different.
VARIATIONS = [
    {},
    {"clear_faces": "1-9", "profile_picture_face": False, "clues": ["school"], "places": []},
    {"clear_faces": "0", "profile_picture_face": False, "clues": [], "places": [], "followers_see_more": True,
     "steps": {"strip-location": "1-9", "cover-face": "0", "remove": "0"}},
    {"clues": ["phone", "school", "workplace"], "places": ["home"]},
    {"clear_faces": "1-9", "clues": ["home", "school"], "steps": {"strip-location": "0", "cover-face": "10+", "remove": "1-9"}},
]


@pytest.fixture(scope="module")
def demo_summary(analysed_demo, tmp_path_factory) -> dict:
    db = open_db(copy_demo(analysed_demo, tmp_path_factory.mktemp("merge-demo")))
    return summarise(db)


def write(folder: Path, summaries: list[dict]) -> list[Path]:
    paths = []
    for number, summary in enumerate(summaries, 1):
        path = folder / f"participant{number}.json"
        path.write_text(json.dumps(summary), encoding="utf-8")
        paths.append(path)
    return paths


def varied(base: dict, variations: list[dict]) -> list[dict]:
    return [copy.deepcopy(base) | copy.deepcopy(change) for change in variations]


def merge(paths, out: Path, *extra: str):
    return CliRunner().invoke(cli, ["workshop", "merge", *map(str, paths), "--out", str(out), *extra])


@pytest.fixture
def five(demo_summary, tmp_path) -> list[Path]:
    return write(tmp_path, varied(demo_summary, VARIATIONS))


def test_refuses_four(five, tmp_path):
    result = merge(five[:4], tmp_path / "group.html")
    assert result.exit_code == 2
    assert "a group picture needs at least 5 summaries so that nobody can be picked out; got 4" in result.output
    assert not (tmp_path / "group.html").exists()


def test_accepts_five(five, tmp_path):
    result = merge(five, tmp_path / "group.html")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str((tmp_path / "group.html").resolve())
    assert stat.S_IMODE((tmp_path / "group.html").stat().st_mode) == 0o600


def test_the_same_file_twice_is_refused(five, tmp_path):
    result = merge([*five[:4], five[0]], tmp_path / "group.html")
    assert result.exit_code == 2 and "given twice" in result.output
    os.symlink(five[0], tmp_path / "link.json")
    result = merge([*five, tmp_path / "link.json"], tmp_path / "group.html")
    assert result.exit_code == 2 and "given twice" in result.output
    assert not (tmp_path / "group.html").exists()
    result = merge(five, five[0])  # the page written over a summary
    assert result.exit_code == 2 and json.loads(five[0].read_text(encoding="utf-8"))


def test_two_participants_may_hand_in_the_same_contents(demo_summary, tmp_path):
    paths = write(tmp_path, [demo_summary] * 5)
    assert merge(paths, tmp_path / "group.html").exit_code == 0


HOSTILE = {
    "not JSON": b"<html>",
    "not UTF-8": b"\xff\xfe{}",
    "a list": b"[]",
    "huge": b'{"a": "' + b"x" * 100_000 + b'"}',
    "nested deep": b"[" * 8_000 + b"]" * 8_000,  # under the size limit
    "NaN": None,  # set below, from the demo's summary
    "unknown key": None,
    "missing key": None,
    "bad band": None,
    "number band": None,
    "version 2": None,
    "version true": None,
    "schema": None,
    "unknown clue": None,
    "clue twice": None,
    "clue a dict": None,
    "unknown place": None,
    "unknown step": None,
    "flag a string": None,
    "script": None,
}


def hostile(base: dict, name: str) -> bytes:
    if HOSTILE[name] is not None:
        return HOSTILE[name]
    bad = copy.deepcopy(base)
    if name == "NaN":
        return json.dumps(bad).replace('"version": 1', '"version": NaN').encode()
    changes = {
        "unknown key": lambda: bad.update({"handle": "minji.kim"}),
        "missing key": lambda: bad.pop("steps"),
        "bad band": lambda: bad.update({"clear_faces": "15"}),
        "number band": lambda: bad.update({"pictures": 10}),
        "version 2": lambda: bad.update({"version": 2}),
        "version true": lambda: bad.update({"version": True}),
        "schema": lambda: bad.update({"schema": "something else"}),
        "unknown clue": lambda: bad.update({"clues": ["phone", "Hanbit Girls' High School"]}),
        "clue twice": lambda: bad.update({"clues": ["phone", "phone"]}),
        "clue a dict": lambda: bad.update({"clues": [{"phone": "010-1234-5678"}]}),
        "unknown place": lambda: bad.update({"places": ["37.5563,126.9236"]}),
        "unknown step": lambda: bad["steps"].update({"delete-account": "1-9"}),
        "flag a string": lambda: bad.update({"followers_see_more": "yes"}),
        "script": lambda: bad.update({"located": "<script>alert(1)</script>"}),
    }
    changes[name]()
    return json.dumps(bad).encode()


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_file_that_is_not_a_summary_is_refused_by_name(five, demo_summary, tmp_path, name):
    bad = tmp_path / "participant3.json"
    bad.write_bytes(hostile(demo_summary, name))
    result = merge(five, tmp_path / "group.html")
    assert result.exit_code == 3, result.output
    assert result.output.count("\n") == 1  # one plain line
    assert f"{bad}: not a workshop summary" in result.output
    assert "alert" not in result.output and "minji" not in result.output and "Hanbit" not in result.output
    assert not (tmp_path / "group.html").exists()


def test_a_missing_file_is_named(five, tmp_path):
    result = merge([*five[:4], tmp_path / "gone.json"], tmp_path / "group.html")
    assert result.exit_code == 3 and "gone.json" in result.output


# Suppression. A reader of the page knows the total (everyone in the room), the cells shown, and what each hidden cell
# says; no hidden cell's count may follow from them. Checked here by brute force, not by merge.py's own reasoning.
def possible(cells: dict, total: int) -> list[dict]:
    """Every assignment of counts to the hidden cells that agrees with what the page shows."""
    hidden = [key for key, cell in cells.items() if cell.shows != COUNT]
    left = total - sum(cell.count for cell in cells.values() if cell.shows == COUNT)
    ranges = {
        key: range(0, SMALL) if cells[key].shows == FEWER
        else range(cells[key].count, left + 1) if cells[key].shows == MANY
        else range(0, left + 1)
        for key in hidden
    }
    return [dict(zip(hidden, values)) for values in itertools.product(*ranges.values()) if sum(values) == left]


def assert_safe(counts: dict) -> dict:
    cells = suppress(counts)
    total = sum(counts.values())
    for key, cell in cells.items():
        assert cell.shows in (COUNT, FEWER, MANY, WITHHELD)
        if cell.shows == COUNT:
            assert cell.count == counts[key] >= SMALL
        elif cell.shows == FEWER:
            assert counts[key] < SMALL and cell.count is None
        elif cell.shows == MANY:
            assert counts[key] >= cell.count >= SMALL
    if any(cell.shows == WITHHELD for cell in cells.values()):
        assert all(cell.shows == WITHHELD for cell in cells.values())
        return cells
    worlds = possible(cells, total)
    for key, cell in cells.items():
        if cell.shows != COUNT:
            assert counts[key] in {world[key] for world in worlds}
            assert len({world[key] for world in worlds}) > 1, f"{key} can be worked out: {counts} shown as {cells}"
    return cells


def test_small_cells_are_hidden():
    cells = assert_safe({"0": 1, "1-9": 0, "10+": 6})
    assert (cells["0"].shows, cells["1-9"].shows, cells["10+"].shows) == (FEWER, FEWER, COUNT)


def test_a_small_cell_is_not_given_back_by_subtraction():
    """4 + 1 = 5 participants: showing 4 would give the 1 back; so 4 is hidden too, as "3 or more"."""
    cells = assert_safe({True: 4, False: 1})
    assert cells[False].shows == FEWER and cells[True].shows == MANY and cells[True].count == 3
    # Two small cells that add up to 4 (2 + 2) would be given back too: the larger cell beside them is hidden.
    cells = assert_safe({"0": 2, "1-9": 2, "10+": 3})
    assert cells["10+"].shows == MANY
    # And a hidden cell of 3 or more must not be pinned to exactly its lower bound either.
    assert_safe({"0": 0, "1-9": 3, "10+": 3})


def test_suppression_holds_for_any_partition():
    generator = random.Random(15)
    for _ in range(2000):
        size = generator.choice((2, 3, 4))
        counts = {key: generator.choice((0, 0, 1, 2, 3, 4, 5, 8)) for key in range(size)}
        if sum(counts.values()) >= 5:
            assert_safe(counts)


def values(page: BeautifulSoup) -> dict[str, dict[str, str]]:
    """Each chart (its caption) and table row: label -> what it says."""
    found = {}
    for figure in page.find_all("figure"):
        found[figure.figcaption.get_text(strip=True)] = {
            row.find(class_="bar-label").get_text(strip=True): row.find(class_="value").get_text(strip=True)
            for row in figure.find_all("li")
        }
    for row in page.select("table.steps tbody tr"):
        heads = [th.get_text(strip=True) for th in page.select("table.steps thead th")[1:]]
        found[row.th.get_text(strip=True)] = dict(zip(heads, [td.get_text(strip=True) for td in row.find_all("td")]))
    return found


def agrees(said: str, count: int) -> bool:
    """What a cell says is true of the count recounted from the files, and never an exact count under 3."""
    if said == "fewer than 3":
        return count < SMALL
    if said == "not shown":  # the whole chart withheld
        return True
    if match := re.fullmatch(r"(\d+) or more", said):
        return count >= int(match[1]) >= SMALL
    match = re.fullmatch(r"(\d+) (person|people)", said)
    return bool(match) and int(match[1]) == count >= SMALL


BAND_WORDS = {"0": "none", "1-9": "1 to 9", "10+": "10 or more"}
STEP_WORDS = {"remove": "Remove", "cover-face": "Crop or cover your face", "strip-location": "Strip the location"}
STEP_BANDS = {"0": "no photo", "1-9": "1 to 9 photos", "10+": "10 or more photos"}
CLUE_WORDS = {"phone": "phone number", "school": "school", "home": "home", "workplace": "workplace"}
PLACE_WORDS = {"home": "likely home", "school_or_work": "likely school or work"}


@pytest.mark.parametrize("copies", [1, 2, 3])
def test_the_page_agrees_with_the_files(demo_summary, tmp_path, copies):
    """5, 10 and 15 participants: every figure on the page recounted from the input files."""
    summaries = varied(demo_summary, VARIATIONS) * copies
    paths = write(tmp_path, summaries)
    assert merge(paths, tmp_path / "group.html").exit_code == 0
    html = (tmp_path / "group.html").read_text(encoding="utf-8")
    page = values(BeautifulSoup(html, "html.parser"))
    checked = 0

    def check(said: str, count: int):
        nonlocal checked
        assert agrees(said, count), (said, count)
        checked += 1

    for key, words in BAND_WORDS.items():
        check(page["Clear photos of their face that a stranger can collect"][words], sum(s["clear_faces"] == key for s in summaries))
        check(page["Photos a stranger can see"][words], sum(s["pictures"] == key for s in summaries))
        check(page["Photos that show where they were taken"][words], sum(s["located"] == key for s in summaries))
    for kind, words in CLUE_WORDS.items():
        clues = page["Clues to who they are, the most common first"]
        if words in clues:
            check(clues[words], sum(kind in s["clues"] for s in summaries))
        else:  # listed among the rare ones
            assert sum(kind in s["clues"] for s in summaries) < SMALL or sum(kind not in s["clues"] for s in summaries) < SMALL
    for kind, words in PLACE_WORDS.items():
        if words in page["Places they return to, worked out from their photos"]:
            check(page["Places they return to, worked out from their photos"][words], sum(kind in s["places"] for s in summaries))
    for action in STEP_ACTIONS:
        for key, words in STEP_BANDS.items():
            check(page[STEP_WORDS[action]][words], sum(s["steps"][action] == key for s in summaries))
    check(next(iter(page["Followers"].values())), sum(s["followers_see_more"] for s in summaries))
    check(next(iter(page["Profile pictures"].values())), sum(s["profile_picture_face"] for s in summaries))
    headline = BeautifulSoup(html, "html.parser").select_one(".headline b").get_text(strip=True)
    check(headline[0].lower() + headline[1:], sum(s["clear_faces"] == "10+" for s in summaries))
    assert checked > 20
    assert not re.search(r"\b[0-2] (person|people)\b", html)
    if copies == 3:  # 15 participants: some counts are shown as they are, bars drawn
        assert re.search(r"\b\d+ people\b", html) and 'class="bar" width=' in html


def test_self_contained_and_valid(five, tmp_path):
    for lang in ("en", "ko"):
        out = tmp_path / f"group-{lang}.html"
        assert merge(five, out, "--lang", lang).exit_code == 0
        html = out.read_text(encoding="utf-8")
        assert "<script" not in html.lower()
        assert not re.search(r"""(src|href|action|url)\s*[=(]\s*["']?(https?:)?//""", html, re.I)
        assert not re.search(r"https?://", html)  # not even as text: the page needs no address
        assert "default-src 'none'" in html
        check_well_formed(html)


def test_korean(five, tmp_path):
    assert merge(five, tmp_path / "ko.html", "--lang", "ko").exit_code == 0
    html = (tmp_path / "ko.html").read_text(encoding="utf-8")
    assert '<html lang="ko">' in html
    assert "3명 미만" in html and "텔레그램" in html
    text = BeautifulSoup(html, "html.parser").get_text(" ")
    for english in ("fewer than 3", "or more", "participants", "Telegram", "stranger", "Remove", "none"):
        assert english not in text, english


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SVG_EMPTY = {"rect", "path", "circle", "line"}  # self-closed in the inline SVG


def check_well_formed(html: str) -> None:
    """Every element closed, in order, once; one html, head and body; an HTML5 doctype."""

    class Checker(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.open: list[str] = []
            self.seen: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.seen.append(tag)
            if tag not in VOID:
                self.open.append(tag)

        def handle_startendtag(self, tag, attrs):
            self.seen.append(tag)
            assert tag in VOID | SVG_EMPTY, f"<{tag}/>"

        def handle_endtag(self, tag):
            assert tag not in VOID, f"</{tag}>"
            assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
            self.open.pop()

    assert html.lstrip().lower().startswith("<!doctype html>")
    checker = Checker()
    checker.feed(html)
    checker.close()
    assert not checker.open, checker.open
    assert [checker.seen.count(tag) for tag in ("html", "head", "body", "title")] == [1, 1, 1, 1]
