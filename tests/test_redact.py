"""Redacted mode: nothing that identifies the person or pins a place survives in the HTML, JSON or CSV."""

from __future__ import annotations

import base64
import copy
import io
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from audit.cli import cli
from audit.faces import detect as facedetect
from audit.faces import identity as faceid
from audit.inventory.db import open_db
from audit.report.exports import write_csv, write_json
from audit.report.i18n import Translator
from audit.report.page import render_report, report_data
from audit.report.redact import redact_report
from audit.signals import kinds
from audit.words import position

from .conftest import FIXTURES, copy_demo, jpeg_bytes, write_config

# Hostile and odd values the demo lacks: a profile with a name, a bio phone and a website (Instagram export); post
# URLs that hold the handle, tagged users and a venue (X archive); phone, e-mail and @handle in file names, and in
# an EXIF field that no signal reads for them (found by redaction's own detectors only).
FOLDER_FILES = {
    "call me 010-9876-1234.jpg": (37.5563, 126.9236),
    "with @hidden.friend at dorm.jpg": (37.55637, 126.92371),
    "mail me minji.kim@example.com.jpg": None,
    "=1+2.jpg": None,  # a formula, to a spreadsheet
}
EXIF_SOFTWARE = "Snapseed for 010-7777-8888, mj.park@example.org, @insta.friend"
UNSCANNED_SECRETS = {"010-9876-1234", "hidden.friend", "minji.kim@example.com", "010-7777-8888", "mj.park@example.org", "insta.friend"}
# A few of what `secrets` must find, from examples/demo_expected.json and the fixtures' PROVENANCE.
KNOWN = {
    "demo.db": {"010-1234-5678", "minji.kim@example.com", "seoyeon.hanbit", "minji.kim", "37.556", "126.923"},
    "h.db": {"010-2345-6789", "김민지 Minji Kim", "jiwoo.park", "jiwoo_lee_", "minjikim_93", "51.500", "-0.124"},
}
USER_FACES = kinds("face")
# Of the demo's 16 thumbnails that show her face, 11 match her reference photos unredacted (the others are too small
# at 160 px); the test asks for most of them.
MATCHED_UNREDACTED = 8
PRECISE = re.compile(r"-?\d{1,3}\.\d{4,}")  # a position to 4 decimals or more: about 10 m


def hostile_inventory(tmp: Path) -> Path:
    """An audited inventory of the hostile accounts above; returns the database path."""
    shutil.copytree(FIXTURES / "formats" / "instagram_dyi_json_2024_profile_handmade", tmp / "ig")
    shutil.copytree(FIXTURES / "formats" / "x_twitter_archive_2019_tweet_js_handmade", tmp / "x")
    (tmp / "photos").mkdir()
    for name, gps in FOLDER_FILES.items():
        (tmp / "photos" / name).write_bytes(jpeg_bytes((40, 120, 200), gps=gps))
    exif = Image.Exif()
    exif[0x0131] = EXIF_SOFTWARE
    Image.new("RGB", (32, 24), (90, 60, 30)).save(tmp / "photos" / "edited.jpg", exif=exif.tobytes())
    config = write_config(tmp, '[[accounts]]\nplatform = "instagram-export"\npath = "ig"\nhandle = "minji.kim"\n'
                               '[[accounts]]\nplatform = "x-archive"\npath = "x"\nhandle = "minjikim_93"\n'
                               '[[accounts]]\nplatform = "folder"\npath = "photos"\n')
    result = CliRunner().invoke(cli, ["run", str(config), "--db", str(tmp / "h.db"), "--out", str(tmp / "h.html")])
    assert result.exit_code == 0, result.output
    return tmp / "h.db"


