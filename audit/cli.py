"""The command line: thin wrappers around audit.pipeline and audit.report.

Exit codes: 0 done (per-item errors are summarised, not fatal); 1 internal error; 2 bad
command line or config; 3 missing or unreadable input; 4 input refused as unsafe; 5 live
collection refused without proof of control; 6 unusable database.
"""

from __future__ import annotations

import functools
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import click

from . import __version__, faceid
from .config import load_config
from .db import finish_run, open_db, start_run
from .errors import AuditError, ProofError
from .i18n import LANGUAGES
from .analysis import analyze as analyze_step
from .pipeline import Tally
from .pipeline import collect as collect_step
from .pipeline import score as score_step
from .report import render_report
from .resources import resource_dir
from .signals import SIGNALS
from .sources import SOURCES
from .textfix import for_terminal

DEFAULT_DB = "photo-audit.db"
DEFAULT_OUT = "photo-audit-report.html"


def bar(iterable, length, label):
    return click.progressbar(iterable, length=length, label=label, file=sys.stderr, show_pos=True)


def reports_errors(command):
    """Turn an AuditError into its one-line message and exit code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except AuditError as exc:
            click.echo(f"photo-audit: error: {for_terminal(exc.message)}", err=True)
            sys.exit(exc.exit_code)

    return wrapper


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
def cli():
    """See your own social-media photos the way a stranger can, and learn which ones to take down.

    Everything runs on this computer: nothing is uploaded, and the report loads nothing from the internet.
    """


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
    exit_if_unproven(tally)


@cli.command()
@config_argument
@db_option
@reports_errors
def collect(config, db_path):
    """Add the photos of every account in CONFIG to the inventory (re-running adds nothing new)."""
    settings = load_config(config)
    db = open_db(db_path)
    with RunLog(db, "collect") as log:
        log.tally.merge(collect_step(db, settings, log.run, bar))
    exit_if_unproven(log.tally)


@cli.command()
@db_option
@reports_errors
def analyze(db_path):
    """Run every risk signal on photos not yet analysed with its current version, then score them."""
    db = open_db(db_path)
    with RunLog(db, "analyze") as log:
        log.tally.merge(analyze_step(db, log.run, bar))
        log.tally.merge(score_step(db))


@cli.command()
@db_option
@out_option
@report_options
@reports_errors
def report(db_path, out, options):
    """Write the self-contained HTML report from the inventory, and print its path."""
    db = open_db(db_path)
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
    db = open_db(db_path)
    if group is not None:
        added = faceid.confirm_cluster(db, group)
        click.echo(f"Face group {group} recorded as you ({added} faces). Run `photo-audit analyze` to apply it.")
        return
    groups = faceid.cluster_summary(db)
    if not groups:
        click.echo("No face groups: run `photo-audit analyze` first, or reference photos are already set (`me` in accounts.toml).")
    for row in groups:
        click.echo(f"group {row['cluster']}: {row['faces']} faces in {row['photos']} photos, e.g. {for_terminal(row['sample'])}")


@cli.command()
def sources():
    """List the sources photo-audit can collect from, one line each."""
    for name, cls in SOURCES.items():
        click.echo(f"{name:<20} {cls.description}")


@cli.command()
def signals():
    """List the risk signals photo-audit checks, one line each, with their versions."""
    for name, cls in SIGNALS.items():
        click.echo(f"{name:<20} v{cls.version}  {cls.description}")


def audit_all(config, db_path: Path, out: Path, command: str, options: ReportOptions) -> tuple[Path, Tally]:
    db = open_db(db_path)
    with RunLog(db, command) as log:
        log.tally.merge(collect_step(db, config, log.run, bar))
        log.tally.merge(analyze_step(db, log.run, bar))
        log.tally.merge(score_step(db))
        report_path = render_report(db, out, **asdict(options)).resolve()
    return report_path, log.tally


def exit_if_unproven(tally: Tally) -> None:
    """The other accounts were audited; the exit code still says that a live account was refused."""
    if tally.counts.get("unproven"):
        click.echo("photo-audit: some live accounts were not collected: control is not proven (see above).", err=True)
        sys.exit(ProofError.exit_code)


class RunLog:
    """Record a run in `runs`, and print its summary at the end, even when the run fails."""

    def __init__(self, db, command: str):
        self.db, self.command = db, command
        self.tally = Tally()

    def __enter__(self) -> "RunLog":
        self.run = start_run(self.db, self.command, __version__)
        return self

    def __exit__(self, *exc_info):
        finish_run(self.db, self.run, self.tally.counts)
        _print_summary(self.db, self.tally.counts)
        return False


def _print_summary(db, summary: dict) -> None:
    parts = [f"{key.replace('analysed:', 'analysed by ')}: {value}" for key, value in sorted(summary.items())]
    click.echo("; ".join(parts) or "nothing to do", err=True)
    errors = list(db.query("select source, item, message from errors where stage != 'skip' order by source, item"))
    if errors:
        click.echo(f"{len(errors)} item(s) could not be read (listed in the report and the 'errors' table):", err=True)
        for error in errors[:10]:
            click.echo(f"  {for_terminal(error['item'])}: {for_terminal(error['message'])}", err=True)
        if len(errors) > 10:
            click.echo(f"  ... and {len(errors) - 10} more", err=True)
