"""Geotags and check-ins that came with the export or the post, not with the file's EXIF."""

from __future__ import annotations

from typing import Iterator

from ..geonames import place_names, with_place
from ..models import Finding
from .base import Signal


def has_position(lat, lon) -> bool:
    """(0, 0) is the placeholder platforms write for "no location"."""
    return lat is not None and lon is not None and not (lat == 0 and lon == 0)


class PlatformLocationSignal(Signal):
    name = "platform-location"
    version = 2  # 2: places named by the district that contains them (geonames)
    title = "Locations attached to posts"
    description = "Geotags and check-ins stored with the post by the platform (export JSON or HTML)"

    def analyze(self, photo) -> Iterator[Finding]:
        for appearance in photo.appearances:
            where = {
                "appearance": appearance["id"],
                "platform": appearance.get("platform"),
                "account": appearance.get("account"),
                "post_id": appearance.get("post_id"),
            }
            lat, lon, name = appearance.get("lat"), appearance.get("lon"), appearance.get("location_name")
            if has_position(lat, lon):
                names = place_names(lat, lon)
                summary = f"The post carries a position: {lat:.5f}, {lon:.5f}" + (f", tagged {name}" if name else "")
                yield Finding(
                    kind="geotag",
                    severity="high",
                    summary=with_place(summary, names),
                    evidence={"lat": lat, "lon": lon, "name": name, "place": names, **where},
                )
            elif name:
                yield Finding(
                    kind="place_name",
                    severity="medium",
                    summary=f"The post is tagged with a place: {name}",
                    evidence={"name": name, **where},
                )
