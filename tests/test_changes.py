"""Changes since the last audit: re-running after deleting posts from an export says exactly what went, and what is still up elsewhere."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from audit.cli import cli
from audit.inventory.db import open_db
from audit.report.changes import changes_since_last

from .conftest import jpeg_bytes, write_config

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo"
POSTS = Path("instagram_export/your_instagram_activity/content/posts_1.json")
TUTORING = "media/posts/202312/60352052329527284.jpg"  # P16: phone number
SELFIE = "media/posts/202412/50859541755954430.jpg"  # P27: large face
MY_ROOM = "media/posts/202401/87513498390504290.jpg"  # P18: a resized copy is in blog_photos
NEW_POST = "media/posts/202503/11111111111111111.jpg"
INSTAGRAM = '[[accounts]]\nplatform = "instagram-export"\npath = "instagram_export"\nhandle = "minji.kim"\nlabel = "Instagram"\n'
BLOG = '[[accounts]]\nplatform = "folder"\npath = "blog_photos"\nlabel = "Blog uploads"\n'


def _remove_posts(root: Path, *uris: str) -> None:
    """What the user's newer export shows after deleting posts: neither their entries nor their files."""
    posts = json.loads((root / POSTS).read_text(encoding="utf-8"))
    kept = [post for post in posts if not {media["uri"] for media in post["media"]} & set(uris)]
    assert len(kept) == len(posts) - len(uris)
    (root / POSTS).write_text(json.dumps(kept), encoding="utf-8")
    for uri in uris:
        (root / "instagram_export" / uri).unlink()


def _add_post(root: Path, uri: str, caption: str) -> None:
    target = root / "instagram_export" / uri
    target.parent.mkdir(parents=True)
    target.write_bytes(jpeg_bytes((20, 160, 90), size=(480, 360), text="TUTORING " * 3))
    posts = json.loads((root / POSTS).read_text(encoding="utf-8"))
    media = {"uri": uri, "creation_timestamp": 1741000000, "title": caption}
    (root / POSTS).write_text(json.dumps([{"media": [media], "title": caption, "creation_timestamp": 1741000000}, *posts]), encoding="utf-8")


STEPS = {
    "first": lambda root: None,
    "two removed": lambda root: _remove_posts(root, TUTORING, SELFIE),
    "copy left on the blog": lambda root: _remove_posts(root, MY_ROOM),
    "new risky post": lambda root: _add_post(root, NEW_POST, "Math tutoring, call 010-9876-5432"),
    "blog left out of the config": lambda root: write_config(root, INSTAGRAM),
}


@pytest.fixture(scope="module")
def audits(tmp_path_factory) -> dict:
    """Audit a copy of the demo, change the export, audit again, step by step: changes and report after each."""
    root = tmp_path_factory.mktemp("changes")
    for folder in ("instagram_export", "blog_photos"):
        shutil.copytree(DEMO / folder, root / folder)
    config = write_config(root, INSTAGRAM + BLOG)
    results = {}
    for name, change in STEPS.items():
        change(root)
        result = CliRunner().invoke(cli, ["run", str(config), "--db", str(root / "a.db"), "--out", str(root / "r.html")])
        assert result.exit_code == 0, result.output
        html = BeautifulSoup((root / "r.html").read_text(encoding="utf-8"), "html.parser")
        results[name] = (changes_since_last(open_db(root / "a.db")), html.find("section", attrs={"aria-labelledby": "changes"}))
        results[name + " cards"] = " ".join(card.get_text(" ") for card in html.select("article.card"))
    return results


def _items(section, css: str) -> list[str]:
    return [" ".join(li.get_text().split()) for li in section.select(f"ul.{css} > li")]


def test_first_audit_has_no_changes_section(audits):
    changes, section = audits["first"]
    assert changes is None and section is None


def test_two_posts_removed_from_the_export_are_exactly_what_is_gone(audits):
    changes, section = audits["two removed"]
    assert {photo["label"] for photo in changes["gone"]} == {TUTORING, SELFIE}
    assert all(photo["accounts"] == ["Instagram"] and photo["score"] > 0 for photo in changes["gone"])
    assert changes["new"] == [] and changes["new_unscored"] == 0
    assert changes["still_elsewhere"] == [] and changes["not_collected"] == []
    assert "how you check that a deletion stuck" in section.get_text()
    assert section.find("h3", id="changes-gone").get_text() == "Gone since the last audit (2)"
    gone = _items(section, "changes-gone")
    assert len(gone) == 2 and all("from Instagram" in item for item in gone)
    assert {item.split(",")[0] for item in gone} == {TUTORING, SELFIE}
    assert [h3["id"] for h3 in section.find_all("h3")] == ["changes-gone"]
    # What is gone is no longer exposure: no card, while it was there before.
    assert TUTORING in audits["first cards"] and SELFIE in audits["first cards"]
    assert TUTORING not in audits["two removed cards"] and SELFIE not in audits["two removed cards"]


