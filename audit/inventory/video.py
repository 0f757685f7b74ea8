"""The frames of a video worth analysing: opened with PyAV (FFmpeg inside its wheel), guarded like an image, sampled.

A reel shows a face from many angles, in motion and in good light, but its neighbouring frames are nearly the same
picture: analysing every one would cost minutes per video and say nothing new. The video is cut into slots (12 a
minute, shorter for a short clip so that it still gets MIN_FRAMES); in each slot the frame that changed most since the
last frame kept is kept (a scene change, a turned head), so no stretch longer than a slot goes unseen.

Only keyframes are decoded where they are dense enough (each decodes alone, a twentieth of the work of decoding
every frame); a slot holding no keyframe is reached by seeking into it. Video files are hostile input like images:
a frame larger than imaging.MAX_PIXELS or a stream longer than MAX_SECONDS is refused before decoding, and decoding
stops at MAX_SECONDS whatever the header claims.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np
from PIL import Image

from ..errors import AuditError, InputError, UnsafeInputError
from . import imaging
from .imaging import MAX_PIXELS

MAX_SECONDS = 30 * 60  # longer than any reel, story or TikTok; a longer file is refused, not half-read
PER_MINUTE = 12  # at most this many frames a minute: one per 5 s slot
MIN_FRAMES = 6  # a clip shorter than 30 s is cut into this many slots instead (a 3 s clip: one frame every 0.5 s)
CHANGE_SIDE = 32  # frames are compared as grey thumbnails this wide: cheap, and blind to noise and compression
# Mean absolute difference (0-255) between two such thumbnails under which a frame is the same shot as the last kept
# one: a slot whose best frame changed less is skipped when the slot before it was kept (a still shot, a talking head).
SAME_SHOT = 2.0


@dataclass
class Frame:
    time_s: float
    image: Image.Image  # upright, full size
    change: float  # mean grey difference from the previous frame kept (255 for the first)


def is_cover(data: bytes) -> bool:
    """A "video" whose file is a still picture: the cover frame a source keeps instead of the video (instagram-live
    downloads only that). It is shown as a picture and is no video to sample."""
    try:
        imaging.probe(data)
    except AuditError:
        return False
    return True


def available() -> str | None:
    """None when videos can be read, else why not (shown by `photo-audit sources` and in item errors)."""
    try:
        import av
    except ImportError:
        return "videos cannot be read: the PyAV package is missing (pip install av)"
    return None if av else "videos cannot be read"


def frames(data: bytes, per_minute: int = PER_MINUTE, min_frames: int = MIN_FRAMES) -> Iterator[Frame]:
    """The sampled frames of a video, one at a time (the keyframes kept, then frames sought). InputError (UnsafeInputError) on bad files."""
    av = _av()
    with _opened(av, data) as container:
        stream = _video_stream(container)
        duration = _duration(container, stream)
        slot = min(60 / per_minute, duration / min_frames) if duration else 60 / per_minute
        try:
            yield from _sampled(container, stream, slot, duration)
        except av.FFmpegError as exc:
            raise InputError(f"the video cannot be decoded: {_plain(exc)}") from exc


def probe(data: bytes) -> dict[str, Any]:
    """What the header says (format, width, height, seconds), checked as frames() checks it: InputError on a file
    that cannot be opened, UnsafeInputError on absurd sizes. Nothing is decoded."""
    av = _av()
    with _opened(av, data) as container:
        stream = _video_stream(container)
        seconds = _duration(container, stream)
        return {"format": stream.codec_context.name.upper(), "width": stream.codec_context.width,
                "height": stream.codec_context.height, "seconds": round(seconds, 2) if seconds else None}


def container_tags(data: bytes) -> dict[str, str]:
    """The container's metadata tags as FFmpeg names them (a phone's position, make and model among them). InputError
    on a file that cannot be opened; nothing is decoded."""
    with _opened(_av(), data) as container:
        return {str(key): str(value) for key, value in container.metadata.items()}


def frame_at(data: bytes, seconds: float) -> Image.Image:
    """The frame shown at `seconds` (the first when past the end), upright: a video's thumbnail."""
    av = _av()
    with _opened(av, data) as container:
        stream = _video_stream(container)
        try:
            found = _seek(container, stream, seconds) or _seek(container, stream, 0.0)
        except av.FFmpegError as exc:
            raise InputError(f"the video cannot be decoded: {_plain(exc)}") from exc
        if not found:
            raise InputError("the video holds no frame that can be decoded")
        return upright(found[1])


def _opened(av: Any, data: bytes) -> Any:
    if not data:
        raise InputError("empty file, not a video")
    try:
        return av.open(io.BytesIO(data), mode="r")
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise InputError(f"not a video this tool can read (FFmpeg says: {_plain(exc)})") from exc


