"""The report in a real browser: Debian's headless chromium, driven by Playwright for Python (no browser download).

The page loads nothing and logs no error; hostile captions, file names and EXIF stay text; the filters work, and
without scripts the page reads in its own order; later cards come in once the page has loaded or when something needs
them, and later thumbnails as they near the screen; printing drops the controls; text passes AA contrast; Korean
renders as Hangul glyphs, not as boxes, in Korean fonts with whole words kept on a line; and on a phone cards are one
column and nothing is wider than the screen.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw

from audit.cli import cli
from audit.inventory.db import open_db
from audit.report.page import render_report

from .conftest import copy_demo, jpeg_bytes, write_config
from .test_bidi import bidi_report
from .test_report import _instagram_export, _post

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is missing: pip install -e '.[test]'")
CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is missing: apt-get install chromium")
# No sandbox: CI runs as root in a container. The rest keeps Chromium from calling home.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
# No test waits a fixed time: each waits for what it checks. This timeout only ends a wait for something that never
# comes (a real failure), so it is long: a busy machine makes these tests slower, never failing.
TIMEOUT_MS = 90_000


def payload(n: int) -> str:
    """Markup that, if it ever ran, would set window.pwned to n and open a dialog."""
    return (f'<script>window.pwned={n};alert({n})</script><img src=x onerror="window.pwned={n};alert({n})">'
            f'<a href="javascript:window.pwned={n}">javascript:alert({n})</a>')


def exif_payload_jpeg() -> bytes:
    """A JPEG whose EXIF camera make, model and software are payloads."""
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0131] = payload(4), payload(5), payload(6)
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (90, 90, 160)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture(scope="module")
def inventory(tmp_path_factory) -> Path:
    """Two accounts, five photos: a payload caption with a geotag, a Korean caption with a school and a phone
    number, a plain one, a payload file name with GPS, and payloads in EXIF. Returns the inventory's path."""
    tmp = tmp_path_factory.mktemp("browser")
    export = _instagram_export(tmp / "export", [
        _post("media/posts/1.jpg", payload(1), 1704067200, 37.55, 126.92),
        _post("media/posts/2.jpg", "졸업식 날 한빛여자고등학교 앞에서, 연락은 010-1234-5678", 1706745600),
        _post("media/posts/3.jpg", "lunch", 1709251200),
    ])
    for name, color in (("1.jpg", (200, 30, 30)), ("2.jpg", (30, 200, 30)), ("3.jpg", (200, 200, 30))):
        target = export / "media" / "posts" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(jpeg_bytes(color))
    folder = tmp / "photos"
    folder.mkdir()
    (folder / f"{payload(2).replace('/', '_')}.jpg").write_bytes(jpeg_bytes((30, 30, 200), gps=(37.5, 127.0)))
    (folder / "camera.jpg").write_bytes(exif_payload_jpeg())
    config = write_config(tmp, '[[accounts]]\nplatform = "instagram-export"\npath = "export"\nhandle = "me"\n'
                               '[[accounts]]\nplatform = "folder"\npath = "photos"\naudience = "anyone"\n')
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PHOTO_AUDIT_CACHE", str(tmp / "cache"))
        result = CliRunner().invoke(cli, ["run", str(config), "--db", str(tmp / "a.db"), "--out", str(tmp / "en.html")])
    assert result.exit_code == 0, result.output
    return tmp / "a.db"


@pytest.fixture(scope="module")
def report(inventory) -> Path:
    return inventory.parent / "en.html"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, timeout=TIMEOUT_MS)
        yield browser
        browser.close()


@dataclass
class Visit:
    """A page, and everything it did: console messages, page errors, requests and dialogs."""

    page: object
    console: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def visit(browser, path: Path, javascript: bool = True, idle: bool = True) -> Visit:
    """The page loaded; with `idle` False, the browser never tells the page that it is idle (requestIdleCallback)."""
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 1000, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    if not idle:
        context.add_init_script("window.requestIdleCallback = () => 0;")
    seen = Visit(context.new_page())
    seen.page.on("console", lambda message: seen.console.append(f"{message.type}: {message.text}"))
    seen.page.on("pageerror", lambda error: seen.console.append(f"pageerror: {error}"))
    seen.page.on("request", lambda request: seen.requests.append(request.url))
    seen.page.on("dialog", lambda dialog: (seen.dialogs.append(dialog.message), dialog.dismiss()))
    seen.page.goto(path.as_uri(), wait_until="load")
    return seen


