"""Places: naming a position (districts in Korea, towns abroad)."""
