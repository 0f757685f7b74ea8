"""The exif signal on real camera files (truth from exiftool, adjudicated) and hostile files,
plus imaging.decode's orientation handling on the eight exifr orientation fixtures."""

from __future__ import annotations

import hashlib
import io
import json
import signal
import struct
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat, PngImagePlugin

from audit.errors import UnsafeInputError
from audit.inventory import imaging
from audit.inventory.photo import PhotoView
from audit.metadata.blocks import find_blocks
from audit.signals import SIGNALS
from audit.signals.exif import ExifSignal

IMAGES = Path(__file__).parent / "fixtures" / "images"
EXIF_DIR = IMAGES / "exif"
HOSTILE_DIR = IMAGES / "hostile"
EXIF_TRUTH = json.loads((EXIF_DIR / "truth.json").read_text())["files"]
HOSTILE_TRUTH = json.loads((HOSTILE_DIR / "truth.json").read_text())["files"]
TOLERANCE = 1e-5

# The position the hand-made XMP files carry (exif_ifd_loop.jpg's): 36 26 54 N, 116 51 18 W.
DEATH_VALLEY = (36.4483333333333, -116.855)


def photo_for(path: Path) -> PhotoView:
    origin = json.dumps({"path": str(path), "member": None})
    return PhotoView({"id": path.name, "origin": origin}, [])


def findings_for(path: Path) -> dict:
    findings = list(ExifSignal().analyze(photo_for(path)))
    kinds = [finding.kind for finding in findings]
    assert len(kinds) == len(set(kinds)), f"one finding per kind expected, got {kinds}"
    return {finding.kind: finding for finding in findings}


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def assert_position(gps, lat: float, lon: float) -> None:
    assert gps is not None, "expected a GPS finding"
    assert isinstance(gps.evidence["lat"], float) and isinstance(gps.evidence["lon"], float)
    assert abs(gps.evidence["lat"] - lat) < TOLERANCE
    assert abs(gps.evidence["lon"] - lon) < TOLERANCE


