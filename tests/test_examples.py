"""Every registered source and signal on its own example, as gallery-dl tests every extractor on its example.

Each source and signal declares `example`, a path under tests/fixtures/. A source reads at least one Item from its
example and no failure (a deliberate skip note, such as a file that is not a photo, is not one); a live source's
example is a recording of the answers it needs (tests/fixtures/examples/PROVENANCE.md), replayed with `responses`.
A signal finds at least one thing in its example: a photo, collected as a folder account, or an accounts.toml
describing a small inventory; either goes through the real collect and analyze steps (audit/steps/).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import responses
from responses import matchers

from audit import steps
from audit.config import load_config
from audit.inventory.db import open_db, start_run
from audit.models import Finding, Item, ItemError
from audit.signals import SIGNALS
from audit.sources import SOURCES

from .conftest import FIXTURES, write_config
from .test_instagram_live import form


def replay(http: responses.RequestsMock, recording: Path) -> dict:
    """Serve a recording's answers; returns the recording (its `account` and `token`)."""
    recorded = json.loads(recording.read_text(encoding="utf-8"))
    for answer in recorded["responses"]:
        match = []
        if "form" in answer:  # a GraphQL POST, told apart by its doc_id and variables
            match.append(form(answer["form"]["doc_id"], **answer["form"].get("variables", {})))
        if "query" in answer:
            match.append(matchers.query_param_matcher(answer["query"], strict_match=False))
        http.add(
            answer.get("method", "GET"),
            answer["url"],
            body=(recording.parent / answer["file"]).read_bytes(),
            content_type=answer["content_type"],
            headers=answer.get("headers"),
            match=match,
        )
    return recorded


@pytest.mark.parametrize("name", list(SOURCES))
def test_source_reads_its_example(name, tmp_path):
    cls = SOURCES[name]
    example = FIXTURES / cls.example
    with responses.RequestsMock(assert_all_requests_are_fired=False) as http:  # nothing reaches the network
        recorded = replay(http, example) if cls.live else {"account": {cls.needs: str(example)}, "token": None}
        body = f'[[accounts]]\nplatform = "{name}"\n{cls.needs} = {json.dumps(recorded["account"][cls.needs])}\n'
        (account,) = load_config(write_config(tmp_path, body)).accounts
        source = SOURCES[account.platform](account)  # as steps.collect makes it
        if cls.live:
            source.proof_token = recorded["token"]  # as steps.collect sets it
            source.sleep = lambda seconds: None  # the polite pauses, without waiting
        entries = list(source.items())
    items = [entry for entry in entries if isinstance(entry, Item)]
    failures = [entry for entry in entries if isinstance(entry, ItemError) and entry.stage not in ("skip", "note")]
    assert items, f"{name} reads nothing from its example {cls.example}"
    assert failures == []
    assert not cls.live or source.proof_seen  # the recording carries the proof of control


def inventory_of(example: Path, tmp_path: Path):
    """The example collected by the real collect step: an accounts.toml as it is, a photo as a folder of one."""
    if example.suffix == ".toml":
        config = load_config(example)
    else:
        (tmp_path / "photos").mkdir()
        shutil.copy(example, tmp_path / "photos" / example.name)
        body = '[[accounts]]\nplatform = "folder"\npath = "photos"\naudience = "anyone"\n'  # a posted photo
        config = load_config(write_config(tmp_path, body))
    db = open_db(tmp_path / "audit.db")
    run = start_run(db, "collect", "test")
    steps.collect(db, config, run)
    return db, run


def findings_of(signal, db) -> list[Finding]:
    """What the signal returns on the inventory, called as steps.analyze calls it."""
    if signal.scope == "inventory":
        return [finding for _, finding in signal.analyze_inventory(db)]
    signal.prepare(db)
    return [finding for photo in steps.photo_views(db) for finding in signal.analyze(photo)]


@pytest.mark.parametrize("name", list(SIGNALS))
def test_signal_finds_something_in_its_example(name, tmp_path):
    signal = SIGNALS[name]()
    db, run = inventory_of(FIXTURES / signal.example, tmp_path)
    steps.analyze(db, run)  # every signal, as `photo-audit analyze` runs them
    assert list(db.query("select item, stage, message from errors where stage != 'skip'")) == []
    findings = findings_of(signal, db)
    assert findings, f"{name} finds nothing in its example {signal.example}"
    for finding in findings:
        assert isinstance(finding, Finding) and finding.summary.strip() and "%(" not in finding.summary
    stored = {row["summary"] for row in db.query("select summary from findings where signal = ?", [name])}
    assert stored == {finding.summary for finding in findings}  # what the analyze step stored


def test_every_entry_declares_an_example_that_exists():
    for cls in [*SOURCES.values(), *SIGNALS.values()]:
        assert "example" in vars(cls), f"{cls.name} declares no example"  # its own, not one inherited
        assert isinstance(cls.example, str) and (FIXTURES / cls.example).exists(), f"{cls.name}: {cls.example}"


def parametrized(test) -> list[str]:
    (mark,) = [mark for mark in test.pytestmark if mark.name == "parametrize"]
    return list(mark.args[1])


def test_every_registry_name_has_a_case():
    """The cases above are the registries as they are now, not a list that could go stale."""
    assert parametrized(test_source_reads_its_example) == list(SOURCES)
    assert parametrized(test_signal_finds_something_in_its_example) == list(SIGNALS)
