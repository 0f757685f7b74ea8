"""Print how well the faces signal counts faces on a folder of photos with a truth file.

    python benchmarks/faces.py DIR TRUTH.json

TRUTH.json has the format of tests/fixtures/images/faces/truth.json: {"files": [{"file": ...,
"faces_clear": ...}, ...]}. Only `file` and `faces_clear` are needed. `faces_clear` is an int, or a
string such as ">200" for a crowd, which is listed but left out of the figures. Where an entry has
`main_face` with `box_norm` (and `pose`), the script also says whether a found face sits in that
box and has that pose.

Counting is by number of faces per image: found 3 where truth says 2 is 2 true positives and 1
false positive. Identity is not run; the time per image is read, decode, detect and grade.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from audit.errors import AuditError
from audit.inventory.photo import PhotoView
from audit.signals.faces import FacesSignal

BOX_SLACK = 0.05  # truth boxes are rough by-eye estimates


def main(folder: Path, truth_path: Path) -> None:
    entries = json.loads(truth_path.read_text(encoding="utf-8"))["files"]
    signal = FacesSignal()
    rows, times = [], []
    for entry in entries:
        start = time.perf_counter()
        try:
            findings = list(signal.analyze(_view(folder / entry["file"])))
        except AuditError as exc:
            print(f"{entry['file']}: skipped, {exc.message}")
            continue
        times.append(time.perf_counter() - start)
        rows.append((entry, findings))
    if not rows:
        sys.exit("no photo of the truth file could be read")
    print_table(rows)
    print_figures(rows, times)


def print_table(rows: list) -> None:
    print(f"{'file':<40} {'expected':>8} {'found':>5} {'TP':>3} {'FP':>3} {'FN':>3}  main face")
    for entry, findings in rows:
        counts = _counts(entry["faces_clear"], len(findings))
        cells = " ".join(f"{n:>3}" for n in counts) if counts else "  -   -   -"
        print(f"{entry['file']:<40} {str(entry['faces_clear']):>8} {len(findings):>5} {cells}  {_main_face(entry, findings)}")


def print_figures(rows: list, times: list[float]) -> None:
    counted = [(_counts(entry["faces_clear"], len(findings)), entry) for entry, findings in rows]
    tp, fp, fn = (sum(counts[i] for counts, _ in counted if counts) for i in range(3))
    print()
    print(f"images {len(rows)} ({sum(1 for c, _ in counted if c is None)} crowds left out of the figures)")
    print(f"faces: {tp} true positives, {fp} false positives, {fn} missed")
    print(f"precision {_ratio(tp, tp + fp)}  recall {_ratio(tp, tp + fn)}")
    mismatched = [entry["file"] for counts, entry in counted if counts and (counts[1] or counts[2])]
    print(f"images with a wrong count ({len(mismatched)}): {', '.join(mismatched) or 'none'}")
    print(f"median time per image {statistics.median(times) * 1000:.1f} ms")


def _counts(expected, found: int) -> tuple[int, int, int] | None:
    """(TP, FP, FN) by count; None when truth gives no exact count (a crowd)."""
    if not isinstance(expected, int):
        return None
    return min(expected, found), max(0, found - expected), max(0, expected - found)


def _main_face(entry: dict, findings: list) -> str:
    box = (entry.get("main_face") or {}).get("box_norm")
    if not box:
        return ""
    x0, y0, x1, y1 = box
    for finding in findings:
        fx0, fy0, fx1, fy1 = finding.evidence["box"]
        cx, cy = (fx0 + fx1) / 2, (fy0 + fy1) / 2
        if x0 - BOX_SLACK <= cx <= x1 + BOX_SLACK and y0 - BOX_SLACK <= cy <= y1 + BOX_SLACK:
            pose = entry["main_face"].get("pose")
            agreement = "" if not pose else f", pose {finding.evidence['pose']} (truth {pose})"
            return f"found, {finding.evidence['grade']}{agreement}"
    return "NOT FOUND"


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "n/a"


def _view(path: Path) -> PhotoView:
    return PhotoView({"id": path.name, "origin": json.dumps({"path": str(path), "member": None})}, [])


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))
