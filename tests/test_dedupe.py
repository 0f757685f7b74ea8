"""Near-duplicates across accounts: re-encoded and resized copies are one photo; different pictures are not."""

from __future__ import annotations

import io
import json

from click.testing import CliRunner
from PIL import Image

from audit.cli import cli
from audit.inventory.db import open_db

from .conftest import FIXTURES, _gps_ifd, jpeg_bytes, write_config

ORIGINAL = FIXTURES / "images" / "exif" / "dn_Nikon_D5000.jpg"


def _reencoded(data: bytes, width: int, quality: int) -> bytes:
    image = Image.open(io.BytesIO(data)).convert("RGB")
    image = image.resize((width, round(image.height * width / image.width)))
    out = io.BytesIO()
    image.save(out, "WEBP" if quality < 60 else "JPEG", quality=quality)
    return out.getvalue()


def test_reencoded_copy_on_another_account_is_one_photo(tmp_path):
    original = ORIGINAL.read_bytes()
    for folder in ("camera", "blog", "other"):
        (tmp_path / folder).mkdir()
    (tmp_path / "camera" / "original.jpg").write_bytes(original)
    (tmp_path / "blog" / "small.webp").write_bytes(_reencoded(original, 640, 50))
    (tmp_path / "other" / "flat-red.jpg").write_bytes(jpeg_bytes((220, 20, 20), size=(300, 200)))
    (tmp_path / "other" / "flat-blue.jpg").write_bytes(jpeg_bytes((20, 20, 220), size=(300, 200)))
    config = write_config(tmp_path, "".join(
        f'[[accounts]]\nplatform = "folder"\npath = "{name}"\nlabel = "{name}"\n' for name in ("camera", "blog", "other")
    ))
    out = tmp_path / "r.html"
    result = CliRunner().invoke(cli, ["run", str(config), "--db", str(tmp_path / "a.db"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    db = open_db(tmp_path / "a.db")
    groups = {row["group_id"] for row in db["photos"].rows}
    assert db["photos"].count == 4 and len(groups) == 3
    copies = list(db.query("select media_name, account from appearances join photos on photos.id = appearances.photo "
                           "group by photos.group_id having count(*) > 1"))
    assert len(copies) == 1
    html = out.read_text(encoding="utf-8")
    assert html.count('class="card"') == 3  # one card for the two copies, listing both places
    assert "original.jpg" in html and "small.webp" in html
    scores = {row["photo"]: row["score"] for row in db["scores"].rows}
    photo_of = {row["media_name"]: row["photo"] for row in db["appearances"].rows}
    assert scores[photo_of["small.webp"]] == scores[photo_of["original.jpg"]] > 0  # the GPS of the original counts for both


def test_a_picture_in_two_places_says_where(tmp_path):
    original = ORIGINAL.read_bytes()
    for folder in ("camera", "blog"):
        (tmp_path / folder).mkdir()
    (tmp_path / "camera" / "original.jpg").write_bytes(original)
    (tmp_path / "blog" / "copy.jpg").write_bytes(_reencoded(original, 800, 85))
    config = write_config(tmp_path, "".join(
        f'[[accounts]]\nplatform = "folder"\npath = "{name}"\nlabel = "{name}"\n' for name in ("camera", "blog")
    ))
    out = tmp_path / "r.html"
    assert CliRunner().invoke(cli, ["run", str(config), "--db", str(tmp_path / "a.db"), "--out", str(out)]).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert "posted in 2 places: it is only gone once it is gone from all of them" in html


def test_one_face_in_two_copies_is_listed_once_from_the_larger_copy(tmp_path):
    """Faces are in the picture, not the file: the card lists the larger copy's face once, not each copy's face at its
    own size (two lines read as two faces). What the smaller copy's own file says still counts."""
    original = FIXTURES / "images" / "faces" / "sk_astronaut.png"  # one face
    for folder in ("camera", "blog"):
        (tmp_path / folder).mkdir()
    (tmp_path / "camera" / "astronaut.png").write_bytes(original.read_bytes())
    image = Image.open(original).convert("RGB")
    small = image.resize((image.width // 2, image.height // 2))
    exif = Image.Exif()
    exif[0x8825] = _gps_ifd(37.5563, 126.9236)
    small.save(tmp_path / "blog" / "astronaut-small.jpg", "JPEG", quality=85, exif=exif.tobytes())
    config = write_config(tmp_path, "".join(
        f'[[accounts]]\nplatform = "folder"\npath = "{name}"\naudience = "anyone"\n' for name in ("camera", "blog")
    ))
    result = CliRunner().invoke(cli, ["run", str(config), "--db", str(tmp_path / "a.db"), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    db = open_db(tmp_path / "a.db")
    assert len({row["group_id"] for row in db["photos"].rows}) == 1
    faces = {row["photo"]: json.loads(row["evidence"])["size_px"]
             for row in db.query("select photo, evidence from findings where signal = 'faces'")}
    assert len(faces) == 2 and len(set(faces.values())) == 2  # each copy's face, at its own size
    reasons = {json.dumps(row["reasons"]) for row in db["scores"].rows}
    assert len(reasons) == 1  # both copies carry the picture's reasons
    listed = json.loads(next(iter(db["scores"].rows))["reasons"])
    face_lines = [reason for reason in listed if reason["signal"] == "faces"]
    assert len(face_lines) == 1 and f"{max(faces.values())} px" in json.dumps(face_lines[0], ensure_ascii=False)
    assert any(reason["signal"] == "exif" and reason["kind"] == "gps" for reason in listed)  # the small copy's GPS