@contextmanager
def deadline(seconds: int):
    def expire(signum, frame):
        raise TimeoutError(f"analysis still running after {seconds}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def is_placeholder_date(value: str | None) -> bool:
    return not value or not value.strip("0: ")


# --- the fixtures themselves ---------------------------------------------------------------


@pytest.mark.parametrize("folder,truth", [(EXIF_DIR, EXIF_TRUTH), (HOSTILE_DIR, HOSTILE_TRUTH)])
def test_fixture_copies_match_their_truth(folder, truth):
    listed = {entry["file"] for entry in truth}
    on_disk = {path.name for path in folder.iterdir()} - {"truth.json", "PROVENANCE.md"}
    assert listed == on_disk
    for entry in truth:
        assert hashlib.sha256((folder / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]


def test_signal_is_registered_and_described():
    assert SIGNALS["exif"] is ExifSignal
    assert (ExifSignal.name, ExifSignal.version) == ("exif", 5)
    assert ExifSignal.title == "Camera metadata (EXIF)"
    assert ExifSignal.description and "\n" not in ExifSignal.description


# --- the 34 real files -------------------------------------------------------------------


@pytest.mark.parametrize("entry", EXIF_TRUTH, ids=lambda entry: entry["file"])
def test_location_leak_matches_truth(entry):
    expected = entry["expected"]
    gps = findings_for(EXIF_DIR / entry["file"]).get("gps")
    assert (gps is not None) == expected["location_leak"]
    if expected["location_leak"]:
        assert_position(gps, expected["lat"], expected["lon"])
        assert gps.severity == "high"


@pytest.mark.parametrize("entry", EXIF_TRUTH, ids=lambda entry: entry["file"])
def test_camera_and_capture_time_match_truth(entry):
    findings = findings_for(EXIF_DIR / entry["file"])
    # exiftool's JSON gives junk numeric names as numbers (Make "456")
    make, model = (None if name is None else str(name) for name in (entry["make"], entry["model"]))
    camera = findings.get("camera")
    if make or model:
        assert camera.evidence == {"make": make, "model": model}
        assert camera.severity == "low"
    else:
        assert camera is None
    taken = findings.get("capture_time")
    if not is_placeholder_date(entry["datetime_original"]):
        assert taken.evidence == {"datetime": entry["datetime_original"], "tag": "DateTimeOriginal"}
    else:  # only the file's last-written time may stand in
        assert taken is None or taken.evidence["tag"] == "DateTime"


@pytest.mark.parametrize(
    "entry",
    [entry for entry in EXIF_TRUTH if entry["format"] != "HEIC"],  # HEIC is read by pillow-heif
    ids=lambda entry: entry["file"],
)
def test_container_walk_finds_the_exif_block(entry):
    """The hand-walked JPEG/PNG/WebP containers give the EXIF whose Orientation exiftool saw."""
    exif_block = find_blocks((EXIF_DIR / entry["file"]).read_bytes()).exif
    orientation = None
    if exif_block:
        exif = Image.Exif()
        exif.load(exif_block)
        orientation = exif.get(0x0112)
    assert orientation == entry["orientation"]


def test_gps_finding_carries_checkable_evidence():
    gps = findings_for(EXIF_DIR / "dn_HTC_Desire.jpg")["gps"]
    # Gallaratese, in the city of Milan: the nearest town point is Pero's, which the old naming gave.
    assert gps.summary == "The file's EXIF holds a GPS position: 45.50067, 9.11033 (Milan, Lombardy)"
    assert gps.evidence["place"] == {"en": "Milan, Lombardy", "ko": "Milan, Lombardy"}
    assert gps.evidence["source"] == "EXIF GPS"
    assert gps.evidence["altitude_m"] == 217.0
    assert gps.evidence["raw"] == "N 45/1 3004/100 0/1, E 9/1 662/100 0/1"


def test_zero_over_zero_seconds_still_leak_degrees_and_minutes():
    gps = findings_for(EXIF_DIR / "dn_Nikon_D5000.jpg")["gps"]
    assert gps.evidence["source"] == "EXIF GPS"  # not the XMP copy
    assert "48/1 5332358/100000 0/0" in gps.evidence["raw"]


def test_west_ref_with_positive_value_in_flir_block_is_negative():
    gps = findings_for(EXIF_DIR / "dn_FLIR_iPhone_device.jpg")["gps"]
    assert gps.evidence["source"] == "FLIR"
    assert gps.evidence["lon"] < 0 and gps.evidence["raw"].startswith("N ")


def test_below_sea_level_altitude_is_negative():
    gps = findings_for(EXIF_DIR / "dn_Issue_173_dotnet.jpg")["gps"]
    assert gps.evidence["altitude_m"] == -848.0


def test_strings_lose_nul_padding_and_spaces():
    sony = findings_for(EXIF_DIR / "dn_Sony_Cybershot_3.jpg")["camera"]
    assert sony.evidence["model"] == "CYBERSHOT"  # stored as "CYBERSHOT\0\0\0\0"
    samsung = findings_for(EXIF_DIR / "dn_Samsung_GT-I9000_Galaxy_S.jpg")
    assert samsung["camera"].evidence["make"] == "SAMSUNG"  # stored space-padded
    assert samsung["software"].evidence == {"software": "fw 05.15 prm 07.53"}
    assert samsung["software"].severity == "info"


def test_software_that_carries_an_id_is_a_finding_of_its_own(tmp_path):
    exif = Image.Exif()
    exif[0x0131] = "Canva doc DAFk7Qm2XpA"  # Software
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (240, 230, 120)).save(out, "JPEG", exif=exif.tobytes())
    found = findings_for(write(tmp_path, "poster.jpg", out.getvalue()))
    assert "software" not in found  # said once, with the id
    assert found["software_id"].evidence["id"] == "DAFk7Qm2XpA"
    assert found["software_id"].severity == "medium" and "Canva design" in found["software_id"].summary


def test_camera_summary_does_not_repeat_the_make():
    camera = findings_for(EXIF_DIR / "dn_Canon_PowerShot_A85.jpg")["camera"]
    assert camera.summary == "The file's EXIF names the camera: Canon PowerShot A85"


def test_placeholder_capture_date_falls_back_to_datetime():
    taken = findings_for(EXIF_DIR / "dn_Issue_609.jpg")["capture_time"]  # "0000:00:00 00:00:00"
    assert taken.evidence == {"datetime": "2023:04:05 09:06:56", "tag": "DateTime"}
    assert "last saved" in taken.summary


# --- hostile files -----------------------------------------------------------------------


@pytest.mark.parametrize("entry", HOSTILE_TRUTH, ids=lambda entry: entry["file"])
def test_hostile_file_neither_crashes_nor_hangs(entry):
    with deadline(10):
        gps = findings_for(HOSTILE_DIR / entry["file"]).get("gps")
    assert (gps is not None) == entry["expected_location_leak"]
    if entry["expected_location_leak"]:
        assert_position(gps, entry["expected_gps"]["lat"], entry["expected_gps"]["lon"])


def test_no_pixels_are_ever_allocated(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a pixel buffer was allocated")

    monkeypatch.setattr(Image.core, "new", refuse)
    with pytest.raises(AssertionError):  # the trap works: decoding does go through it
        imaging.decode((EXIF_DIR / "dn_HTC_Desire.jpg").read_bytes())
    for path in sorted(EXIF_DIR.iterdir()) + sorted(HOSTILE_DIR.iterdir()):
        if path.suffix not in (".json", ".md"):
            findings_for(path)


def test_gps_is_read_when_the_header_claims_a_huge_size(tmp_path):
    data = bytearray((HOSTILE_DIR / "derived_jpeg_gps_south_west.jpg").read_bytes())
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, 65500, 65500)  # height, width
    path = write(tmp_path, "huge.jpg", bytes(data))
    with pytest.raises(UnsafeInputError):
        imaging.probe(path.read_bytes())
    assert_position(findings_for(path)["gps"], -22.9513888888889, -43.1553055555556)


def test_missing_file_yields_nothing(tmp_path):
    assert list(ExifSignal().analyze(PhotoView({"id": "x", "origin": None}, []))) == []
    assert findings_for(tmp_path / "gone.jpg") == {}


def tiny_jpeg(**save_options) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "JPEG", **save_options)
    return out.getvalue()


