"""Clean copies (audit/clean/copy.py) of the real camera and phone files: read back by the project's own readers and
by exiftool, nothing is left but the picture and its colour profile; the picture is the same, upright; `removed`
says what the original held, checked against exiftool's reading of the original and truth.json."""

from __future__ import annotations

import functools
import io
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from audit.clean.copy import REMOVED_WORDS, CleanCopy, encode_clean, open_clean
from audit.errors import InputError, UnsafeInputError
from audit.inventory import imaging
from audit.metadata.blocks import find_blocks
from audit.metadata.exifdata import read_metadata

IMAGES = Path(__file__).parent / "fixtures" / "images"
EXIF_DIR = IMAGES / "exif"
HOSTILE_DIR = IMAGES / "hostile"
TRUTH = {entry["file"]: entry for entry in json.loads((EXIF_DIR / "truth.json").read_text())["files"]}
FILES = sorted(TRUTH)
HOSTILE = sorted(path.name for path in HOSTILE_DIR.iterdir() if path.suffix not in (".json", ".md"))

# What exiftool may print about a clean copy (`-a -G0:1`: "family 0:family 1:tag", a family given once when both
# are the same). Groups allowed whole hold only facts of the file system or of the colour profile; the others are
# allowed tag by tag, so that anything new (a text chunk, a comment, a computed GPS position) fails.
ALLOWED_GROUPS = ("File:System:", "ICC_Profile:")
ALLOWED_TAGS = {
    "SourceFile", "ExifTool:ExifToolVersion",
    "File:FileType", "File:FileTypeExtension", "File:MIMEType", "File:ImageWidth", "File:ImageHeight",
    "File:BitsPerSample", "File:ColorComponents", "File:EncodingProcess", "File:YCbCrSubSampling",
    "JFIF:JFIFVersion", "JFIF:ResolutionUnit", "JFIF:XResolution", "JFIF:YResolution",  # Pillow's APP0, 1:1
    "Composite:ImageSize", "Composite:Megapixels",
    # PNG: the IHDR chunk, and the name of the colour profile (iCCP)
    "PNG:ImageWidth", "PNG:ImageHeight", "PNG:BitDepth", "PNG:ColorType", "PNG:Compression", "PNG:Filter",
    "PNG:Interlace", "PNG:ProfileName",
    # WebP: the VP8X flags (ICC profile, alpha) and the VP8 or VP8L header
    "RIFF:WebP_Flags", "RIFF:ImageWidth", "RIFF:ImageHeight", "RIFF:VP8Version", "RIFF:HorizontalScale",
    "RIFF:VerticalScale", "RIFF:AlphaIsUsed", "RIFF:AlphaPreprocessing", "RIFF:AlphaFiltering",
    "RIFF:AlphaCompression",  # lossy WebP with transparency: the ALPH chunk's header
}
SERIALS = {"SerialNumber", "BodySerialNumber", "LensSerialNumber", "CameraSerialNumber", "ImageUniqueID",
           "OwnerName", "CameraOwnerName"}
# Tags that identify, named to fail in whatever group exiftool puts them (GPS*: every GPS tag).
NEVER = SERIALS | {"DateTimeOriginal", "CreateDate", "Make", "Model", "Software", "Comment", "ThumbnailImage"}


def exiftool(data: bytes) -> dict:
    """exiftool's reading of `data`: every tag (-a), unknown ones too (-u), by family 0 and 1 groups."""
    executable = shutil.which("exiftool")
    assert executable, "exiftool is missing: install the Debian package libimage-exiftool-perl (CI installs it)"
    result = subprocess.run([executable, "-a", "-u", "-G0:1", "-j", "-"], input=data, capture_output=True,
                            check=True)
    return json.loads(result.stdout)[0]


@functools.cache
def original(folder: Path, name: str) -> bytes:
    return (folder / name).read_bytes()


@functools.cache
def cleaned(name: str) -> tuple[CleanCopy, bytes]:
    copy = open_clean(original(EXIF_DIR, name))
    return copy, encode_clean(copy)


def pixels(image: Image.Image, mode: str) -> np.ndarray:
    return np.asarray(image.convert(mode), dtype=np.int16)


