"""The command line: thin wrappers around audit.runs, audit.steps and audit.report.page.

Exit codes: 0 done (per-item errors are summarised, not fatal); 1 internal error; 2 bad
command line or config; 3 missing or unreadable input, or an output that cannot be written; 4 input
refused as unsafe; 5 live collection refused without proof of control; 6 unusable database (or
another run writing to it); 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import functools
import os
import warnings
from dataclasses import asdict
from pathlib import Path

import click

from . import __version__
from .commandline import db_option, reports_errors
from .clean.make import Options as CleanOptions
from .clean.run import clean as clean_copies
from .config import load_config, system_zone
from .detect import accounts_toml, config_for, settings_for
from .errors import AuditWarning, UsageError
from .faces import identity as faceid
from .inventory.db import open_db
from .inventory.lock import one_writer
from .outputs import check_writable, write_private
from .report.i18n import LANGUAGES
from .report.page import render_report
from .resources import resource_dir
from .runs import ReportOptions, RunLog, audit_all, bar, collect_accounts, open_collected, raise_if_refused
from .scoring import WEIGHTS
from .signals import SIGNALS
from .sources import SOURCES
from .steps import analyze as analyze_step
from .steps import score as score_step
from .text.fix import for_terminal
from .workshop.commands import summary, workshop

DEFAULT_OUT = "photo-audit-report.html"
PRIVATE_UMASK = 0o077  # no permission for the group or others on what a run creates
PYTHON_SHOWWARNING = warnings.showwarning





out_option = click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_OUT, show_default=True,
    help="Where to write the HTML report.",
)
config_argument = click.argument("config", type=click.Path(path_type=Path))


def report_options(command):
    """--lang, --redact, --json and --csv, gathered into one ReportOptions argument named `options`."""
    options = [
        click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True, help="The report's language."),
        click.option("--redact", is_flag=True, help="A sample report to show in public: faces blurred past recognition, captions and text in photos replaced by the kinds of clue they hold, handles, names, phones, e-mails, software versions, ids and file names masked, places and positions cut to the city."),
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


inputs_argument = click.argument("paths", metavar="PATH...", nargs=-1, required=True, type=click.Path(path_type=Path))
me_option = click.option(
    "--me", "me", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A clear photo of your face (give it again for more): the report then tells your face from others'.",
)


@cli.command()
@inputs_argument
@me_option
@db_option
@out_option
@report_options
@reports_errors
def run(paths, me, db_path, out, options):
    """Audit in one go (collect, analyse, score, report) and print the report's path.

    PATH is your accounts.toml, or, with no config file to write, what you downloaded: an Instagram, Threads,
    Facebook, X, TikTok or Google Takeout export (its .zip or its folder), a folder instaloader wrote, or a folder
    of photos; give several to audit them together. Each is recognised and named before the run starts.
    """
    config, found = settings_for(paths, me)
    for recognised in found:
        click.echo(f"Recognised {for_terminal(str(recognised.path))}: {recognised.source.description}", err=True)
    report, tally = audit_all(config, db_path, out, "run", options)
    click.echo(str(report))
    raise_if_refused(tally)


@cli.command()
@inputs_argument
@me_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default="accounts.toml", show_default=True, help="Where to write it (never over an existing file).")
@reports_errors
def init(paths, me, out):
    """Write a commented accounts.toml for the exports and folders at PATH..., recognised as `run` recognises them,
    with how many items each holds; then edit it (handles, labels, who sees each account) and run it."""
    if out.exists():
        raise UsageError(f"{out} exists already: edit it, or choose another name with --out")
    check_writable(out)
    _, found = config_for(list(paths), me)
    text = accounts_toml(found, me, out.parent.resolve(), getattr(system_zone(), "key", None))
    click.echo(str(write_private(out, text).resolve()))


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
        analyze_step(db, log.run, bar, log.tally)
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
@click.argument("files", metavar="[FILE]...", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--plan", "from_plan", is_flag=True, help="Copy the pictures whose plan step strips the location or covers your face.")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="The folder for the copies (made if missing; never inside an export).")
@click.option("--keep-bystanders", is_flag=True, help="Leave other people's faces as they are.")
@click.option("--cover-me", is_flag=True, help="Cover your clear faces in every copy (a plan step that covers your face always does).")
@me_option
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True, help="The manifest page's language.")
@db_option
@reports_errors
def clean(files, from_plan, out, keep_bystanders, cover_me, me, lang, db_path):
    """Write clean copies to post instead of the originals, into the folder --out, and print the manifest's path.

    A copy keeps the pixels (turned upright) and the colour profile, and nothing else: no EXIF, GPS, camera serial,
    capture time, XMP, IPTC, maker notes or comments (HEIC and AVIF are written as JPEG). Other people's faces are
    blurred until the tool's own face matcher no longer knows them (--keep-bystanders: not); your face is covered
    where the plan says to, or in every copy with --cover-me. With --plan: the pictures of your removal plan that
    may stay up once changed; FILE...: any photos, in the inventory or not. Originals are never touched.
    clean-manifest.html lists what each copy lost and what the tool still finds in it.
    """
    if not from_plan and not files:
        raise UsageError("name the photos to copy, or give --plan for the pictures of your removal plan")
    options = CleanOptions(keep_bystanders=keep_bystanders, cover_me=cover_me)

    def say(line: str) -> None:  # file names come from exports and folders: hostile text
        click.echo(for_terminal(line), err=True)

    if not from_plan and not db_path.exists():  # files alone, no inventory: nothing to remember the copies in
        page = clean_copies(None, list(files), False, out, options, me, lang, say)
    else:
        with one_writer(db_path, "clean"), open_collected(db_path) as db:
            score_step(db)  # the plan reads the scores, as `report` does
            page = clean_copies(db, list(files), from_plan, out, options, me, lang, say)
    click.echo(str(page.resolve()))


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


cli.add_command(summary)
cli.add_command(workshop)
