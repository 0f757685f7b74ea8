"""The hostile corpus (issue 11, build 6): one hostile item beside a good photo, through the real `collect` (and
`analyze` where only decoding the pixels finds the fault), on the sources that read it.

Each case checks that the hostile item left an `errors` row with a plain message naming it (or, for an archive
refused whole, the documented exit 4), that no message of the run is a traceback or an internal error, and that
the good photo of the same run was read. The image files come from tests/fixtures/images/hostile (a byte-identical
copy of the shared hostile-image fixtures, whose truth.json says what each must do) and tests/fixtures/images/exif;
every export, archive and sidecar is built here, small.
"""

from __future__ import annotations

import hashlib
import io
import json
import lzma
import os
import re
import stat
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Callable, NamedTuple

import pytest
from click.testing import CliRunner
from PIL import Image

from audit.cli import cli
from audit.inventory.db import open_db

from .conftest import FIXTURES, jpeg_bytes, write_config

HOSTILE = FIXTURES / "images" / "hostile"
EXIF = FIXTURES / "images" / "exif"
GOOD = jpeg_bytes((30, 160, 90), size=(48, 40))  # the photo every case must still read
OTHER = jpeg_bytes((200, 40, 160), size=(40, 48))  # a second photo, for records that must be kept despite a bad field
OUTSIDE = jpeg_bytes((5, 5, 250), size=(32, 32))  # a photo outside the account, which links point to


def cases(table: list[tuple]) -> list:
    """The rows of a table of cases, (id, *values), as pytest parameters named by their id."""
    return [pytest.param(*row[1:], id=row[0]) for row in table]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- building exports -----------------------------------------------------------------------------


class Member(NamedTuple):
    """A file with what a hostile archive can say about it: its type bits (a symbolic link) and its compression."""

    data: bytes
    mode: int = 0
    stored: bool = False


class Link(NamedTuple):
    """A symbolic link in a folder export."""

    target: Path


DIRECTORY = Member(b"", stat.S_IFDIR)  # a folder (or a zip directory entry) named like a photo

POSTS = "your_instagram_activity/content/posts_1.json"
STORIES = "your_instagram_activity/content/stories.json"
TAKEOUT = "Takeout/Google Photos/Photos from 2023"


def instagram_post(uri: str) -> dict:
    return {"media": [{"uri": uri, "creation_timestamp": 1_700_000_000, "title": "at the park"}]}


def tweets(*media: str, part: int = 0, extra: str = "") -> bytes:
    """A tweets.js whose tweet 100 + i shows media[i]; `extra` is spliced into the first tweet's JSON as it is."""
    records = [
        {"tweet": {"id_str": str(100 + index), "created_at": "Sat Aug 16 20:47:42 +0000 2014", "full_text": "hello",
                   "extended_entities": {"media": [{"media_url_https": f"https://pbs.twimg.com/media/{name}",
                                                    "id_str": str(900 + index + 10 * part), "type": "photo"}]}}}
        for index, name in enumerate(media)
    ]
    text = json.dumps(records)
    if extra:
        text = text.replace('"full_text"', extra + ', "full_text"', 1)
    return f"window.YTD.tweets.part{part} = {text}".encode()


def sidecar(title: str, geo: str = '{"latitude": 37.55, "longitude": 126.92}', taken: str = '"1696574331"') -> bytes:
    """A Google Photos sidecar, its geoData and timestamp written as raw JSON text (they may be NaN or Infinity)."""
    return (f'{{"title": "{title}", "creationTime": {{"timestamp": {taken}}}, '
            f'"photoTakenTime": {{"timestamp": "1696574331"}}, "geoData": {geo}}}').encode()


def facebook_post(uri: str) -> dict:
    return {"timestamp": 1_700_000_000, "data": [{"post": "hello"}],
            "attachments": [{"data": [{"media": {"uri": uri, "creation_timestamp": 1_700_000_000}}]}]}


def album(lat: str = "37.5") -> bytes:
    """A Facebook album of one photo, its latitude written as raw JSON text."""
    photo = ('{"uri": "photos_and_videos/album/a.jpg", "creation_timestamp": 1700000000, "media_metadata": '
             '{"photo_metadata": {"exif_data": [{"latitude": %s, "longitude": 126.9}]}}}' % lat)
    return ('{"name": "Trip", "photos": [%s]}' % photo).encode()


class Export(NamedTuple):
    files: dict  # a good export: one photo, GOOD
    bad: str  # where a hostile media file goes for the source to read it as a photo
    record: str  # what names that photo's record in an error row: its file, or the post that shows it
    document: tuple[str, bytes] | None = None  # a second document the source reads, sound: (name, content)


