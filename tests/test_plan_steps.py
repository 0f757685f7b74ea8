"""Plan steps a person can recognise and find (issue 14): each step shows the photo's thumbnail, its date, the first
words of its caption, the account, and its post's link or where in the app to look; the export path is only in a
details line; the ways to the same end as deleting are explained once, and each step offers only its own; every step
is on the printable checklist; a redacted report shows no more in a step than in its card.

Expectations are worked out from the inventory and the plan's data, not copied from the template.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from audit.inventory.db import open_db
from audit.report import actions
from audit.report.page import environment, render_report, report_data
from audit.report.plan import removal_plan
from audit.sources import SOURCES
from audit.steps import score

from .conftest import jpeg_bytes
from .test_plan import BLOG, INSTAGRAM, _appearance, _face, _find, _inventory, _photo

# The step that names a picture by its caption shows it between quotes; the template cuts it at 60 characters.
QUOTED = re.compile(r"“(.*)”", re.S)
CAPTION_START = 60
EXPORTED_NAME = "media/posts/202409/17841400000000001.jpg"


def _text(tag) -> str:
    return " ".join(tag.get_text(" ").split())


@pytest.fixture
def inventory(tmp_path):
    """test_plan's six pictures, each with a thumbnail; A's post read from an Instagram export (no link of its own,
    a long caption, an export path), the blog's files with no link either, the rest live posts with their links."""
    db, ids = _inventory(tmp_path)
    for number, photo in enumerate(row["id"] for row in db["photos"].rows):
        db["thumbnails"].insert({"photo": photo, "jpeg": jpeg_bytes((30 * number % 256, 90, 160))})
    long_caption = "한빛고등학교 졸업! 010-1234-5678 " + "친구들이랑 마지막 날 교문 앞에서 사진 찍었어요 " * 3
    db.execute("update appearances set platform = 'instagram-export', post_url = null, media_name = ?, caption = ? "
               "where media_name = 'A.jpg'", [EXPORTED_NAME, long_caption])
    db.execute("update appearances set post_url = null where account = ?", [BLOG])
    db.conn.commit()
    return db, ids


def _render(db, lang: str = "en", **data) -> BeautifulSoup:
    html = environment(lang).get_template("report.html.j2").render(**{**report_data(db), **data})
    return BeautifulSoup(html, "html.parser")


def test_each_step_shows_the_photo_its_date_caption_account_and_how_to_find_it(inventory):
    db, _ = inventory
    plan = removal_plan(db)
    soup = _render(db)
    local_date = environment().filters["local_date"]
    accounts = {row["key"]: row["display"] for row in db["accounts"].rows}
    items = soup.select("ol.plan > li")
    assert len(items) == len(plan.steps) == 6
    for item, step in zip(items, plan.steps):
        card = soup.find(id=item.h3.a["href"].removeprefix("#"))
        thumb = item.select_one("img.step-thumb")
        assert thumb["src"] == card.img["src"] and thumb["src"].startswith("data:image/jpeg;base64,")
        assert thumb["alt"].strip() and str(step.number) in thumb["alt"]
        posts = list(db.query("select appearances.* from appearances join pictures on pictures.photo = appearances.photo "
                              "where pictures.picture = ? order by posted_at, id", [step.card]))
        # The heading: its date and the first words of its caption (the first post that has one), never the file.
        heading = _text(item.h3)
        dated = next(post for post in posts if post["posted_at"])
        assert local_date(dated["posted_at"]) in heading
        caption = next((post["caption"] for post in posts if post["caption"]), None)
        if caption:
            shown = QUOTED.search(heading).group(1).strip()
            assert len(shown) <= CAPTION_START and caption.startswith(shown.removesuffix("…"))
            assert shown.endswith("…") == (len(caption) > CAPTION_START)
        assert not any(post["media_name"] in heading for post in posts)
        rows = item.select("ul.step-where > li")
        assert len(rows) == len(posts)
        for row, post in zip(rows, posts):
            assert _text(row.select_one(".account")) == accounts[post["account"]]
            if post["posted_at"]:
                assert row.time["datetime"] == post["posted_at"] and _text(row.time) == local_date(post["posted_at"])
            link, way, details = row.find("a"), row.select_one(".way"), row.select_one(".file-name")
            if post["post_url"]:
                assert link["href"] == post["post_url"] and way is None
            else:
                assert link is None and _text(way)
            if SOURCES[post["platform"]].app == "folder":  # a file of hers: its name is where to look
                assert details is None and post["media_name"] in _text(way)
            else:  # the path in the export or the download, on its own line; nowhere else in the row
                assert post["media_name"] in _text(details)
                details.extract()
                assert post["media_name"] not in _text(row)


def test_a_post_without_a_link_says_where_in_the_app_to_look(inventory):
    db, ids = inventory
    soup = _render(db)
    step = next(step for step in removal_plan(db).steps if step.card == ids["A"])
    row = soup.select_one(f"#plan-step-{step.number} ul.step-where > li")
    assert _text(row.select_one(".way")) == "Instagram › your profile › posts"
    assert _text(row.select_one(".file-name")) == f"in the export: {EXPORTED_NAME}"
    korean = _render(db, "ko").select_one(f"#plan-step-{step.number} ul.step-where > li .way")
    assert _text(korean).startswith("Instagram › ") and re.search(r"[가-힣]", _text(korean))


