"""`photo-audit workshop kit`: a folder a campus club's facilitator can run a privacy workshop with, the same day.

    DIR/index.html          what is where
    DIR/guide.html          the facilitator's guide: agendas, getting each platform's export, running the tool,
                            reading the report, and the safety plan with the support services of the report itself
                            (templates/parts/help.html.j2, one list for both)
    DIR/handout.html        one A4 page for the participants
    DIR/personas/<slug>/    each practice persona's export zip and its report in English and in Korean, made by the
                            real audit of that zip when the kit is made (examples/personas/, the wheel ships it)

Every page is self-contained (inline CSS, a Content-Security-Policy that blocks every load) and written readable by
the user alone, as the report is. The kit is made in a hidden folder beside DIR and put in place whole at the end: a
failed or interrupted kit leaves no half-made folder, and DIR is replaced only when it is empty or a previous kit.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..config import Account, Config
from ..errors import InputError
from ..inventory.db import open_db
from ..outputs import check_writable, write_private
from ..report.i18n import LANGUAGES, check_language
from ..report.page import environment, render_report
from ..resources import resource_dir
from ..runs import ReportOptions, audit_all
from ..sources import SOURCES

MARK = ".photo-audit-kit"  # the file that says a folder is a kit, which a new kit may replace
PAGES = {"index.html": "workshop/index.html.j2", "guide.html": "workshop/guide.html.j2",
         "handout.html": "workshop/handout.html.j2"}
PERSONAS = "personas"
SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
TIME_ZONE = "Asia/Seoul"  # the personas live in Korea: their reports show times as they would write them
COMMAND = "workshop kit"  # how the personas' inventories record the run (they are deleted with the kit's work)


@dataclass(frozen=True)
class Persona:
    """A practice persona of examples/personas/<slug>/: its persona.json and its export."""

    slug: str
    names: dict[str, str]  # language -> name
    profiles: dict[str, str]  # language -> who she or he is, and what the export gives away
    platform: str  # a source of `photo-audit sources`
    export: Path
    handle: str | None = None

    def view(self, lang: str) -> dict:
        """What the kit's pages say of it, in `lang`, with links relative to the kit's folder."""
        folder = f"{PERSONAS}/{self.slug}"
        return {"slug": self.slug, "name": self.names[lang], "profile": self.profiles[lang], "platform": self.platform,
                "export": f"{folder}/{self.export.name}", "export_name": self.export.name,
                "reports": {language: f"{folder}/{report_name(language)}" for language in LANGUAGES}}


def report_name(lang: str) -> str:
    return f"report.{lang}.html"


def find_personas(folder: Path | None = None) -> list[Persona]:
    """The personas of `folder` (default: the shipped examples/personas/), one per sub-folder with a persona.json."""
    folder = folder or resource_dir("examples") / PERSONAS
    found = sorted(path.parent for path in folder.glob("*/persona.json")) if folder.is_dir() else []
    if not found:
        raise InputError(f"{folder}: no practice persona found (a folder per persona, with its persona.json and export)")
    return [read_persona(path) for path in found]


def read_persona(folder: Path) -> Persona:
    """A persona's folder, checked: InputError naming what is wrong."""
    where = folder / "persona.json"
    try:
        data = json.loads(where.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{where}: not a readable persona.json ({exc})") from exc
    texts = ("slug", "platform", *(f"{key}_{lang}" for key in ("name", "profile") for lang in LANGUAGES))
    missing = [key for key in texts if not isinstance(data.get(key), str) or not data[key].strip()]
    if missing:
        raise InputError(f"{where}: missing or empty: {', '.join(missing)}")
    if not SLUG.fullmatch(data["slug"]):
        raise InputError(f"{where}: slug {data['slug']!r} must be lower-case letters, digits, - and _")
    if data["platform"] not in SOURCES or SOURCES[data["platform"]].needs != "path":
        raise InputError(f"{where}: platform {data['platform']!r} is not a source that reads an export")
    return Persona(slug=data["slug"], names={lang: data[f"name_{lang}"] for lang in LANGUAGES},
                   profiles={lang: data[f"profile_{lang}"] for lang in LANGUAGES}, platform=data["platform"],
                   export=_export_of(folder, data.get("export")), handle=data.get("handle"))


def _export_of(folder: Path, named: object) -> Path:
    """The zip persona.json names, else the one zip in its folder."""
    zips = [folder / named] if isinstance(named, str) and "/" not in named else sorted(folder.glob("*.zip"))
    if len(zips) != 1 or not zips[0].is_file():
        raise InputError(f"{folder}: expected one export zip (or the one persona.json names), found {len(zips)}")
    return zips[0]


def build_kit(out: Path, lang: str = "en", personas_folder: Path | None = None,
              say: Callable[[str], None] = print) -> Path:
    """Write the kit to `out`: checked first, made beside it, then put in its place. Returns `out`."""
    check_language(lang)
    out = out.resolve()
    personas = find_personas(personas_folder)
    check_target(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent))  # 0700
    try:
        for number, persona in enumerate(personas, 1):
            say(f"[{number}/{len(personas)}] {persona.slug}: auditing {persona.export.name} (this runs the models)")
            started = time.monotonic()
            make_persona(persona, staging / PERSONAS / persona.slug)
            say(f"[{number}/{len(personas)}] {persona.slug}: both reports written in {time.monotonic() - started:.0f} s")
        write_pages(staging, lang, personas)
        write_private(staging / MARK, "photo-audit workshop kit: `photo-audit workshop kit --out` may replace this folder\n")
        _put_in_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def check_target(out: Path) -> None:
    """InputError unless `out` is new, an empty folder, or a previous kit with nothing added to it."""
    if not out.exists():
        check_writable(out)
        return
    if not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder: choose a new folder for the kit")
    check_writable(out)
    entries = {path.name for path in out.iterdir()}
    if not entries:
        return
    foreign = sorted(entries - {MARK, PERSONAS, *PAGES}) + _foreign_in_personas(out / PERSONAS)
    if MARK not in entries or foreign:
        what = f" (it holds {', '.join(foreign[:3])}{', ...' if len(foreign) > 3 else ''})" if foreign else ""
        raise InputError(f"{out}: this folder is not empty and is not a previous kit{what}: "
                         "choose a new or empty folder, nothing was written")


