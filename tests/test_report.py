"""The report: self-contained (nothing loads from outside), hostile text escaped, sections only when found."""

from __future__ import annotations

import gc
import json
from pathlib import Path

from bs4 import BeautifulSoup
from click.testing import CliRunner

from audit.cli import cli
from audit.report.page import csp_hash, safe_url

from .conftest import jpeg_bytes, write_config

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _instagram_export(root: Path, posts: list[dict]) -> Path:
    content = root / "your_instagram_activity" / "content"
    content.mkdir(parents=True)
    (content / "posts_1.json").write_text(json.dumps(posts), encoding="utf-8")
    return root


def _post(uri: str, caption: str, ts: int, lat=None, lon=None) -> dict:
    media = {"uri": uri, "creation_timestamp": ts, "title": ""}
    if lat is not None:
        media["media_metadata"] = {"photo_metadata": {"exif_data": [{"latitude": lat, "longitude": lon}]}}
    return {"media": [media], "title": caption, "creation_timestamp": ts}


def _render(tmp_path: Path) -> BeautifulSoup:
    export = _instagram_export(tmp_path / "export", [
        _post("media/posts/202401/1.jpg", PAYLOAD, 1704067200, 37.55, 126.92),
        _post("media/posts/202401/2.jpg", "lunch", 1704153600),
    ])
    for name, color in (("1.jpg", (200, 30, 30)), ("2.jpg", (30, 200, 30))):
        target = export / "media" / "posts" / "202401" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(jpeg_bytes(color))
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / f"{PAYLOAD.replace('/', '_')}.jpg").write_bytes(jpeg_bytes((30, 30, 200), gps=(37.5, 127.0)))
    config = write_config(tmp_path, '[[accounts]]\nplatform = "instagram-export"\npath = "export"\nhandle = "me"\n'
                                    '[[accounts]]\nplatform = "folder"\npath = "photos"\n')
    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["run", str(config), "--db", str(tmp_path / "a.db"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return BeautifulSoup(out.read_text(encoding="utf-8"), "html.parser")


def test_report_loads_nothing_from_outside(tmp_path):
    soup = _render(tmp_path)
    for tag in soup.find_all(src=True):
        assert tag["src"].startswith("data:image/"), tag
    for tag in soup.find_all(["link", "iframe", "object", "embed", "base"]):
        raise AssertionError(f"unexpected {tag.name} element")
    scripts = soup.find_all("script")  # the one inline script, and a text block of later thumbnails in large reports
    assert [script.get("src") for script in scripts] == [None] * len(scripts)
    code = [script for script in scripts if script.get("type") is None]
    assert len(code) == 1 and len(scripts) - 1 == len(soup.find_all("script", type="text/plain"))
    for tag in soup.find_all(href=True):
        assert tag["href"].startswith("#") or tag.name == "a" and tag["href"].startswith("https://"), tag
    csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert "default-src 'none'" in csp and "img-src data:" in csp
    assert f"script-src '{csp_hash(code[0].string)}';" in csp and "unsafe" not in csp.split("script-src", 1)[1]
    assert "url(" not in soup.style.string


def test_hostile_caption_and_file_name_come_out_escaped(tmp_path):
    soup = _render(tmp_path)
    html = str(soup)
    assert "<script>alert" not in html and html.count("<script") == 1
    assert soup.find_all("img", onerror=True) == []
    captions = [div.get_text() for div in soup.select(".caption")]
    assert PAYLOAD in captions


def test_ranked_with_reasons_and_sections_only_for_found_signals(tmp_path):
    soup = _render(tmp_path)
    scores = [int(span.get_text()) for span in soup.select("article .score")]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    section_ids = {h2["id"] for h2 in soup.select("h2[id^=sig-]")}
    assert section_ids == {"sig-exif", "sig-platform-location"}  # no caption clue in this export
    top = soup.select("article")[0]
    assert "+40" in top.get_text() or "+35" in top.get_text()


def test_only_http_links_survive():
    assert safe_url("https://www.instagram.com/p/abc/") == "https://www.instagram.com/p/abc/"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("data:text/html,x") is None
    assert safe_url(None) is None


def test_the_report_is_built_with_the_cycle_collector_paused_then_restored(tmp_path, monkeypatch):
    import audit.report.page as report
    from audit.inventory.db import open_db

    states, build = [], report.report_data
    monkeypatch.setattr(report, "report_data", lambda db: states.append(gc.isenabled()) or build(db))
    report.render_report(open_db(tmp_path / "empty.db"), tmp_path / "r.html")
    assert states == [False] and gc.isenabled()
