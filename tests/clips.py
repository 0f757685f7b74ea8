"""Short video clips made from still photos, for the video tests and benchmarks/video.py: no video fixture is stored.

Each still is shown with motion (a slow zoom and pan, as a phone held by hand), one still after another, and encoded
with the H.264 encoder inside PyAV's wheel.
"""

from __future__ import annotations

from pathlib import Path

import av
from PIL import Image


def write_clip(
    path: Path,
    stills: list[Image.Image],
    *,
    size: tuple[int, int] = (480, 640),
    seconds_each: float = 1.5,
    fps: int = 24,
    keyframe_every: int = 12,
    rotation: int = 0,
) -> Path:
    """An MP4 at `path` showing each still in turn for `seconds_each`, zooming in slowly; `rotation` stores a display
    matrix (degrees counter-clockwise, as a phone filming sideways does) with the pixels turned the other way."""
    frames_each = round(seconds_each * fps)
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=fps)
        width, height = size if rotation % 180 == 0 else size[::-1]
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.gop_size = keyframe_every
        stream.codec_context.options = {"preset": "ultrafast", "crf": "23"}
        if rotation:
            stream.set_display_rotation(rotation)
        for still in stills:
            for index in range(frames_each):
                picture = moving(still.convert("RGB"), size, index / max(1, frames_each - 1))
                if rotation:
                    picture = picture.rotate(-rotation, expand=True)
                for packet in stream.encode(av.VideoFrame.from_image(picture)):
                    container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def moving(still: Image.Image, size: tuple[int, int], progress: float) -> Image.Image:
    """The still cropped to `size`'s shape, zoomed in by up to 12% and panned as `progress` goes from 0 to 1."""
    width, height = size
    scale = max(width / still.width, height / still.height) * (1 + 0.12 * progress)
    resized = still.resize((max(width, round(still.width * scale)), max(height, round(still.height * scale))))
    left = round((resized.width - width) * (0.3 + 0.4 * progress))
    top = round((resized.height - height) * 0.4)
    return resized.crop((left, top, left + width, top + height))


def plain(size: tuple[int, int], shade: int = 90) -> Image.Image:
    """A still with no face: a grey gradient with a few shapes, so that frames change as it moves."""
    picture = Image.linear_gradient("L").resize(size).convert("RGB")
    return Image.blend(picture, Image.new("RGB", size, (shade, 120, 160)), 0.5)