@pytest.fixture(scope="module", params=["demo", "hostile"])
def inventory(request, tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp(request.param)
    if request.param == "hostile":
        return hostile_inventory(tmp)
    return copy_demo(request.getfixturevalue("analysed_demo"), tmp)


def secrets(db) -> set[str]:
    """Every handle, name, phone, e-mail and precise coordinate the unredacted inventory holds."""
    found = {row["handle"] for row in db["accounts"].rows if row["handle"]}
    for row in db["appearances"].rows:
        found.update(json.loads(row["tagged_users"] or "[]"))
        profile = json.loads(row["extra"] or "{}").get("profile") or {}
        found.update(value for key, value in profile.items() if key in ("Name", "Username", "Website"))
        found.update(_coordinates(row["lat"], row["lon"]))
    for row in db["findings"].rows:
        evidence = json.loads(row["evidence"])
        found.update(str(evidence[key]) for key in ("handle", "e164", "raw") if evidence.get(key))
        if row["kind"] in ("phone", "email", "mention", "tagged_user"):
            found.add(evidence["quote"])
        found.update(_coordinates(evidence.get("lat"), evidence.get("lon")))
    return {secret.lstrip("@") for secret in found if secret}


def _coordinates(*values) -> list[str]:
    """Each coordinate cut to 3 decimals (about 100 m): "37.556" is in 37.5563, 37.55630 and 37.556344."""
    texts = [f"{value:.6f}" for value in values if isinstance(value, float) and value not in (0.0,)]
    return [text[: text.index(".") + 4] for text in texts]


def test_no_handle_phone_email_or_precise_coordinate_survives(inventory, tmp_path):
    db = open_db(inventory)
    found = secrets(db)
    if inventory.name == "h.db":
        found.update(UNSCANNED_SECRETS)
    data = report_data(db)
    plain = write_json(data, tmp_path / "plain.json").read_text(encoding="utf-8")
    missing = {secret for secret in found if secret.lower() not in plain.lower()}
    assert not missing, f"the unredacted data should hold every secret: {missing}"

    redacted = redact_report(data)
    outputs = {
        "html": render_report(db, tmp_path / "r.html", redact=True).read_text(encoding="utf-8"),
        "json": write_json(redacted, tmp_path / "r.json", thumbnails=True).read_text(encoding="utf-8"),
        "csv": write_csv(redacted, tmp_path / "r.csv").read_text(encoding="utf-8-sig"),
    }
    assert KNOWN[inventory.name] <= found  # the collection above works
    for name, text in outputs.items():
        leaked = {secret for secret in found if secret.lower() in text.lower()}
        assert not leaked, f"{name} leaks {leaked}"
    for name in ("html", "csv"):
        # The places section prints a place's centre to 4 decimals: the redacted centre is whole tenths.
        precise = [n for n in PRECISE.findall(outputs[name]) if float(n) != round(float(n), 1)]
        assert not precise, f"{name} shows precise positions {precise}"
    _assert_positions_rounded(json.loads(outputs["json"]))


def _assert_positions_rounded(value, key=None) -> None:
    if key in ("lat", "lon", "points"):
        for number in np.ravel(value if value is not None else []):
            assert float(number) == round(float(number), 1), (key, number)
    elif isinstance(value, dict):
        for child_key, child in value.items():
            _assert_positions_rounded(child, child_key)
    elif isinstance(value, list):
        for child in value:
            _assert_positions_rounded(child)
    elif isinstance(value, str) and not value.startswith("data:"):
        assert not PRECISE.search(value), value


def test_ids_and_names_that_lead_back_to_the_posts_are_gone(inventory, tmp_path):
    db = open_db(inventory)
    html = render_report(db, tmp_path / "r.html", redact=True).read_text(encoding="utf-8")
    assert '<p class="redacted-note">' in html
    for row in db["appearances"].rows:
        assert row["media_name"] not in html and (row["post_url"] or row["media_name"]) not in html
        assert not row["post_id"] or row["post_id"] not in html
    for row in db["photos"].rows:
        assert row["id"][:16] not in html  # a hash of the file: whoever has the file could confirm it is hers


def test_photos_gone_since_the_last_audit_are_redacted_too(tmp_path):
    db_path = hostile_inventory(tmp_path)
    gone = ["call me 010-9876-1234.jpg", "with @hidden.friend at dorm.jpg"]
    ids = [row["photo"] for row in open_db(db_path)["appearances"].rows_where("media_name in (?, ?)", gone)]
    for name in gone:
        (tmp_path / "photos" / name).unlink()
    config, out = str(tmp_path / "accounts.toml"), str(tmp_path / "again.html")
    assert CliRunner().invoke(cli, ["run", config, "--db", str(db_path), "--out", out]).exit_code == 0
    db = open_db(db_path)
    data = report_data(db)
    assert len(data["changes"]["gone"]) == 2  # the changes section lists them: with their names and ids
    html = render_report(db, tmp_path / "r.html", redact=True).read_text(encoding="utf-8")
    document = write_json(redact_report(data), tmp_path / "r.json").read_text(encoding="utf-8")
    for secret in [*gone, "010-9876-1234", "hidden.friend", *(photo[:16] for photo in ids)]:
        assert secret not in html and secret not in document


def _pixels(uri: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.partition(",")[2]))).convert("L"), dtype=float)


