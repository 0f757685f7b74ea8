"""Geotags and check-ins that came with the export or the post, not with the file's EXIF."""

from __future__ import annotations

from typing import Iterator

from ..models import Finding
from ..places.names import place_names
from ..words import N_, Said, per_language, position, say
from .base import Signal, Weight


def has_position(lat, lon) -> bool:
    """(0, 0) is the placeholder platforms write for "no location"."""
    return lat is not None and lon is not None and not (lat == 0 and lon == 0)


def place_words(names: dict[str, str]) -> Said | str:
    """' (Mapo-gu, Seoul)' after a position (names: places.names.place_names), each language its own name; ''
    when the position has no English name (and so no name at all)."""
    if not names.get("en"):
        return ""
    return per_language({lang: f" ({name})" for lang, name in names.items() if name})


class PlatformLocationSignal(Signal):
    name = "platform-location"
    version = 4  # 2: places named by the district that contains them (geonames); 3: findings carry their words; 4: a position is one value in them
    title = N_("Locations attached to posts")
    description = "Geotags and check-ins stored with the post by the platform (export JSON or HTML)"
    example = "examples/platform-location.toml"
    roles = {
        "exact_location": frozenset({"geotag"}),
        "named_place": frozenset({"place_name"}),
        "venue": frozenset({"geotag", "place_name"}),  # evidence["name"]: the venue the post is tagged with
    }
    weights = {
        "geotag": Weight(35, 35, N_("A geotag shows where the photo was taken to every viewer; attackers spread victims' addresses."), "location"),
        "place_name": Weight(15, 15, N_("A named place narrows where the person lives, studies or goes."), "location"),
    }

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
                if name:
                    template = N_("The post carries a position: %(position)s, tagged %(name)s%(where)s")
                else:
                    template = N_("The post carries a position: %(position)s%(where)s")
                yield Finding(
                    kind="geotag",
                    severity="high",
                    text=say(template, position=position(lat, lon), name=name, where=place_words(names)),
                    evidence={"lat": lat, "lon": lon, "name": name, "place": names, **where},
                )
            elif name:
                yield Finding(
                    kind="place_name",
                    severity="medium",
                    text=say(N_("The post is tagged with a place: %(name)s"), name=name),
                    evidence={"name": name, **where},
                )
