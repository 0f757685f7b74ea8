"""Time `photo-audit clean` as a user runs it, on generated phone photos, beside exiftool stripping the same files.

    python benchmarks/clean.py [--photos N] [--runs K]

Takes the set of benchmarks/generate.py (N photos, default 40: a quarter 12 MP, the rest 1080x1350, every one with
EXIF and GPS, a third with faces) and, for each size apart, times as child processes:
`photo-audit clean PHOTOS... --out DIR --me FACE` (decode, faces found and told apart, bystanders blurred, the copy
written, then read back and analysed again by every photo signal, OCR included) and the yardstick
`exiftool -all= -o DIR PHOTOS...` (metadata stripped, pixels copied as they are: no decode, no faces, no check).
Prints wall and CPU seconds, peak memory and clean copies per second for each, and the ratio; medians of K rounds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
from pathlib import Path

from generate import ensure_set
from PIL import Image
from run_speed import EXIFTOOL, adopt_orphans, measure, warm_cache

ROOT = Path(__file__).resolve().parent.parent
FACE = ROOT / "examples" / "demo" / "me" / "selfie1.jpg"  # a reference face: bystanders are then told apart


def by_size(photos: Path) -> dict[str, list[Path]]:
    sizes: dict[str, list[Path]] = {"1080x1350": [], "12 MP": []}
    for path in sorted(photos.glob("*.jpg")):
        with Image.open(path) as image:
            sizes["12 MP" if image.width * image.height > 10_000_000 else "1080x1350"].append(path)
    return sizes


def one_round(files: list[Path], work: Path) -> dict[str, dict]:
    out = {name: work / name for name in ("clean", "exiftool")}
    for folder in out.values():
        shutil.rmtree(folder, ignore_errors=True)
    clean = ["photo-audit", "clean", *map(str, files), "--out", str(out["clean"]), "--me", str(FACE),
             "--db", str(work / "no-inventory.db")]
    out["exiftool"].mkdir()
    strip = [EXIFTOOL, "-q", "-all=", "-o", f"{out['exiftool']}/", *map(str, files)]
    return {"photo-audit clean": measure(clean, work, work / "clean.log"),
            "exiftool -all=": measure(strip, work, work / "exiftool.log")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=40, help="how many generated photos (default 40)")
    parser.add_argument("--runs", type=int, default=3, help="rounds; medians (default 3)")
    args = parser.parse_args()
    adopt_orphans()
    config = ensure_set(Path(f"/tmp/photo-audit-bench-{args.photos}"), args.photos)
    photos = config.parent / "photos"
    warm_cache(photos)
    work = config.parent / "clean-work"
    work.mkdir(exist_ok=True)
    print(f"cpus {os.cpu_count()}, load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'photos':<16}{'command':<20}{'wall s':>8}{'CPU s':>8}{'peak MiB':>10}{'copies/s':>10}")
    for size, files in by_size(photos).items():
        rounds = [one_round(files, work) for _ in range(args.runs)]
        figures = {name: {key: statistics.median(r[name][key] for r in rounds) for key in rounds[0][name]}
                   for name in rounds[0]}
        for name, f in figures.items():
            print(f"{f'{len(files)} {size}':<16}{name:<20}{f['wall']:>8.1f}{f['cpu']:>8.1f}{f['rss']:>10.0f}"
                  f"{len(files) / f['wall']:>10.2f}")
        ratio = figures["photo-audit clean"]["wall"] / figures["exiftool -all="]["wall"]
        print(f"{'':<16}clean / exiftool wall: {ratio:.1f}x")
    print(f"load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
