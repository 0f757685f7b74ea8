"""The file's own metadata: where a photo was taken or a video recorded, with what camera, when, and edited how."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from ..errors import InputError
from ..inventory import video
from ..metadata.exifdata import PhotoMetadata, Position, read_metadata
from ..metadata.software_ids import software_id
from ..metadata.videotags import RECORDED_TAG, read_video_tags
from ..models import Finding
from ..places.names import place_names
from ..words import N_, say
from ..words import position as said_position
from .base import Signal, Weight
from .platform_location import place_words

if TYPE_CHECKING:
    from ..inventory.photo import PhotoView

# How the summary names where a position was found.
SOURCE_WORDS = {"EXIF GPS": N_("EXIF"), "XMP": N_("XMP"), "FLIR": N_("FLIR thermal-camera block"), "video": N_("video metadata")}


class ExifSignal(Signal):
    name = "exif"
    version = 5  # 2: places named by the district that contains them (geonames); 3: findings carry their words; 4: a position is one value in them; 5: a video's own tags (position, camera, recording time)
    title = N_("Camera metadata (EXIF)")
    description = "GPS position, camera, capture time and software written into the photo or video file."
    example = "images/exif/dn_FujiFilm_FinePixS1Pro_1.jpg"
    roles = {"exact_location": frozenset({"gps"}), "file_position": frozenset({"gps"})}
    weights = {
        "gps": Weight(40, 40, N_("Exact position in the file: anyone who saves it can map it. Full home address is rated 4.18/5 sensitive (VISPR)."), "location"),
        "software_id": Weight(10, 10, N_("The id is inside the file itself: anyone who saves the photo can link it to the Canva design or account that made it.")),
    }

    def analyze(self, photo: "PhotoView") -> Iterator[Finding]:
        try:
            data = photo.data
        except InputError:
            return  # a missing or refused file is recorded where the inventory is built
        metadata = read_video_tags(data) if photo.media_type == "video" and not video.is_cover(data) else read_metadata(data)
        if metadata.position:
            yield _gps_finding(metadata.position)
        if metadata.make or metadata.model:
            yield _camera_finding(metadata)
        if metadata.taken_at:
            yield _time_finding(metadata)
        if metadata.software:
            yield _software_finding(metadata.software)


def _gps_finding(position: Position) -> Finding:
    evidence = {
        "lat": position.lat,
        "lon": position.lon,
        "source": position.source,
        "raw": position.raw,
        "place": place_names(position.lat, position.lon),
    }
    if position.altitude_m is not None:
        evidence["altitude_m"] = position.altitude_m
    return Finding(
        kind="gps",
        text=say(
            N_("The file's %(source)s holds a GPS position: %(position)s%(where)s"),
            source=say(SOURCE_WORDS[position.source]),
            position=said_position(position.lat, position.lon),
            where=place_words(evidence["place"]),
        ),
        evidence=evidence,
        severity="high",
    )


def _camera_finding(metadata: PhotoMetadata) -> Finding:
    make, model = metadata.make or "", metadata.model or ""
    # Most models already start with the make ("Canon" / "Canon PowerShot A85").
    name = model if make and model.lower().startswith(make.lower()) else f"{make} {model}".strip()
    named = N_("The video file names the camera: %(shown)s") if metadata.in_video else N_("The file's EXIF names the camera: %(shown)s")
    return Finding(
        kind="camera",
        text=say(named, shown=name),
        evidence={"make": metadata.make, "model": metadata.model},
        severity="low",
    )


def _time_finding(metadata: PhotoMetadata) -> Finding:
    if metadata.taken_at_tag == RECORDED_TAG:
        when = N_("The video file says when it was recorded: %(datetime)s")
    elif metadata.taken_at_tag == "DateTimeOriginal":
        when = N_("The file's EXIF says when it was taken: %(datetime)s (no time zone)")
    else:
        when = N_("The file's EXIF says when it was last saved: %(datetime)s (no time zone)")
    return Finding(
        kind="capture_time",
        text=say(when, datetime=metadata.taken_at),
        evidence={"datetime": metadata.taken_at, "tag": metadata.taken_at_tag},
        severity="low",
    )


def _software_finding(software: str) -> Finding:
    """The software that wrote the file; a finding of its own when the value carries an id (a Canva design...)."""
    found = software_id(software)
    if found is None:
        return Finding(
            kind="software",
            text=say(N_("The file's EXIF names the software that wrote it: %(software)s"), software=software),
            evidence={"software": software},
            severity="info",
        )
    return Finding(
        kind="software_id",
        text=say(
            N_("The file's EXIF names the software that wrote it, with an id (%(id)s): %(software)s. That is %(what)s."),
            id=found.id,
            software=software,
            what=say(found.what),
        ),
        evidence={"software": software, "id": found.id, "what": found.what},
        severity="medium",
    )
