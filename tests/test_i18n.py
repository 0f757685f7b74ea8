"""The report in Korean: the demo persona's report reads in Korean, and the catalog is complete and matches the sources."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from click.testing import CliRunner
from PIL import Image

from audit import words
from audit.cli import cli
from audit.errors import ConfigError
from audit.faces.detect import DetectedFace
from audit.faces.grade import UNKNOWN_POSE, _pose_check, _sharpness_check, _size_check, _verdict, grade_face
from audit.inventory.db import open_db
from audit.metadata.software_ids import RULES
from audit.report.actions import LABELS as ACTIONS
from audit.report.page import environment, i18n, render_report
from audit.report.supply import LEVELS
from audit.scoring import WEIGHTS
from audit.signals import SIGNALS
from audit.signals.exif import SOURCE_WORDS
from audit.signals.faces import WHOSE, face_words
from audit.signals.places import LABELS as PLACE_LABELS
from audit.words import N_, listed, per_language, render, say

from .conftest import copy_demo, jpeg_bytes, write_config

ROOT = Path(__file__).resolve().parent.parent
HANGUL = re.compile(r"[가-힣]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# The parts of the report whose text this catalog covers, by their sections' aria-labelledby.
OWN_SECTIONS = ("summary", "places", "people", "errors", "guidance")
# Finding kinds the demo shows that score nothing: they are translated too.
ZERO_POINT_KINDS = {("caption-text", "hashtag"), ("exif", "camera"), ("exif", "capture_time"), ("exif", "software")}


@pytest.fixture(scope="module")
def demo(analysed_demo, tmp_path_factory):
    """The demo persona's inventory, and its report in Korean and in English."""
    tmp = tmp_path_factory.mktemp("demo")
    db = open_db(copy_demo(analysed_demo, tmp))
    korean = render_report(db, tmp / "ko.html", lang="ko").read_text(encoding="utf-8")
    english = (tmp / "demo.html").read_text(encoding="utf-8")
    return db, BeautifulSoup(korean, "html.parser"), BeautifulSoup(english, "html.parser")


def _text(tag) -> str:
    return " ".join(tag.get_text(" ").split())


def test_korean_report_is_marked_korean_and_its_headings_are_korean(demo):
    _, korean, english = demo
    assert korean.html["lang"] == "ko" and english.html["lang"] == "en"
    assert korean.title.string == "내 사진 노출 점검" and korean.h1.get_text() == "내 사진 노출 점검"
    assert "이 컴퓨터에서 만든 파일" in _text(korean.header)
    sections = [korean.find("section", attrs={"aria-labelledby": name}) for name in OWN_SECTIONS if name != "errors"]
    signals = korean.find_all("section", attrs={"aria-labelledby": re.compile("^sig-")})
    assert all(sections) and len(signals) >= 5  # the demo has no unreadable items
    sections += [*signals, korean.footer]
    headings = [heading for section in sections for heading in section.find_all(["h2", "h3", "th", "caption"])]
    english_left = [_text(h) for h in headings if not HANGUL.search(_text(h))]
    assert not english_left


def test_korean_top_paragraph_says_what_a_stranger_learns(demo):
    _, korean, english = demo
    lead = _text(korean.find("p", class_="supply"))
    assert lead.startswith("모르는 사람도 계정 2개에서 내 얼굴이 선명하게 나온 사진 15장을 모을 수 있어요.")
    assert "그중 1장은 프로필 사진이라" in lead
    assert "자주 가는 장소 2곳도 알아낼 수 있어요: 집으로 보이는 곳 (마포구, 서울), 학교나 직장으로 보이는 곳 (중구, 서울)." in lead
    assert "사진 15장에는 찍은 곳이 드러나 있어요." in lead
    assert "단서가 있어요: 전화번호, 이메일 주소, 학번, 학교, 대학, 직장, 집, 적힌 이름." in lead
    assert not LATIN_WORD.findall(lead)
    english_lead = _text(english.find("p", class_="supply"))
    assert "A stranger can also work out 2 places you return to: likely home (Mapo-gu, Seoul), likely school or work (Jung-gu, Seoul)." in english_lead
    assert "photos carry clues to who you are: phone number, e-mail address, student number, school, university, workplace, home, a written name." in english_lead


