"""A drawing of the places you return to: each place's positions around its centre, on a plain grid, as numbers
that templates/parts/places.html.j2 writes as inline SVG. No map tiles, links, styles or scripts."""

from __future__ import annotations

import math

from .names import EARTH_RADIUS_M

PANEL_PX = 220
CAPTION_PX = 58
GRID_STEPS_M = (10, 25, 50, 100, 250)


def drawing(places: list[dict]) -> dict | None:
    """Where to draw each place's positions (from `places()`), as numbers only: one panel per place, its grid
    lines and its dots. templates/parts/places.html.j2 writes it as inline SVG, its words in the report's language."""
    if not places:
        return None
    return {
        "width": len(places) * (PANEL_PX + 10) - 10,
        "height": PANEL_PX + CAPTION_PX,
        "side": PANEL_PX,
        "panels": [_panel(place, index * (PANEL_PX + 10)) for index, place in enumerate(places)],
    }


def _panel(place: dict, left: int) -> dict:
    metres = [_offset_m(place, lat, lon) for lat, lon in place["points"]]
    reach = max([max(abs(x), abs(y)) for x, y in metres] + [GRID_STEPS_M[0]]) * 1.15
    step = next((s for s in GRID_STEPS_M if reach / s <= 4), GRID_STEPS_M[-1])
    scale = (PANEL_PX / 2) / reach
    cx, cy = left + PANEL_PX / 2, PANEL_PX / 2  # the centre of the place, in the drawing
    lines = []
    for k in range(-int(reach // step), int(reach // step) + 1):
        at, colour = k * step * scale, "#bbb" if k == 0 else "#e3e3e3"
        lines.append((round(cx + at, 1), 0, round(cx + at, 1), PANEL_PX, colour))
        lines.append((left, round(cy - at, 1), left + PANEL_PX, round(cy - at, 1), colour))
    dots = [(round(cx + x * scale, 1), round(cy - y * scale, 1)) for x, y in metres]
    return {"place": place, "left": left, "step": step, "lines": lines, "dots": dots}


def _offset_m(place: dict, lat: float, lon: float) -> tuple[float, float]:
    """East and north of the place's centre, in metres (flat-Earth: fine within a few hundred metres)."""
    east_degrees = (lon - place["lon"] + 180) % 360 - 180  # across the 180th meridian too
    east = math.radians(east_degrees) * math.cos(math.radians(place["lat"])) * EARTH_RADIUS_M
    north = math.radians(lat - place["lat"]) * EARTH_RADIUS_M
    return east, north
