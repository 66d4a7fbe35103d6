"""Every package the code imports is declared, so a fresh install has it (an undeclared
`import click` once crashed every command in a terminal)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "bilag4xl"


def imported_modules(guarded: bool = False) -> set[str]:
    """Every package the code imports; with `guarded`, only those imported inside a `try`
    that catches ImportError (an optional extra's, with a message when it is missing)."""
    found = set()
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        roots = [t for t in ast.walk(tree) if _catches_import_error(t)] if guarded else [tree]
        for root in roots:
            for node in ast.walk(root):
                if isinstance(node, ast.Import):
                    found |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"bilag4xl"}


def _catches_import_error(node: ast.AST) -> bool:
    return isinstance(node, ast.Try) and any(
        isinstance(h.type, ast.Name) and h.type.id == "ImportError" for h in node.handlers
    )


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(extras: bool = False) -> set[str]:
    """The dependencies; with `extras`, also those of the optional extras."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    listed = list(project["dependencies"])
    if extras:
        listed += [d for deps in project["optional-dependencies"].values() for d in deps]
    return {normalise(re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0]) for d in listed}


def test_every_imported_package_is_a_declared_dependency() -> None:
    distributions = packages_distributions()
    needed = {
        module: {normalise(d) for d in distributions.get(module, [module])}
        for module in imported_modules()
    }
    optional = imported_modules(guarded=True)  # an extra's: said clearly when missing
    missing = {m: d for m, d in needed.items() if not d & declared(extras=m in optional)}
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


def test_each_dependency_is_declared_once() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    names = [normalise(re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0]) for d in project["dependencies"]]
    extras = [
        normalise(re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0])
        for deps in project["optional-dependencies"].values()
        for d in deps
    ]
    assert len(names) == len(set(names))
    assert not set(names) & set(extras)


def test_the_library_never_imports_openpyxl() -> None:
    """openpyxl fills templates in the test helpers (tests/support) only: the library reads
    with python-calamine and its own XML scanner, so the README can say it is not needed at
    run time."""
    assert "openpyxl" not in imported_modules()