def scroll_to_the_end(page) -> None:
    """Scroll to the end of the page, then wait until it has scrolled and two frames are drawn there."""
    page.mouse.wheel(0, 100_000)  # returns before the page has scrolled
    page.wait_for_function("() => scrollY > 0")
    page.evaluate("() => new Promise(drawn => requestAnimationFrame(() => requestAnimationFrame(drawn)))")


def visible_cards(page) -> int:
    return page.locator("#cards > .card:visible").count()


def test_loads_with_no_console_message_and_no_request_but_itself(browser, report):
    seen = visit(browser, report)
    scroll_to_the_end(seen.page)  # every card drawn on the way
    assert seen.console == []  # a CSP refusal of the inline script would be logged here
    assert seen.page.evaluate("document.getElementById('filters').hidden") is False  # so the script did run
    assert [url for url in seen.requests if not url.startswith("data:")] == [report.as_uri()]


def test_filters_and_sorting_change_what_is_shown(browser, report):
    page = visit(browser, report).page
    count = page.locator("#filter-count")
    assert visible_cards(page) == 5 and count.text_content() == "Showing 5 of 5 photos"
    page.select_option("#filter-account", "folder:photos")
    assert visible_cards(page) == 2 and count.text_content() == "Showing 2 of 5 photos"
    page.select_option("#filter-action", "strip-location")  # the payload file name with GPS
    assert visible_cards(page) == 1
    page.click("button[type=reset]")
    page.wait_for_function("() => document.querySelectorAll('#cards > .card:not([hidden])').length === 5")
    page.select_option("#filter-signal", "caption-text")  # only the Korean caption names a school and a phone
    assert visible_cards(page) == 1
    assert "한빛여자고등학교" in page.locator("#cards > .card:visible").text_content()
    page.select_option("#filter-signal", "")
    page.select_option("#filter-sort", "date")
    dates = page.eval_on_selector_all("#cards > .card", "cards => cards.map(card => card.dataset.date)")
    assert dates[:3] == sorted(dates[:3], reverse=True) and dates[0].startswith("2024-03-01")
    page.select_option("#filter-sort", "order")
    scores = page.eval_on_selector_all("#cards > .card .score", "spans => spans.map(span => +span.textContent)")
    assert scores == sorted(scores, reverse=True)
    page.select_option("#filter-account", "folder:photos")
    hidden = page.eval_on_selector("#cards > .card[hidden]", "card => card.id")
    page.evaluate("id => { location.hash = id; }", hidden)  # a link from the plan to a card the filter hides
    page.wait_for_function("id => !document.getElementById(id).hidden", arg=hidden)
    assert visible_cards(page) == 5


def test_payloads_in_caption_file_name_and_exif_do_not_run(browser, report):
    seen = visit(browser, report)
    page = seen.page
    scroll_to_the_end(page)  # every card rendered, every thumbnail in
    assert page.evaluate("window.pwned") is None and seen.dialogs == [] and seen.console == []
    text = page.locator("#cards").text_content()  # innerText leaves out cards not yet drawn (content-visibility)
    for n in (1, 2, 4, 5, 6):  # caption, file name, EXIF make, model and software: shown as text
        assert f"window.pwned={n}" in text, n
    dom = page.evaluate("""() => ({
        scripts: document.scripts.length,
        handlers: [...document.querySelectorAll('*')].flatMap(el => [...el.attributes].filter(a => a.name.startsWith('on')).map(a => a.name)),
        links: [...document.links].map(a => a.href).filter(href => !/^(https?:|file:)/.test(href)),
    })""")
    assert dom == {"scripts": 1, "handlers": [], "links": []}


def test_without_javascript_the_page_reads_in_report_order(browser, report):
    page = visit(browser, report, javascript=False).page
    assert page.locator("#filters").is_hidden()
    assert page.eval_on_selector_all("#cards > .card", "cards => cards.map(card => +card.dataset.order)") == [0, 1, 2, 3, 4]
    page.locator("#cards img").first.scroll_into_view_if_needed()
    page.wait_for_function("() => [...document.querySelectorAll('#cards img')].every(img => img.complete && img.naturalWidth)")


