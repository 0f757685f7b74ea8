"""Time whole commands as a user runs them, on a generated set of phone photos, beside exiftool.

    python benchmarks/run_speed.py [--photos N] [--set DIR] [--runs K] [--photo-audit CMD]

Writes (or reuses) the set of benchmarks/generate.py, then times, each as a child process:
the first `photo-audit run accounts.toml --db FRESH.db --out report.html`, the same command again on that
inventory with no photo changed, and `exiftool -json -n -r PHOTOS` (the yardstick: it reads every file's
metadata and nothing else). For each: wall time, CPU (user + system of the command and every process under
it: tesseract, worker processes, a helper process that outlives it), CPU/wall, the peak memory of its largest
single process (not the sum over processes), photos per second. Then the ratios
to exiftool's wall time, beside the targets of issue 13. With --runs K above 1 the three commands run in
turn K times and the table holds medians.

--photo-audit is the command prefix, so that an older checkout (say in OLD) can be timed in the same way:

    python benchmarks/run_speed.py --photo-audit "env PYTHONPATH=OLD python -c 'from audit.cli import cli; cli()'"

The inventory, report and each command's output are kept in DIR/work; the last lines of photo-audit's output
(its summary, and any photo it could not read) are printed after the table.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

# benchmarks/generate.py: the script's own folder is on sys.path
from generate import ensure_set

EXIFTOOL = "/usr/bin/exiftool"
PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h
FIRST, RERUN, EXIF = "photo-audit run (first)", "photo-audit run (again)", "exiftool -json -n -r"
TARGETS = {FIRST: (10, 1.7), RERUN: (1, 0)}  # issue 13: at most this many times exiftool's wall, CPU/wall above
OUTPUT_LINES = 6


def adopt_orphans() -> None:
    """Become the parent of every orphan a timed command leaves (a multiprocessing fork server outlives the
    command, and its workers are its children, not the command's): reaped here, their CPU counts too."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def measure(argv: list[str], cwd: Path, log: Path) -> dict:
    """Run argv to the end; its wall time, and the CPU seconds and peak RSS of it and all its descendants."""
    with log.open("wb") as out:
        start = time.monotonic()
        child = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.monotonic() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        print(f"{shlex.join(argv)} exited with {child.returncode}; output in {log}", file=sys.stderr)
    usages = [usage, *reap_orphans()]
    return {
        "wall": wall,
        "cpu": sum(u.ru_utime + u.ru_stime for u in usages),
        "rss": max(u.ru_maxrss for u in usages) / 1024,
    }


def reap_orphans():
    """The rusage of each descendant the command left behind, once it ends."""
    while True:
        try:
            yield os.wait4(-1, 0)[2]
        except ChildProcessError:
            return


def commands(prefix: str, config: Path, work: Path) -> dict[str, list[str]]:
    run = [*shlex.split(prefix), "run", str(config)]
    run += ["--db", str(work / "inventory.db"), "--out", str(work / "report.html")]
    return {FIRST: run, RERUN: run, EXIF: [EXIFTOOL, "-json", "-n", "-r", str(config.parent / "photos")]}


def warm_cache(photos: Path) -> int:
    """Read every photo once, so that no timed command is the one that pays for the disk; their total bytes."""
    return sum(len(path.read_bytes()) for path in photos.iterdir())


def one_round(argvs: dict[str, list[str]], work: Path) -> dict[str, dict]:
    for stale in work.glob("inventory.db*"):
        stale.unlink()
    logs = {FIRST: "first.log", RERUN: "again.log", EXIF: "exiftool.json"}
    return {name: measure(argv, work, work / logs[name]) for name, argv in argvs.items()}


def medians(rounds: list[dict[str, dict]]) -> dict[str, dict]:
    return {
        name: {key: statistics.median(r[name][key] for r in rounds) for key in rounds[0][name]}
        for name in rounds[0]
    }


def print_table(figures: dict[str, dict], photos: int) -> None:
    print(f"{'command':<26}{'wall s':>9}{'CPU s':>9}{'CPU/wall':>10}{'peak MiB':>10}{'photos/s':>10}")
    for name, f in figures.items():
        print(
            f"{name:<26}{f['wall']:>9.1f}{f['cpu']:>9.1f}{f['cpu'] / f['wall']:>10.2f}"
            f"{f['rss']:>10.0f}{photos / f['wall']:>10.1f}"
        )
    print()
    for name, (limit, use) in TARGETS.items():
        ratio = figures[name]["wall"] / figures[EXIF]["wall"]
        met = ratio <= limit and figures[name]["cpu"] / figures[name]["wall"] > use
        target = f"<= {limit}x exiftool" + (f", CPU/wall > {use}" if use else "")
        print(f"wall {name} / exiftool: {ratio:6.1f}x   target {target}: {'met' if met else 'not met'}")


def print_output(work: Path) -> None:
    for log in ("first.log", "again.log"):
        lines = (work / log).read_text(errors="replace").splitlines()
        print(f"\nlast lines of {log} ({len(lines)} lines in all):")
        print("\n".join(f"  {line}" for line in lines[-OUTPUT_LINES:]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=1000, help="how many photos (default 1000)")
    parser.add_argument("--set", type=Path, help="where the generated set is kept (default /tmp/photo-audit-bench-N)")
    parser.add_argument("--runs", type=int, default=1, help="rounds of the three commands; medians (default 1)")
    parser.add_argument("--photo-audit", default="photo-audit", help="the command prefix (default photo-audit)")
    args = parser.parse_args()
    adopt_orphans()
    folder = (args.set or Path(f"/tmp/photo-audit-bench-{args.photos}")).resolve()
    config = ensure_set(folder, args.photos)
    work = folder / "work"
    work.mkdir(exist_ok=True)
    size = warm_cache(config.parent / "photos")
    print(f"{args.photos} photos, {size / 2**20:.0f} MiB, in {folder}; photo-audit is: {args.photo_audit}")
    print(f"cpus {os.cpu_count()}, load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    argvs = commands(args.photo_audit, config, work)
    rounds = [one_round(argvs, work) for _ in range(args.runs)]
    print(f"load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    if args.runs > 1:
        print(f"medians of {args.runs} rounds")
    print_table(medians(rounds), args.photos)
    print_output(work)


if __name__ == "__main__":
    main()