EXPORTS = {
    "folder": Export({"good.jpg": GOOD}, "bad.jpg", "bad.jpg"),
    "instagram-export": Export(
        {POSTS: json.dumps([instagram_post("media/posts/good.jpg"), instagram_post("media/posts/bad.jpg")]).encode(),
         "media/posts/good.jpg": GOOD},
        "media/posts/bad.jpg",
        "posts_1.json record 1",
        (STORIES, b'{"ig_stories": [{"uri": "media/stories/s.jpg", "creation_timestamp": 1700000000}]}'),
    ),
    "facebook-export": Export(
        {"posts/your_posts_1.json": json.dumps([facebook_post("photos_and_videos/x/good.jpg"),
                                                facebook_post("photos_and_videos/x/bad.jpg")]).encode(),
         "photos_and_videos/x/good.jpg": GOOD},
        "photos_and_videos/x/bad.jpg",
        "your_posts_1.json post 1",
        ("photos_and_videos/album/0.json", album()),
    ),
    "google-takeout": Export({f"{TAKEOUT}/good.jpg": GOOD, f"{TAKEOUT}/good.jpg.json": sidecar("good.jpg")},
                             f"{TAKEOUT}/bad.jpg", "bad.jpg", (f"{TAKEOUT}/bad.jpg.json", sidecar("bad.jpg"))),
    "x-archive": Export({"data/tweets.js": tweets("good.jpg", "bad.jpg"), "data/tweets_media/100-good.jpg": GOOD},
                        "data/tweets_media/101-bad.jpg", "tweets.js record 1",
                        ("data/tweets-part1.js", tweets("s.jpg", part=1))),
    "instaloader-folder": Export({"2023-01-01_00-00-00_UTC.jpg": GOOD}, "2023-02-02_00-00-00_UTC.jpg",
                                 "2023-02-02_00-00-00_UTC.jpg",
                                 ("2023-03-03_00-00-00_UTC.json", b'{"node": {}, "instaloader": {"node_type": "Post"}}')),
}


ZIPPED = ("instagram-export", "facebook-export", "google-takeout", "x-archive")  # the sources that read zips too


def build(tmp_path: Path, platform: str, files: dict, form: str = "folder") -> Path:
    """The platform's good export plus `files` ({name: bytes, Member or Link}; a bytes name is kept as bytes)."""
    content = {**EXPORTS[platform].files, **files}
    if form == "zip":
        target = tmp_path / "export.zip"
        target.write_bytes(zip_bytes(content))
        return target
    root = tmp_path / "export"
    for name, value in content.items():
        place(root / os.fsdecode(name), value)
    return root


def place(path: Path, value: bytes | Member | Link) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(value, Link):
        path.symlink_to(value.target)
    elif value is DIRECTORY:
        path.mkdir()
    else:
        path.write_bytes(value.data if isinstance(value, Member) else value)


