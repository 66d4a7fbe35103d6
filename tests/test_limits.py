"""The reader's limits never refuse what bilag4xl itself writes: the largest template, and a
consolidated workbook (under limits of its own, which merge checks its output against)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilag4xl.cli.app import app
from bilag4xl.errors import SpecError
from bilag4xl.form import limits
from bilag4xl.form.layout import plan
from bilag4xl.form.spec import Spec
from bilag4xl.intake.workbook import read_bytes, refusal
from bilag4xl.template.writer import build, resolve_initiatives
from filled import SPEC

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "submissions"
runner = CliRunner()


def test_the_largest_template_reads_within_the_limits() -> None:
    """200 initiatives, a 10-year period, a feedback sheet: the largest template there is."""
    data = SPEC.model_dump(mode="json")
    data["round"].update(first_year=2008, last_year=2017)
    spec = Spec.model_validate(data)
    workbook = build(plan(spec, None, [None] * limits.MAX_INITIATIVES, feedback=True))
    assert len(read_bytes(workbook).sheets) == limits.MAX_INITIATIVES + 5
    assert refusal(workbook, limits.SUBMISSION) is None


def test_no_template_holds_more_initiatives_than_the_reader_reads() -> None:
    with pytest.raises(SpecError, match="højst 200"):
        resolve_initiatives(SPEC, None, [f"Indsats {n}" for n in range(150)], 51)


def _smaller(base: limits.Limits, **changes: int) -> limits.Limits:
    return dataclasses.replace(base, **changes)


def test_consolidated_reads_back_under_its_own_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "samlet.xlsx"
    assert runner.invoke(app, ["merge", str(EXAMPLES), "-o", str(out)]).exit_code == 0
    # Parts far larger than a submission may have do not matter: merge output is read
    # under limits.CONSOLIDATED (the 129 MB part of a 3,000-submission round, in small).
    monkeypatch.setattr(limits, "SUBMISSION", _smaller(limits.SUBMISSION, part_bytes=4096))
    read = runner.invoke(app, ["read", str(out), "--json"])
    assert read.exit_code == 0, read.output
    report = runner.invoke(app, ["report", str(out), "-o", str(tmp_path / "bilag.md")])
    assert report.exit_code == 0, report.output


def test_merge_never_writes_what_read_would_refuse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = _smaller(limits.CONSOLIDATED, part_bytes=16 * 1024)
    monkeypatch.setattr(limits, "CONSOLIDATED", small)
    out = tmp_path / "samlet.xlsx"
    result = runner.invoke(app, ["merge", str(EXAMPLES), "-o", str(out)])
    assert result.exit_code == 1 and "for stor til at læse igen" in result.output
    assert not out.exists()
    monkeypatch.setattr(limits, "CONSOLIDATED", dataclasses.replace(small, part_bytes=2**30))
    assert runner.invoke(app, ["merge", str(EXAMPLES), "-o", str(out)]).exit_code == 0
    monkeypatch.setattr(limits, "CONSOLIDATED", small)  # as read refuses it, merge did
    read = runner.invoke(app, ["read", str(out)])
    assert read.exit_code == 1 and "pakkes ud" in read.output
