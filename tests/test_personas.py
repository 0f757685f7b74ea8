"""The workshop personas (examples/personas/, built by examples/make_personas.py) are complete exports that their
registered source reads whole: every image of the persona is an item, its file is in the zip, and nothing fails."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from audit.config import Account
from audit.models import FOLLOWERS, Item, ItemError
from audit.sources import SOURCES

PERSONAS = Path(__file__).resolve().parent.parent / "examples" / "personas"
SLUGS = ("yuna", "jiho", "soyeon")
KEYS = ("slug", "name_en", "name_ko", "platform", "profile_en", "profile_ko", "identifying")
MIN_ITEMS = 15  # each persona holds 15-30 images


def persona(slug: str) -> dict:
    return json.loads((PERSONAS / slug / "persona.json").read_text(encoding="utf-8"))


def items_of(slug: str) -> list[Item | ItemError]:
    facts = persona(slug)
    account = Account(facts["platform"], path=PERSONAS / slug / facts["export"])
    return list(SOURCES[facts["platform"]](account).items())


@pytest.mark.parametrize("slug", SLUGS)
def test_persona_json_has_its_keys(slug):
    facts = persona(slug)
    assert set(KEYS) <= set(facts)
    assert facts["slug"] == slug
    assert facts["platform"] in SOURCES
    assert all(isinstance(facts[key], str) and facts[key].strip() for key in KEYS[:-1])
    assert len(facts["identifying"]) == len(set(facts["identifying"])) >= 20
    assert all(isinstance(value, str) and value for value in facts["identifying"])
    assert facts["name_ko"] in facts["identifying"] and facts["name_en"] in facts["identifying"]


@pytest.mark.parametrize("slug", SLUGS)
def test_persona_zip_is_valid(slug):
    path = PERSONAS / slug / persona(slug)["export"]
    assert path.suffix == ".zip" and zipfile.is_zipfile(path)
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        images = [name for name in archive.namelist() if name.endswith(".jpg")]
    assert MIN_ITEMS <= len(images) <= 30
    assert sorted(images) == sorted(record["path"].split(":", 1)[1] for record in persona(slug)["files"])


@pytest.mark.parametrize("slug", SLUGS)
def test_persona_source_reads_every_image(slug):
    entries = items_of(slug)
    assert [entry for entry in entries if isinstance(entry, ItemError)] == []
    assert len(entries) == len(persona(slug)["files"]) >= MIN_ITEMS
    assert all(entry.origin is not None for entry in entries), "every item's media file is in the zip"


def test_yuna_is_public_with_school_geotags():
    entries = items_of("yuna")
    assert {entry.audience for entry in entries} == {None}  # the export does not say: her public account's default
    assert sum(entry.lat is not None for entry in entries) == 4
    assert any("한결고등학교" in (entry.caption or "") for entry in entries)


def test_jiho_photos_are_located_at_two_places():
    located = [entry for entry in items_of("jiho") if entry.lat is not None]
    assert len(located) == 14
    assert {(round(entry.lat, 2), round(entry.lon, 2)) for entry in located} == {(37.39, 126.64), (37.40, 127.11)}


def test_soyeon_is_followers_only_but_her_profile_picture_is_not():
    entries = items_of("soyeon")
    profile = [entry for entry in entries if entry.kind == "profile_photo"]
    assert len(profile) == 1 and profile[0].audience is None  # shown to anyone, whatever the protection
    assert {entry.audience for entry in entries if entry.kind != "profile_photo"} == {FOLLOWERS}