def zip_bytes(content: dict) -> bytes:
    """A zip of `content`, members kept exactly as named: `..`, absolute, backslashes and non-UTF-8 bytes included."""
    buffer = io.BytesIO()
    raw_names = {}
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, value in content.items():
            member = value if isinstance(value, Member) else Member(value)
            if isinstance(name, bytes):  # written under an ASCII stand-in of the same length, then rewritten
                raw, name = name, name.decode("ascii", "replace").replace("\ufffd", "?")
                raw_names[name] = raw
            if member is DIRECTORY:
                name += "/"
            info = zipfile.ZipInfo(name, date_time=(2023, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if member.stored or member is DIRECTORY else zipfile.ZIP_DEFLATED
            if member.mode:
                info.create_system, info.external_attr = 3, (member.mode | 0o755) << 16
            archive.writestr(info, member.data)
    data = buffer.getvalue()
    for stand_in, raw in raw_names.items():  # the UTF-8 flag says these names are UTF-8: they are not
        data = patch(data, stand_in, flags=0x800, name=raw)
    return data


# Where the fields are in a local file header and in a central directory entry: (offset, struct format).
LOCAL = {"flags": (6, "<H"), "method": (8, "<H"), "crc": (14, "<I"), "packed": (18, "<I"), "size": (22, "<I"), "name": 30}
CENTRAL = {"flags": (8, "<H"), "method": (10, "<H"), "crc": (16, "<I"), "packed": (20, "<I"), "size": (24, "<I"), "name": 46}


def patch(archive: bytes, member: str, **changes: int | bytes | Callable[[int], int]) -> bytes:
    """One member's fields rewritten alike in both its headers, as a damaged or hostile archive carries them.
    A change is the new value, or a function of the old one; `name` is the member's new name, of the same length."""
    data = bytearray(archive)
    for signature, fields in ((b"PK\x03\x04", LOCAL), (b"PK\x01\x02", CENTRAL)):
        at = header_of(data, signature, fields["name"], member.encode())
        for field, change in changes.items():
            if field == "name":
                data[at + fields["name"] : at + fields["name"] + len(change)] = change
                continue
            offset, layout = fields[field]
            old = struct.unpack_from(layout, data, at + offset)[0]
            struct.pack_into(layout, data, at + offset, change(old) if callable(change) else change)
    return bytes(data)


def header_of(data: bytearray, signature: bytes, name_at: int, name: bytes) -> int:
    at = data.find(signature)
    while data[at + name_at : at + name_at + len(name)] != name:
        at = data.find(signature, at + 1)
        assert at >= 0, f"no header for {name!r}"
    return at


# --- running the pipeline -------------------------------------------------------------------------

# A traceback, an exception's class name or repr, or the CLI's bug line: not what a user can act on.
NOT_PLAIN = re.compile(r"Traceback|internal error|\b[A-Z]\w*(?:Error|Exception)\b|object at 0x|\\n")


class Outcome(NamedTuple):
    db: object
    exit_code: int
    output: str

    def errors(self, *needles: str) -> list[dict]:
        """Error rows (not skip notes) whose item or message names one of `needles`; all of them without."""
        rows = self.db.query("select * from errors where stage != 'skip' order by item")
        return [row for row in rows if not needles or any(n in row["item"] or n in row["message"] for n in needles)]

    def rows(self, needle: str) -> list[dict]:
        """Error rows and skip notes that name `needle`."""
        return list(self.db.query("select * from errors where instr(item, ?) or instr(message, ?)", [needle, needle]))

    def photo(self, data: bytes) -> dict | None:
        """The inventoried photo of these bytes, readable and posted somewhere, or None."""
        query = "select photos.* from photos join appearances on appearances.photo = photos.id where photos.id = ?"
        return next(self.db.query(query, [sha(data)]), None)

    def read(self, data: bytes) -> bool:
        found = self.photo(data)
        return found is not None and found["status"] == "ok"

    def summary(self) -> str:
        rows = self.db.query("select stage, item, message from errors order by item")
        return self.output + "\n" + "\n".join(f"{row['stage']} {row['item']}: {row['message']}" for row in rows)


def audit(tmp_path: Path, *accounts: tuple[str, Path], analyse: bool = False) -> Outcome:
    """`photo-audit collect` (then `analyze`) on the accounts, as a user runs it."""
    body = "".join(f"[[accounts]]\nplatform = '{platform}'\npath = '{path}'\n" for platform, path in accounts)
    config, db_path = write_config(tmp_path, body), tmp_path / "inventory.db"
    runner = CliRunner()
    result = runner.invoke(cli, ["collect", str(config), "--db", str(db_path)])
    output = result.output
    if analyse and result.exit_code == 0:
        analysed = runner.invoke(cli, ["analyze", "--db", str(db_path)])
        assert analysed.exit_code == 0, analysed.output
        output += analysed.output
    return Outcome(open_db(db_path), result.exit_code, output)


def assert_recorded(outcome: Outcome, needles: str | tuple[str, ...], says: str, exit_code: int = 0) -> None:
    """(a) an error row names the hostile item and says what is wrong, in plain words, as every message of the run;
    the run ends as documented (0: items that could not be read are listed, not fatal)."""
    assert outcome.exit_code == exit_code, outcome.summary()
    found = outcome.errors(*([needles] if isinstance(needles, str) else needles))
    assert found, f"no error names {needles!r}:\n{outcome.summary()}"
    assert any(re.search(says, row["message"], re.IGNORECASE) for row in found), outcome.summary()
    assert_all_plain(outcome)


def assert_all_plain(outcome: Outcome) -> None:
    for row in outcome.db.query("select item, message from errors"):
        assert row["message"].strip() and not NOT_PLAIN.search(row["message"]), row


def assert_good_read(outcome: Outcome) -> None:
    """(b) the good photo beside the hostile item is in `photos` and `appearances`."""
    assert outcome.read(GOOD), outcome.summary()


class Case(NamedTuple):
    platform: str
    files: dict  # added to the platform's good export
    needle: str  # what names the hostile item in its error row: its file, member or record
    says: str  # a regular expression the message matches
    form: str = "folder"
    analyse: bool = False  # the fault shows only when the pixels are decoded
    kept: bytes | None = None  # a photo the hostile record names, which must be inventoried all the same


def run_case(tmp_path: Path, case: Case) -> Outcome:
    outcome = audit(tmp_path, (case.platform, build(tmp_path, case.platform, case.files, case.form)), analyse=case.analyse)
    assert_recorded(outcome, case.needle, case.says)
    assert_good_read(outcome)
    if case.kept is not None:
        assert outcome.photo(case.kept) is not None, outcome.summary()
    return outcome


# --- image files that cannot be decoded -----------------------------------------------------------


def hostile(name: str) -> bytes:
    return (HOSTILE / name).read_bytes()


def cut(data: bytes, fraction: float) -> bytes:
    return data[: int(len(data) * fraction)]


def encoded(fmt: str, size=(64, 48), **options) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (120, 90, 60)).save(out, fmt, **options)
    return out.getvalue()


def webp_claiming(width: int, height: int) -> bytes:
    """A lossy WebP whose VP8 frame header claims width x height (14 bits each): the file stays 100 bytes."""
    data = bytearray(encoded("WEBP", quality=50))
    struct.pack_into("<HH", data, data.index(b"\x9d\x01\x2a") + 3, width, height)
    return bytes(data)


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_with_text_bomb() -> bytes:
    """A valid PNG with a zTXt chunk of 4 KB that inflates to 4 MB, past the 1 MiB Pillow allows: a bomb in its
    metadata, not its pixels."""
    png = encoded("PNG", size=(8, 8))
    bomb = png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"\x00" * 4_000_000, 9))
    return png[:33] + bomb + png[33:]  # after the 8-byte signature and the 25-byte IHDR chunk


def nested_zip_bomb() -> bytes:
    """A zip holding a zip holding 10 MB of zeros: 10 KB outside, nothing this tool should ever open."""
    inner = zip_bytes({"zeros.bin": b"\x00" * 10_000_000})
    return zip_bytes({"inner.zip": Member(inner, stored=True)})


