"""collect -> analyze -> score: the steps behind the CLI, as plain functions.

Each step is idempotent: stable ids come from content hashes, so running it again on the same
inputs adds no rows and changes none. Per-item failures are recorded in `errors` and the step
goes on; only an unusable account or database stops anything, and then only that account.

analyze runs photo signals once per photo and signal version (and again when a photo's appearances or the
signal's inventory-wide context change). Inventory signals (scope "inventory") look across all photos at once,
after the photo signals, and are recomputed every time: they are cheap.
"""

from .analysis import analyze, photo_views
from .collection import audience_of, collect, reads
from .scores import score
from .tally import Bar, Tally, no_bar

__all__ = ["Bar", "Tally", "analyze", "audience_of", "collect", "no_bar", "photo_views", "reads", "score"]
