"""LibreOffice Calc as a real client: fill a template the way a caseworker types, recalculate,
save, and read the result back with openpyxl.

One LibreOffice run fills the template; the tests share its output (module fixture).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from openpyxl.workbook.workbook import Workbook

from bilag4xl.form.layout import Layout, Pos, Role, plan
from bilag4xl.form.spec import load_spec
from bilag4xl.template.writer import build, resolve_initiatives
from support import libreoffice as lo

pytestmark = pytest.mark.libreoffice

TMF = "Teknik- og Miljøforvaltningen"
YEARS = (2008, 2009, 2010, 2011)
TEXTS = {
    "target_group": "Alle borgere, som bor i området, uanset alder, køn og nationalitet.",
    "activities": "Lommepengeprojekter for unge, lektiecaféer og sundhedsindsats for kvinder.",
    "goal": "Øget beskæftigelse og mindre kriminalitet i området.",
    "contribution": "Færre personer uden tilknytning til arbejdsmarkedet i udsatte boligområder.",
    "follow_up.text": "Årlige evalueringer af udviklingen i beboersammensætningen.",
}
TYPED_BY_PATH: dict[str, object] = {
    "cover.caseworker": "Ida Nepper-Christensen",
    "cover.email": "idachr@tmf.kk.dk",
    "cover.phone": "3366 1773",
    "cover.date": dt.date(2009, 3, 25),
    "cover.case_number": "2009-38725",
    **{f"initiatives.0.economy.years.{y}": 0 for y in YEARS},
    "initiatives.0.economy.estimated": False,
    "initiatives.0.follow_up.statistical": True,
    "initiatives.1.economy.unallocated": 130000,
    "initiatives.1.economy.estimated": True,
    "initiatives.1.economy.note": "=1+1 er tekst, ikke en formel",
    "initiatives.2.economy.unallocated": 282000,
    "initiatives.2.economy.cofinancing": 58000,
    **{f"initiatives.{n}.{key}": text for n in (0, 1, 2) for key, text in TEXTS.items()},
}
del TYPED_BY_PATH["initiatives.2.goal"]  # one required field left empty on purpose


@dataclass
class Filled:
    layout: Layout
    template: Path
    saved: Path
    result: lo.FillResult
    typed: dict[tuple[str, str], object]
    attempted_locked: list[tuple[str, str]]
    statuses: list[Pos]

    def open(self, path: Path | None = None, data_only: bool = True) -> Workbook:
        return openpyxl.load_workbook(path or self.saved, data_only=data_only)


def at(pos: Pos) -> tuple[str, str]:
    return (pos.sheet, pos.ref)


@pytest.fixture(scope="module")
def filled(libreoffice: str, tmp_path_factory: pytest.TempPathFactory) -> Filled:
    spec = load_spec()
    layout = plan(spec, TMF, resolve_initiatives(spec, TMF))
    folder = tmp_path_factory.mktemp("lo")
    template = folder / "bilag4_tmf.xlsx"
    template.write_bytes(build(layout))
    typed = {at(layout.input(path).pos): value for path, value in TYPED_BY_PATH.items()}
    overview = layout.sheet(Role.OVERVIEW).name
    attempted_locked = [
        ("Forside", "A10"),  # the label "Sagsbehandler"
        (overview, "G10"),  # the I ALT formula
        ("2. Områdeløft", "B3"),  # the fixed initiative name
        (spec.sheets.metadata, "B4"),  # template_id in the hidden metadata
    ]
    statuses = [f.pos for f in layout.formulas if f.op == "missing"]
    read_back = [at(f.pos) for f in layout.formulas]
    result = lo.fill_and_save(
        template,
        {**typed, **dict.fromkeys(attempted_locked, 999)},
        folder / "filled.xlsx",
        read_back=read_back,
    )
    return Filled(
        layout, template, folder / "filled.xlsx", result, typed, attempted_locked, statuses
    )


def test_locked_cells_are_reported_and_not_written(filled: Filled) -> None:
    assert sorted(filled.result.locked) == sorted(filled.attempted_locked)
    wb = filled.open()
    assert wb["Forside"]["A10"].value == "Sagsbehandler"
    assert wb["2. Områdeløft"]["B3"].value == "Områdeløft"
    assert wb["_bilag4xl"]["B4"].value == filled.layout.template_id
    assert wb["Økonomi"]["G10"].value != 999


def test_libreoffice_computes_the_overview_totals(filled: Filled) -> None:
    overview = filled.open()["Økonomi"]
    assert overview["A10"].value == "I ALT" and overview["G10"].value == 412000
    assert overview["H10"].value == 58000  # co-financing column
    assert [overview[f"G{r}"].value for r in (5, 6, 7)] == [0, 130000, 282000]
    assert [overview[f"A{r}"].value for r in (5, 6)] == [
        "Aftaler om fleksibel udlejning",
        "Områdeløft",
    ]
    values = filled.result.values
    assert values[("Økonomi", "G10")] == 412000
    for sheet, total in (("2. Områdeløft", 130000), ("3. Landsbyggefondens pulje til…", 282000)):
        assert filled.open()[sheet]["G8"].value == total
        assert values[(sheet, "G8")] == total


def test_completeness_status_was_recalculated(filled: Filled) -> None:
    before, after = filled.open(filled.template), filled.open()
    old = {p: before[p.sheet][p.ref].value for p in filled.statuses}
    new = {p: after[p.sheet][p.ref].value for p in filled.statuses}
    assert all(str(v).startswith("Mangler: ") for v in old.values()), old
    by_sheet = {p.sheet: v for p, v in new.items()}
    assert by_sheet["Forside"] == "Udfyldt"
    assert by_sheet["1. Aftaler om fleksibel udlejn…"] == "Udfyldt"
    assert by_sheet["2. Områdeløft"] == "Udfyldt"
    assert by_sheet["3. Landsbyggefondens pulje til…"] == "Mangler: Indsatsens mål"
    assert {at(p): v for p, v in new.items()} == {at(p): filled.result.values[at(p)] for p in new}


def test_values_are_stored_as_a_user_would_type_them(filled: Filled) -> None:
    wb = filled.open(data_only=False)
    layout = filled.layout

    def saved(path: str) -> openpyxl.cell.Cell:
        pos = layout.input(path).pos
        return wb[pos.sheet][pos.ref]

    assert saved("cover.date").value == dt.datetime(2009, 3, 25)  # a date, not text
    assert saved("initiatives.1.economy.unallocated").value == 130000
    assert saved("initiatives.1.economy.estimated").value == "Ja"
    assert saved("initiatives.0.follow_up.statistical").value == "Ja"
    assert saved("initiatives.0.economy.estimated").value == "Nej"
    note = saved("initiatives.1.economy.note")
    assert (note.value, note.data_type) == ("=1+1 er tekst, ikke en formel", "s")
    assert saved("initiatives.2.goal").value is None


def test_saved_file_keeps_protection_and_metadata(filled: Filled) -> None:
    wb = filled.open()
    assert wb.sheetnames == [s.name for s in filled.layout.sheets]
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
    for i in filled.layout.inputs:
        assert not wb[i.pos.sheet][i.pos.ref].protection.locked, i.path
    meta_sheet = wb["_bilag4xl"]
    assert meta_sheet.sheet_state in ("hidden", "veryHidden")  # LibreOffice drops veryHidden
    meta = {r[0].value: r[1].value for r in meta_sheet.iter_rows(min_row=2, max_col=2)}
    assert meta == filled.layout.metadata()


def test_no_lock_files_are_left_behind(filled: Filled) -> None:
    assert list(filled.template.parent.glob(".~lock.*")) == []


# --------------------------------------------------------------------------- the harness itself


def stale_workbook(path: Path) -> Path:
    """A workbook whose formula has xlsxwriter's stale cached result 0 (LibreOffice keeps it
    unless told to recalculate)."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Ark")
    ws.write_number(0, 0, 2)
    ws.write_formula(1, 0, "=A1*21", None, 0)
    ws.protect()
    wb.close()
    return path


