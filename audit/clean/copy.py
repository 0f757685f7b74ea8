"""A clean copy's file: the original's pixels, upright, with its colour profile and nothing else.

The pixels are decoded and encoded again into a new file rather than the metadata cut out of the original: cutting
leaves whatever the cutter does not know (a maker's block, a second picture, a trailer after the image data),
while a new file holds only what the encoder is given. The encoder is given pixels and an ICC profile, and the
image's `info` is emptied first, because Pillow falls back on it for some fields (a JPEG's comment).

What the original held is listed from its bytes by the project's own readers (metadata/), without decoding, so
that the manifest can say what the copy no longer gives away.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Iterator

from PIL import Image
from PIL.ExifTags import IFD, Base

from ..errors import InputError
from ..inventory import imaging
from ..metadata.blocks import (
    EXIF_PREFIX,
    FLIR_PREFIX,
    IMAGEMAGICK_EXIF_KEYWORD,
    PNG_SIGNATURE,
    XMP_KEYWORD,
    XMP_PREFIX,
    Blocks,
    find_blocks,
    jpeg_segments,
    png_chunks,
    webp_chunks,
)
from ..metadata.exifdata import PILLOW_EXIF_ERRORS, read_metadata
from ..words import N_

# What the copy does not keep, in the order the manifest lists it.
REMOVED_WORDS = {
    "gps": N_("GPS position"),
    "capture_time": N_("date and time taken"),
    "camera": N_("camera or phone model"),
    "serial": N_("serial numbers, owner's name and unique photo ids"),
    "software": N_("software name and version"),
    "maker_notes": N_("the camera maker's own notes (they can hold serial numbers)"),
    "exif_thumbnail": N_("a small preview, which can show the picture before it was cropped or edited"),
    "exif": N_("other camera data (EXIF)"),
    "xmp": N_("XMP data (editing history, captions, places)"),
    "iptc": N_("Photoshop and IPTC data (captions, names, places)"),
    "comment": N_("a text comment"),
    "png_text": N_("text notes and timestamps in the PNG"),
    "flir": N_("thermal camera data (FLIR)"),
    "other_frames": N_("other pictures stored in the file (a second frame, animation, depth map or preview)"),
    "other_blocks": N_("other embedded data"),
    "trailer": N_("data after the picture (a motion photo's video, another file)"),
    "orientation": N_("the rotation tag (the pixels are turned instead)"),
}

# HEIF, AVIF and MPO become JPEG: every site and app takes a JPEG, and an MPO's second picture (a phone's depth or
# stereo view, with its own EXIF) must not come along.
OUTPUT_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "HEIF": "JPEG", "AVIF": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}
SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
# 4:4:4 at 95 keeps faces, edges and text in the picture crisp: on the repo's camera files the copy differs from
# the decoded original by 0.0-1.0 per channel on average, where 4:2:0 (what most originals use) came to 1.9.
JPEG_OPTIONS = {"quality": 95, "subsampling": 0}
WEBP_LOSSY_OPTIONS = {"quality": 95}
WEBP_LOSSLESS_OPTIONS = {"lossless": True, "exact": True}  # exact: keep the colour under transparent pixels

# Modes decoded from grey pictures; they stay grey (L, LA), except in WebP, which stores colour only.
GREY_MODES = {"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N"}
WIDE_GREY_MODES = {"I", "I;16", "I;16B", "I;16L", "I;16N"}  # 16 or 32 bits: brought down to 8

JPEG_COM = 0xFE
JPEG_APPS = range(0xE0, 0xF0)
# APPn segments by marker and how their payload starts; None: only how to show the pixels (the new file has its own).
JPEG_APP_KEYS = {
    (0xE0, b"JFIF\x00"): None,
    (0xE1, EXIF_PREFIX): "exif",
    (0xE1, XMP_PREFIX): "xmp",
    (0xE1, b"http://ns.adobe.com/xmp/extension/\x00"): "xmp",  # the rest of an XMP packet too large for one
    (0xE1, FLIR_PREFIX): "flir",
    (0xE2, b"ICC_PROFILE\x00"): None,  # kept
    (0xE2, b"MPF\x00"): "other_frames",
    (0xED, b"Photoshop 3.0\x00"): "iptc",
    (0xEE, b"Adobe"): None,
}
PNG_TEXT = {b"tEXt", b"zTXt", b"iTXt"}
# Text chunks that are other metadata blocks in disguise (ImageMagick writes "Raw profile type ..."), by keyword.
PNG_TEXT_KEYS = {
    XMP_KEYWORD: "xmp",
    b"Raw profile type xmp": "xmp",
    IMAGEMAGICK_EXIF_KEYWORD: "exif",
    b"Raw profile type iptc": "iptc",
    b"Raw profile type 8bim": "iptc",
}
# Chunks that only say how to show the pixels; any other ancillary chunk is embedded data.
PNG_IMAGE_CHUNKS = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"iCCP", b"gAMA", b"cHRM", b"sRGB", b"sBIT",
                    b"bKGD", b"pHYs", b"fcTL", b"fdAT"}  # fcTL, fdAT: an animation's frames, told by acTL
PNG_CHUNK_KEYS = {b"eXIf": "exif", b"tIME": "png_text", b"acTL": "other_frames"}
WEBP_IMAGE_CHUNKS = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ICCP", b"ANMF"}  # ANMF: a frame, told by ANIM
# "XMP\0" is how a Java writer names the XMP chunk (dn_Issue_473_Java.webp).
WEBP_CHUNK_KEYS = {b"EXIF": "exif", b"XMP ": "xmp", b"XMP\x00": "xmp", b"ANIM": "other_frames"}
# How a JPEG and a PNG end; past that (NUL padding aside) is a trailer: a phone's motion-photo video, a zip.
JPEG_END = b"\xff\xd9"
PNG_END = b"IEND\xaeB`\x82"  # the IEND chunk, with its CRC
# HEIF items beside the picture: a preview, depth maps (the shape of a face), auxiliary pictures.
HEIF_EXTRA_PICTURES = ("thumbnails", "depth_images", "aux")
# Top-level boxes of a HEIF or AVIF file: the picture's (its items, metadata among them, are read by Pillow's
# opener), and Samsung's "sefd" (the time in UTC and the country of the network the phone was on).
HEIF_PICTURE_BOXES = {b"ftyp", b"meta", b"mdat", b"moov", b"free", b"skip"}
HEIF_BOX_KEYS = {b"sefd": "maker_notes"}

SERIAL_TAGS = {  # EXIF tags that tie a photo to one camera, lens, owner or file, by directory
    "ifd0": {Base.CameraSerialNumber, Base.RawDataUniqueID},
    "exif": {Base.BodySerialNumber, Base.LensSerialNumber, Base.CameraOwnerName, Base.ImageUniqueID},
}
# The same in XMP (aux:SerialNumber, exifEX:BodySerialNumber, exif:ImageUniqueID...), with a value not empty.
XMP_SERIAL = re.compile(rb":(?:\w*SerialNumber|\w*OwnerName|ImageUniqueID)(?:\s*=\s*[\"'][^\"']|>\s*[^<\s])")
XMP_ORIENTATION = re.compile(rb'tiff:Orientation(?:="|>)([0-9])')  # as Pillow reads it, to turn the pixels


@dataclass
class CleanCopy:
    image: Image.Image  # full size, upright, in a mode out_format writes; its info is empty
    icc_profile: bytes | None  # kept: colours stay right
    out_format: str  # "JPEG", "PNG" or "WEBP"
    suffix: str  # ".jpg", ".png", ".webp"
    converted_from: str | None  # "HEIF", "AVIF" or "MPO" when out_format differs from the original's, else None
    removed: list[str]  # keys of REMOVED_WORDS, in its order
    lossless: bool = False  # a lossless WebP stays lossless


def open_clean(data: bytes) -> CleanCopy:
    """The original's pixels and colour profile, ready to blur and encode, and what the copy will not hold.
    Raises InputError (UnsafeInputError for a decompression bomb) when the file cannot be decoded."""
    with imaging.probe(data) as original:
        source, removed = original.format, _removed(data, original)
    out_format = OUTPUT_FORMATS[source]
    image = imaging.decode(data)
    # A CMYK picture (print-ready files only) becomes RGB, which its CMYK profile cannot describe.
    icc_profile = None if image.mode == "CMYK" else image.info.get("icc_profile") or None
    image = _postable(image, out_format)
    image.info = {}
    return CleanCopy(
        image=image,
        icc_profile=icc_profile,
        out_format=out_format,
        suffix=SUFFIXES[out_format],
        converted_from=source if out_format != source else None,
        removed=removed,
        lossless=source == "WEBP" and _lossless_webp(data),
    )


def encode_clean(copy: CleanCopy) -> bytes:
    """The new file: the copy's pixels and ICC profile, nothing else. Raises InputError if it cannot be encoded
    (a panorama from a HEIF wider than JPEG's 65,500 pixels)."""
    image = copy.image.copy()  # a blur step may have handed back an image whose info came from elsewhere
    image.info = {}
    out = io.BytesIO()
    try:
        image.save(out, copy.out_format, icc_profile=copy.icc_profile, **_encoder_options(copy))
    except (OSError, ValueError) as exc:
        raise InputError(f"the clean copy cannot be written as {copy.out_format}: {exc}") from exc
    return out.getvalue()


def _encoder_options(copy: CleanCopy) -> dict:
    if copy.out_format == "JPEG":
        return JPEG_OPTIONS
    if copy.out_format == "WEBP":
        return WEBP_LOSSLESS_OPTIONS if copy.lossless else WEBP_LOSSY_OPTIONS
    return {}  # PNG: no text chunk is written unless asked for


def _lossless_webp(data: bytes) -> bool:
    """Whether a WebP's (first) picture is stored lossless (VP8L), at the top or in the first frame of an animation
    (ANMF: a 16-byte frame header, then the frame's chunks). ALPH comes only with a lossy VP8."""
    for kind, body in webp_chunks(data):
        kind = body[16:20] if kind == b"ANMF" else kind
        if kind in (b"VP8 ", b"VP8L", b"ALPH"):
            return kind == b"VP8L"
    return False


def _postable(image: Image.Image, out_format: str) -> Image.Image:
    """The picture in a mode `out_format` writes and the face blurs work on: grey stays grey (L, LA) where the
    format stores grey, transparency is kept where it can be (on white in a JPEG), palettes become colour."""
    grey = image.mode in GREY_MODES and out_format != "WEBP"
    if image.mode in WIDE_GREY_MODES:
        image = image.convert("I").point(lambda value: value / 256).convert("L")  # convert("L") would clip
    base = "L" if grey else "RGB"
    if not image.has_transparency_data:
        return image if image.mode == base else image.convert(base)
    with_alpha = image.convert(base + "A")
    if out_format != "JPEG":
        return with_alpha
    flat = Image.new(base, image.size, "white")
    flat.paste(with_alpha, mask=with_alpha.getchannel("A"))
    return flat


def _removed(data: bytes, original: Image.Image) -> list[str]:
    """The keys of REMOVED_WORDS for what the original holds, from its bytes and its opened (not decoded) image."""
    blocks = find_blocks(data)
    found = _container_keys(data) | _opener_keys(original) | _metadata_keys(data)
    found |= _tag_keys(blocks)
    found |= {key for key, block in (("exif", blocks.exif), ("xmp", blocks.xmp), ("flir", blocks.flir)) if block}
    return [key for key in REMOVED_WORDS if key in found]


def _opener_keys(original: Image.Image) -> set[str]:
    """What Pillow's opener tells: pictures besides the first (frames, an MPO's second view, HEIF previews and depth
    maps), and the orientation pillow-heif turned the pixels by (it resets the EXIF tag to 1 itself)."""
    heif = original.info if original.format == "HEIF" else {}  # elsewhere, a PNG text chunk could use these names
    keys = {
        "other_frames": getattr(original, "n_frames", 1) > 1 or any(map(heif.get, HEIF_EXTRA_PICTURES)),
        "orientation": heif.get("original_orientation") not in (None, 1),
    }
    return {key for key, present in keys.items() if present}


def _metadata_keys(data: bytes) -> set[str]:
    metadata = read_metadata(data)
    fields = {"gps": metadata.position, "capture_time": metadata.taken_at, "camera": metadata.make or metadata.model,
              "software": metadata.software}
    return {key for key, value in fields.items() if value}


def _tag_keys(blocks: Blocks) -> set[str]:
    """Serial numbers, maker notes, the thumbnail and a turning orientation, from the EXIF and XMP blocks."""
    ifd0, exif_ifd, ifd1 = _directories(blocks.exif)
    xmp = blocks.xmp or b""
    serials = [ifd0.get(tag) for tag in SERIAL_TAGS["ifd0"]] + [exif_ifd.get(tag) for tag in SERIAL_TAGS["exif"]]
    xmp_orientation = XMP_ORIENTATION.search(xmp)
    # Pillow turns the pixels by the EXIF tag, or by XMP's when EXIF has none; 2 to 8 turn or mirror.
    orientation = ifd0.get(Base.Orientation, int(xmp_orientation[1]) if xmp_orientation else 1)
    keys = {
        "serial": any(map(_has_text, serials)) or bool(XMP_SERIAL.search(xmp)),
        "maker_notes": bool(exif_ifd.get(Base.MakerNote)),
        "exif_thumbnail": bool(ifd1),  # IFD1 describes only the thumbnail
        "orientation": orientation in range(2, 9),
    }
    return {key for key, present in keys.items() if present}


def _directories(blob: bytes | None) -> tuple[dict, dict, dict]:
    """IFD0, the Exif IFD and IFD1 (the thumbnail's); empty when there is no EXIF or it cannot be read."""
    exif = Image.Exif()
    try:
        exif.load(blob or b"")
        return dict(exif), exif.get_ifd(IFD.Exif), exif.get_ifd(IFD.IFD1)
    except PILLOW_EXIF_ERRORS:  # a damaged block is still removed, as "exif"
        return {}, {}, {}


def _has_text(value: object) -> bool:
    """A tag holding more than padding: writers fill unknown serials with NULs or spaces."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return value is not None and bool(str(value).strip("\x00 "))


def _container_keys(data: bytes) -> set[str]:
    """What the file's own structure holds besides the picture: JPEG segments, PNG and WebP chunks, a trailer."""
    unpadded = data.rstrip(b"\x00")
    if data.startswith(b"\xff\xd8"):
        keys = {_jpeg_key(marker, payload) for marker, payload in jpeg_segments(data)}
        ends = unpadded.endswith(JPEG_END)
    elif data.startswith(PNG_SIGNATURE):
        keys = {_png_key(kind, body) for kind, body in png_chunks(data)}
        ends = unpadded.endswith(PNG_END)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        keys = {_webp_key(kind) for kind, _ in webp_chunks(data)}
        ends = len(unpadded) <= 8 + int.from_bytes(data[4:8], "little")  # the RIFF header's size
    else:  # HEIF or AVIF: whatever follows the boxes is read as one more
        keys, ends = {_heif_key(kind) for kind in _top_level_boxes(data)}, True
    return (keys | ({"trailer"} if not ends else set())) - {None}


def _jpeg_key(marker: int, payload: bytes) -> str | None:
    if marker == JPEG_COM:
        return "comment" if payload.strip(b"\x00 \r\n") else None
    if marker not in JPEG_APPS:
        return None  # tables and frame headers: the picture itself
    for (app, prefix), key in JPEG_APP_KEYS.items():
        if app == marker and payload.startswith(prefix):
            return key
    return "other_blocks"


def _png_key(kind: bytes, body: bytes) -> str | None:
    if kind in PNG_TEXT:
        return PNG_TEXT_KEYS.get(body.partition(b"\x00")[0], "png_text")
    if kind in PNG_IMAGE_CHUNKS:
        return None
    return PNG_CHUNK_KEYS.get(kind, "other_blocks")


def _webp_key(kind: bytes) -> str | None:
    return None if kind in WEBP_IMAGE_CHUNKS else WEBP_CHUNK_KEYS.get(kind, "other_blocks")


def _heif_key(kind: bytes) -> str | None:
    return None if kind in HEIF_PICTURE_BOXES else HEIF_BOX_KEYS.get(kind, "other_blocks")


def _top_level_boxes(data: bytes) -> Iterator[bytes]:
    """The types of an ISO media file's top-level boxes. Every step moves forward."""
    at = 0
    while at + 8 <= len(data):
        size = int.from_bytes(data[at : at + 4], "big")
        if size == 1:  # the real size is 64-bit, after the type
            size = int.from_bytes(data[at + 8 : at + 16], "big")
        yield data[at + 4 : at + 8]
        if size < 8:  # 0: the box runs to the end of the file; less is malformed
            return
        at += size
