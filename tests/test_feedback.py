"""Feedback workbooks (issue 6): every problem commented at its cell, values preserved."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from bilag4xl.cli import app
from bilag4xl.feedback import feedback_bytes, placed_values, write_feedback
from bilag4xl.form.layout import Role
from bilag4xl.intake.validate import layout_of, read_file
from bilag4xl.issues.report import Severity
from support import libreoffice as lo

ROOT = Path(__file__).resolve().parents[1]
FAULTY = ROOT / "examples" / "faulty" / "tmf_haandudfyldt.xlsx"
VALID = ROOT / "examples" / "submissions" / "kultur-og-fritidsforvaltningen.xlsx"


@pytest.fixture(scope="module")
def feedback_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fb") / "rettelser.xlsx"
    write_feedback(FAULTY, out)
    return out


def _data(path: Path) -> dict:
    result = read_file(path)
    assert result.submission is not None
    data = result.submission.to_json_data()
    data.pop("source")
    return data


def test_every_problem_is_a_comment_at_its_cell(feedback_file: Path) -> None:
    original = read_file(FAULTY)
    problems = [i for i in original.report if i.severity is not Severity.INFO]
    assert len(problems) >= 5  # the faulty example has errors and a warning
    layout = layout_of(original)
    assert layout is not None
    wb = openpyxl.load_workbook(feedback_file)
    for issue in problems:
        assert issue.field, issue
        pos = layout.input(issue.field).pos
        comment = wb[pos.sheet][pos.ref].comment
        assert comment is not None, f"no comment at {pos}"
        assert issue.message_da in comment.text
    # A value that could not be placed stays in the comment (text in an amount cell).
    bad = next(i for i in problems if i.code == "amount-invalid")
    pos = layout.input(bad.field).pos
    assert wb[pos.sheet][pos.ref].value is None
    assert f"«{original.raw[bad.field]}»" in wb[pos.sheet][pos.ref].comment.text
    # Invalid text goes back where it was typed, so the caseworker edits their own words.
    email = layout.input("cover.email").pos
    assert wb[email.sheet][email.ref].value == original.raw["cover.email"]
    choice = next(i for i in problems if i.code == "not-a-choice")
    pos = layout.input(choice.field).pos
    assert wb[pos.sheet][pos.ref].value == original.raw[choice.field]


def test_rettelser_sheet_lists_and_links_every_problem(feedback_file: Path) -> None:
    original = read_file(FAULTY)
    wb = openpyxl.load_workbook(feedback_file)
    assert wb.sheetnames[0] == "Rettelser" and wb.active.title == "Rettelser"
    ws = wb["Rettelser"]
    rows = [r for r in ws.iter_rows(min_row=5) if r[3].value]
    messages = {r[3].value.split("\n")[0] for r in rows}
    expected = {i.message_da for i in original.report if i.severity is not Severity.INFO}
    assert messages == expected
    for r in rows:
        assert r[1].hyperlink is not None
        assert r[1].hyperlink.location == f"'{r[0].value}'!{r[1].value}"


def test_feedback_reads_back_with_the_original_values(feedback_file: Path) -> None:
    assert _data(feedback_file) == _data(FAULTY)
    again = read_file(feedback_file)
    codes = {i.code for i in again.report}
    assert not codes & {"sheet-extra", "value-outside-inputs", "template-mismatch", "sheet-order"}


def test_feedback_of_a_valid_file_has_no_corrections() -> None:
    data = feedback_bytes(read_file(VALID))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert [r for r in wb["Rettelser"].iter_rows(min_row=5) if r[3].value] == []


def test_cli_file_and_folder(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["feedback", str(FAULTY), "-o", str(tmp_path / "a.xlsx")])
    assert res.exit_code == 0, res.output
    again = runner.invoke(app, ["feedback", str(FAULTY), "-o", str(tmp_path / "a.xlsx")])
    assert again.exit_code == 2 and "--force" in again.output
    folder = tmp_path / "in"
    folder.mkdir()
    for src in (FAULTY, VALID):
        (folder / src.name).write_bytes(src.read_bytes())
    res = runner.invoke(app, ["feedback", str(folder), "-o", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "tmf_haandudfyldt_rettelser.xlsx"
    ]


def test_cli_unreadable_file_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_text("navn;beløb\nx;1\n")
    res = CliRunner().invoke(app, ["feedback", str(bad), "-o", str(tmp_path / "o.xlsx")])
    assert res.exit_code == 1 and "Fejl:" in res.output
    assert not (tmp_path / "o.xlsx").exists()


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_completeness_status(
    feedback_file: Path, tmp_path: Path, libreoffice: str
) -> None:
    """LibreOffice's own results for the status formulas equal what Python computes."""
    result = read_file(FAULTY)
    layout = layout_of(result)
    assert layout is not None
    expected = layout.evaluate(placed_values(result, layout))
    statuses = [f.pos for f in layout.formulas if f.op == "missing"]
    saved = tmp_path / "recalc.xlsx"
    lo.recalc_and_save(feedback_file, saved)
    wb = openpyxl.load_workbook(saved, data_only=True)
    for pos in statuses:
        assert wb[pos.sheet][pos.ref].value == expected[pos], pos
    cover = layout.sheet(Role.COVER).name
    assert any(p.sheet == cover and "Dato" in str(expected[p]) for p in statuses)


def test_same_file_names_in_department_folders_do_not_collide(tmp_path: Path) -> None:
    from bilag4xl.feedback import write_feedback_folder

    for dept in ("tmf", "buf"):
        (tmp_path / "in" / dept).mkdir(parents=True)
        (tmp_path / "in" / dept / "bilag4.xlsx").write_bytes(FAULTY.read_bytes())
    results = write_feedback_folder([tmp_path / "in"], tmp_path / "out")
    written = sorted(str(r.out.relative_to(tmp_path / "out")) for r in results if r.out)
    assert written == ["buf/bilag4_rettelser.xlsx", "tmf/bilag4_rettelser.xlsx"]
    again = CliRunner().invoke(app, ["feedback", str(tmp_path / "in"), "-o", str(tmp_path / "out")])
    assert again.exit_code == 2  # refuses before writing anything, without --force
