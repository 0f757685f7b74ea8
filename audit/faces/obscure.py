"""Obscure a face past recognition: the area around it pixelated to a few blocks, then each block smeared.

The strength is relative to the face, not to the picture: the same handful of blocks across a 20 px face in a
report thumbnail and across a 900 px face in a 12 MP photo. Measured with the project's own face encoder, at
the face's original box: tests/test_redact.py (the user's face in the redacted report's 160 px thumbnails) and
tests/test_clean_faces.py (bystanders, and her covered face, in full-size clean copies of 1080 px and 12 MP, and in
thumbnails). An obscured face lands 0.80-0.91 from its own unobscured encoding, past the match threshold of 0.6,
and the detector no longer finds it. Weaker settings on the same faces: 16 blocks across still 0.74-0.81 away, but
the detector finds the faces again; 24 blocks 0.60-0.72, at the threshold. Six keep a wide margin.
"""

from __future__ import annotations

from PIL import Image, ImageFilter

# Boxes grow by this share of their size on each side: detectors box the face tightly, and hair, ears and jaw
# identify too. The grown area keeps this many blocks across, then each block is smeared by its own size.
BOX_MARGIN = 0.3
BLOCKS_ACROSS = 6

Box = tuple[float, float, float, float]


def obscure(image: Image.Image, box: Box) -> None:
    """Obscure `box` (x0, y0, x1, y1 in pixels of `image`), grown by BOX_MARGIN, in place.

    `image` must be in a mode Pillow can filter (RGB, RGBA, L, LA, CMYK): palette and 16-bit pictures are
    converted by the caller, who knows what it will write.
    """
    left, top, right, bottom = obscured_area(box, image.size)
    if right - left < 1 or bottom - top < 1:
        return
    area = image.crop((left, top, right, bottom))
    block = max(1.0, area.width / BLOCKS_ACROSS)
    small = area.resize((max(1, round(area.width / block)), max(1, round(area.height / block))), Image.Resampling.BOX)
    area = small.resize(area.size, Image.Resampling.NEAREST).filter(ImageFilter.GaussianBlur(block))
    image.paste(area, (left, top))


def obscured_area(box: Box, size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The whole pixels obscure() changes for `box` in a picture of `size`: the box grown, cut to the picture."""
    x0, y0, x1, y1 = box
    width, height = size
    grow_x, grow_y = (x1 - x0) * BOX_MARGIN, (y1 - y0) * BOX_MARGIN
    left, top = max(0, round(x0 - grow_x)), max(0, round(y0 - grow_y))
    return left, top, min(width, round(x1 + grow_x)), min(height, round(y1 + grow_y))
