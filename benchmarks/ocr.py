"""Print what the image-text signal costs per photo, the share of photos it skips and the planted facts it finds.

    python benchmarks/ocr.py [N] [SEED]

N photos (default 60; SEED 5 by default, other seeds give other photos of the same kinds), a third of each:
- text: a student ID card lying on a real scene, a sign of text lines on a plain background, or a
  small label pasted on a scene (the hard case for tesseract); each with the facts planted in it;
- face close-ups: a fixture portrait cropped to its face, 1080 px, sharpened like a phone photo; the
  fixtures are small, so the crops are soft, and half get a striped collar: the sharp detail (hair,
  lashes, patterned clothes) that real close-ups have and that passes the stroke test;
- plain scenes: the fixture photos without text (cat, coffee, rocket, flower...) and sky gradients.
Timed end to end per photo (read the file, pre-check, decode, OCR, match), after one warm-up photo. Before
lines were found first (whole 1600-px photos read), on this 2-core machine: 0.365 s a photo (median 0.286),
0.468 s a photo read, 28% skipped, 50 of 52 facts; after: 0.120 s (median 0.053), 0.171 s, 52%, 51 of 52.
Needs tesseract with Korean data (Debian: tesseract-ocr tesseract-ocr-kor) and fonts-nanum.
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

import numpy as np
import sqlite_utils
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from audit.inventory.photo import PhotoView
from audit.signals.image_text import ImageTextSignal
from audit.text.ocr import COST

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "images"
FONT = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
SCENES = [
    "faces/sk_coffee.png", "faces/sk_chelsea.png", "faces/sk_rocket.jpg", "faces/sk_horse.png",
    "faces/sk_hubble_deep_field.jpg", "exif/pl_flower.webp", "exif/dn_Nikon_D5000.jpg", "exif/dn_Canon_PowerShot_A85.jpg",
]
PORTRAITS = ["sk_astronaut.png", "pl_hopper.jpg", "bf_1face.png", "sk_camera.png"]
CARD = ["학생증 STUDENT ID", "이름: 김민지", "학번: 20231234", "010-1234-5678"]
CARD_FACTS = {"school", "id_card", "name_tag", "student_number", "phone"}
SIGNS = [
    (["한빛고등학교", "Hanbit High School"], {"school"}),
    (["서울특별시 강남구 테헤란로 152", "문의 010-9876-5432"], {"address", "phone"}),
    (["12가 3456"], {"licence_plate"}),
    (["사원증", "사번: 102938"], {"id_card"}),
]


def font(px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), px)


def scene(rng: random.Random) -> Image.Image:
    name = rng.choice(SCENES + ["gradient"])
    if name == "gradient":  # a sky
        ramp = np.linspace(rng.randrange(60, 140), 255, 1080, dtype=np.float32)[:, None].repeat(1080, axis=1)
        return Image.fromarray(np.stack([ramp * 0.6, ramp * 0.8, ramp], axis=-1).astype(np.uint8))
    image = Image.open(FIXTURES / name).convert("RGB")
    return image.resize((1080, round(1080 * image.height / image.width)), Image.LANCZOS)


def id_card(px: int) -> Image.Image:
    card = Image.new("RGB", (px * 16, px * 10), (250, 250, 248))
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, 0, card.width, px * 2), fill=(20, 60, 140))
    draw.text((px, px * 0.4), "한빛고등학교", font=font(px), fill=(255, 255, 255))
    for row, line in enumerate(CARD):
        draw.text((px, px * (2.8 + 1.6 * row)), line, font=font(px), fill=(10, 10, 10))
    return card


def text_photo(rng: random.Random, index: int) -> tuple[Image.Image, set[str]]:
    style = index % 3
    if style == 0:  # an ID card on a table, a bag, a street
        image = scene(rng).resize((1080, 1080))
        card = id_card(rng.choice([16, 20, 24, 30, 36]))
        image.paste(card, (rng.randrange(1080 - card.width), rng.randrange(1080 - card.height)))
        return image, set(CARD_FACTS)
    lines, facts = rng.choice(SIGNS)
    px = rng.choice([20, 28, 40, 56])
    if style == 1:  # a sign or a poster
        image = Image.new("RGB", (1080, rng.choice([720, 1080, 1350])), (236, 232, 222))
        place = (60, rng.randrange(40, 400))
    else:  # a small label on a photo
        image = scene(rng)
        place = (rng.randrange(20, 400), rng.randrange(20, max(21, image.height - 200)))
    draw = ImageDraw.Draw(image)
    if style == 2:
        width = max(draw.textlength(line, font=font(px)) for line in lines)
        bottom = place[1] + px * 1.6 * len(lines)
        draw.rectangle((place[0] - 12, place[1] - 10, place[0] + width + 12, bottom), fill=(245, 245, 240))
    for row, line in enumerate(lines):
        draw.text((place[0], place[1] + row * px * 1.6), line, font=font(px), fill=(20, 20, 30))
    return image, set(facts)


def close_up(rng: random.Random) -> Image.Image:
    truth = {row["file"]: row for row in json.loads((FIXTURES / "faces" / "truth.json").read_text())["files"]}
    name = rng.choice(PORTRAITS)
    portrait = Image.open(FIXTURES / "faces" / name).convert("RGB")
    x0, y0, x1, y1 = truth[name]["main_face"]["box_norm"]
    side = max((x1 - x0) * portrait.width, (y1 - y0) * portrait.height) * rng.uniform(1.2, 1.6)
    cx, cy = (x0 + x1) / 2 * portrait.width, (y0 + y1) / 2 * portrait.height
    crop = portrait.crop((round(cx - side / 2), round(cy - side / 2), round(cx + side / 2), round(cy + side / 2)))
    image = crop.resize((1080, 1080), Image.LANCZOS).filter(ImageFilter.UnsharpMask(3, 200, 2))
    if rng.random() < 0.5:
        draw = ImageDraw.Draw(image)
        for x in range(0, 1080, 24):
            draw.rectangle((x, 1000, x + 11, 1080), fill=(20, 20, 60))
    return image


def jpeg(image: Image.Image, path: Path) -> Path:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    path.write_bytes(out.getvalue())
    return path


def view(path: Path) -> PhotoView:
    return PhotoView({"id": path.name, "origin": json.dumps({"path": str(path), "member": None})}, [])


def main(count: int, seed: int = 5) -> None:
    if not FONT.is_file():
        sys.exit("the generated photos need NanumGothic: apt install fonts-nanum")
    signal = ImageTextSignal()
    signal.prepare(sqlite_utils.Database(memory=True))
    if signal.unavailable:
        sys.exit(f"OCR is unavailable: {signal.unavailable}")
    rng = random.Random(seed)
    groups = ("text", "face close-up", "plain scene")
    with tempfile.TemporaryDirectory() as tmp:
        photos = []
        for index in range(count):
            group = groups[index % 3]
            facts: set[str] = set()
            if group == "text":
                image, facts = text_photo(rng, index // 3)
            else:
                image = close_up(rng) if group == "face close-up" else scene(rng)
            photos.append((group, jpeg(image, Path(tmp) / f"{index:04d}.jpg"), facts))
        list(signal.analyze(view(photos[0][1])))  # start-up outside the figures
        COST.read_seconds.clear(), COST.check_seconds.clear(), COST.skipped.clear()
        rows = []
        for group, path, facts in photos:
            skipped_before = sum(COST.skipped.values())
            start = time.perf_counter()
            kinds = {finding.kind for finding in signal.analyze(view(path))}
            rows.append((group, time.perf_counter() - start, sum(COST.skipped.values()) > skipped_before, facts, kinds))
    report(rows, groups)


def report(rows: list, groups: tuple[str, ...]) -> None:
    times = [row[1] for row in rows]
    skipped = sum(row[2] for row in rows)
    read = COST.read_seconds
    print(f"image-text on {len(rows)} generated photos, one process, this machine")
    print(f"  cost per photo, all photos:  {_mean_median(times)}")
    if read:
        print(f"  cost per photo read (OCR):   {_mean_median(read)}, {len(read)} photos")
    print(f"  pre-check per photo:         mean {statistics.mean(COST.check_seconds) * 1000:.1f} ms")
    reasons = ", ".join(f"{reason} {count}" for reason, count in COST.skipped.most_common()) or "none"
    print(f"  skipped: {skipped} of {len(rows)} ({skipped / len(rows):.0%}): {reasons}")
    for group in groups:
        mine = [row for row in rows if row[0] == group]
        if not mine:
            continue
        line = (
            f"  {group:<14} {len(mine):>3} photos, skipped {sum(r[2] for r in mine):>3}, "
            f"median {statistics.median(r[1] for r in mine):.3f} s"
        )
        planted = sum(len(r[3]) for r in mine)
        if planted:
            line += f", planted facts found {sum(len(r[3] & r[4]) for r in mine)} of {planted}"
        else:
            line += f", photos with a finding {sum(bool(r[4]) for r in mine)} (should be 0)"
        print(line)


def _mean_median(seconds: list[float]) -> str:
    return f"mean {statistics.mean(seconds):.3f} s, median {statistics.median(seconds):.3f} s"


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60, int(sys.argv[2]) if len(sys.argv) > 2 else 5)