def _detail(pixels: np.ndarray) -> float:
    """Energy of the differences between neighbouring pixels: what blurring takes away."""
    return float((np.diff(pixels, axis=0) ** 2).mean() + (np.diff(pixels, axis=1) ** 2).mean())


def test_every_face_in_every_thumbnail_is_blurred(inventory):
    data = report_data(open_db(inventory))
    redacted = redact_report(data)
    boxes = 0
    for card, after in zip(data["photos"], redacted["photos"]):
        assert bool(card["thumbnail"]) == bool(after["thumbnail"])
        if card["thumbnail"]:  # softened all over, for a face no detector boxed
            assert _detail(_pixels(after["thumbnail"])) <= 0.5 * _detail(_pixels(card["thumbnail"]))
        for reason in card["reasons"] if card["thumbnail"] else []:
            if reason["signal"] == "faces":
                before, blurred = _pixels(card["thumbnail"]), _pixels(after["thumbnail"])
                height, width = before.shape
                x0, y0, x1, y1 = reason["evidence"]["box"]
                rows, cols = slice(int(y0 * height), int(y1 * height)), slice(int(x0 * width), int(x1 * width))
                assert blurred[rows, cols].var() < 0.25 * before[rows, cols].var(), reason["summary"]
                boxes += 1
    assert boxes >= (20 if inventory.name == "demo.db" else 0)


def _user_face_distances(image: Image.Image, references: list, boxes=None) -> list[float]:
    """Distances to her reference photos of every face the project's detector finds (or of the faces at `boxes`)."""
    boxes = [face.box for face in facedetect.detect(image)] if boxes is None else boxes
    return [faceid.match(faceid.encode(image, box), references)[1] for box in boxes]


def test_no_redacted_face_of_the_user_is_recognised_by_the_projects_own_encoder(analysed_demo):
    """Her face, blurred, must not be hers to the encoder: no face found, or none within the match threshold; even
    when the encoder is told where the face was. Unredacted, the same thumbnails match: the test can fail."""
    if faceid.available():
        pytest.skip(faceid.available())
    db = open_db(analysed_demo)
    references = faceid.load_references(db)
    assert {row["source"] for row in db["reference_faces"].rows} == {"selfie1.jpg", "selfie2.jpg"}  # examples/demo/me
    data = report_data(db)
    redacted = redact_report(data)
    plain, blurred, told = [], [], []
    for card, after in zip(data["photos"], redacted["photos"]):
        if card["thumbnail"] and any((r["signal"], r["kind"]) in USER_FACES and r["evidence"].get("who") == "you" for r in card["reasons"]):
            before, image = _image(card["thumbnail"]), _image(after["thumbnail"])
            found = [face.box for face in facedetect.detect(before)]
            plain.append(min(_user_face_distances(before, references, found), default=None))
            blurred.extend(_user_face_distances(image, references))
            told.extend(_user_face_distances(image, references, found))
    print(f"unredacted thumbnails, nearest distance each: {plain}; redacted: faces found at {blurred}, "
          f"at the unredacted faces' boxes {sorted(told)} (threshold {faceid.MATCH_THRESHOLD})")
    assert sum(1 for d in plain if d is not None and d <= faceid.MATCH_THRESHOLD) >= MATCHED_UNREDACTED, plain
    assert all(distance > faceid.MATCH_THRESHOLD for distance in blurred + told), (blurred, told)


