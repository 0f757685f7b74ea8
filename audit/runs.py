"""A whole run as the commands make it: collect, analyse, score and report, recorded in `runs`, and its end told in
sentences. The commands of audit/cli.py and the workshop kit (audit/workshop/) run through here."""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import click

from . import __version__
from .errors import InputError, ProofError, UnsafeInputError, UsageError
from .inventory.db import end_run, open_db, start_run
from .inventory.lock import one_writer
from .inventory.transactions import ctrl_c_waits, take_held_ctrl_c
from .outputs import check_writable
from .report.dates import remember_zone
from .report.page import render_report
from .signals import SIGNALS
from .steps import Tally, reads
from .steps import analyze as analyze_step
from .steps import collect as collect_step
from .steps import score as score_step
from .steps.analysis import ANALYSING
from .text.fix import for_terminal


FAILURES = "stage not in ('skip', 'note')"  # the errors rows that are failures to read an item


def bar(iterable, length, label):
    return click.progressbar(iterable, length=length, label=label, file=sys.stderr, show_pos=True)


@dataclass(frozen=True)
class ReportOptions:
    lang: str = "en"
    redact: bool = False
    json_path: Path | None = None
    csv_path: Path | None = None


def audit_all(config, db_path: Path, out: Path, command: str, options: ReportOptions) -> tuple[Path, Tally]:
    check_writable(out, options.json_path, options.csv_path)
    with one_writer(db_path, command), open_db(db_path) as db, RunLog(db, command) as log:
        collect_accounts(db, config, log)
        analyze_step(db, log.run, bar, log.tally)
        log.tally.merge(score_step(db))
        report_path = render_report(db, out, **asdict(options)).resolve()
    return report_path, log.tally


def open_collected(db_path: Path):
    """The inventory for commands that read what `collect` put in it; UsageError when it holds no photo.

    An empty inventory would give a report that looks safe ("nothing to do"): a wrong --db must not."""
    if not db_path.exists():
        raise UsageError(f"there is no inventory at {db_path}: run `photo-audit collect accounts.toml` first")
    db = open_db(db_path)
    if not db["photos"].count:
        raise UsageError(f"the inventory at {db_path} holds no photos: run `photo-audit collect accounts.toml` first")
    return db


def collect_accounts(db, config, log: RunLog) -> None:
    """Collect every account; name each that yielded no photo, and stop when none yielded any."""
    remember_zone(db, config)  # the zone the report shows times in, for a later `report` without the config
    log.tally.merge(collect_step(db, config, log.run, bar))
    accounts = reads(db, log.run)
    if len(accounts) > 1:  # which account gave what; the run's end counts them together
        found = ", ".join(f"{_count(read['items'], 'item', 'items')} in {for_terminal(read['display'])}" for read in accounts)
        click.echo(f"Found {found}.", err=True)
    for read in accounts:
        if not read["items"] and read["problem"] != "refused":  # a refused account's own error says why
            hint = "is this the export's folder?" if read["path"] else "is this the right address?"
            click.echo(f"photo-audit: no photo found in {for_terminal(read['display'])} ({for_terminal(read['place'])}): {hint}", err=True)
    if not any(read["items"] for read in accounts):
        raise_if_refused(log.tally)  # says why better than "no photo"
        raise InputError("no account yielded a photo: nothing to audit (see above)")


def raise_if_refused(tally: Tally) -> None:
    """The other accounts were audited; the exit code still says that an account was refused whole."""
    if tally.counts.get("unsafe"):
        raise UnsafeInputError("some accounts were not collected: their input was refused as unsafe (see above)")
    if tally.counts.get("unproven"):
        raise ProofError("some live accounts were not collected: control is not proven (see above)")


class RunLog:
    """Record a run in `runs`, and print its summary at the end, even when the run fails."""

    def __init__(self, db, command: str):
        self.db, self.command = db, command
        self.tally = Tally()

    def __enter__(self) -> "RunLog":
        self.run = start_run(self.db, self.command, __version__)
        return self

    @ctrl_c_waits  # the run's record is written whole: a Ctrl-C meanwhile waits, and is taken in below
    def __exit__(self, exc_type, exc, traceback):
        # Only a run that ended well is finished: "changes since the last audit" must not trust the others.
        cut = exc_type is None and take_held_ctrl_c()  # its last statement ended after a Ctrl-C: it did not finish
        status = "finished" if exc_type is None and not cut else "failed"
        if cut or exc_type is not None and issubclass(exc_type, KeyboardInterrupt):
            status = "interrupted"
        # A Ctrl-C between two statements can leave an item's transaction open: that item is not kept (all of it or
        # none), and the run's record below must not join the transaction that closing the inventory rolls back.
        self.db.rollback()
        end_run(self.db, self.run, self.tally.counts, status)
        _print_summary(self.db, self.run, self.tally.counts, interrupted=status == "interrupted")
        take_held_ctrl_c()  # one pressed while the run was recorded comes too late to stop anything
        if cut:
            raise KeyboardInterrupt
        return False


def _print_summary(db, run: int, counts: dict, interrupted: bool = False) -> None:
    for line in summary_lines(db, run, counts, interrupted):
        click.echo(line, err=True)
    for note in db.query("select distinct message from errors where stage = 'note' order by message"):
        click.echo(f"Note: {for_terminal(note['message'])}", err=True)
    errors = list(db.query(f"select source, item, message from errors where {FAILURES} order by source, item"))
    if errors:
        click.echo(f"{_count(len(errors), 'item', 'items')} in the inventory could not be read "
                   f"(listed in the report and the 'errors' table):", err=True)
        for error in errors[:10]:
            click.echo(f"  {for_terminal(error['item'])}: {for_terminal(error['message'])}", err=True)
        if len(errors) > 10:
            click.echo(f"  ... and {len(errors) - 10} more", err=True)


