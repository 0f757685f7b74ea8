"""Print how well the faces signal keeps real faces and drops drawn ones, with and without the check (faces/real.py).

    python benchmarks/faces_varied.py [DIR]

DIR (default benchmarks/faces_varied) holds the images and a truth.json whose entries have `file`, `half`
(design or held-out), `category` and `faces_40`: the real faces of 40 px or more. The figures count findings of
40 px or more (the finding's `size_px`, in the picture as stored) by number per image, as benchmarks/faces.py does:
found 3 where truth says 2 is 2 true positives and 1 false positive. Identity is not run; the time per image is
read, decode, detect, check and grade, once with the check and once with it switched off.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from unittest import mock

from audit.faces import real
from audit.inventory.photo import PhotoView
from audit.signals.faces import FacesSignal

MIN_PX = 40  # the size the target is set at: smaller faces are of little use to swap tools
DRAWN = {"cartoon", "flat_avatar", "cg_avatar", "painting"}


def main(folder: Path) -> None:
    entries = json.loads((folder / "truth.json").read_text(encoding="utf-8"))["files"]
    print_make_up(entries)
    runs = {"with the check": run(folder, entries, check=True), "without the check": run(folder, entries, check=False)}
    for half in ("design", "held-out", None):
        print(f"\n{half or 'both halves'}:")
        for name, (found, _) in runs.items():
            chosen = [(entry, n) for entry, n in zip(entries, found) if half in (None, entry["half"])]
            print(f"  {name:<18} {figures(chosen)}")
    for name, (_, times) in runs.items():
        print(f"median time per image {name}: {statistics.median(times) * 1000:.1f} ms")
    print_misses(entries, runs["with the check"][0])


def print_make_up(entries: list[dict]) -> None:
    print(f"{len(entries)} images, by category and half (real faces >= {MIN_PX} px / drawn or CG faces found >= {MIN_PX} px):")
    for category in sorted({entry["category"] for entry in entries}):
        cells = []
        for half in ("design", "held-out"):
            chosen = [entry for entry in entries if entry["category"] == category and entry["half"] == half]
            real_faces = sum(entry["faces_40"] for entry in chosen)
            drawn = sum(entry["drawn_or_cg_faces_40"] for entry in chosen)
            cells.append(f"{half} {len(chosen):>2} images {real_faces:>3} / {drawn:>3}")
        print(f"  {category:<15} {'   '.join(cells)}")
    print(f"  images per half: {dict(Counter(entry['half'] for entry in entries))}")


def run(folder: Path, entries: list[dict], check: bool) -> tuple[list[int], list[float]]:
    """Findings of MIN_PX or more per image, and the seconds each image took."""
    signal = FacesSignal()
    found, times = [], []
    with mock.patch.object(real, "is_real", real.is_real if check else lambda image, face: True):
        for entry in entries:
            start = time.perf_counter()
            findings = list(signal.analyze(_view(folder / entry["file"])))
            times.append(time.perf_counter() - start)
            found.append(sum(finding.evidence["size_px"] >= MIN_PX for finding in findings))
    return found, times


def figures(rows: list[tuple[dict, int]]) -> str:
    tp = sum(min(entry["faces_40"], n) for entry, n in rows)
    fp = sum(max(0, n - entry["faces_40"]) for entry, n in rows)
    fn = sum(max(0, entry["faces_40"] - n) for entry, n in rows)
    return f"precision {_ratio(tp, tp + fp)}  recall {_ratio(tp, tp + fn)}  ({tp} true, {fp} false, {fn} missed)"


def print_misses(entries: list[dict], found: list[int]) -> None:
    print("\nimages still wrong with the check (file, half, category: truth, found):")
    wrong = [(entry, n) for entry, n in zip(entries, found) if n != entry["faces_40"]]
    for entry, n in wrong:
        print(f"  {entry['file']:<26} {entry['half']:<9} {entry['category']:<12} {entry['faces_40']:>3} {n:>3}")
    if not wrong:
        print("  none")


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "n/a"


def _view(path: Path) -> PhotoView:
    return PhotoView({"id": path.name, "origin": json.dumps({"path": str(path), "member": None})}, [])


if __name__ == "__main__":
    if len(sys.argv) > 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]) if len(sys.argv) == 2 else Path(__file__).resolve().parent / "faces_varied")