def _many_photos(path: Path, count: int) -> Path:
    """An inventory of `count` photos with thumbnails, each with a clear face of yours, written directly (no
    analysis): enough cards that the later ones keep their thumbnails in the text block, and as many plan steps."""
    db = open_db(path)
    db["accounts"].insert({"key": "folder:many", "platform": "folder", "display": "many", "handle": None}, pk="key")
    for index in range(count):
        out = io.BytesIO()
        image = Image.new("RGB", (80, 60), (index % 256, 100, 150))
        ImageDraw.Draw(image).text((5, 20), str(index), fill=(255, 255, 255))
        image.save(out, "JPEG")
        photo = f"{index:08x}" * 8  # the first 16 characters name the card (its element id): distinct
        db["photos"].insert({"id": photo, "status": "ok", "media_type": "image", "format": "JPEG", "width": 80, "height": 60})
        db["appearances"].insert({"id": photo[-32:], "photo": photo, "account": "folder:many", "platform": "folder",
                                  "kind": "file", "media_name": f"{index}.jpg", "tagged_users": "[]"})
        db["thumbnails"].insert({"photo": photo, "jpeg": out.getvalue()})
        db["findings"].insert({"id": photo[-32:], "photo": photo, "signal": "faces", "signal_version": 1, "kind": "face_high",
                               "severity": "high", "summary": "Your face", "evidence": json.dumps({"who": "you"})})
    return render_report(db, path.with_suffix(".html"))


def test_later_thumbnails_come_in_near_the_screen_and_for_printing(browser, tmp_path):
    seen = visit(browser, _many_photos(tmp_path / "many.db", 130))
    page = seen.page
    waiting = "document.querySelectorAll('#cards img[data-thumb]').length"
    assert page.evaluate(waiting) == 30  # the first 100 cards carry theirs inline
    last = page.locator("#cards img").last
    assert last.get_attribute("src") is None and last.get_attribute("alt") == "Photo 130: 129.jpg"
    # Scrolled to once, the last card can end up off the screen again: the cards drawn on the way take their real
    # height (content-visibility), and a card off the screen is not drawn, so its thumbnail never intersects. So
    # scroll to it again until its thumbnail is in, as someone reading would.
    page.wait_for_function("""() => {
        const img = document.querySelector('#cards > .card:last-child img');
        if (img.complete && img.naturalWidth === 80) return true;
        img.scrollIntoView({block: 'center'});
        return false;
    }""", polling=100)
    assert 0 < page.evaluate(waiting) < 30  # only those near the screen
    page.evaluate("dispatchEvent(new Event('beforeprint'))")
    assert page.evaluate(waiting) == 0
    assert seen.console == [] and [url for url in seen.requests if not url.startswith("data:")] == [page.url]


CARDS = "[...document.querySelectorAll('#cards .card')].map(card => +card.dataset.order)"
IN_ORDER = list(range(450))
LAST_CARD = "photo-" + f"{449:08x}" * 2


@pytest.fixture(scope="module")
def later_cards(tmp_path_factory) -> Path:
    """450 cards: past the first 200, they wait in two <noscript> blocks; the last one's caption tries to end its
    block early and run a script."""
    path = tmp_path_factory.mktemp("later") / "many.db"
    _many_photos(path, 450)
    db = open_db(path)
    db["appearances"].update(f"{449:08x}" * 4, {"caption": "</noscript>" + payload(7)})
    return render_report(db, path.with_suffix(".html"))


def test_later_cards_come_in_at_once_for_a_link_a_filter_or_printing(browser, later_cards):
    """Past the first 200, cards wait in <noscript> blocks, which the browser reads as text (here it is never idle,
    so they wait until something needs them)."""
    page = visit(browser, later_cards, idle=False).page
    assert page.evaluate(CARDS) == IN_ORDER[:200] and page.locator("#cards > noscript").count() == 2
    assert page.locator("#filter-count").text_content() == "Showing 450 of 450 photos"
    page.evaluate("id => { location.hash = id; }", LAST_CARD)  # a link from the plan
    page.wait_for_function("id => document.getElementById(id)?.getBoundingClientRect().top < innerHeight", arg=LAST_CARD)
    assert page.evaluate(CARDS) == IN_ORDER and page.locator("#cards > noscript").count() == 0
    page = visit(browser, later_cards, idle=False).page
    page.select_option("#filter-action", "keep")  # every card (none is scored)
    assert page.evaluate(CARDS) == IN_ORDER and page.locator("#filter-count").text_content() == "Showing 450 of 450 photos"
    page = visit(browser, later_cards, idle=False).page
    page.evaluate("dispatchEvent(new Event('beforeprint'))")
    assert page.evaluate(CARDS) == IN_ORDER and page.locator("#cards img[data-thumb]").count() == 0


