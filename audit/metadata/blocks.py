"""Find the metadata payloads (EXIF, XMP, FLIR) inside an image file, without decoding pixels.

JPEG, PNG and WebP are walked by hand because Pillow cannot be trusted to stay away from the
pixels: `Image.open` refuses a file whose header claims a huge size before reading any of its
metadata (a 200-megapixel phone photo still leaks its GPS), and a PNG eXIf chunk stored after
the image data is only reached by decoding it. HEIF and AVIF containers are too intricate for
that, and there Pillow's opener (pillow-heif for HEIC) reads metadata without decoding.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Iterator

from ..errors import InputError
from ..inventory import imaging

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EXIF_PREFIX = b"Exif\x00\x00"
XMP_PREFIX = b"http://ns.adobe.com/xap/1.0/\x00"
FLIR_PREFIX = b"FLIR\x00"
XMP_KEYWORD = b"XML:com.adobe.xmp"
IMAGEMAGICK_EXIF_KEYWORD = b"Raw profile type exif"

JPEG_APP1 = 0xE1
JPEG_SOS = 0xDA  # start of the entropy-coded image data: no metadata segment follows
JPEG_EOI = 0xD9
JPEG_STANDALONE = {0x01, 0xD8, *range(0xD0, 0xD8)}  # TEM, SOI, RST0-7 carry no length

# No real photo carries this much compressed text; a larger inflate is a zlib bomb.
MAX_INFLATED_TEXT = 16 * 1024 * 1024


@dataclass
class Blocks:
    exif: bytes | None = None  # a TIFF structure, with or without the "Exif\0\0" prefix
    xmp: bytes | None = None  # the XMP packet
    flir: bytes | None = None  # the FLIR FFF record file, reassembled from its JPEG segments


def find_blocks(data: bytes) -> Blocks:
    if data.startswith(b"\xff\xd8"):
        return _jpeg_blocks(data)
    if data.startswith(PNG_SIGNATURE):
        return _png_blocks(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_blocks(data)
    return _pillow_blocks(data)


def _jpeg_blocks(data: bytes) -> Blocks:
    blocks = Blocks()
    flir_parts = []
    for marker, payload in jpeg_segments(data):
        if marker != JPEG_APP1:
            continue
        if payload.startswith(EXIF_PREFIX) and blocks.exif is None:
            blocks.exif = payload
        elif payload.startswith(XMP_PREFIX) and blocks.xmp is None:
            blocks.xmp = payload[len(XMP_PREFIX) :]
        elif payload.startswith(FLIR_PREFIX):
            # after "FLIR\0": a version byte, this part's index and the last index, then data
            flir_parts.append(payload[8:])
    blocks.flir = b"".join(flir_parts) or None
    return blocks


def jpeg_segments(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(marker, payload) of each segment before the image data. Every step moves forward."""
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before the real marker
            pos += 1
        elif marker in JPEG_STANDALONE:
            pos += 2
        elif marker in (JPEG_SOS, JPEG_EOI):
            return
        else:
            length = int.from_bytes(data[pos + 2 : pos + 4], "big")  # counts its own 2 bytes
            if length < 2:
                return
            yield marker, data[pos + 4 : pos + 2 + length]
            pos += 2 + length


def _png_blocks(data: bytes) -> Blocks:
    blocks = Blocks()
    for kind, body in png_chunks(data):
        if kind == b"eXIf":
            blocks.exif = blocks.exif or body
        elif kind in (b"tEXt", b"zTXt", b"iTXt"):
            keyword, text = _png_text(kind, body)
            if keyword == XMP_KEYWORD:
                blocks.xmp = blocks.xmp or text
            elif keyword == IMAGEMAGICK_EXIF_KEYWORD:
                blocks.exif = blocks.exif or _imagemagick_profile(text)
    return blocks


def png_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(type, body) of each chunk, up to IEND or the end of a truncated file. CRCs are not
    checked: a chunk with a bad CRC still leaks what it says."""
    pos = len(PNG_SIGNATURE)
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        yield kind, data[pos + 8 : pos + 8 + length]
        if kind == b"IEND":
            return
        pos += 12 + length


def _png_text(kind: bytes, body: bytes) -> tuple[bytes, bytes]:
    """Keyword and text of a tEXt, zTXt or iTXt chunk, compressed text inflated."""
    keyword, _, rest = body.partition(b"\x00")
    if kind == b"tEXt":
        return keyword, rest
    if kind == b"zTXt":
        return keyword, _inflate(rest[1:])  # after the compression method byte
    # iTXt: compression flag, compression method, language tag\0, translated keyword\0, text
    compressed = rest[:1] == b"\x01"
    _language, _, rest = rest[2:].partition(b"\x00")
    _translated, _, text = rest.partition(b"\x00")
    return keyword, _inflate(text) if compressed else text


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompressobj().decompress(data, MAX_INFLATED_TEXT)
    except zlib.error:
        return b""


def _imagemagick_profile(text: bytes) -> bytes | None:
    """ImageMagick stores EXIF in PNG text as "\\nexif\\n<length>\\n<hex digits>"."""
    try:
        return bytes.fromhex(b"".join(text.split(b"\n")[3:]).decode("ascii"))
    except ValueError:  # also UnicodeDecodeError
        return None


def _webp_blocks(data: bytes) -> Blocks:
    blocks = Blocks()
    for kind, body in webp_chunks(data):
        if kind == b"EXIF":
            blocks.exif = body
        elif kind == b"XMP ":
            blocks.xmp = body
    return blocks


def webp_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """(type, body) of each top-level chunk of a WebP file."""
    pos = 12  # after "RIFF", the file size and "WEBP"
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        yield data[pos : pos + 4], data[pos + 8 : pos + 8 + size]
        pos += 8 + size + (size & 1)  # chunks are padded to an even length


def _pillow_blocks(data: bytes) -> Blocks:
    """HEIF and AVIF; anything Pillow cannot open (or refuses as too large) has no blocks."""
    try:
        image = imaging.probe(data)
    except InputError:
        return Blocks()
    with image:
        return Blocks(exif=image.info.get("exif"), xmp=image.info.get("xmp"))
