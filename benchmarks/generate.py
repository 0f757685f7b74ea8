"""Write a seeded set of N phone photos and an accounts.toml that audits them as a public folder.

    python benchmarks/generate.py OUT_DIR [N] [--seed S]

N defaults to 1000, S to 13. OUT_DIR gets `photos/` (the JPEGs), `accounts.toml` (one `folder` account,
audience `anyone`, so every photo counts as posted) and `manifest.json`. When the manifest already names the
same N, seed and generator version, nothing is written again.

A quarter of the photos are 12 MP (4000x3000, about 3-5 MB), the rest 1080x1350 (about 300-600 KB), JPEG
quality 85-90: colour gradients, shapes, texture and sensor noise, so that sizes and decode costs are those of
real photos. Each has EXIF (Make, Model, DateTimeOriginal, Software, Orientation 1) and GPS near Seoul (half
of them around two places that repeat: a home and a school). A third show one or two real faces (heads from
tests/fixtures/images/faces, 120-400 px wide), and one in twenty a sign with Korean and English text
(NanumGothic, from fonts-nanum).
"""

from __future__ import annotations

import argparse
import json
import os
import random
from datetime import datetime, timedelta
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

VERSION = 1  # bump when the photos change, so that cached sets are written again
FACES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "images" / "faces"
# Clear frontal heads: file, crop box (hair to chin), width of the face as a share of the crop.
HEADS = [("sk_astronaut.png", (150, 10, 330, 200), 0.5), ("pl_hopper.jpg", (20, 4, 108, 108), 0.6)]
FONT = "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"
SIGNS = [("한빛고등학교", "Hanbit High School"), ("서울숲중학교", "Seoul Forest Middle School"),
         ("푸른초등학교", "Pureun Elementary School")]
PHONES = [("samsung", "SM-S918N", "S918NKSU2BWK1"), ("Apple", "iPhone 14 Pro", "17.1.2"),
          ("samsung", "SM-A536N", "A536NKSU4CWJ3"), ("Google", "Pixel 7", "TQ3A.230901.001")]
HOME, SCHOOL = (37.5172, 127.0473), (37.5826, 127.0017)  # Gangnam, Hyehwa
SEOUL = ((37.45, 37.68), (126.80, 127.15))


