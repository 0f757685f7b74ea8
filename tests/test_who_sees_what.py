"""A mix of real-layout accounts with posts that only followers or only the user can see: an archived post, expired
stories, recently deleted posts, a highlight of a private profile and a private Google Photos library. The report's
headline, plan and counts are recomputed here from the inventory with plain SQL."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone

from bs4 import BeautifulSoup
from click.testing import CliRunner

from audit.cli import cli
from audit.inventory.db import open_db
from audit.report.page import report_data
from audit.report.plan import removal_plan

from .conftest import FIXTURES, jpeg_bytes, write_config
from .test_instaloader_folder import add_story, set_private

FORMATS = FIXTURES / "formats"
CONFIG = """
[[accounts]]
platform = "instagram-export"
path = "instagram"
handle = "real.export"

[[accounts]]
platform = "instaloader-folder"
path = "instaloader"

[[accounts]]
platform = "google-takeout"
path = "takeout"

[[accounts]]
platform = "folder"
path = "blog"
audience = "anyone"
"""
HOME = (37.5563, 126.9236)


def _collect(tmp_path):
    shutil.copytree(FORMATS / "instagram_dyi_html_2025_akbarskuyyy", tmp_path / "instagram")
    profile = shutil.copytree(FORMATS / "instaloader_profile_4.16_handmade" / "minji.kim", tmp_path / "instaloader" / "minji.kim")
    set_private(profile, True)
    now = datetime.now(timezone.utc)
    add_story(profile / "Seoul 2024", now - timedelta(days=30))  # kept in a highlight: her followers see it
    add_story(profile, now - timedelta(days=3))  # expired: no one else sees it
    shutil.copytree(FORMATS / "google_takeout_2024_en_handmade", tmp_path / "takeout")
    (tmp_path / "blog").mkdir()
    for day in range(3):  # the blog: public photos that give her home away
        (tmp_path / "blog" / f"home{day}.jpg").write_bytes(jpeg_bytes((day * 60, 90, 120), gps=HOME))
    config = write_config(tmp_path, CONFIG)
    result = CliRunner().invoke(cli, ["run", str(config), "--db", str(tmp_path / "a.db"), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    return open_db(tmp_path / "a.db"), (tmp_path / "r.html").read_text(encoding="utf-8")


def _pictures(db, audiences: tuple[str, ...]) -> set[str]:
    marks = ", ".join("?" for _ in audiences)
    return {row["grp"] for row in db.query(
        "select coalesce(photos.group_id, photos.id) as grp from current_appearances join photos on photos.id = photo "
        f"where audience in ({marks}) and photos.status != 'unreadable'", list(audiences))}


def test_what_only_she_or_her_followers_see_is_counted_apart(tmp_path):
    db, html = _collect(tmp_path)
    audiences = {(row["platform"], row["kind"], row["audience"]) for row in db.query("select platform, kind, audience from appearances")}
    assert {("instagram-export", "archived_post", "only-you"), ("instagram-export", "deleted_post", "only-you"),
            ("instagram-export", "story", "only-you"), ("instaloader-folder", "story", "followers"),
            ("instaloader-folder", "story", "only-you"), ("instaloader-folder", "post", "followers"),
            ("instaloader-folder", "profile_photo", "anyone"), ("google-takeout", "file", "only-you"),
            ("folder", "file", "anyone")} <= audiences
    data = report_data(db)
    public, shown = _pictures(db, ("anyone",)), _pictures(db, ("anyone", "followers"))
    hidden = _pictures(db, ("only-you",)) - shown
    assert data["strangers"]["pictures"] == len(public)
    assert data["followers"]["pictures"] == len(shown - public) > 0
    assert data["totals"]["hidden"] == len(hidden) > 0
    # Nothing that only she sees is told to be removed, or counted in the plan.
    actions = {card["id"]: card["action"] for card in data["photos"]}
    assert {actions[picture] for picture in hidden if picture in actions} == {"not-visible"}
    plan = removal_plan(db)
    assert plan.steps and not {step.card for step in plan.steps} - public
    # The positions: the blog's three public photos at home are a place a stranger can work out; the followers' and
    # hidden positions are not in the headline.
    located = {row["grp"] for row in db.query(
        "select distinct coalesce(photos.group_id, photos.id) as grp from findings join photos on photos.id = findings.photo "
        "where (signal = 'exif' and kind = 'gps') or (signal = 'platform-location' and kind in ('geotag', 'place_name'))")}
    assert data["strangers"]["located"] == len(located & public) and len(located) > len(located & public)
    text = " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())
    followers = data["followers"]["pictures"]
    assert f"Your followers see {followers} more photo" in text
    assert f"{len(hidden)} photos are visible only to you now" in text
    assert f"Now a stranger can see 0 clear photos of your face, {plan.start.exact_locations} photos that give an exact location" in text
