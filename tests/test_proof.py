"""Proof of control that cannot be borrowed: whose account a token proves, and which addresses echo it."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit import proof
from audit import steps as pipeline
from audit.config import Account, load_config
from audit.inventory.db import now_utc, open_db
from audit.sources.website import WebsiteSource

from .conftest import write_config
from .test_website import PLAIN, TOKEN, html_page, requested, serve, serve_plain

OTHER = "https://someone-else.example"
TWO_BLOGS = f"""
[[accounts]]
platform = "website"
url = "{PLAIN}/"
label = "Blog"

[[accounts]]
platform = "website"
url = "{OTHER}/"
label = "Blog"
"""


def test_two_accounts_with_one_label_do_not_share_a_proof(http, tmp_path, monkeypatch):
    """Minji's site is proven; a stranger's site listed under the same label must still show its own token."""
    monkeypatch.setattr(WebsiteSource, "sleep", staticmethod(lambda seconds: None))
    serve_plain(http)
    serve(http, f"{OTHER}/robots.txt", body=b"")
    serve(http, f"{OTHER}/", body=html_page("<title>Someone else</title>", '<a href="/diary/">diary</a>'))
    config = load_config(write_config(tmp_path, TWO_BLOGS))
    db = open_db(tmp_path / "a.db")
    mine, theirs = config.accounts
    db["proof_tokens"].insert({"account": mine.key, "token": TOKEN, "created_at": now_utc(), "verified_at": now_utc()},
                              pk="account")
    tally = pipeline.collect(db, config, run=1)
    assert [u for u in requested(http) if u.startswith(OTHER)] == [f"{OTHER}/robots.txt", f"{OTHER}/"]
    assert tally.counts.get("unproven") == 1 and not proof.is_verified(db, theirs.key)
    assert db["appearances"].count and not list(db.query("select 1 from appearances where post_url like ?", [f"{OTHER}%"]))


@pytest.mark.parametrize("one, other", [
    ("https://Minji.example/blog/", "http://www.minji.example/blog#top"),  # case of the host, www, scheme, slash
    ("https://minji.example", "https://minji.example/"),
])
def test_one_site_written_two_ways_is_one_account(one, other):
    assert Account("website", url=one, label="a").key == Account("website", url=other, label="b").key


@pytest.mark.parametrize("one, other", [
    ("https://minji.example/", "https://minji.example/blog/"),  # a part of a site is another account
    ("https://home.example/~minji/", "https://home.example/~mallory/"),
    ("https://blog.naver.com/PostList.naver?blogId=minji_k", "https://blog.naver.com/PostList.naver?blogId=hana_lee"),
    ("https://minji.example/", "https://minji.example:8443/"),
])
def test_different_addresses_are_different_accounts(one, other):
    assert Account("website", url=one, label="Blog").key != Account("website", url=other, label="Blog").key


def test_keys_name_the_account_never_its_label(tmp_path, monkeypatch):
    (tmp_path / "blog_photos").mkdir()
    (tmp_path / "export").mkdir()
    body = ('[[accounts]]\nplatform = "folder"\npath = "./blog_photos/"\nlabel = "Blog uploads"\n'
            '[[accounts]]\nplatform = "instagram-export"\npath = "export"\nhandle = "@Minji.Kim"\nlabel = "Instagram"\n'
            '[[accounts]]\nplatform = "feed"\nurl = "https://rss.blog.naver.com/minji_k.xml"\nlabel = "Instagram"\n')
    config = write_config(tmp_path, body)
    keys = [account.key for account in load_config(config).accounts]
    assert keys == ["folder:blog_photos", "instagram-export:minji.kim", "feed:rss.blog.naver.com/minji_k.xml"]
    monkeypatch.chdir(tmp_path.parent)  # the same config read from elsewhere: the same keys
    assert [account.key for account in load_config(Path(tmp_path.name) / "accounts.toml").accounts] == keys


@pytest.mark.parametrize("address", [
    f"{PLAIN}/search?q={TOKEN}",
    f"{PLAIN}/search?q={TOKEN.upper()}",
    f"{PLAIN}/search?q=%70hoto-audit-verify-5f3a9c1e27",  # percent-encoded once
    f"{PLAIN}/search?q=%2570hoto%252Daudit%252Dverify%252D5f3a9c1e27",  # twice, with %2D for "-"
    f"{PLAIN}/search?q=%252570HOTO-audit-verify-5F3A9C1E27",  # three times, in capitals
    f"{PLAIN}/search?q=&#112;hoto-audit-verify-5f3a9c1e27",  # an HTML entity
    f"{PLAIN}/search?q=%26%23x70%3Bhoto-audit-verify-5f3a9c1e27",  # an HTML entity, percent-encoded
    f"{PLAIN}/tag/5f3a9c1e27",  # the secret part alone: a page template may add the prefix
])
def test_an_address_carries_the_token_in_any_encoding(address):
    assert proof.carries(address, TOKEN)


@pytest.mark.parametrize("address", [f"{PLAIN}/", f"{PLAIN}/search?q=5f3a9c1e2", f"{PLAIN}/p/photo-audit-verify+5f3a"])
def test_an_address_without_the_token_is_clean(address):
    assert not proof.carries(address, TOKEN)


def test_shown_needs_the_owners_words_and_clean_addresses():
    assert proof.shown(TOKEN, ["민지", f"일상과 여행. {TOKEN}"], [f"{PLAIN}/"])
    assert not proof.shown(TOKEN, ["민지"], [f"{PLAIN}/"])
    assert not proof.shown(TOKEN, [TOKEN], [f"{PLAIN}/go", f"{PLAIN}/find?q=%2570hoto-audit-verify-5f3a9c1e27"])
    assert not proof.shown(None, [TOKEN], [f"{PLAIN}/"])