def _image(uri: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(uri.partition(",")[2]))).convert("RGB")


def _card(caption: str, handle: str = "minji.kim") -> dict:
    appearance = {
        "id": "a1", "photo": "p1", "account": f"instagram-export:{handle}", "account_display": f"@{handle}",
        "platform": "instagram-export", "kind": "post", "media_name": "media/posts/1790.jpg", "post_id": "1790",
        "post_url": f"https://x.com/{handle}/status/1790", "caption": caption, "tagged_users": ["seoyeon.hanbit"],
        "lat": 37.556344, "lon": 126.923356, "extra": "{}", "note": None,
    }
    quote = "010-1234-5678"
    start = caption.index(quote)
    reason = {
        "signal": "caption-text", "kind": "phone", "points": 30, "fact": "",
        "summary": f'Caption shows a phone number: "{quote}"',
        "text": {"say": 'Caption shows a phone number: "%(quote)s"', "with": {"quote": quote}},
        # the window of caption-text's CONTEXT_CHARS may cut a handle in two
        "evidence": {"quote": quote, "context": caption[max(0, start - 20) : start + len(quote) + 20], "appearance": "a1"},
    }
    card = {"id": "p1", "label": "media/posts/1790.jpg", "members": ["p1"], "thumbnail": None,
            "appearances": [appearance], "reasons": [reason]}
    account = {"key": f"instagram-export:{handle}", "platform": "instagram-export", "display": f"@{handle}",
               "handle": handle, "url": None, "path": "/home/minji/export"}
    return {"accounts": [account], "photos": [card], "people": [{"handle": "seoyeon.hanbit", "posts": [("media/posts/1790.jpg", appearance["post_url"])]}], "places": []}


def test_handles_get_one_pseudonym_everywhere_and_the_caption_only_its_clues():
    data = _card("mail minji.kim@example.com or call 010-1234-5678 with @seoyeon.hanbit and @Seoyeon.Hanbit")
    original = copy.deepcopy(data)
    redacted = redact_report(data)
    assert data == original  # a new dict: the input is left as it was
    card = redacted["photos"][0]
    appearance = card["appearances"][0]
    # No word of the caption is left, however well masked: only the kinds of clue found in it.
    assert appearance["caption"] == "[phone number]" and appearance["caption_clues"] == ["[phone number]"]
    assert appearance["tagged_users"] == ["person-1"] and redacted["people"][0]["handle"] == "person-1"
    assert appearance["account_display"] == "@your-handle" and redacted["accounts"][0]["handle"] == "your-handle"
    assert appearance["post_url"] is None and redacted["people"][0]["posts"][0] == ("post-1.jpg", "[link]")
    assert (appearance["lat"], appearance["lon"]) == (37.6, 126.9)
    assert redacted["accounts"][0]["path"] is None
    reason = card["reasons"][0]
    assert reason["evidence"] == {"quote": "[phone number]", "context": "[phone number]", "appearance": "appearance-1"}
    assert reason["summary"] == 'Caption shows a phone number: "[phone number]"'


