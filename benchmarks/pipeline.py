"""Print photos per second for collect, analyze and report on N generated 1080-px JPEGs, and peak memory.

    python benchmarks/pipeline.py [N]
"""

from __future__ import annotations

import io
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

from audit import steps
from audit.config import load_config
from audit.inventory.db import open_db
from audit.report.page import render_report


def make_photos(folder: Path, count: int) -> None:
    rng = random.Random(1)
    for index in range(count):
        image = Image.new("RGB", (1080, 1350), tuple(rng.randrange(256) for _ in range(3)))
        draw = ImageDraw.Draw(image)
        for _ in range(30):  # some structure, so JPEG sizes are realistic
            x, y = rng.randrange(1080), rng.randrange(1350)
            draw.ellipse((x, y, x + 200, y + 150), fill=tuple(rng.randrange(256) for _ in range(3)))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
        (folder / f"{index:05d}.jpg").write_bytes(out.getvalue())


def timed(label: str, count: int, step) -> None:
    start = time.perf_counter()
    step()
    seconds = time.perf_counter() - start
    print(f"{label:<8} {seconds:7.2f} s  {count / seconds:8.1f} photos/s")


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "photos").mkdir()
        make_photos(root / "photos", count)
        (root / "accounts.toml").write_text('[[accounts]]\nplatform = "folder"\npath = "photos"\n')
        config = load_config(root / "accounts.toml")
        db = open_db(root / "bench.db")
        print(f"{count} generated 1080x1350 JPEGs")
        timed("collect", count, lambda: steps.collect(db, config, run=1))
        timed("analyze", count, lambda: (steps.analyze(db, run=1), steps.score(db)))
        timed("report", count, lambda: render_report(db, root / "report.html"))
        timed("re-run", count, lambda: (steps.collect(db, config, run=2), steps.analyze(db, run=2)))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
