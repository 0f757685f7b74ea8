"""Bidi-safe text (issue 11): a right-to-left override in a file name or a caption cannot reorder the report's words.

A browser shows "photo\\u202egpj.exe" as "photoexe.jpg", and an override left open in a caption runs on into
what follows it. The report shows each bidi control as a visible marker, and every piece of metadata sits in
its own <bdi>; the terminal strips them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, NavigableString
from click.testing import CliRunner

from audit.cli import cli
from audit.text.fix import bidi_visible, for_terminal, isolated

from .conftest import jpeg_bytes, write_config
from .test_report import _instagram_export, _post

RLO = "\u202e"
NAME = f"media/posts/photo{RLO}gpj.exe"  # the post's media: a browser would show ".../photoexe.jpg"
SHOWN_NAME = "media/posts/photo⟨U+202E⟩gpj.exe"
CAPTION = f"cafe {RLO}near school"  # an override left open, at the end of the caption
FOLDER_FILE = "me\u2067x\u2069\u200f\u061c.jpg"  # an isolate and the two marks, in a folder's file name
# Every bidi control, written out here rather than taken from audit.text.fix: the test says what the rule is.
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def bidi_report(tmp_path: Path) -> Path:
    """A report of one geotagged post named NAME with CAPTION, and a folder file named FOLDER_FILE."""
    export = _instagram_export(tmp_path / "export", [_post(NAME, CAPTION, 1704067200, 37.55, 126.92)])
    (export / NAME).parent.mkdir(parents=True)
    (export / NAME).write_bytes(jpeg_bytes((200, 30, 30)))
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / FOLDER_FILE).write_bytes(jpeg_bytes((30, 30, 200), gps=(37.5, 127.0)))
    config = write_config(tmp_path, '[[accounts]]\nplatform = "instagram-export"\npath = "export"\nhandle = "me"\n'
                                    '[[accounts]]\nplatform = "folder"\npath = "photos"\naudience = "anyone"\n')
    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["run", str(config), "--db", str(tmp_path / "a.db"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> str:
    tmp = tmp_path_factory.mktemp("bidi")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PHOTO_AUDIT_CACHE", str(tmp / "cache"))
        return bidi_report(tmp).read_text(encoding="utf-8")


def test_bidi_controls_show_as_markers_and_never_raw(html):
    assert BIDI.search(html) is None
    soup = BeautifulSoup(html, "html.parser")
    assert any(SHOWN_NAME in where.get_text() for where in soup.select("article .where"))
    assert "cafe ⟨U+202E⟩near school" in [div.get_text() for div in soup.select(".caption")]
    assert "me⟨U+2067⟩x⟨U+2069⟩⟨U+200F⟩⟨U+061C⟩.jpg" in html
    assert any(SHOWN_NAME in img["alt"] for img in soup.select("img[alt]"))  # no element fits an attribute


def test_every_name_and_caption_shown_is_isolated(html):
    soup = BeautifulSoup(html, "html.parser")
    shown = [text for text in soup.find_all(string=re.compile(r"gpj\.exe|near school|\.jpg")) if isinstance(text, NavigableString)]
    assert [text for text in shown if text.find_parent("bdi") is None] == []
    # the photo cards (where each is posted, the caption), the plan's steps and the exif and location sections
    assert len(shown) >= 7, shown
    assert soup.select_one("#plan ~ ol.plan h3 a bdi") is not None


def test_the_terminal_strips_every_bidi_control():
    controls = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    assert BIDI.search(for_terminal(f"photo{controls}gpj.exe")) is None


def test_markers_name_each_control_and_the_isolate_escapes():
    assert bidi_visible(f"a{RLO}b\u061c") == "a⟨U+202E⟩b⟨U+061C⟩"
    assert str(isolated(f"<b>{RLO}")) == "<bdi>&lt;b&gt;⟨U+202E⟩</bdi>"
    assert isolated(None) == ""
