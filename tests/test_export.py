"""`bilag4xl export`: every value entered as one long table for BI tools, as CSV (UTF-8 with
a BOM, formulas neutralised), as an Excel table and as Parquet; the same rows in each, summing
to the round's totals."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from annex_seed import seed_values
from bilag4xl.cli import app
from bilag4xl.export import COLUMNS, TABLE_NAME, export_round, neutralised
from bilag4xl.intake.validate import read_file
from bilag4xl.round.folder import history, open_round
from bilag4xl.template.writer import template_bytes
from support.fill import fill_template

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TMF = "Teknik- og Miljøforvaltningen"
AMOUNT_FIELDS = ("economy.years", "economy.unallocated")


def run(*args: object) -> object:
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def round_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A round with the four example submissions and the faulty one received."""
    folder = tmp_path_factory.mktemp("eksport") / "runde"
    assert run("init", folder).exit_code == 0
    with contextlib.chdir(folder):
        assert run("receive", EXAMPLES / "submissions").exit_code == 0
    return folder


def in_round(folder: Path, monkeypatch: pytest.MonkeyPatch, *args: object) -> object:
    monkeypatch.chdir(folder)
    return run(*args)


def csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_round_as_one_long_table_summing_to_each_departments_total(
    round_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "data.csv"
    result = in_round(round_dir, monkeypatch, "export", "-o", out)
    assert result.exit_code == 0, result.output
    assert "Ikke med: Socialforvaltningen (mangler)" in result.stderr
    rows = csv_rows(out.read_bytes())
    assert tuple(rows[0]) == COLUMNS
    rnd = open_round(round_dir)
    entries = {e.department: e for e in history(rnd)}
    for entry, path in rnd.current():
        sub = read_file(path, rnd.spec).submission
        assert sub is not None
        mine = [r for r in rows if r["department"] == sub.department]
        amounts = [float(r["value"]) for r in mine if r["field"] in AMOUNT_FIELDS]
        assert sum(amounts) == pytest.approx(sub.total)  # values as entered, no totals
        assert {r["file"] for r in mine} == {entry.original_name}
        received = dt.datetime.fromisoformat(mine[0]["received"])
        assert received == entries[sub.department].received_at.replace(microsecond=0)
        assert all(r["unit"] == "1.000 kr." for r in mine if r["field"] in AMOUNT_FIELDS)
    tmf = [r for r in rows if r["department"] == TMF]
    year = next(r for r in tmf if r["field"] == "economy.years")
    assert year["year"] == "2008" and year["label"] == "Beløb pr. år"
    email = next(r for r in tmf if r["field"] == "email")
    assert (email["initiative"], email["year"], email["unit"]) == ("", "", "")
    assert email["value"] == "idachr@tmf.kk.dk" and email["label"] == "E-mail"
    target = next(r for r in tmf if r["field"] == "target_group")
    assert target["initiative"] == "Aftaler om fleksibel udlejning"


def test_text_a_spreadsheet_would_run_is_neutralised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "runde"
    assert run("init", folder).exit_code == 0
    spec = open_round(folder).spec
    names = spec.round.department(TMF).initiatives  # type: ignore[union-attr]
    values = seed_values(names)
    values["cover.caseworker"] = '=HYPERLINK("http://x","klik")'
    values["cover.unit"] = "@SUM(A1)"
    values["initiatives.0.target_group"] = "+45 unge"
    values["initiatives.1.target_group"] = "-10 familier"
    made = fill_template(template_bytes(spec, TMF), values, tmp_path / "tmf.xlsx", spec)
    assert in_round(folder, monkeypatch, "receive", made).exit_code == 0
    plain = in_round(folder, monkeypatch, "export")  # CSV on stdout
    assert plain.exit_code == 0
    rows = csv_rows(plain.stdout_bytes)
    by_field = {(r["initiative"], r["field"]): r["value"] for r in rows}
    assert by_field[("", "caseworker")] == '\'=HYPERLINK("http://x","klik")'
    assert by_field[("", "unit")] == "'@SUM(A1)"
    assert by_field[(names[0], "target_group")] == "'+45 unge"
    assert by_field[(names[1], "target_group")] == "'-10 familier"
    # the reader trims what a cell begins with; a tab or CR that got through is neutralised
    assert [neutralised(t) for t in ("\tx", "\rx", "x=1", "")] == ["'\tx", "'\rx", "x=1", ""]
    # in a workbook text stays text: the same characters, never a formula
    out = tmp_path / "data.xlsx"
    assert in_round(folder, monkeypatch, "export", "-o", out).exit_code == 0
    ws = load_workbook(out)["Data"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == values["cover.caseworker"]]
    assert cells and all(c.data_type == "s" for c in cells)


def test_the_same_rows_as_an_excel_table(
    round_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    csv_file, xlsx_file = tmp_path / "data.csv", tmp_path / "data.xlsx"
    assert in_round(round_dir, monkeypatch, "export", "-o", csv_file).exit_code == 0
    assert in_round(round_dir, monkeypatch, "export", "-o", xlsx_file).exit_code == 0
    rows = csv_rows(csv_file.read_bytes())
    ws = load_workbook(xlsx_file)["Data"]
    (table,) = ws.tables.values()
    assert table.name == TABLE_NAME and table.ref == f"A1:I{len(rows) + 1}"
    got = list(ws.iter_rows(values_only=True))
    assert got[0] == COLUMNS
    assert len(got) == len(rows) + 1
    for row, line in zip(got[1:], rows, strict=True):
        value = row[COLUMNS.index("value")]
        if line["field"] in AMOUNT_FIELDS:
            assert isinstance(value, int | float) and value == float(line["value"])
        assert row[COLUMNS.index("department")] == line["department"]
        assert isinstance(row[COLUMNS.index("received")], dt.datetime)


def test_parquet_has_typed_columns_and_the_same_values(
    round_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import pyarrow.parquet as pq  # the extra bilag4xl[parquet], part of bilag4xl[test]

    out = tmp_path / "data.parquet"
    result = in_round(round_dir, monkeypatch, "export", "-o", out)
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.column_names == [*COLUMNS[:6], "number", *COLUMNS[6:]]
    rows = table.to_pylist()
    csv_file = tmp_path / "data.csv"
    assert in_round(round_dir, monkeypatch, "export", "-o", csv_file).exit_code == 0
    assert len(rows) == len(csv_rows(csv_file.read_bytes()))
    amounts = [r["number"] for r in rows if r["field"] in AMOUNT_FIELDS]
    rnd = open_round(round_dir)
    totals = [read_file(p, rnd.spec).submission.total for _, p in rnd.current()]  # type: ignore[union-attr]
    assert sum(amounts) == pytest.approx(sum(totals))
    assert all(isinstance(r["year"], int) for r in rows if r["field"] == "economy.years")


def test_without_pyarrow_parquet_is_a_clear_usage_error(
    round_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as on a machine without it
    result = in_round(round_dir, monkeypatch, "export", "-o", tmp_path / "data.parquet")
    assert result.exit_code == 2
    assert "pip install 'bilag4xl[parquet]'" in result.stderr
    assert not (tmp_path / "data.parquet").exists()
    wrong = in_round(round_dir, monkeypatch, "export", "--format", "json")
    assert wrong.exit_code == 2 and "csv, xlsx eller parquet" in wrong.stderr


def test_plain_files_outside_a_round_and_the_library_function(
    round_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "filer.csv"
    result = run("export", EXAMPLES, "-o", out)
    assert result.exit_code == 0, result.output
    assert "Ikke med: tmf_haandudfyldt.xlsx (har fejl)" in result.stderr
    rows = csv_rows(out.read_bytes())
    assert {r["file"] for r in rows} == {p.name for p in (EXAMPLES / "submissions").glob("*.xlsx")}
    assert {r["received"] for r in rows} == {""}
    data, left_out = export_round(open_round(round_dir), "csv")
    assert csv_rows(data)[0]["department"] == TMF
    assert "Socialforvaltningen (mangler)" in left_out
    assert run("export", EXAMPLES, "-o", out).exit_code == 2  # exists: not overwritten
    spec = ROOT / "src" / "bilag4xl" / "form" / "default_spec.toml"
    assert run("export", "--spec", spec).exit_code == 2  # no round, no files: nothing to read


def test_amounts_typed_on_the_overview_are_rows_too(tmp_path: Path) -> None:
    from bilag4xl.export import submission_rows
    from bilag4xl.form.spec import load_spec

    spec = load_spec()
    values = seed_values(spec.round.department(TMF).initiatives)  # type: ignore[union-attr]
    values["overview.extra_rows.0.years.2009"] = 77
    values["overview.extra_rows.0.unallocated"] = 5
    made = fill_template(template_bytes(spec, TMF), values, tmp_path / "tmf.xlsx", spec)
    sub = read_file(made, spec).submission
    assert sub is not None
    rows = submission_rows(sub, spec, made.name)
    extra = [r for r in rows if r.field.startswith("overview.")]
    assert [(r.field, r.year, r.value) for r in extra] == [
        ("overview.integration_projects", 2009, 77),
        ("overview.integration_projects.unallocated", None, 5),
    ]
    counted = [r.value for r in rows if r.unit and r.field != "economy.cofinancing"]
    assert sum(counted) == pytest.approx(sub.total)  # type: ignore[arg-type]
