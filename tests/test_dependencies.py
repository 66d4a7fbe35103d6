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
# Run by Debian's own Python with python3-uno, never by the installed package.
OUTSIDE = {SOURCE / "testing" / "_uno_worker.py"}


def imported_modules() -> set[str]:
    found = set()
    for path in SOURCE.rglob("*.py"):
        if path in OUTSIDE:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"bilag4xl"}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return {normalise(re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0]) for d in project["dependencies"]}


def test_every_imported_package_is_a_declared_dependency() -> None:
    distributions = packages_distributions()
    needed = {
        module: {normalise(d) for d in distributions.get(module, [module])}
        for module in imported_modules()
    }
    missing = {m: d for m, d in needed.items() if not d & declared()}
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
