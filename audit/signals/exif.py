"""The photo file's own metadata: where it was taken, with what camera, when, and edited how."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from ..errors import InputError
from ..exifdata import PhotoMetadata, Position, read_metadata
from ..geonames import place_names, with_place
from ..models import Finding
from ..software_ids import software_id
from .base import Signal

if TYPE_CHECKING:
    from ..photo import PhotoView

# How the summary names where a position was found.
SOURCE_WORDS = {"EXIF GPS": "EXIF", "XMP": "XMP", "FLIR": "FLIR thermal-camera block"}


class ExifSignal(Signal):
    name = "exif"
    version = 2  # 2: places named by the district that contains them (geonames)
    title = "Camera metadata (EXIF)"
    description = "GPS position, camera, capture time and software written into the photo file."

    def analyze(self, photo: "PhotoView") -> Iterator[Finding]:
        try:
            data = photo.data
        except InputError:
            return  # a missing or refused file is recorded where the inventory is built
        metadata = read_metadata(data)
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
        summary=with_place(
            f"The file's {SOURCE_WORDS[position.source]} holds a GPS position: {position.lat:.5f}, {position.lon:.5f}",
            evidence["place"],
        ),
        evidence=evidence,
        severity="high",
    )


def _camera_finding(metadata: PhotoMetadata) -> Finding:
    make, model = metadata.make or "", metadata.model or ""
    # Most models already start with the make ("Canon" / "Canon PowerShot A85").
    name = model if make and model.lower().startswith(make.lower()) else f"{make} {model}".strip()
    return Finding(
        kind="camera",
        summary=f"The file's EXIF names the camera: {name}",
        evidence={"make": metadata.make, "model": metadata.model},
        severity="low",
    )


def _time_finding(metadata: PhotoMetadata) -> Finding:
    when = "taken" if metadata.taken_at_tag == "DateTimeOriginal" else "last saved"
    return Finding(
        kind="capture_time",
        summary=f"The file's EXIF says when it was {when}: {metadata.taken_at} (no time zone)",
        evidence={"datetime": metadata.taken_at, "tag": metadata.taken_at_tag},
        severity="low",
    )


def _software_finding(software: str) -> Finding:
    """The software that wrote the file; a finding of its own when the value carries an id (a Canva design...)."""
    found = software_id(software)
    if found is None:
        return Finding(
            kind="software",
            summary=f"The file's EXIF names the software that wrote it: {software}",
            evidence={"software": software},
            severity="info",
        )
    return Finding(
        kind="software_id",
        summary=f"The file's EXIF names the software that wrote it, with an id ({found.id}): {software}. "
        f"That is {found.what}.",
        evidence={"software": software, "id": found.id, "what": found.what},
        severity="medium",
    )
