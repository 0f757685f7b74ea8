"""The export-metadata signal: upload IPs, device IDs and software ids recorded in the export become findings,
one per value per appearance."""

from __future__ import annotations

import json

import pytest

from audit.config import Account
from audit.inventory.photo import PhotoView
from audit.metadata.software_ids import software_id
from audit.models import Item
from audit.signals.export_metadata import FACTS, ExportMetadataSignal
from audit.sources.instagram_export import InstagramExportSource

from .conftest import FIXTURES

# Its posts_1.json holds one image made in Canva, whose camera record has a device_id and a Canva software value.
INSTAGRAM = FIXTURES / "formats" / "instagram_dyi_json_2024_profile_handmade"
HTML_EN = FIXTURES / "formats" / "instagram_dyi_html_2025_en_handmade"
HTML_KO = FIXTURES / "formats" / "instagram_dyi_html_2025_ko_handmade"


def photo_with(*extras) -> PhotoView:
    appearances = [
        {"id": f"a{i}", "platform": "facebook-export", "account": "facebook-export:me", "post_id": f"post{i}", "extra": extra}
        for i, extra in enumerate(extras, start=1)
    ]
    return PhotoView({"id": "p1"}, appearances)


def findings(*extras):
    return list(ExportMetadataSignal().analyze(photo_with(*extras)))


def test_signal_declares_itself():
    assert ExportMetadataSignal.name == "export-metadata"
    assert ExportMetadataSignal.version == 2
    assert ExportMetadataSignal.title == "What the export's metadata reveals"
    assert ExportMetadataSignal.description and "\n" not in ExportMetadataSignal.description


def test_upload_ip_finding_with_evidence():
    (finding,) = findings({"upload_ip": "203.0.113.7", "camera_make": "samsung"})
    assert finding.kind == "upload_ip"
    assert finding.severity == "medium"
    assert finding.summary == "The export records the IP address this was uploaded from: 203.0.113.7"
    assert finding.evidence == {
        "ip": "203.0.113.7",
        "appearance": "a1",
        "platform": "facebook-export",
        "account": "facebook-export:me",
        "post_id": "post1",
    }


def test_extra_as_stored_in_the_inventory_is_json_text():
    (finding,) = findings(json.dumps({"upload_ip": "2001:db8::17"}))
    assert finding.evidence["ip"] == "2001:db8::17"


def test_one_finding_per_distinct_ip_per_appearance():
    result = findings(
        {"upload_ip": ["198.51.100.23", "198.51.100.23", " 203.0.113.7 "]},
        {"upload_ip": "198.51.100.23"},
    )
    assert [(f.evidence["appearance"], f.evidence["ip"]) for f in result] == [
        ("a1", "198.51.100.23"),
        ("a1", "203.0.113.7"),
        ("a2", "198.51.100.23"),
    ]


@pytest.mark.parametrize(
    "extra",
    [{}, {"upload_ip": ""}, {"upload_ip": None}, {"upload_ip": 3232235777}, {"upload_ip": [None, "  "]}, "null", None],
)
def test_nothing_without_a_usable_upload_ip(extra):
    assert findings(extra) == []


def test_every_fact_names_its_kind_evidence_and_value():
    for fact in FACTS:
        assert f"%({fact.evidence})s" in fact.summary and fact.kind and fact.evidence
        assert fact.severity in ("high", "medium", "low", "info")


# --- Instagram: device IDs and software ids, from what the instagram-export source keeps -----------


def instagram_findings(export) -> list:
    """The source's items as the inventory stores them (extra as JSON text), through the signal."""
    items = [e for e in InstagramExportSource(Account(platform="instagram-export", path=export)).items()
             if isinstance(e, Item)]
    appearances = [
        {"id": f"a{i}", "platform": "instagram-export", "account": "instagram-export:minji.kim",
         "post_id": item.post_id, "extra": json.dumps(item.extra, ensure_ascii=False)}
        for i, item in enumerate(items, start=1)
    ]
    return list(ExportMetadataSignal().analyze(PhotoView({"id": "p1"}, appearances)))


def test_an_instagram_record_gives_its_device_id_and_its_canva_design_id():
    device, software = instagram_findings(INSTAGRAM)
    assert device.kind == "device_id" and device.severity == "low"
    assert device.evidence["device_id"] == "android-3c9e1f7a2b6d4e80"
    assert device.summary == (
        "The export records the ID of the phone that uploaded this: android-3c9e1f7a2b6d4e80. "
        "It links photos across accounts to one device."
    )
    assert software.kind == "software_id" and software.severity == "low"
    assert software.evidence["software"] == "Canva (DAFk7Qm2XpA)" and software.evidence["id"] == "DAFk7Qm2XpA"
    assert software.evidence["post_id"] == "441298765_1180011223344556_6617283940516273849_n_18025555555555555"
    assert software.summary.startswith(
        "The export records the software this was made with, and it carries an id (DAFk7Qm2XpA): Canva (DAFk7Qm2XpA). "
        "That is a Canva design or brand id"
    )


@pytest.mark.parametrize("export", [HTML_EN, HTML_KO], ids=["english", "korean"])
def test_the_html_variant_gives_the_device_id_and_software_without_an_id_gives_nothing(export):
    found = instagram_findings(export)
    assert {f.kind for f in found} == {"device_id"}  # "Instagram 400.0.0.45.78 Android" carries no id
    assert {f.evidence["device_id"] for f in found} == {"android-8f3a2b1c4d5e6f70"}


def test_one_device_id_per_appearance_across_its_camera_records():
    records = [
        {"latitude": 37.5, "longitude": 127.0},
        {"device_id": "ios-42"},
        {"device_id": "ios-42", "software": "Instagram 371.0"},
    ]
    (finding,) = findings({"exif_data": records})
    assert finding.evidence["device_id"] == "ios-42"


@pytest.mark.parametrize(
    "software, found",
    [
        ("Canva (DAFk7Qm2XpA)", "DAFk7Qm2XpA"),
        ("Canva doc DAGB1x-9_zQ", "DAGB1x-9_zQ"),
        ("canva.com/design/DAFk7Qm2XpA/edit", "DAFk7Qm2XpA"),
        ("Canva BAEn4Rt7Kp2", "BAEn4Rt7Kp2"),
        ("PicsArt 24.1 (3f2a1b0c-9d8e-4f7a-b6c5-d4e3f2a1b0c9)", "3f2a1b0c-9d8e-4f7a-b6c5-d4e3f2a1b0c9"),
        ("Canva", None),
        ("Canva (DAFk7Qm2XpAB)", None),  # too long to be a design id
        ("DAFk7Qm2XpA", None),  # no Canva: a firmware build or anything else
        ("G991NKSU3AUE1", None),
        ("Instagram 371.0.0.35.89 Android", None),
        ("Adobe Photoshop Lightroom Classic 12.0 (Windows)", None),
    ],
)
def test_which_software_values_carry_an_id(software, found):
    result = software_id(software)
    assert (result.id if result else None) == found