def test_every_demo_finding_reads_in_korean(demo):
    db, korean, _ = demo
    say = i18n.Translator("ko")
    reasons = [reason for row in db.query("select reasons from scores") for reason in json.loads(row["reasons"])]
    kinds = {(reason["signal"], reason["kind"]) for reason in reasons}
    assert set(WEIGHTS) & kinds and ZERO_POINT_KINDS <= kinds
    for reason in reasons:
        said = say.summary(reason)
        assert said != reason["summary"] and HANGUL.search(said), reason["summary"]
        assert not LATIN_WORD.findall(_own_words(said, reason)), said
        assert say.text(reason["fact"]) != reason["fact"] or not reason["fact"]
    listed = [_text(li) for section in korean.find_all("section", attrs={"aria-labelledby": re.compile("^sig-")}) for li in section.find_all("li")]
    assert listed and all(HANGUL.search(item.split(":", 1)[1]) for item in listed)
    assert "캡션에 전화번호가 있어요: \"010-1234-5678\"" in _text(korean)


def _own_words(said: str, reason: dict) -> str:
    """A Korean summary without what it quotes from the photo, its file or its post, and without units."""
    evidence = reason["evidence"]
    quoted = [evidence.get(key) for key in ("quote", "software", "device_id", "ip", "name", "datetime")]
    for value in [*quoted, reason["summary"].partition(": ")[2]]:  # the camera, as the English names it
        said = said.replace(str(value), "") if value else said
    return re.sub(r"(?<![A-Za-z])(?:px|EXIF|GPS)(?![A-Za-z])", "", said)


def test_english_report_keeps_the_stored_english(demo):
    db, _, english = demo
    say = i18n.Translator("en")
    reason = json.loads(next(db.query("select reasons from scores where score > 0"))["reasons"])[0]
    assert say.summary(reason) == reason["summary"] and say.text(reason["fact"]) == reason["fact"]
    assert english.title.string == "Photo exposure audit"
    assert _text(english.find("section", attrs={"aria-labelledby": "guidance"})).startswith("What removing can and cannot do")


def test_guidance_links_go_only_to_the_services_own_sites(demo):
    _, korean, english = demo
    for soup in (korean, english):
        links = soup.find("section", attrs={"aria-labelledby": "guidance"}).find_all("a")
        assert {a["href"] for a in links} == {
            "https://stopncii.org/", "https://takeitdown.ncmec.org/", "https://d4u.stop.or.kr/", "https://www.stop.or.kr/",
            "https://ecrm.police.go.kr/", "https://www.kocsc.or.kr/", "https://revengepornhelpline.org.uk/",
        }
        assert all(a["rel"] == ["noopener", "noreferrer"] and a.get_text() == a["href"] for a in links)
    guidance = _text(korean.find("section", attrs={"aria-labelledby": "guidance"}))
    assert "이미 저장하거나" in guidance and "새로 만든 합성물은 막지 못하고" in guidance and "Fawkes" in guidance


def test_an_unknown_language_is_an_error(tmp_path):
    with pytest.raises(ConfigError) as raised:
        environment("fr")
    assert raised.value.exit_code == 2 and "en, ko" in raised.value.message
    db = open_db(tmp_path / "a.db")
    with pytest.raises(ConfigError):
        render_report(db, tmp_path / "r.html", lang="fr")