def test_a_photo_removed_from_instagram_but_still_on_the_blog_is_named_there(audits):
    changes, section = audits["copy left on the blog"]
    assert changes["gone"] == [] and changes["new"] == []
    [photo] = changes["still_elsewhere"]
    assert [place["media_name"] for place in photo["removed_from"]] == [MY_ROOM]
    assert [(place["account_display"], place["media_name"]) for place in photo["still_on"]] == [("Blog uploads", "20240113_205812.jpg")]
    assert photo["label"] == MY_ROOM and photo["score"] > 0
    [item] = _items(section, "changes-elsewhere")
    assert "removed from Instagram, still on Blog uploads (20240113_205812.jpg)" in item
    assert [h3["id"] for h3 in section.find_all("h3")] == ["changes-elsewhere"]


def test_a_new_post_with_a_phone_number_shows_as_new_and_risky(audits):
    changes, section = audits["new risky post"]
    assert changes["gone"] == [] and changes["still_elsewhere"] == [] and changes["new_unscored"] == 0
    [photo] = changes["new"]
    assert photo["label"] == NEW_POST and photo["accounts"] == ["Instagram"]
    assert photo["score"] >= 30 and "010-9876-5432" in photo["reason"]["summary"]
    [item] = _items(section, "changes-new")
    assert item.startswith(f"{NEW_POST} on Instagram: {photo['score']} points")
    assert section.find("a", href=f"#photo-{photo['id'][:16]}")


def test_an_account_not_collected_this_time_is_not_counted_as_deleted(audits):
    changes, section = audits["blog left out of the config"]
    assert changes["gone"] == [] and changes["still_elsewhere"] == [] and changes["new"] == []
    assert changes["not_collected"] == ["Blog uploads"] and changes["compared"] == ["Instagram"]
    [skipped] = changes["skipped"]
    assert (skipped["account_display"], skipped["why"]) == ("Blog uploads", "not_collected")
    assert _items(section, "changes-skipped") == ["Blog uploads: not collected this time (left out of the config?)."]
    assert section.find("h3", id="changes-skipped").get_text() == "Not compared this time (1)"
    assert section.find(class_="changes-none")


def test_each_account_not_compared_says_why_and_loses_no_photo(tmp_path):
    """An emptied folder, an account that cannot be read and one listed for the first time: skipped, with why."""
    for name in ("kept", "emptied", "broken"):
        (tmp_path / name).mkdir()
        (tmp_path / name / f"{name}.jpg").write_bytes(jpeg_bytes((len(name) * 20, 90, 40), size=(48, 48), text=name))
    accounts = "".join(f'[[accounts]]\nplatform = "folder"\npath = "{name}"\nlabel = "{name}"\n' for name in ("kept", "emptied", "broken"))
    config = write_config(tmp_path, accounts)
    args = ["collect", str(config), "--db", str(tmp_path / "a.db")]
    assert CliRunner().invoke(cli, args).exit_code == 0
    (tmp_path / "emptied" / "emptied.jpg").unlink()
    shutil.rmtree(tmp_path / "broken")
    (tmp_path / "broken").write_text("a file where the folder was")
    (tmp_path / "added").mkdir()
    (tmp_path / "added" / "added.jpg").write_bytes(jpeg_bytes((10, 10, 200), size=(48, 48), text="added"))
    write_config(tmp_path, accounts + '[[accounts]]\nplatform = "folder"\npath = "added"\nlabel = "added"\n')
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0 and f"no photo found in emptied ({tmp_path / 'emptied'})" in result.output
    result = CliRunner().invoke(cli, ["report", "--db", str(tmp_path / "a.db"), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    changes = changes_since_last(open_db(tmp_path / "a.db"))
    assert changes["gone"] == [] and changes["new"] == [] and changes["new_unscored"] == 0 and changes["compared"] == ["kept"]
    assert [(s["account_display"], s["why"]) for s in changes["skipped"]] == [("added", "first"), ("broken", "failed"), ("emptied", "empty")]
    section = BeautifulSoup((tmp_path / "r.html").read_text(encoding="utf-8"), "html.parser").find("section", attrs={"aria-labelledby": "changes"})
    assert _items(section, "changes-skipped") == [
        "added: read completely for the first time; it is compared from the next audit on.",
        "broken: the account could not be read this time (see the items that could not be read).",
        "emptied: no photo was found in it this time; is it still the right folder or export?",
    ]
    assert section.find(class_="changes-none")  # "kept" was compared, and nothing changed there
