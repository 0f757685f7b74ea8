"""Where a photo has text worth reading: lines of letters found on a small copy, before tesseract is started.

Tesseract costs a tenth of a second to start and about a second per megapixel it is shown; `where_to_read`
looks for lines of letters on a 640-px picture (about 25 ms) and says why a photo without one is not read, or
which regions to read (audit/text/ocr.py reads them). numpy, and scipy's image labelling, only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..faces import detect as facedetect

# --- Where to read: the numbers behind where_to_read, in pixels of the PRECHECK_SIDE picture ------
PRECHECK_SIDE = 640
# 1. Strokes: a jump of EDGE_STEP grey (of 255) between neighbours is an edge; text puts TEXT_BLOCK_EDGES
# or more of a BLOCK-px block on one (0.34-0.69 with text, 0-0.12 in smooth scenes and soft close-ups).
EDGE_STEP = 48
BLOCK = 16
TEXT_BLOCK_EDGES = 0.2
# 2. Letters: ink is INK_STEP grey darker (dark text) or lighter (a white-on-green school sign) than the
# INK_WINDOW square around it, joined to the ink above and below (학: ㅎ over ㄱ is one letter). A letter
# is MIN_GLYPH high or more (an 18-px font in a 1080-px photo is 8 px), at most MAX_GLYPH of the picture,
# drawn with thin strokes: twice its area over its outline is at most THIN of its height (lit windows,
# stars, bricks are solid). Lines are looked for again at half the size, where big letters' parts touch.
INK_WINDOW = 31
INK_STEP = 18
MIN_GLYPH = 5
MAX_GLYPH = 0.15
THIN = 0.3
# 3. Lines: letters are neighbours when they overlap vertically by half the smaller, the larger is at
# most LINK_SIZE times the smaller and the gap at most LINK_GAP times the larger. Letters off the row's
# middle or over TALL times its median letter are cut off (chains wander through fur and foliage). A
# line has MIN_LETTERS or more, on a baseline or under a cap line (ALIGNED), not slivers (SLIVER, width
# over height: a striped collar, a fence, hair), of one shade (SHADES grey levels). Three letters (학생증),
# or four of BIG px or more (eyes, ears and a smile), must be even as print: sizes within EVEN_SIZES,
# both lines aligned, gaps under EVEN_GAP of a letter.
LINK_SIZE = 2.5
LINK_GAP = 1.0
TALL = 2.0
MIN_LETTERS = 3
ALIGNED = 0.1
SLIVER = 0.3
SHADES = 16
BIG = 24
EVEN_SIZES = 1.35
EVEN_GAP = 0.6
# A line is read with PAD_X line heights beyond its ends and PAD_Y above and below (a final consonant,
# descenders, a card's line too small to be found). Padded lines of a kind that touch are one piece if
# within MERGE_SIZES in size: a big false line merged with a card's small letters shrank them unreadable.
PAD_X = 0.6
PAD_Y = 0.45
MERGE_SIZES = 1.5
# 4. A face covering CLOSE_UP_SHARE of the frame (found at FACE_CHECK_SIDE px) leaves only a border of
# hair, shoulders and background: too little room for text worth reading.
FACE_CHECK_SIDE = 320
CLOSE_UP_SHARE = 0.25


@dataclass(frozen=True)
class Region:
    """Lines of text found on the pre-check picture, read as one piece."""

    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels of the pre-check picture, padded
    height: float  # of its lines, in those pixels
    light: bool  # light letters on a dark ground
    letters: int


def where_to_read(small: Image.Image) -> tuple[str | None, list[Region]]:
    """(Why reading this photo would be wasted, or None; the regions to read): the one place that decides.

    `small` is the photo reduced to PRECHECK_SIDE. Cheapest test first: "no text-like strokes" (about
    5 ms: smooth scenes, skies, soft close-ups), "no line of text" (about 20 ms: grain, foliage, fur,
    stars, lit windows, a striped collar, a face's features), "face close-up" (about 15 ms; left out
    without the face detector).
    """
    grey = np.asarray(small.convert("L"), dtype=np.int16)
    if min(grey.shape) < BLOCK:
        return "too small to hold text", []
    if not _has_strokes(grey):
        return "no text-like strokes", []
    half = np.asarray(small.convert("L").reduce(2), dtype=np.int16)  # where big letters' parts touch
    regions = _regions(_lines(grey) + [(line * [2, 2, 2, 2, 1], light) for line, light in _lines(half)])
    if not regions:
        return "no line of text", []
    if _close_up(small):
        return "face close-up", []
    return None, regions


def _has_strokes(grey: np.ndarray) -> bool:
    edges = np.zeros(grey.shape, dtype=bool)
    edges[:, 1:] |= np.abs(np.diff(grey, axis=1)) > EDGE_STEP
    edges[1:, :] |= np.abs(np.diff(grey, axis=0)) > EDGE_STEP
    rows, cols = grey.shape[0] // BLOCK, grey.shape[1] // BLOCK
    blocks = edges[: rows * BLOCK, : cols * BLOCK].reshape(rows, BLOCK, cols, BLOCK).mean(axis=(1, 3))
    return bool(blocks.max() >= TEXT_BLOCK_EDGES)


def _close_up(small: Image.Image) -> bool:
    faces_image = small.convert("RGB")
    faces_image.thumbnail((FACE_CHECK_SIDE, FACE_CHECK_SIDE))
    try:
        faces = facedetect.detect(faces_image)
    except facedetect.DetectorMissing:
        return False
    frame = faces_image.width * faces_image.height
    return any((f.box[2] - f.box[0]) * (f.box[3] - f.box[1]) >= CLOSE_UP_SHARE * frame for f in faces)


def _lines(grey: np.ndarray) -> list[tuple[np.ndarray, bool]]:
    """(Line, light): each line its letters as rows of top, left, bottom, right and mean grey."""
    from scipy import ndimage

    local = ndimage.uniform_filter(grey.astype(np.float32), INK_WINDOW)
    inks = ((False, grey < local - INK_STEP), (True, grey > local + INK_STEP))
    return [(line, light) for light, ink in inks for line in _rows(_letters(ink, grey))]


def _letters(ink: np.ndarray, grey: np.ndarray) -> np.ndarray:
    """The patches of ink shaped like letters (rows of top, left, bottom, right, mean grey)."""
    from scipy import ndimage

    joined = ink.copy()  # ink joined to the ink above and below: 학's ㅎ and ㄱ, a pixel apart, are one letter
    joined[1:] |= ink[:-1]
    joined[:-1] |= ink[1:]
    labels, count = ndimage.label(joined, structure=np.ones((3, 3), dtype=bool))
    labels[~ink] = 0  # measured on the ink itself, not the joins
    area = np.bincount(labels[ink], minlength=count + 1)
    shade = np.bincount(labels[ink], weights=grey[ink], minlength=count + 1) / np.maximum(area, 1)
    padded = np.pad(ink, 1)
    inside = padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]
    stroke = 2 * area / np.maximum(np.bincount(labels[ink & ~inside], minlength=count + 1), 1)
    found = np.flatnonzero(area >= MIN_GLYPH)  # not label 0 (no ink), nor specks, which are most labels
    objects = ndimage.find_objects(labels)
    boxes = np.array([(s[0].start, s[1].start, s[0].stop, s[1].stop) for s in (objects[i - 1] for i in found)])
    boxes = boxes.reshape(-1, 4).astype(float)
    height, width = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    keep = (height >= MIN_GLYPH) & (height <= MAX_GLYPH * ink.shape[0]) & (stroke[found] <= THIN * height)
    return np.column_stack([boxes, shade[found]])[keep & (width <= 12 * height)]  # letters that touch: a word


def _rows(letters: np.ndarray) -> list[np.ndarray]:
    """Neighbouring letters joined into lines (union-find, left to right), kept where shaped like text."""
    letters = letters[np.argsort(letters[:, 1])]
    top, left, bottom, right, _ = letters.T
    height = bottom - top
    parent = list(range(len(letters)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(letters)):
        near = np.arange(i + 1, np.searchsorted(left, right[i] + LINK_GAP * LINK_SIZE * height[i], side="right"))
        small, large = np.minimum(height[i], height[near]), np.maximum(height[i], height[near])
        overlap = np.minimum(bottom[i], bottom[near]) - np.maximum(top[i], top[near])
        linked = (overlap >= small / 2) & (large <= LINK_SIZE * small) & (left[near] - right[i] <= LINK_GAP * large)
        for j in near[linked]:
            parent[root(int(j))] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(letters)):
        groups.setdefault(root(i), []).append(i)
    lines = [_trimmed(letters[members]) for members in groups.values() if len(members) >= MIN_LETTERS]
    return [line for line in lines if _text_like(line)]


def _trimmed(line: np.ndarray) -> np.ndarray:
    """The letters in the line's row: a chain that wandered into fur or foliage, cut back."""
    heights, middles = line[:, 2] - line[:, 0], (line[:, 0] + line[:, 2]) / 2
    size = np.median(heights)
    return line[(np.abs(middles - np.median(middles)) <= size / 2) & (heights <= TALL * size)]


