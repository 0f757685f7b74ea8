"""Every pixel decode goes through here: format sniffing, a bomb guard, orientation, thumbnails.

Image files are hostile input. We look at the header before decoding, refuse sizes that would
need a huge allocation, and only then decode, with the EXIF orientation applied first.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import InputError, UnsafeInputError

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


def probe(data: bytes) -> Image.Image:
    """Open (not decode) an image, checking format and declared size. Raises InputError."""
    if not data:
        raise InputError("empty file, not an image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UnsafeInputError(f"refused to decode: {exc}") from exc
    except UnidentifiedImageError as exc:
        raise InputError(f"not an image Pillow can read ({_sniff(data)})") from exc
    except (OSError, SyntaxError, ValueError) as exc:  # Pillow signals bad headers this way
        raise InputError(f"unreadable image header: {exc}") from exc
    if image.format not in FORMATS:
        raise InputError(f"{image.format} is not a supported photo format")
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise UnsafeInputError(f"refused to decode: header claims {width}x{height} pixels")
    return image


def decode(data: bytes, max_side: int | None = None) -> Image.Image:
    """Decode with orientation applied; with max_side, JPEGs are decoded already reduced (draft)."""
    image = probe(data)
    if max_side and image.format == "JPEG":
        image.draft("RGB", (max_side, max_side))
    try:
        image.load()
        image = ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise InputError(f"pixels cannot be decoded: {exc}") from exc
    if max_side:
        image.thumbnail((max_side, max_side))
    return image


def jpeg_bytes(image: Image.Image) -> bytes:
    """The image as a JPEG with no metadata (for embedding thumbnails in the report)."""
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _sniff(data: bytes) -> str:
    head = data[:64].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "content is HTML"
    if all(32 <= b < 127 or b in (9, 10, 13) for b in data[:512]):
        return "content is plain text"
    return "unknown binary content"
