"""`photo-audit summary --anonymous`: what one workshop participant hands in. Bands and kinds only, the same as her
report says, shown before it is written, and nothing that could identify her."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit.cli import cli
from audit.inventory.db import open_db
from audit.models import STRANGERS
from audit.report.plan import STEP_ACTIONS
from audit.signals import kinds
from audit.signals.faces import BYSTANDER
from audit.workshop.summary import BANDS, KEYS, check

from .conftest import copy_demo, jpeg_bytes, write_config

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# Until examples/demo/persona.json lists them: what identifies the demo's fictional student, her friends and places.
DEMO_IDENTIFYING = [
    "김민지", "Kim Minji", "Minji", "minji.kim", "seoyeon.hanbit", "jiwoo_hgu23", "한빛", "Hanbit", "서울한강",
    "Seoul Hangang", "Hangang Design Lab", "010-1234-5678", "01012345678", "example.com", "Mapo", "마포", "Jung-gu",
    "37.55", "126.9", "S911N", "17121268640253118", "20230513_202644",
]


def identifying(folder: Path, default: list[str]) -> list[str]:
    persona = folder / "persona.json"
    if persona.exists():
        return json.loads(persona.read_text(encoding="utf-8"))["identifying"]
    return default


def summarise(db: Path, out: Path, *extra: str, input: str | None = None):
    return CliRunner().invoke(cli, ["summary", "--anonymous", "--db", str(db), "--out", str(out), *extra], input=input)


@pytest.fixture(scope="module")
def demo(analysed_demo, tmp_path_factory):
    """The demo's summary, written with --yes: (the inventory it came from, the file, what the command printed)."""
    folder = tmp_path_factory.mktemp("summary")
    db = copy_demo(analysed_demo, folder)
    result = summarise(db, folder / "summary.json", "--yes")
    assert result.exit_code == 0, result.output
    return db, folder / "summary.json", result.output


def test_what_is_written_is_what_was_shown(demo):
    _, path, output = demo
    written = path.read_text(encoding="utf-8")
    assert output.startswith(written)  # then the path it was written to
    assert output.rstrip().endswith(str(path.resolve()))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_only_the_schema(demo):
    summary = json.loads(demo[1].read_text(encoding="utf-8"))
    assert list(summary) == list(KEYS)
    assert check(summary) is None
    assert set(summary["steps"]) == set(STEP_ACTIONS)


def test_no_number_longer_than_two_digits(demo):
    assert not re.search(r"\d{3,}", demo[1].read_text(encoding="utf-8"))


@pytest.mark.parametrize("secret", identifying(EXAMPLES / "demo", DEMO_IDENTIFYING))
def test_nothing_that_identifies_the_demo(demo, secret):
    assert secret.casefold() not in demo[1].read_text(encoding="utf-8").casefold()


def band(count: int) -> str:
    return "0" if count == 0 else "1-9" if count < 10 else "10+"


def test_bands_match_the_inventory_counted_another_way(demo, tmp_path):
    """Each number recounted in Python from the findings and posts (not through report_data), or from the report's
    JSON export for the plan."""
    db_path, path, _ = demo
    summary = json.loads(path.read_text(encoding="utf-8"))
    db = open_db(db_path)
    picture = {row["photo"]: row["picture"] for row in db.query("select photo, picture from pictures")}
    posts = list(db.query("select id, photo, kind, coalesce(audience, 'anyone') as audience from current_appearances"))
    public = {row["photo"] for row in posts if row["audience"] in STRANGERS}
    readable = {row["id"] for row in db.query("select id from photos where status != 'unreadable'")}
    public_posts = {row["id"] for row in posts if row["audience"] in STRANGERS}
    findings = [row | {"evidence": json.loads(row["evidence"] or "{}")}
                for row in db.query("select photo, signal, kind, evidence from findings")]

    def role(*roles):
        wanted = kinds(*roles)
        return [f for f in findings if (f["signal"], f["kind"]) in wanted and f["photo"] in public
                and f["evidence"].get("appearance") in (None, *public_posts)]  # a post's fact: that post is public

    faces = {picture[f["photo"]] for f in role("clear_face") if f["evidence"].get("who") != BYSTANDER}
    assert summary["clear_faces"] == band(len(faces))
    assert summary["pictures"] == band(len({picture[p] for p in public & readable}))
    assert summary["located"] == band(len({picture[f["photo"]] for f in role("exact_location", "named_place")}))
    assert summary["clues"] == sorted({f["kind"] for f in role("identity_clue")})
    profile = {picture[row["photo"]] for row in posts if row["kind"] == "profile_photo" and row["audience"] in STRANGERS}
    assert summary["profile_picture_face"] == bool(faces & profile)
    followers = {picture[row["photo"]] for row in posts if row["audience"] == "followers"}
    assert summary["followers_see_more"] == bool(followers - {picture[p] for p in public})

    # The demo's own account of itself (examples/demo_expected.json): 10 or more clear faces, home and campus repeat.
    assert summary["clear_faces"] == "10+"
    assert {"home", "school_or_work"} <= set(summary["places"])
    assert {"phone", "school"} <= set(summary["clues"])

    exported = tmp_path / "report.json"
    result = CliRunner().invoke(cli, ["report", "--db", str(db_path), "--out", str(tmp_path / "r.html"), "--json", str(exported)])
    assert result.exit_code == 0, result.output
    steps = json.loads(exported.read_text(encoding="utf-8"))["plan"]["steps"]
    assert summary["steps"] == {action: band(sum(s["action"] == action for s in steps)) for action in STEP_ACTIONS}
    assert set(summary["steps"].values()) <= set(BANDS)


