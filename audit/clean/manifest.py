"""The clean copies' manifest: `clean-manifest.json` (every copy, its original, what was removed, what was blurred or
covered, and what the project's own signals still find in it) and `clean-manifest.html`, the same for a person, with
the limits of a clean copy said plainly."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from ..errors import AuditError
from ..inventory import imaging
from ..inventory.db import now_utc
from ..outputs import write_private
from ..report.page import environment
from ..words import N_
from .copy import REMOVED_WORDS
from .make import Options

SCHEMA = "photo-audit clean manifest"
VERSION = 1
JSON_NAME, HTML_NAME = "clean-manifest.json", "clean-manifest.html"
TEMPLATE = "clean/manifest.html.j2"
# What no clean copy can do; said in the manifest and the README.
LIMITS = (
    N_("A clean copy protects only what is posted from now on: copies that someone already saved, screenshotted or "
       "re-posted keep everything the original had."),
    N_("Take the original down everywhere it is posted before you post the copy: while both are up, the original "
       "still gives away what the copy hides."),
    N_("A covered face cannot be used, but the rest of the picture still shows: clothes, the place, the people with "
       "you, and any text in it (listed below as what the copy still shows)."),
    N_("Blurring a bystander's face hides it from face matchers, not from people who know them."),
)


def write_manifest(out: Path, copies: list[dict], errors: list[dict], lang: str, has_references: bool,
                   options: Options) -> Path:
    """Both files, 0600; the HTML page's path."""
    manifest = {
        "schema": SCHEMA,
        "version": VERSION,
        "made_at": now_utc(),
        "told_faces_apart": has_references,
        "bystanders_kept": options.keep_bystanders,
        "limits": list(LIMITS),
        "copies": copies,
        "errors": errors,
    }
    write_private(out / JSON_NAME, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    thumbnails = {copy["file"]: thumbnail(out / copy["file"]) for copy in copies}
    page = environment(lang).get_template(TEMPLATE).generate(
        manifest=manifest, thumbnails=thumbnails, removed_words=REMOVED_WORDS, lang=lang)
    return write_private(out / HTML_NAME, page)


def previous_copies(out: Path) -> set[str]:
    """The file names of the copies an earlier run listed in `out`'s manifest (none when there is no readable one):
    a new run deletes those it does not make again, and nothing else in the folder."""
    try:
        earlier = json.loads((out / JSON_NAME).read_text(encoding="utf-8"))
        names = {copy["file"] for copy in earlier["copies"]} if earlier.get("schema") == SCHEMA else set()
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()
    return {name for name in names if isinstance(name, str) and name == Path(name).name and name not in (JSON_NAME, HTML_NAME)}


def thumbnail(path: Path) -> str | None:
    """The copy as a small JPEG data: URI (the page loads nothing), or None when it cannot be decoded."""
    try:
        image = imaging.decode(path.read_bytes(), max_side=imaging.THUMB_SIDE * 2)
    except (OSError, AuditError):
        return None
    return "data:image/jpeg;base64," + base64.b64encode(imaging.jpeg_bytes(image)).decode()
