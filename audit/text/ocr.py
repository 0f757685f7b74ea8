"""Reading text in a photo with tesseract, in Korean and English: where it is worth reading, and what it read.

Tesseract costs a tenth of a second to start and about a second per megapixel it is shown, where the
rest of the analysis costs tens of milliseconds a photo. So `layout.where_to_read`, the one place that
decides, first looks for lines of letters on a 640-px picture (about 25 ms); a photo without one is
not read at all. `read_regions` then reads only those lines: each cut out, scaled to the height
tesseract reads best, made black on white at its own threshold, and stacked into one small sheet for
one tesseract run. COST records what it spent (benchmarks/ocr.py prints it). Tesseract comes from
Debian (tesseract-ocr, tesseract-ocr-kor); pytesseract and scipy are imported only when needed.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from PIL import Image

from ..errors import InputError
from .layout import Region

LANGUAGES = "kor+eng"
# Page segmentation 4, "a single column of text of variable sizes": what the sheet of stacked lines is.
# On 406 facts planted in 165 generated photos (tests and benchmarks/ocr.py, three seeds), mode 4 read
# 397, mode 6 (one uniform block) 395, mode 11 (sparse text, which whole photos needed) 394.
TESSERACT_CONFIG = "--psm 4"
OCR_TIMEOUT = 60  # seconds for one photo; a photo that takes longer is recorded as an error

# --- How to read ---------------------------------------------------------------------------------
# Lines are cut from the photo reduced to OCR_SIDE and scaled to LINE_PX high, a Latin x-height of about
# 24 px (of the 406 facts, 40 px read 396, 48 px 397, 56 px 385; whole 1600-px photos at one threshold,
# as before, 375), but at most MAX_UPSCALE times (a 320-px profile photo gains nothing from more); they
# are stacked GAP_PX apart, a page full of text at most at MAX_READ_PIXELS, whole photos' old size.
OCR_SIDE = 1600
LINE_PX = 48
MAX_UPSCALE = 3.0
GAP_PX = 24
MAX_READ_PIXELS = 1600 * 1600
# Tesseract's confidence (0-100) below which a word is dropped. Real text in the generated photos read
# at 74-97; the strokes it imagines in foliage, fur and sky mostly score under 60.
MIN_WORD_CONF = 60
# A word of letters next to at least two words of the same script and case read at SURE_CONF or more is kept
# down to MIN_NAME_CONF (_trusted): a name on a cake read at 28 beside words at 93-96.
MIN_NAME_CONF = 20
SURE_CONF = 85
# Within one of tesseract's lines, its own spacing is kept. Two of its lines side by side are joined
# into one word when Hangul meets Hangul across a gap under this share of the height: at 1080 px it
# cut 한빛고등학교 into 한빛고등 | 학교, 2 px apart at 19 px high (its word spaces were 8-9 px).
JOIN_GAP = 0.3
# Words further apart than this many line heights belong to different lines (columns, two signs).
SPLIT_GAP = 2.0

HANGUL = re.compile(r"[가-힣]")
HANGUL_WORD = re.compile(r"[가-힣]+")


@dataclass
class Cost:
    """What OCR cost in this process, for benchmarks/ocr.py and anyone curious."""

    read_seconds: list[float] = field(default_factory=list)  # per photo read: decode, tesseract, matching
    check_seconds: list[float] = field(default_factory=list)  # per photo checked by where_to_read
    skipped: Counter = field(default_factory=Counter)  # photos not read, by reason


COST = Cost()


@dataclass(frozen=True)
class Word:
    text: str
    conf: float
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels of the image read
    order: int  # position in tesseract's reading order
    # Tesseract wrote it right after the word before, with no space (2학년); None: first of its line.
    glued: bool | None


@dataclass
class Line:
    """Words side by side, joined into text that the rules can read; starts[i] is words[i]'s offset."""

    words: list[Word]
    text: str = ""
    starts: list[int] = field(default_factory=list)


