"""Reading text in a photo with tesseract, in Korean and English: where it is worth reading, and what it read.

OCR costs about half a second a photo where the rest of the analysis costs tens of milliseconds, so
it runs only where text can be: `skip_reason` is the one place that decides. COST records what it
spent (benchmarks/ocr.py prints it). Tesseract comes from Debian (tesseract-ocr, tesseract-ocr-kor);
pytesseract is imported only when needed.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from ..errors import InputError
from ..faces import detect as facedetect

LANGUAGES = "kor+eng"
# Page segmentation 11, "sparse text": text scattered over a picture, in no set order. The default (3,
# a page of columns) read nothing at all on a generated ID card that mode 11 read word for word.
TESSERACT_CONFIG = "--psm 11"
OCR_TIMEOUT = 60  # seconds for one photo; a photo that takes longer is recorded as an error

# --- Where to read: the numbers behind skip_reason -------------------------------------------------
PRECHECK_SIDE = 640  # the photo is first reduced to this (greyscale) to look for strokes
EDGE_STEP = 48  # a jump of this much grey (of 255) between neighbouring pixels is a stroke's edge
BLOCK = 16  # pixels per side of the blocks that edges are counted in
# Share of a block's pixels on an edge that makes it look like text: several strokes cross it. At
# 640 px, generated photos with text (16-18 px letters in a 1080 px photo and up) had a busiest block
# of 0.34-0.69; smooth scenes (a gradient, the cat, the flower) 0-0.12, soft face close-ups 0-0.06.
# Textured scenes (foliage, buildings, a table's grain) pass too and are read: that costs time, not
# findings.
TEXT_BLOCK_EDGES = 0.2
FACE_CHECK_SIDE = 320  # a close-up's face is huge: found at this size in about 15 ms
# A face whose box covers this share of the frame (half its width and half its height) leaves only a
# border of hair, shoulders and background around it: too little room for text worth reading.
CLOSE_UP_SHARE = 0.25

# --- How to read ---------------------------------------------------------------------------------
# Photos are scaled to this longest side for tesseract (feed images, 1080 px, up; camera originals
# down), then made black and white at one Otsu threshold. Tesseract recognises letters from the grey
# picture, and upscaled JPEG text threw it: "연락처 010-1234-5678" came back as "연릭져 (010 | 2 74 26 8"
# at 1600 px, right at 1080 and 1400. Measured on 60 generated JPEGs (text lines on a plain background,
# 24-56 px letters in 640-1080 px photos; an ID card with 16-36 px letters lying on real scenes), 228
# planted facts, mean time per photo on this 2-core machine:
#   grey, 1600 px: 181 read, 0.54 s      black and white, 1080 px: 164, 0.29 s
#   local (Sauvola) threshold, 1600 px: 182, 0.72 s      Otsu, 1300 px: 182, 0.34 s
#   Otsu, 1600 px: 204, 0.38 s           Otsu, 2000 px: 197, 0.46 s
OCR_SIDE = 1600
MAX_UPSCALE = 3.0  # small pictures (profile photos, 320 px) gain nothing from more
# Tesseract's confidence (0-100) below which a word is dropped. Real text in the generated photos read
# at 74-97; the strokes it imagines in foliage, fur and sky mostly score under 60.
MIN_WORD_CONF = 60
# Within one of tesseract's lines, its own spacing is kept. Two of its lines side by side are joined
# into one word when Hangul meets Hangul across a gap under this share of the height: at 1080 px it
# cut 한빛고등학교 into 한빛고등 | 학교, 2 px apart at 19 px high (its word spaces were 8-9 px).
JOIN_GAP = 0.3
# Words further apart than this many line heights belong to different lines (columns, two signs).
SPLIT_GAP = 2.0

HANGUL = re.compile(r"[가-힣]")


@dataclass
class Cost:
    """What OCR cost in this process, for benchmarks/ocr.py and anyone curious."""

    read_seconds: list[float] = field(default_factory=list)  # per photo read: decode, tesseract, matching
    check_seconds: list[float] = field(default_factory=list)  # per photo checked by skip_reason
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


def skip_reason(small: Image.Image) -> str | None:
    """Why reading this photo would be wasted, or None to read it: the one place that decides.

    `small` is the photo reduced to PRECHECK_SIDE. Cheapest test first:
    1. "no text-like strokes": no block of the greyscale picture is crossed by enough sharp edges to
       hold letters (about 5 ms). Smooth scenes, skies, blurred backgrounds and soft close-ups stop here.
    2. "face close-up": one face covers CLOSE_UP_SHARE of the frame (about 15 ms at 320 px), the
       selfie whose eyelashes and hair passed test 1. Without the face detector, this test is left out.
    """
    grey = np.asarray(small.convert("L"), dtype=np.int16)
    edges = np.zeros(grey.shape, dtype=bool)
    edges[:, 1:] |= np.abs(np.diff(grey, axis=1)) > EDGE_STEP
    edges[1:, :] |= np.abs(np.diff(grey, axis=0)) > EDGE_STEP
    rows, cols = grey.shape[0] // BLOCK, grey.shape[1] // BLOCK
    if rows == 0 or cols == 0:
        return "too small to hold text"
    blocks = edges[: rows * BLOCK, : cols * BLOCK].reshape(rows, BLOCK, cols, BLOCK).mean(axis=(1, 3))
    if blocks.max() < TEXT_BLOCK_EDGES:
        return "no text-like strokes"
    faces_image = small.convert("RGB")
    faces_image.thumbnail((FACE_CHECK_SIDE, FACE_CHECK_SIDE))
    try:
        faces = facedetect.detect(faces_image)
    except facedetect.DetectorMissing:
        return None
    frame = faces_image.width * faces_image.height
    if any((f.box[2] - f.box[0]) * (f.box[3] - f.box[1]) >= CLOSE_UP_SHARE * frame for f in faces):
        return "face close-up"
    return None


def prepare_for_ocr(image: Image.Image) -> Image.Image:
    """Black and white, scaled so that the longest side is OCR_SIDE (upscaled at most MAX_UPSCALE times)."""
    grey = image.convert("L")
    factor = min(OCR_SIDE / max(grey.size), MAX_UPSCALE)
    if factor > 1:
        grey = grey.resize((round(grey.width * factor), round(grey.height * factor)), Image.LANCZOS)
    pixels = np.asarray(grey)
    return Image.fromarray(np.where(pixels > otsu_threshold(pixels), 255, 0).astype(np.uint8))


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
        if float(cells[10]) >= MIN_WORD_CONF and any(char.isalnum() for char in word):
            lines.setdefault(key, []).append(
                Word(word, float(cells[10]), (left, top, left + width, top + height), order, glued)
            )
    return list(lines.values())


def lines_of(fragments: list[list[Word]]) -> list[Line]:
    """Tesseract's lines, put together where they sit side by side: in sparse mode it often cuts one
    printed line into several (한빛고등 | 학교), and reads two columns as one row."""
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
