"""A redacted report does not re-identify: none of a persona's identifying strings is in its HTML (English and Korean),
JSON or CSV.

Each persona lists what identifies it in its folder's persona.json, {"identifying": [...]}: names, handles, schools,
workplaces, phones, e-mail addresses, districts, coordinates, device and software ids, post ids and file names.
The demo (examples/demo) is audited as `photo-audit demo` does; every other persona (examples/personas/<slug>/) from
the exports zipped in its folder, with `photo-audit run <zips>`. A string counts as found in any case, in the text as
written, after NFC or NFKC normalisation, and, in the HTML, after its entities are unescaped.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit.cli import cli
from audit.inventory.db import open_db
from audit.report.page import render_report

from .conftest import copy_demo

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DEMO = EXAMPLES / "demo"
PERSONAS = sorted((EXAMPLES / "personas").glob("*/persona.json"))
# Thumbnails are base64: a short string ("Mapo") turns up in it by chance, in any case. A picture is checked by what it
# shows (tests/test_redact.py), not by its encoding.
DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")
# The unredacted demo report must show at least this many of the demo's strings: the scan finds what is there.
FOUND_UNREDACTED = 20


def identifying(folder: Path) -> list[str]:
    return json.loads((folder / "persona.json").read_text(encoding="utf-8"))["identifying"]


def forms(text: str) -> set[str]:
    """The text as a reader or a search may see it: as written, and in each normal form, case-folded."""
    return {unicodedata.normalize(form, text).casefold() for form in ("NFC", "NFKC", "NFD", "NFKD")} | {text.casefold()}


def found(outputs: dict[str, str], strings: list[str]) -> Counter:
    """How often each string is in the outputs, counted in the form of each output where it is most often."""
    counts: Counter = Counter()
    for output in outputs.values():
        texts = forms(DATA_URI.sub("", output))
        for string in strings:
            counts[string] += max(text.count(needle) for text in texts for needle in forms(string))
    return +counts


def report_outputs(db_path: Path, folder: Path, redact: bool) -> dict[str, str]:
    """The report in English with its JSON and CSV, and in Korean (place names, the words of findings)."""
    name = "redacted" if redact else "plain"
    paths = {kind: folder / f"{name}.{kind}" for kind in ("html", "json", "csv")}
    render_report(open_db(db_path), paths["html"], redact=redact, json_path=paths["json"], csv_path=paths["csv"])
    paths["html (ko)"] = render_report(open_db(db_path), folder / f"{name}.ko.html", redact=redact, lang="ko")
    return _read(paths)


def _read(paths: dict[str, Path]) -> dict[str, str]:
    outputs = {kind: path.read_text(encoding="utf-8-sig") for kind, path in paths.items()}
    for kind in [kind for kind in outputs if kind.startswith("html")]:
        outputs[f"{kind}, unescaped"] = html.unescape(outputs[kind])
    return outputs


def persona_outputs(folder: Path, out: Path) -> dict[str, str]:
    """The redacted outputs of `photo-audit run <every zip in the folder> --redact`."""
    zips = sorted(folder.glob("*.zip"))
    if not zips:
        pytest.skip(f"{folder.name}: no export zipped in its folder yet")
    paths = {kind: out / f"redacted.{kind}" for kind in ("html", "json", "csv")}
    arguments = [*map(str, zips), "--db", str(out / "p.db"), "--out", str(paths["html"]), "--redact",
                 "--json", str(paths["json"]), "--csv", str(paths["csv"])]
    result = CliRunner().invoke(cli, ["run", *arguments])
    if result.exit_code == 2:  # a usage error: this `run` takes an accounts.toml, not the exports themselves
        pytest.skip(f"`photo-audit run` does not take export paths yet: {result.output.strip()[-200:]}")
    assert result.exit_code == 0, result.output
    return _read(paths)


@pytest.fixture(scope="module")
def demo_db(analysed_demo, tmp_path_factory) -> Path:
    return copy_demo(analysed_demo, tmp_path_factory.mktemp("scan"))


def test_the_scan_finds_the_demo_strings_in_the_unredacted_report(demo_db):
    counts = found(report_outputs(demo_db, demo_db.parent, redact=False), identifying(DEMO))
    print("unredacted:", dict(counts))
    assert len(counts) >= FOUND_UNREDACTED, dict(counts)
    assert {"minji.kim", "010-1234-5678", "한빛", "서울한강", "Mapo", "S911NKSU3CXE1", "17121268640253118"} <= set(counts)


def test_the_redacted_demo_report_holds_none_of_its_identifying_strings(demo_db):
    counts = found(report_outputs(demo_db, demo_db.parent, redact=True), identifying(DEMO))
    assert not counts, f"the redacted report still holds: {dict(counts)}"


@pytest.mark.parametrize("persona", PERSONAS, ids=[path.parent.name for path in PERSONAS])
def test_the_redacted_report_of_each_persona_holds_none_of_its_identifying_strings(persona, tmp_path):
    counts = found(persona_outputs(persona.parent, tmp_path), identifying(persona.parent))
    assert not counts, f"the redacted report of {persona.parent.name} still holds: {dict(counts)}"


def test_the_demo_persona_lists_every_media_file_of_the_demo():
    """examples/make_demo.py rebuilds the demo: its post ids and file names must be listed again when they change."""
    media = [path for path in (DEMO / "instagram_export" / "media").rglob("*") if path.is_file()]
    names = {path.name for path in [*media, *(DEMO / "blog_photos").iterdir()]}
    listed = set(identifying(DEMO))
    assert not names - listed and not {path.stem for path in media} - listed