# (id, file name, bytes, what the message says, whether the fault shows only when decoding)
IMAGE_FILES = [
    ("zero-byte", "zero_bytes.jpg", hostile("zero_bytes.jpg"), "empty file", False),
    ("text-named-jpg", "text_named.jpg", hostile("text_named.jpg"), "plain text", False),
    ("html-named-png", "html_named.png", hostile("html_named.png"), "content is html", False),
    ("pdf-named-jpg", "scan.jpg", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "pdf", False),
    ("gif-named-jpg", "anim.jpg", encoded("GIF"), "gif is not a supported", False),
    ("mp4-named-jpg", "live.jpg", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(64), "content is a video", False),
    ("nested-zip-bomb-named-jpg", "bomb.jpg", nested_zip_bomb(), "zip archive", False),
    ("png-bad-ihdr-crc", "png_bad_ihdr_crc.png", hostile("png_bad_ihdr_crc.png"), "damaged .*png", False),
    ("png-bomb-header", "bomb_header_only.png", hostile("bomb_header_only.png"), "refused .*decompression bomb", False),
    ("jpeg-bomb-header", "jpeg_sof_65500x65500.jpg", hostile("jpeg_sof_65500x65500.jpg"), "refused .*decompression bomb",
     False),
    ("webp-bomb-header", "huge.webp", webp_claiming(16383, 16383), "refused .*decompression bomb", False),
    ("webp-bomb-under-twice-the-limit", "big.webp", webp_claiming(10000, 10000), "refused .*decompression bomb", False),
    ("png-text-chunk-bomb", "text_bomb.png", png_with_text_bomb(), "refused .*decompression bomb", False),
    ("png-truncated-in-idat", "png_truncated_in_idat.png", hostile("png_truncated_in_idat.png"), "truncated", True),
    ("jpeg-truncated-half", "trunc_half_gps.jpg", hostile("trunc_half_gps.jpg"), "truncated", True),
    ("jpeg-header-only", "header_only.jpg", GOOD[:300], "damaged .*jpeg", False),
    ("webp-truncated", "cut.webp", cut((EXIF / "pl_hopper.webp").read_bytes(), 0.5), "damaged .*webp", False),
    ("heic-truncated", "cut.heic", cut((EXIF / "dn_Issue_487.heic").read_bytes(), 0.5), "damaged .*heif", False),
    # An iPhone-style HEIC of 512-pixel tiles: libheif paints the missing tiles green rather than failing.
    ("heic-tiles-truncated", "tiles_cut.heic", cut((EXIF / "dn_exif-at-eof.heic").read_bytes(), 0.5), "cut short", True),
    ("avif-truncated", "cut.avif", cut(encoded("AVIF"), 0.6), "damaged|cut short|cannot be decoded", True),
]


@pytest.mark.parametrize("name,data,says,analyse", cases(IMAGE_FILES))
def test_an_undecodable_file_in_a_folder_is_an_error_and_the_rest_is_read(tmp_path, name, data, says, analyse):
    run_case(tmp_path, Case("folder", {name: data}, name, says, analyse=analyse))


def test_a_truncated_photo_still_gives_away_its_location(tmp_path):
    # truth.json: trunc_half_gps.jpg cannot be decoded, but its EXIF is whole and leaks a position.
    truth = next(entry for entry in json.loads(hostile("truth.json"))["files"] if entry["file"] == "trunc_half_gps.jpg")
    files = {"trunc.jpg": hostile("trunc_half_gps.jpg")}
    outcome = run_case(tmp_path, Case("folder", files, "trunc.jpg", "truncated", analyse=True))
    gps = [json.loads(row["evidence"]) for row in outcome.db.query("select evidence from findings where kind = 'gps'")]
    assert [round(found["lat"], 5) for found in gps] == [round(truth["expected_gps"]["lat"], 5)]


# --- the same hostile files through the export sources --------------------------------------------

THROUGH_EXPORTS = [
    ("instagram-zip-truncated-jpeg", "instagram-export", "zip", hostile("trunc_half_gps.jpg"), "truncated", True),
    ("instagram-folder-text", "instagram-export", "folder", hostile("text_named.jpg"), "plain text", False),
    ("takeout-zip-bomb-header", "google-takeout", "zip", hostile("jpeg_sof_65500x65500.jpg"), "decompression bomb", False),
    ("x-archive-zero-byte", "x-archive", "folder", b"", "empty file", False),
    ("instaloader-html", "instaloader-folder", "folder", hostile("html_named.png"), "content is html", False),
]


@pytest.mark.parametrize("platform,form,data,says,analyse", cases(THROUGH_EXPORTS))
def test_an_undecodable_photo_in_an_export_is_an_error_and_the_rest_is_read(tmp_path, platform, form, data, says, analyse):
    export = EXPORTS[platform]
    run_case(tmp_path, Case(platform, {export.bad: data}, export.record, says, form, analyse))


# --- zip members: names, links, bombs, lying headers -----------------------------------------------

# (id, member name, what the message says): names that must never be used to find a file.
UNSAFE_NAMES = [
    ("traversal", "../bad.jpg", "escapes"),
    ("traversal-deep", "media/../../bad.jpg", "escapes"),
    ("traversal-backslash", "..\\..\\bad.jpg", "escapes"),
    ("absolute", "/etc/bad.jpg", "absolute"),
    ("absolute-unc", "\\\\server\\share\\bad.jpg", "absolute"),
    ("drive-letter", "C:\\bad.jpg", "drive"),
    ("drive-letter-slash", "C:/Users/bad.jpg", "drive"),
]


