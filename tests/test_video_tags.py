"""A video's own metadata: the position, camera and recording time a phone writes into the file, read on real phone
videos (tests/fixtures/videos/PROVENANCE.md: an iPhone 6 MOV and an Android 6 MP4) as exiftool reads them."""

from __future__ import annotations

import json
import shutil
import time

import av
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from audit.cli import cli
from audit.inventory import video
from audit.inventory.db import open_db
from audit.metadata.videotags import LONGEST_TAG, parse_iso6709, read_video_tags
from audit.signals.exif import ExifSignal

from .clips import plain, write_clip
from .conftest import FIXTURES, write_config

VIDEOS = FIXTURES / "videos"
# exiftool 12.57's reading of each file (PROVENANCE.md), in signed decimal degrees.
IPHONE = (32 + 5 / 60 + 34.44 / 3600, 34 + 51 / 60 + 43.20 / 3600)
ANDROID = (51 + 25 / 60 + 0.84 / 3600, -(4 / 60 + 50.16 / 3600))


def _tagged_clip(path, tags: dict[str, str]):
    """A small MOV whose container carries these tags: `location` as the ©xyz atom Android writes, any other key in
    the mdta list an iPhone writes (FFmpeg's `use_metadata_tags`)."""
    write_clip(path, [plain((64, 64))], size=(64, 64), seconds_each=0.3)
    tagged = path.with_suffix(".tagged.mov")
    with av.open(str(path)) as source, av.open(str(tagged), mode="w", options={"movflags": "use_metadata_tags"}) as target:
        target.metadata.update(tags)
        stream = target.add_stream_from_template(source.streams.video[0])
        for packet in source.demux(source.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                target.mux(packet)
    return tagged


def test_an_iphone_video_gives_its_position_camera_and_recording_time():
    tags = read_video_tags((VIDEOS / "dn_iPhone_6.mov").read_bytes())
    assert (tags.position.lat, tags.position.lon) == pytest.approx(IPHONE, abs=1e-5)
    assert tags.position.altitude_m == pytest.approx(28.516)
    assert tags.position.raw == "+32.0929+034.8620+028.516/" and tags.position.source == "video"
    assert (tags.make, tags.model) == ("Apple", "iPhone 6")
    assert tags.taken_at == "2019-07-24 11:25:40 (UTC+03:00)"  # the phone's own time and zone


def test_an_android_video_gives_its_position_from_the_xyz_atom():
    tags = read_video_tags((VIDEOS / "dn_Android_6.mp4").read_bytes())
    assert (tags.position.lat, tags.position.lon) == pytest.approx(ANDROID, abs=1e-5)
    assert tags.position.altitude_m is None
    assert (tags.make, tags.model, tags.taken_at) == (None, None, None)  # this phone wrote none of them


def test_the_run_reports_a_folder_of_videos_with_their_positions(tmp_path):
    (tmp_path / "camera").mkdir()
    for name in ("dn_iPhone_6.mov", "dn_Android_6.mp4"):
        shutil.copy(VIDEOS / name, tmp_path / "camera" / name)
    config = write_config(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "camera"\naudience = "anyone"\n')
    report = tmp_path / "r.html"
    result = CliRunner().invoke(cli, ["run", str(config), "--db", str(tmp_path / "a.db"), "--out", str(report)])
    assert result.exit_code == 0, result.output
    assert "Read 2 items from 1 account: 2 distinct videos." in result.output  # no video counted as a photo
    db = open_db(tmp_path / "a.db")
    found = {(row["kind"], json.loads(row["evidence"]).get("lat")) for row in db.query(
        "select kind, evidence from findings where signal = ?", [ExifSignal.name])}
    assert {kind for kind, _ in found} == {"gps", "camera", "capture_time"}
    assert sorted(round(lat, 4) for kind, lat in found if kind == "gps") == [round(IPHONE[0], 4), round(ANDROID[0], 4)]
    soup = BeautifulSoup(report.read_text(encoding="utf-8"), "html.parser")
    page = " ".join(soup.get_text(" ").split())
    cards = {card.get("id"): " ".join(card.get_text(" ").split()) for card in soup.select("article.card")}
    located = [text for text in cards.values() if "The file's video metadata holds a GPS position" in text]
    assert len(cards) == len(located) == 2 and any("Apple iPhone 6" in text for text in located)
    pictures = db.execute("select count(distinct picture) from pictures").fetchone()[0]
    assert f"{pictures} distinct photos and videos" in page and pictures == 2
    videos = db.execute("select count(*) from photos where media_type = 'video'").fetchone()[0]
    assert f"A stranger can collect {videos} clear photos" in page  # both show a face (a game box's cover, an actor's)
    assert f"{videos} of them are videos, each counted as one photo." in page
    plan = " ".join(soup.select_one("section[aria-labelledby=plan]").get_text(" ").split())
    assert "Now a stranger can see 2 clear photos of your face, 2 photos that give an exact location" in plan
    assert "no photo that gives an exact location" in plan  # the plan's steps take both positions away


def test_a_video_without_tags_gives_no_finding(tmp_path):
    clip = write_clip(tmp_path / "plain.mp4", [plain((64, 64))], size=(64, 64), seconds_each=0.3)
    tags = read_video_tags(clip.read_bytes())
    assert (tags.position, tags.make, tags.model, tags.taken_at) == (None, None, None, None)


def test_a_null_island_or_impossible_position_is_no_position(tmp_path):
    for where in ("+00.0000+000.0000/", "+91.0000+010.0000/", "+4060+01000/"):
        clip = _tagged_clip(tmp_path / "clip.mp4", {"location": where})
        assert read_video_tags(clip.read_bytes()).position is None, where


def test_a_hostile_tag_is_cut_and_read_in_bounded_time(tmp_path):
    clip = _tagged_clip(tmp_path / "clip.mp4", {"com.apple.quicktime.make": "M" * 100_000,
                                                "com.apple.quicktime.location.ISO6709": "+37.5665+126." + "9" * 50_000})
    assert len(video.container_tags(clip.read_bytes())["com.apple.quicktime.make"]) == 100_000  # stored whole
    start = time.perf_counter()
    tags = read_video_tags(clip.read_bytes())
    assert time.perf_counter() - start < 2
    assert tags.make == "M" * LONGEST_TAG and tags.position is None  # cut mid-number: no whole ISO 6709 string


def test_a_damaged_video_or_no_pyav_gives_nothing_and_raises_nothing(monkeypatch):
    data = (VIDEOS / "dn_iPhone_6.mov").read_bytes()
    assert read_video_tags(data[:200]).position is None
    monkeypatch.setattr(video, "available", lambda: "videos cannot be read: the PyAV package is missing")
    assert read_video_tags(data).position is None


@pytest.mark.parametrize("text, expected", [
    ("+32.0929+034.8620+028.516/", (32.0929, 34.862, 28.516)),  # iPhone: decimal degrees and altitude
    ("+51.4169-000.0806/", (51.4169, -0.0806, None)),  # Android
    ("-3345.5+15105.5/", (-(33 + 45.5 / 60), 151 + 5.5 / 60, None)),  # degrees and decimal minutes
    ("+401213.1-0750015.1+12.5CRSWGS_84/", (40 + 12 / 60 + 13.1 / 3600, -(75 + 15.1 / 3600), 12.5)),  # and seconds
])
def test_iso6709_strings_of_each_form_are_read(text, expected):
    assert parse_iso6709(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "/", "32.0929,34.8620", "+32.0929", "+4060-07500/", "+403060-0750000/",
                                  "+32.09+34.86/", "+32.0929+034.8620+028.516/junk", "+3.0+034.0/"])
def test_what_is_not_an_iso6709_position_is_refused(text):
    assert parse_iso6709(text) is None


def test_clean_says_a_located_video_gets_no_copy_and_why(tmp_path):
    """The plan strips the location of a video with no face; `clean --plan` makes copies of photos only and says so,
    not that the file is missing."""
    (tmp_path / "camera").mkdir()
    _tagged_clip(tmp_path / "clip.mp4", {"location": "+37.5563+126.9236/"}).rename(tmp_path / "camera" / "walk.mov")
    config = write_config(tmp_path, '[[accounts]]\nplatform = "folder"\npath = "camera"\naudience = "anyone"\n')
    db = str(tmp_path / "a.db")
    assert CliRunner().invoke(cli, ["run", str(config), "--db", db, "--out", str(tmp_path / "r.html")]).exit_code == 0
    page = BeautifulSoup((tmp_path / "r.html").read_text(encoding="utf-8"), "html.parser")
    assert "Strip the location from walk.mov" in " ".join(page.get_text(" ").split())
    result = CliRunner().invoke(cli, ["clean", "--plan", "--db", db, "--out", str(tmp_path / "copies")])
    assert "Not copied: walk.mov: no clean copy: it is a video, and copies are made of photos only" in result.output
    assert "not in the export" not in result.output
    named = CliRunner().invoke(cli, ["clean", str(tmp_path / "camera" / "walk.mov"), "--out", str(tmp_path / "more")])
    assert "it is a video, and copies are made of photos only" in named.output  # named on the command line too
