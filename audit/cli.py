"""The command line: thin wrappers around audit.steps and audit.report.page.

Exit codes: 0 done (per-item errors are summarised, not fatal); 1 internal error; 2 bad
command line or config; 3 missing or unreadable input, or an output that cannot be written; 4 input
refused as unsafe; 5 live collection refused without proof of control; 6 unusable database (or
another run writing to it); 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import functools
import os
import sqlite3
import sys
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import click

from . import __version__
from .config import load_config
from .errors import (
    INTERRUPTED_EXIT,
    AuditError,
    AuditWarning,
    DatabaseError,
    InputError,
    ProofError,
    UnsafeInputError,
    UsageError,
)
from .faces import identity as faceid
from .inventory.db import end_run, open_db, start_run
from .inventory.lock import one_writer
from .outputs import check_writable
from .report.dates import remember_zone
from .report.i18n import LANGUAGES
from .report.page import render_report
from .resources import resource_dir
from .scoring import WEIGHTS
from .signals import SIGNALS
from .sources import SOURCES
from .steps import Tally, reads
from .steps import analyze as analyze_step
from .steps import collect as collect_step
from .steps import score as score_step
from .text.fix import for_terminal

DEFAULT_DB = "photo-audit.inventory.db"
DEFAULT_OUT = "photo-audit-report.html"
DEBUG_ENV = "PHOTO_AUDIT_DEBUG"  # set (to anything) to see an internal error's traceback
PRIVATE_UMASK = 0o077  # no permission for the group or others on what a run creates
PYTHON_SHOWWARNING = warnings.showwarning


def bar(iterable, length, label):
    return click.progressbar(iterable, length=length, label=label, file=sys.stderr, show_pos=True)


def reports_errors(command):
    """Turn an AuditError into its one-line message and exit code; Ctrl-C and a bug into theirs."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except AuditError as exc:
            _stop(f"error: {exc.message}", exc.exit_code)
        except sqlite3.OperationalError as exc:  # a full disk, a read-only file, held too long: not a bug
            _stop(f"error: the inventory cannot be used ({exc})", DatabaseError.exit_code)
        except KeyboardInterrupt:
            _stop("interrupted: what was done is kept, and this run does not count as a complete audit; "
                  "run the command again to go on", INTERRUPTED_EXIT)
        except Exception as exc:  # a bug: one line to report, not a traceback to scare
            if os.environ.get(DEBUG_ENV):
                raise
            _stop(f"internal error, a bug: please report it with this line ({type(exc).__name__}: {exc}); "
                  f"{DEBUG_ENV}=1 shows where it happened", AuditError.exit_code)

    return wrapper


def _stop(message: str, exit_code: int) -> None:
    click.echo(f"photo-audit: {for_terminal(message)}", err=True)
    sys.exit(exit_code)


db_option = click.option(
    "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB, show_default=True,
    help="The SQLite inventory file.",
)
out_option = click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_OUT, show_default=True,
    help="Where to write the HTML report.",
)
config_argument = click.argument("config", type=click.Path(path_type=Path))


@dataclass(frozen=True)
class ReportOptions:
    lang: str = "en"
    redact: bool = False
    json_path: Path | None = None
    csv_path: Path | None = None


