"""What every command shares: how an error ends it, and the inventory option.

Its own module so that the command groups outside audit/cli.py (audit/workshop/commands.py) end the same way.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import sys
from pathlib import Path

import click

from .errors import INTERRUPTED_EXIT, AuditError, DatabaseError
from .inventory.transactions import ctrl_c_waits_for_the_database
from .text.fix import for_terminal

DEFAULT_DB = "photo-audit.inventory.db"
DEBUG_ENV = "PHOTO_AUDIT_DEBUG"  # set (to anything) to see an internal error's traceback


def reports_errors(command):
    """Turn an AuditError into its one-line message and exit code; Ctrl-C and a bug into theirs."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            with ctrl_c_waits_for_the_database():
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
