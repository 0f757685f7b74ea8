"""`photo-audit demo` on the shipped example finds what the example was built to reveal (examples/demo_expected.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audit.inventory.db import open_db

from .conftest import copy_demo

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EXPECTED = json.loads((EXAMPLES / "demo_expected.json").read_text(encoding="utf-8"))
# caption_reveals tag in demo_expected.json -> the finding kinds that must show it
CAPTION_KINDS = {
    "phone": {"phone"},
    "email": {"email"},
    "workplace": {"workplace"},
    "home": {"home"},
    "mention": {"mention"},
    "family_event": {"event"},
    "school": {"school", "university"},
}


@pytest.fixture(scope="module")
def demo(analysed_demo, tmp_path_factory):
    output = (analysed_demo.parent / "cli-output.txt").read_text(encoding="utf-8")
    assert output.strip().splitlines()[-1] == str((analysed_demo.parent / "demo.html").resolve())
    db = open_db(copy_demo(analysed_demo, tmp_path_factory.mktemp("demo")))
    return db, (analysed_demo.parent / "demo.html").read_text(encoding="utf-8")


def _kinds_for(db, media_suffix: str) -> set[tuple[str, str]]:
    rows = db.query(
        "select findings.signal, findings.kind from findings join appearances on appearances.photo = findings.photo "
        "where ? like '%' || appearances.media_name",
        [media_suffix],
    )
    return {(row["signal"], row["kind"]) for row in rows}


POSTED = [f for f in EXPECTED["files"] if f["account"]]


@pytest.mark.parametrize("entry", POSTED, ids=[f["path"].rsplit("/", 1)[-1] for f in POSTED])
def test_every_demo_file_gets_the_expected_location_verdict(demo, entry):
    db, _ = demo
    kinds = _kinds_for(db, entry["path"])
    leaks = bool(kinds & {("exif", "gps"), ("platform-location", "geotag")})
    assert leaks == (entry["gps"] is not None)


@pytest.mark.parametrize("entry", POSTED, ids=[f["path"].rsplit("/", 1)[-1] for f in POSTED])
def test_every_demo_caption_clue_is_found(demo, entry):
    db, _ = demo
    found = {kind for signal, kind in _kins(db, entry)}
    for tag in entry.get("caption_reveals", []):
        if tag in CAPTION_KINDS:
            assert found & CAPTION_KINDS[tag], (tag, entry["caption"])


def _kins(db, entry):
    return {(s, k) for s, k in _kinds_for(db, entry["path"]) if s == "caption-text"}


def test_the_same_photo_on_two_accounts_counts_once(demo):
    db, _ = demo
    rows = list(db.query("select photo, count(distinct account) as n from appearances group by photo having n > 1"))
    assert len(rows) == 1
    media = {row["media_name"] for row in db["appearances"].rows_where("photo = ?", [rows[0]["photo"]])}
    assert "graduation.jpg" in media


def test_demo_report_ranks_and_explains(demo):
    db, html = demo
    top = next(db.query("select photos.id, score, action from scores join photos on photos.id = scores.photo order by score desc limit 1"))
    assert top["score"] >= 50 and top["action"] == "remove"
    assert "010-1234-5678" in html and "minji.kim@example.com" in html
    assert db["errors"].count_where("stage != 'skip'") == 0


WHO = {"user": "you", "friend": "someone else", "stranger": "someone else"}


@pytest.mark.parametrize("entry", POSTED, ids=[f["path"].rsplit("/", 1)[-1] for f in POSTED])
def test_every_demo_face_is_found_and_attributed(demo, entry):
    db, _ = demo
    rows = db.query(
        "select json_extract(findings.evidence, '$.who') as who from findings join appearances on appearances.photo = findings.photo "
        "where findings.signal = 'faces' and ? like '%' || appearances.media_name",
        [entry["path"]],
    )
    assert sorted(row["who"] for row in rows) == sorted(WHO[face["who"]] for face in entry.get("faces", []))


def test_demo_report_opens_with_the_face_supply_and_flags_bystanders(demo):
    db, html = demo
    user_pictures = {f["path"].rsplit("/", 1)[-1] for f in POSTED if any(face["who"] == "user" for face in f.get("faces", []))}
    # graduation.jpg is a byte copy of an Instagram post, and four blog photos are resized copies: near-duplicates count once.
    supply = html.split('<p class="supply">', 1)[1].split("</p>", 1)[0]
    # 16 pictures show her face clearly; the story of 2024-06-14 expired long ago: only she sees it now.
    assert "A stranger can collect 15 clear photos of your face from 2 accounts." in supply
    assert len(user_pictures) == 18  # 16 distinct pictures + the byte copy + the resized blog copy of P18
    assert "1 of them is a profile picture" in supply
    assert "Someone else&#39;s face (this photo exposes them too)" in html
    assert "Your face: 321 px, frontal, sharp: full-quality swap source" in html


def test_demo_report_shows_the_two_places_the_student_returns_to(demo):
    _, html = demo
    section = html.split('<section aria-labelledby="places">', 1)[1].split("</section>", 1)[0]
    # Home: 7 Instagram posts and one photo only on the blog (the other blog copies count once); the story taken
    # there expired, so no one else sees it.
    assert "Likely home: Mapo-gu, Seoul" in section and "8 photos on 8 different days" in section
    assert "Likely school or work: Jung-gu, Seoul" in section and "7 photos on 7 different days" in section
    assert "<svg" in section and "http" not in section.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org/2000/svg", "")


# What the demo's pictures show in writing, by scene, as the image-text signal must read it: the school gates and
# the campus banners, the cake's name and age, the office sign, the tutoring flyer's university and phone, and
# nothing else: "middle & high school" on the flyer is what she teaches, not her school.
WRITTEN_IN_PICTURES = {
    "graduation_selfie": {("school", "HANBIT GIRLS' HIGH SCHOOL")},
    "graduation_friends": {("school", "HANBIT GIRLS' HIGH SCHOOL"), ("school", "CLASS OF 2023")},
    "graduation_gate": {("school", "HANBIT GIRLS' HIGH SCHOOL"), ("event", "GRADUATION")},
    "freshman": {("university", "SEOUL HANGANG UNIVERSITY")},
    "festival": {("university", "SEOUL HANGANG UNIVERSITY")},
    "cake": {("name_tag", "HAPPY 20TH BIRTHDAY MINJI")},
    "office": {("workplace", "HANGANG DESIGN LAB")},
    "tutoring_flyer": {("university", "Seoul Hangang Univ."), ("phone", "010-1234-5678")},
}


def test_what_is_written_in_the_demo_pictures_is_read_and_nothing_more(demo):
    db, _ = demo
    scenes = {f["path"].rsplit("/", 1)[-1]: f["scene"] for f in EXPECTED["files"] if f.get("scene")}
    read: dict[str, set] = {}
    rows = db.query(
        "select distinct appearances.media_name, findings.kind, findings.evidence from findings "
        "join appearances on appearances.photo = findings.photo where findings.signal = 'image-text'"
    )
    for row in rows:
        evidence = json.loads(row["evidence"])
        read.setdefault(scenes[row["media_name"].rsplit("/", 1)[-1]], set()).add((row["kind"], evidence["quote"]))
    assert read == WRITTEN_IN_PICTURES
    cakes = [json.loads(r["evidence"]) for r in db.query("select evidence from findings where kind = 'name_tag'")]
    assert len(cakes) == 2 and {(e["person"], e["age"]) for e in cakes} == {("MINJI", 20)}  # the post and the blog copy
