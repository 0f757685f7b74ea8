"""One writer at a time: a run that changes the inventory (collect, analyze, run, demo) holds a lock on a file
beside it, `<inventory>.lock`, which also says who holds it. A second run waits a few seconds for it, then stops
with exit code 6 and names the other run. `report` takes no lock: the inventory is in WAL mode, so it reads while a
collect writes.

The lock is the operating system's (flock), so a run that is killed holds it no more: nothing stale to clean up.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Iterator

from ..errors import DatabaseError
from .db import now_utc

try:
    import fcntl
except ImportError:  # Windows: no flock; there SQLite's busy timeout is the only guard (exit 6 without a name)
    fcntl = None

WAIT_SECONDS = 5.0  # long enough for a run that is ending; short enough not to look hung
POLL_SECONDS = 0.1


@contextlib.contextmanager
def one_writer(db_path: Path, command: str) -> Iterator[None]:
    """Hold the inventory's lock while the block runs; DatabaseError (exit 6) naming the holder when it stays taken."""
    if fcntl is None:
        yield
        return
    path = db_path.with_name(db_path.name + ".lock")
    try:
        handle = open(path, "a+", encoding="utf-8")  # "a+": the holder's record must not be emptied by a waiter
    except OSError as exc:
        raise DatabaseError(f"{db_path}: cannot be used ({exc.strerror or exc})") from exc
    with handle:
        _wait_for(handle, db_path, path)
        handle.truncate(0)
        handle.write(f"pid {os.getpid()}: photo-audit {command}, started {now_utc()}\n")
        handle.flush()
        yield


def _wait_for(handle, db_path: Path, path: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                holder = path.read_text(encoding="utf-8").strip() or "its process did not say which"
                raise DatabaseError(
                    f"{db_path} is being written by another photo-audit run ({holder}); "
                    "wait for it to finish (or stop it), then run this again"
                ) from None
            time.sleep(POLL_SECONDS)
