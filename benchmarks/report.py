"""Time `photo-audit report` on a generated N-photo inventory (default 10,000) as a user runs it, and open the report
in Chromium.

    python benchmarks/report.py [N] [--keep DIR]

The inventory rows (accounts, photos, appearances, findings, thumbnails) are generated directly, so no analysis
runs; they have no scores, so the command scores them first (as it does whenever the scores are missing or stale). The command runs
once, cold, in its own process: its wall time, CPU time and peak memory (the child's rusage) count everything, from
Python's start to the HTML written. Then the HTML's size, and Chromium's first paint and load event (best of 3).
Targets (issue 13): the command under 10 s, under 400 MB; Chromium's load event under 2 s. The browser figures need
Debian's chromium and Playwright for Python. --keep DIR keeps the inventory and the report there (for profiling).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

from audit.inventory import imaging
from audit.inventory.db import open_db

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
    """The inventory as analysis leaves it, before scoring: `photo-audit report` scores it."""
    rng = random.Random(6)
    db["accounts"].insert_all(ACCOUNTS, pk="key")
    jpegs = thumbnails(count, rng)
    photos, appearances, findings = [], [], []
    for index, jpeg in enumerate(jpegs):
        photo = hashlib.sha256(jpeg).hexdigest()
        photos.append({"id": photo, "status": "ok", "media_type": "image", "format": "JPEG", "width": 1080,
                       "height": 1350, "bytes": 250_000, "origin": "{}", "first_run": 1, "group_id": photo})
        appearances.extend(_appearances(photo, index, rng))
        findings.extend(_finding(photo, signal, kind, summary, evidence, rng)
                        for share, signal, kind, summary, evidence in FINDINGS if rng.random() < share)
    db["photos"].insert_all(photos, pk="id")
    db["appearances"].insert_all(appearances, pk="id")
    db["findings"].insert_all(findings, pk="id")
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


def run_report(db_path: Path, out: Path) -> dict[str, float]:
    """`photo-audit report --db X --out Y` in its own process: wall and CPU seconds, and its peak memory in MB."""
    script = Path(sys.executable).with_name("photo-audit")  # the console script that pip installed beside python
    command = [str(script)] if script.exists() else [sys.executable, "-m", "audit"]
    start = time.perf_counter()
    process = subprocess.Popen([*command, "report", "--db", str(db_path), "--out", str(out)], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)  # this child's own rusage: its CPU time and its peak resident set
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"photo-audit report exited with {process.returncode}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "memory": usage.ru_maxrss * 1024 / 1e6}  # KiB on Linux


def main(count: int, keep: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        where = keep or Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        db_path, out = where / "bench.db", where / "report.html"
        for stale in ("bench.db", "bench.db-wal", "bench.db-shm"):  # a kept inventory of an earlier run
            (where / stale).unlink(missing_ok=True)
        generate(open_db(db_path), count)
        load_before = os.getloadavg()
        command = run_report(db_path, out)
        paint, load = browser_seconds(out)
        rows = [
            ("report command, wall", f"{command['wall']:.2f} s", "under 10 s"),
            ("report command, CPU", f"{command['cpu']:.2f} s", ""),
            ("peak memory (RSS)", f"{command['memory']:.0f} MB", "under 400 MB"),
            ("HTML size", f"{out.stat().st_size / 2**20:.1f} MiB", ""),
            ("Chromium first paint", f"{paint:.2f} s", "best of 3"),
            ("Chromium load event", f"{load:.2f} s", "under 2 s, best of 3"),
        ]
        print(f"photo-audit report on {count} photos (scoring included)")
        for what, figure, target in rows:
            print(f"  {what:<22} {figure:>10}   {target}")
        print("  load average {:.2f} {:.2f} {:.2f} before, {:.2f} {:.2f} {:.2f} after ({} cores)".format(
            *load_before, *os.getloadavg(), os.cpu_count()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=10_000)
    parser.add_argument("--keep", type=Path, help="keep the inventory and the report in this folder")
    arguments = parser.parse_args()
    main(arguments.count, arguments.keep)
