"""Fuzz the sources' parsers and the photo metadata reader on many more cases than the suite does; print figures.

    python tools/fuzz.py [--examples N] [--seed S] [TARGET ...]

Runs the targets of tests/test_fuzz.py (all of them, or those named) on N cases each (default 2,000) drawn from a
random seed, printed so that a run can be repeated. For each target: the cases run, the time, cases per second,
the slowest case, and what was found: hypothesis's smallest failing case and its traceback. A failing target does
not stop the others. Exit status 1 when anything was found.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests package of this checkout

from tests.test_fuzz import TARGETS, fuzz


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", metavar="TARGET", help=", ".join(target.name for target in TARGETS))
    parser.add_argument("--examples", type=int, default=2000, help="cases per target (default 2,000)")
    parser.add_argument("--seed", type=int, default=random.randrange(2**32), help="default: a random one")
    args = parser.parse_args()
    unknown = set(args.targets) - {target.name for target in TARGETS}
    if unknown:
        parser.error(f"no such target: {', '.join(sorted(unknown))}")
    logging.disable(logging.WARNING)  # Beautiful Soup logs every damaged page's undecodable bytes
    chosen = [target for target in TARGETS if not args.targets or target.name in args.targets]
    print(f"seed {args.seed}, {args.examples:,} cases per target")
    print(f"{'target':<20}{'cases':>8}{'seconds':>9}{'cases/s':>9}{'slowest':>10}  found")
    found = []
    for target in chosen:
        figures = fuzz(target, args.examples, args.seed)
        verdict = type(figures.failure).__name__ if figures.failure else "nothing"
        print(f"{target.name:<20}{figures.cases:>8,}{figures.seconds:>9.1f}{figures.cases / figures.seconds:>9.0f}"
              f"{figures.slowest * 1000:>8.0f}ms  {verdict}", flush=True)
        if figures.failure:
            found.append(figures)
    print(f"{len(chosen)} targets, {len(found)} with findings")
    for figures in found:
        print(f"\n--- {figures.target} ---")
        traceback.print_exception(figures.failure)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
