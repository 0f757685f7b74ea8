"""`photo-audit workshop kit`: the facilitator's folder, with its guide, handout and practice personas' reports, made
by the real audit of one small persona (three photos of the demo's Instagram export)."""

from __future__ import annotations

import json
import re
import stat
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from audit.cli import cli
from audit.workshop import kit

ROOT = Path(__file__).resolve().parent.parent
DEMO_EXPORT = ROOT / "examples" / "demo" / "instagram_export"
POSTS = "your_instagram_activity/content/posts_1.json"
PHONE = re.compile(r"(?<![\d-])(?:0\d{1,2}-\d{3,4}-\d{4}|1\d{2,3})(?![\d-])")  # 02-735-8994, 1366, 112...
EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.I)


def _text(tag) -> str:
    return " ".join(tag.get_text(" ").split())


def _persona(folder: Path) -> Path:
    """A persona folder like examples/personas/<slug>/: three posts of the demo's export, zipped, and persona.json."""
    persona = folder / "mina"
    persona.mkdir(parents=True)
    posts = json.loads((DEMO_EXPORT / POSTS).read_text(encoding="utf-8"))[:3]
    with zipfile.ZipFile(persona / "instagram-mina.zip", "w") as archive:
        archive.writestr(POSTS, json.dumps(posts))
        for post in posts:
            for media in post["media"]:
                archive.write(DEMO_EXPORT / media["uri"], media["uri"])
    (persona / "persona.json").write_text(json.dumps({
        "slug": "mina", "name_en": "Kim Mina", "name_ko": "김미나", "platform": "instagram-export",
        "profile_en": "Mina is an invented student with a public account.",
        "profile_ko": "미나는 공개 계정을 쓰는 가상의 학생이에요.", "identifying": ["Kim Mina"]}), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def kits(tmp_path_factory):
    """The kit in English, then a copy made again in Korean over it (a previous kit is replaced)."""
    tmp = tmp_path_factory.mktemp("kit")
    personas = _persona(tmp / "personas")
    english = kit.build_kit(tmp / "kit-en", "en", personas, say=lambda line: None)
    korean = tmp / "kit-ko"
    kit.build_kit(korean, "en", personas, say=lambda line: None)
    kit.build_kit(korean, "ko", personas, say=lambda line: None)
    return {"en": english, "ko": korean}


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_the_kit_holds_its_pages_and_each_personas_zip_and_reports_readable_by_the_user_alone(kits):
    for folder in kits.values():
        found = {str(path.relative_to(folder)): stat.S_IMODE(path.stat().st_mode) for path in folder.rglob("*")}
        assert found == {
            ".photo-audit-kit": 0o600, "index.html": 0o600, "guide.html": 0o600, "handout.html": 0o600,
            "personas": 0o700, "personas/mina": 0o700, "personas/mina/instagram-mina.zip": 0o600,
            "personas/mina/report.en.html": 0o600, "personas/mina/report.ko.html": 0o600,
        }
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]  # no staging or old kit left
    reports = kits["en"] / "personas" / "mina"
    assert _soup(reports / "report.en.html").html["lang"] == "en" and _soup(reports / "report.ko.html").html["lang"] == "ko"


def test_pages_are_in_the_chosen_language(kits):
    english, korean = (_soup(kits[lang] / "guide.html") for lang in ("en", "ko"))
    assert english.html["lang"] == "en" and english.h1.get_text() == "Photo exposure workshop: facilitator's guide"
    assert korean.html["lang"] == "ko" and korean.h1.get_text() == "사진 노출 점검 워크숍: 진행자 안내서"
    headings = [_text(h) for h in korean.find_all("h2")]
    assert {"워크숍 전에", "안전 수칙", "연습용 인물", "보고서 읽는 법"} <= set(headings)
    assert "이 글을 쓰는 지금(2026년)" in _text(korean)
    assert _soup(kits["ko"] / "handout.html").h1.get_text() == "내 사진, 모르는 사람의 눈으로 보기"
    assert "photo-audit run --lang ko ~/Downloads/instagram-export.zip" in _text(_soup(kits["ko"] / "handout.html"))


def test_the_guide_names_every_persona_with_her_profile_and_links_to_reports_that_exist(kits):
    for lang, name, profile in (("en", "Kim Mina", "invented student"), ("ko", "김미나", "가상의 학생")):
        for page in ("guide.html", "index.html"):
            soup = _soup(kits[lang] / page)
            assert name in _text(soup)
            links = [a["href"] for a in soup.find_all("a", href=True) if not EXTERNAL.match(a["href"]) and not a["href"].startswith("#")]
            assert {f"personas/mina/report.{language}.html" for language in ("en", "ko")} <= set(links)
            assert all((kits[lang] / link).is_file() for link in links), links
        assert profile in _text(_soup(kits[lang] / "guide.html").find("section", attrs={"aria-labelledby": "personas"}))


def _services(section) -> tuple[list[str], list[str]]:
    """The support part's links and phone numbers, from its "If an image of you is being shared" heading on."""
    start = section.find("h3", string=re.compile("If an image|합성물이 퍼지고"))
    parts = [start, *start.find_next_siblings()]
    hrefs = [a["href"] for part in parts for a in part.find_all("a", href=True)]
    return hrefs, PHONE.findall(" ".join(_text(part) for part in parts))


def test_the_guide_and_handout_list_the_same_support_services_as_the_report(kits):
    for lang in ("en", "ko"):
        report = _soup(kits[lang] / "personas" / "mina" / f"report.{lang}.html")
        expected = _services(report.find("section", attrs={"aria-labelledby": "guidance"}))
        assert "https://d4u.stop.or.kr/" in expected[0] and {"1366", "02-735-8994", "1377", "1388", "112"} <= set(expected[1])
        guide = _soup(kits[lang] / "guide.html").find("section", attrs={"aria-labelledby": "safety"})
        handout = _soup(kits[lang] / "handout.html").find("section", class_="help")
        assert _services(guide) == expected and _services(handout) == expected


def test_nothing_in_the_kit_loads_from_the_internet(kits):
    for folder in kits.values():
        for page in folder.rglob("*.html"):
            soup = _soup(page)
            policy = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
            assert "default-src 'none'" in policy
            loads = [(tag.name, tag.get(attribute)) for tag in soup.find_all(["link", "script", "img", "iframe", "source", "video", "audio", "embed", "object"])
                     for attribute in ("src", "href", "data", "srcset") if tag.get(attribute) and EXTERNAL.match(tag[attribute])]
            assert not loads, (page, loads)
            assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//|@import", soup.find("style").get_text() if soup.find("style") else "")


def test_a_folder_that_is_not_empty_and_not_a_kit_is_refused(tmp_path, kits):
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "mine.txt").write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(cli, ["workshop", "kit", "--out", str(foreign)])
    assert result.exit_code == 3, result.output
    assert "not empty and is not a previous kit" in result.output and "mine.txt" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes"] and (foreign / "mine.txt").read_text(encoding="utf-8") == "keep me"
    # A previous kit with something of the user's added to it is not replaced either.
    added = kits["en"] / "personas" / "mina" / "my-notes.txt"
    added.write_text("mine", encoding="utf-8")
    try:
        with pytest.raises(kit.InputError, match="my-notes.txt"):
            kit.check_target(kits["en"])
    finally:
        added.unlink()
    kit.check_target(kits["en"])  # as it was made: may be replaced