def plan(count: int, seed: int) -> list[dict]:
    """What each photo shows: exactly a quarter 12 MP, a third with faces, one in twenty with text."""
    rng = random.Random(seed)
    shares = (("big", 4), ("face", 3), ("text", 20))
    picks = {kind: set(rng.sample(range(count), count // share)) for kind, share in shares}
    return [{"index": i, "seed": seed, **{kind: i in chosen for kind, chosen in picks.items()}} for i in range(count)]


def scene(rng: random.Random, nrng: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    """Smooth colour fields with shapes on them, the large-scale structure of a photo."""
    image = Image.fromarray(nrng.integers(0, 256, (3, 4, 3), dtype=np.uint8)).resize(size, Image.BICUBIC)
    draw = ImageDraw.Draw(image, "RGBA")
    w, h = size
    for _ in range(rng.randint(15, 40)):
        x, y = rng.randrange(w), rng.randrange(h)
        dx, dy = rng.randint(w // 40, w // 4), rng.randint(h // 40, h // 4)
        colour = tuple(rng.randrange(256) for _ in range(3)) + (rng.randint(90, 255),)
        kind = rng.choice(("ellipse", "rectangle", "polygon"))
        if kind == "polygon":
            corners = [(x + rng.randint(-dx, dx), y + rng.randint(-dy, dy)) for _ in range(rng.randint(3, 6))]
            draw.polygon(corners, fill=colour)
        else:
            getattr(draw, kind)((x, y, x + dx, y + dy), fill=colour)
    return image


def paste_faces(rng: random.Random, image: Image.Image, bottom: int) -> None:
    """One or two heads above `bottom`, each in its own half of the photo, blended in with a soft oval edge."""
    count = rng.choice((1, 1, 2))
    for slot in range(count):
        name, box, share = rng.choice(HEADS)
        face_px = rng.randint(120, min(400, image.width // (2 * count)))
        width = round(face_px / share)
        head = Image.open(FACES / name).convert("RGB").crop(box)
        head = head.resize((width, width * head.height // head.width), Image.LANCZOS)
        mask = Image.new("L", head.size, 0)
        ImageDraw.Draw(mask).ellipse((0, 0, head.width - 1, head.height - 1), fill=255)
        mask = mask.filter(ImageFilter.GaussianBlur(head.width / 25))
        half = image.width // count
        left = slot * half + rng.randrange(max(1, half - head.width))
        top = rng.randrange(max(1, bottom - head.height))
        image.paste(head, (left, top), mask)


def draw_sign(rng: random.Random, image: Image.Image, top: int) -> None:
    """A pale panel below `top` with a school's Korean and English names and a phone number, dark text."""
    size = image.width // 24
    font = ImageFont.truetype(FONT, size)
    korean, english = rng.choice(SIGNS)
    lines = [korean, english, f"010-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"]
    draw = ImageDraw.Draw(image)
    width = max(draw.textlength(line, font=font) for line in lines) + 2 * size
    height = len(lines) * size * 1.5 + size
    left = rng.randrange(max(1, int(image.width - width)))
    top += rng.randrange(max(1, int(image.height - top - height)))
    draw.rectangle((left, top, left + width, top + height), fill=(235, 232, 220))
    for row, line in enumerate(lines):
        draw.text((left + size, top + size / 2 + row * size * 1.5), line, font=font, fill=(25, 30, 60))


def grain(nrng: np.random.Generator, image: Image.Image) -> Image.Image:
    """Mottled texture (leaves, fabric, pavement) and sensor noise, what makes real JPEGs large."""
    w, h = image.size
    mottle = Image.fromarray(nrng.integers(0, 256, (h // 4, w // 4), dtype=np.uint8)).resize(image.size, Image.BILINEAR)
    pixels = np.asarray(image, dtype=np.int16)
    pixels += (np.asarray(mottle, dtype=np.int16)[..., None] - 128) // 5
    pixels += nrng.integers(-12, 13, (h, w, 1), dtype=np.int16)
    return Image.fromarray(pixels.clip(0, 255).astype(np.uint8))


def exif(rng: random.Random) -> Image.Exif:
    make, model, software = rng.choice(PHONES)
    taken = datetime(2022, 3, 1) + timedelta(seconds=rng.randrange(3 * 365 * 86400))
    centre = rng.choices((HOME, SCHOOL, None), weights=(3, 2, 5))[0]
    if centre:
        lat, lon = centre[0] + rng.gauss(0, 0.0003), centre[1] + rng.gauss(0, 0.0003)
    else:
        lat, lon = rng.uniform(*SEOUL[0]), rng.uniform(*SEOUL[1])
    data = Image.Exif()
    data.update({0x010F: make, 0x0110: model, 0x0131: software, 0x0112: 1})
    data.get_ifd(0x8769)[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
    gps = data.get_ifd(0x8825)
    gps.update({0: b"\x02\x02\x00\x00", 1: "N", 2: dms(lat), 3: "E", 4: dms(lon)})
    return data


def dms(degrees: float) -> tuple[float, float, float]:
    minutes = (degrees % 1) * 60
    return float(int(degrees)), float(int(minutes)), round((minutes % 1) * 60, 4)


def make_photo(job: tuple[Path, dict]) -> None:
    folder, photo = job
    rng = random.Random(f"{photo['seed']}:{photo['index']}")
    nrng = np.random.default_rng([photo["seed"], photo["index"]])
    image = scene(rng, nrng, (4000, 3000) if photo["big"] else (1080, 1350))
    split = image.height * 65 // 100 if photo["text"] else image.height  # the sign goes below the faces
    if photo["face"]:
        paste_faces(rng, image, split)
    if photo["text"]:
        draw_sign(rng, image, split if photo["face"] else 0)
    image = grain(nrng, image)
    path = folder / f"IMG_{photo['index']:05d}.jpg"
    image.save(path, "JPEG", quality=rng.randint(85, 90), exif=exif(rng))


def ensure_set(out: Path, count: int, seed: int = 13) -> Path:
    """Write the set into `out` unless it is there already; the path of its accounts.toml."""
    manifest = out / "manifest.json"
    wanted = {"photos": count, "seed": seed, "version": VERSION}
    if manifest.is_file() and json.loads(manifest.read_text()) == wanted:
        return out / "accounts.toml"
    folder = out / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    manifest.unlink(missing_ok=True)
    for old in folder.glob("IMG_*.jpg"):
        old.unlink()
    with Pool(os.cpu_count()) as pool:
        pool.map(make_photo, [(folder, photo) for photo in plan(count, seed)], chunksize=4)
    (out / "accounts.toml").write_text(
        '[[accounts]]\nplatform = "folder"\npath = "photos"\nlabel = "Phone photos"\naudience = "anyone"\n'
    )
    manifest.write_text(json.dumps(wanted) + "\n")
    return out / "accounts.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("count", type=int, nargs="?", default=1000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    print(ensure_set(args.out, args.count, args.seed))


if __name__ == "__main__":
    main()