def test_later_cards_come_in_once_the_page_has_loaded_and_read_in_order_without_scripts(browser, later_cards):
    for seen in (visit(browser, later_cards), visit(browser, later_cards, javascript=False)):
        seen.page.wait_for_function(f"() => {CARDS}.length === 450")
        assert seen.page.evaluate(CARDS) == IN_ORDER
        assert "</noscript>" + payload(7) in seen.page.locator("#" + LAST_CARD).text_content()  # as text, never run
        assert seen.page.evaluate("window.pwned") is None and seen.dialogs == [] and seen.console == []


def test_a_long_plans_later_steps_stay_folded_until_printed(browser, tmp_path):
    seen = visit(browser, _many_photos(tmp_path / "many.db", 130))
    folded = seen.page.locator("details.plan-rest")
    assert seen.page.locator("ol.plan > li").count() == 25 and folded.locator("tbody tr").count() == 105
    assert folded.evaluate("details => details.open") is False
    seen.page.evaluate("dispatchEvent(new Event('beforeprint'))")
    assert folded.evaluate("details => details.open") is True
    assert seen.console == []


def test_print_drops_the_controls_and_shows_where_links_go(browser, report):
    page = visit(browser, report).page
    page.emulate_media(media="print")
    assert page.locator("#filters").is_hidden()
    styles = page.evaluate("""() => {
        const card = document.querySelector('.card'), link = document.createElement('a');
        link.href = 'https://www.instagram.com/p/example/';  // a link to an original post (this export has none)
        card.querySelector('.where').append(link);
        const style = (selector, pseudo) => getComputedStyle(card.querySelector(selector), pseudo);
        return {split: getComputedStyle(card).breakInside, after: getComputedStyle(link, '::after').content,
                caption: style('.caption').maxHeight, action: [style('.action').color, style('.action').backgroundColor]};
    }""")
    assert styles["split"] == "avoid" and styles["caption"] == "none"  # a card on one page, its caption in full
    assert styles["after"] == '" (https://www.instagram.com/p/example/)"'
    assert styles["action"] == ["rgb(27, 27, 31)", "rgba(0, 0, 0, 0)"]  # printers drop backgrounds: dark text


# WCAG 2.x contrast: every element with its own text, against the first opaque background behind it.
CONTRAST = """() => {
  const channels = (colour) => colour.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => [r, g, b].map((v) => v / 255).map((v) => v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const behind = (el) => {
    for (; el; el = el.parentElement) {
      const colour = channels(getComputedStyle(el).backgroundColor);
      if (colour.length < 4 || colour[3] > 0) return colour;
    }
    return [255, 255, 255];
  };
  const ratio = (a, b) => { const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x); return (hi + 0.05) / (lo + 0.05); };
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some((node) => node.nodeType === 3 && node.textContent.trim());
    if (!own || el.closest('svg') || !el.getClientRects().length) continue;
    const style = getComputedStyle(el), size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && +style.fontWeight >= 700);
    found.push({tag: el.tagName + '.' + el.className, ratio: ratio(channels(style.color), behind(el)), needed: large ? 3 : 4.5});
  }
  return found;
}"""


def test_text_meets_aa_contrast_and_keyboard_focus_is_visible(browser, report):
    page = visit(browser, report).page
    measured = page.evaluate(CONTRAST)
    assert len(measured) > 50
    assert [m for m in measured if m["ratio"] < m["needed"]] == []
    page.focus("#filter-account")
    page.keyboard.press("Tab")  # keyboard focus, so :focus-visible applies
    ring = page.evaluate("""() => {
        const style = getComputedStyle(document.activeElement);
        return {id: document.activeElement.id, style: style.outlineStyle, width: parseFloat(style.outlineWidth), colour: style.outlineColor};
    }""")
    assert ring["id"] == "filter-action" and ring["style"] == "solid" and ring["width"] >= 2
    assert ring["colour"] == "rgb(31, 78, 140)"  # #1f4e8c: 8.3:1 on white, 8.0:1 on the page