def assert_nothing_identifies(data: bytes) -> None:
    blocks = find_blocks(data)
    assert (blocks.exif, blocks.xmp, blocks.flir) == (None, None, None)
    metadata = read_metadata(data)
    assert (metadata.position, metadata.make, metadata.model, metadata.taken_at, metadata.software) == (None,) * 5
    tags = exiftool(data)
    unexpected = [tag for tag in tags if tag not in ALLOWED_TAGS and not tag.startswith(ALLOWED_GROUPS)]
    assert not unexpected, {tag: tags[tag] for tag in unexpected}
    named = [tag for tag in tags if tag.rpartition(":")[2] in NEVER or tag.rpartition(":")[2].startswith("GPS")]
    assert not named, named


# --- every real camera and phone file --------------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_the_copy_holds_nothing_that_identifies(name):
    copy, data = cleaned(name)
    assert_nothing_identifies(data)
    assert Image.open(io.BytesIO(data)).format == copy.out_format


@pytest.mark.parametrize("name", FILES)
def test_the_copy_shows_the_same_picture_upright(name):
    copy, data = cleaned(name)
    expected = imaging.decode(original(EXIF_DIR, name))
    with Image.open(io.BytesIO(data)) as written:
        assert written.size == expected.size
        mode = copy.image.mode
        difference = np.abs(pixels(written, mode) - pixels(expected, mode))
    lossless = copy.out_format == "PNG" or copy.lossless
    if lossless:
        assert not difference.any()
    else:  # JPEG at 95, 4:4:4, and lossy WebP at 95: measured at most 1.28 mean (pl_hopper.webp; JPEG 1.00),
        # 7 at the 99th percentile, on 0-255
        assert difference.mean() < 2.0
        assert np.percentile(difference, 99) <= 10


@pytest.mark.parametrize("name", FILES)
def test_the_colour_profile_is_kept(name):
    copy, data = cleaned(name)
    before = imaging.probe(original(EXIF_DIR, name)).info.get("icc_profile")
    with Image.open(io.BytesIO(data)) as written:
        assert written.info.get("icc_profile") == before == copy.icc_profile


@pytest.mark.parametrize("name", FILES)
def test_removed_says_what_the_original_held(name):
    """Each key against a reader other than the module's own: truth.json, exiftool's reading, read_metadata."""
    copy, _ = cleaned(name)
    truth, tags = TRUTH[name], exiftool(original(EXIF_DIR, name))
    metadata = read_metadata(original(EXIF_DIR, name))
    groups = {tag.split(":")[0] for tag in tags} | {":".join(tag.split(":")[:2]) for tag in tags}
    orientations = {truth["orientation"], truth["orientation_xmp"]} - {None, 1}
    expected = {
        "gps": truth["expected"]["location_leak"],
        "camera": bool(truth["make"] or truth["model"]),
        "capture_time": bool(metadata.taken_at),
        "software": bool(metadata.software),
        "serial": any(tag.split(":")[0] in ("EXIF", "XMP") and tag.rpartition(":")[2] in SERIALS and tags[tag]
                      for tag in tags),
        "maker_notes": "MakerNotes" in groups or any(":MakerNote" in tag for tag in tags)
        or "MakerNotes" in str(tags.get("ExifTool:Warning")),
        "exif_thumbnail": "EXIF:IFD1" in groups,
        "xmp": "XMP" in groups or b"<x:xmpmeta" in original(EXIF_DIR, name),  # exiftool misses a WebP "XMP\0"
        "iptc": bool({"IPTC", "Photoshop"} & groups),
        "comment": bool(str(tags.get("File:Comment", "")).strip()),
        "flir": "APP1:FLIR" in groups,
        "orientation": bool(orientations),
    }
    assert {key: key in copy.removed for key in expected} == expected
    assert copy.removed == [key for key in REMOVED_WORDS if key in copy.removed]  # its order
    assert ("exif" in copy.removed) == (find_blocks(original(EXIF_DIR, name)).exif is not None)


@pytest.mark.parametrize("name", [name for name in FILES if name.endswith(".heic")])
def test_heic_is_written_as_jpeg(name):
    copy, data = cleaned(name)
    assert (copy.out_format, copy.suffix, copy.converted_from) == ("JPEG", ".jpg", "HEIF")
    assert data.startswith(b"\xff\xd8")


@pytest.mark.parametrize("name", FILES)
def test_same_format_copies_say_no_conversion_and_images_can_be_blurred(name):
    copy, _ = cleaned(name)
    if not name.endswith(".heic"):
        assert copy.converted_from is None
        assert copy.suffix == {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}[copy.out_format]
    assert copy.image.mode in {"JPEG": ("L", "RGB"), "PNG": ("L", "LA", "RGB", "RGBA"), "WEBP": ("RGB", "RGBA")}[
        copy.out_format]
    assert copy.image.info == {} and not copy.image.readonly


