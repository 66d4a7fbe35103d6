"""The consolidated workbook: content, text safety, formulas and cached values, read-back."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import openpyxl
import pytest

from bilag4xl.consolidate import plan as cp
from bilag4xl.consolidate.decide import merge
from bilag4xl.consolidate.read import is_consolidated, read_consolidated
from bilag4xl.consolidate.write import (
    PAGE_WIDTH_UNITS,
    READABLE_SCALE,
    build_consolidated,
    write_consolidated,
)
from bilag4xl.danish.numbers import EXCEL_FORMAT
from bilag4xl.errors import MergeError, UnreadableFileError
from bilag4xl.form.spec import default_spec_text, parse_spec
from bilag4xl.issues.report import Issue, Report, Severity
from bilag4xl.xlsx.typography import fit_width, text_height
from merge_helpers import INJECTIONS, SPEC, departments, result, submission
from support.mutate import parts, rezip


def subs_all():
    return [submission(d, n) for n, d in enumerate(departments())]


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> tuple[Path, list]:
    subs = subs_all()
    path = tmp_path_factory.mktemp("book") / "samlet.xlsx"
    write_consolidated(path, merge([result(s) for s in subs], SPEC))
    return path, subs


def json_of(subs) -> list[dict]:
    return [s.to_json_data() for s in subs]


def test_read_back_gives_every_submission_field_for_field(book) -> None:
    path, subs = book
    merged_order = [e.submission for e in merge([result(s) for s in subs], SPEC).entries]
    assert json_of(read_consolidated(path)) == json_of(merged_order)
    assert json_of(read_consolidated(path, SPEC)) == json_of(merged_order)


def test_sheets_metadata_and_recognition(book, tmp_path: Path) -> None:
    path, _ = book
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [cp.OVERVIEW, cp.INITIATIVES, cp.SOURCES, cp.ISSUES, cp.METADATA]
    assert wb[cp.METADATA].sheet_state == "veryHidden"
    meta = {r[0]: r[1] for r in wb[cp.METADATA].iter_rows(min_row=2, values_only=True)}
    assert meta["kind"] == "consolidated" and meta["schema"] == cp.SCHEMA
    assert meta["spec_hash"] == SPEC.digest
    assert is_consolidated(path)
    (tmp_path / "junk.xlsx").write_bytes(b"not a zip")
    assert not is_consolidated(tmp_path / "junk.xlsx")
    # The sheet's name spelled with character references is still the merge's sheet (the
    # quick look for its name in the bytes must not pass it over).
    spelled = "".join(f"&#{ord(c)};" for c in cp.METADATA).encode()
    named = f'name="{cp.METADATA}"'.encode()
    referenced = rezip(
        path.read_bytes(),
        {"xl/workbook.xml": lambda x: x.replace(named, b'name="' + spelled + b'"')},
    )
    assert spelled in parts(referenced)["xl/workbook.xml"]
    (tmp_path / "referenced.xlsx").write_bytes(referenced)
    assert is_consolidated(tmp_path / "referenced.xlsx")

    # and in UTF-16 (no UTF-8 bytes of the name): parsed, not passed over
    def utf16(xml: bytes) -> bytes:
        text = xml.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
        return text.encode("utf-16")

    (tmp_path / "utf16.xlsx").write_bytes(rezip(path.read_bytes(), {"xl/workbook.xml": utf16}))
    assert is_consolidated(tmp_path / "utf16.xlsx")


def test_initiatives_sheet_is_a_table_with_every_field(book) -> None:
    path, subs = book
    ws = openpyxl.load_workbook(path)[cp.INITIATIVES]
    (table,) = ws.tables.values()
    n = sum(len(s.initiatives) for s in subs)
    headers = [c.value for c in ws[1]]
    assert table.ref == f"A1:{openpyxl.utils.get_column_letter(len(headers))}{n + 1}"
    assert [c.name for c in table.tableColumns] == headers
    labels = [f.label for f in SPEC.initiative_fields]
    assert set(labels) <= set(headers)
    assert {str(y) for y in SPEC.round.years} <= set(headers)
    for label in (SPEC.economy.cofinancing_label, SPEC.economy.estimated_label):
        assert label in headers
    target = headers.index(SPEC.field("target_group").label) + 1
    letter = openpyxl.utils.get_column_letter(target)
    assert ws.column_dimensions[letter].width >= 40
    assert ws.cell(2, target).alignment.wrap_text


def test_overview_totals_are_formulas_with_correct_cached_values(book) -> None:
    path, subs = book
    formulas = openpyxl.load_workbook(path)[cp.OVERVIEW]
    values = openpyxl.load_workbook(path, data_only=True)[cp.OVERVIEW]
    plan = cp.plan_overview([len(s.initiatives) for s in subs], len(SPEC.overview.extra_rows))
    total_col = cp.AMOUNT_COL + len(SPEC.round.years) + 1
    grand = formulas.cell(plan.total_row + 1, total_col + 1)
    assert grand.data_type == "f" and grand.value.startswith("=SUM(")
    assert formulas.cell(plan.total_row + 1, 1).value == SPEC.overview.total_label
    assert values.cell(plan.total_row + 1, total_col + 1).value == pytest.approx(
        sum(s.total for s in subs)
    )
    for sub, block in zip(subs, plan.blocks, strict=True):
        sub_cell = values.cell(block.subtotal_row + 1, total_col + 1)
        assert sub_cell.value == pytest.approx(sub.total)
        assert formulas.cell(block.subtotal_row + 1, total_col + 1).data_type == "f"
    for y, year in enumerate(SPEC.round.years):
        cell = values.cell(plan.total_row + 1, cp.AMOUNT_COL + y + 1)
        assert cell.value == pytest.approx(sum(s.overview.years[str(year)] for s in subs))
    assert SPEC.overview.footnote in [c.value for c in formulas[plan.footnote_row + 1]]
    assert f"Beløb i {SPEC.round.unit}" == formulas.cell(cp.UNIT_ROW + 1, 1).value
    assert len(formulas._charts) == 1


def test_every_formula_has_a_cached_number(book) -> None:
    path, _ = book
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = z.read(name).decode()
                assert xml.count("<f>") == xml.count("</f><v>")


def test_sources_sheet_has_provenance(book) -> None:
    path, subs = book
    ws = openpyxl.load_workbook(path)[cp.SOURCES]
    headers = [c.value for c in ws[1]]
    row = {h: c.value for h, c in zip(headers, ws[2], strict=True)}
    first = subs[0]
    assert row["Fil"] == first.source.file and row["SHA-256"] == first.source.sha256
    assert row["Skabelon-id"] == first.template.id and row["Spec-hash"] == SPEC.digest
    assert row[SPEC.field("caseworker").label] == first.cover["caseworker"]
    assert row[SPEC.field("date").label].date() == first.cover["date"]
    assert row["Validering"] == "Gyldig" and row["Fejl"] == 0 and row["Advarsler"] == 0


@pytest.mark.parametrize("payload", INJECTIONS)
def test_formula_like_text_stays_plain_text(payload: str, tmp_path: Path) -> None:
    fields = [
        "cover.caseworker",
        "cover.unit",
        "initiatives.0.target_group",
        "initiatives.0.economy.note",
        "initiatives.1.status.text",
    ]
    sub = submission(departments()[0], 3, overrides=dict.fromkeys(fields, payload))
    path = write_consolidated(tmp_path / "x.xlsx", merge([result(sub)], SPEC))
    wb = openpyxl.load_workbook(path)
    hits = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == payload]
    assert len(hits) == len(fields)
    assert all(c.data_type == "s" and c.hyperlink is None for c in hits)
    assert all(not ws._hyperlinks for ws in wb.worksheets)
    (back,) = read_consolidated(path)
    assert back.to_json_data() == sub.to_json_data()


def test_same_inputs_in_any_order_give_identical_bytes() -> None:
    results = [result(s) for s in subs_all()]
    outputs = set()
    for seed in range(3):
        random.Random(seed).shuffle(results)
        outputs.add(build_consolidated(merge(results, SPEC)))
    assert len(outputs) == 1


def test_allow_invalid_flags_the_submission_and_lists_its_errors(tmp_path: Path) -> None:
    good, bad = submission(departments()[0]), submission(departments()[1], 2)
    issue = Issue(
        "field.required",
        Severity.ERROR,
        "Feltet mangler",
        "missing",
        file=f"/in/{bad.source.file}",
        sheet="Forside",
        cell="B9",
        field="cover.email",
    )
    warn = Issue("amount.text", Severity.WARNING, "Tal læst fra tekst", "x", file=good.source.file)
    results = [result(good, report=Report([warn])), result(bad, report=Report([issue]))]
    merged = merge(results, SPEC, allow_invalid=True)
    path = write_consolidated(tmp_path / "x.xlsx", merged)
    wb = openpyxl.load_workbook(path)
    sources = list(wb[cp.SOURCES].iter_rows(min_row=2, values_only=True))
    result_col = [c.value for c in wb[cp.SOURCES][1]].index("Validering")
    assert [r[result_col] for r in sources] == ["Gyldig med advarsler", "Ugyldig"]
    rows = list(wb[cp.ISSUES].iter_rows(values_only=True))
    # Danish first: the message beside the file and severity, the code in the last column
    assert rows[0] == ("Fil", "Forvaltning", "Alvor", "Besked", "Ark", "Celle", "Felt", "Kode")
    listed = {(r[0], r[2], r[3], r[4], r[5], r[7]) for r in rows[1:]}
    assert (bad.source.file, "fejl", "Feltet mangler", "Forside", "B9", "field.required") in listed
    assert (good.source.file, "advarsel", "Tal læst fra tekst", None, None, "amount.text") in listed
    assert "allow-invalid" in wb[cp.OVERVIEW]["A3"].value
    assert json_of(read_consolidated(path)) == json_of([good, bad])


def test_a_refused_merge_writes_nothing(tmp_path: Path) -> None:
    merged = merge([], SPEC)
    with pytest.raises(MergeError):
        write_consolidated(tmp_path / "x.xlsx", merged)
    assert list(tmp_path.iterdir()) == []


def test_reading_refuses_another_spec_and_edited_sheets(book, tmp_path: Path) -> None:
    path, _ = book
    other = parse_spec(default_spec_text().replace('version = "1"', 'version = "2"'))
    with pytest.raises(UnreadableFileError, match="anden spec"):
        read_consolidated(path, other)
    wb = openpyxl.load_workbook(path)
    wb[cp.INITIATIVES]["D1"] = "Noget andet"
    wb.save(tmp_path / "edited.xlsx")
    with pytest.raises(UnreadableFileError, match="Indsatser"):
        read_consolidated(tmp_path / "edited.xlsx")
    with pytest.raises(UnreadableFileError):
        read_consolidated(Path(__file__))


# --------------------------------------------------------------------------- how it prints


def test_every_sheet_prints_landscape_readably_with_its_header(book) -> None:
    """It printed as 25 portrait pages with the columns cut between them; then "Indsatser"
    and "Kilder" fitted to one page wide in 4-point type. A sheet is fitted to the page's
    width only where that keeps READABLE_SCALE; a wider one runs over more pages across,
    its first columns (which row is which) repeated on each."""
    path, _ = book
    wb = openpyxl.load_workbook(path)
    headers = {cp.OVERVIEW: cp.HEADER_ROW + 1, cp.INITIATIVES: 1, cp.SOURCES: 1, cp.ISSUES: 1}
    fitted = {cp.OVERVIEW, cp.ISSUES}
    repeated = {cp.INITIATIVES: "$A:$D", cp.SOURCES: "$A:$A"}
    for name, row in headers.items():
        ws = wb[name]
        setup = ws.page_setup
        assert (setup.orientation, int(setup.paperSize)) == ("landscape", 9), name
        assert ws.print_title_rows == f"${row}:${row}", name
        widths = [d.width for d in ws.column_dimensions.values() if d.width]
        if name in fitted:
            assert ws.sheet_properties.pageSetUpPr.fitToPage, name
            assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0), name  # 1: the default
            assert sum(widths) * READABLE_SCALE / 100 <= PAGE_WIDTH_UNITS, name
        else:
            assert not ws.sheet_properties.pageSetUpPr.fitToPage, name
            assert int(setup.scale) == READABLE_SCALE, name
            assert ws.print_title_cols == repeated[name], name


def test_the_chart_starts_a_page_of_its_own(book) -> None:
    """The chart began on page 1 and ended on page 2 under the repeated header row."""
    path, subs = book
    ws = openpyxl.load_workbook(path)[cp.OVERVIEW]
    plan = cp.plan_overview([len(s.initiatives) for s in subs], len(SPEC.overview.extra_rows))
    assert [b.id for b in ws.row_breaks.brk] == [plan.chart_row]  # a break above its row
    (chart,) = ws._charts
    anchor = chart.anchor._from
    assert (anchor.row, anchor.col) == (plan.chart_row, cp.DEPT_COL)
    assert anchor.rowOff > 0  # below the break, or LibreOffice also puts it on the page before


def test_amounts_and_the_chart_axis_use_danish_digits(book) -> None:
    """The axis showed "20000000" and cells "412,000" in LibreOffice."""
    path, _ = book
    ws = openpyxl.load_workbook(path)[cp.OVERVIEW]
    total = ws.cell(cp.HEADER_ROW + 2, cp.AMOUNT_COL + len(SPEC.round.years) + 2)
    assert total.number_format == EXCEL_FORMAT
    with zipfile.ZipFile(path) as z:
        chart = z.read("xl/charts/chart1.xml").decode()
    value_axis = chart[chart.index("<c:valAx>") :]
    assert f'formatCode="{EXCEL_FORMAT}"' in value_axis


def test_header_rows_fit_their_words(book) -> None:
    path, subs = book
    wb = openpyxl.load_workbook(path)
    plan = cp.plan_overview([len(s.initiatives) for s in subs], len(SPEC.overview.extra_rows))
    ws = wb[cp.OVERVIEW]
    for row in (cp.HEADER_ROW + 1, plan.summary_header_row + 1):
        for cell in ws[row]:
            if not cell.value:
                continue
            width = ws.column_dimensions[cell.column_letter].width
            assert width >= fit_width(cell.value, 0), cell.value
            assert ws.row_dimensions[row].height >= text_height(cell.value, width, "header")
