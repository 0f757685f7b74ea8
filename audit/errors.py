"""One exception root. Each subclass carries its exit code and a message meant for the user.

Exit codes (also in the README):
  0  success (per-item errors are recorded in the `errors` table and summarised, not fatal)
  1  unexpected internal error (a bug: please report it)
  2  bad command line or configuration
  3  an input path is missing or unreadable, or an output cannot be written
  4  an input was refused as unsafe (zip escaping its folder, archive bomb)
  5  live collection refused: control of the account is not proven
  6  the inventory database cannot be used, or another run is writing to it (audit/lock.py)
  130  interrupted (Ctrl-C): the run is recorded as interrupted, never as finished
"""

# Ctrl-C is no AuditError (KeyboardInterrupt is not an Exception); 128 + SIGINT is the shells' convention.
INTERRUPTED_EXIT = 130


class AuditError(Exception):
    """Root of every error photo-audit raises on purpose."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConfigError(AuditError):
    exit_code = 2


class UsageError(AuditError):
    """A command run before the one it needs (`report` on an inventory nothing was collected into)."""

    exit_code = 2


class InputError(AuditError):
    """A file or folder that cannot be read, or a record that cannot be parsed; or an output that cannot be written."""

    exit_code = 3


class UnsafeInputError(InputError):
    """Input refused on purpose: path traversal, archive bombs, images too large to decode."""

    exit_code = 4


class ProofError(AuditError):
    exit_code = 5


class DatabaseError(AuditError):
    exit_code = 6


class AuditWarning(UserWarning):
    """Something the user should fix that stops nothing (a session file others can read): one line on the terminal."""


def plain_message(exc: Exception) -> str:
    """What one item or account raised, for its error row: an AuditError says it plainly; anything else is a bug met
    on one hostile input, recorded (the run goes on) and asked to be reported."""
    if isinstance(exc, AuditError):
        return exc.message
    return f"internal error, please report: {type(exc).__name__}: {exc}"
