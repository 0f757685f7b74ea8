"""What one workshop participant contributes to the group's picture: an anonymous summary of her report.

Counts only, in bands (BANDS), and kinds of what was found, never a value: no photo, id, hash, handle, name,
caption, place name, coordinate or time. Everything in it is read from the report's own data (report_data), so
that the summary and her report never disagree. The same module checks a summary that someone hands in
(`check`): the merge reads files from other laptops, hostile input until proven a summary.

The schema, version 1 (every key always present, nothing else):
- clear_faces: how many clear photos of her face a stranger can collect (the report's "supply"), banded;
- profile_picture_face: whether one of them is a profile picture (public even on a private account);
- pictures: how many of her pictures a stranger can see, banded;
- located: how many of those show where they were taken, banded;
- clues: the kinds of identity clue a stranger can read (school, phone...), as the findings name their kinds;
- places: the kinds of place a stranger can work out she returns to (the places' labels: home, school or work...);
- followers_see_more: whether her followers see photos that a stranger cannot;
- steps: per kind of step of her removal plan, how many photos it would take down or change, banded.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import InputError, UsageError
from ..report.page import report_data
from ..report.plan import STEP_ACTIONS
from ..signals import kinds
from ..signals.places import LABELS as PLACE_LABELS
from ..steps import score

SCHEMA = "photo-audit workshop summary"
VERSION = 1
# Counts in bands: none; one to nine (one clear photo is enough for a face swap); ten or more (as many as the
# Telegram rooms of 2024 asked for). The bands are the summary's only numbers.
BANDS = ("0", "1-9", "10+")
ROOM = 10  # photos the Telegram rooms asked for: the top band starts here
CLUE_KINDS = tuple(sorted({kind for _, kind in kinds("identity_clue")}))
PLACE_KINDS = tuple(PLACE_LABELS)
BANDED = ("clear_faces", "pictures", "located")
FLAGS = ("profile_picture_face", "followers_see_more")
KEYS = ("schema", "version", *BANDED, "profile_picture_face", "clues", "places", "followers_see_more", "steps")
# Readable photos with no analysis at all (collected since the last analyze, or an analyze cut short).
UNANALYSED = "select count(*) from photos where status = 'ok' and id not in (select photo from analyses)"
MAX_BYTES = 16_384  # a summary is a few hundred bytes: anything larger is not one, and is not read whole


def band(count: int) -> str:
    return BANDS[0] if count <= 0 else BANDS[1] if count < ROOM else BANDS[2]


def summarise(db) -> dict:
    """The anonymous summary of an analysed inventory, from the report's data (scored first, as `report` does)."""
    # Nothing found in photos never analysed is no reassurance: a band of "0" must mean none was found.
    waiting = db.execute(UNANALYSED).fetchone()[0]
    if waiting:
        raise UsageError(f"{waiting} photo(s) in the inventory are not analysed yet: run `photo-audit analyze` first")
    score(db)
    return from_report(report_data(db))


def from_report(data: dict) -> dict:
    """The summary of the report's data (report_data): bands and kinds only, in the schema's order."""
    strangers, supply = data["strangers"], data["supply"]
    steps = {action: 0 for action in STEP_ACTIONS}
    for step in data["plan"].steps:
        steps[step.action] += 1  # a step is one picture (all its copies and posts)
    return {
        "schema": SCHEMA,
        "version": VERSION,
        "clear_faces": band(supply.photos if supply else 0),
        "pictures": band(strangers["pictures"]),
        "located": band(strangers["located"]),
        "profile_picture_face": bool(supply and supply.profile_photos),
        "clues": sorted(set(strangers["clue_kinds"]) & set(CLUE_KINDS)),
        "places": sorted({place["label"] for place in strangers["places"]} & set(PLACE_KINDS)),
        "followers_see_more": data["followers"] is not None,
        "steps": {action: band(count) for action, count in steps.items()},
    }


def as_text(summary: dict) -> str:
    """The file's exact contents: what she is shown before it is written."""
    return json.dumps(summary, indent=2, ensure_ascii=False) + "\n"


def read(path: Path) -> dict:
    """A summary handed in, checked strictly; InputError naming the file when it is not one."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if len(raw) > MAX_BYTES:
        raise InputError(f"{path}: not a workshop summary (too large to be one)")
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # RecursionError: nested thousands deep
        raise InputError(f"{path}: not a workshop summary (not JSON)") from exc
    problem = check(data)
    if problem:
        raise InputError(f"{path}: not a workshop summary ({problem})")
    return data


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number")


def check(data) -> str | None:
    """What is wrong with `data` as a summary of this schema version, or None when nothing is."""
    if not isinstance(data, dict):
        return "not a JSON object"
    if set(data) - set(KEYS):
        return "it has keys that a summary does not have"  # hostile text: not repeated on the terminal
    if set(KEYS) - set(data):
        return f"missing: {', '.join(key for key in KEYS if key not in data)}"
    if data["schema"] != SCHEMA:
        return "another kind of file"
    if type(data["version"]) is not int or data["version"] != VERSION:
        return f"not schema version {VERSION}, the one this photo-audit reads"
    for key in BANDED:
        if data[key] not in BANDS:
            return f"{key} is not one of {', '.join(BANDS)}"
    for key in FLAGS:
        if type(data[key]) is not bool:
            return f"{key} is not true or false"
    for key, known in (("clues", CLUE_KINDS), ("places", PLACE_KINDS)):
        values = data[key]
        if not isinstance(values, list) or any(v not in known for v in values) or len(set(values)) != len(values):
            return f"{key} is not a list of distinct known kinds ({', '.join(known)})"
    steps = data["steps"]
    if not isinstance(steps, dict) or set(steps) != set(STEP_ACTIONS) or any(v not in BANDS for v in steps.values()):
        return f"steps is not one band ({', '.join(BANDS)}) for each of {', '.join(STEP_ACTIONS)}"
    return None
