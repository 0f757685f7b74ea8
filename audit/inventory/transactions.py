"""What keeps the inventory whole when a run is cut off: transactions, and a Ctrl-C that waits for a statement.

Python raises KeyboardInterrupt between any two bytecodes, also inside sqlite_utils between the statements of one
call (SAVEPOINT, the statement, RELEASE) and between the BEGIN of its atomic() and the start of the block. Measured
(tests/test_ctrl_c_between_statements.py, a Ctrl-C after each statement of a collect): such a Ctrl-C left a
transaction open that swallowed the run's "interrupted" record, turned into "no such savepoint" (an inventory
error instead of a Ctrl-C), or left atomic()'s generator suspended, to print "Cannot operate on a closed
database" under the "interrupted" line once the inventory was closed. So:

- `transaction(db)` is sqlite_utils' atomic() as a class: nothing is left suspended, its own steps are not cut.
- `ctrl_c_waits_for_the_database()` holds a Ctrl-C back while sqlite_utils or a transaction's own steps run, and
  raises it a moment later, once they are done (a block of statements stays interruptible: its transaction rolls
  back); so does a function marked `ctrl_c_waits` (RunLog's record of the run). A run then ends the usual way:
  RunLog rolls back what an item left open and records the run.
"""

from __future__ import annotations

import contextlib
import secrets
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Callable, Iterator

import sqlite_utils

SQLITE_UTILS = str(Path(sqlite_utils.__file__).parent)
RETRY_S = 0.002  # how soon a held-back Ctrl-C looks again: a statement sequence takes well under a millisecond


class transaction:
    """`with transaction(db):` all of the block or none of it; nested blocks are savepoints (as in sqlite_utils)."""

    def __init__(self, db: sqlite_utils.Database):
        self.conn = db.conn
        self.savepoint: str | None = None

    def __enter__(self) -> "transaction":
        if self.conn.in_transaction:
            self.savepoint = f"photo_audit_{secrets.token_hex(8)}"
            self.conn.execute(f"SAVEPOINT {self.savepoint}")
        else:
            self.conn.execute("BEGIN")
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None:
            self._keep()
        elif self.conn.in_transaction:  # an error that destroyed the transaction has already rolled it back
            self.conn.execute(f"ROLLBACK TO {self.savepoint}" if self.savepoint else "ROLLBACK")
            if self.savepoint:
                self.conn.execute(f"RELEASE {self.savepoint}")

    def _keep(self) -> None:
        if self.savepoint:
            self.conn.execute(f"RELEASE {self.savepoint}")
            return
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise


# Code a Ctrl-C must not cut: the transaction's own steps, and functions marked ctrl_c_waits (sqlite_utils' files
# are matched by folder).
_STEPS = {transaction.__enter__.__code__, transaction.__exit__.__code__, transaction._keep.__code__}


def ctrl_c_waits(function: Callable) -> Callable:
    """Mark a function a Ctrl-C waits for, as for database code (what it calls included): a run's own record."""
    _STEPS.add(function.__code__)
    return function


@contextlib.contextmanager
def ctrl_c_waits_for_the_database() -> Iterator[None]:
    """While the block runs (in the main thread), a Ctrl-C landing in database code is raised once it is out."""
    # Only the main thread may set handlers; Windows has no timer signal to look again with (a Ctrl-C is as before).
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    before = signal.signal(signal.SIGINT, _on_ctrl_c), signal.signal(signal.SIGALRM, _on_ctrl_c)
    try:
        yield
    finally:
        held = take_held_ctrl_c()
        signal.signal(signal.SIGINT, before[0])
        signal.signal(signal.SIGALRM, before[1])
    if held:  # the block ended before the retry came: the Ctrl-C is not lost
        raise KeyboardInterrupt


_held = False  # a Ctrl-C is held back


def take_held_ctrl_c() -> bool:
    """Whether a Ctrl-C is held back (it no longer is, and no retry is due): for a run about to be recorded."""
    global _held
    held, _held = _held, False
    if held:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return held


def _on_ctrl_c(signum: int, frame: FrameType | None) -> None:
    """SIGINT, or the retry (SIGALRM) of one held back: raise it, unless code it waits for is running."""
    global _held
    _held = _in_database_code(frame)
    if _held:
        signal.setitimer(signal.ITIMER_REAL, RETRY_S)
        return
    raise KeyboardInterrupt


def _in_database_code(frame: FrameType | None) -> bool:
    while frame is not None:
        if frame.f_code in _STEPS or frame.f_code.co_filename.startswith(SQLITE_UTILS):
            return True
        frame = frame.f_back
    return False
