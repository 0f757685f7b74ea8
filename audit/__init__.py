"""photo-audit: see your own photos the way a stranger can."""

__version__ = "0.1.0"