@pytest.mark.parametrize("platform", ["instagram-export", "google-takeout", "x-archive"])
@pytest.mark.parametrize("name,says", cases(UNSAFE_NAMES))
def test_a_member_named_outside_the_archive_is_refused_and_the_rest_is_read(tmp_path, platform, name, says):
    outcome = run_case(tmp_path, Case(platform, {name: OTHER}, name, says, "zip"))
    assert outcome.photo(OTHER) is None  # its bytes were never read


def lie(**changes) -> Callable[[bytes, str], bytes]:
    """Rewrite the hostile member's headers; a change may depend on the member's real values (see `patch`)."""
    return lambda archive, member: patch(archive, member, **changes)


def zipped(tmp_path: Path, platform: str, name: str, data: bytes | Member, lies=None) -> Path:
    """The platform's export as a zip with `name` holding `data`, that member's headers rewritten by `lies`."""
    path = build(tmp_path, platform, {name: data}, "zip")
    if lies:
        path.write_bytes(lies(path.read_bytes(), name))
    return path


# (id, the member's bytes, how its headers lie (or None), what the message says)
HOSTILE_MEMBERS = [
    ("zero-byte-member", b"", None, "empty file"),
    ("high-ratio-member", b"\x00" * 4_000_000, None, "zip bomb"),
    ("declared-huge-member", OTHER, lie(size=600 * 1024**2), "would expand"),
    ("bad-crc", OTHER, lie(crc=lambda crc: crc ^ 0x5A5A), "crc|checksum|damaged|corrupt"),
    ("declared-smaller", OTHER, lie(size=lambda size: size - 100), "crc|checksum|damaged|corrupt|size"),
    ("declared-larger-stored", Member(OTHER, stored=True), lie(size=lambda size: size + 64, packed=lambda size: size + 64),
     "crc|checksum|damaged|corrupt|size"),
    ("unsupported-compression", OTHER, lie(method=6), "compression"),
    ("encrypted", OTHER, lie(flags=1), "encrypted|password"),
    ("nested-zip-bomb", nested_zip_bomb(), None, "zip archive"),
]


@pytest.mark.parametrize("data,lies,says", cases(HOSTILE_MEMBERS))
def test_a_hostile_member_is_an_error_and_the_rest_of_the_zip_is_read(tmp_path, data, lies, says):
    export = EXPORTS["instagram-export"]
    outcome = audit(tmp_path, ("instagram-export", zipped(tmp_path, "instagram-export", export.bad, data, lies)))
    assert_recorded(outcome, (export.bad, export.record), says)  # refused members are named, read ones by their post
    assert_good_read(outcome)


def test_a_symlink_member_is_never_followed(tmp_path):
    (tmp_path / "outside.jpg").write_bytes(OUTSIDE)
    export = EXPORTS["instagram-export"]
    link = Member(str(tmp_path / "outside.jpg").encode(), stat.S_IFLNK)  # a link's target is its content
    outcome = audit(tmp_path, ("instagram-export", zipped(tmp_path, "instagram-export", export.bad, link)))
    assert outcome.photo(OUTSIDE) is None
    assert_recorded(outcome, (export.bad, export.record), "link")
    assert_good_read(outcome)


def test_a_declared_size_larger_than_the_deflated_data_reads_what_is_there(tmp_path):
    # A deflate stream says where it ends, and its CRC holds: the bytes are whole, only the header exaggerates.
    path = zipped(tmp_path, "instagram-export", EXPORTS["instagram-export"].bad, OTHER, lie(size=lambda size: size + 5000))
    outcome = audit(tmp_path, ("instagram-export", path))
    assert outcome.read(OTHER) and outcome.read(GOOD), outcome.summary()
    assert_all_plain(outcome)


# --- documents: JSON, JS, HTML and text sidecars ---------------------------------------------------

DEEP_ARRAY = b"[" * 100_000
DEEP_OBJECT = b'{"a": ' * 100_000

