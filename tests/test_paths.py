"""Field paths are built and taken apart in one place, and the two are inverses."""

from __future__ import annotations

import pytest

from bilag4xl.form import paths
from bilag4xl.form.layout import plan
from bilag4xl.form.spec import load_spec


def test_every_input_of_a_template_parses_back_to_its_path() -> None:
    spec = load_spec()
    layout = plan(spec, None, ["A", None])
    for inp in layout.inputs:
        parsed = paths.parse(inp.path)
        assert parsed is not None and str(parsed) == inp.path, inp.path


@pytest.mark.parametrize(
    ("path", "section", "index", "key"),
    [
        ("cover.email", "cover", None, "email"),
        ("initiatives.2.follow_up.text", "initiative", 2, "follow_up.text"),
        ("initiatives.0.name", "initiative", 0, "name"),
        ("initiatives.1.economy.years.2024", "economy", 1, "years.2024"),
        ("initiatives.1.economy.cofinancing", "economy", 1, "cofinancing"),
        ("overview.extra_rows.0.unallocated", "extra", 0, "unallocated"),
    ],
)
def test_parse(path: str, section: str, index: int | None, key: str) -> None:
    assert paths.parse(path) == (section, index, key)


@pytest.mark.parametrize("path", ["", "cover", "initiatives.x.name", "overview.total", "y.1"])
def test_not_a_path(path: str) -> None:
    assert paths.parse(path) is None


def test_year_initiative_and_tree_helpers() -> None:
    assert paths.parse(paths.year(3, 2025)).year == "2025"  # type: ignore[union-attr]
    assert paths.initiative_of("initiatives.4.economy.note") == 4
    assert paths.initiative_of("cover.email") is None
    tree: dict = {}
    paths.put(tree, "initiatives.0.economy.years.2024", 5)
    assert paths.lookup(tree, "initiatives.0.economy.years.2024") == 5
    assert paths.lookup(tree, "initiatives.0.missing.deeper") is None
