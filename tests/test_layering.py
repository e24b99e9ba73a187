"""Tests of the package layering and kernel conventions (style guide S1, S7)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    """Returns the absolute module names a file imports (lazy imports included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize(
    "path", sorted((ROOT / "kernels").glob("*.py")), ids=lambda p: p.name
)
def test_kernels_import_only_numpy_and_numba(path):
    """Tests that carecap.kernels imports no other part of carecap (one-way
    layering) and none of the heavy libraries above it."""
    for name in _imports(path):
        top = name.split(".")[0]
        assert top not in {"pandas", "pydantic", "ortools"}, name
        if top == "carecap":
            assert name.startswith("carecap.kernels"), name


@pytest.mark.parametrize(
    "path",
    sorted(
        p
        for folder in ("optimizer", "kernels", "instances", "tests", "benchmarks")
        for p in (ROOT / folder).rglob("*.py")
    ),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_code_imports_carecap_not_the_folder_names(path):
    """Tests that no code imports the repository folders by name (optimizer,
    kernels, instances): the installed package is carecap."""
    for name in _imports(path):
        assert name.split(".")[0] not in {"optimizer", "kernels", "instances"}, name


@pytest.mark.parametrize(
    "path", sorted((ROOT / "kernels").glob("*.py")), ids=lambda p: p.name
)
def test_kernels_take_numba_options_from_config(path):
    """Tests that no kernel hard-codes cache= or fastmath= (they come from _config)."""
    if path.name == "_config.py":
        return
    text = path.read_text(encoding="utf-8")
    assert "cache=" not in text
    assert "fastmath=" not in text


@pytest.mark.parametrize("package", ["optimizer", "kernels"])
def test_library_code_does_not_print(package):
    """Tests that library modules log instead of printing (the CLI modules print)."""
    for path in (ROOT / package).glob("*.py"):
        if path.name == "cli.py" or path.name.endswith("_cli.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print"
        ]
        assert not calls, path.name