def test_is_locked_reports_protection_per_cell(filled: Filled) -> None:
    cells = [("Forside", "A10"), ("Forside", "B10"), ("2. Områdeløft", "B8")]
    assert lo.is_locked(filled.template, cells) == {
        ("Forside", "A10"): True,
        ("Forside", "B10"): False,
        ("2. Områdeløft", "B8"): False,
    }


def test_recalc_and_save_replaces_stale_cached_results(libreoffice: str, tmp_path: Path) -> None:
    src = stale_workbook(tmp_path / "stale.xlsx")
    assert openpyxl.load_workbook(src, data_only=True)["Ark"]["A2"].value == 0
    lo.recalc_and_save(src, tmp_path / "fresh.xlsx")
    assert openpyxl.load_workbook(tmp_path / "fresh.xlsx", data_only=True)["Ark"]["A2"].value == 42


def test_convert_recalculates_on_load(libreoffice: str, tmp_path: Path) -> None:
    src = stale_workbook(tmp_path / "stale.xlsx")
    csv = lo.convert(src, "csv", tmp_path / "out")
    assert csv == tmp_path / "out" / "stale.csv"
    assert csv.read_text().split() == ["2", "42"]


def test_missing_sheet_is_an_error_not_a_silent_skip(filled: Filled, tmp_path: Path) -> None:
    with pytest.raises(lo.LibreOfficeError, match="Findes ikke"):
        lo.fill_and_save(filled.template, {("Findes ikke", "A1"): 1}, tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()