def test_alternatives_are_explained_once_before_the_steps_and_each_step_offers_only_its_own(inventory):
    db, _ = inventory
    plan = removal_plan(db)
    section = _render(db).find("section", attrs={"aria-labelledby": "plan"})
    [explained] = section.select(".alternatives")
    assert explained.find_next("ol", class_="plan") is not None  # before the steps
    named = {_text(strong) for strong in explained.find_all("strong")}
    offered = {key for step in plan.steps for key in step.alternatives if key != actions.REMOVE}
    assert offered and len(named) == len(offered)
    # The long way of posting a cleaned copy is said in the explanation only.
    assert _text(section).count("crop your face out or cover it completely, strip the location") == 1
    for item, step in zip(section.select("ol.plan > li"), plan.steps):
        assert all(actions.exists_everywhere(key, step.where) for key in step.alternatives)
        notes = [note for note in item.select("p.note") if _text(note).startswith("Or:")]
        if not step.alternatives:
            assert notes == []
            continue
        [note] = notes
        said = _text(note).removeprefix("Or:").strip(" .").split("; ")
        assert len(said) == len(step.alternatives)
        assert set(said) - {"remove it"} <= named  # each one it offers is one the explanation gives
    # An Instagram post can be archived, a file on the blog cannot: a step with a post on the blog never offers it.
    archived = [actions.ARCHIVE in step.alternatives for step in plan.steps if any(row["app"] == "folder" for row in step.where)]
    assert archived and not any(archived)
    assert any(actions.ARCHIVE in step.alternatives for step in plan.steps)


def test_the_checklist_holds_every_step_on_a_line(tmp_path):
    """Forty steps: 25 told in full, the rest a table row each; the checklist has all forty, in order."""
    db = open_db(tmp_path / "long.db")
    db["accounts"].insert({"key": INSTAGRAM, "platform": "instagram", "display": "Instagram"})
    for number in range(40):
        photo = _photo(db, f"face-{number:02d}")
        _appearance(db, photo, f"face-{number:02d}.jpg", day=number, caption=f"day {number} at the river")
        _face(db, photo)
    score(db)
    plan = removal_plan(db)
    soup = _render(db)
    checklist = soup.select_one("section[aria-labelledby=plan] .checklist")
    lines = checklist.select("ol > li")
    assert len(plan.steps) == len(lines) == 40
    for line, step in zip(lines, plan.steps):
        text = _text(line)
        assert text.startswith(f"{step.number}. Crop or cover your face: ")
        assert step.caption in text and step.where[0]["account_display"] in text
    assert checklist.find_next("ol", class_="plan") is not None  # first on paper, as in the page


def test_every_source_says_where_its_posts_are():
    template = (Path(__file__).parent.parent / "templates" / "parts" / "plan.html.j2").read_text(encoding="utf-8")
    for source in SOURCES.values():  # each source names an app, and the plan words the way into it
        assert f'"{source.app}"' in template, source.name
    assert {source.name for source in SOURCES.values() if source.exported} == {
        "instagram-export", "threads-export", "tiktok-export", "facebook-export", "x-archive", "google-takeout"}


def test_a_redacted_step_shows_no_more_than_its_card(inventory, tmp_path):
    """Its thumbnail is the card's blurred one, its caption is masked before it is cut (a phone number cut in two
    would no longer be found), and it has no link to the post."""
    db, ids = inventory
    phone = "010-9876-5432"
    caption = "x" * 52 + "/" + phone + "/after"  # no space: cut at the 60th character, in the phone number
    _find(db, ids["B"], "caption-text", "phone", quote=phone, e164="+821098765432")
    db.execute("update appearances set caption = ? where media_name = 'B.jpg'", [caption])
    db.conn.commit()
    html = render_report(db, tmp_path / "r.html", redact=True).read_text(encoding="utf-8")
    plain = render_report(db, tmp_path / "p.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    section = soup.find("section", attrs={"aria-labelledby": "plan"})
    for item in section.select("ol.plan > li"):
        card = soup.find(id=item.h3.a["href"].removeprefix("#"))
        assert item.select_one("img.step-thumb")["src"] == card.img["src"]
        assert not [a for a in item.find_all("a") if a["href"].startswith("http")]
    for row in db["appearances"].rows:
        assert row["media_name"] not in _text(section) and (row["post_url"] or row["media_name"]) not in html
    for piece in ("010-9", "9876", "5432"):
        assert piece not in _text(section)
    assert "9876" in plain  # the unredacted report shows it, in the card and in the step's caption start
    plain_thumbs = {img["src"] for img in BeautifulSoup(plain, "html.parser").select("img.step-thumb")}
    assert not plain_thumbs & {img["src"] for img in section.select("img.step-thumb")}
