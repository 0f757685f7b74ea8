"""The built wheel carries the templates and the example: a report renders from the installed copy."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _build_wheel(tmp_path: Path) -> Path:
    # --no-build-isolation: the build backend (hatchling) comes from the test extras, so no download.
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True,
    )
    return next(tmp_path.glob("photo_audit-*.whl"))


def test_wheel_contains_templates_and_renders_from_installed_copy(tmp_path):
    wheel = _build_wheel(tmp_path / "dist")
    names = zipfile.ZipFile(wheel).namelist()
    assert "audit/templates/report.html.j2" in names
    assert "audit/examples/demo/accounts.toml" in names
    assert "audit/weights/centerface.onnx" in names and "audit/weights/LICENSE-centerface.txt" in names

    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run([sys.executable, "-c", "import audit; print(audit.__file__)"], cwd=work, env=env,
                           check=True, capture_output=True, text=True).stdout
    assert where.startswith(str(target))
    result = subprocess.run([sys.executable, "-m", "audit", "demo", "--db", "d.db", "--out", "r.html"], cwd=work, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    report = Path(result.stdout.strip().splitlines()[-1])
    assert report == (work / "r.html").resolve()
    assert "Photo exposure audit" in report.read_text(encoding="utf-8")