def test_controls_have_labels_images_have_alt_text_and_headings_nest(browser, report):
    page = visit(browser, report).page
    found = page.evaluate("""() => ({
        unlabelled: [...document.querySelectorAll('select, input, button:not([type=reset])')].filter(c => !c.labels.length).map(c => c.id),
        no_alt: [...document.images].filter(img => !img.alt.trim()).length,
        levels: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => +h.tagName[1]),
    })""")
    assert found["unlabelled"] == [] and found["no_alt"] == 0
    levels = found["levels"]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels  # no level skipped on the way down


# The x of each character of `root`, a list per line (characters at one height), in the order of the text.
CHARACTER_XS = """(root) => {
  const lines = new Map();
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = range.getBoundingClientRect();
      if (!node.data[i].trim() || !rect.width) continue;
      const line = lines.get(Math.round(rect.top)) || lines.set(Math.round(rect.top), {text: "", xs: []}).get(Math.round(rect.top));
      line.text += node.data[i];
      line.xs.push(rect.left);
    }
  }
  return [...lines.values()];
}"""


def test_a_right_to_left_override_in_a_name_or_caption_reorders_nothing(browser, tmp_path):
    """The report holds only left-to-right text, so every line must read left to right: an override in a file name
    or a caption, left raw, would turn what follows it around ("photo\\u202egpj.exe" shows as "photoexe.jpg")."""
    page = visit(browser, bidi_report(tmp_path)).page
    page.emulate_media(media="print")  # every section laid out (content-visibility), so every line is measured
    page.evaluate("document.querySelectorAll('details').forEach(details => { details.open = true; })")  # as printing does
    lines = page.locator("main").evaluate(CHARACTER_XS)
    assert any("photo⟨U+202E⟩gpj.exe" in line["text"] for line in lines)
    assert [line["text"] for line in lines if line["xs"] != sorted(line["xs"])] == []


HANGUL = re.compile(r"[가-힣]")


def test_korean_page_renders_hangul_glyphs(browser, inventory):
    """A screenshot of Korean text must differ from the same element with each Hangul syllable replaced by a
    character that no font has (U+0378 is unassigned): if Hangul had no font, both would show the same empty boxes.
    It must differ too from the same element with the syllables replaced by drawn squares (U+25A1)."""
    fonts = subprocess.run(["fc-list", ":lang=ko", "family"], capture_output=True, text=True).stdout
    assert fonts.strip(), "no Korean font: .ci/run installs fonts-nanum"
    page = visit(browser, render_report(open_db(inventory), inventory.parent / "ko.html", lang="ko")).page
    assert page.evaluate("document.documentElement.lang") == "ko"
    for selector in ("h1", "#cards .caption"):  # the translated title, and a caption as the user wrote it
        element = page.locator(selector).filter(has_text=HANGUL).first.element_handle()
        text = element.text_content()
        assert HANGUL.search(text), selector
        shots = []
        for stand_in in ("", "\u0378", "\u25a1"):
            element.evaluate("(el, text) => { el.textContent = text; }", HANGUL.sub(stand_in, text) if stand_in else text)
            shots.append(element.screenshot())
        glyphs, boxes, squares = shots
        assert not glyphs == boxes, f"{selector}: Hangul is drawn as empty boxes (no Korean font)"
        assert not glyphs == squares, f"{selector}: Hangul is drawn as squares"


# Phones (issue 14): at 390 px nothing is wider than the screen. Every element of `main` must lie within the screen,
# but a table may scroll inside its own .table-wrap; every element of a card within its card. Cards and sections off
# the screen are laid out first (content-visibility: auto skips them), so that every one is measured.
OUTSIDE = """() => {
  for (const el of document.querySelectorAll('main > section, .card')) el.style.contentVisibility = 'visible';
  const name = (el) => el.tagName + (el.className && typeof el.className === 'string' ? '.' + el.className : '') + ' ' + (el.textContent || '').trim().slice(0, 40);
  const found = [];
  for (const el of document.querySelectorAll('main *')) {
    const rect = el.getBoundingClientRect();
    if (!rect.width || el.closest('.table-wrap, noscript')) continue;
    if (rect.left < -0.5 || rect.right > innerWidth + 0.5) found.push('off the screen: ' + name(el));
    const card = el.closest('.card');
    if (card) {
      const box = card.getBoundingClientRect();
      if (rect.left < box.left - 0.5 || rect.right > box.right + 0.5) found.push('out of its card: ' + name(el));
    }
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).display !== 'inline') found.push('clipped: ' + name(el));
  }
  return {found, page: document.documentElement.scrollWidth, screen: innerWidth,
          tables: [...document.querySelectorAll('.table-wrap')].filter(wrap => wrap.scrollWidth > wrap.clientWidth + 1).length};
}"""


