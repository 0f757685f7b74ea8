"""The workshop's commands: `photo-audit summary` and the `photo-audit workshop` group. Thin wrappers, as in
audit/cli.py, which registers them."""

from __future__ import annotations

import click


@click.group()
def workshop():
    """For clubs running a privacy workshop: a kit to run it with, and the group's picture."""