# Faults of a whole document, alike for every source: (id, the hostile document made from the sound one, what is said)
UNPARSABLE = [
    ("deep-array", lambda document: DEEP_ARRAY, "nested too deeply"),
    ("deep-object", lambda document: DEEP_OBJECT, "nested too deeply"),
    ("invalid-utf8", lambda document: document.replace(b'"', b'"caf\xe9 ', 1), "not valid utf-8"),
    ("cut-short", lambda document: document[: len(document) // 2], "not valid json"),
]


@pytest.mark.parametrize("platform", [name for name, export in EXPORTS.items() if export.document])
@pytest.mark.parametrize("spoil,says", cases(UNPARSABLE))
def test_a_document_that_cannot_be_parsed_is_an_error_and_the_rest_is_read(tmp_path, platform, spoil, says):
    name, content = EXPORTS[platform].document
    run_case(tmp_path, Case(platform, {name: spoil(content)}, name, says))


STORY = ('{{"uri": "media/stories/s.jpg", "creation_timestamp": {time}, "title": {title}, "media_metadata": '
         '{{"photo_metadata": {{"exif_data": [{{"latitude": {lat}, "longitude": 126.9}}]}}}}}}')


def instagram_story(time="1700000000", title='"hello"', lat="37.5") -> dict:
    """stories.json with one story whose fields are raw JSON text (NaN and Infinity are JSON to Python), and its photo."""
    record = STORY.format(time=time, title=title, lat=lat)
    return {STORIES: b'{"ig_stories": [' + record.encode() + b"]}", "media/stories/s.jpg": OTHER}


def html_post(inner: str, encoding: str = "utf-8") -> dict:
    """posts_1.html with one post box around `inner`, and the photo it shows."""
    page = '<html><body><div class="pam _3-95 _2ph- _a6-g uiBoxWhite noborder">' + inner + "</div></body></html>"
    return {HTML: page.encode(encoding), "media/posts/h.jpg": OTHER}


def facebook_album(lat: str) -> dict:
    return {"photos_and_videos/album/0.json": album(lat), "photos_and_videos/album/a.jpg": OTHER}


def takeout_sidecar(**fields: str) -> dict:
    return {f"{TAKEOUT}/bad.jpg": OTHER, f"{TAKEOUT}/bad.jpg.json": sidecar("bad.jpg", **fields)}


def x_tweet(extra: str) -> dict:
    return {"data/tweets-part1.js": tweets("s.jpg", part=1, extra=extra), "data/tweets_media/100-s.jpg": OTHER}


def instaloader_post(suffix: str, content: bytes) -> dict:
    return {"2023-02-02_00-00-00_UTC.jpg": OTHER, f"2023-02-02_00-00-00_UTC{suffix}": content}


HTML = "your_instagram_activity/content/posts_1.html"
IMG = '<img src="media/posts/h.jpg">'
LOCATION_ROWS = ("<table><tr><td>Latitude<div><div>{}</div></div></td></tr>"
                 "<tr><td>Longitude<div><div>{}</div></div></td></tr></table>")
XZ_BOMB = lzma.compress(b" " * 33 * 1024**2, preset=0)  # 5 KB that expand to 33 MiB, past the 32 MiB allowed

# (id, platform, the hostile record and the photo it names, what names it, what is said): the record's photo is
# inventoried all the same, its unreadable field left empty.
BAD_FIELDS = [
    ("instagram-nan-latitude", "instagram-export", instagram_story(lat="NaN"), "stories.json", "not a coordinate pair"),
    ("instagram-infinite-latitude", "instagram-export", instagram_story(lat="-Infinity"), "stories.json", "coordinate pair"),
    ("instagram-latitude-a-list", "instagram-export", instagram_story(lat="[37, 5]"), "stories.json", "coordinate pair"),
    ("instagram-infinite-timestamp", "instagram-export", instagram_story(time="Infinity"), "stories.json", "out of range"),
    ("instagram-huge-timestamp", "instagram-export", instagram_story(time="1e300"), "stories.json", "out of range"),
    ("instagram-timestamp-text", "instagram-export", instagram_story(time='"yesterday"'), "stories.json", "epoch seconds"),
    ("instagram-timestamp-true", "instagram-export", instagram_story(time="true"), "stories.json", "epoch seconds"),
    ("instagram-title-a-number", "instagram-export", instagram_story(title="12"), "stories.json", "not text"),
    ("instagram-html-invalid-utf8", "instagram-export", html_post(f"<h2>café</h2>{IMG}", "latin-1"), "posts_1.html",
     "not valid utf-8"),
    # Unquoted attributes, unclosed and stray tags, bogus entities, around a details table whose numbers are not.
    ("instagram-html-malformed", "instagram-export",
     html_post("<h2>caption &bogus; <b><i>unclosed</h2></span><img src=media/posts/h.jpg alt=x y>"
               + LOCATION_ROWS.format("NaN", "Infinity") + "<p><p><<>>&#xffffff;</b></b></i>"),
     "posts_1.html", "not a coordinate pair"),
    ("facebook-album-nan-latitude", "facebook-export", facebook_album("NaN"), "album/0.json", "not a coordinate pair"),
    ("facebook-album-latitude-text", "facebook-export", facebook_album('"north"'), "album/0.json", "not a coordinate pair"),
    ("takeout-nan-position", "google-takeout", takeout_sidecar(geo='{"latitude": NaN, "longitude": 1}'), "bad.jpg.json",
     "not a coordinate pair"),
    ("takeout-position-a-list", "google-takeout", takeout_sidecar(geo="[37.5, 127]"), "bad.jpg.json", "not an object"),
    ("takeout-infinite-timestamp", "google-takeout", takeout_sidecar(taken='"Infinity"'), "bad.jpg.json", "epoch seconds"),
    ("x-nan-coordinates", "x-archive", x_tweet('"coordinates": {"coordinates": [NaN, Infinity]}'), "tweets-part1.js",
     "not a coordinate pair"),
    ("x-time-a-number", "x-archive", x_tweet('"created_at": 1e999'), "tweets-part1.js", "not a date"),  # the later key wins
    ("instaloader-caption-invalid-utf8", "instaloader-folder", instaloader_post(".txt", b"caf\xe9 \xff"), "UTC.txt",
     "not valid utf-8"),
    ("instaloader-xz-bomb", "instaloader-folder", instaloader_post(".json.xz", XZ_BOMB), "UTC.json.xz", "expands beyond"),
    ("instaloader-xz-cut-short", "instaloader-folder",
     instaloader_post(".json.xz", lzma.compress(b'{"node": {}}' * 500)[:60]), "UTC.json.xz", "cut short"),
    ("instaloader-xz-not-xz", "instaloader-folder", instaloader_post(".json.xz", b'{"node": {}}'), "UTC.json.xz",
     "not a readable .xz"),
    ("instaloader-location-nan", "instaloader-folder",
     instaloader_post("_location.txt", b"Park\nhttps://maps.google.com/maps?q=NaN,Infinity&ll=NaN,Infinity\n"),
     "UTC_location.txt", "not a coordinate pair"),
]


@pytest.mark.parametrize("platform,files,needle,says", cases(BAD_FIELDS))
def test_a_record_with_a_bad_field_is_an_error_and_its_photo_is_still_read(tmp_path, platform, files, needle, says):
    run_case(tmp_path, Case(platform, files, needle, says, kept=OTHER))


# (id, the hostile document, what is said): documents of a shape no record can be read from
SHAPELESS = [
    ("instagram-not-a-list", {STORIES: b'{"ig_stories": "none"}'}, "expected a list"),
    ("instagram-uri-a-number", {STORIES: b'{"ig_stories": [{"uri": 5}]}'}, "no media file"),
    ("instagram-html-binary", {HTML: bytes(range(256)) * 8}, "no post boxes"),
    ("instagram-html-no-media", {HTML: html_post("<h2>caption only</h2>")[HTML]}, "no media file"),
]


@pytest.mark.parametrize("files,says", cases(SHAPELESS))
def test_a_document_of_no_known_shape_is_an_error_and_the_rest_is_read(tmp_path, files, says):
    name = next(iter(files))
    run_case(tmp_path, Case("instagram-export", files, name, says))


@pytest.mark.xfail(strict=True, reason="known gap: html.parser does not close <td>/<tr> implicitly, so the row's label "
                   "swallows the next rows and the position is dropped without a note (left for the next session)")
def test_a_location_in_html_with_implied_end_tags_is_read_or_reported(tmp_path):
    # HTML lets a cell and a row end where the next begins (no </td></tr>), as browsers read it: the position in
    # such a table must be read, or its row reported, never silently dropped.
    rows = LOCATION_ROWS.format("37.5512", "126.9882").replace("</td></tr>", "")
    outcome = audit(tmp_path, ("instagram-export", build(tmp_path, "instagram-export", html_post(IMG + rows))))
    where = list(outcome.db.query("select lat, lon from appearances where media_name = 'media/posts/h.jpg'"))
    assert where == [{"lat": 37.5512, "lon": 126.9882}] or outcome.errors("posts_1.html"), outcome.summary()
    assert_good_read(outcome)


# (id, how the document's member is damaged: its new content from the sound one, how its headers lie, what is said)
DAMAGED_DOCUMENTS = [
    ("bad-crc", None, lie(crc=lambda crc: crc ^ 0x5A5A), "crc|checksum|damaged|corrupt"),
    ("encrypted", None, lie(flags=1), "encrypted|password"),
    ("unsupported-compression", None, lie(method=6), "compression"),
    ("json-bomb", lambda content: content + b" " * 3_000_000, None, "bomb"),  # valid JSON, compressed 3000:1
]


@pytest.mark.parametrize("platform", [name for name in ZIPPED if EXPORTS[name].document])
@pytest.mark.parametrize("grow,lies,says", cases(DAMAGED_DOCUMENTS))
def test_a_damaged_document_in_a_zip_is_an_error_and_the_rest_is_read(tmp_path, platform, grow, lies, says):
    name, content = EXPORTS[platform].document
    outcome = audit(tmp_path, (platform, zipped(tmp_path, platform, name, grow(content) if grow else content, lies)))
    assert_recorded(outcome, name, says)
    assert_good_read(outcome)


# --- names, links and folders ---------------------------------------------------------------------


def test_names_that_are_not_utf8_are_kept_apart_and_shown_escaped(tmp_path):
    # A Korean CP949 zip unpacked on Linux: two names that differ only in bytes no UTF-8 decoder accepts.
    files = {b"\xc7\xd1\xb1\xdb.jpg": OTHER, b"\xc7\xd1\xb1\xdc.jpg": OTHER}
    account = ("folder", build(tmp_path, "folder", files))
    outcome = audit(tmp_path, account)
    assert outcome.exit_code == 0, outcome.summary()
    query = "select media_name from appearances where photo = ?"
    names = [row["media_name"] for row in outcome.db.query(query, [sha(OTHER)])]
    assert len(set(names)) == 2, outcome.summary()  # the raw bytes decide the id: neither name swallows the other
    # Shown escaped: the bytes that are not UTF-8 (C7, DB/DC; D1 B1 happens to be UTF-8 for 'ѱ') as their hex value.
    assert all(re.search("c7.*d[bc]", name, re.IGNORECASE) and name.isprintable() for name in names), names
    assert_good_read(outcome)
    assert_all_plain(outcome)
    assert audit(tmp_path, account).db["appearances"].count == 3  # and again, nothing is added


def test_a_zip_member_whose_name_lies_about_being_utf8_does_not_cost_the_archive(tmp_path):
    # Takeout inventories every photo in the archive: this one is read under an escaped name, or reported.
    member = EXPORTS["google-takeout"].bad.replace("bad", "b\xff\xfed").encode("latin-1")
    outcome = audit(tmp_path, ("google-takeout", build(tmp_path, "google-takeout", {member: OTHER}, "zip")))
    assert outcome.exit_code == 0, outcome.summary()
    assert outcome.photo(OTHER) or outcome.errors("d.jpg"), outcome.summary()
    assert_good_read(outcome)
    assert_all_plain(outcome)


@pytest.mark.parametrize("target", ["file", "folder"])
def test_a_symlink_in_a_folder_pointing_outside_is_noted_and_never_followed(tmp_path, target):
    outside = tmp_path / "outside"
    place(outside / "secret.jpg", OUTSIDE)
    link = Link(outside / "secret.jpg" if target == "file" else outside)
    name = "link.jpg" if target == "file" else "linked"
    outcome = audit(tmp_path, ("folder", build(tmp_path, "folder", {name: link})))
    assert outcome.exit_code == 0, outcome.summary()
    assert outcome.photo(OUTSIDE) is None
    assert outcome.rows("link"), f"the link is passed over without a word:\n{outcome.summary()}"
    assert_good_read(outcome)


@pytest.mark.parametrize("form", ["folder", "zip"])
def test_a_directory_named_like_a_photo_is_not_a_photo(tmp_path, form):
    member = EXPORTS["instagram-export"].bad  # the post names it; here it is a folder
    outcome = audit(tmp_path, ("instagram-export", build(tmp_path, "instagram-export", {member: DIRECTORY}, form)))
    assert outcome.exit_code == 0, outcome.summary()
    notes = [row["note"] for row in outcome.db.query("select note from appearances where media_name = ?", [member])]
    assert notes == [f"media file {member} is not in the export"]
    assert_good_read(outcome)
    assert_all_plain(outcome)


def test_photos_inside_a_folder_named_like_a_photo_are_read(tmp_path):
    outcome = audit(tmp_path, ("folder", build(tmp_path, "folder", {"album.jpg/inside.jpg": OTHER})))
    assert outcome.read(OTHER) and outcome.errors() == [], outcome.summary()
    assert_good_read(outcome)


# (id, name, bytes, the format it is): a suffix that lies, or bytes after the image, are not faults
DISGUISED = [
    ("png-named-jpg", "photo.jpg", encoded("PNG"), "PNG"),
    ("jpeg-named-heic", "photo.heic", OTHER, "JPEG"),
    ("jpeg-named-webp", "photo.webp", OTHER, "JPEG"),
    ("polyglot-jpeg-zip", "polyglot_jpeg_zip.jpg", hostile("polyglot_jpeg_zip.jpg"), "JPEG"),
    ("exif-ifd-loop", "exif_ifd_loop.jpg", hostile("exif_ifd_loop.jpg"), "JPEG"),
]


@pytest.mark.parametrize("name,data,fmt", cases(DISGUISED))
def test_a_photo_whose_suffix_lies_is_read_by_its_content(tmp_path, name, data, fmt):
    outcome = audit(tmp_path, ("folder", build(tmp_path, "folder", {name: data})))
    assert outcome.read(data) and outcome.photo(data)["format"] == fmt, outcome.summary()
    assert outcome.errors() == [], outcome.summary()
    assert_good_read(outcome)


# --- archives refused or unreadable as a whole ----------------------------------------------------


def expanding_archive() -> bytes:
    """18 members of a few bytes, each declaring 3.75 GiB: 67 GiB in all, over the 64 GiB an export may reach."""
    members = {f"media/posts/{index}.jpg": b"x" for index in range(18)}
    data = zip_bytes({**EXPORTS["instagram-export"].files, **members})
    for name in members:
        data = patch(data, name, size=0xF000_0000)
    return data


# (id, the export's bytes, what names it, what the message says, the exit code: 4 when refused as unsafe)
WHOLE_ARCHIVES = [
    ("archive-over-64-gib", expanding_archive(), "export.zip", "would expand to .* GiB", 4),
    # Only the media list, compressed 3000:1: the bomb must be named as such, not as "no media lists found".
    ("media-list-bomb", zip_bytes({POSTS: json.dumps([instagram_post("x.jpg")]).encode() + b" " * 3_000_000}),
     "posts_1.json", "bomb", 4),
    # A partly downloaded export: the message must say so, not that a .zip file is no zip.
    ("zip-cut-short", cut(zip_bytes(EXPORTS["instagram-export"].files), 0.6), "export.zip",
     "(incomplete|damaged|cut short|truncated|readable).*zip|zip.*(incomplete|damaged|cut short|truncated)", 0),
    ("zip-inside-a-zip", zip_bytes({"export.zip": zip_bytes(EXPORTS["instagram-export"].files)}), "export.zip",
     "no instagram media lists", 0),
]


@pytest.mark.parametrize("data,needle,says,exit_code", cases(WHOLE_ARCHIVES))
def test_an_export_that_cannot_be_read_at_all_is_an_error_and_the_other_accounts_are_read(tmp_path, data, needle, says,
                                                                                           exit_code):
    second = ("folder", build(tmp_path / "second", "folder", {}))  # read in the same run
    outcome = audit(tmp_path, ("instagram-export", write(tmp_path / "export.zip", data)), second)
    assert_recorded(outcome, needle, says, exit_code)
    assert_good_read(outcome)


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
