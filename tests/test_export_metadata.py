"""The export-metadata signal: upload IPs recorded in the export become findings, one per IP per appearance."""

from __future__ import annotations

import json

import pytest

from audit.photo import PhotoView
from audit.signals.export_metadata import FACTS, ExportMetadataSignal


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
    assert ExportMetadataSignal.version == 1
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
    for fact in FACTS.values():
        assert "{value}" in fact.summary and fact.kind and fact.evidence
        assert fact.severity in ("high", "medium", "low", "info")