def on_a_phone(browser, path: Path, width: int = 390):
    context = browser.new_context(viewport={"width": width, "height": 844})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(path.as_uri(), wait_until="load")
    return page


@pytest.fixture(scope="module")
def demo_reports(analysed_demo, tmp_path_factory) -> dict[str, Path]:
    """The demo persona's report in English and in Korean."""
    tmp = tmp_path_factory.mktemp("demo")
    db = open_db(copy_demo(analysed_demo, tmp))
    return {"en": tmp / "demo.html", "ko": render_report(db, tmp / "ko.html", lang="ko")}


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_on_a_phone_cards_and_plan_fit_the_screen(browser, demo_reports, lang):
    for width in (360, 390, 430):
        page = on_a_phone(browser, demo_reports[lang], width)
        assert page.evaluate("document.documentElement.lang") == lang
        measured = page.evaluate(OUTSIDE)
        assert measured["found"] == [] and measured["page"] <= measured["screen"] == width
        assert measured["tables"] == 0  # the demo's tables fit without scrolling
        if width == 390:  # one column: the thumbnail above the text, as wide as the card allows
            card = page.evaluate("""() => {
                const card = document.querySelector('#cards > .card'), [thumb, text] = card.children;
                const a = thumb.getBoundingClientRect(), b = text.getBoundingClientRect();
                return {above: a.bottom <= b.top, text: b.width, card: card.clientWidth};
            }""")
            assert card["above"] and card["text"] > card["card"] * 0.8
        page.context.close()


def test_on_a_phone_a_large_report_fits_the_screen(browser, tmp_path):
    """A thousand photos: later cards come in as text (noscript), and the plan's later steps are a table of eight
    columns, which must fit (or scroll by itself, never the page)."""
    page = on_a_phone(browser, _many_photos(tmp_path / "many.db", 1000))
    page.wait_for_function(f"() => {CARDS}.length === 1000")
    page.evaluate("document.querySelector('details.plan-rest').open = true")
    measured = page.evaluate(OUTSIDE)
    assert measured["found"] == [] and measured["page"] <= measured["screen"] == 390
    page.context.close()


def test_on_a_desktop_a_card_keeps_its_thumbnail_beside_its_text(browser, demo_reports):
    page = visit(browser, demo_reports["en"]).page
    side = page.evaluate("""() => {
        const [thumb, text] = document.querySelector('#cards > .card').children;
        return thumb.getBoundingClientRect().right < text.getBoundingClientRect().left;
    }""")
    assert side and page.evaluate(OUTSIDE)["found"] == []


TYPESETTING = """() => {
  const style = (el) => { const s = getComputedStyle(el); return {wordBreak: s.wordBreak, overflowWrap: s.overflowWrap,
    fontFamily: s.fontFamily, lineHeight: parseFloat(s.lineHeight) / parseFloat(s.fontSize)}; };
  return {body: style(document.body), reason: style(document.querySelector('#cards ul.reasons li')),
          summary: style(document.querySelector('.supply'))};
}"""


def test_korean_is_set_in_korean_fonts_with_whole_words(browser, demo_reports):
    korean = visit(browser, demo_reports["ko"]).page.evaluate(TYPESETTING)
    for where, style in korean.items():
        assert style["wordBreak"] == "keep-all", where
        assert style["overflowWrap"] in ("break-word", "anywhere"), where  # a long token still wraps
        assert style["fontFamily"].startswith('"Noto Sans CJK KR", "Noto Sans KR", NanumGothic'), where
        assert 1.6 <= style["lineHeight"] <= 1.8, where
    english = visit(browser, demo_reports["en"]).page.evaluate(TYPESETTING)
    for where, style in english.items():
        assert style["wordBreak"] != "keep-all" and style["fontFamily"].startswith("system-ui"), where