def test_the_lang_option_takes_only_the_catalogs_languages(tmp_path):
    open_db(tmp_path / "a.db")["photos"].insert({"id": "0" * 64, "status": "ok"})  # `report` needs a collected photo
    result = CliRunner().invoke(cli, ["report", "--db", str(tmp_path / "a.db"), "--out", str(tmp_path / "r.html"), "--lang", "fr"])
    assert result.exit_code == 2 and "'ko'" in result.output, result.output
    result = CliRunner().invoke(cli, ["report", "--db", str(tmp_path / "a.db"), "--out", str(tmp_path / "r.html"), "--lang", "ko"])
    assert result.exit_code == 0 and 'lang="ko"' in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_a_finding_without_a_korean_message_keeps_its_english_and_hostile_text_stays_escaped():
    say = i18n.Translator("ko")
    unknown = {"signal": "new-signal", "kind": "thing", "summary": "Something new", "evidence": {}}
    old = {"signal": "caption-text", "kind": "phone", "summary": "Caption shows a phone number", "evidence": {}}
    assert say.summary(unknown) == "Something new" and say.summary(old) == "Caption shows a phone number"
    assert say.text("Text nobody wrote a translation for") == "Text nobody wrote a translation for"
    payload = '<script>alert("x")</script> %(quote)s'
    text = words.say(N_('Caption shows a phone number: "%(quote)s"'), quote=payload)
    hostile = {"signal": "caption-text", "kind": "phone", "summary": "…", "evidence": {"quote": payload}, "text": text}
    assert say.summary(hostile) == f'캡션에 전화번호가 있어요: "{payload}"'
    html = environment("ko").from_string("{{ reason | summary }} {{ reason.summary | translate }}").render(reason=hostile)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_words_that_cannot_be_said_in_korean_are_said_in_english_and_broken_words_keep_the_stored_summary():
    phone = N_('Caption shows a phone number: "%(quote)s"')
    # A translation that names a parameter the words lack (a catalog ahead of the stored words): English.
    catalog = {phone: '캡션에 전화번호가 있어요: "%(quote)s" %(context)s'}
    said = say(phone, quote="010-1234-5678")
    assert render(said, lambda message: catalog.get(message, message), "ko") == 'Caption shows a phone number: "010-1234-5678"'
    assert render(said, i18n.Translator("ko").gettext, "ko") == '캡션에 전화번호가 있어요: "010-1234-5678"'
    # Words that cannot be said at all (a parameter missing, of the wrong type, or not words): the stored summary.
    translator = i18n.Translator("ko")
    stored = {"signal": "caption-text", "kind": "phone", "summary": "Stored English", "evidence": {}}
    for broken in (say(phone), say(N_("%(n)s px"), n=say("%(m)s")), {"said": "?"}, say(N_("EXIF"), x={"unknown": 1})):
        assert translator.summary({**stored, "text": broken}) == "Stored English", broken
    gps = say(N_("The post carries a position: %(lat).5f, %(lon).5f%(where)s"), lat="37.5", lon=126.9, where="")
    assert translator.summary({**stored, "text": gps}) == "Stored English"
    place = per_language({"en": " (Mapo-gu, Seoul)", "ko": " (마포구, 서울)"})
    gps = say(N_("The post carries a position: %(lat).5f, %(lon).5f%(where)s"), lat=37.55632, lon=126.92345, where=place)
    assert render(gps) == "The post carries a position: 37.55632, 126.92345 (Mapo-gu, Seoul)"
    assert translator.summary({**stored, "text": gps}).endswith("37.55632, 126.92345 (마포구, 서울)")
    assert render(say("%(where)s", where=per_language({"en": "Busan"})), translator.gettext, "ko") == "Busan"


def _face(size: int, yaw: float, sharp: bool, cut: bool = False):
    """facegrade's own grade for a synthetic face of `size` px turned `yaw` degrees."""
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 255, (400, 400, 3), dtype=np.uint8) if sharp else np.full((400, 400, 3), 128, np.uint8)
    x0, y0 = 100, 100
    eyes = ((x0 + 0.3 * size, y0 + 0.4 * size), (x0 + 0.7 * size, y0 + 0.4 * size))
    nose = (x0 + 0.5 * size + 0.5 * np.tan(np.radians(yaw)) * 0.4 * size, y0 + 0.6 * size)
    mouth = ((-5.0 if cut else x0 + 0.35 * size, y0 + 0.8 * size), (x0 + 0.65 * size, y0 + 0.8 * size))
    face = DetectedFace((x0, y0, x0 + size, y0 + size), 0.99, (*eyes, nose, *mouth))
    return grade_face(face, Image.fromarray(pixels), (1.0, 1.0))


def test_every_word_of_a_face_grade_is_translated():
    grades = [_face(150, 0, True), _face(60, 40, True), _face(20, 70, False), _face(150, 0, True, cut=True)]
    # "80 px, frontal, slightly soft: usable swap source, below full quality (crop under 112 px, slightly soft)"
    checks = [_size_check(80, 98), _pose_check("frontal", 0.0), _sharpness_check(200.0)]
    soft = (listed(check.word for check in checks), _verdict("medium", checks))
    assert render(soft[1]) == "usable swap source, below full quality (crop under 112 px, slightly soft)"
    said_grades = [(grade.words, grade.verdict) for grade in grades] + [soft]
    words = " ".join([grade.sentence for grade in grades] + [f"{render(w)}: {render(v)}" for w, v in said_grades])
    for word in ("frontal", "three-quarter", "profile", "sharp", "blurred", "cut by the frame edge", "too small", "crop under",
                 "full-quality swap source", "of little use", "usable swap source"):
        assert word in words, word  # the synthetic faces cover every word facegrade has
    translator = i18n.Translator("ko")
    assert HANGUL.search(translator.text(UNKNOWN_POSE))  # the pose of a face graded before poses were kept
    for who in WHOSE:
        for grade in grades:
            text = face_words(who, grade)
            english = render(text)
            assert english == f"{WHOSE[who]}: {grade.sentence}"
            said = translator.summary({"signal": "faces", "kind": "face_high", "summary": english, "evidence": {}, "text": text})
            assert HANGUL.search(said) and not LATIN_WORD.findall(said.replace("px", "")), (english, said)
        text = say(N_("%(whose)s: %(words)s: %(verdict)s"), whose=say(WHOSE[who]), words=soft[0], verdict=soft[1])
        said = translator.summary({"signal": "faces", "kind": "face_medium", "summary": render(text), "evidence": {}, "text": text})
        assert HANGUL.search(said) and not LATIN_WORD.findall(said.replace("px", "")), (render(text), said)


