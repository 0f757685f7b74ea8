"""The registries, the README tables and docs/scoring.md stay in step."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from audit.cli import cli
from audit.scoring import GROUP_CAPS, WEIGHTS
from audit.signals import SIGNALS
from audit.sources import SOURCES

ROOT = Path(__file__).resolve().parent.parent


def _table_first_column(markdown: str, heading: str) -> set[str]:
    """Names in backticks in the first column of the table under a '## heading'."""
    section = markdown.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\|\s*`([^`]+)`", section, flags=re.M))


def test_readme_lists_every_source_and_only_those():
    assert _table_first_column((ROOT / "README.md").read_text(encoding="utf-8"), "Sources") == set(SOURCES)


def test_readme_lists_every_signal_and_only_those():
    assert _table_first_column((ROOT / "README.md").read_text(encoding="utf-8"), "Signals") == set(SIGNALS)


def test_registry_entries_declare_themselves():
    for name, cls in SOURCES.items():
        assert cls.name == name and cls.description and cls.needs in ("path", "url", "handle")
    for name, cls in SIGNALS.items():
        assert cls.name == name and cls.description and cls.title and isinstance(cls.version, int)


def test_the_weights_table_is_printed_from_the_signals():
    printed = CliRunner().invoke(cli, ["signals", "--weights"]).output.splitlines()
    assert printed[0].split() == ["signal", "kind", "points", "cap", "why"]
    rows = [re.fullmatch(r"(\S+) +(\S+) +(\d+) +(\d+)  (.+)", line).groups() for line in printed[1:]]
    assert {(signal, kind): (int(points), int(cap), fact) for signal, kind, points, cap, fact in rows} == {
        key: (w.points, w.cap, w.fact) for key, w in WEIGHTS.items()
    }


def test_scoring_doc_states_the_weights_and_caps_it_names():
    doc = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    named = re.findall(r"`([a-z-]+)`/`(\w+)`, (\d+)\)", doc)
    assert len(named) >= 3
    for signal, kind, points in named:
        assert WEIGHTS[signal, kind].points == int(points), (signal, kind)
    for kind, points in re.findall(r"\(`(\w+)`, (\d+)\)", doc):  # a clue: the same in every signal that finds it
        assert {w.points for (_, k), w in WEIGHTS.items() if k == kind} == {int(points)}, kind
    for group, cap in GROUP_CAPS.items():
        if group.startswith("clue:"):  # one sentence covers these: the shared cap is the kind's own
            assert f"`{group.removeprefix('clue:')}`" in doc.split("**One clue counts once.**", 1)[1].split("\n\n", 1)[0]
        else:
            assert f"cap of **{cap}**" in doc


def test_signals_declare_known_roles_of_their_own_weighted_kinds():
    from audit.signals import ROLES, finding_in, kinds

    for cls in SIGNALS.values():
        assert set(cls.roles) <= set(ROLES), cls.name
        for role, role_kinds in cls.roles.items():
            assert role_kinds and role_kinds <= set(cls.weights), (cls.name, role)
    assert all(kinds(role) for role in ROLES)  # every role is some signal's
    condition, params = finding_in("clear_face", table="f")
    assert condition == "(f.signal, f.kind) in (values (?, ?), (?, ?))" and len(params) == 4


def test_every_identity_clue_has_one_name_for_the_lists_that_say_it():
    from audit.signals import clue_names, kinds

    assert set(clue_names()) == {kind for _, kind in kinds("identity_clue")}
    for cls in SIGNALS.values():  # a kind named by two signals is named alike
        for kind, name in cls.kind_names.items():
            assert kind in cls.roles.get("identity_clue", ()) and clue_names()[kind] == name, (cls.name, kind)
