"""Every pixel decode goes through here: format sniffing, a bomb guard, orientation, thumbnails.

Image files are hostile input. We look at the header before decoding, refuse sizes that would
need a huge allocation, and only then decode, with the EXIF orientation applied first.
"""

from __future__ import annotations

import io
import math
import re
import struct
import warnings

from PIL import Image, ImageOps, PngImagePlugin, UnidentifiedImageError

from ..errors import InputError, UnsafeInputError

try:  # HEIC/HEIF support is a plugin; AVIF is native in Pillow >= 11.2
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - reported by `photo-audit sources`
    pillow_heif = None

# 80 megapixels covers every phone and most cameras; a header claiming more is refused
# before any pixel buffer is allocated.
MAX_PIXELS = 80_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

FORMATS = {"JPEG", "PNG", "WEBP", "HEIF", "AVIF", "MPO"}
# Report thumbnails are shown at 160 CSS px. At this size one is about 4 KB (10 KB at 320 px): a 10,000-photo
# report is 67 MiB of HTML instead of 134, and Chromium loads it in 1.6 s instead of 3.8 (benchmarks/report.py).
THUMB_SIDE = 160
# Pillow's bomb guard names the pixel count only in its message, and a limit (twice ours) that is not the one applied.
BOMB_PIXELS = re.compile(r"Image size \((\d+) pixels\)")
# What a file is by its first bytes, to say what is wrong with one Pillow cannot open: (offset, signature, kind).
SIGNATURES = (
    (0, b"\xff\xd8\xff", "JPEG"),
    (0, b"\x89PNG\r\n\x1a\n", "PNG"),
    (8, b"WEBP", "WebP"),
    (0, b"GIF8", "GIF"),
    (0, b"%PDF", "PDF document"),
    (0, b"PK\x03\x04", "zip archive"),
)
# ISO media files (`ftyp` at byte 4) are HEIF or AVIF photos by these brands, else videos (MP4, MOV...).
PHOTO_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"}
NOT_PHOTOS = ("PDF document", "zip archive", "video")


def probe(data: bytes) -> Image.Image:
    """Open (not decode) an image, checking format and declared size. Raises InputError."""
    if not data:
        raise InputError("empty file, not an image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        claimed = BOMB_PIXELS.search(str(exc))
        pixels = f"{int(claimed[1]) / 1e6:,.0f} megapixels" if claimed else "too many pixels"
        raise UnsafeInputError(_too_large(pixels)) from exc
    except UnidentifiedImageError as exc:
        raise InputError(f"not an image Pillow can read ({_sniff(data)})") from exc
    except (OSError, SyntaxError, ValueError) as exc:  # Pillow signals bad headers this way
        if "MAX_TEXT_CHUNK" in str(exc):  # a PNG text or colour-profile chunk that inflates past Pillow's cap
            limit = PngImagePlugin.MAX_TEXT_CHUNK // 2**20
            message = f"refused to decode: a metadata chunk would expand beyond {limit} MiB (a decompression bomb)"
            raise UnsafeInputError(message) from exc
        raise InputError(f"unreadable image header ({_sniff(data)}): {exc}") from exc
    if image.format not in FORMATS:
        raise InputError(f"{image.format} is not a supported photo format")
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise UnsafeInputError(_too_large(f"{width}x{height} pixels"))
    return image


def _too_large(claimed: str) -> str:
    return (f"refused to decode: the header claims {claimed}, more than the {MAX_PIXELS // 1_000_000} megapixels "
            "of any phone or camera (a decompression bomb)")


def decode(data: bytes, max_side: int | None = None, *, resize: bool = True) -> Image.Image:
    """Decode with orientation applied; with max_side, JPEGs are decoded already reduced (draft) and the result
    resized to that longest side, or with resize=False left at the draft's size (up to twice max_side)."""
    image = probe(data)
    if max_side and image.format == "JPEG":
        # The draft's size is a box both sides must fill: (max_side, max_side) left a 4:3 photo at full size
        # for any max_side above its short side after scaling.
        scale = min(1.0, max_side / max(image.size))
        image.draft("RGB", (math.ceil(image.width * scale), math.ceil(image.height * scale)))
    missing = _missing_bytes(data) if image.format in ("HEIF", "AVIF") else 0
    if missing:
        raise InputError(f"pixels cannot be decoded: the file is cut short, {missing:,} bytes are missing")
    try:
        image.load()
        image = ImageOps.exif_transpose(image)
    # struct.error: exif_transpose writes a damaged EXIF block back out, and Pillow's writer fails on it.
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise InputError(f"pixels cannot be decoded: {exc}") from exc
    if max_side and resize:
        image.thumbnail((max_side, max_side))
    return image


def reduced(image: Image.Image, side: int) -> Image.Image:
    """The image with its longest side at most `side` pixels (the image itself when it fits)."""
    if max(image.size) <= side:
        return image
    copy = image.copy()
    # A whole-pixel box reduction first, then Lanczos over the last step: a third of the time of Lanczos
    # over the whole way, which was more than the decode itself.
    copy.thumbnail((side, side), reducing_gap=1.0)
    return copy


def jpeg_bytes(image: Image.Image) -> bytes:
    """The image as a JPEG with no metadata (for embedding thumbnails in the report)."""
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _missing_bytes(data: bytes) -> int:
    """How many bytes the top-level boxes of a HEIF or AVIF file declare past its end (0: none).

    libheif decodes a tiled photo (iPhones write 512-pixel tiles) whose last tiles are cut off without an
    error, painting them a flat green, so a cut-short file must be caught before decoding."""
    at = 0
    while at + 8 <= len(data):
        size = int.from_bytes(data[at : at + 4], "big")
        if size == 1:  # the real size is 64-bit, after the type
            size = int.from_bytes(data[at + 8 : at + 16], "big") if at + 16 <= len(data) else 16
        if size < 8:  # 0: the box runs to the end of the file; less is malformed, left to the decoder
            return 0
        at += size
    return max(0, at - len(data))


def _kind(data: bytes) -> str | None:
    """What the first bytes say the file is, or None."""
    if data[4:8] == b"ftyp":
        return "HEIF or AVIF" if data[8:12] in PHOTO_BRANDS else "video"
    return next((kind for offset, magic, kind in SIGNATURES if data[offset : offset + len(magic)] == magic), None)


def _sniff(data: bytes) -> str:
    kind = _kind(data)
    if kind in NOT_PHOTOS:
        return f"content is a {kind}"
    if kind:
        return f"a damaged or incomplete {kind} file"
    head = data[:64].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "content is HTML"
    if all(32 <= b < 127 or b in (9, 10, 13) for b in data[:512]):
        return "content is plain text"
    return "unknown binary content"
