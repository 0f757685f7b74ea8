"""Every claim the removal plan makes holds for the data: its steps are applied to the inventory one by one, the
exposure is recomputed from the inventory (not from the plan's own bookkeeping), and each step's "after" must be
what is left. Run on the demo and on a generated inventory of 1,000 photos.

The recomputation uses other code than the plan: supply.face_supply for clear faces, the places signal's own
clustering (days included) for the places that repeat, and plain SQL for locations and clues.
"""

from __future__ import annotations

import random
import shutil

from bs4 import BeautifulSoup

from audit.inventory.db import open_db, shown_to
from audit.models import STRANGERS
from audit.report.page import environment, report_data
from audit.report.plan import Totals, removal_plan
from audit.report.supply import face_supply
from audit.signals.places import PlacesSignal, places
from audit.steps import Tally, score
from audit.steps.analysis import _run_inventory_signal
from tests import test_plan as fixture

CLUES = ("phone", "email", "school", "university", "student_number", "workplace", "home", "address", "id_card", "name_tag")
CLEAR_FACES = ("face_high", "face_medium")  # written out here: the faces signal's `clear_face` role


def recompute(db) -> Totals:
    """What a stranger can see now, counted from the inventory."""
    shown = shown_to(STRANGERS)
    visible = f"select photo from {shown}"
    posts = {row["id"] for row in db.query(f"select id from {shown}")}
    group = "coalesce(photos.group_id, photos.id)"
    located, clues = set(), set()
    for row in db.query(
        f"select {group} as grp, findings.signal, findings.kind, json_extract(findings.evidence, '$.appearance') as post "
        f"from findings join photos on photos.id = findings.photo where findings.photo in ({visible})"
    ):
        if row["post"] and row["post"] not in posts:
            continue
        if (row["signal"], row["kind"]) in (("exif", "gps"), ("platform-location", "geotag")):
            located.add(row["grp"])
        if row["signal"] in ("caption-text", "image-text") and row["kind"] in CLUES:
            clues.add(row["grp"])
    kinds = ", ".join(f"'{kind}'" for kind in CLEAR_FACES)
    faces = {row["grp"] for row in db.query(
        f"select {group} as grp from findings join photos on photos.id = findings.photo where findings.signal = 'faces' "
        f"and findings.kind in ({kinds}) and findings.photo in ({visible})"
    )}
    supply = face_supply(db, STRANGERS)
    assert (supply.photos if supply else 0) == len(faces)
    return Totals(
        clear_faces=len(faces), exact_locations=len(located), repeated_places=len(places(db, STRANGERS)),
        clues_with_face=len(faces & clues),
    )


def apply(db, step) -> None:
    """Do what the step says, to the inventory: remove hides every post a stranger sees; stripping the location
    drops the file's GPS and the posts' places; covering the face leaves no clear face of the user."""
    members = [row["id"] for row in db.query("select id from photos where coalesce(group_id, id) = ?", [step.card])]
    marks = ", ".join("?" for _ in members)
    with db.conn:
        if step.action == "remove":
            db.execute(f"update appearances set audience = 'only-you' where photo in ({marks})", members)
        elif step.action == "strip-location":
            db.execute(f"update appearances set lat = null, lon = null, location_name = null where photo in ({marks})", members)
            db.execute(f"delete from findings where photo in ({marks}) and (signal = 'exif' and kind = 'gps' "
                       "or signal = 'platform-location')", members)
        else:
            kinds = ", ".join(f"'{kind}'" for kind in CLEAR_FACES)
            db.execute(f"delete from findings where photo in ({marks}) and signal = 'faces' and kind in ({kinds})", members)


def check_every_claim(db, checked_steps=None) -> int:
    """Apply the plan step by step and compare; returns how many steps were checked against the inventory."""
    plan = removal_plan(db)
    assert plan.start == recompute(db)
    checked = 0
    for step in plan.steps:
        apply(db, step)
        if checked_steps is None or step.number in checked_steps or step.number == len(plan.steps):
            assert recompute(db) == step.after, f"step {step.number} ({step.action}) claims {step.after}"
            checked += 1
    assert recompute(db) == plan.end and plan.end.within(plan.targets)
    return checked