# --- hostile files ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_file_is_refused_or_cleaned(name):
    try:
        copy = open_clean(original(HOSTILE_DIR, name))
    except InputError:  # UnsafeInputError is one
        return
    assert_nothing_identifies(encode_clean(copy))


@pytest.mark.parametrize("name", ["bomb_header_only.png", "jpeg_sof_65500x65500.jpg"])
def test_a_decompression_bomb_is_refused_as_unsafe(name):
    with pytest.raises(UnsafeInputError):
        open_clean(original(HOSTILE_DIR, name))


def test_a_file_after_the_picture_is_dropped_and_said():
    data = original(HOSTILE_DIR, "polyglot_jpeg_zip.jpg")
    copy = open_clean(data)
    assert copy.removed == ["trailer"]
    assert b"PK\x03\x04" in data and b"PK\x03\x04" not in encode_clean(copy)


# --- what phones and apps write besides a single JPEG, PNG or WebP ----------------------------------------------


def picture(mode: str = "RGB", size: tuple[int, int] = (48, 32)) -> Image.Image:
    """A small picture with structure (a gradient and a block), so that encoding errors show."""
    gradient = np.linspace(0, 255, size[0] * size[1] * 4, dtype=np.uint8).reshape(size[1], size[0], 4)
    gradient[8:20, 10:30] = (200, 30, 60, 128)
    image = Image.fromarray(gradient, "RGBA")
    return image.convert(mode) if "A" in mode else image.convert("RGB").convert(mode)


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x0110] = "Phone Model X"  # Model
    exif.get_ifd(0x8825).update({1: "N", 2: (37.0, 33.0, 0.0), 3: "E", 4: (126.0, 58.0, 0.0)})
    return exif


def saved(image: Image.Image, format: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format, **options)
    return out.getvalue()


def test_an_mpo_keeps_its_first_picture_only():
    second = picture().transpose(Image.Transpose.ROTATE_180)
    data = saved(picture(), "MPO", save_all=True, append_images=[second], exif=gps_exif())
    first = imaging.decode(data)
    copy = open_clean(data)
    assert (copy.out_format, copy.converted_from) == ("JPEG", "MPO")
    assert {"gps", "camera", "other_frames"} <= set(copy.removed)
    written = encode_clean(copy)
    assert_nothing_identifies(written)
    with Image.open(io.BytesIO(written)) as image:
        assert image.format == "JPEG" and getattr(image, "n_frames", 1) == 1
        assert np.abs(pixels(image, "RGB") - pixels(first, "RGB")).mean() < 1.5


