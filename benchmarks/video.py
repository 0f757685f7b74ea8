"""The cost of a minute of video for the faces and image-text signals: decode + sampling (inventory/video.py) + faces
(detection, grading, identity) on the sampled frames, and image-text (sampling again, the sharpest frames found and
read), on clips generated here at 720p and 1080p.

    python benchmarks/video.py [SECONDS] [--keyframe-every N]   (default 30 s clips)

Each clip shows the demo user's selfie, a faceless still and a sign with a phone number in turn, zooming
(tests/clips.py), 30 fps, a keyframe every N frames (default 60: 2 s, like phone cameras and Instagram's re-encodes).
Prints wall and CPU seconds per minute of video for sampling alone, with faces and with text, the frames sampled per
minute, and the load average, since the machine is shared and speeds move with what else runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import json  # noqa: E402

from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from audit.faces import identity as faceid  # noqa: E402
from audit.inventory import video  # noqa: E402
from audit.inventory.photo import PhotoView  # noqa: E402
from audit.signals.faces import detect_faces  # noqa: E402
from audit.signals.image_text import ImageTextSignal  # noqa: E402
from tests.clips import plain, write_clip  # noqa: E402

SIZES = {"720p": (1280, 720), "1080p": (1920, 1080)}
FONT = "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"  # Debian's fonts-nanum, as the OCR tests use


def sign(size: tuple[int, int]) -> Image.Image:
    picture = Image.new("RGB", size, (236, 232, 222))
    font = ImageFont.truetype(FONT, size[1] // 12)
    for row, line in enumerate(["HANGANG DESIGN LAB", "010-1234-5678"]):
        ImageDraw.Draw(picture).text((size[0] // 8, size[1] // 3 + row * size[1] // 8), line, font=font, fill=(20, 20, 30))
    return picture


def text_on(path: Path) -> int:
    signal = ImageTextSignal()
    signal.prepare(None)
    view = PhotoView({"id": path.name, "media_type": "video", "origin": json.dumps({"path": str(path), "member": None})}, [])
    return len(list(signal.analyze(view)))


def timed(work) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def faces_on(data: bytes) -> int:
    found = 0
    for frame in video.frames(data):
        for face, _ in detect_faces(frame.image):
            faceid.encode(frame.image, face.box)
            found += 1
    return found


def every_frame(data: bytes) -> int:
    """What sampling saves: decoding every frame, as a sampler without keyframes would."""
    import io

    import av

    with av.open(io.BytesIO(data)) as container:
        return sum(1 for _ in container.decode(container.streams.video[0]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("seconds", nargs="?", type=float, default=30.0)  # writing the clips takes longest
    parser.add_argument("--keyframe-every", type=int, default=60)
    args = parser.parse_args()
    me = Image.open(ROOT / "examples" / "demo" / "me" / "selfie1.jpg")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as folder:
        for name, size in SIZES.items():
            kinds = [me, plain(size), sign(size)]
            stills = [kinds[index % 3] for index in range(max(1, round(args.seconds / 5)))]
            clip = write_clip(Path(folder) / f"{name}.mp4", stills, size=size, seconds_each=args.seconds / len(stills),
                              fps=30, keyframe_every=args.keyframe_every)
            data = clip.read_bytes()
            per_minute = 60 / args.seconds
            wall, cpu, sampled = timed(lambda: sum(1 for _ in video.frames(data)))
            f_wall, f_cpu, faces = timed(lambda: faces_on(data))
            t_wall, t_cpu, texts = timed(lambda: text_on(clip))
            d_wall, _, _ = timed(lambda: every_frame(data))
            print(f"{name}: {len(data) / 2**20:.1f} MiB, {sampled * per_minute:.0f} frames sampled a minute, {faces} faces; "
                  f"per minute of video: sampling {wall * per_minute:.2f} s wall {cpu * per_minute:.2f} s CPU, "
                  f"with faces {f_wall * per_minute:.2f} s wall {f_cpu * per_minute:.2f} s CPU; "
                  f"with text ({texts} facts read) {t_wall * per_minute:.2f} s wall {t_cpu * per_minute:.2f} s CPU; "
                  f"decoding every frame instead: {d_wall * per_minute:.2f} s wall")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