def _catalog():
    with i18n.catalog_path("ko").open("rb") as po:
        return read_po(po, locale="ko")


def _message_ids(messages) -> set[str]:
    return {message.id if isinstance(message.id, str) else message.id[0] for message in messages if message.id}


def test_korean_catalog_is_complete_and_its_placeholders_match():
    catalog = _catalog()
    assert catalog.num_plurals == 1
    untranslated = [m.id for m in catalog if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalog.check()]
    assert not untranslated and not fuzzy and not problems and not catalog.obsolete
    translated = {m.id: m.string for m in catalog}
    assert all(translated.get(text) for text in _table_messages())


def _table_messages():
    """The fixed English of Python tables that the report shows through `translate`, or inside a finding's words."""
    yield from (weight.fact for weight in WEIGHTS.values())
    yield from (signal.title for signal in SIGNALS.values())
    yield from ACTIONS.values()
    yield from (meaning for _, meaning in LEVELS)
    yield from (text for texts in PLACE_LABELS.values() for text in texts)
    yield from WHOSE.values()
    yield from SOURCE_WORDS.values()
    yield from (rule.what for rule in RULES)


def test_catalog_holds_exactly_the_messages_of_the_sources():
    """What `pybabel extract -F babel.cfg` finds; a new or changed English string needs its Korean here."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = extract_from_dir(str(ROOT), method_map, options_map, keywords=DEFAULT_KEYWORDS)
    extracted = {messages if isinstance(messages, str) else messages[0] for _, _, messages, _, _ in found}
    catalog = _message_ids(_catalog())
    assert not extracted - catalog, "run the commands in README.md, Translating"
    assert not catalog - extracted, "the catalog has messages no source uses any more"


def _posts_export(root: Path, posts: list[tuple[str, str, tuple[float, float] | None]]) -> None:
    """An Instagram export of (file, caption, geotag) posts, a day apart, each file a different colour."""
    records = []
    for number, (name, caption, geotag) in enumerate(posts):
        target = root / "media" / "posts" / "202401" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(jpeg_bytes((40 * number, 200 - 40 * number, 90)))
        media = {"uri": f"media/posts/202401/{name}", "creation_timestamp": 1704067200 + 86400 * number, "title": caption}
        if geotag:
            media["media_metadata"] = {"photo_metadata": {"exif_data": [{"latitude": geotag[0], "longitude": geotag[1]}]}}
        records.append({"media": [media], "title": caption, "creation_timestamp": media["creation_timestamp"]})
    content = root / "your_instagram_activity" / "content"
    content.mkdir(parents=True, exist_ok=True)
    (content / "posts_1.json").write_text(json.dumps(records), encoding="utf-8")


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A small inventory audited twice (a post with a phone number is new the second time), then its report in
    Korean, plain and redacted: a geotagged picture also posted in a folder, a picture with no finding."""
    tmp = tmp_path_factory.mktemp("small")
    _posts_export(tmp / "export", [("1.jpg", "lunch", (37.5563, 126.9236)), ("2.jpg", "sky", None)])
    (tmp / "photos").mkdir()
    (tmp / "photos" / "copy.jpg").write_bytes((tmp / "export" / "media" / "posts" / "202401" / "1.jpg").read_bytes())
    config = write_config(tmp, '[[accounts]]\nplatform = "instagram-export"\npath = "export"\nhandle = "me"\n'
                               '[[accounts]]\nplatform = "folder"\npath = "photos"\n')
    for posts in ([], [("3.jpg", "Math tutoring, call 010-9876-5432", None)]):
        if posts:
            shutil.rmtree(tmp / "export" / "your_instagram_activity")
            _posts_export(tmp / "export", [("1.jpg", "lunch", (37.5563, 126.9236)), ("2.jpg", "sky", None), *posts])
        result = CliRunner().invoke(cli, ["run", str(config), "--db", str(tmp / "a.db"), "--out", str(tmp / "en.html")])
        assert result.exit_code == 0, result.output
    db = open_db(tmp / "a.db")
    db["appearances"].update(next(db.query("select id from appearances where media_name like '%1.jpg'"))["id"],
                             {"post_url": "https://www.instagram.com/p/abc/"})
    korean = render_report(db, tmp / "ko.html", lang="ko").read_text(encoding="utf-8")
    redacted = render_report(db, tmp / "redacted.html", lang="ko", redact=True).read_text(encoding="utf-8")
    return db, BeautifulSoup(korean, "html.parser"), BeautifulSoup(redacted, "html.parser")


