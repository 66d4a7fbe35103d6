"""The committed templates in templates/ are exactly what the current code generates.

They are the files caseworkers receive, so a change to the spec, layout or writer must show
up as a reviewed change to them; and generation must be deterministic for this to hold.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilag4xl.cli import app
from bilag4xl.form.spec import load_spec
from bilag4xl.template.writer import template_filename
from support.dump import dump

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
HOW = "regenerate with scripts/regenerate_templates.sh, review the change and commit templates/"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The templates as scripts/regenerate_templates.sh makes them, in a temporary folder."""
    out = tmp_path_factory.mktemp("templates")
    runner = CliRunner()
    for args in (["--out-dir", str(out)], ["-o", str(out / "bilag4_blank.xlsx")]):
        result = runner.invoke(app, ["template", *args])
        assert result.exit_code == 0, result.output
    return out


def test_every_department_and_the_blank_template_are_committed(fresh: Path) -> None:
    spec = load_spec()
    expected = {template_filename(spec, d.name) for d in spec.round.departments}
    expected.add("bilag4_blank.xlsx")
    assert {p.name for p in fresh.glob("*.xlsx")} == expected
    committed = {p.name for p in TEMPLATES.glob("*.xlsx")}
    assert committed == expected, f"templates/ differs in its files; {HOW}"


def test_the_readable_dumps_say_what_changed(fresh: Path) -> None:
    """Each template's dump (templates/NAME.xlsx.txt) is the current code's, so a review sees a
    changed message as a changed line; reported as a diff of the first lines that differ."""
    for p in sorted(fresh.glob("*.xlsx")):
        committed = TEMPLATES / f"{p.name}.txt"
        want = dump(p.read_bytes())
        have = committed.read_text("utf-8") if committed.is_file() else ""
        if have != want:
            diff = list(difflib.unified_diff(have.splitlines(), want.splitlines(), lineterm=""))
            pytest.fail(f"{committed.name} is stale ({HOW}):\n" + "\n".join(diff[:40]))


def test_committed_templates_are_up_to_date(fresh: Path) -> None:
    stale = [
        p.name
        for p in sorted(fresh.glob("*.xlsx"))
        if not (TEMPLATES / p.name).is_file() or (TEMPLATES / p.name).read_bytes() != p.read_bytes()
    ]
    assert not stale, f"stale templates: {', '.join(stale)}; {HOW}"
