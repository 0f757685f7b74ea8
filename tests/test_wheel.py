"""The built wheel carries the templates and the example: a report renders from the installed copy."""

from __future__ import annotations

import os
import shutil
import sqlite3
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


def test_wheel_contains_templates_and_renders_from_installed_copy(tmp_path, analysed_demo):
    wheel = _build_wheel(tmp_path / "dist")
    names = zipfile.ZipFile(wheel).namelist()
    assert "audit/templates/report.html.j2" in names
    assert "audit/examples/demo/accounts.toml" in names
    assert "audit/faces/weights/centerface.onnx" in names and "audit/faces/weights/LICENSE-centerface.txt" in names
    assert "audit/places/data/korea_districts.npz" in names and "audit/locale/ko/LC_MESSAGES/messages.po" in names

    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run([sys.executable, "-c", "import audit; print(audit.__file__)"], cwd=work, env=env,
                           check=True, capture_output=True, text=True).stdout
    assert where.startswith(str(target))
    # The installed detector loads its weights and finds the face in the demo's selfie.
    selfie = target / "audit/examples/demo/instagram_export/media/posts/202412/50859541755954430.jpg"
    found = subprocess.run([sys.executable, "-c", "import sys; from PIL import Image; from audit.faces import detect; "
                            "print(detect.MODEL_PATH); print(len(detect.detect(Image.open(sys.argv[1]))))", str(selfie)],
                           cwd=work, env=env, check=True, capture_output=True, text=True).stdout.split()
    assert found == [str(target / "audit/faces/weights/centerface.onnx"), "1"]
    # The demo from the installed copy: it collects the installed example and renders with the installed templates.
    # Its photos' analysis (20 s) is the session's own: the same photos, so only what reads the whole inventory runs.
    shutil.copy(analysed_demo, work / "d.db")
    db = sqlite3.connect(work / "d.db")
    items = db.execute("select count(*) from appearances").fetchone()[0]
    db.close()
    result = subprocess.run([sys.executable, "-m", "audit", "demo", "--db", "d.db", "--out", "r.html"], cwd=work, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    report = Path(result.stdout.strip().splitlines()[-1])
    assert report == (work / "r.html").resolve()
    assert "Photo exposure audit" in report.read_text(encoding="utf-8")
    assert f"Read {items} items from 2 accounts: " in result.stderr  # the installed example was read, all of it
