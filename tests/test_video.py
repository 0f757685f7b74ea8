"""Videos (issue 17, part 1): sampled frames, their faces told as one picture, a thumbnail, bad files as item errors.

The clips are made here from still photos with motion (tests/clips.py): the demo user's selfie, a three-quarter
face of someone else from the demo, and a faceless gradient. No clip turns the user's own head (a still cannot), so
her angles in a real clip are 1; the counting of several angles is tested on the findings themselves.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from audit.cli import cli
from audit.inventory import video
from audit.inventory.db import open_db
from audit.models import Finding
from audit.report.supply import face_supply
from audit.signals.faces_video import Seen, best_views, video_summary

from .clips import plain, write_clip
from .conftest import jpeg_bytes, write_config
from .test_hostile import NOT_PLAIN

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo"
ME = DEMO / "me" / "selfie1.jpg"
OTHER_THREE_QUARTER = DEMO / "instagram_export" / "media" / "posts" / "202411" / "38600211521021347.jpg"
GOOD = jpeg_bytes((30, 160, 90), size=(48, 40))


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clips")
    me, other = Image.open(ME), Image.open(OTHER_THREE_QUARTER)
    return {
        "me": write_clip(folder / "me.mp4", [me, me]),  # 3 s, 480x640, a keyframe every 0.5 s
        "me_then_other": write_clip(folder / "both.mp4", [me, other]),
        "faceless": write_clip(folder / "faceless.mp4", [plain((480, 640)), plain((480, 640), 200)]),
        "sideways": write_clip(folder / "sideways.mp4", [me], rotation=90),  # filmed with the phone turned
        "sparse_keys": write_clip(folder / "sparse.mp4", [me, other], keyframe_every=1000),  # one keyframe only
    }


# --- sampling -----------------------------------------------------------------------------------------------


def test_a_short_clip_gets_a_frame_in_every_slot(clips):
    sampled = list(video.frames(clips["me"].read_bytes()))
    assert len(sampled) == video.MIN_FRAMES  # 3 s in six slots of 0.5 s, each holding a keyframe
    assert [frame.time_s for frame in sampled] == sorted(frame.time_s for frame in sampled)
    assert all(frame.image.size == (480, 640) for frame in sampled)


def test_slots_without_a_keyframe_are_reached_by_seeking(clips):
    sampled = list(video.frames(clips["sparse_keys"].read_bytes()))
    assert len(sampled) == video.MIN_FRAMES
    assert sorted(frame.time_s for frame in sampled)[-1] > 2.0  # the second still, long after the only keyframe


def test_a_long_video_is_sampled_at_most_twelve_times_a_minute(tmp_path):
    """60 s of a moving still at 4 fps: twelve 5 s slots, one frame each at most."""
    clip = write_clip(tmp_path / "long.mp4", [plain((320, 240))] * 6, size=(320, 240), seconds_each=10, fps=4,
                      keyframe_every=4)
    sampled = list(video.frames(clip.read_bytes()))
    assert 1 <= len(sampled) <= video.PER_MINUTE


def test_a_portrait_video_filmed_sideways_is_turned_upright(clips):
    from audit.signals.faces import detect_faces

    frame = next(video.frames(clips["sideways"].read_bytes()))
    assert frame.image.size == (480, 640)
    ((_, grade),) = detect_faces(frame.image)
    assert abs(grade.roll) < 20  # upright, not upside down


@pytest.mark.parametrize("data,says", [
    (b"", "empty file"),
    (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 400, "not a video"),
    (b"plain text, not a video at all" * 20, "not a video"),
])
def test_what_is_not_a_video_is_an_input_error(data, says):
    from audit.errors import InputError

    with pytest.raises(InputError, match=says):
        list(video.frames(data))


def test_a_video_claiming_absurd_frames_is_refused(monkeypatch, clips):
    from audit.errors import UnsafeInputError

    monkeypatch.setattr(video, "MAX_PIXELS", 100_000)  # the clip's 480x640 is then "too large"
    with pytest.raises(UnsafeInputError, match="megapixels"):
        video.probe(clips["me"].read_bytes())


# --- faces ----------------------------------------------------------------------------------------------------


def _analyse(tmp_path: Path, files: dict[str, bytes]) -> tuple:
    """`photo-audit collect` then `analyze` on an instaloader folder holding `files`, with the demo's `me`."""
    folder = tmp_path / "profile"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    config = write_config(tmp_path, f"me = ['{ME}']\n[[accounts]]\nplatform = 'instaloader-folder'\npath = '{folder}'\n"
                                    "audience = 'anyone'\n")
    db_path = tmp_path / "inventory.db"
    runner = CliRunner()
    collected = runner.invoke(cli, ["collect", str(config), "--db", str(db_path)])
    analysed = runner.invoke(cli, ["analyze", "--db", str(db_path)])
    return open_db(db_path), collected, analysed


def _video_findings(db) -> list[dict]:
    query = "select findings.* from findings join photos on photos.id = findings.photo where photos.media_type = 'video'"
    return [{**row, "evidence": json.loads(row["evidence"])} for row in db.query(query)]


def test_the_users_face_in_a_video_is_one_clear_picture(tmp_path, clips):
    db, collected, analysed = _analyse(tmp_path, {
        "2024-01-01_00-00-00_UTC.mp4": clips["me"].read_bytes(),
        "2024-02-02_00-00-00_UTC.jpg": GOOD,
    })
    assert collected.exit_code == 0 and analysed.exit_code == 0, collected.output + analysed.output
    found = [f for f in _video_findings(db) if f["kind"].startswith("face_")]
    assert len(found) == 1  # one face, one angle: one finding, whatever the frames that show it
    evidence = found[0]["evidence"]
    assert evidence["who"] == "you" and evidence["grade"] == "high" and evidence["pose"] == "frontal"
    assert 0 <= evidence["frame_s"] <= 3
    assert evidence["video"] == {"frames": video.MIN_FRAMES, "clear_frames": video.MIN_FRAMES, "angles": ["frontal"]}
    supply = face_supply(db)
    assert supply.photos == 1 and supply.turning_videos == 0  # one video, one picture; frontal only
    (thumbnail,) = db.query("select jpeg from thumbnails join photos on photos.id = photo where media_type = 'video'")
    assert Image.open(__import__("io").BytesIO(thumbnail["jpeg"])).size[1] == 160


