#!/usr/bin/env python3
"""Build examples/personas/: three invented people, each a complete platform export, for privacy workshops.

So that a group can practise without anyone's own photos, each persona is a zipped export as the platform
delivers it, with a different risk profile (examples/personas/README.md):
  yuna    이유나, Instagram, public: 14 posts with her face large and frontal, school and class, friends
  jiho    박지호, Facebook: one face photo, but home and office given away by the photos' positions, and a name
          badge the text reader can read
  soyeon  정소연, X, protected (followers only) but with a public profile picture of her face

Every picture is drawn with make_demo.py's primitives or cut from public-domain / CC0 images. The NASA portrait
of Eileen Collins, the US Navy portrait of Grace Hopper and the man in scikit-image's `camera` photo only stand
in for invented people: none of them has anything to do with these personas. The pictures are drawn in
personas_make/scenes.py; each persona's export is written by its own module (personas_make/yuna.py, jiho.py,
soyeon.py).

    python examples/make_personas.py /work/shared/fixtures/images/faces [--out examples/personas]

Deterministic like make_demo.py: verified inputs, fixed seeds and timestamps, zip entries with a fixed date.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from make_demo import command_line
from personas_make.common import files_table, update_readme, write_persona
from personas_make.jiho import JIHO, build_jiho
from personas_make.scenes import load_cast
from personas_make.soyeon import SOYEON, build_soyeon
from personas_make.yuna import YUNA, build_yuna

PERSONAS = ((YUNA, build_yuna), (JIHO, build_jiho), (SOYEON, build_soyeon))


def build(faces_dir: Path, out: Path) -> None:
    cast = load_cast(faces_dir)
    results = []
    for facts, builder in PERSONAS:
        target = out / facts["slug"]
        if target.exists():
            shutil.rmtree(target)
        built = builder(cast, out)
        write_persona(out, facts, built)
        results.append(built)
    update_readme(out, files_table(results))


def main() -> None:
    command_line(__doc__.split("\n")[0], build, Path(__file__).resolve().parent / "personas")


if __name__ == "__main__":
    main()
