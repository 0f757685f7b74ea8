"""What the report says about who sees what, and its counts, recomputed from the inventory it was made from."""

from __future__ import annotations

import json
import re

from bs4 import BeautifulSoup

from audit.inventory.db import open_db
from audit.report.page import actions, environment, report_data
from audit.report.plan import removal_plan
from audit.steps import score
from tests import test_plan as fixture


def _render(db) -> tuple[dict, str]:
    data = report_data(db)
    html = environment().get_template("report.html.j2").render(**data, redacted=False, lang="en")
    return data, " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())


def _mixed(tmp_path):
    """Eight pictures with a clear face of the user: 3 public, 2 for followers only, 3 that only she sees
    (archived, an expired story, a photo in a private library); one public photo is also on a private account."""
    db = open_db(tmp_path / "mixed.db")
    db["accounts"].insert_all([
        {"key": fixture.INSTAGRAM, "platform": "instagram-export", "display": "Instagram"},
        {"key": "google-takeout:me", "platform": "google-takeout", "display": "Google Photos"},
    ])
    audiences = ["anyone"] * 3 + ["followers"] * 2 + ["only-you"] * 3
    kinds = ["post"] * 5 + ["archived_post", "story", "file"]
    ids = []
    for number, (audience, kind) in enumerate(zip(audiences, kinds)):
        photo = fixture._photo(db, f"m{number}")
        account = "google-takeout:me" if kind == "file" else fixture.INSTAGRAM
        fixture._appearance(db, photo, f"m{number}.jpg", account=account, day=number, audience=audience, kind=kind)
        fixture._face(db, photo)
        ids.append(photo)
    fixture._appearance(db, ids[0], "m0-private.jpg", account="google-takeout:me", audience="followers")
    score(db)
    return db, ids


def test_only_what_anyone_can_see_is_what_a_stranger_can_see(tmp_path):
    db, ids = _mixed(tmp_path)
    data, text = _render(db)
    assert data["supply"].photos == 3 and removal_plan(db).start.clear_faces == 3
    assert "A stranger can collect 3 clear photos of your face from 1 account." in text
    assert "Your followers see 2 more photos that a stranger cannot. They include 2 more clear photos of your face." in text
    assert "3 photos are visible only to you now" in text
    # Nothing only she sees is told to be removed, in the plan or on its card.
    assert {step.card for step in removal_plan(db).steps} == set(ids[:3])
    actions_of = {card["id"]: card["action"] for card in data["photos"]}
    assert [actions_of[photo] for photo in ids[5:]] == ["not-visible"] * 3
    assert all(actions_of[photo] in ("remove", "archive") for photo in ids[:5])


def test_the_counts_line_adds_up(tmp_path):
    db, _ = _mixed(tmp_path)
    db["photos"].insert({"id": "broken", "status": "unreadable", "media_type": "image"})
    fixture._appearance(db, "broken", "broken.jpg")
    score(db)
    data, text = _render(db)
    posts = db.execute("select count(*) from current_appearances where photo != 'broken'").fetchone()[0]
    pictures = db.execute("select count(distinct photo) from current_appearances where photo != 'broken'").fetchone()[0]
    assert sum(account["posts"] for account in data["accounts"]) == posts == 9
    assert f"{posts} posts in 2 accounts: {pictures} distinct photos, 1 of them posted in more than one place." in text
    assert "1 file could not be read" in text
    # The unreadable file is no photo: no card, and counted nowhere.
    assert "broken" not in {card["id"] for card in data["photos"]} and len(data["photos"]) == pictures
    table = [re.sub(r"\s+", " ", row) for row in re.findall(r"Instagram (Who can see .*?) Google", text)]
    assert table == ["Who can see its posts: anyone (3), followers only (2), only you (2) instagram-export 7 7"]


def test_a_profile_picture_is_replaced_not_archived(tmp_path):
    db = open_db(tmp_path / "profile.db")
    db["accounts"].insert({"key": fixture.INSTAGRAM, "platform": "instagram-export", "display": "Instagram"})
    db["accounts"].insert({"key": fixture.BLOG, "platform": "website", "display": "Blog"})
    photo = fixture._photo(db, "profile")
    fixture._appearance(db, photo, "profile.jpg", kind="profile_photo")
    fixture._find(db, photo, "faces", "face_medium", who="you", grade="medium")  # 25 points: "archive"
    blog = fixture._photo(db, "blog")
    fixture._appearance(db, blog, "blog.jpg", account=fixture.BLOG, day=2)
    fixture._find(db, blog, "faces", "face_medium", who="you", grade="medium")
    score(db)
    cards = {card["id"]: card for card in report_data(db)["photos"]}
    assert cards[photo]["action"] == actions.REPLACE
    assert cards[blog]["action"] == actions.REMOVE  # a blog has no archive
    steps = {step.card: step for step in removal_plan(db).steps}
    assert "archive" not in steps[photo].alternatives and "close-friends" not in steps[photo].alternatives
    assert "archive" not in steps[blog].alternatives and "close-friends" not in steps[blog].alternatives
    assert not actions.exists("archive", "instagram-export", "profile_photo")
    assert actions.exists("archive", "instagram-export", "post")


def test_no_card_says_archive_where_the_platform_cannot(tmp_path):
    db, _ = _mixed(tmp_path)
    for card in report_data(db)["photos"]:
        seen = [a for a in card["appearances"] if a["audience"] != "only-you"]
        if card["action"] == "archive":
            assert actions.exists_everywhere("archive", seen), json.dumps(card["appearances"], default=str)


def test_the_clues_a_stranger_reads_are_each_named_also_when_only_a_picture_shows_them(tmp_path):
    """A written name and an ID card, which only text in a picture shows, are named in the first paragraph (it once
    said "carries clues to who you are: ." with an empty list), in English and in Korean."""
    db = open_db(tmp_path / "clues.db")
    db["accounts"].insert({"key": fixture.INSTAGRAM, "platform": "instagram-export", "display": "Instagram"})
    for number, kind in enumerate(("name_tag", "id_card")):
        photo = fixture._photo(db, f"c{number}")
        fixture._appearance(db, photo, f"c{number}.jpg", day=number, audience="anyone")
        fixture._find(db, photo, "image-text", kind, quote="x")
    score(db)
    data, text = _render(db)
    assert data["strangers"]["clue_kinds"] == ["id_card", "name_tag"]
    assert "2 photos carry clues to who you are: ID card, a written name." in text
    html = environment("ko").get_template("report.html.j2").render(**data, redacted=False, lang="ko")
    assert "신분증" in html and ": ." not in BeautifulSoup(html, "html.parser").get_text(" ")