# A first screen that says what to do (issue 14): the summary paragraph, then the plan's first step, with its heading on
# the first screen of a laptop (1280x800) and all of it within two screens of a phone (390x844), with or without scripts.
FIRST_STEP = """() => {
  const step = document.getElementById('plan-step-1'), box = step.getBoundingClientRect();
  return {heading: step.querySelector('h3').getBoundingClientRect().top, top: box.top, bottom: box.bottom,
          summary: document.querySelector('p.supply').getBoundingClientRect().bottom,
          steps: [...document.querySelectorAll('ol.plan > li')].map(li => li.id)};
}"""


@pytest.mark.parametrize("javascript", [True, False], ids=["scripts", "no-scripts"])
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_first_screen_shows_the_summary_then_the_first_step(browser, demo_reports, lang, javascript):
    for width, height in ((1280, 800), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height}, java_script_enabled=javascript)
        page = context.new_page()
        page.goto(demo_reports[lang].as_uri(), wait_until="load")
        found = page.evaluate(FIRST_STEP)
        assert found["summary"] < found["top"], (width, found)  # the summary first, then the plan
        if width == 1280:
            assert found["heading"] < height, found
        else:
            assert found["bottom"] <= 2 * height, found
        assert found["steps"] == [f"plan-step-{n}" for n in range(1, len(found["steps"]) + 1)]  # in plan order
        context.close()


CHECKLIST = """() => {
  const list = document.querySelector('.checklist'), box = (li) => getComputedStyle(li, '::before');
  return {shown: getComputedStyle(list).display !== 'none', after: getComputedStyle(list).breakAfter,
          lines: [...list.querySelectorAll('li')].map(li => ({text: li.textContent.trim(), height: li.getBoundingClientRect().height,
            box: [box(li).content, parseFloat(box(li).borderTopWidth), parseFloat(box(li).width), box(li).borderTopStyle]})),
          first: list.getBoundingClientRect().top < document.querySelector('ol.plan').getBoundingClientRect().top,
          lineHeight: parseFloat(getComputedStyle(list.querySelector('li')).lineHeight)};
}"""


def test_printing_gives_a_checklist_of_every_step_with_a_box_to_tick(browser, tmp_path):
    """Forty steps: 25 told in full and 15 in the folded table on screen; on paper, all forty on a line each, first."""
    page = visit(browser, _many_photos(tmp_path / "many.db", 40)).page
    steps = page.locator("ol.plan > li").count() + page.locator("details.plan-rest tbody tr").count()
    assert steps == 40 and page.evaluate(CHECKLIST)["shown"] is False  # on screen, the steps are told once
    page.emulate_media(media="print")
    printed = page.evaluate(CHECKLIST)
    assert printed["shown"] and printed["first"] and printed["after"] == "page"
    assert [line["text"].split(".", 1)[0] for line in printed["lines"]] == [str(n) for n in range(1, 41)]
    for line in printed["lines"]:
        content, border, width, style = line["box"]
        assert content == '""' and border >= 1 and width > 5 and style == "solid", line  # an empty box, drawn
        assert line["height"] < 2.5 * printed["lineHeight"], line  # a line each (a long one may wrap once)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_demo_report_keeps_headings_in_order_alt_text_contrast_and_focus(browser, demo_reports, lang):
    page = visit(browser, demo_reports[lang]).page
    found = page.evaluate("""() => ({
        no_alt: [...document.images].filter(img => !img.alt.trim()).map(img => img.className),
        thumbs: document.querySelectorAll('img.step-thumb').length,
        levels: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => +h.tagName[1]),
    })""")
    assert found["no_alt"] == [] and found["thumbs"] > 0
    levels = found["levels"]
    assert levels.count(1) == 1 and levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
    measured = page.evaluate(CONTRAST)
    assert [m for m in measured if m["ratio"] < m["needed"]] == []
    page.focus("details.plan-about > summary")
    page.keyboard.press("Tab")  # from the plan's summary line to the first step's link to its card
    ring = page.evaluate("""() => {
        const style = getComputedStyle(document.activeElement);
        return {href: document.activeElement.getAttribute('href'), style: style.outlineStyle, width: parseFloat(style.outlineWidth)};
    }""")
    assert ring["href"].startswith("#photo-") and ring["style"] == "solid" and ring["width"] >= 2
