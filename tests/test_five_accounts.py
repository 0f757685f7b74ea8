"""One config, five kinds of accounts: one report, where a photo posted in two places is one card listing both."""

from __future__ import annotations

import shutil

import responses
from bs4 import BeautifulSoup
from click.testing import CliRunner

from audit.cli import cli
from audit.inventory.db import now_utc, open_db
from audit.sources.readers.html_images import WebSource

from .conftest import FIXTURES, write_config
from .test_website import PAGES, TOKEN, serve_plain

FORMATS = FIXTURES / "formats"
CONFIG = """
[[accounts]]
platform = "instagram-export"
path = "instagram"
handle = "minji.kim"

[[accounts]]
platform = "facebook-export"
path = "facebook"
label = "Facebook"

[[accounts]]
platform = "x-archive"
path = "x"
handle = "milahu104"

[[accounts]]
platform = "website"
url = "https://minji.example/"
label = "Blog"

[[accounts]]
platform = "folder"
path = "camera"
label = "Camera roll"
"""


def test_five_kinds_of_accounts_in_one_report(tmp_path, monkeypatch):
    shutil.copytree(FORMATS / "instagram_dyi_json_2025_activity_media_handmade", tmp_path / "instagram")
    shutil.copytree(FORMATS / "facebook_dyi_json_2019_posts_handmade", tmp_path / "facebook")
    shutil.copytree(FORMATS / "x_twitter_archive_2026_milahu104", tmp_path / "x")
    (tmp_path / "camera").mkdir()
    # The graduation photo of the blog is also in the camera roll: one photo, two places.
    shutil.copy(PAGES / "plain" / "img" / "grad-1600.jpg", tmp_path / "camera" / "IMG_0216.jpg")
    config = write_config(tmp_path, CONFIG)
    db_path, out = tmp_path / "audit.inventory.db", tmp_path / "report.html"
    # The site shows its owner's token (index.html): the one this inventory issued for the account.
    open_db(db_path)["proof_tokens"].insert({"account": "website:minji.example", "token": TOKEN, "created_at": now_utc()})
    monkeypatch.setattr(WebSource, "sleep", staticmethod(lambda seconds: None))

    with responses.RequestsMock(assert_all_requests_are_fired=False) as http:
        serve_plain(http)
        result = CliRunner().invoke(cli, ["run", str(config), "--db", str(db_path), "--out", str(out)])
    assert result.exit_code == 0, result.output

    db = open_db(db_path)
    platforms = {row["platform"] for row in db.query("select distinct platform from appearances")}
    assert platforms == {"instagram-export", "facebook-export", "x-archive", "website", "folder"}
    soup = BeautifulSoup(out.read_text(encoding="utf-8"), "html.parser")
    accounts = [row.find_all("td")[1].get_text() for row in soup.select("section[aria-labelledby=overview] tbody tr")]
    assert sorted(accounts) == ["facebook-export", "folder", "instagram-export", "website", "x-archive"]
    cards = [card for card in soup.select("article.card") if "IMG_0216.jpg" in card.get_text()]
    assert len(cards) == 1
    text = cards[0].get_text(" ", strip=True)
    assert "posted in 2 places" in text and "Blog" in text and "Camera roll" in text
    assert "grad-1600.jpg" in text
