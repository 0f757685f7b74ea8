"""Find the shipped templates and example, in a wheel (inside the package) or in a source checkout."""

from __future__ import annotations

from pathlib import Path

from .errors import AuditError

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """`templates` or `examples`: the wheel puts them inside the package, a checkout keeps them at the top."""
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise AuditError(f"the '{name}' folder is missing from this installation of photo-audit")
