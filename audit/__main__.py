"""`photo-audit` and `python -m audit`: the command line, once its modules are loaded.

Loading them takes most of a second; a Ctrl-C meanwhile ends the command as quietly as one during a run does."""

import sys

from .errors import INTERRUPTED_EXIT


def main() -> None:
    try:
        from .cli import cli
    except KeyboardInterrupt:
        sys.stderr.write("photo-audit: interrupted before it started; nothing was done\n")
        sys.exit(INTERRUPTED_EXIT)
    cli(prog_name="photo-audit")


if __name__ == "__main__":
    main()