def _av() -> Any:
    problem = available()
    if problem:
        raise InputError(problem)
    import av

    av.logging.set_level(av.logging.PANIC)  # damaged files are reported as item errors, not FFmpeg's console noise
    return av


def _video_stream(container: Any) -> Any:
    if not container.streams.video:
        raise InputError("the file holds no video stream")
    stream = container.streams.video[0]
    width, height = stream.codec_context.width, stream.codec_context.height
    if width * height > MAX_PIXELS:
        raise UnsafeInputError(f"refused to decode: the video claims {width}x{height} pixels a frame, more than "
                               f"the {MAX_PIXELS // 1_000_000} megapixels of any camera")
    if not width or not height:
        raise InputError("the video stream declares no frame size (a damaged file?)")
    return stream


def _duration(container: Any, stream: Any) -> float | None:
    """Seconds, from the stream or the container header; None when neither says. Refuses absurd lengths."""
    seconds = None
    if stream.duration and stream.time_base:
        seconds = float(stream.duration * stream.time_base)
    elif container.duration:
        seconds = container.duration / 1_000_000  # AV_TIME_BASE
    if seconds and seconds > MAX_SECONDS:
        raise UnsafeInputError(f"refused to decode: the video claims {seconds / 60:,.0f} minutes, more than the "
                               f"{MAX_SECONDS // 60} of any reel, story or clip")
    return seconds or None


def _sampled(container: Any, stream: Any, slot: float, duration: float | None) -> Iterator[Frame]:
    """The best keyframe of each slot, in time order, then a frame sought in each slot that had no keyframe."""
    seen: set[int] = set()  # slots that held a keyframe (kept, or the same shot as the frame kept before)
    last_grey: np.ndarray | None = None
    best: tuple | None = None  # (slot, change, seconds, av.VideoFrame, grey) of the slot being read
    for seconds, decoded in _keyframes(container, stream):
        index = int(seconds // slot)
        if best and index != best[0]:
            if best[1] >= SAME_SHOT:
                last_grey = best[4]
                yield _frame(best[2], best[3], best[1])
            best = None
        seen.add(index)
        grey = _grey(decoded)
        change = 255.0 if last_grey is None else float(np.abs(grey - last_grey).mean())
        if best is None or change > best[1]:
            best = (index, change, seconds, decoded, grey)  # only one decoded frame is held at a time
    if best and best[1] >= SAME_SHOT:
        yield _frame(best[2], best[3], best[1])
    for index in range(math.ceil(duration / slot) if duration else 0):
        if index not in seen and (found := _seek(container, stream, (index + 0.5) * slot)):
            yield _frame(*found, 255.0)


def _keyframes(container: Any, stream: Any) -> Iterator[tuple[float, Any]]:
    """(seconds, av.VideoFrame) of every keyframe, to MAX_SECONDS."""
    stream.codec_context.skip_frame = "NONKEY"
    try:
        for decoded in container.decode(stream):
            seconds = _seconds(decoded)
            if seconds > MAX_SECONDS:
                return
            yield seconds, decoded
    finally:
        stream.codec_context.skip_frame = "DEFAULT"


def _seek(container: Any, stream: Any, target: float) -> tuple[float, Any] | None:
    """The first frame at or after `target` seconds (decoding forward from the keyframe before it), or None."""
    container.seek(int(target / stream.time_base), stream=stream, backward=True, any_frame=False)
    for decoded in container.decode(stream):
        seconds = _seconds(decoded)
        if seconds >= target or seconds > MAX_SECONDS:
            return (seconds, decoded) if seconds <= MAX_SECONDS else None
    return None


def _seconds(decoded: Any) -> float:
    return float(decoded.time) if decoded.time is not None else 0.0


def _grey(decoded: Any) -> np.ndarray:
    small = decoded.reformat(width=CHANGE_SIDE, height=CHANGE_SIDE, format="gray")
    return small.to_ndarray().astype(np.float32)


def _frame(seconds: float, decoded: Any, change: float) -> Frame:
    return Frame(round(seconds, 2), upright(decoded), round(change, 1))


def upright(decoded: Any) -> Image.Image:
    """The frame as an RGB picture, turned as the phone meant it shown (the display matrix a portrait video carries)."""
    image = decoded.to_image()
    rotation = getattr(decoded, "rotation", 0) or 0  # degrees counter-clockwise, as PIL's rotate() turns
    return image.rotate(rotation, expand=True) if rotation % 360 else image


def _plain(exc: Exception) -> str:
    """FFmpeg's message without its errno prefix and file name ("[Errno 1094995529] Invalid data...: '<none>'")."""
    message = getattr(exc, "strerror", None) or str(exc)
    return str(message).rstrip(".")