def test_every_claim_of_the_demo_plan_holds(analysed_demo, tmp_path):
    shutil.copy(analysed_demo, tmp_path / "demo.db")
    db = open_db(tmp_path / "demo.db")
    data = report_data(db)
    plan = data["plan"]
    assert plan.steps
    # The headline and the plan count the same clear faces, locations and places.
    assert data["supply"].photos == plan.start.clear_faces
    assert len(data["strangers"]["places"]) == plan.start.repeated_places
    html = environment().get_template("report.html.j2").render(**data, redacted=False, lang="en")
    text = " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())
    assert f"A stranger can collect {plan.start.clear_faces} clear photos of your face" in text
    assert f"Now a stranger can see {plan.start.clear_faces} clear photos of your face, {plan.start.exact_locations} photos" in text
    assert check_every_claim(db) == len(plan.steps)


def test_every_claim_of_a_1000_photo_plan_holds(tmp_path):
    db = _generated(tmp_path, 1000)
    plan = removal_plan(db)
    assert len(plan.steps) > 100
    sample = set(range(1, 31)) | set(range(31, len(plan.steps) + 1, 25))
    assert check_every_claim(db, sample) >= 30


def test_what_only_followers_or_only_you_see_is_not_in_the_plan(tmp_path):
    db = _generated(tmp_path, 60, seed=2)
    before = removal_plan(db)
    hidden = [row["photo"] for row in db.query("select photo from appearances order by id limit 20")]
    with db.conn:
        db.execute(f"update appearances set audience = 'followers' where photo in ({', '.join('?' * 10)})", hidden[:10])
        db.execute(f"update appearances set audience = 'only-you' where photo in ({', '.join('?' * 10)})", hidden[10:])
    score(db)
    after = removal_plan(db)
    cards = {step.card for step in after.steps}
    groups = {row["grp"] for row in db.query(
        f"select coalesce(group_id, id) as grp from photos where id in ({', '.join('?' * 20)})", hidden)}
    assert not cards & groups
    assert after.start.clear_faces < before.start.clear_faces
    assert check_every_claim(db) == len(after.steps)
    hidden_scores = {row["action"] for row in db.query(
        f"select action from scores where photo in ({', '.join('?' * 10)})", hidden[10:])}
    assert hidden_scores == {"not-visible"}


def _generated(tmp_path, count: int, seed: int = 1):
    """`count` pictures on Instagram: a third with a clear face of the user, a quarter geotagged at one of eight
    places on different days, one in six with a clue in the caption, a few posted on the blog too."""
    rng = random.Random(seed)
    db = open_db(tmp_path / "generated.db")
    db["accounts"].insert_all([
        {"key": fixture.INSTAGRAM, "platform": "instagram-export", "display": "Instagram"},
        {"key": fixture.BLOG, "platform": "folder", "display": "Blog"},
    ])
    spots = [(37.50 + 0.01 * n, 126.90 + 0.013 * n) for n in range(8)]
    for number in range(count):
        name = f"p{number:04d}"
        photo = fixture._photo(db, name)
        position = rng.choice(spots) if rng.random() < 0.25 else None
        post = fixture._appearance(db, photo, f"{name}.jpg", day=rng.randrange(400), position=position,
                                   caption=f"caption {number}")
        if rng.random() < 0.05:
            fixture._appearance(db, photo, f"{name}-blog.jpg", account=fixture.BLOG, day=rng.randrange(400))
        if rng.random() < 0.33:
            fixture._face(db, photo, rng.choice(("high", "medium")))
        if position:
            fixture._geotag(db, photo, post, position)
        elif rng.random() < 0.05:
            fixture._find(db, photo, "exif", "gps", lat=spots[0][0] + 0.0001, lon=spots[0][1])
        if rng.random() < 0.16:
            fixture._find(db, photo, "caption-text", rng.choice(CLUES[:8]), quote=f"clue {number}", appearance=post)
    _run_inventory_signal(db, PlacesSignal(), 1, Tally())
    score(db)
    return db