@pytest.mark.parametrize("format", ["PNG", "WEBP"])
def test_an_animation_keeps_its_first_frame(format):
    frames = [picture("RGBA"), picture("RGBA").transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
    data = saved(frames[0], format, save_all=True, append_images=frames[1:], lossless=True, exif=gps_exif())
    copy = open_clean(data)
    assert {"gps", "other_frames"} <= set(copy.removed)
    written = encode_clean(copy)
    assert_nothing_identifies(written)
    with Image.open(io.BytesIO(written)) as image:
        assert getattr(image, "n_frames", 1) == 1
        assert (pixels(image, "RGBA") == pixels(frames[0], "RGBA")).all()


def test_a_lossless_webp_stays_lossless_with_its_transparency():
    source = picture("RGBA")
    copy = open_clean(saved(source, "WEBP", lossless=True, exact=True, exif=gps_exif(), xmp=b"<x:xmpmeta/>"))
    assert copy.lossless and copy.image.mode == "RGBA"
    assert {"gps", "camera", "exif", "xmp"} <= set(copy.removed)
    written = encode_clean(copy)
    assert_nothing_identifies(written)
    assert (pixels(Image.open(io.BytesIO(written)), "RGBA") == pixels(source, "RGBA")).all()


def test_an_avif_with_transparency_becomes_a_jpeg_on_white():
    source = Image.new("RGBA", (32, 16), (255, 0, 0, 255))
    source.paste((0, 0, 255, 0), (16, 0, 32, 16))  # the right half transparent
    copy = open_clean(saved(source, "AVIF", quality=100, exif=gps_exif()))
    assert (copy.out_format, copy.converted_from, copy.image.mode) == ("JPEG", "AVIF", "RGB")
    written = encode_clean(copy)
    assert_nothing_identifies(written)
    image = pixels(Image.open(io.BytesIO(written)), "RGB")
    assert np.abs(image[:, 20:] - 255).max() < 8  # white where it was transparent
    assert np.abs(image[:, :12] - (255, 0, 0)).max() < 40


@pytest.mark.parametrize("mode,kept", [("P", "RGB"), ("1", "L"), ("LA", "LA"), ("CMYK", "RGB")])
def test_modes_become_ones_the_format_writes(mode, kept):
    source = picture(mode)
    format = "JPEG" if mode == "CMYK" else "PNG"
    copy = open_clean(saved(source, format))
    assert copy.image.mode == kept
    assert Image.open(io.BytesIO(encode_clean(copy))).mode == kept


def test_a_palette_with_a_transparent_colour_keeps_its_transparency():
    data = saved(picture("P"), "PNG", transparency=0)
    copy = open_clean(data)
    assert copy.image.mode == "RGBA" and copy.image.getchannel("A").getextrema() == (0, 255)
    assert (pixels(copy.image, "RGBA") == pixels(Image.open(io.BytesIO(data)), "RGBA")).all()


def test_sixteen_bit_grey_is_scaled_not_clipped():
    values = np.array([[0, 256, 32768, 65535]], dtype=np.uint16)
    copy = open_clean(saved(Image.fromarray(values), "PNG"))
    assert copy.image.mode == "L"
    assert np.asarray(copy.image).tolist() == [[0, 1, 128, 255]]


def test_png_text_time_and_private_chunks_are_dropped_and_said():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jane Doe")
    info.add_itxt("Description", "at home", zip=True)
    info.add(b"tIME", bytes([7, 232, 5, 4, 12, 0, 0]))
    info.add(b"caBX", b"content credentials")  # C2PA, say
    data = saved(picture(), "PNG", pnginfo=info) + b"trailing"
    copy = open_clean(data)
    assert copy.removed == ["png_text", "other_blocks", "trailer"]
    assert_nothing_identifies(encode_clean(copy))


def test_jpeg_comment_and_unknown_segments_are_dropped_and_said():
    jpeg = saved(picture(), "JPEG", comment=b"shot at 12 Main Street")
    jumbf = b"\xff\xeb" + (2 + 9).to_bytes(2, "big") + b"JP\x00\x00jumbf"  # APP11, where C2PA goes
    copy = open_clean(jpeg[:2] + jumbf + jpeg[2:])
    assert copy.removed == ["comment", "other_blocks"]
    assert_nothing_identifies(encode_clean(copy))


def test_what_pillow_keeps_in_info_is_not_written():
    """A blur step may hand back an image carrying info; Pillow writes a JPEG's comment from it unasked."""
    copy, _ = cleaned("dn_Issue_609.jpg")
    tainted = CleanCopy(**{**copy.__dict__, "image": copy.image.copy()})
    tainted.image.info.update(comment=b"secret", exif=b"Exif\x00\x00MM", dpi=(300, 300))
    assert_nothing_identifies(encode_clean(tainted))


def test_a_picture_the_format_cannot_hold_is_an_input_error():
    """JPEG stops at 65,500 pixels a side; a HEIF panorama can be wider."""
    copy = CleanCopy(image=Image.new("L", (66000, 1)), icc_profile=None, out_format="JPEG", suffix=".jpg",
                     converted_from="HEIF", removed=[])
    with pytest.raises(InputError, match="cannot be written as JPEG"):
        encode_clean(copy)


def test_every_removed_key_has_words():
    assert all(isinstance(words, str) and words for words in REMOVED_WORDS.values())


def test_a_damaged_exif_block_that_pillow_cannot_write_back_is_an_input_error():
    """exif_transpose re-writes the EXIF block, and Pillow's writer raised struct.error on this one (a Sony photo
    with 8 bytes of its EXIF changed): every decode of the project, not only a clean copy's, must say InputError."""
    data = bytearray((EXIF_DIR / "dn_Sony_Cybershot_3.jpg").read_bytes())
    for offset, value in ((64, 78), (95, 3), (384, 32), (590, 45), (1415, 33), (1867, 59), (3642, 125), (7279, 170)):
        data[offset] = value
    with pytest.raises(InputError, match="pixels cannot be decoded"):
        imaging.decode(bytes(data))
