"""The generated template, read back with openpyxl as an independent reader.

Cells are found through `layout.plan` (the map writer and reader share), and a few literal
positions are asserted as well, so a silent shift of the layout convention fails here.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from bilag4xl.cli import app
from bilag4xl.form.layout import Input, Layout, Pos, Role, plan
from bilag4xl.form.spec import Kind, Spec, load_spec
from bilag4xl.template.writer import build, resolve_initiatives, template_filename
from bilag4xl.xlsx import excel

TMF = "Teknik- og Miljøforvaltningen"
TARGET_GROUP_HELP = (
    "Angiv gerne antal, køn, alder, nationalitet eller andre relevante baggrundsvariable."
)
runner = CliRunner()


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load_spec()


@pytest.fixture(scope="module")
def layout(spec: Spec) -> Layout:
    return plan(spec, TMF, resolve_initiatives(spec, TMF))


@pytest.fixture(scope="module")
def wb(layout: Layout) -> Workbook:
    return openpyxl.load_workbook(io.BytesIO(build(layout)))


def load(data: bytes, data_only: bool = False) -> Workbook:
    return openpyxl.load_workbook(io.BytesIO(data), data_only=data_only)


def cell(wb: Workbook, pos: Pos) -> openpyxl.cell.Cell:
    return wb[pos.sheet].cell(pos.row + 1, pos.col + 1)


def validation_at(ws: Worksheet, ref: str) -> DataValidation:
    found = [dv for dv in ws.data_validations.dataValidation if ref in dv.sqref]
    assert len(found) == 1, f"{ws.title}!{ref}: {len(found)} validations"
    return found[0]


def cells(ws: Worksheet) -> Iterator[openpyxl.cell.Cell]:
    """Every real cell of a sheet (merged continuation cells carry nothing of their own)."""
    for row in ws.iter_rows():
        yield from (c for c in row if not isinstance(c, MergedCell))


def column_header(i: Input) -> Pos:
    """The header of a per-column amount input: always the cell directly above."""
    return Pos(i.pos.sheet, i.pos.row - 1, i.pos.col)


def is_column_amount(i: Input) -> bool:
    return i.field.kind == Kind.AMOUNT and (".years." in i.path or i.path.endswith("unallocated"))


# --------------------------------------------------------------------------- structure


def test_sheet_names_and_order(wb: Workbook, layout: Layout) -> None:
    initiatives = [s.name for s in layout.initiative_sheets()]
    assert wb.sheetnames == ["Vejledning", "Forside", *initiatives, "Økonomi", "_bilag4xl"]
    assert initiatives == [
        "1. Aftaler om fleksibel udlejn…",
        "2. Områdeløft",
        "3. Landsbyggefondens pulje til…",
    ]
    states = {ws.title: ws.sheet_state for ws in wb.worksheets}
    assert states.pop("_bilag4xl") == "veryHidden"
    assert set(states.values()) == {"visible"}


def test_every_sheet_is_protected_and_the_structure_locked(wb: Workbook) -> None:
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
        # openpyxl flags mean "prohibited": selecting cells stays allowed for the user.
        assert not ws.protection.selectUnlockedCells, ws.title
    assert wb.security is not None and wb.security.lockStructure


def test_inputs_are_unlocked_and_every_other_cell_locked(wb: Workbook, layout: Layout) -> None:
    inputs = {i.pos for i in layout.inputs}
    assert inputs, "the layout has no inputs"
    for ws in wb.worksheets:
        for c in cells(ws):
            pos = Pos(ws.title, c.row - 1, c.column - 1)
            if pos in inputs:
                assert not c.protection.locked, f"input {pos} is locked"
            elif c.value is not None:
                assert c.protection.locked, f"{pos} = {c.value!r} is not locked"
    written = {Pos(ws.title, c.row - 1, c.column - 1) for ws in wb.worksheets for c in cells(ws)}
    assert inputs <= written


def test_input_labels_left_and_amount_headers_above(wb: Workbook, layout: Layout) -> None:
    for i in layout.inputs:
        if is_column_amount(i):
            head = column_header(i)
            assert str(cell(wb, head).value) == i.field.label, f"{i.path}: header at {head}"
        else:
            left = Pos(i.pos.sheet, i.pos.row, i.pos.col - 1)
            assert cell(wb, left).value == i.field.label, f"{i.path}: label at {left}"


def test_literal_positions_pin_the_convention(wb: Workbook) -> None:
    cover, area, overview = wb["Forside"], wb["2. Områdeløft"], wb["Økonomi"]
    assert cover["A4"].value == "Status for udfyldelse" and cover["B4"].value.startswith("=IF(")
    assert (cover["A10"].value, cover["B10"].protection.locked) == ("Sagsbehandler", False)
    assert (cover["A16"].value, cover["B16"].number_format) == ("Dato", "dd.mm.yyyy")
    assert (area["A3"].value, area["B3"].value) == ("Indsats", "Områdeløft")
    assert [area.cell(7, c).value for c in range(2, 8)] == [
        "2008",
        "2009",
        "2010",
        "2011",
        "Ikke fordelt på år",
        "I alt",
    ]
    assert area["A8"].value == "Beløb pr. år" and not area["B8"].protection.locked
    assert area["G8"].value == "=SUM(B8:F8)" and area["G8"].protection.locked
    assert (area["A13"].value, area["B13"].protection.locked) == ("Målgruppe", False)
    assert overview["A8"].value == "Øvrige beløb – skrives i de gule felter"
    assert overview["A9"].value == "Integrationsprojekter – samlet beløb*"
    assert overview["A10"].value == "I ALT"
    assert overview["G10"].value == "=SUM(G5:G7,G9)"
    assert overview["B6"].value == "='2. Områdeløft'!B8"


# --------------------------------------------------------------------------- validations


def test_target_group_prompt_is_the_seed_help_text(wb: Workbook, layout: Layout) -> None:
    i = layout.input("initiatives.1.target_group")
    dv = validation_at(wb[i.pos.sheet], i.pos.ref)
    assert dv.showInputMessage
    assert (dv.promptTitle, dv.prompt) == ("Målgruppe", TARGET_GROUP_HELP)


def test_every_input_has_a_validation_with_a_prompt(wb: Workbook, layout: Layout) -> None:
    for i in layout.inputs:
        dv = validation_at(wb[i.pos.sheet], i.pos.ref)
        assert dv.showInputMessage and dv.prompt, i.path
        assert dv.promptTitle == i.field.prompt_title, i.path
        assert len(dv.promptTitle) <= excel.PROMPT_TITLE_MAX


def test_choices_are_list_validations(wb: Workbook, layout: Layout) -> None:
    choices = [i for i in layout.inputs if i.field.kind in (Kind.CHOICE, Kind.YESNO)]
    assert {i.path.split(".", 2)[-1] for i in choices} >= {
        "follow_up.evaluation",
        "follow_up.statistical",
        "status.assessment",
        "economy.estimated",
    }
    for i in choices:
        dv = validation_at(wb[i.pos.sheet], i.pos.ref)
        assert dv.type == "list", i.path
        assert dv.formula1 == '"' + ",".join(i.field.options) + '"', i.path
        assert dv.showErrorMessage and dv.errorStyle in (None, "stop"), i.path
    statistical = layout.input("initiatives.0.follow_up.statistical")
    assert validation_at(wb[statistical.pos.sheet], statistical.pos.ref).formula1 == '"Ja,Nej"'


def test_amounts_are_decimals_from_zero(wb: Workbook, layout: Layout, spec: Spec) -> None:
    amounts = [i for i in layout.inputs if i.field.kind == Kind.AMOUNT]
    assert len(amounts) == 3 * 6 + 5  # per initiative: 4 years, unallocated, co-financing
    for i in amounts:
        dv = validation_at(wb[i.pos.sheet], i.pos.ref)
        assert dv.type == "decimal", i.path
        assert dv.operator in (None, "between"), i.path
        assert float(dv.formula1) == 0 and float(dv.formula2) == spec.max_amount


def test_blank_template_lets_the_user_pick_the_department(spec: Spec) -> None:
    layout = plan(spec, None, resolve_initiatives(spec, None))
    wb = load(build(layout))
    department = layout.input("cover.department")
    dv = validation_at(wb[department.pos.sheet], department.pos.ref)
    assert dv.type == "list"
    assert dv.formula1 == '"' + ",".join(d.name for d in spec.round.departments) + '"'


# --------------------------------------------------------------------------- formulas


def test_formula_cells_hold_the_layout_formulas(wb: Workbook, layout: Layout) -> None:
    assert layout.formulas
    for f in layout.formulas:
        assert cell(wb, f.pos).value == f.excel(), str(f.pos)


PREFILL = {
    **{f"initiatives.0.economy.years.{y}": 0 for y in (2008, 2009, 2010, 2011)},
    "initiatives.1.economy.unallocated": 130000,
    "initiatives.2.economy.unallocated": 282000,
    "initiatives.2.economy.cofinancing": 58000,
}


def test_prefilled_template_caches_the_totals(layout: Layout) -> None:
    wb = load(build(layout, PREFILL), data_only=True)
    totals = {
        s.index: next(f.pos for f in layout.formulas if f.pos.sheet == s.name and f.op == "sum")
        for s in layout.initiative_sheets()
    }
    assert [cell(wb, totals[n]).value for n in range(3)] == [0, 130000, 282000]
    overview = wb["Økonomi"]
    assert [overview[f"G{r}"].value for r in (5, 6, 7, 10)] == [0, 130000, 282000, 412000]
    assert overview["A10"].value == "I ALT" and overview["H10"].value == 58000
    assert overview["A6"].value == "Områdeløft"
    assert wb["2. Områdeløft"]["G8"].value == 130000
    assert wb["2. Områdeløft"]["B8"].value is None


def test_metadata_sheet_identifies_the_template(wb: Workbook, layout: Layout, spec: Spec) -> None:
    ws = wb["_bilag4xl"]
    meta = {r[0].value: r[1].value for r in ws.iter_rows(min_row=2, max_col=2)}
    assert meta == layout.metadata()
    assert meta["template_id"] == layout.template_id and len(meta["template_id"]) == 16
    assert meta["spec_hash"] == spec.digest
    assert (meta["department"], meta["period"]) == (TMF, "2008-2011")


def test_print_setup_a4_portrait_fit_to_width_with_department_header(
    wb: Workbook, layout: Layout
) -> None:
    printed = [s.name for s in layout.sheets if s.role is not Role.METADATA]
    for name in printed:
        ws = wb[name]
        assert int(ws.page_setup.paperSize) == 9, name
        assert ws.page_setup.orientation == "portrait", name
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0, name
        assert ws.oddHeader.left.text == TMF, name
    assert wb["2. Områdeløft"].oddHeader.right.text == "Områdeløft"


def test_same_inputs_give_identical_bytes(spec: Spec, layout: Layout) -> None:
    again = plan(spec, TMF, resolve_initiatives(spec, TMF))
    assert build(layout, PREFILL) == build(again, PREFILL)
    assert build(layout) != build(layout, PREFILL)


def test_text_is_never_turned_into_a_formula(spec: Spec) -> None:
    hostile = '=HYPERLINK("http://x")'
    layout = plan(spec, TMF, [hostile, None])
    target = layout.input("initiatives.1.target_group")
    wb = load(build(layout, {target.path: hostile, "cover.caseworker": "http://x"}))
    for c in (cell(wb, target.pos), cell(wb, layout.input("cover.caseworker").pos)):
        assert c.data_type == "s" and not c.hyperlink, c.coordinate
    assert cell(wb, target.pos).value == hostile
    name = next(t for t in layout.texts if t.path == "initiatives.0.name")
    assert cell(wb, name.pos).value == hostile and cell(wb, name.pos).data_type == "s"
    assert all(excel.sheet_name_problem(n) is None for n in wb.sheetnames)


# --------------------------------------------------------------------------- command line


def run_cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stderr


def test_blank_option_gives_spare_sheets_with_a_name_input(tmp_path: Path, spec: Spec) -> None:
    out = tmp_path / "blank.xlsx"
    assert run_cli("template", "-o", str(out), "--department", TMF, "--blank", "2")[0] == 0
    wb = openpyxl.load_workbook(out)
    layout = plan(spec, TMF, resolve_initiatives(spec, TMF, blank=2))
    spare = layout.initiative_sheets()[3:]
    assert [s.name for s in spare] == ["Indsats 4", "Indsats 5"]
    assert wb.sheetnames[2:7] == [s.name for s in layout.initiative_sheets()]
    for s in spare:
        name = layout.input(f"initiatives.{s.index}.name")
        assert name.pos == Pos(s.name, 2, 1)  # B3, right of the label "Indsats"
        assert wb[s.name]["A3"].value == "Indsats"
        assert not wb[s.name]["B3"].protection.locked


def test_long_initiative_names_give_valid_unique_sheet_names(tmp_path: Path) -> None:
    stem = "Landsbyggefondens pulje til sociale og forebyggende indsatser"
    names = [f"{stem} [helhedsplaner]", f"{stem}: København/Frederiksberg", "Kort?*"]
    out = tmp_path / "long.xlsx"
    args = ["template", "-o", str(out), "--department", TMF]
    code, err = run_cli(*args, *[a for n in names for a in ("--initiative", n)], "--blank", "0")
    assert code == 0, err
    sheets = openpyxl.load_workbook(out).sheetnames[2:5]
    assert all(excel.sheet_name_problem(s) is None for s in sheets), sheets
    assert len({s.casefold() for s in sheets}) == 3
    wb = openpyxl.load_workbook(out)
    assert [wb[s]["B3"].value for s in sheets] == names  # the full name stays in the form


def test_out_dir_makes_one_file_per_department(tmp_path: Path, spec: Spec) -> None:
    code, err = run_cli("template", "--out-dir", str(tmp_path))
    assert code == 0, err
    expected = {template_filename(spec, d.name) for d in spec.round.departments}
    assert {p.name for p in tmp_path.iterdir()} == expected
    assert "bilag4_teknik-og-miljoeforvaltningen.xlsx" in expected
    wb = openpyxl.load_workbook(tmp_path / "bilag4_teknik-og-miljoeforvaltningen.xlsx")
    meta = {r[0].value: r[1].value for r in wb["_bilag4xl"].iter_rows(min_row=2, max_col=2)}
    assert meta["department"] == TMF


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    out.write_bytes(b"keep me")
    code, err = run_cli("template", "-o", str(out))
    assert code == 2 and err.startswith("Fejl: ") and "--force" in err
    assert out.read_bytes() == b"keep me"
    assert run_cli("template", "-o", str(out), "--force")[0] == 0
    assert out.read_bytes()[:2] == b"PK"


@pytest.mark.parametrize(
    "args",
    [
        ["template"],
        ["template", "-o", "x.xlsx", "--out-dir", "d"],
        ["template", "-o", "x.xlsx", "--blank", "-1"],
        ["template", "-o", "x.xlsx", "--department", "Ukendt forvaltning"],
    ],
    ids=["no output", "both outputs", "negative blank", "unknown department"],
)
def test_usage_errors_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, err = run_cli(*args)
    assert code == 2, err
    assert "Traceback" not in err
    assert not (tmp_path / "x.xlsx").exists()


def test_department_is_fixed_in_the_round_spelling(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    assert run_cli("template", "-o", str(out), "--department", TMF.upper())[0] == 0
    cover = openpyxl.load_workbook(out)["Forside"]
    assert (cover["A6"].value, cover["B6"].value) == ("Forvaltning / udvalg", TMF)
    assert cover["B6"].protection.locked


# --------------------------------------------------------------------------- issue 6, strictness


def test_conditional_formats_flag_missing_and_invalid_inputs(wb: Workbook, layout: Layout) -> None:
    """A paste bypasses validation; conditional formats still colour the cell."""

    def rules(pos: Pos) -> list[str]:
        ws = wb[pos.sheet]
        found = [
            r.formula[0]
            for cf in ws.conditional_formatting
            if pos.ref in str(cf.sqref)
            for r in cf.rules
        ]
        return found

    target = layout.input("initiatives.1.target_group").pos
    assert f"LEN(TRIM({target.ref}))=0" in rules(target)  # required and empty
    amount = layout.input("initiatives.1.economy.years.2008").pos
    assert any(
        f"NOT(ISNUMBER({amount.ref}))" in r and f"{amount.ref}<0" in r for r in rules(amount)
    )
    cofin = layout.input("initiatives.1.economy.cofinancing").pos
    total = next(f.pos for f in layout.formulas if f.pos.sheet == cofin.sheet and f.op == "sum")
    assert any(f"{cofin.ref}>{total.ref}" in r for r in rules(cofin))
    choice = layout.input("initiatives.1.status.assessment").pos
    assert any(f'{choice.ref}="delvist opfyldt"' in r for r in rules(choice))
    note = layout.input("initiatives.1.economy.note").pos
    assert not any("TRIM" in r for r in rules(note))  # optional: never marked missing


def test_xlsxwriter_problems_raise_instead_of_warning() -> None:
    from bilag4xl.errors import WorkbookWriteError
    from bilag4xl.xlsx.workbook import StrictWorkbook, call

    wb = StrictWorkbook()
    ws = wb.add_worksheet("Ark")
    with pytest.raises(WorkbookWriteError):
        call(
            ws.data_validation,
            0,
            0,
            0,
            0,
            {"validate": "any", "input_title": "x" * 33, "input_message": "ok"},
        )
    with pytest.raises(WorkbookWriteError):
        call(ws.write_string, 1_048_577, 0, "outside the sheet")
    call(ws.write_string, 0, 0, "fine")  # and a good call passes


def test_a_colon_in_a_sheet_name_becomes_a_dash_that_keeps_the_meaning() -> None:
    from bilag4xl.xlsx.excel import safe_sheet_name, sheet_name_problem

    taken: set[str] = set()
    assert safe_sheet_name("2. Sprog: voksne", taken) == "2. Sprog – voksne"
    assert safe_sheet_name("Kl.12:30/14", taken) == "Kl.12 – 30-14"
    assert safe_sheet_name(": Mål :", taken) == "Mål"
    assert all(sheet_name_problem(name) is None for name in ("2. Sprog – voksne",))
