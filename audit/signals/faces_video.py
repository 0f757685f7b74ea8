"""The faces of a video: its sampled frames (inventory/video.py) analysed like photos, then told as one picture.

A reel gives a face-swap model what no photo does: the same face in motion, from several angles, in many frames.
But the report counts pictures ("a stranger can collect 12 clear photos of your face"), and a video is one picture
posted once: sixty findings from its frames would make it sixty photos in every count and tally. So a video yields
one finding per face and angle seen (the user's frontal face, her three-quarter face, a friend's face), each from the
frame that shows it best (its box, its grade, its time as `frame_s`), and every finding carries the video's summary
(`video`: frames sampled, the clear frames of the user's face, the angles they show) for what the video adds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator

import numpy as np

from ..faces import identity as faceid
from ..faces.grade import LEVELS
from ..inventory import video
from ..models import Finding
from .faces import BYSTANDER, _finding, detect_faces

if TYPE_CHECKING:
    from PIL import Image

    from ..faces.detect import Box
    from ..inventory.photo import PhotoView

CLEAR = ("high", "medium")  # the grades of the `clear_face` role
POSE_ORDER = ("frontal", "three-quarter", "profile")  # how the angles are listed


@dataclass
class Seen:
    """One face in one sampled frame, already worded as a finding."""

    finding: Finding
    person: int  # which face of the video it is (the user's: 0)
    encoding: list[float] | None

    @property
    def pose(self) -> str:
        return self.finding.evidence["pose"]

    def quality(self) -> tuple:
        """What makes the best frame of a face: its grade, then its size, then its sharpness."""
        evidence = self.finding.evidence
        return (LEVELS.index(evidence["grade"]), evidence["size_px"], evidence["sharpness"], -evidence["frame_s"])


def video_findings(
    photo: "PhotoView", encode: "Callable[[Image.Image, Box], list[float]] | None", references: list[list[float]]
) -> Iterator[Finding]:
    """One finding per face and angle of the video (module docstring); InputError when it cannot be read."""
    seen: list[Seen] = []
    sampled = 0
    for frame in video.frames(photo.data):
        sampled += 1
        seen.extend(list(_faces_in(frame, encode, references, tuple(seen))))  # a frame's faces are not each other
    summary = video_summary(seen, sampled)
    for index, best in enumerate(best_views(seen)):
        best.finding.evidence["face"] = index
        best.finding.evidence["video"] = summary
        yield best.finding


def _faces_in(frame: video.Frame, encode, references: list[list[float]], earlier: tuple[Seen, ...]) -> Iterator[Seen]:
    faces = detect_faces(frame.image)
    # Without an encoder, a video's faces are told apart by their rank in size in each frame: the best there is.
    ranked = sorted(range(len(faces)), key=lambda i: -faces[i][1].size_px)
    for index, (face, grade) in enumerate(faces):
        encoding = encode(frame.image, face.box) if encode else None
        who, distance = faceid.match(encoding, references) if encoding else ("not matched", None)
        finding = _finding(index, face, grade, frame.image, who, distance, encoding)
        finding.evidence["frame_s"] = frame.time_s
        person = 0 if who == "you" else _person(encoding, earlier, 1 + ranked.index(index))
        yield Seen(finding, person, encoding)


def _person(encoding: list[float] | None, earlier: tuple[Seen, ...], rank: int) -> int:
    """The person an earlier frame showed with this face (nearest encoding within the match threshold), else a new one."""
    if encoding is None:
        return -rank
    others = [s for s in earlier if s.encoding is not None and s.person > 0]
    if others:
        distances = np.linalg.norm(np.asarray([s.encoding for s in others]) - np.asarray(encoding), axis=1)
        nearest = int(distances.argmin())
        if distances[nearest] <= faceid.MATCH_THRESHOLD:
            return others[nearest].person
    return 1 + max((s.person for s in earlier), default=0)


def best_views(seen: list[Seen]) -> list[Seen]:
    """For each face and pose of the video, the frame that shows it best; in the order the faces first appear."""
    best: dict[tuple[int, str], Seen] = {}
    for item in seen:
        key = (item.person, item.pose)
        if key not in best or item.quality() > best[key].quality():
            best[key] = item
    return list(best.values())


def video_summary(seen: list[Seen], sampled: int) -> dict:
    """What the video gives a model of the user's face: the clear frames of it (a face not matched to anyone counts,
    as it may be hers, as in the supply) and the distinct angles among them."""
    clear = [item for item in seen if _hers(item) and item.finding.evidence["grade"] in CLEAR]
    poses = {item.pose for item in clear}
    return {
        "frames": sampled,
        "clear_frames": len({item.finding.evidence["frame_s"] for item in clear}),
        "angles": [pose for pose in POSE_ORDER if pose in poses] + sorted(poses - set(POSE_ORDER)),
    }


def _hers(item: Seen) -> bool:
    return item.finding.evidence["who"] != BYSTANDER
