"""Print the render time of a generated N-photo report (default 10,000), its size, the redacted report's render
time, and Chromium's paint and load times.

    python benchmarks/report.py [N]

The inventory rows (accounts, photos, appearances, findings, thumbnails, scores) are generated directly, so no
analysis runs: this measures the report alone. The render is timed once, cold, as `photo-audit report` runs it
(loading the place names and the face models included). Targets (issue 6): render under 5 s; Chromium's load
event under 2 s, with lazy thumbnails (the first 100 cards carry theirs as <img>; the rest wait in one text block
until their card nears the screen). The browser figures need Debian's chromium and Playwright for Python.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

from audit.inventory import imaging
from audit.inventory.db import open_db
from audit.report.page import render_report
from audit.scoring import score_photo

ACCOUNTS = [
    {"key": "instagram-export:me", "platform": "instagram-export", "display": "Instagram", "handle": "me"},
    {"key": "x-archive:me", "platform": "x-archive", "display": "X", "handle": "me"},
    {"key": "folder:Blog", "platform": "folder", "display": "Blog uploads", "handle": None},
]
# (share of photos, signal, kind, summary, evidence): a mix like the demo persona's, spread over many photos.
FINDINGS = [
    (0.45, "faces", "face_high", "Your face: 240 px, frontal, sharp: full-quality swap source", {"who": "you", "pose": "frontal"}),
    (0.20, "faces", "face_medium", "Your face: 80 px, three-quarter: usable swap source", {"who": "you", "pose": "three-quarter"}),
    (0.15, "faces", "bystander_face", "Someone else's face (this photo exposes them too)", {"who": "someone else"}),
    (0.15, "exif", "gps", "The file's EXIF holds a GPS position", None),
    (0.10, "caption-text", "school", 'Caption names a school: "Hanbit Girls\' High"', {"quote": "Hanbit Girls' High"}),
    (0.05, "caption-text", "phone", 'Caption shows a phone number: "010-1234-5678"', {"quote": "010-1234-5678"}),
    (0.60, "exif", "camera", "The file's EXIF names the camera: samsung SM-S911N", {"make": "samsung", "model": "SM-S911N"}),
]
PLACES = [(37.5563, 126.9236), (37.5584, 126.9990), (35.1796, 129.0756)]  # home, school, a trip


def thumbnails(count: int, rng: random.Random) -> list[bytes]:
    """`count` distinct thumbnails as analysis makes them, made cheaply: 40 drawn 1080-px pictures made into
    thumbnails, each copy with a numbered comment segment (distinct data: URIs, as in a real report)."""
    bases = []
    for _ in range(40):
        image = Image.new("RGB", (1080, 1350), tuple(rng.randrange(256) for _ in range(3)))
        draw = ImageDraw.Draw(image)
        for _ in range(30):
            x, y = rng.randrange(1080), rng.randrange(1350)
            draw.ellipse((x, y, x + 200, y + 150), fill=tuple(rng.randrange(256) for _ in range(3)))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
        bases.append(imaging.jpeg_bytes(imaging.decode(out.getvalue(), max_side=imaging.THUMB_SIDE)))
    return [_with_comment(bases[index % len(bases)], f"thumbnail {index}") for index in range(count)]


def _with_comment(jpeg: bytes, text: str) -> bytes:
    comment = text.encode()
    return jpeg[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + jpeg[2:]


def generate(db, count: int) -> None:
    rng = random.Random(6)
    db["accounts"].insert_all(ACCOUNTS, pk="key")
    jpegs = thumbnails(count, rng)
    photos, appearances, findings, scores = [], [], [], []
    for index, jpeg in enumerate(jpegs):
        photo = hashlib.sha256(jpeg).hexdigest()
        photos.append({"id": photo, "status": "ok", "media_type": "image", "format": "JPEG", "width": 1080,
                       "height": 1350, "bytes": 250_000, "origin": "{}", "first_run": 1, "group_id": photo})
        appearances.extend(_appearances(photo, index, rng))
        mine = [_finding(photo, signal, kind, summary, evidence, rng)
                for share, signal, kind, summary, evidence in FINDINGS if rng.random() < share]
        findings.extend(mine)
        result = score_photo(mine)
        reasons = json.dumps([reason.as_dict() for reason in result.reasons], ensure_ascii=False, sort_keys=True)
        scores.append({"photo": photo, "score": result.score, "action": result.action, "reasons": reasons,
                       "scoring_version": 1})
    db["photos"].insert_all(photos, pk="id")
    db["appearances"].insert_all(appearances, pk="id")
    db["findings"].insert_all(findings, pk="id")
    db["scores"].insert_all(scores, pk="photo")
    db["thumbnails"].insert_all(({"photo": p["id"], "jpeg": j} for p, j in zip(photos, jpegs)), pk="photo")


def _appearances(photo: str, index: int, rng: random.Random) -> list[dict]:
    """One post per photo, a second one on another account for every tenth."""
    accounts = rng.sample(ACCOUNTS, 2 if index % 10 == 0 else 1)
    day = 1_600_000_000 + index * 20_000
    return [
        {"id": f"{photo[:24]}{n}", "photo": photo, "account": account["key"], "platform": account["platform"],
         "kind": "post", "media_name": f"media/posts/{index:05d}.jpg", "post_id": str(index),
         "post_url": f"https://www.instagram.com/p/{index:05d}/", "posted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(day)),
         "caption": f"Day out number {index} with friends #weekend", "tagged_users": "[]", "extra": "{}",
         "source_item": f"posts_1.json record {index}", "first_run": 1}
        for n, account in enumerate(accounts)
    ]


def _finding(photo: str, signal: str, kind: str, summary: str, evidence: dict | None, rng: random.Random) -> dict:
    if evidence is None:  # a GPS position near one of the places, so the places section has work to do
        lat, lon = rng.choice(PLACES)
        evidence = {"lat": lat + rng.uniform(-0.0005, 0.0005), "lon": lon + rng.uniform(-0.0005, 0.0005)}
    return {"id": hashlib.md5(f"{photo}{signal}{kind}".encode()).hexdigest(), "photo": photo, "signal": signal,
            "signal_version": 1, "kind": kind, "severity": "high", "summary": summary, "evidence": json.dumps(evidence)}


# Seconds from navigation start to the first text on screen, and to the end of the load event.
_TIMES = """() => [performance.getEntriesByName('first-contentful-paint')[0].startTime,
                  performance.getEntriesByType('navigation')[0].loadEventEnd].map(ms => ms / 1000)"""


def browser_seconds(report: Path, tries: int = 3) -> tuple[float, float]:
    """First paint and load, as Chromium reports them: the best of `tries` fresh pages (other work on the machine
    only ever slows a page down)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        times = []
        for _ in range(tries):
            context = browser.new_context()
            page = context.new_page()
            page.goto(report.as_uri(), wait_until="load", timeout=120_000)
            times.append(page.evaluate(_TIMES))
            context.close()
        browser.close()
    return min(paint for paint, _ in times), min(load for _, load in times)


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.db")
        generate(db, count)
        out = Path(tmp) / "report.html"
        start = time.perf_counter()
        render_report(db, out)
        print(f"render   {time.perf_counter() - start:6.2f} s for {count} photos (target under 5 s)")
        print(f"size     {out.stat().st_size / 2**20:6.1f} MiB of HTML")
        start = time.perf_counter()
        render_report(db, Path(tmp) / "redacted.html", redact=True)
        print(f"redacted {time.perf_counter() - start:6.2f} s for the --redact report (every thumbnail blurred; no target)")
        paint, load = browser_seconds(out)
        print(f"paint    {paint:6.2f} s until Chromium shows the top of the report, best of 3")
        print(f"load     {load:6.2f} s until Chromium's load event, best of 3 (target under 2 s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
