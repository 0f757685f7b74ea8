"""The files photo-audit writes for the user (the report, JSON, CSV): checked before any work, written whole and
readable by the user alone, since they hold the photos' metadata."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable

from .errors import InputError


def check_writable(*paths: Path | None) -> None:
    """InputError now, rather than after the whole analysis, when one of these files cannot be written."""
    for path in filter(None, paths):
        folder = path.parent
        if not folder.is_dir():
            raise InputError(f"{path}: the folder {folder} does not exist")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise InputError(f"{path}: cannot write in the folder {folder} (permission denied)")


def write_private(path: Path, text: str | bytes | Iterable[str], encoding: str = "utf-8") -> Path:
    """Write `text` to `path` whole or not at all, readable by the user alone (0600 on POSIX), even over an older file
    that others could read: a temporary file beside it (mkstemp makes it 0600), then renamed over it.

    `text` may come in pieces (a template's stream): a large report is then never held whole in memory. Bytes (an
    image) are written as they are."""
    temporary = None
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        if isinstance(text, bytes):
            with open(descriptor, "wb") as out:
                out.write(text)
        else:
            with open(descriptor, "w", encoding=encoding, newline="") as out:  # newline="": the text's own line ends
                out.writelines([text] if isinstance(text, str) else text)
        os.replace(temporary, path)
    except BaseException as exc:  # a full disk, a folder gone meanwhile; or the pieces' maker failing, or Ctrl-C
        if temporary:
            Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(f"{path}: could not write the file ({exc.strerror or exc})") from exc
        raise
    return path
