"""'Who appears with you': the handles tagged or mentioned most, with their posts."""

from __future__ import annotations

import shutil
from pathlib import Path

from bs4 import BeautifulSoup
from click.testing import CliRunner

from audit.cli import cli

from .conftest import FIXTURES, write_config

ROOT = Path(__file__).resolve().parent.parent


def test_people_section_ranks_handles_from_fixture_exports(tmp_path):
    shutil.copytree(ROOT / "examples" / "demo" / "instagram_export", tmp_path / "demo_export")
    shutil.copytree(FIXTURES / "formats" / "instagram_dyi_html_2025_en_handmade", tmp_path / "html_export")
    config = write_config(tmp_path, '[[accounts]]\nplatform = "instagram-export"\npath = "demo_export"\nhandle = "minji.kim"\n'
                                    '[[accounts]]\nplatform = "instagram-export"\npath = "html_export"\nlabel = "Old account"\n')
    out = tmp_path / "r.html"
    result = CliRunner().invoke(cli, ["run", str(config), "--db", str(tmp_path / "a.db"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    section = BeautifulSoup(out.read_text(encoding="utf-8"), "html.parser").find("section", attrs={"aria-labelledby": "people"})
    assert "Tagging friends also exposes them" in section.get_text()
    rows = [[cell.get_text(" ", strip=True) for cell in tr.find_all("td")] for tr in section.select("tbody tr")]
    handles = [row[0] for row in rows]
    # P01 (a two-image carousel) and P17 mention @seoyeon.hanbit; P17 and P25 mention @jiwoo_hgu23.
    assert handles[:2] == ["@jiwoo_hgu23", "@seoyeon.hanbit"] and [row[2] for row in rows[:2]] == ["2", "2"]
    tagged = {row[0]: row[1] for row in rows}
    assert "tagged" in tagged["@jiwoo.park"] and "tagged" in tagged["@hana_lee"]
    assert tagged["@seoyeon.hanbit"] == "mentioned"