def test_photo_cards_and_filters_read_in_korean(small):
    db, korean, redacted = small
    cards = korean.find("section", attrs={"aria-labelledby": "ranked"})
    text = _text(cards)
    for english in ("Photos, most exposing first", "Found by", "All accounts", "All actions", "All signals", "Sort by",
                    "Report order", "Show all", "Nothing found that adds exposure", "original post", "This picture is posted",
                    "no preview", "Remove", "Archive", "Strip the location", "Keep", " post "):
        assert english not in text, english
    assert cards.h2.get_text() == "사진, 노출이 큰 순서대로" and re.search(r"\b\d+ / 100점 · ", text)
    # Every word of the controls and the cards is the catalog's, but what comes from the inventory (file names,
    # account names, captions, quotes and numbers of the findings).
    data = [row["media_name"] for row in db["appearances"].rows] + [row["display"] for row in db["accounts"].rows]
    data += ["lunch", "sky", "Math tutoring, call 010-9876-5432", "me", "photos", "EXIF", "GPS"]
    own_words = text
    for value in sorted(data, key=len, reverse=True):
        own_words = own_words.replace(value, "")
    assert not LATIN_WORD.findall(own_words), LATIN_WORD.findall(own_words)

    filters = cards.find("form", id="filters")
    assert filters["aria-label"] == "사진 골라 보기와 정렬"
    assert [_text(label) for label in filters.find_all("label")] == ["계정", "조치", "찾은 내용", "정렬"]
    count = filters.find("output", id="filter-count")["data-text"]
    assert "{shown}" in count and "{total}" in count and HANGUL.search(count)
    actions = [_text(option) for option in filters.select("#filter-action option")]
    assert actions[0] == "모든 조치" and all(HANGUL.search(action) for action in actions)
    signals = [_text(option) for option in filters.select("#filter-signal option")]
    assert "게시물에 붙은 위치 (1)" in signals
    # The sections quote the filter's label as the filter shows it.
    assert i18n.translations("ko").gettext("Found by") == "찾은 내용"

    card = cards.find("article", class_="card")  # the geotagged picture, also in the folder
    assert card.find(class_="action").get_text() == "위치 정보 지우기" and card.find(class_="action")["class"] == ["action", "action-strip-location"]
    reasons = [_text(li) for li in card.select("ul.reasons > li")]
    assert any("게시물에 위치가 붙어 있어요: 37.55630, 126.92360" in reason for reason in reasons), reasons
    assert any("위치 태그는 사진을 보는 모든 사람에게 찍은 곳을 알려 줘요." in reason for reason in reasons), reasons
    assert "이 사진은 2곳에 올라가 있어요" in _text(card) and "원본 게시물" in _text(card)
    assert sorted(_text(where).split(" · ")[1] for where in card.select(".where")) == ["게시물", "파일"]
    assert card.img["alt"].startswith("사진 1: ")
    assert "노출을 늘리는 건 찾지 못했어요." in text

    changes = korean.find("section", attrs={"aria-labelledby": "changes"})
    [new] = [_text(li) for li in changes.select("ul.changes-new > li")]
    assert "가장 큰 이유: 캡션에 전화번호가 있어요: \"010-9876-5432\"" in new, new
    note = _text(redacted.find("p", class_="redacted-note"))
    assert note.startswith("공개용 예시 보고서예요.") and not LATIN_WORD.findall(note)