def tesseract_status() -> tuple[str | None, str]:
    """(why OCR cannot run, or None; tesseract's version line)."""
    try:
        from pytesseract import pytesseract
    except ImportError:
        return "the Python package pytesseract is not installed (pip install pytesseract)", ""
    packages = " ".join(f"tesseract-ocr-{lang}" for lang in LANGUAGES.split("+"))
    try:
        langs = subprocess.run([pytesseract.tesseract_cmd, "--list-langs"], capture_output=True, text=True, timeout=30)
        version = subprocess.run([pytesseract.tesseract_cmd, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return f"the tesseract program is not installed (Debian: apt install tesseract-ocr {packages})", ""
    missing = [lang for lang in LANGUAGES.split("+") if lang not in langs.stdout.split()]
    if missing:
        names = " ".join(f"tesseract-ocr-{lang}" for lang in missing)
        return f"tesseract has no {'+'.join(missing)} language data (Debian: apt install {names})", ""
    return None, (version.stdout.splitlines() or ["tesseract"])[0].strip()


def read_regions(image: Image.Image, regions: list[Region], scale: float) -> list[list[Word]]:
    """Tesseract's lines in `regions` of `image` (`scale` times the pre-check picture), boxes in `image`'s pixels.

    Each region is cut out, scaled so that its lines are LINE_PX high, made black on white, and pasted
    under the last into one sheet: one tesseract start for the photo, and only text-sized pixels to read.
    """
    if not regions:
        return []
    grey = image.convert("L")
    pieces = [_piece(grey, region, scale) for region in regions]
    shrink = min(1.0, (MAX_READ_PIXELS / sum(p.width * p.height for p, _, _ in pieces)) ** 0.5)  # a page of text
    if shrink < 1:
        pieces = [(p.resize((max(1, round(p.width * shrink)), max(1, round(p.height * shrink)))), o, f * shrink)
                  for p, o, f in pieces]
    width, height = max(p.width for p, _, _ in pieces), sum(p.height + GAP_PX for p, _, _ in pieces)
    sheet = Image.new("L", (width + 2 * GAP_PX, height + GAP_PX), 255)
    places, y = [], GAP_PX
    for piece, origin, factor in pieces:
        sheet.paste(piece, (GAP_PX, y))
        places.append((y + piece.height + GAP_PX / 2, (GAP_PX, y), origin, factor))
        y += piece.height + GAP_PX
    return [[_placed(word, places) for word in line] for line in read_words(sheet)]


def _piece(grey: Image.Image, region: Region, scale: float) -> tuple[Image.Image, tuple[int, int], float]:
    """The region cut from `grey`, scaled and thresholded on its own (one threshold for a whole photo lost
    white letters on a dark sign); where it was cut, and by what it was scaled."""
    x0, y0 = max(0, round(region.box[0] * scale)), max(0, round(region.box[1] * scale))
    x1, y1 = min(grey.width, round(region.box[2] * scale)), min(grey.height, round(region.box[3] * scale))
    factor = min(LINE_PX / (region.height * scale), MAX_UPSCALE)
    size = (max(1, round((x1 - x0) * factor)), max(1, round((y1 - y0) * factor)))
    pixels = np.asarray(grey.crop((x0, y0, x1, y1)).resize(size, Image.LANCZOS))
    ink = pixels > otsu_threshold(pixels) if region.light else pixels <= otsu_threshold(pixels)
    ink = _without_cut_shapes(ink, (x0 > 0, y0 > 0, x1 < grey.width, y1 < grey.height))
    return Image.fromarray(np.where(ink, 0, 255).astype(np.uint8)), (x0, y0), factor


def _without_cut_shapes(ink: np.ndarray, cut: tuple[bool, bool, bool, bool]) -> np.ndarray:
    """Ink less the shapes that the sides cut through the photo (left, top, right, bottom) touch: the
    edge of a sign, a table's grain, a cup. Tesseract read a hatched edge beside "Hanbit" into the word."""
    from scipy import ndimage

    labels, _ = ndimage.label(ink)
    sides = (labels[:, 0], labels[0, :], labels[:, -1], labels[-1, :])
    touching = np.unique(np.concatenate([side for side, was_cut in zip(sides, cut) if was_cut] or [np.zeros(0, int)]))
    return ink & ~np.isin(labels, touching[touching > 0])


def _placed(word: Word, places: list) -> Word:
    """The word's box moved from the sheet back into the photo. `places`, top to bottom: (where a piece's
    share of the sheet ends, where it was pasted, where it was cut from the photo, its scale)."""
    middle = (word.box[1] + word.box[3]) / 2
    _, (px, py), (ox, oy), factor = next((p for p in places if middle < p[0]), places[-1])
    x0, y0, x1, y1 = word.box
    box = (ox + (x0 - px) / factor, oy + (y0 - py) / factor, ox + (x1 - px) / factor, oy + (y1 - py) / factor)
    return replace(word, box=tuple(round(v) for v in box))


def otsu_threshold(pixels: np.ndarray) -> int:
    """The grey level that best splits the picture into two classes (Otsu, 1979)."""
    share = np.bincount(pixels.ravel(), minlength=256) / pixels.size
    below = np.cumsum(share)  # share of pixels at or under each level
    mean_below = np.cumsum(share * np.arange(256))
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean_below[-1] * below - mean_below) ** 2 / (below * (1 - below))
    return int(np.argmax(np.nan_to_num(between, nan=0.0, posinf=0.0)))  # one grey level: 0


def read_words(image: Image.Image) -> list[list[Word]]:
    """Tesseract's lines, each the words it read with at least MIN_WORD_CONF. InputError if it fails.

    One run writes both the plain text, which has tesseract's own spacing (it reads 2학년 as the
    words 2, 학, 년 written together), and the TSV table, which has each word's box and confidence.
    """
    from pytesseract import pytesseract

    # One thread: with two, a busy 2-core machine took 0.3-6 s where one took 0.2-0.35 s (OpenMP spins).
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    config = f"-c tessedit_create_tsv=1 {TESSERACT_CONFIG}"
    try:
        with pytesseract.save(image) as (base, path):
            pytesseract.run_tesseract(path, base, "txt", LANGUAGES, config, timeout=OCR_TIMEOUT)
            text = Path(f"{base}.txt").read_text(encoding="utf-8")
            table = Path(f"{base}.tsv").read_text(encoding="utf-8")
    except (RuntimeError, OSError) as exc:  # TesseractError, the timeout, a tesseract gone mid-run
        raise InputError(f"text in the photo could not be read: {exc}") from exc
    return _parse(table, unicodedata.normalize("NFC", text))


def _parse(table: str, text: str) -> list[list[Word]]:
    """Words from the TSV rows (level 5), grouped by tesseract line, with spacing taken from `text`."""
    lines: dict[tuple[str, ...], list[Word]] = {}
    position, previous_key = 0, None
    for order, row in enumerate(table.splitlines()[1:]):
        cells = row.split("\t", 11)
        word = unicodedata.normalize("NFC", cells[11].strip()) if len(cells) == 12 and cells[0] == "5" else ""
        if not word:
            continue
        key = tuple(cells[1:5])  # page, block, paragraph, line
        found = text.find(word, position)
        glued = None if key != previous_key else found == position > 0
        previous_key = key
        if found >= 0 and not text[position:found].strip():
            position = found + len(word)
        left, top, width, height = (int(cell) for cell in cells[6:10])
        if any(char.isalnum() for char in word):
            lines.setdefault(key, []).append(
                Word(word, float(cells[10]), (left, top, left + width, top + height), order, glued)
            )
    return [kept for line in lines.values() if (kept := [w for w in line if _trusted(w, line)])]


def _trusted(word: Word, line: list[Word]) -> bool:
    """At MIN_WORD_CONF, or a word of letters like two others of its line that read surely. Tesseract doubts the
    one word it has no dictionary entry for, often a name: "HAPPY 20TH BIRTHDAY MINJI" read 96 96 93 28. Its
    imagined strokes in foliage or fur are rarely whole words of one script and case next to sure ones."""
    if word.conf >= MIN_WORD_CONF:
        return True
    shape = _letter_shape(word.text)
    if shape is None or word.conf < MIN_NAME_CONF:
        return False
    sure = [w for w in line if w is not word and w.conf >= SURE_CONF and _letter_shape(w.text) == shape]
    return len(sure) >= 2


def _letter_shape(text: str) -> str | None:
    """"upper", "lower", "title" or "hangul" for a word of two or more letters of one kind; None otherwise."""
    if len(text) < 2:
        return None
    if HANGUL_WORD.fullmatch(text):
        return "hangul"
    if not text.isascii() or not text.isalpha():
        return None
    return "upper" if text.isupper() else "lower" if text.islower() else "title" if text.istitle() else None


def lines_of(fragments: list[list[Word]]) -> list[Line]:
    """Tesseract's lines, put together where they sit side by side in the photo: it often cuts one printed
    line into several (한빛고등 | 학교), and a line found as two stretches is read as two."""
    rows: list[list[list[Word]]] = []
    for fragment in sorted(fragments, key=lambda f: _centre_y(f)):
        row = next((r for r in rows if box_of(r[0])[1] <= _centre_y(fragment) <= box_of(r[0])[3]), None)
        if row is None:
            rows.append([fragment])
        else:
            row.append(fragment)
    lines = []
    for row in rows:
        row.sort(key=lambda f: box_of(f)[0])
        height = statistics.median(w.box[3] - w.box[1] for f in row for w in f)
        line = Line(list(row[0]))
        for fragment in row[1:]:
            if box_of(fragment)[0] - line.words[-1].box[2] > SPLIT_GAP * height:
                lines.append(line)
                line = Line(list(fragment))
            else:
                line.words.extend(fragment)
        lines.append(line)
    for line in lines:
        _join(line)
    return lines


def box_of(words: list[Word]) -> tuple[int, int, int, int]:
    return (
        min(w.box[0] for w in words), min(w.box[1] for w in words),
        max(w.box[2] for w in words), max(w.box[3] for w in words),
    )


def _centre_y(words: list[Word]) -> float:
    box = box_of(words)
    return (box[1] + box[3]) / 2


def _join(line: Line) -> None:
    """Tesseract's spacing within what it read as one run of words; between runs, the gap decides."""
    height = statistics.median(w.box[3] - w.box[1] for w in line.words)
    text = ""
    for previous, word in zip([None, *line.words], line.words):
        if previous is not None:
            if word.order == previous.order + 1 and word.glued is not None:
                together = word.glued
            else:
                close = word.box[0] - previous.box[2] < JOIN_GAP * height
                together = close and bool(HANGUL.match(previous.text[-1]) and HANGUL.match(word.text[0]))
            text += "" if together else " "
        line.starts.append(len(text))
        text += word.text
    line.text = text
