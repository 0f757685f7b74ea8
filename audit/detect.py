"""What a path given on the command line is: the sources that read it, for `photo-audit run PATH...` and
`photo-audit init`, so that nobody has to write accounts.toml to audit the export she just downloaded."""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from .config import Account, Config, load_config
from .errors import InputError, UsageError
from .inventory.archive import open_tree
from .inventory.media import media_type
from .models import AUDIENCES, Item
from .sources import SOURCES
from .sources.base import Source

ONE_PHOTO = "one photo: to audit photos, give the folder they are in; a photo of your face goes after --me, one --me each"
ONE_VIDEO = "one video: to audit videos, give the folder they are in"


class Recognised(NamedTuple):
    path: Path  # as given
    source: type[Source]
    shared: bool = False  # other sources recognise the same path too (a Meta export holding two accounts)

    @property
    def account(self) -> Account:
        """The account as a run without accounts.toml names it: by the file or folder's name, which stays the
        same wherever the run starts and names no home folder (the account's key, so re-runs resume)."""
        label = f"{self.path.name} ({self.source.name})" if self.shared else self.path.name
        return Account(self.source.name, self.path.resolve(), label=label, path_in_config=self.path.name)


def readable_sources() -> list[type[Source]]:
    """The sources that read a path on this computer (not the live ones), the catch-all last."""
    return sorted((cls for cls in SOURCES.values() if cls.needs == "path" and not cls.live), key=lambda cls: cls.catch_all)


def recognise(path: Path) -> list[Recognised]:
    """Every source that recognises the folder or zip at `path` (a Meta export may hold two accounts); a folder of
    photos only when nothing else does. InputError, listing what can be read, when none does."""
    if path.is_file() and path.suffix.lower() != ".zip" and not zipfile.is_zipfile(path):
        kind = media_type(path.name)
        said = {"image": ONE_PHOTO, "video": ONE_VIDEO}.get(kind, "a single file that is not a .zip archive")
        raise InputError(unrecognised(path, said))
    tree = open_tree(path)  # a damaged .zip: InputError saying so
    sources = readable_sources()
    specific = [cls for cls in sources if not cls.catch_all and cls.recognises(tree)]
    found = specific or [cls for cls in sources if cls.catch_all and cls.recognises(tree)]
    if not found:
        zips = sorted(child.name for child in path.iterdir() if child.suffix.lower() == ".zip") if path.is_dir() else []
        hint = f"it holds {len(zips)} .zip file(s) ({', '.join(zips[:3])}): name those instead" if zips else None
        raise InputError(unrecognised(path, hint or "no file in it is one photo-audit knows"))
    return [Recognised(path, cls, len(found) > 1) for cls in found]


def unrecognised(path: Path, why: str) -> str:
    """One line (the terminal's error line): what the path is not, and every kind of path that can be read."""
    known = "; ".join(cls.description for cls in readable_sources())
    return (f"{path}: not recognised ({why}). photo-audit reads: {known}. Give the export's .zip or folder as you "
            "downloaded it, or a folder of photos; for anything else, list the account in accounts.toml "
            "(`photo-audit sources` lists them all).")


def config_for(paths: list[Path], me: tuple[Path, ...] = ()) -> tuple[Config, list[Recognised]]:
    """A Config for the accounts recognised at `paths`, with `me` as reference photos; and what was recognised."""
    found = [recognised for path in paths for recognised in recognise(path)]
    named: dict[str, set[Path]] = {}
    for recognised in found:
        named.setdefault(recognised.path.name, set()).add(recognised.path.resolve())
    twice = sorted(name for name, where in named.items() if len(where) > 1)
    if twice:  # the name is the account's key: two accounts must not share one
        raise UsageError(f"two inputs are both named {twice[0]}: rename one, or list them in accounts.toml with labels "
                         "(`photo-audit init`)")
    accounts = tuple(dict.fromkeys(recognised.account for recognised in found))  # a path given twice counts once
    return Config(accounts=accounts, me=tuple(me)), list(dict.fromkeys(found))


def settings_for(paths: tuple[Path, ...], me: tuple[Path, ...]) -> tuple[Config, list[Recognised]]:
    """`photo-audit run`'s inputs: accounts.toml alone (with `me` added to its reference photos), or exports and
    folders to recognise (nothing recognised from a config file)."""
    configs = [path for path in paths if path.suffix.lower() == ".toml"]
    if configs and len(paths) > 1:
        raise UsageError(f"{configs[0]} is a config file: give it alone, or give exports and folders without it")
    if configs:
        config = load_config(configs[0])
        return replace(config, me=config.me + tuple(me)), []
    return config_for(list(paths), me)


def item_count(recognised: Recognised) -> int:
    """How many items its source yields (posts' media and profile pictures; no photo is decoded)."""
    return sum(isinstance(entry, Item) for entry in recognised.source(recognised.account).items())


def accounts_toml(found: list[Recognised], me: tuple[Path, ...], folder: Path, zone: str | None) -> str:
    """A commented accounts.toml for what was recognised, its paths relative to `folder` where it is theirs."""
    def quoted(path: Path) -> str:
        resolved = path.resolve()
        written = resolved.relative_to(folder) if resolved.is_relative_to(folder) else resolved
        return json.dumps(written.as_posix(), ensure_ascii=False)  # a JSON string is a TOML basic string

    lines = ["# Written by `photo-audit init`: the accounts it recognised. Edit it freely (the README's \"Usage\"",
             "# explains every key), then run:  photo-audit run accounts.toml", ""]
    if me:
        lines.append(f"me = [{', '.join(quoted(photo) for photo in me)}]  # clear photos of your face")
    else:
        lines.append('# me = ["selfie.jpg"]  # a clear photo of your face or two: the report then tells yours from others\'')
    lines.append(f"{'' if zone else '# '}time_zone = {json.dumps(zone or 'Asia/Seoul')}  # the zone the report's times are in")
    for recognised in found:
        lines += ["", f"# {recognised.path.name}, {item_count(recognised)} items: {recognised.source.description}", "[[accounts]]",
                  f"platform = {json.dumps(recognised.source.name)}", f"path = {quoted(recognised.path)}",
                  f"label = {json.dumps(recognised.path.name, ensure_ascii=False)}",
                  f"# audience = \"followers\"  # who sees its posts where the export does not say: {', '.join(AUDIENCES)}"]
    return "\n".join(lines) + "\n"
