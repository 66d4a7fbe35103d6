"""Validation of filled workbooks: field rules, template integrity (tamper cases), totals."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest

from bilag4xl.consolidate.decide import merge
from bilag4xl.errors import SpecError
from bilag4xl.form.layout import Role, plan
from bilag4xl.form.spec import Spec, spec_chunks, stored_spec
from bilag4xl.intake import validate
from bilag4xl.intake.discover import collect_paths
from bilag4xl.intake.validate import read_file, validate_paths
from bilag4xl.issues.report import Severity
from bilag4xl.template.writer import build
from bilag4xl.xlsx.parts import sheet_members
from filled import SPEC, TMF, filled, layout_for, other_spec, tamper, template, valid_values
from support.fill import FillError


def codes(result) -> list[str]:
    return [i.code for i in result.report]


def only(result, code: str):
    found = [i for i in result.report if i.code == code]
    assert found, f"no {code} in {codes(result)}"
    return found[0]


def test_valid_submission(tmp_path: Path) -> None:
    result = read_file(filled(tmp_path))
    assert result.report.valid, [i.message_da for i in result.report]
    assert len(result.report) == 0
    sub = result.submission
    assert sub is not None
    assert sub.department == TMF
    assert sub.source.file == "filled.xlsx"
    assert len(sub.source.sha256) == 64
    assert sub.template.id == layout_for().template_id
    assert sub.template.spec == "bilag4"
    assert sub.cover["date"] == dt.date(2009, 3, 25)
    assert sub.initiatives[1].economy.total == 250
    assert sub.overview.total == 100 + 200 + 300 + 3 * 50
    assert sub.initiatives[0].follow_up == {
        "text": "Tekst til follow_up.text (0)",
        "evaluation": "intern",
        "statistical": True,
    }


def test_empty_template_lists_required_fields(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    path.write_bytes(template())
    result = read_file(path)
    assert not result.report.valid
    assert set(codes(result)) == {"required"}
    first = result.report.issues[0]
    assert (first.sheet, first.cell, first.field) == ("Forside", "B10", "cover.caseworker")
    assert "Sagsbehandler" in first.message_da and "[Forside!B10]" in first.message_da


@pytest.mark.parametrize(
    ("path", "value", "code"),
    [
        ("initiatives.0.economy.years.2009", "mange penge", "amount-invalid"),
        ("initiatives.0.economy.years.2009", -5, "amount-negative"),
        ("initiatives.0.economy.years.2009", 1e12, "amount-too-large"),
        ("initiatives.0.economy.years.2009", dt.date(2009, 1, 2), "amount-invalid"),
        ("initiatives.0.economy.years.2009", True, "amount-invalid"),
        ("cover.date", "25.13.2009", "date-invalid"),
        ("cover.date", dt.date(1900, 1, 1), "date-invalid"),
        ("cover.email", "idachr(at)tmf.kk.dk", "email-invalid"),
        ("cover.phone", "12 34", "phone-invalid"),
        ("cover.case_number", "38725/2009", "pattern-mismatch"),
        ("initiatives.0.follow_up.evaluation", "hver måned", "not-a-choice"),
        ("initiatives.0.follow_up.statistical", "måske", "not-a-choice"),
        ("initiatives.0.goal", "x" * 1501, "too-long"),
    ],
)
def test_field_rules(tmp_path: Path, path: str, value: object, code: str) -> None:
    values = {**valid_values(), path: value}
    result = read_file(filled(tmp_path, values))
    issue = only(result, code)
    assert issue.severity is Severity.ERROR
    assert issue.field == path
    inp = layout_for().input(path)
    assert (issue.sheet, issue.cell) == (inp.pos.sheet, inp.pos.ref)
    assert f"[{inp.pos.sheet}!{inp.pos.ref}]" in issue.message_da
    assert result.submission is not None
    assert _value(result.submission.to_json_data(), path) is None  # never enters the data


def _value(data: dict, path: str) -> object:
    node: object = data
    parts = path.split(".")
    if parts[0] == "initiatives":
        node = data["initiatives"][int(parts[1])]
        parts = parts[2:]
    for part in parts:
        node = node[part]  # type: ignore[index]
    return node


def test_a_check_without_a_submission_finds_every_issue(tmp_path: Path) -> None:
    """`validate` asks for no submission (its workers skip building one): the same issues,
    and the round's spec taken as the file's own when the file carries its very text."""
    values = {**valid_values(), "initiatives.1.economy.unallocated": "ca. 130 mio. kr."}
    values["cover.email"] = "ikke en adresse"
    path = filled(tmp_path, values)
    whole = validate.check_file(path, SPEC)
    bare = validate.check_file(path, SPEC, submission=False)
    assert whole.submission is not None and bare.submission is None
    assert [i.to_dict() for i in bare.report] == [i.to_dict() for i in whole.report]
    assert {"amount-text", "email-invalid"} <= {i.code for i in bare.report}
    assert bare.template_key == whole.template_key and bare.filled == whole.filled


def test_the_rounds_spec_is_not_parsed_again_from_a_file_that_carries_it() -> None:
    """A template made from the round's spec carries its canonical text: reading it gives
    the round's spec itself (a national round's text took 40 ms a worker to parse), and a
    text that is not its own is still parsed and checked."""
    meta = spec_chunks(SPEC)
    assert stored_spec(meta, SPEC.digest, SPEC) is SPEC
    assert stored_spec(meta, SPEC.digest) is not SPEC
    assert stored_spec(meta, SPEC.digest) == SPEC
    changed = {k: v.replace('"bilag4"', '"bilag5"') for k, v in meta.items()}
    with pytest.raises(SpecError):
        stored_spec(changed, SPEC.digest, SPEC)


def test_amount_typed_as_text_is_read_with_a_warning(tmp_path: Path) -> None:
    values = {**valid_values(), "initiatives.1.economy.unallocated": "ca. 130 mio. kr."}
    result = read_file(filled(tmp_path, values))
    issue = only(result, "amount-text")
    assert issue.severity is Severity.WARNING
    assert "130.000" in issue.message_da and "skøn" in issue.message_da
    assert result.report.valid
    eco = result.submission.initiatives[1].economy
    assert eco.unallocated == 130000
    assert eco.estimated is True  # "ca." sets the estimate flag when it was left empty


def test_lenient_but_unambiguous_values(tmp_path: Path) -> None:
    values = {
        **valid_values(),
        "cover.date": "2009-03-25",
        "cover.phone": 33661773,
        "initiatives.0.follow_up.evaluation": "Intern",
        "initiatives.0.follow_up.statistical": "nej",
        "initiatives.0.goal": "  mål med mellemrum  ",
        "initiatives.0.status.text": "   ",  # whitespace only = empty
    }
    result = read_file(filled(tmp_path, values))
    assert result.report.valid and len(result.report) == 0, codes(result)
    sub = result.submission
    assert sub.cover["date"] == dt.date(2009, 3, 25)
    assert sub.cover["phone"] == "33661773"
    ini = sub.initiatives[0]
    assert ini.follow_up["evaluation"] == "intern"
    assert ini.follow_up["statistical"] is False
    assert ini.goal == "mål med mellemrum"
    assert ini.status["text"] is None


def test_cofinancing_cannot_exceed_total(tmp_path: Path) -> None:
    values = {**valid_values(), "initiatives.0.economy.cofinancing": 151}
    issue = only(read_file(filled(tmp_path, values)), "cofinancing-exceeds-total")
    assert issue.field == "initiatives.0.economy.cofinancing"
    assert "151" in issue.message_da and "150" in issue.message_da


def test_required_economy_needs_one_amount(tmp_path: Path) -> None:
    values = {k: v for k, v in valid_values().items() if not k.startswith("initiatives.2.economy")}
    issue = only(read_file(filled(tmp_path, values)), "required")
    assert issue.field == "initiatives.2.economy.years.2008"
    assert issue.message_da.endswith("Økonomi: feltet skal udfyldes.")


def test_fill_refuses_locked_cells(tmp_path: Path) -> None:
    with pytest.raises(FillError):
        filled(tmp_path, raw={("Forside", "A1"): "x"})
    with pytest.raises(FillError):
        filled(tmp_path, {"cover.nonsense": 1})


# --------------------------------------------------------------------------- tamper cases


def overview(wb):
    return wb[SPEC.sheets.overview]


def test_renamed_sheet_is_read_by_position(tmp_path: Path) -> None:
    sheet = layout_for().initiative_sheets()[1].name

    def rename(wb):
        wb[sheet].title = "Mit ark"

    result = read_file(tamper(filled(tmp_path), rename))
    issue = only(result, "sheet-renamed")
    assert "Mit ark" in issue.message_da and "læst efter sin plads" in issue.message_da
    assert result.submission.initiatives[1].economy.total == 250  # values still read
    # Read, as the message says: a warning (to fix next time) that does not block a merge.
    assert issue.severity is Severity.WARNING and result.report.valid
    assert merge([result], SPEC).ok


def test_missing_and_extra_sheets(tmp_path: Path) -> None:
    cover = SPEC.sheets.cover

    def change(wb):
        wb.remove(wb[cover])
        wb.create_sheet("Noter")["A1"] = "husk"

    result = read_file(tamper(filled(tmp_path), change))
    assert "sheet-missing" in codes(result) or "sheet-renamed" in codes(result)
    assert "sheet-extra" in codes(result) or "sheet-renamed" in codes(result)


def test_sheet_order(tmp_path: Path) -> None:
    def move(wb):
        wb.move_sheet(SPEC.sheets.overview, offset=-2)

    result = read_file(tamper(filled(tmp_path), move))
    assert codes(result) == ["sheet-order"]
    assert result.report.valid


def test_changed_label(tmp_path: Path) -> None:
    def relabel(wb):
        wb[SPEC.sheets.cover]["A10"] = "Kontaktperson"

    result = read_file(tamper(filled(tmp_path), relabel))
    issue = only(result, "label-changed")
    assert (issue.sheet, issue.cell, issue.severity) == ("Forside", "A10", Severity.ERROR)
    assert "Sagsbehandler" in issue.message_da and "Kontaktperson" in issue.message_da


def test_changed_overview_formula(tmp_path: Path) -> None:
    result = read_file(tamper(filled(tmp_path), lambda wb: overview(wb).__setitem__("B5", "=42")))
    issue = only(result, "formula-changed")
    assert (issue.sheet, issue.cell) == (SPEC.sheets.overview, "B5")
    assert "=42" in issue.message_da


def test_overwritten_total_formula(tmp_path: Path) -> None:
    layout = layout_for()
    total = next(
        f for f in layout.formulas if f.pos.sheet == SPEC.sheets.overview and f.op == "sum"
    )

    def overwrite(wb):
        overview(wb)[total.pos.ref] = 999

    issue = only(read_file(tamper(filled(tmp_path), overwrite)), "formula-changed")
    assert issue.cell == total.pos.ref and "'999'" in issue.message_da


def test_formula_text_is_compared_loosely(tmp_path: Path) -> None:
    def restyle(wb):
        cell = overview(wb)["B5"]
        cell.value = cell.value.replace("!B", "!$B").lower()

    result = read_file(tamper(filled(tmp_path), restyle))
    assert "formula-changed" not in codes(result)


def test_protection_removed(tmp_path: Path) -> None:
    def unprotect(wb):
        wb[SPEC.sheets.cover].protection.sheet = False

    result = read_file(tamper(filled(tmp_path), unprotect))
    assert codes(result) == ["protection-removed"]
    assert result.report.issues[0].severity is Severity.WARNING
    assert result.report.valid


def test_value_outside_inputs(tmp_path: Path) -> None:
    def note(wb):
        wb[SPEC.sheets.cover]["E30"] = "Se også vedlagte notat"

    result = read_file(tamper(filled(tmp_path), note))
    issue = only(result, "value-outside-inputs")
    assert (issue.sheet, issue.cell) == ("Forside", "E30")
    assert "Se også vedlagte notat" in issue.message_da and "ikke med" in issue.message_da


def test_pasted_value_breaking_validation(tmp_path: Path) -> None:
    # A paste bypasses Excel's list validation; openpyxl writes like a paste.
    sheet = layout_for().initiative_sheets()[0].name
    ref = layout_for().input("initiatives.0.status.assessment").pos.ref
    result = read_file(filled(tmp_path, raw={(sheet, ref): "super godt"}))
    assert only(result, "not-a-choice").cell == ref


def test_formula_typed_into_input(tmp_path: Path) -> None:
    pos = layout_for().input("initiatives.0.economy.years.2010").pos
    result = read_file(filled(tmp_path, raw={(pos.sheet, pos.ref): "=100*2"}))
    # openpyxl stores the text (fill treats '=' as text); a real formula is tested in test_reader
    assert result.report.errors


def test_metadata_from_another_round(tmp_path: Path) -> None:
    """A template of a round with another period: read alone, by the spec it carries; read
    against this round, its values are carried over and the change is said in Danish."""
    spec = other_spec(first_year=2012, last_year=2015)
    layout = plan(spec, TMF, [n for n in layout_for().initiatives])
    path = tmp_path / "other.xlsx"
    path.write_bytes(build(layout))
    alone = read_file(path)
    assert alone.submission is not None
    assert list(alone.submission.initiatives[0].economy.years) == ["2012", "2013", "2014", "2015"]
    against = read_file(path, SPEC)
    issue = only(against, "form-changed")
    assert "perioden er 2012–2015 i filen, 2008–2011 i runden" in issue.message_da
    assert "hash" not in issue.message_da
    assert against.submission is not None
    assert list(against.submission.initiatives[0].economy.years) == ["2008", "2009", "2010", "2011"]


def test_metadata_from_another_form(tmp_path: Path) -> None:
    data = SPEC.model_dump(mode="json")
    data["name"] = "bilag5"

    spec = Spec.model_validate(data)
    path = tmp_path / "other.xlsx"
    path.write_bytes(build(plan(spec, TMF, list(layout_for().initiatives))))
    assert read_file(path).submission is not None  # alone: by the form it carries
    issue = only(read_file(path, SPEC), "unknown-template")
    assert "bilag5" in issue.message_da and "'bilag4 1'" in issue.message_da


def test_edited_metadata(tmp_path: Path) -> None:
    def edit(wb):
        ws = wb[SPEC.sheets.metadata]
        for row in ws.iter_rows(min_row=2):
            if row[0].value == "department":
                row[1].value = "Socialforvaltningen"

    result = read_file(tamper(filled(tmp_path), edit))
    assert codes(result)[-1] == "template-mismatch" and result.submission is None


def test_not_a_bilag4xl_workbook(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "plain.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        wb.add_worksheet().write("A1", "hej")
    result = read_file(path)
    assert codes(result) == ["not-bilag4xl"] and result.submission is None


# --------------------------------------------------------------------------- spare sheets


def test_unused_spare_sheets_are_dropped(tmp_path: Path) -> None:
    values = {
        **{k: v for k, v in valid_values(1).items()},
        "initiatives.0.name": "Min indsats",
        "cover.department": "Socialforvaltningen",
    }
    result = read_file(filled(tmp_path, values, department=None, blank=3))
    assert result.report.valid, [i.message_da for i in result.report]
    assert [i.name for i in result.submission.initiatives] == ["Min indsats"]
    assert result.submission.department == "Socialforvaltningen"


def test_used_spare_sheet_needs_its_name(tmp_path: Path) -> None:
    values = {**valid_values(1, first=1), **{k: v for k, v in valid_values(1).items()}}
    values["initiatives.0.name"] = "Første"
    values["cover.department"] = "Socialforvaltningen"
    result = read_file(filled(tmp_path, values, department=None, blank=3))
    issue = only(result, "required")
    assert issue.field == "initiatives.1.name"


# --------------------------------------------------------------------------- many files


def test_validate_paths_and_skips(tmp_path: Path) -> None:
    folder = tmp_path / "ind"
    (folder / "sub").mkdir(parents=True)
    filled(folder, name="a.xlsx")
    filled(folder / "sub", name="b.xlsm")
    (folder / "~$a.xlsx").write_bytes(b"owner")
    (folder / ".~lock.a.xlsx#").write_text("lock")
    (folder / ".skjult.xlsx").write_bytes(b"x")
    (folder / "noter.txt").write_text("ignored")
    files, skipped = collect_paths([folder])
    assert [p.name for p in files] == ["a.xlsx", "b.xlsm"]
    again, _ = collect_paths([folder / "sub" / "b.xlsm", folder, folder / "a.xlsx"])
    assert [p.name for p in again] == ["b.xlsm", "a.xlsx"]  # named twice, read once, in order
    assert sorted(p.name for p, _ in skipped) == [".skjult.xlsx", ".~lock.a.xlsx#", "~$a.xlsx"]
    seen = []
    run = validate_paths([folder], progress=lambda n, total: seen.append((n, total)))
    assert seen == [(1, 2), (2, 2)]
    assert run.valid
    assert [i.code for i in run.report] == ["lock-file-skipped"] * 3
    assert all(i.severity is Severity.INFO for i in run.report)


def test_roles_cover_every_sheet(tmp_path: Path) -> None:
    """Every sheet of a template, and of a feedback workbook, has its role, in the workbook's
    order. Validation acts on roles: it skips the metadata and feedback sheets and forgives a
    changed text on the instructions sheet (a warning), so a wrong role would skip a sheet
    with data or turn a harmless edit into an error."""
    names = SPEC.sheets
    layout = layout_for()
    expected = [
        (names.instructions, Role.INSTRUCTIONS),
        (names.cover, Role.COVER),
        *((s.name, Role.INITIATIVE) for s in layout.initiative_sheets()),
        (names.overview, Role.OVERVIEW),
        (names.metadata, Role.METADATA),
    ]
    assert [(s.name, s.role) for s in layout.sheets] == expected
    assert [s.index for s in layout.initiative_sheets()] == [0, 1, 2]
    assert len(expected) == 7
    with zipfile.ZipFile(io.BytesIO(template())) as book:
        shown = re.findall(rb'<sheet name="([^"]+)"', book.read("xl/workbook.xml"))
    assert [n.decode() for n in shown] == [n for n, _ in expected]
    feedback = plan(SPEC, TMF, layout.initiatives, feedback=True)
    assert [(s.name, s.role) for s in feedback.sheets] == [
        (names.feedback, Role.FEEDBACK),
        *expected,
    ]

    def retitle(wb):
        wb[names.instructions]["A1"] = "Vores egen overskrift"
        wb[names.cover]["A8"] = "Kontaktperson"

    result = read_file(tamper(filled(tmp_path), retitle))
    severity = {i.sheet: i.severity for i in result.report if i.code == "label-changed"}
    assert severity == {names.instructions: Severity.WARNING, names.cover: Severity.ERROR}


def test_parallel_validation_keeps_order(tmp_path: Path) -> None:
    paths = [filled(tmp_path, name=f"{n}.xlsx") for n in range(3)]
    paths.append(filled(tmp_path, {**valid_values(), "cover.email": "x"}, name="3.xlsx"))
    run = validate_paths(paths, workers=2)
    assert [r.path for r in run.results] == paths
    assert [r.valid for r in run.results] == [True, True, True, False]
    assert run.results[0].submission.overview.total == 750


def test_each_result_has_its_spec_which_a_worker_sends_once(tmp_path: Path) -> None:
    """Read without a round's spec, every result carries the spec its file was made with. A
    worker sends it with its first file only (a national round's is ~600 kB pickled, more
    than the rest of a result), then its digest, and every result gets the spec back."""
    paths = [filled(tmp_path, name=f"{n}.xlsx") for n in range(5)]
    run = validate_paths(paths, workers=2)
    assert [type(r.made_with) for r in run.results] == [Spec] * 5
    assert {r.made_with.digest for r in run.results} == {SPEC.digest}
    job = validate._Job(None, keep=False, skip=None)
    first, second = job(paths[0]), job(paths[1])
    assert isinstance(first.made_with, Spec)
    assert second.made_with == validate._Sent(SPEC.digest)


def test_a_check_without_submissions_reports_the_same(tmp_path: Path) -> None:
    paths = [filled(tmp_path, name=f"{n}.xlsx") for n in range(2)]
    paths.append(filled(tmp_path, {**valid_values(), "cover.email": "x"}, name="2.xlsx"))
    full = validate_paths(paths, workers=2)
    bare = validate_paths(paths, workers=2, submissions=False)
    assert [r.report for r in bare.results] == [r.report for r in full.results]
    assert [r.valid for r in bare.results] == [True, True, False]
    assert [r.submission for r in bare.results] == [None] * 3


def _saved(tmp_path: Path, values: dict[str, object], cached_from: dict[str, object]) -> Path:
    """A workbook whose inputs hold `values` and whose saved totals were computed from
    `cached_from` (as a spreadsheet saves them), written without openpyxl (which drops them)."""
    layout = layout_for()
    cached = layout.evaluate(cached_from)  # type: ignore[arg-type]
    original = layout.evaluate
    layout.evaluate = lambda _values: cached  # type: ignore[method-assign]
    try:
        data = build(layout, values)  # type: ignore[arg-type]
    finally:
        layout.evaluate = original  # type: ignore[method-assign]
    path = tmp_path / "saved.xlsx"
    path.write_bytes(data)
    return path


def test_total_that_skipped_a_text_amount_is_one_note_per_sheet_naming_the_cause(
    tmp_path: Path,
) -> None:
    values = valid_values()
    values["initiatives.1.economy.unallocated"] = "130 mio. kr."  # text: SUM skips it
    numbers = {k: v for k, v in values.items() if not isinstance(v, str) or "economy" not in k}
    result = read_file(_saved(tmp_path, values, numbers))
    notes = [i for i in result.report if i.code == "sum-ignores-text"]
    text = only(result, "amount-text")
    assert sorted(i.sheet for i in notes) == sorted({text.sheet, SPEC.sheets.overview})
    overview = next(i for i in notes if i.sheet == SPEC.sheets.overview)
    assert f"{text.sheet}!{text.cell}" in overview.message_da
    assert "130.000" in text.message_da and "i stedet for 130.200" in overview.message_da
    assert not [i for i in result.report if i.code == "cached-total-mismatch"]


def test_totals_saved_without_recalculation_are_one_note_per_sheet(tmp_path: Path) -> None:
    result = read_file(_saved(tmp_path, valid_values(), {}))
    notes = [i for i in result.report if i.code == "cached-total-mismatch"]
    sheets = {s.name for s in layout_for().sheets if s.role in (Role.INITIATIVE, Role.OVERVIEW)}
    assert sorted(i.sheet for i in notes) == sorted(sheets)
    assert all(i.severity is Severity.INFO and "genberegnet" in i.message_da for i in notes)


# --------------------------------------------------------------------------- stale caches


def _with_cached_value(data: bytes, pos, value: float) -> bytes:
    """The workbook with one formula's saved result replaced, as a workbook saved without
    recalculation has it (the formula itself unchanged)."""
    member = sheet_members(data)[pos.sheet]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            part = src.read(info)
            if info.filename == member:
                cell = re.compile(rf'(<c r="{pos.ref}"[^>]*><f>[^<]*</f><v>)[^<]*(</v>)'.encode())
                part, found = cell.subn(rb"\g<1>" + str(value).encode() + rb"\g<2>", part)
                assert found == 1, pos
            dst.writestr(info, part)
    return out.getvalue()


def test_a_stale_cached_total_is_a_note_with_both_sums(tmp_path: Path) -> None:
    """Without LibreOffice: a total whose saved result disagrees with its inputs is noted
    (info, the file stays valid), naming the saved and the recomputed sum; a file whose
    saved totals agree gets no note."""
    layout = layout_for()
    overview = SPEC.sheets.overview
    total = next(f for f in layout.formulas if f.pos.sheet == overview and f.style == "grandtotal")
    values = {k: ("Ja" if v else "Nej") if v is True else v for k, v in valid_values().items()}
    data = build(layout, values)
    fresh = tmp_path / "frisk.xlsx"
    fresh.write_bytes(data)
    assert "cached-total-mismatch" not in codes(read_file(fresh))
    stale = tmp_path / "gammel.xlsx"
    stale.write_bytes(_with_cached_value(data, total.pos, 777))
    result = read_file(stale)
    issue = only(result, "cached-total-mismatch")
    assert (issue.sheet, issue.severity) == (overview, Severity.INFO)
    assert total.pos.ref in f"{issue.cell} {issue.message_da}"
    assert "777" in issue.message_da and "600" in issue.message_da  # 100 + 200 + 300 in 2008
    assert result.report.valid


def test_an_emptied_heading_beside_the_send_line_is_reported(tmp_path: Path) -> None:
    """The send line is an optional text (blank in older templates); its row matching must
    not count for a required text of the same sheet that was emptied."""
    from openpyxl import load_workbook

    source = filled(tmp_path)
    heading = load_workbook(source)[SPEC.sheets.cover]["A4"].value
    assert heading  # a fixed text of the cover, below the send line

    def empty(wb):
        wb[SPEC.sheets.cover]["A4"] = None

    result = read_file(tamper(source, empty))
    issue = only(result, "label-changed")
    assert (issue.sheet, issue.cell) == ("Forside", "A4")