def test_declined_writes_nothing(demo, tmp_path):
    db = demo[0]
    for answer in ("n\n", "\n", None):  # no, the default, and no answer at all
        result = summarise(db, tmp_path / "no.json", input=answer)
        assert result.exit_code == 0, result.output
        assert '"schema"' in result.output and "Nothing was written." in result.output
        assert not (tmp_path / "no.json").exists()
    result = summarise(db, tmp_path / "yes.json", input="y\n")
    assert result.exit_code == 0 and (tmp_path / "yes.json").exists()


def test_only_anonymous_summaries_exist(demo, tmp_path):
    result = CliRunner().invoke(cli, ["summary", "--db", str(demo[0]), "--out", str(tmp_path / "s.json"), "--yes"])
    assert result.exit_code == 2
    assert "only anonymous summaries exist" in result.output
    assert not (tmp_path / "s.json").exists()


def test_no_reassurance_on_empty_input(tmp_path):
    missing = summarise(tmp_path / "none.db", tmp_path / "s.json", "--yes")
    assert missing.exit_code == 2 and "no inventory" in missing.output
    open_db(tmp_path / "empty.db").close()
    empty = summarise(tmp_path / "empty.db", tmp_path / "s.json", "--yes")
    assert empty.exit_code == 2 and "holds no photos" in empty.output
    assert not (tmp_path / "s.json").exists()


def test_an_inventory_not_analysed_is_refused(tmp_path, photo_folder):
    config = write_config(tmp_path, f'[[accounts]]\nplatform = "folder"\npath = "{photo_folder}"\naudience = "anyone"\n')
    assert CliRunner().invoke(cli, ["collect", str(config), "--db", str(tmp_path / "c.db")]).exit_code == 0
    result = summarise(tmp_path / "c.db", tmp_path / "s.json", "--yes")
    assert result.exit_code == 2 and "not analysed" in result.output
    assert not (tmp_path / "s.json").exists()


def test_photos_collected_since_the_last_analysis_are_refused(tmp_path, photo_folder):
    """An analysed inventory to which a collect added photos: their faces are not counted yet, so no band holds."""
    config = write_config(tmp_path, f'[[accounts]]\nplatform = "folder"\npath = "{photo_folder}"\naudience = "anyone"\n')
    db = str(tmp_path / "c.db")
    assert CliRunner().invoke(cli, ["run", str(config), "--db", db, "--out", str(tmp_path / "r.html")]).exit_code == 0
    (photo_folder / "new.jpg").write_bytes(jpeg_bytes(color=(10, 200, 90)))
    assert CliRunner().invoke(cli, ["collect", str(config), "--db", db]).exit_code == 0
    result = summarise(tmp_path / "c.db", tmp_path / "s.json", "--yes")
    assert result.exit_code == 2 and "1 photo(s) in the inventory are not analysed yet" in result.output
    assert not (tmp_path / "s.json").exists()


# The workshop's personas (examples/personas/NAME/: an export and its persona.json, which names its platform and every
# identifying string), when they are there: each audited, and its summary holds nothing of its persona either.
PERSONAS = sorted(path.parent for path in EXAMPLES.glob("personas/*/persona.json"))


@pytest.mark.parametrize("folder", PERSONAS, ids=[folder.name for folder in PERSONAS])
def test_nothing_that_identifies_a_persona(folder, tmp_path):
    persona = json.loads((folder / "persona.json").read_text(encoding="utf-8"))
    export = folder / persona["export"]
    config = write_config(tmp_path, f'[[accounts]]\nplatform = "{persona["platform"]}"\npath = "{export}"\n')
    result = CliRunner().invoke(cli, ["run", str(config), "--db", str(tmp_path / "p.db"), "--out", str(tmp_path / "p.html")])
    assert result.exit_code == 0, result.output
    assert summarise(tmp_path / "p.db", tmp_path / "s.json", "--yes").exit_code == 0
    text = (tmp_path / "s.json").read_text(encoding="utf-8")
    assert check(json.loads(text)) is None
    assert not re.search(r"\d{3,}", text)
    assert persona["identifying"]
    assert not [secret for secret in persona["identifying"] if secret.casefold() in text.casefold()]
