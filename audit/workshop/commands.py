"""The workshop's commands: `photo-audit summary` and the `photo-audit workshop` group. Thin wrappers, as in
audit/cli.py, which registers them."""

from __future__ import annotations

from pathlib import Path

import click

from ..commandline import db_option, reports_errors
from ..errors import UsageError
from ..outputs import check_writable, write_private
from ..report.i18n import LANGUAGES
from ..runs import open_collected
from .merge import merge as merge_summaries
from .summary import as_text, summarise


@click.group()
def workshop():
    """For clubs running a privacy workshop: a kit to run it with, and the group's picture."""


@click.command()
@click.option("--anonymous", is_flag=True, help="Required: the only kind of summary there is.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Where to write the summary (a small JSON file).")
@click.option("--yes", is_flag=True, help="Write it without asking first.")
@db_option
@reports_errors
def summary(anonymous, out, yes, db_path):
    """Write your anonymous contribution to a workshop's group picture, from your analysed inventory.

    Counts only, in bands (none, 1-9, 10 or more), and the kinds of what a stranger can find (school, phone, home,
    a place you return to...): never a photo, a name, a handle, a caption, a place or a date. It is printed in full
    first, and written only when you agree (--yes: without asking). Hand the file to the workshop's organiser.
    """
    if not anonymous:
        raise UsageError("only anonymous summaries exist: run `photo-audit summary --anonymous --out FILE`")
    if out is None:
        raise UsageError("say where to write the summary: `photo-audit summary --anonymous --out FILE`")
    check_writable(out)
    with open_collected(db_path) as db:
        text = as_text(summarise(db))
    click.echo(text, nl=False)
    try:
        agreed = yes or click.confirm(f"Write exactly this to {out}?", default=False)
    except click.Abort:  # no answer (Ctrl-D, or no terminal to ask on): a no
        agreed = False
    if not agreed:
        click.echo("Nothing was written.")
        return
    click.echo(str(write_private(out, text).resolve()))


@workshop.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default="group.html", show_default=True, help="Where to write the group's page.")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True, help="The page's language.")
@reports_errors
def merge(files, out, lang):
    """Merge the participants' anonymous summaries (FILE..., from `photo-audit summary`) into the group's picture.

    One self-contained HTML page: how many would give a Telegram room enough photos, the most common clues, the
    steps that remove the most. It needs at least 5 summaries, each file once, and shows no count under 3.
    """
    click.echo(str(merge_summaries(list(files), out, lang).resolve()))


@workshop.command()
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help="The kit's folder: new, empty, or a previous kit (replaced).")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True, help="The language of the guide and the handout (the personas' reports are in every language).")
@reports_errors
def kit(out, lang):
    """Write a workshop kit to a folder: a facilitator's guide (agendas, getting each platform's export, running the
    tool, reading the report, a safety plan with the support services), a one-page participants' handout, and the
    practice personas' export zips, each with its report in English and Korean.

    It audits every persona (this runs the models: tens of seconds) and prints its progress, then the folder's path.
    It never writes into a folder that holds anything but a previous kit.
    """
    from .kit import build_kit

    click.echo(str(build_kit(out.resolve(), lang, say=lambda line: click.echo(line, err=True))))
