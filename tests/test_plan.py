"""The removal plan: on a fixture inventory with a known shortest plan, and on the demo.

The fixture inventory is written the way analysis does it (findings through _insert_findings, the places signal
run over the positions, then pipeline.score), so the plan reads what it reads in a real audit.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from audit.config import DEFAULT_TARGETS
from audit.inventory.db import open_db, stable_id
from audit.models import Finding
from audit.report.page import environment, report_data
from audit.report.plan import Totals, removal_plan
from audit.signals import SIGNALS
from audit.signals.places import THRESHOLDS, PlacesSignal
from audit.steps import Tally, score
from audit.steps.analysis import _insert_findings, _run_inventory_signal
from audit.words import say

from .conftest import copy_demo

INSTAGRAM, BLOG = "instagram:me", "folder:blog"
HOME = (37.5563, 126.9236)  # Mapo-gu, Seoul
SCHOOL = (37.5585, 126.9990)  # Jung-gu, Seoul
DAY = datetime(2024, 9, 2, 21, 0)  # a Monday evening, Seoul time
SCORING_DOC = Path(__file__).resolve().parent.parent / "docs" / "scoring.md"


def _photo(db, name: str, group_phash: str | None = None) -> str:
    photo = stable_id("photo", name)
    db["photos"].insert({"id": photo, "status": "ok", "media_type": "image", "width": 1080, "height": 1080, "phash": group_phash})
    return photo


def _appearance(db, photo: str, name: str, account: str = INSTAGRAM, day: int = 0, position=None, **extra) -> str:
    appearance = stable_id("appearance", photo, account)
    lat, lon = position or (None, None)
    posted = DAY + timedelta(days=day) - timedelta(hours=9)  # stored in UTC
    db["appearances"].insert({
        "id": appearance, "photo": photo, "account": account, "platform": account.split(":")[0], "kind": "post",
        "media_name": name, "post_id": name, "post_url": f"https://example.com/p/{name}",
        "posted_at": posted.strftime("%Y-%m-%dT%H:%M:%SZ"), "lat": lat, "lon": lon, **extra,
    })
    return appearance


def _find(db, photo: str, signal: str, kind: str, **evidence) -> None:
    _insert_findings(db, SIGNALS[signal], [(photo, Finding(kind=kind, text=say(f"{kind} {evidence}"), evidence=evidence))])


def _face(db, photo: str, grade: str = "high", who: str = "you") -> None:
    _find(db, photo, "faces", f"face_{grade}", who=who, grade=grade)


def _geotag(db, photo: str, appearance: str, position) -> None:
    _find(db, photo, "platform-location", "geotag", lat=position[0], lon=position[1], appearance=appearance)


def _inventory(tmp_path, targets: dict | None = None):
    """Six pictures with one shortest plan (defaults: 6 steps, one per picture that counts):

    - A, the graduation photo: your clear face, a geotag at school, the school and a phone number in the caption
      (three violations: one removal takes them all);
    - B: your clear face, geotagged at home; C (GPS in the file) and D (geotag) also at home, on other days: with B
      they make home a place you return to, and taking any one of the three away ends it;
    - E: your clear face, posted on Instagram and (a near-duplicate copy) on the blog, tagging a friend;
    - F: a medium face of yours with your workplace in the caption (a clear face, and a clue next to it);
    - G: someone else's clear face, and H: a tagged friend only: neither counts against a target.
    """
    db = open_db(tmp_path / "plan.db")
    db["accounts"].insert_all([
        {"key": INSTAGRAM, "platform": "instagram-export", "display": "Instagram"},
        {"key": BLOG, "platform": "folder", "display": "Blog"},
    ])
    if targets is not None:
        db["settings"].insert({"key": "targets", "value": json.dumps(targets)})
    ids = {name: _photo(db, name) for name in "ABCDFGH"}
    a = _appearance(db, ids["A"], "A.jpg", day=0, position=SCHOOL, caption="한빛고등학교 졸업! 010-1234-5678")
    _face(db, ids["A"])
    _geotag(db, ids["A"], a, SCHOOL)
    _find(db, ids["A"], "caption-text", "school", quote="한빛고등학교", appearance=a)
    _find(db, ids["A"], "caption-text", "phone", quote="010-1234-5678", appearance=a)
    b = _appearance(db, ids["B"], "B.jpg", day=1, position=HOME)
    _face(db, ids["B"])
    _geotag(db, ids["B"], b, HOME)
    _appearance(db, ids["C"], "C.jpg", account=BLOG, day=3)
    _find(db, ids["C"], "exif", "gps", lat=HOME[0] + 0.0002, lon=HOME[1])
    d = _appearance(db, ids["D"], "D.jpg", day=5, position=HOME)
    _geotag(db, ids["D"], d, HOME)
    copies = "f0f0f0f0f0f0f0f0808080"  # the same perceptual hash: E and its copy are one picture
    ids["E"], ids["E copy"] = _photo(db, "E", copies), _photo(db, "E copy", copies)
    e = _appearance(db, ids["E"], "E.jpg", day=6, tagged_users='["friend"]')
    _appearance(db, ids["E copy"], "E-blog.jpg", account=BLOG, day=7)
    _face(db, ids["E"])
    _face(db, ids["E copy"])
    _find(db, ids["E"], "caption-text", "tagged_user", handle="friend", appearance=e)
    f = _appearance(db, ids["F"], "F.jpg", day=8, caption="first day at work")
    _face(db, ids["F"], "medium")
    _find(db, ids["F"], "caption-text", "workplace", quote="at work", appearance=f)
    _appearance(db, ids["G"], "G.jpg", day=9)
    _find(db, ids["G"], "faces", "bystander_face", who="someone else", grade="high")
    h = _appearance(db, ids["H"], "H.jpg", day=10)
    _find(db, ids["H"], "caption-text", "tagged_user", handle="friend", appearance=h)
    _run_inventory_signal(db, PlacesSignal(), 1, Tally())
    score(db)
    return db, ids


def _steps(plan, ids) -> list[tuple[str, str]]:
    name = {photo: key for key, photo in ids.items()}
    return [(name[step.card], step.action) for step in plan.steps]


def assert_totals_add_up(plan) -> None:
    """Each step starts where the last one ended, takes away exactly the difference, and the plan ends at or under the targets."""
    previous = plan.start
    for step in plan.steps:
        assert step.before == previous
        assert step.removes == step.before.minus(step.after)
        assert all(n >= 0 for n in dataclasses.astuple(step.removes)) and step.removes != Totals()
        previous = step.after
    assert previous == plan.end
    assert plan.met and plan.end.within(plan.targets)


def test_the_fixture_gets_its_shortest_plan_and_the_totals_add_up(tmp_path):
    db, ids = _inventory(tmp_path)
    plan = removal_plan(db)
    assert plan.targets == Totals(**DEFAULT_TARGETS) == Totals()
    assert plan.start == Totals(clear_faces=4, exact_locations=4, repeated_places=1, clues_with_face=2)
    # A takes three violations away; then B, which also ends the place; then F (its face, and the clue next to it);
    # C's GPS (more points) before D's geotag; E's face is the only thing wrong with it: covered, not removed.
    assert _steps(plan, ids) == [
        ("A", "remove"), ("B", "remove"), ("F", "cover-face"), ("C", "strip-location"), ("D", "strip-location"),
        ("E", "cover-face"),
    ]
    assert plan.end == Totals()
    assert_totals_add_up(plan)
    first, second = plan.steps[:2]
    assert first.removes == Totals(clear_faces=1, exact_locations=1, clues_with_face=1)
    assert second.removes == Totals(clear_faces=1, exact_locations=1, repeated_places=1)
    assert [place["label"] for place in second.places_gone] == ["home"]
    assert "cover-and-strip" in first.alternatives and "archive" in first.alternatives


def test_a_face_in_a_video_is_taken_down_not_covered(tmp_path):
    db, ids = _inventory(tmp_path)
    db["photos"].update(ids["E"], {"media_type": "video"})  # E's face is the only thing wrong with it
    db["photos"].update(ids["E copy"], {"media_type": "video"})
    steps = dict(_steps(removal_plan(db), ids))
    assert steps["E"] == "remove" and steps["F"] == "cover-face"  # a photo's face is still covered


def test_each_step_says_where_the_picture_lives_and_what_else_to_do(tmp_path):
    db, ids = _inventory(tmp_path)
    steps = {step.card: step for step in removal_plan(db).steps}
    cover = steps[ids["E"]]
    assert [(row["account_display"], row["media_name"]) for row in cover.where] == [("Instagram", "E.jpg"), ("Blog", "E-blog.jpg")]
    assert cover.untag == ("friend",)
    assert steps[ids["C"]].exif_gps and not steps[ids["D"]].exif_gps
    assert [row["geotag"] for row in steps[ids["D"]].where] == [True]
    assert steps[ids["A"]].untag == ()  # removed: nothing left to untag


def test_targets_from_the_config_change_the_plan(tmp_path):
    # Three clear faces may stay (set under the target's old name): A still goes (its location and its clue), B only loses its location, and E, whose
    # face is all that is wrong with it, stays. Stripping C (GPS: the most points) also ends the place; B and D
    # then take away as much as each other, and the smaller card id goes first.
    db, ids = _inventory(tmp_path, {"high_faces": 3})
    plan = removal_plan(db)
    assert plan.targets == Totals(clear_faces=3)
    tied = sorted([("B", "strip-location"), ("D", "strip-location")], key=lambda step: ids[step[0]])
    assert _steps(plan, ids) == [("A", "remove"), ("C", "strip-location"), *tied, ("F", "cover-face")]
    assert plan.end == Totals(clear_faces=2)
    assert_totals_add_up(plan)

    generous = dataclasses.asdict(plan.start)
    db["settings"].upsert({"key": "targets", "value": json.dumps(generous)}, pk="key")
    assert removal_plan(db).steps == ()


def test_a_big_place_takes_as_many_steps_as_it_needs_to_stop_repeating(tmp_path):
    # Five pictures at home: three must lose their position before fewer than min_photos remain.
    db = open_db(tmp_path / "place.db")
    db["accounts"].insert({"key": INSTAGRAM, "platform": "instagram-export", "display": "Instagram"})
    db["settings"].insert({"key": "targets", "value": json.dumps({"exact_locations": 5})})
    for day in range(5):
        photo = _photo(db, f"home{day}")
        _geotag(db, photo, _appearance(db, photo, f"home{day}.jpg", day=day, position=HOME), HOME)
    _run_inventory_signal(db, PlacesSignal(), 1, Tally())
    score(db)
    plan = removal_plan(db)
    assert THRESHOLDS["min_photos"] == 3
    assert [step.action for step in plan.steps] == ["strip-location"] * 3
    assert [[place["still"] for place in step.places_closer] for step in plan.steps] == [[2], [1], []]
    assert [step.after.repeated_places for step in plan.steps] == [1, 1, 0]
    assert_totals_add_up(plan)


def test_the_plan_is_an_ordered_list_in_the_report(tmp_path):
    db, ids = _inventory(tmp_path)
    html = environment().get_template("report.html.j2").render(**report_data(db))
    soup = BeautifulSoup(html, "html.parser")
    items = soup.select("ol.plan > li")
    assert len(items) == 6
    for item in items:  # each step links to its photo's card
        assert soup.find(id=item.h3.a["href"].removeprefix("#"))["class"] == ["card"]
    first = " ".join(items[0].get_text(" ").split())
    day = environment().filters["local_date"](removal_plan(db).steps[0].where[0]["posted_at"])
    assert first.startswith(f"Remove the post of {day}, “ 한빛고등학교 졸업! 010-1234-5678 ”")  # its day and caption
    assert "1 of the 4 clear photos of your face" in first
    assert "After this step: 3 clear photos of your face, 3 photos that give an exact location" in first
    assert "Or: archive it; post a cleaned copy." in first  # no close friends for a post
    cover = " ".join(items[5].get_text(" ").split())
    assert "Instagram" in cover and "Blog" in cover and "untag or stop mentioning @friend" in cover


@pytest.fixture
def forty_faces(tmp_path):
    """40 pictures, each with a clear face of yours: 40 steps."""
    db = open_db(tmp_path / "long.db")
    db["accounts"].insert({"key": INSTAGRAM, "platform": "instagram-export", "display": "Instagram"})
    for number in range(40):
        photo = _photo(db, f"face-{number:02d}")
        _appearance(db, photo, f"face-{number:02d}.jpg", day=number)
        _face(db, photo)
    score(db)
    html = environment().get_template("report.html.j2").render(**report_data(db))
    return db, BeautifulSoup(html, "html.parser")


def test_a_long_plan_tells_the_first_steps_in_full_and_the_rest_a_row_each(forty_faces):
    db, soup = forty_faces
    plan = removal_plan(db)
    assert len(plan.steps) == 40 and plan.start.clear_faces == 40
    assert len(soup.select("ol.plan > li")) == 25
    rows = soup.select("details.plan-rest tbody tr")
    assert [row["id"] for row in rows] == [f"plan-step-{n}" for n in range(26, 41)]
    assert "The next 15 steps, one line each, from step 26" in soup.select_one("details.plan-rest summary").get_text()
    for row, step in zip(rows, plan.steps[25:]):
        cells = [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
        assert cells[:4] == [str(step.number), "Crop or cover your face", step.label, "Instagram"]
        assert cells[4:] == [str(n) for n in dataclasses.astuple(step.after)]  # the running total
        assert soup.find(id=row.a["href"].removeprefix("#"))["class"] == ["card"]
    assert rows[-1].find_all("td")[4].get_text() == "0"


def test_a_section_lists_its_most_exposing_photos_and_counts_the_rest(forty_faces):
    _, soup = forty_faces
    section = soup.find(id="sig-faces").parent
    assert len(section.select("ul > li")) == 20
    assert "And 20 more photos, less exposing" in section.select_one("p.note").get_text()


@pytest.fixture(scope="module")
def demo(analysed_demo, tmp_path_factory):
    db = open_db(copy_demo(analysed_demo, tmp_path_factory.mktemp("demo")))
    return db, (analysed_demo.parent / "demo.html").read_text(encoding="utf-8")


def test_the_demo_plan_ends_under_the_targets_and_starts_with_the_biggest_step(demo):
    db, html = demo
    plan = removal_plan(db)
    assert plan.steps and plan.start != Totals()
    assert_totals_add_up(plan)
    taken = [sum(dataclasses.astuple(step.removes)) for step in plan.steps]
    assert taken[0] == max(taken)
    items = BeautifulSoup(html, "html.parser").select("ol.plan > li")
    assert len(items) == len(plan.steps)


def test_the_scoring_doc_names_every_target_and_the_place_threshold():
    section = SCORING_DOC.read_text(encoding="utf-8").split("## Removal plan", 1)[1].split("\n## ", 1)[0]
    assert [field.name for field in dataclasses.fields(Totals)] == list(DEFAULT_TARGETS)
    for key, default in DEFAULT_TARGETS.items():
        assert f"| `{key}` |" in section and section.split(f"| `{key}` |", 1)[1].split("\n", 1)[0].endswith(f"| {default} |")
    assert f"({THRESHOLDS['min_photos']}, `THRESHOLDS[\"min_photos\"]`" in section