def test_unparsable_exif_yields_nothing(tmp_path):
    # IFD0 holding Make and a GPS IFD pointer of -1 (SLONG): Pillow raises ValueError seeking it
    ifd0 = struct.pack("<H", 2) + struct.pack("<HHI4s", 0x010F, 2, 4, b"Bad\x00")
    ifd0 += struct.pack("<HHIi", 0x8825, 9, 1, -1) + struct.pack("<I", 0)
    negative_pointer = b"Exif\x00\x00II*\x00" + struct.pack("<I", 8) + ifd0
    not_tiff = b"Exif\x00\x00not a TIFF"
    for name, exif in (("negative.jpg", negative_pointer), ("garbage.jpg", not_tiff)):
        assert findings_for(write(tmp_path, name, tiny_jpeg(exif=exif))) == {}


# --- GPS only in XMP ---------------------------------------------------------------------

XMP_TEMPLATE = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:exif="http://ns.adobe.com/exif/1.0/" {attributes}>
{elements}</rdf:Description>
</rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>   \x00"""


def xmp_attributes(lat: str, lon: str) -> bytes:
    return XMP_TEMPLATE.format(
        attributes=f'exif:GPSLatitude="{lat}" exif:GPSLongitude="{lon}"', elements=""
    ).encode()


def xmp_elements(lat: str, lon: str, altitude: str = "") -> bytes:
    properties = {"GPSLatitude": lat, "GPSLongitude": lon}
    if altitude:
        properties |= {"GPSAltitude": altitude, "GPSAltitudeRef": "1"}
    elements = "".join(f"<exif:{name}>{value}</exif:{name}>" for name, value in properties.items())
    return XMP_TEMPLATE.format(attributes="", elements=elements).encode()


def png_with_itxt_xmp(xmp: bytes) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", xmp.decode().rstrip("\x00"), zip=True)
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def webp_with_xmp(xmp: bytes, exif: bytes = b"") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "WEBP", xmp=xmp, exif=exif)
    return out.getvalue()


@pytest.mark.parametrize(
    "name,data",
    [
        ("decimal_minutes.jpg", tiny_jpeg(xmp=xmp_attributes("36,26.9N", "116,51.3W"))),
        ("seconds.jpg", tiny_jpeg(xmp=xmp_elements("36,26,54N", "116,51,18W"))),
        ("compressed_itxt.png", png_with_itxt_xmp(xmp_elements("36,26,54N", "116,51,18W"))),
        ("chunk.webp", webp_with_xmp(xmp_attributes("36,26.9N", "116,51.3W"))),
        ("already_negative.jpg", tiny_jpeg(xmp=xmp_attributes("36,26.9N", "-116,51.3W"))),
    ],
)
def test_gps_only_in_xmp_is_reported(tmp_path, name, data):
    gps = findings_for(write(tmp_path, name, data))["gps"]
    assert gps.evidence["source"] == "XMP"
    assert_position(gps, *DEATH_VALLEY)
    assert gps.summary.startswith("The file's XMP holds a GPS position: 36.44833, -116.85500")


def test_webp_chunk_after_an_odd_sized_chunk_is_found(tmp_path):
    exif = Image.Exif()
    exif[0x010F] = "Odd"
    odd_exif = exif.tobytes() + b"\x00"  # RIFF pads it to an even size; the XMP chunk follows
    assert len(odd_exif) % 2 == 1
    data = webp_with_xmp(xmp_attributes("36,26.9N", "116,51.3W"), odd_exif)
    findings = findings_for(write(tmp_path, "odd.webp", data))
    assert findings["camera"].evidence["make"] == "Odd"
    assert_position(findings["gps"], *DEATH_VALLEY)


def test_xmp_altitude_and_raw_values(tmp_path):
    xmp = xmp_elements("36,26,54N", "116,51,18W", altitude="1234/10")
    path = write(tmp_path, "alt.jpg", tiny_jpeg(xmp=xmp))
    gps = findings_for(path)["gps"]
    assert gps.evidence["altitude_m"] == -123.4
    assert gps.evidence["raw"] == "36,26,54N, 116,51,18W"


@pytest.mark.parametrize(
    "lat,lon",
    [("0,0N", "0,0.0E"), ("36,26.9N", ""), ("100,0N", "10,0E"), ("north", "west")],
    ids=["null-island", "no-longitude", "out-of-range", "not-numbers"],
)
def test_unusable_xmp_positions_are_not_leaks(tmp_path, lat, lon):
    path = write(tmp_path, "x.jpg", tiny_jpeg(xmp=xmp_attributes(lat, lon)))
    assert "gps" not in findings_for(path)


def test_broken_xmp_yields_nothing(tmp_path):
    path = write(tmp_path, "x.jpg", tiny_jpeg(xmp=b"<x:xmpmeta exif:GPSLatitude="))
    assert findings_for(path) == {}


# --- orientation: imaging.decode applies the EXIF Orientation -----------------------------

ORIENTATION_FIXTURES = [entry for entry in EXIF_TRUTH if entry["file"].startswith("xr_f")]


def decoded_gray(entry) -> Image.Image:
    return imaging.decode((EXIF_DIR / entry["file"]).read_bytes()).convert("L")


@pytest.mark.parametrize("entry", ORIENTATION_FIXTURES, ids=lambda entry: entry["file"])
def test_decode_applies_orientation(entry):
    assert entry["orientation_tag_matches_pixels"] is True
    stored_width, stored_height = entry["pixel_size_pillow_decode"]
    swaps_axes = entry["orientation"] >= 5
    upright_size = (stored_height, stored_width) if swaps_axes else (stored_width, stored_height)
    image = decoded_gray(entry)
    assert image.size == upright_size == (48, 80)
    # Every fixture shows the same upright letter F once its orientation is applied.
    reference = decoded_gray(ORIENTATION_FIXTURES[0])
    assert ImageStat.Stat(ImageChops.difference(image, reference)).mean[0] < 2


def test_orientation_reference_is_not_symmetric():
    """Otherwise the comparison above could not tell a wrong flip or rotation from the right one."""
    reference = decoded_gray(ORIENTATION_FIXTURES[0])
    # A wrong same-size result differs from the right one by one of these three.
    same_size = (Image.Transpose.FLIP_LEFT_RIGHT, Image.Transpose.FLIP_TOP_BOTTOM, Image.Transpose.ROTATE_180)
    for transpose in same_size:
        moved = reference.transpose(transpose)
        assert ImageStat.Stat(ImageChops.difference(reference, moved)).mean[0] > 20
