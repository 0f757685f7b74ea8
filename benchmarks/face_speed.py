"""Print photos per second for the faces signal on N generated 1080-px JPEGs with faces in them.

    python benchmarks/face_speed.py [N]

Each photo is a random background with one to three copies of the astronaut's head (from the test
fixtures) pasted at random sizes and places, without overlap. Timed end to end per photo: read the
file, decode reduced, detect, landmarks, grade. Identity is left out (the signal runs without
prepare()). Also prints how many pasted faces were found, by size class of the grade table.
"""

from __future__ import annotations

import io
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

from audit.faces.grade import THRESHOLDS
from audit.inventory.photo import PhotoView
from audit.signals.faces import FacesSignal

FACES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "images" / "faces"
HEAD_BOX = (150, 10, 330, 200)  # the astronaut's head in sk_astronaut.png, with hair and neck
FACE_WIDTH = 0.5  # the detector's box is about half as wide as that crop
SIZES = [(1080, 1080), (1080, 1350), (1080, 566), (1350, 1080)]  # square, portrait, landscape


def make_photo(rng: random.Random, head: Image.Image) -> tuple[bytes, list[tuple[float, float, int]]]:
    """A JPEG, and the centre (as fractions) and face width in pixels of every head pasted on it."""
    size = rng.choice(SIZES)
    image = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(30):  # some structure, so that JPEG sizes and the detector see a busy scene
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        draw.ellipse((x, y, x + 200, y + 150), fill=tuple(rng.randrange(256) for _ in range(3)))
    heads: list[tuple[float, float, int]] = []
    for column in range(rng.randint(1, 3)):  # one column of the photo per head, so they never overlap
        side = rng.randint(40, min(420, size[0] // 3))
        pasted = head.resize((side, side * head.height // head.width), Image.LANCZOS)
        left = column * size[0] // 3 + rng.randrange(size[0] // 3 - side + 1)
        top = rng.randrange(size[1] - pasted.height)
        image.paste(pasted, (left, top))
        heads.append(((left + side / 2) / size[0], (top + pasted.height / 2) / size[1], round(side * FACE_WIDTH)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue(), heads


def size_class(face_px: int) -> str:
    crop = face_px * THRESHOLDS["crop_per_box"].value
    if crop >= THRESHOLDS["full_quality_px"].value:
        return "full quality"
    return "of little use" if crop < THRESHOLDS["little_use_px"].value else "medium"


def inside(head: tuple[float, float, int], box: list[float]) -> bool:
    x, y, _ = head
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def main(count: int) -> None:
    rng = random.Random(1)
    head = Image.open(FACES / "sk_astronaut.png").convert("RGB").crop(HEAD_BOX)
    signal = FacesSignal()
    tally: dict[str, list[int]] = {}
    times, false_alarms = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        photos = []
        for index in range(count):
            data, heads = make_photo(rng, head)
            path = Path(tmp) / f"{index:05d}.jpg"
            path.write_bytes(data)
            photos.append((path, heads))
        list(signal.analyze(_view(photos[0][0])))  # load the model outside the timing
        for path, heads in photos:
            start = time.perf_counter()
            findings = list(signal.analyze(_view(path)))
            times.append(time.perf_counter() - start)
            boxes = [finding.evidence["box"] for finding in findings]
            for pasted in heads:
                counts = tally.setdefault(size_class(pasted[2]), [0, 0])
                counts[0] += any(inside(pasted, box) for box in boxes)
                counts[1] += 1
            false_alarms += sum(not any(inside(pasted, box) for pasted in heads) for box in boxes)
    print(f"{count} generated 1080-px JPEGs (Instagram's square, portrait and landscape sizes)")
    print(f"faces signal, identity excluded: {count / sum(times):.1f} photos/s, median {statistics.median(times) * 1000:.1f} ms")
    for name in ("full quality", "medium", "of little use"):
        hits, total = tally.get(name, [0, 0])
        print(f"  pasted faces {name:<14} found {hits:4d} of {total:4d}")
    print(f"  faces found where none was pasted: {false_alarms}")


def _view(path: Path) -> PhotoView:
    return PhotoView({"id": path.name, "origin": json.dumps({"path": str(path), "member": None})}, [])


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