def _text_like(line: np.ndarray) -> bool:
    if len(line) < MIN_LETTERS:
        return False
    heights, widths = line[:, 2] - line[:, 0], line[:, 3] - line[:, 1]
    median = float(np.median(heights))
    if (len(line) == MIN_LETTERS or len(line) == MIN_LETTERS + 1 and median >= BIG) and not _even(line, heights):
        return False
    return bool(
        min(_spread(line[:, 0]), _spread(line[:, 2])) <= ALIGNED * median
        and np.median(widths / heights) >= SLIVER and _spread(line[:, 4]) <= SHADES
    )


def _even(line: np.ndarray, heights: np.ndarray) -> bool:
    gaps, median = line[1:, 1] - line[:-1, 3], float(np.median(heights))
    aligned = max(_spread(line[:, 0]), _spread(line[:, 2])) <= ALIGNED * median
    spaced = 0 <= gaps.min() <= gaps.max() <= EVEN_GAP * median
    return bool(heights.max() <= EVEN_SIZES * heights.min() and aligned and spaced)


def _spread(values: np.ndarray) -> float:
    """The median distance from the median: how far most values stray, whatever a few outliers do."""
    return float(np.median(np.abs(values - np.median(values))))


def _regions(lines: list[tuple[np.ndarray, bool]]) -> list[Region]:
    """Lines padded into regions. A line lying on one of the other kind with more letters is dropped: the
    holes of dark letters make a light line. Padded lines of a kind that touch are merged (MERGE_SIZES)."""
    boxes = [(line[:, 1].min(), line[:, 0].min(), line[:, 3].max(), line[:, 2].max()) for line, _ in lines]
    regions = []
    for (line, light), own in zip(lines, boxes):
        if any(dark != light and len(other) > len(line) and _overlap(box, own) >= _area(own) / 2
               for (other, dark), box in zip(lines, boxes)):
            continue
        x0, y0, x1, y1 = own
        h = float(y1 - y0)
        regions.append(Region((x0 - PAD_X * h, y0 - PAD_Y * h, x1 + PAD_X * h, y1 + PAD_Y * h), h, light, len(line)))
    merged: list[Region] = []
    for region in sorted(regions, key=lambda r: r.box[1]):
        while other := next((m for m in merged if _mergeable(m, region)), None):
            merged.remove(other)
            box = tuple(f(a, b) for f, a, b in zip((min, min, max, max), region.box, other.box))
            letters = region.letters + other.letters
            height = (region.height * region.letters + other.height * other.letters) / letters  # most letters'
            region = Region(box, height, region.light, letters)
        merged.append(region)
    return merged


def _mergeable(a: Region, b: Region) -> bool:
    """Of a kind, touching, and close enough in size to share a scale: within MERGE_SIZES, or within
    twice for one line found at both sizes (half of one lies on the other)."""
    overlap, size = _overlap(a.box, b.box), max(a.height, b.height) / min(a.height, b.height)
    twins = size <= 2 and overlap >= min(_area(a.box), _area(b.box)) / 2
    return a.light == b.light and overlap > 0 and (size <= MERGE_SIZES or twins)


def _area(box: tuple) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])


def _overlap(a: tuple, b: tuple) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
