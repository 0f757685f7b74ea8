"""The group's picture: the anonymous summaries of a workshop's participants (summary.py) merged into one
self-contained HTML page, with no count under 3 shown.

Every chart counts participants. Most are partitions of the group (each participant in exactly one cell: her band
of clear faces, whether a clue kind was found or not), whose total, the number of participants, is known to
everyone in the room. So hiding a small cell is not enough: the cells shown must not give it back by subtraction.
`suppress` hides every cell under 3, then hides more cells (the smallest first) until no hidden cell's count can
be worked out from what is shown: from the total, the shown cells, and what a hidden cell says ("fewer than 3",
"3 or more"). Where even hiding every cell is not enough, the chart is withheld.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Hashable, Iterable

from ..errors import InputError, UsageError
from ..outputs import check_writable, write_private
from ..report.page import environment
from ..report.plan import STEP_ACTIONS
from .summary import BANDS, CLUE_KINDS, PLACE_KINDS, PLACE_LABELS, read

MIN_SUMMARIES = 5
SMALL = 3  # a count under this is never shown
TEMPLATE = "workshop/group.html.j2"
# What a cell shows: its count, "fewer than 3" (it is under 3), "3 or more" (hidden so that a small cell cannot be
# worked out by subtraction), or nothing at all (the whole chart is withheld).
COUNT, FEWER, MANY, WITHHELD = "count", "fewer", "many", "withheld"


@dataclass(frozen=True)
class Cell:
    key: Hashable
    shows: str  # COUNT, FEWER, MANY or WITHHELD
    count: int | None  # COUNT: the count; MANY: the least it can be, which the reader can work out anyway
    share: float  # of the participants, for the bar: 0 unless the count is shown

    @property
    def lower(self) -> int:
        """What the reader knows it is at least: the rank of a chart's rows uses only what is shown."""
        return self.count if self.shows in (COUNT, MANY) else 0


def suppress(counts: dict[Hashable, int]) -> dict[Hashable, Cell]:
    """A partition's cells (key -> participants, adding up to everyone), as the page may show them."""
    total = sum(counts.values())
    hidden = {key for key, count in counts.items() if count < SMALL}
    while hidden and _pinned(_bounds(counts, hidden)):
        shown = [key for key in counts if key not in hidden]
        if not shown:
            return {key: Cell(key, WITHHELD, None, 0.0) for key in counts}
        hidden.add(min(shown, key=lambda key: counts[key]))  # the first smallest: the order is the caller's
    bounds = _bounds(counts, hidden)
    return {key: (Cell(key, COUNT, count, count / total if total else 0.0) if key not in hidden
                  else Cell(key, FEWER, None, 0.0) if count < SMALL else Cell(key, MANY, bounds[key][0], 0.0))
            for key, count in counts.items()}


def _bounds(counts: dict[Hashable, int], hidden: set) -> dict[Hashable, tuple[int, int]]:
    """What a reader can work out of each hidden cell, as (least, most): she knows their sum (the total minus the
    shown cells) and what each says, 0 to 2 ("fewer than 3") or 3 up to that sum ("3 or more")."""
    left = sum(counts[key] for key in hidden)
    says = {key: (0, SMALL - 1) if counts[key] < SMALL else (SMALL, left) for key in hidden}
    worked_out = {}
    for key, (low, high) in says.items():
        others_low = sum(bound[0] for other, bound in says.items() if other != key)
        others_high = sum(bound[1] for other, bound in says.items() if other != key)
        worked_out[key] = (max(low, left - others_high), min(high, left - others_low))
    return worked_out


def _pinned(bounds: dict[Hashable, tuple[int, int]]) -> bool:
    """Whether one hidden cell's exact count can be worked out."""
    return any(low >= high for low, high in bounds.values())


def partition(summaries: list[dict], value: Callable[[dict], Hashable], keys: Iterable[Hashable]) -> dict:
    keys = list(keys)
    counts = {key: 0 for key in keys}
    for summary in summaries:
        counts[value(summary)] += 1
    return suppress(counts)


def found(summaries: list[dict], value: Callable[[dict], bool]) -> Cell:
    """The participants for whom `value` holds; suppressed as the partition it makes with those for whom it does not."""
    return partition(summaries, lambda summary: bool(value(summary)), (True, False))[True]


def ranked(rows: list[tuple[str, Cell]]) -> list[tuple[str, Cell]]:
    """Most first, by what is shown (the order of hidden counts is not shown either); ties keep their order."""
    return sorted(rows, key=lambda row: -row[1].lower)


def group_data(summaries: list[dict]) -> dict:
    """What the group page shows: per chart, participants per cell, suppressed."""
    clues = ranked([(kind, found(summaries, lambda s, kind=kind: kind in s["clues"])) for kind in CLUE_KINDS])
    places = ranked([(kind, found(summaries, lambda s, kind=kind: kind in s["places"])) for kind in PLACE_KINDS])
    steps = [(action, partition(summaries, lambda s, action=action: s["steps"][action], BANDS)) for action in STEP_ACTIONS]
    # The steps that take down or change the most photos first: by participants with 10+ photos, then 1-9 (shown only).
    steps.sort(key=lambda row: (-row[1][BANDS[2]].lower, -row[1][BANDS[1]].lower))
    return {
        "participants": len(summaries),
        "bands": BANDS,
        "faces": partition(summaries, lambda s: s["clear_faces"], BANDS),
        "profile_picture_face": found(summaries, lambda s: s["profile_picture_face"]),
        "pictures": partition(summaries, lambda s: s["pictures"], BANDS),
        "located": partition(summaries, lambda s: s["located"], BANDS),
        "followers_see_more": found(summaries, lambda s: s["followers_see_more"]),
        "clues": [row for row in clues if row[1].shows in (COUNT, MANY)],
        "rare_clues": [kind for kind, cell in clues if cell.shows not in (COUNT, MANY)],
        "places": [row for row in places if row[1].shows in (COUNT, MANY)],
        "rare_places": [kind for kind, cell in places if cell.shows not in (COUNT, MANY)],
        "place_guess": {label: guess for label, (_, guess) in PLACE_LABELS.items()},
        "steps": steps,
    }


def merge(paths: list[Path], out: Path, lang: str = "en") -> Path:
    """Check the summaries (enough of them, each once, each a summary) and write the group's page."""
    if len(paths) < MIN_SUMMARIES:
        raise UsageError(f"a group picture needs at least {MIN_SUMMARIES} summaries so that nobody can be picked out; "
                         f"got {len(paths)}")
    _refuse_twice(paths, out)
    check_writable(out)
    summaries = [read(path) for path in paths]
    template = environment(lang).get_template(TEMPLATE)
    return write_private(out, template.generate(**group_data(summaries), lang=lang))


def _refuse_twice(paths: list[Path], out: Path) -> None:
    """The same file twice would count one participant twice (and make a small cell look bigger); the page written
    over a summary would lose it. Two participants may hand in the same contents: only the same file is refused."""
    seen: dict[tuple[int, int], Path] = {}
    for path in paths:
        try:
            stat = path.stat()
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
        same = seen.get((stat.st_dev, stat.st_ino))
        if same is not None:
            also = "" if str(same) == str(path) else f" (also as {same})"
            raise UsageError(f"{path} is given twice{also}: each participant's summary counts once")
        seen[(stat.st_dev, stat.st_ino)] = path
    if out.exists() and (out.stat().st_dev, out.stat().st_ino) in seen:
        raise UsageError(f"{out}: the group picture would be written over one of the summaries")