def summary_lines(db, run: int, counts: dict, interrupted: bool = False) -> list[str]:
    """What the run did, in sentences: "Read 38 items from 2 accounts: 33 distinct photos (in 37 files: copies and
    near-duplicates count once), 1 unreadable file." then "Analysed 38 files; scored 38.". Each number is the
    tally's (`counts`) or counted in the inventory: after an analysis cut short, the inventory's (a Ctrl-C can land
    between a photo's transaction and the tally)."""
    lines = []
    accounts = db.execute("select count(*) from account_reads where run = ?", [run]).fetchone()[0]
    if accounts:  # the run collected
        lines.append(_read_sentence(db, run, counts, accounts))
        refused = [(counts.get("unsafe", 0), "its input was refused as unsafe", "their input was refused as unsafe"),
                   (counts.get("unproven", 0), "control of it is not proven", "control of them is not proven")]
        lines += [f"{_count(n, 'account was', 'accounts were')} not read: {one if n == 1 else many}."
                  for n, one, many in refused if n]
    if interrupted and ANALYSING in counts and "scored" not in counts:
        lines.append(_cut_analysis_sentence(db))
    elif "scored" in counts or any(key.startswith("analysed:") for key in counts):  # the run analysed and scored
        lines.append(_analysis_sentence(counts))
    return lines


# The photos that a run's collect saw (its sightings), with their picture (near-duplicates count once), status, and
# whether a photo was never analysed (its near-duplicates are not known then: see _read_sentence).
_SEEN = """
select distinct photos.id, pictures.picture, photos.status, photos.media_type,
       photos.media_type = 'image' and photos.phash is null
       and not exists (select 1 from analyses where analyses.photo = photos.id) as not_analysed
from sightings
join appearances on appearances.id = sightings.appearance
join photos on photos.id = appearances.photo join pictures on pictures.photo = photos.id
where sightings.run = ?
"""


def _read_sentence(db, run: int, counts: dict, accounts: int) -> str:
    items, in_accounts = counts.get("items", 0), _count(accounts, "account", "accounts")
    if not items:
        skipped = counts.get("skipped", 0)
        passed = f" ({_count(skipped, 'file that is not a photo or a video was', 'files that are not photos or videos were')} skipped)" if skipped else ""
        return f"Nothing was read from {in_accounts}{passed}."
    seen = list(db.query(_SEEN, [run]))
    readable = [row for row in seen if row["status"] == "ok"]
    distinct = _distinct_pictures(readable)
    if any(row["not_analysed"] for row in readable):
        # Near-duplicates are told by a hash the analysis makes: before it (a collect, or an analysis cut off), only
        # copies of one file are known to be one.
        distinct = (f"{_count(len(readable), 'different file', 'different files')} (near-duplicates are looked for "
                    "when the photos are analysed)")
    elif len(readable) != len({row["picture"] for row in readable}):
        distinct += f" (in {len(readable)} files: copies and near-duplicates count once)"
    others = [
        (sum(row["status"] == "unreadable" for row in seen), "unreadable file", "unreadable files"),
        (sum(row["status"] == "missing" for row in seen), "post whose file is not in the export",
         "posts whose files are not in the export"),
        (counts.get("skipped", 0), "file that is not a photo or a video, skipped", "files that are not photos or videos, skipped"),
    ]
    parts = [distinct] + [_count(*other) for other in others if other[0]]
    return f"Read {_count(items, 'item', 'items')} from {in_accounts}: {', '.join(parts)}."


def _distinct_pictures(readable: list[dict]) -> str:
    """"33 distinct photos", "1 distinct photo and 2 distinct videos": a video is no photo in the count."""
    videos = {row["picture"] for row in readable if row["media_type"] == "video"}
    photos = {row["picture"] for row in readable} - videos
    said = [_count(len(photos), "distinct photo", "distinct photos")] if photos or not videos else []
    said += [_count(len(videos), "distinct video", "distinct videos")] if videos else []
    return " and ".join(said)


def _cut_analysis_sentence(db) -> str:
    """"Analysis cut short: 18 of 37 files are analysed by every check; ...": counted in the inventory."""
    checks = [(name, cls.version) for name, cls in SIGNALS.items() if cls.scope == "photo"]
    values = ", ".join("(?, ?)" for _ in checks)
    done = db.execute(
        f"select count(*) from (select photo from analyses where (signal, signal_version) in (values {values}) "
        "group by photo having count(*) = ?)", [part for check in checks for part in check] + [len(checks)],
    ).fetchone()[0]
    total = db["photos"].count
    if done == total:  # cut while scoring, or in the checks that look across all photos
        return f"Every file ({total}) is analysed by every check; the run was cut short before it ended."
    return (f"Analysis cut short: {done} of {_count(total, 'file', 'files')} analysed by every check; run the command "
            f"again to analyse the other {total - done}.")


def _analysis_sentence(counts: dict) -> str:
    """"Analysed 37 files; scored 37.": each photo signal runs on the files it has not analysed at its version."""
    ran = {name: counts.get(f"analysed:{name}", 0) for name, cls in SIGNALS.items() if cls.scope == "photo"}
    scored = f"scored {counts.get('scored', 0)}"
    if len(set(ran.values())) <= 1:
        done = next(iter(ran.values()), 0)
        return f"Analysed {_count(done, 'file', 'files')}; {scored}." if done else f"No file needed analysing again; {scored}."
    checks = ", ".join(f"{name} on {_count(n, 'file', 'files')}" for name, n in ran.items() if n)
    return f"Ran each check on the files it had not analysed yet: {checks}; {scored}."


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"