def test_a_video_showing_two_angles_is_counted_once_and_said(tmp_path, clips):
    db, _, analysed = _analyse(tmp_path, {"2024-01-01_00-00-00_UTC.mp4": clips["me_then_other"].read_bytes()})
    assert analysed.exit_code == 0, analysed.output
    found = _video_findings(db)
    poses = {(f["evidence"]["who"], f["evidence"]["pose"]) for f in found}
    assert poses == {("you", "frontal"), ("someone else", "three-quarter")}
    assert found[0]["evidence"]["video"]["angles"] == ["frontal"]  # the other person's angle is not the user's
    # The user's face turned in the same video (a still cannot turn her head): a second clear angle of hers.
    turned = dict(found[0], id="turned", evidence=json.dumps({**found[0]["evidence"], "pose": "three-quarter"}))
    db["findings"].insert(turned)
    supply = face_supply(db)
    assert supply.photos == 1 and supply.turning_videos == 1 and supply.angles == ("frontal", "three-quarter")


def test_a_video_with_no_face_has_no_finding_but_a_thumbnail(tmp_path, clips):
    db, _, analysed = _analyse(tmp_path, {"2024-01-01_00-00-00_UTC.mp4": clips["faceless"].read_bytes()})
    assert analysed.exit_code == 0, analysed.output
    assert _video_findings(db) == []
    assert db["thumbnails"].count == 1


@pytest.mark.parametrize("damage", ["cut in half", "moov first, cut in half", "noise"])
def test_a_damaged_video_is_an_item_error_and_the_run_goes_on(tmp_path, clips, damage):
    data = clips["me"].read_bytes()
    if damage == "moov first, cut in half":  # opens (its index is whole) but its frames stop half way
        data = _faststart(tmp_path, clips["me"])
    bad = bytes(range(256)) * 40 if damage == "noise" else data[: len(data) // 2]
    db, collected, analysed = _analyse(tmp_path, {"2024-01-01_00-00-00_UTC.mp4": bad, "2024-02-02_00-00-00_UTC.jpg": GOOD})
    assert collected.exit_code == 0 and analysed.exit_code == 0, collected.output + analysed.output
    errors = list(db.query("select * from errors"))
    photos = {row["media_type"]: row["status"] for row in db.query("select * from photos")}
    assert photos["image"] == "ok"  # the good photo was read
    # Cut before its index or not a video: unreadable from the collect on; its index whole: its frames fail.
    assert photos["video"] == ("ok" if damage.startswith("moov first") else "unreadable")
    assert [row["item"] for row in errors] == ["2024-01-01_00-00-00_UTC.mp4"], errors  # one error, for the video
    assert all(row["message"] and not NOT_PLAIN.search(row["message"]) for row in errors), errors
    assert "video" in errors[0]["message"]


def _faststart(tmp_path: Path, clip: Path) -> bytes:
    import av

    out = tmp_path / "faststart.mp4"
    with av.open(str(clip)) as source, av.open(str(out), "w", options={"movflags": "faststart"}) as target:
        stream = target.add_stream_from_template(source.streams.video[0])
        for packet in source.demux(source.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                target.mux(packet)
    return out.read_bytes()


# --- how a video's faces are told -------------------------------------------------------------------------------


def _seen(person: int, pose: str, grade: str, size: int, frame_s: float, who: str = "you") -> Seen:
    evidence = {"pose": pose, "grade": grade, "size_px": size, "sharpness": 500.0, "frame_s": frame_s, "who": who}
    return Seen(Finding(kind=f"face_{grade}", text="", evidence=evidence, severity=grade), person, None)


def test_each_face_and_angle_is_told_once_from_its_best_frame():
    seen = [
        _seen(0, "frontal", "medium", 90, 0.0), _seen(0, "frontal", "high", 200, 5.0), _seen(0, "frontal", "high", 150, 10.0),
        _seen(0, "three-quarter", "high", 180, 15.0), _seen(0, "profile", "low", 120, 20.0),
        _seen(1, "frontal", "high", 100, 5.0, who="someone else"),
    ]
    best = best_views(seen)
    assert [(s.person, s.pose, s.finding.evidence["frame_s"]) for s in best] == [
        (0, "frontal", 5.0), (0, "three-quarter", 15.0), (0, "profile", 20.0), (1, "frontal", 5.0)]
    summary = video_summary(seen, sampled=5)
    # Clear frames of the user: 0, 5, 10 and 15 s (the profile is graded low); angles among them only.
    assert summary == {"frames": 5, "clear_frames": 4, "angles": ["frontal", "three-quarter"]}


def test_a_video_kept_as_its_cover_frame_is_shown_not_sampled(tmp_path):
    """instagram-live keeps a video as its cover picture: no error, no sampling, the cover as its thumbnail."""
    db, collected, analysed = _analyse(tmp_path, {"2024-01-01_00-00-00_UTC.mp4": ME.read_bytes()})
    assert collected.exit_code == 0 and analysed.exit_code == 0, collected.output + analysed.output
    assert list(db.query("select * from errors")) == [] and _video_findings(db) == []
    assert db["thumbnails"].count == 1
