"""A folder of photos saved by hand from an app with no download (KakaoTalk, KakaoStory, Band, Naver Blog): accounts.toml
says which with `saved_from`; the plan then says where in that app each photo is, and who sees them is the app's usual
audience unless the account says."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from audit.cli import cli
from audit.config import load_config
from audit.errors import ConfigError
from audit.inventory.db import open_db
from audit.models import ANYONE, FOLLOWERS, ONLY_YOU
from audit.report.page import environment, report_data
from audit.report.plan import removal_plan
from audit.sources.folder import SAVED_FROM

from .conftest import jpeg_bytes, write_config

# Where the plan says to look, in English and in Korean, for each app a folder can be saved from.
WAY = {
    "kakaotalk-profile": ("KakaoTalk › your profile › profile photos", "카카오톡 › 내 프로필 › 프로필 사진"),
    "kakaostory": ("KakaoStory › your story › the post with this picture", "카카오스토리 › 내 스토리 › 이 사진이 있는 글"),
    "naver-band": ("Band › the band you posted it in › the post with this picture", "밴드 › 이 사진을 올린 밴드 › 이 사진이 있는 글"),
    "naver-blog": ("Naver Blog › your blog › the post with this picture", "네이버 블로그 › 내 블로그 › 이 사진이 있는 글"),
}


def _text(tag) -> str:
    return " ".join(tag.get_text(" ").split())


def _account_config(tmp_path: Path, lines: str) -> Path:
    (tmp_path / "saved").mkdir(exist_ok=True)
    # A photo whose file gives its position: a step of the plan (strip the location) wherever anyone can see it.
    (tmp_path / "saved" / "2023-03-02 graduation.jpg").write_bytes(jpeg_bytes((10, 120, 200), gps=(37.5563, 126.9236)))
    return write_config(tmp_path, f'[[accounts]]\nplatform = "folder"\npath = "saved"\nlabel = "Saved"\n{lines}')


def _run(tmp_path: Path, config: Path):
    db_path = tmp_path / "a.db"
    result = CliRunner().invoke(cli, ["run", str(config), "--db", str(db_path), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    return open_db(db_path)


def _way(db, lang: str = "en"):
    """Where the plan's only step says to find its photo, and the row that says it."""
    html = environment(lang).get_template("report.html.j2").render(**report_data(db))
    [row] = BeautifulSoup(html, "html.parser").select("#plan-step-1 ul.step-where > li")
    return _text(row.select_one(".way")), row


def test_the_key_loads_with_each_known_app(tmp_path):
    for value in SAVED_FROM:
        account = load_config(_account_config(tmp_path, f'saved_from = "{value}"\n')).accounts[0]
        assert account.saved_from == value and account.audience is None
    assert load_config(_account_config(tmp_path, "")).accounts[0].saved_from is None


@pytest.mark.parametrize("lines", ['audience = "anyone"\nsaved_from = "kakaotalk"\n', 'saved_from = ["kakaostory"]\n'])
def test_an_unknown_app_is_an_error_naming_its_line(tmp_path, lines):
    config = _account_config(tmp_path, lines)
    line = next(n for n, text in enumerate(config.read_text().splitlines(), 1) if text.startswith("saved_from"))
    with pytest.raises(ConfigError) as raised:
        load_config(config)
    assert str(raised.value).startswith(f"{config}:{line}: saved_from must be one of: kakaotalk-profile, kakaostory")


def test_only_a_folder_is_saved_from_an_app(tmp_path):
    (tmp_path / "export").mkdir()
    config = write_config(tmp_path, '[[accounts]]\nplatform = "instagram-export"\npath = "export"\nsaved_from = "kakaostory"\n')
    with pytest.raises(ConfigError, match=rf"^{config}:4: saved_from is for a folder"):
        load_config(config)


@pytest.mark.parametrize(
    "lines, audience",
    [
        ('saved_from = "kakaotalk-profile"\n', ANYONE),  # anyone who has the number sees the profile
        ('saved_from = "kakaostory"\n', ANYONE),
        ('saved_from = "naver-blog"\n', ANYONE),
        ('saved_from = "naver-band"\n', FOLLOWERS),  # the band's members
        ('saved_from = "other"\n', ONLY_YOU),  # as if it were not said: a folder's own
        ("", ONLY_YOU),
        ('saved_from = "kakaotalk-profile"\naudience = "followers"\n', FOLLOWERS),  # the account's word wins
        ('saved_from = "naver-band"\naudience = "anyone"\n', ANYONE),  # a public band
    ],
)
def test_who_sees_the_photos_is_the_apps_usual_audience_unless_the_account_says(tmp_path, lines, audience):
    db = _run(tmp_path, _account_config(tmp_path, lines))
    assert [row["audience"] for row in db["appearances"].rows] == [audience]


@pytest.mark.parametrize("app", sorted(WAY))
def test_the_plan_names_the_app_and_where_in_it_the_photo_is(tmp_path, app):
    db = _run(tmp_path, _account_config(tmp_path, f'saved_from = "{app}"\naudience = "anyone"\n'))
    [step] = removal_plan(db).steps
    assert step.action == "strip-location"
    way, row = _way(db)
    assert way == WAY[app][0]
    # The file it was saved as, on its own line: the name she gave it is how she finds the post.
    assert _text(row.select_one(".file-name")) == "file: 2023-03-02 graduation.jpg"
    assert "wherever you posted it" not in _text(row)
    assert _way(db, "ko")[0] == WAY[app][1]


def test_a_folder_saved_from_no_app_is_still_wherever_you_posted_it(tmp_path):
    db = _run(tmp_path, _account_config(tmp_path, 'saved_from = "other"\naudience = "anyone"\n'))
    way, row = _way(db)
    assert way.startswith("2023-03-02 graduation.jpg") and way.endswith("wherever you posted it")
    assert row.select_one(".file-name") is None
