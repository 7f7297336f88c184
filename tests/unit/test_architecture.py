"""The shape of the package, as ARCHITECTURE.md draws it, checked on every run.

Imports go down a fixed order of subpackages (errors and events at the bottom, the composition
roots and tools at the top), so the package graph has no cycles. The few imports that still go up
are listed one by one with the reason; a new one fails here, and an entry that is no longer in the
code fails too, so the list only shrinks. Command modules (``cli.py``, ``*/commands.py``) wire
everything together and may import anything. No file of the package is over ~400 lines.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import companion

PACKAGE = Path(companion.__file__).parent

LAYERS: tuple[tuple[str, ...], ...] = (
    ("companion", "errors", "events", "feed", "atomicfile", "fairlock"),  # the root (its version), errors, events, file
    # writing, a first-come lock (one model shared by threads)
    ("consent",),  # consent records, signing, trust anchor: used by the bundle store and the ethics gate
    ("remote",),  # the Wyoming link to a home server (connection, deadline, address rules, fall-back, protocol keys)
    ("models",),  # the model store and manifest
    ("config",),  # the frozen settings tree
    ("build",),  # building models (the LM export), never on the device's hot path
    ("audio",),
    ("vad", "wake", "hw", "asr", "tts"),  # one small interface per stage + adapters
    ("persona",),  # the persona engine and its stores
    ("voice",),  # voice cloning (training-side tools)
    ("ethics",),  # consent gate, disclosure, watermark, guardrails: depends on persona's interface
    ("service",),  # the composition root, pipeline and supervisor
    ("homeserver",),  # `companion serve` and the satellite: more entry points built from the same pieces
    ("bench", "frame"),  # benchmarks; the frame is a listener that imports only the event schema
)
"""Bottom to top: a module may import its own subpackage and any subpackage in a lower layer."""

RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}

KNOWN_UPWARD: dict[tuple[str, str], str] = {}
"""Imports that go up the layers today, importer -> imported, with why: none. Where one seems
needed, move the shared piece down (as remote/ was) or let the owning package check its own rules
(as ethics/settings.py does for the [ethics] settings) instead of listing it here."""

MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str) -> bool:
    where = PACKAGE.parent.joinpath(*name.split("."))
    return where.with_suffix(".py").is_file() or (where / "__init__.py").is_file()


def _unit(name: str) -> str:
    """The subpackage (or top-level module) a module belongs to: ``companion.persona.lm.engine`` -> persona."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _imports(path: Path) -> set[str]:
    """The companion modules ``path`` imports, at module level or inside functions."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            # `from .x import y`: y is a module when it is one, else a name in x
            targets = [f"{module}.{a.name}" if _is_module(f"{module}.{a.name}") else module for a in node.names]
        else:
            continue
        for target in targets:
            if target == "companion" or target.startswith("companion."):
                while not _is_module(target) and "." in target:
                    target = target.rpartition(".")[0]
                found.add(target)
    return found


def _is_command(name: str) -> bool:
    return name in ("companion.cli", "companion.__main__") or name.endswith(".commands")


def _package_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _cross_imports() -> dict[tuple[str, str], set[tuple[str, str]]]:
    """(importer unit, imported unit) -> the module pairs behind it, commands left out."""
    edges: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for path in _package_files():
        importer = _module_name(path)
        if _is_command(importer):
            continue
        for imported in _imports(path):
            if _unit(importer) != _unit(imported):
                edges[(_unit(importer), _unit(imported))].add((importer, imported))
    return edges


def test_every_subpackage_has_a_layer() -> None:
    units = {_unit(_module_name(p)) for p in _package_files()} - {"cli", "__main__"}
    assert units - set(RANK) == set(), "add the new subpackage to LAYERS (where it sits decides what it may import)"


def test_imports_go_down_the_layers() -> None:
    upward = {pair for (a, b), pairs in _cross_imports().items() if RANK[b] > RANK[a] for pair in pairs}
    new = sorted(upward - set(KNOWN_UPWARD))
    assert not new, (
        "these imports go up the layers (see LAYERS): import the lower package's interface instead, "
        f"or move the shared piece down: {new}"
    )
    gone = sorted(set(KNOWN_UPWARD) - upward)
    assert not gone, f"no longer imported: remove these from KNOWN_UPWARD so the list keeps shrinking: {gone}"


def test_the_package_graph_has_no_cycles_but_the_known_upward_imports() -> None:
    """Follows from the layers; checked directly so a change to LAYERS cannot hide a cycle."""
    graph: dict[str, set[str]] = defaultdict(set)
    for (a, b), pairs in _cross_imports().items():
        if pairs - set(KNOWN_UPWARD):
            graph[a].add(b)
    visiting: list[str] = []
    done: set[str] = set()

    def visit(unit: str) -> None:
        if unit in visiting:
            raise AssertionError(f"import cycle between packages: {' -> '.join(visiting[visiting.index(unit):] + [unit])}")
        if unit in done:
            return
        visiting.append(unit)
        for nxt in sorted(graph[unit]):
            visit(nxt)
        visiting.pop()
        done.add(unit)

    for unit in sorted(graph):
        visit(unit)


def test_the_rules_the_architecture_names() -> None:
    edges = _cross_imports()
    importers = {a for a, _ in edges}
    assert {b for (a, b) in edges if a == "consent"} <= {"errors", "atomicfile"}, "consent is a small module everything may use"
    assert {b for (a, b) in edges if a == "remote"} <= {"errors"}, "the home-server link is a small module the stages may use"
    assert {b for (a, b) in edges if a == "config"} <= {"errors", "models", "remote"}, "the settings tree checks shapes, not policy"
    assert ("persona", "ethics") not in edges, "ethics depends on persona's interface, not the reverse"
    assert ("service", "frame") not in edges, "nothing in service/ imports the frame (it listens to the feed)"
    assert ("service", "voice") not in edges, "the device runtime never imports the voice-cloning tools"
    assert {b for (a, b) in edges if a == "frame"} - {"feed", "config", "errors", "consent", "ethics", "persona", "service"} == set()
    assert "events" not in importers or {b for (a, b) in edges if a == "events"} <= {"companion", "errors"}


def test_the_import_walker_resolves_relative_and_lazy_imports() -> None:
    """The checks above are only as good as this: a lazy relative import inside a method is seen."""
    setup = _imports(PACKAGE / "ethics" / "setup.py")
    assert "companion.ethics.gate" in setup  # `from .gate import ...` inside a function
    assert "companion.persona.embedder" in setup  # `from ..persona.embedder import ...` inside a function
    settings = _imports(PACKAGE / "ethics" / "settings.py")
    assert "companion.config.check" in settings and all(_is_module(m) for m in settings)  # names imported from a module are not modules
    assert "companion.remote.protocol" in _imports(PACKAGE / "persona" / "wyoming_client.py")
    assert _unit("companion.persona.lm.engine") == "persona" and _unit("companion") == "companion"


def test_no_file_of_the_package_is_over_400_lines() -> None:
    long = {str(p.relative_to(PACKAGE)): n for p in _package_files()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"one idea per file (~{MAX_LINES} lines at most): split {long}"


def test_no_two_test_files_share_a_name() -> None:
    """The tests are not packages (no __init__.py): pytest imports each file by its base name, so a
    second tests/*/test_x.py stops the whole run at collection (it did, in a merge)."""
    tests = Path(__file__).resolve().parents[1]
    seen: dict[str, list[str]] = defaultdict(list)
    for path in tests.rglob("test_*.py"):
        seen[path.name].append(str(path.relative_to(tests)))
    assert not {name: paths for name, paths in seen.items() if len(paths) > 1}
