"""`photo-audit run` on an Instagram export built here, never seen by the other tests: ranked, with the right reasons."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from bs4 import BeautifulSoup
from click.testing import CliRunner

from audit.cli import cli

from .conftest import jpeg_bytes, write_config


def _meta(text: str) -> str:
    """Meta's export encoding: UTF-8 bytes written as \\u00XX escapes."""
    return text.encode("utf-8").decode("latin-1")


POSTS = [  # (file, caption, lat/lon or None)
    ("111.jpg", "연락주세요 010-9876-5432 우리집 앞에서", (37.4979, 127.0276)),
    ("222.jpg", "Class of 2022 at Riverside High School!", None),
    ("333.jpg", "just the sky", None),
    ("444.jpg", "beach day", (35.1587, 129.1604)),
]


def _export_zip(path: Path) -> Path:
    posts = []
    for index, (name, caption, position) in enumerate(POSTS):
        media = {"uri": f"media/posts/202509/{name}", "creation_timestamp": 1757000000 + index * 86400, "title": ""}
        if position:
            media["media_metadata"] = {"photo_metadata": {"exif_data": [{"latitude": position[0], "longitude": position[1]}]}}
        posts.append({"media": [media], "title": _meta(caption), "creation_timestamp": media["creation_timestamp"]})
    with zipfile.ZipFile(path, "w") as archive:
        top = "instagram-someone-2025-11-01"
        archive.writestr(f"{top}/your_instagram_activity/media/posts_1.json", json.dumps(posts))
        for index, (name, _, _) in enumerate(POSTS[:3]):  # the last post's file is missing from the export
            archive.writestr(f"{top}/media/posts/202509/{name}", jpeg_bytes((index * 60, 90, 120)))
    return path


def test_run_on_a_new_export_ranks_with_the_right_reasons(tmp_path):
    _export_zip(tmp_path / "export.zip")
    config = write_config(tmp_path, 'time_zone = "Asia/Seoul"\n'
                                    '[[accounts]]\nplatform = "instagram-export"\npath = "export.zip"\nhandle = "someone"\n')
    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["run", str(config), "--db", str(tmp_path / "a.db"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    soup = BeautifulSoup(out.read_text(encoding="utf-8"), "html.parser")
    cards = soup.select("article.card")
    assert len(cards) == 4
    texts = [card.get_text(" ", strip=True) for card in cards]
    # 1: phone + home words + geotag; 2: the geotag of the post whose file is missing; 3: the school; 4: nothing.
    assert "010-9876-5432" in texts[0] and "37.49790, 127.02760" in texts[0] and "Remove" in texts[0]
    assert "35.15870, 129.16040" in texts[1] and "is not in the export" in texts[1]
    assert "Riverside High School" in texts[2] and "Class of 2022" in texts[2]
    assert "Nothing found that adds exposure" in texts[3] and "Keep" in texts[3]
    scores = [int(card.select_one(".score").get_text()) for card in cards]
    assert scores[0] > scores[1] > scores[2] > scores[3] == 0
    # creation_timestamp 1757000000: 2025-09-04T15:33:20Z, past midnight in Seoul.
    assert cards[0].find("time")["datetime"] == "2025-09-04T15:33:20Z" and "Sep 5, 2025, 12:33\u202fAM" in texts[0]


def test_the_post_whose_file_is_missing_is_explained_in_korean_too(tmp_path):
    _export_zip(tmp_path / "export.zip")
    config = write_config(tmp_path, '[[accounts]]\nplatform = "instagram-export"\npath = "export.zip"\nhandle = "someone"\n')
    out = tmp_path / "report.html"
    args = ["run", str(config), "--db", str(tmp_path / "a.db"), "--out", str(out), "--lang", "ko"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    [missing] = [card for card in BeautifulSoup(out.read_text(encoding="utf-8"), "html.parser").select("article.card")
                 if card.select_one(".thumb-missing")]
    note = missing.select_one(".where .note").get_text(" ", strip=True)
    assert note.startswith("내보낸 데이터에 미디어 파일 media/posts/202509/444.jpg") and "export" not in note