def report_options(command):
    """--lang, --redact, --json and --csv, gathered into one ReportOptions argument named `options`."""
    options = [
        click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True, help="The report's language."),
        click.option("--redact", is_flag=True, help="A sample report to show in public: faces blurred, handles, names, phones and e-mails masked, positions rounded to city level."),
        click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Also write the report's data as JSON."),
        click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="Also write one CSV row per photo."),
    ]

    @functools.wraps(command)
    def wrapper(*args, lang, redact, json_path, csv_path, **kwargs):
        return command(*args, options=ReportOptions(lang, redact, json_path, csv_path), **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


@click.group()
@click.version_option(__version__, prog_name="photo-audit")
@click.pass_context
def cli(ctx):
    """See your own social-media photos the way a stranger can, and learn which ones to take down.

    Everything runs on this computer: nothing is uploaded, and the report loads nothing from the internet.
    """
    # The inventory, report, exports, download cache and lock file hold the user's photos and what they give away:
    # whatever this run creates is readable by the user alone (0600 files, 0700 folders), whoever creates it
    # (SQLite its -wal and -shm files, the live sources their downloads, instaloader its resume files).
    previous = os.umask(PRIVATE_UMASK)
    ctx.call_on_close(lambda: os.umask(previous))
    ctx.with_resource(warnings.catch_warnings())  # the filter and display below last as long as the command
    warnings.simplefilter("always", AuditWarning)  # one per account that has the problem, not one per program line
    warnings.showwarning = _show_warning


def _show_warning(message, category, *args, **kwargs) -> None:
    """An AuditWarning as one plain line; any other warning as Python shows it."""
    if issubclass(category, AuditWarning):
        click.echo(f"photo-audit: warning: {for_terminal(str(message))}", err=True)
    else:
        PYTHON_SHOWWARNING(message, category, *args, **kwargs)


@cli.command()
@config_argument
@db_option
@out_option
@report_options
@reports_errors
def run(config, db_path, out, options):
    """Collect, analyse, score and report every account in CONFIG (accounts.toml) in one go."""
    report, tally = audit_all(load_config(config), db_path, out, "run", options)
    click.echo(str(report))
    raise_if_refused(tally)


@cli.command()
@config_argument
@db_option
@reports_errors
def collect(config, db_path):
    """Add the photos of every account in CONFIG to the inventory (re-running adds nothing new)."""
    settings = load_config(config)
    with one_writer(db_path, "collect"), open_db(db_path) as db, RunLog(db, "collect") as log:
        collect_accounts(db, settings, log)
    raise_if_refused(log.tally)


@cli.command()
@db_option
@reports_errors
def analyze(db_path):
    """Run every risk signal on photos not yet analysed with its current version, then score them."""
    with one_writer(db_path, "analyze"), open_collected(db_path) as db, RunLog(db, "analyze") as log:
        log.tally.merge(analyze_step(db, log.run, bar))
        log.tally.merge(score_step(db))


@cli.command()
@db_option
@out_option
@report_options
@reports_errors
def report(db_path, out, options):
    """Write the self-contained HTML report from the inventory, and print its path."""
    check_writable(out, options.json_path, options.csv_path)
    with open_collected(db_path) as db:
        score_step(db)
        click.echo(str(render_report(db, out, **asdict(options)).resolve()))


@cli.command()
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default="photo-audit-demo.db", show_default=True, help="The SQLite inventory file.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default="photo-audit-demo.html", show_default=True, help="Where to write the HTML report.")
@report_options
@reports_errors
def demo(db_path, out, options):
    """Audit the shipped example (a fictional student in Seoul) end to end and print the report's path."""
    config = load_config(resource_dir("examples") / "demo" / "accounts.toml")
    click.echo(str(audit_all(config, db_path, out, "demo", options)[0]))


@cli.command()
@click.option("--confirm", "group", type=int, metavar="N", help="Record face group N as you.")
@db_option
@reports_errors
def me(db_path, group):
    """List the groups of look-alike faces in the inventory, and confirm which group is you.

    For when accounts.toml lists no `me` reference photos: group 1 is the largest and probably
    you. `photo-audit me --confirm 1` records it, and the next `analyze` (or `run`) tells your
    face apart from other people's.
    """
    with open_db(db_path) as db:
        if group is not None:
            added = faceid.confirm_cluster(db, group)
            click.echo(f"Face group {group} recorded as you ({added} faces). Run `photo-audit analyze` to apply it.")
            return
        groups = faceid.cluster_summary(db)
    if not groups:
        click.echo("No face groups: run `photo-audit analyze` first, or reference photos are already set (`me` in accounts.toml).")
    for row in groups:
        click.echo(f"group {row['cluster']}: {row['faces']} faces in {row['photos']} photos, e.g. {for_terminal(row['sample'])}")
    if groups:
        click.echo("Open the example photo of each group; when one is you, run `photo-audit me --confirm N` with its number.")


@cli.command()
def sources():
    """List the sources photo-audit can collect from, one line each."""
    for name, cls in SOURCES.items():
        click.echo(f"{name:<20} {cls.description}")


@cli.command()
@click.option("--weights", is_flag=True, help="Instead, what each kind of finding adds to a photo's score, and why.")
def signals(weights):
    """List the risk signals photo-audit checks, one line each, with their versions.

    With --weights: the scoring table, one kind of finding a line: its signal, its points, the most it can add to
    one photo, and the fact behind the weight (docs/scoring.md explains how they add up)."""
    if weights:
        click.echo(f"{'signal':<18} {'kind':<16} {'points':>6} {'cap':>4}  why")
        for (signal, kind), weight in WEIGHTS.items():
            click.echo(f"{signal:<18} {kind:<16} {weight.points:>6} {weight.cap:>4}  {weight.fact}")
        return
    for name, cls in SIGNALS.items():
        click.echo(f"{name:<20} v{cls.version}  {cls.description}")


def audit_all(config, db_path: Path, out: Path, command: str, options: ReportOptions) -> tuple[Path, Tally]:
    check_writable(out, options.json_path, options.csv_path)
    with one_writer(db_path, command), open_db(db_path) as db, RunLog(db, command) as log:
        collect_accounts(db, config, log)
        log.tally.merge(analyze_step(db, log.run, bar))
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

    def __exit__(self, exc_type, exc, traceback):
        # Only a run that ended well is finished: "changes since the last audit" must not trust the others.
        status = "finished" if exc_type is None else "interrupted" if issubclass(exc_type, KeyboardInterrupt) else "failed"
        end_run(self.db, self.run, self.tally.counts, status)
        _print_summary(self.db, self.run, self.tally.counts)
        return False


def _print_summary(db, run: int, counts: dict) -> None:
    for line in summary_lines(db, run, counts):
        click.echo(line, err=True)
    errors = list(db.query("select source, item, message from errors where stage != 'skip' order by source, item"))
    if errors:
        click.echo(f"{_count(len(errors), 'item', 'items')} in the inventory could not be read "
                   f"(listed in the report and the 'errors' table):", err=True)
        for error in errors[:10]:
            click.echo(f"  {for_terminal(error['item'])}: {for_terminal(error['message'])}", err=True)
        if len(errors) > 10:
            click.echo(f"  ... and {len(errors) - 10} more", err=True)


def summary_lines(db, run: int, counts: dict) -> list[str]:
    """What the run did, in sentences: "Read 38 items from 2 accounts: 33 distinct photos (in 37 files: copies and
    near-duplicates count once), 1 unreadable file." then "Analysed 38 files; scored 38.". Each number is the
    tally's (`counts`) or counted in the inventory."""
    lines = []
    accounts = db.execute("select count(*) from account_reads where run = ?", [run]).fetchone()[0]
    if accounts:  # the run collected
        lines.append(_read_sentence(db, run, counts, accounts))
        refused = [(counts.get("unsafe", 0), "its input was refused as unsafe", "their input was refused as unsafe"),
                   (counts.get("unproven", 0), "control of it is not proven", "control of them is not proven")]
        lines += [f"{_count(n, 'account was', 'accounts were')} not read: {one if n == 1 else many}."
                  for n, one, many in refused if n]
    if "scored" in counts or any(key.startswith("analysed:") for key in counts):  # the run analysed and scored
        lines.append(_analysis_sentence(counts))
    return lines


# The photos that a run's collect saw (its sightings), with their picture (near-duplicates count once) and status.
_SEEN = """
select distinct photos.id, pictures.picture, photos.status from sightings
join appearances on appearances.id = sightings.appearance
join photos on photos.id = appearances.photo join pictures on pictures.photo = photos.id
where sightings.run = ?
"""


def _read_sentence(db, run: int, counts: dict, accounts: int) -> str:
    items, in_accounts = counts.get("items", 0), _count(accounts, "account", "accounts")
    if not items:
        skipped = counts.get("skipped", 0)
        passed = f" ({_count(skipped, 'file that is not a photo was', 'files that are not photos were')} skipped)" if skipped else ""
        return f"Nothing was read from {in_accounts}{passed}."
    seen = list(db.query(_SEEN, [run]))
    readable = [row for row in seen if row["status"] == "ok"]
    distinct = _count(len({row["picture"] for row in readable}), "distinct photo", "distinct photos")
    if len(readable) != len({row["picture"] for row in readable}):
        distinct += f" (in {len(readable)} files: copies and near-duplicates count once)"
    others = [
        (sum(row["status"] == "unreadable" for row in seen), "unreadable file", "unreadable files"),
        (sum(row["status"] == "missing" for row in seen), "post whose file is not in the export",
         "posts whose files are not in the export"),
        (counts.get("skipped", 0), "file that is not a photo, skipped", "files that are not photos, skipped"),
    ]
    parts = [distinct] + [_count(*other) for other in others if other[0]]
    return f"Read {_count(items, 'item', 'items')} from {in_accounts}: {', '.join(parts)}."


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
