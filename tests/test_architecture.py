"""The layout shows the architecture, and the import graph keeps it: checked on the source, by the AST.

Layers, bottom up: words, errors, models and text/ (plain building blocks); inventory/, metadata/, faces/,
places/ (engines); sources/ and signals/ (the registries); scoring and steps; report/ (what the user reads);
workshop/ (for clubs); cli. A module may import only from its own layer or below; nothing imports cli; report/ reads the registries
but no source or signal imports report/.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from audit.signals import SIGNALS

PACKAGE = Path(__file__).resolve().parent.parent / "audit"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The audit modules that `path` imports at load time (not under `if TYPE_CHECKING:`, not inside functions)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in _load_time_statements(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if base.split(".")[0] != "audit":
                continue
            for alias in node.names:  # `from . import x` imports the module x
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in MODULES else base)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "audit")
    return {module for module in found if module != name}


def _load_time_statements(tree: ast.Module):
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        yield from ast.walk(node) if isinstance(node, (ast.Import, ast.ImportFrom, ast.If, ast.Try)) else ()


FILES = sorted(PACKAGE.rglob("*.py"))
MODULES = {_module_name(path) for path in FILES}
GRAPH = {_module_name(path): _imports(path) for path in FILES}

# Each top-level part of the package and its layer; a module imports only modules of its layer or lower.
LAYERS = {
    "audit": 0, "audit.words": 0, "audit.errors": 0, "audit.models": 0, "audit.text": 0, "audit.resources": 0,
    "audit.outputs": 1, "audit.commandline": 1, "audit.net": 1, "audit.proof": 2, "audit.workers": 1,
    "audit.inventory": 1, "audit.metadata": 1, "audit.faces": 2, "audit.places": 1,
    "audit.text.layout": 3, "audit.text.ocr": 3,  # finding where text is skips face close-ups: it asks the face detector
    "audit.sources": 3, "audit.signals": 3,
    "audit.config": 4,  # checks each account's platform against the source registry
    "audit.scoring": 4, "audit.report": 5, "audit.detect": 5, "audit.steps": 6,
    "audit.clean": 6,  # cleans the pictures of the removal plan (report.plan)
    "audit.runs": 7, "audit.workshop": 7,  # runs the audit (steps) on the kit's personas and reads reports
    "audit.cli": 8, "audit.__main__": 9,
}


def _part(module: str) -> str:
    """The entry of LAYERS that places `module`: the module itself if listed, else its top-level part."""
    parts = module.split(".")
    return module if module in LAYERS else ".".join(parts[:2])


def test_every_module_belongs_to_a_layer():
    assert {_part(module) for module in MODULES} <= set(LAYERS), "add the new package to LAYERS, at its layer"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_imports_nothing_above_its_layer(module):
    higher = {other for other in GRAPH[module] if LAYERS[_part(other)] > LAYERS[_part(module)]}
    assert not higher, f"{module} reaches up into {sorted(higher)}"


def test_sources_and_signals_import_nothing_of_the_report():
    for module, imported in GRAPH.items():
        if _part(module) in ("audit.sources", "audit.signals"):
            assert not {m for m in imported if _part(m) in ("audit.report", "audit.steps", "audit.cli")}, module


def test_the_import_graph_has_no_cycle():
    done, path = set(), []

    def visit(module):
        if module in path:
            raise AssertionError("import cycle: " + " -> ".join(path[path.index(module):] + [module]))
        if module in done:
            return
        path.append(module)
        for other in sorted(GRAPH.get(module, ())):
            if other in GRAPH:
                visit(other)
        path.pop()
        done.add(module)

    for module in sorted(GRAPH):
        visit(module)


def test_i18n_reaches_into_no_other_module():
    assert GRAPH["audit.report.i18n"] <= {"audit.errors", "audit.words"}


# A signal's name written as a string literal: in a comparison, an SQL condition or a (signal, kind) key.
_NAMES = "|".join(re.escape(name) for name in SIGNALS)
SIGNAL_LITERAL = re.compile(
    rf"""signal\W{{0,12}}["']({_NAMES})["']|\(\s*["']({_NAMES})["']\s*,\s*["']\w+["']\s*\)"""
)


def test_no_module_outside_signals_names_a_signal():
    """plan, report, supply and social ask the registry (signals.kinds(role)); a new signal touches none of them."""
    named = [
        f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}"
        for path in FILES
        if "signals" not in path.relative_to(PACKAGE).parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SIGNAL_LITERAL.search(line)
    ]
    assert not named, "\n".join(named)


def test_the_signal_pattern_catches_what_it_is_for():
    """The check above cannot pass by matching nothing."""
    for line in ("if r['signal'] == 'caption-text':", "where findings.signal = 'faces'", "('exif', 'gps'): 3"):
        assert SIGNAL_LITERAL.search(line), line
    assert not SIGNAL_LITERAL.search("return {'places': found}")