def test_person_names_from_the_profile_are_masked_whole_and_word_by_word():
    data = _card("김민지 Minji Kim · 010-1234-5678")
    data["photos"][0]["appearances"][0]["extra"] = json.dumps({"profile": {"Name": "김민지 Minji Kim"}})
    data["errors"] = [{"source": "folder", "item": "김민지 Minji Kim.jpg", "message": "Minji's page: cannot be read"}]
    error = redact_report(data)["errors"][0]
    assert (error["item"], error["message"]) == ("[name].jpg", "[name]'s page: cannot be read")


def _finding(kind: str, quote: str, template: str, **evidence) -> dict:
    return {"signal": "caption-text", "kind": kind, "points": 20, "fact": "", "summary": template % {"quote": quote},
            "text": {"say": template, "with": {"quote": quote}},
            "evidence": {"quote": quote, "context": quote, "appearance": "a1", **evidence}}


def test_findings_that_quote_text_say_the_kind_of_clue_in_the_report_language():
    caption = "서울한강대학교 23학번 새내기입니다 010-1234-5678"
    data = _card(caption)
    data["photos"][0]["reasons"] += [
        _finding("university", "서울한강대학교", 'Caption names a university: "%(quote)s"', name="서울한강대학교"),
        _finding("student_number", "23학번", 'Caption mentions a student number or ID: "%(quote)s"'),
        _finding("new_kind", "새내기", 'Caption says: "%(quote)s"'),
    ]
    card = redact_report(data)["photos"][0]
    assert card["appearances"][0]["caption_clues"] == ["[phone number]", "[university name]", "[student number]", "[text]"]
    university = card["reasons"][1]
    assert university["summary"] == 'Caption names a university: "[university name]"'
    assert set(university["evidence"].values()) == {"[university name]", "appearance-1"}
    korean = Translator("ko").summary(university)
    assert "[대학 이름]" in korean and "서울" not in korean


def test_place_names_keep_only_their_city():
    data = _card("010-1234-5678")
    where = {"en": " (Mapo-gu, Seoul)", "ko": " (마포구, 서울)"}
    data["photos"][0]["reasons"].append({
        "signal": "exif", "kind": "gps", "points": 40, "fact": "", "summary": "GPS 37.55632, 126.92337 (Mapo-gu, Seoul)",
        "text": {"say": "GPS %(position)s%(where)s", "with": {"position": position(37.55632, 126.92337), "where": {"per_language": where}}},
        "evidence": {"lat": 37.55632, "lon": 126.92337, "place": {"en": "Mapo-gu, Seoul", "ko": "마포구, 서울"}},
    })
    data["places"] = [{"place": "8a06adf5bb246dc2de94a0aed66f4d71", "name": "Mapo-gu, Seoul", "name_ko": "마포구, 서울",
                       "guess": "likely home", "note": "near Mapo-gu station, 마포구청 옆"}]
    redacted = redact_report(data)
    place = redacted["places"][0]
    assert (place["name"], place["name_ko"], place["note"]) == ("Seoul", "서울", "near Seoul station, 서울청 옆")
    gps = redacted["photos"][0]["reasons"][1]
    assert gps["summary"] == "GPS 37.6, 126.9 (Seoul)"
    assert Translator("ko").summary(gps) == "GPS 37.6, 126.9 (서울)"  # not "37.60000": no false precision


def test_a_software_version_is_masked_and_said_in_the_report_language():
    data = _card("010-1234-5678")
    template = "The file's EXIF names the software that wrote it: %(software)s"
    data["photos"][0]["reasons"].append({
        "signal": "exif", "kind": "software", "points": 0, "fact": "", "summary": template % {"software": "S911NKSU3CXE1"},
        "text": {"say": template, "with": {"software": "S911NKSU3CXE1"}}, "evidence": {"software": "S911NKSU3CXE1"},
    })
    reason = redact_report(data)["photos"][0]["reasons"][1]
    assert reason["summary"] == template % {"software": "[software version]"}
    assert reason["evidence"] == {"software": "[software version]"}
    assert Translator("ko").summary(reason).endswith(": [소프트웨어 버전]")