def _foreign_in_personas(folder: Path) -> list[str]:
    """What a previous kit's personas/ holds that the kit did not write: replacing the kit would delete it."""
    if not folder.is_dir():
        return []
    return [str(path.relative_to(folder.parent)) for path in sorted(folder.glob("*/*"))
            if not (path.is_file() and (path.suffix == ".zip" or path.name in map(report_name, LANGUAGES)))] + \
           [str(path.relative_to(folder.parent)) for path in sorted(folder.iterdir()) if not path.is_dir()]


def make_persona(persona: Persona, folder: Path) -> None:
    """Its export copied in, audited once into a temporary inventory, and reported in every language from it."""
    for level in (folder.parent, folder):  # mkdir(parents=True) would give the parent the umask's mode
        level.mkdir(mode=0o700, exist_ok=True)
    export = folder / persona.export.name
    shutil.copyfile(persona.export, export)
    os.chmod(export, 0o600)
    with tempfile.TemporaryDirectory(prefix="photo-audit-kit-") as work:
        config = Config(path=Path(work) / "accounts.toml", time_zone=TIME_ZONE, accounts=(
            Account(platform=persona.platform, path=export, handle=persona.handle, path_in_config=export.name),))
        db_path = Path(work) / "inventory.db"
        first, *others = LANGUAGES
        audit_all(config, db_path, folder / report_name(first), COMMAND, ReportOptions(lang=first))
        with open_db(db_path) as db:
            for lang in others:
                render_report(db, folder / report_name(lang), lang=lang)


def write_pages(folder: Path, lang: str, personas: list[Persona]) -> None:
    env = environment(lang)
    views = [persona.view(lang) for persona in personas]
    for name, template in PAGES.items():
        write_private(folder / name, env.get_template(template).generate(personas=views, lang=lang, page=name))


def _put_in_place(staging: Path, out: Path) -> None:
    """Rename the finished kit onto `out`; a previous kit there (checked) is moved aside first, then deleted."""
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
        os.replace(out, old / out.name)
        os.replace(staging, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, out)
