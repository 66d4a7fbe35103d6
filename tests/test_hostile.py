"""Every class of the hostile-file findings, each with its minimised reproducer (`hostile`):
no exception escapes, no value is lost or changed without a word."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from bilag4xl.cli.app import app
from bilag4xl.errors import UnreadableWorkbook
from bilag4xl.form.limits import SUBMISSION
from bilag4xl.intake import sheetscan
from bilag4xl.intake import workbook as reader
from bilag4xl.intake.sheetscan import shared_string_count, shift_formula
from bilag4xl.intake.validate import read_file
from hostile import (
    REPRODUCERS,
    SHEET0,
    edit_sheet,
    rezip,
    round_spec_path,
    set_cell,
    valid,
    valid_for,
    write,
)

runner = CliRunner()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    return {name: make(folder) for name, (make, _) in REPRODUCERS.items()}


@pytest.mark.parametrize("name", sorted(REPRODUCERS))
def test_each_reproducer_ends_as_a_result_or_a_clear_issue(
    files: dict[str, Path], name: str
) -> None:
    code = REPRODUCERS[name][1]
    result = read_file(files[name])
    codes = [i.code for i in result.report]
    assert "check-failed" not in codes  # the safety net is not how a known case ends
    if code is None:
        assert result.report.valid and result.submission is not None, codes
    else:
        assert code in codes
    for issue in result.report:
        assert issue.file == str(files[name]) and issue.message_da and issue.message_en


@pytest.mark.parametrize("name", sorted(REPRODUCERS))
def test_read_json_never_shows_a_traceback(files: dict[str, Path], name: str) -> None:
    result = runner.invoke(app, ["read", str(files[name]), "--json"])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    data = json.loads(result.stdout)  # a document for every file, read or not
    if data["schema"] == "bilag4xl/report/1":  # not read: the report saying why, exit 1
        (entry,) = data["files"]
        assert result.exit_code == 1
        assert entry["file"] == str(files[name]) and REPRODUCERS[name][1] in {
            i["code"] for i in entry["issues"]
        }
    else:
        assert data["schema"] == "bilag4xl/submission/1"


def _issues(path: Path, code: str) -> list:
    return [i for i in read_file(path).report if i.code == code]


def test_far_cells_are_refused_naming_sheet_and_cell(files: dict[str, Path]) -> None:
    for name, cell in (("far_cell", "XFD1048576"), ("far_cell_az", "AZ1048576")):
        (issue,) = _issues(files[name], "cell-out-of-bounds")
        assert (issue.sheet, issue.cell) == (SHEET0, cell)
        assert "IV65536" in issue.message_da


def test_shared_formula_moved_off_the_sheet_is_a_ref_error() -> None:
    assert shift_formula("A1+B1", 0, -3) == "#REF!+#REF!"
    assert shift_formula("$A1+B$1", -1, 0) == "#REF!+B$1"
    assert shift_formula("SUM(B8:F8)", 1, 1) == "SUM(C9:G9)"


def test_a_left_shared_formula_is_reported_outside_the_form(files: dict[str, Path]) -> None:
    cells = {i.cell for i in _issues(files["shared_formula_left"], "value-outside-inputs")}
    assert cells == {"H40", "K40"}


def test_error_values_and_uncached_formulas_are_reported_at_their_cell(
    files: dict[str, Path],
) -> None:
    (issue,) = _issues(files["error_in_input"], "input-error-value")
    assert (issue.sheet, issue.cell, issue.field) == (
        SHEET0,
        "B8",
        "initiatives.0.economy.years.2008",
    )
    assert "#REF!" in issue.message_da
    assert not _issues(files["error_in_input"], "required")  # not also "empty"
    (outside,) = _issues(files["error_outside"], "value-outside-inputs")
    assert (outside.cell, "#DIV/0!" in outside.message_da) == ("J5", True)
    (formula,) = _issues(files["formula_in_input_uncached"], "input-formula-uncached")
    assert formula.cell == "B13" and 'formlen ="Borgere i "&"Valby" uden' in formula.message_da
    (away,) = _issues(files["formula_outside_uncached"], "value-outside-inputs")
    assert away.cell == "J6" and "=SUM(B8:E8)*2" in away.message_da


def test_too_many_sheets_are_refused_before_any_is_read(files: dict[str, Path]) -> None:
    (issue,) = _issues(files["many_sheets"], "too-many-sheets")
    assert f"307 ark, og skemaet kan højst have {SUBMISSION.sheets}" in issue.message_da
    assert read_file(files["many_sheets"]).submission is None


def test_a_formula_in_an_input_is_read_by_its_saved_result_with_a_warning(
    files: dict[str, Path],
) -> None:
    result = read_file(files["formula_in_input"])
    (issue,) = [i for i in result.report if i.code == "input-formula"]
    assert (issue.sheet, issue.cell, issue.severity) == (SHEET0, "B13", "warning")
    assert "resultat 'Borgere i Valby' er brugt" in issue.message_da
    assert result.submission is not None
    assert result.submission.initiatives[0].target_group == "Borgere i Valby"


def test_a_cell_written_twice_is_an_error(files: dict[str, Path]) -> None:
    (issue,) = _issues(files["duplicate_cell"], "cell-duplicate")
    assert (issue.sheet, issue.cell) == (SHEET0, "B8")
    assert not read_file(files["duplicate_cell"]).report.valid


def test_metadata_sheet_is_checked_cell_by_cell(files: dict[str, Path]) -> None:
    (extra,) = _issues(files["metadata_extra_value"], "metadata-extra")
    assert (extra.sheet, extra.cell) == ("_bilag4xl", "D3")
    (edited,) = _issues(files["metadata_spec_version_edited"], "metadata-changed")
    assert edited.cell == "B6" and "'7'" in edited.message_da
    (renamed,) = _issues(files["metadata_key_renamed"], "metadata-changed")
    assert renamed.cell == "A5" and "spec_nam" in renamed.message_da


def test_rich_text_keeps_the_space_between_runs(files: dict[str, Path]) -> None:
    result = read_file(files["rich_text_space"])
    assert result.submission.initiatives[0].target_group == "Unge mødre"


def test_broken_string_reference_and_long_number_are_said(files: dict[str, Path]) -> None:
    (issue,) = _issues(files["string_index_negative"], "string-ref-invalid")
    assert issue.cell == "B13" and "-1" in issue.message_da
    (number,) = _issues(files["long_number"], "number-precision")
    assert number.cell == "B8" and "123456789012345678901234567890" in number.message_da


def test_zip_and_xml_damage_names_the_part(files: dict[str, Path]) -> None:
    for name in ("unknown_compression", "encrypted_member", "broken_deflate"):
        (issue,) = read_file(files[name]).report
        assert "xl/workbook.xml" in issue.message_da
    for name, encoding in (("workbook_utf16", "UTF-16"), ("workbook_shift_jis", "SHIFT-JIS")):
        (issue,) = read_file(files[name]).report
        assert encoding in issue.message_da and "xl/workbook.xml" in issue.message_da


def test_merge_allow_invalid_of_every_reproducer_and_valid_submissions(tmp_path: Path) -> None:
    """One folder: valid submissions and every reproducer, each of a department of its own.
    The merge neither crashes nor stops: the valid ones (and the odd-but-valid ones) are
    merged, each bad one is named with its reason, and the annex is written from the result."""
    folder = tmp_path / "runde"
    folder.mkdir()
    for n, (make, _) in enumerate(REPRODUCERS.values()):
        make(folder, valid_for(n))
    first = len(REPRODUCERS)  # the departments after theirs
    valid_files = [write(folder, f"gyldig{n}", valid_for(n)) for n in range(first, first + 4)]
    out = tmp_path / "samlet.xlsx"
    spec = ["--spec", str(round_spec_path())]
    merge = ["merge", str(folder), "-o", str(out), "--allow-invalid", *spec]
    result = runner.invoke(app, merge)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    data = json.loads(runner.invoke(app, [*merge, "--force", "--json"]).stdout)
    by_file: dict[str, set[str]] = {}
    for issue in data["report"]["issues"]:
        by_file.setdefault(Path(issue["file"]).stem, set()).add(issue["code"])
    included = {Path(p).stem for p in data["included"]}
    for name, (_, code) in REPRODUCERS.items():
        if code is None:
            assert name in included and name not in by_file, (name, by_file.get(name))
        else:
            assert code in by_file[name], (name, by_file[name])
    assert {p.stem for p in valid_files} <= included
    for fmt in ("docx", "md", "html"):
        annex = runner.invoke(app, ["report", str(out), "-o", str(tmp_path / f"bilag.{fmt}")])
        assert annex.exit_code == 0, annex.output


def test_feedback_of_a_text_longer_than_a_cell(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "rettelser.xlsx"
    result = runner.invoke(app, ["feedback", str(files["long_text"]), "-o", str(out)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    cell = wb[SHEET0]["B13"]
    assert len(cell.value) == 32_767 and cell.value.startswith("Lang tekst.")
    assert "40008 tegn" in cell.comment.text


def test_a_round_of_templates_is_written_all_or_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills up at the third template: no part of the set is left behind."""
    real, calls = os.fsync, []

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    out = tmp_path / "skabeloner"
    result = runner.invoke(app, ["template", "--out-dir", str(out)])
    assert result.exit_code == 1 and "kan ikke skrives" in result.output
    assert list(out.iterdir()) == []


def test_every_command_on_every_reproducer(files: dict[str, Path], tmp_path: Path) -> None:
    """validate, read and merge are above; feedback, status, prefill and report alike: a
    message and exit 1 at worst, never a traceback."""
    folder = next(iter(files.values())).parent
    runs = [
        ["feedback", str(folder), "-o", str(tmp_path / "rettelser")],
        ["status", str(folder)],
    ]
    for name, path in sorted(files.items()):
        runs.append(["template", "--prefill", str(path), "-o", str(tmp_path / f"{name}.xlsx")])
        runs.append(["report", str(path), "-o", str(tmp_path / f"{name}.md")])
    for args in runs:
        result = runner.invoke(app, args)
        assert isinstance(result.exception, SystemExit | None), (args, result.exception)
        assert result.exit_code in (0, 1), (args, result.output)


def test_a_reader_panic_is_a_damaged_file() -> None:
    """python-calamine turns a Rust panic into a BaseException; it is one file's issue."""
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" r="XFD1048576"><v>1</v></c></row></sheetData>'
        b"</worksheet>"
    )
    data = rezip(valid(), {"xl/worksheets/sheet1.xml": lambda _: sheet})
    with pytest.raises(UnreadableWorkbook) as caught:
        reader._calamine_values(data, ["Vejledning"])
    assert caught.value.code == "corrupt"


def test_an_unknown_xml_encoding_is_named_by_every_command(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """workbook.xml declared as UTF-0: read, merge and report ended in a LookupError where
    they tell a consolidated workbook from a submission; each names the encoding instead."""
    path = files["workbook_unknown_encoding"]
    runs = [
        ["read", str(path)],
        ["merge", str(path), "-o", str(tmp_path / "samlet.xlsx")],
        ["report", str(path), "-o", str(tmp_path / "bilag.md")],
    ]
    for args in runs:
        result = runner.invoke(app, args)
        assert isinstance(result.exception, SystemExit | None), (args, result.exception)
        assert result.exit_code == 1, (args, result.output)
        assert "tegnsættet UTF-0 (xl/workbook.xml)" in result.output, (args, result.output)


def test_a_shared_string_count_beyond_the_strings_is_set_to_them(files: dict[str, Path]) -> None:
    """uniqueCount is a hint calamine allocates for: the file reads as if it were right."""
    result = read_file(files["unique_count_huge"])
    assert result.report.valid and result.submission is not None
    assert result.submission.initiatives[0].target_group == "Tekst til target_group (0)"
    table = b'<sst count="3" uniqueCount="100000000"><si><t>a</t></si><si><t>b</t></si></sst>'
    assert shared_string_count(table) == table.replace(b"100000000", b"2")
    prefixed = b'<x:sst uniqueCount="9"><x:si><x:t>a</x:t></x:si></x:sst>'
    assert shared_string_count(prefixed) == prefixed.replace(b'"9"', b'"1"')
    right = b'<sst uniqueCount="1"><si><t>a</t></si></sst>'
    assert shared_string_count(right) is right


def test_read_json_of_a_damaged_consolidated_workbook_is_a_report(tmp_path: Path) -> None:
    """A script reading a consolidated workbook gets the reason as JSON, not an empty stdout."""
    folder = tmp_path / "runde"
    folder.mkdir()
    write(folder, "gyldig", valid_for(0))
    out = tmp_path / "samlet.xlsx"
    merged = runner.invoke(
        app, ["merge", str(folder), "-o", str(out), "--spec", str(round_spec_path())]
    )
    assert merged.exit_code == 0, merged.output
    out.write_bytes(rezip(out.read_bytes(), {"xl/worksheets/sheet1.xml": lambda _: b"<x"}))
    result = runner.invoke(app, ["read", str(out), "--json"])
    assert result.exit_code == 1
    (entry,) = json.loads(result.stdout)["files"]
    (issue,) = entry["issues"]
    assert issue["code"] == "consolidated-unreadable" and str(out) in issue["message"]


def test_numbers_are_read_or_said_whatever_their_sign_and_length(files: dict[str, Path]) -> None:
    (date,) = _issues(files["long_number_negative"], "date-invalid")  # read, not a panic
    assert (date.sheet, date.cell) == ("Forside", "B16")
    assert "'-123456789012345678901234567890'" in date.message_da
    (number,) = _issues(files["seventeen_digits"], "number-precision")
    assert number.cell == "B13" and "12345678901234567 " in number.message_da
    assert "12345678901234568" in number.message_da


def test_a_negative_long_amount_is_said_as_the_positive_one(tmp_path: Path) -> None:
    """The negative 30 digits reach the amount as text (see sheetscan.for_calamine); the
    rounding is said as for the positive number."""
    for digits in ("123456789012345678901234567890", "-123456789012345678901234567890"):
        cell = f'<c r="B8"><v>{digits}</v></c>'
        path = write(tmp_path, "amount", edit_sheet(valid(), SHEET0, set_cell("B8", cell)))
        (issue,) = _issues(path, "number-precision")
        assert issue.cell == "B8" and digits in issue.message_da


@pytest.mark.parametrize(
    ("text", "loses"),
    [
        ("12345678901234567", True),  # 17 digits: read as ...568
        ("9007199254740993", True),  # 16 digits: 2^53 + 1
        ("-123456789012345678901234567890", True),
        ("0.10000000000000001", False),  # 17 digits as Excel writes the double nearest 0.1
        ("9007199254740992", False),  # 2^53: a double exactly
        ("123456789012345677877719597056", False),  # 30 digits, a double exactly
        ("100000000000000000000", False),
    ],
)
def test_digits_lost_are_told_from_digits_a_double_holds(text: str, loses: bool) -> None:
    assert sheetscan._loses_digits(text) is loses


def test_a_formula_saved_as_whitespace_is_said_at_its_cell(files: dict[str, Path]) -> None:
    (field,) = _issues(files["formula_blank_in_input"], "input-formula-blank")
    assert (field.sheet, field.cell) == (SHEET0, "B13") and '=" "' in field.message_da
    (away,) = _issues(files["formula_blank_outside"], "value-outside-inputs")
    assert away.cell == "J6" and '=REPT(" ",3)' in away.message_da
    (meta,) = _issues(files["metadata_formula_blank"], "metadata-extra")
    assert (meta.sheet, meta.cell) == ("_bilag4xl", "F9") and "=REPT" in meta.message_da


def test_a_second_sheet_data_is_read_with_the_first(files: dict[str, Path]) -> None:
    result = read_file(files["second_sheet_data"])
    assert result.submission.initiatives[0].economy.years["2009"] == 200
    (note,) = _issues(files["second_sheet_data"], "value-outside-inputs")
    assert note.cell == "J50" and "Husk bilag" in note.message_da
    assert sheetscan.one_sheet_data(b"<w><sheetData><row/></sheetData></w>") == (
        b"<w><sheetData><row/></sheetData></w>"
    )
    two = b"<w><x:sheetData>A</x:sheetData><p/><x:sheetData>B</x:sheetData><q/></w>"
    assert sheetscan.one_sheet_data(two) == b"<w><x:sheetData>AB</x:sheetData><p/><q/></w>"
    empty_first = b"<w><sheetData/><sheetData>B</sheetData></w>"
    assert sheetscan.one_sheet_data(empty_first) == b"<w><sheetData>B</sheetData></w>"
    assert sheetscan.scan(empty_first, SUBMISSION).more_data
    assert not sheetscan.scan(b"<w><sheetData/><!-- sheetData --></w>", SUBMISSION).more_data


_TAGS = st.sampled_from(
    [
        b'<c r="A1" s="1">',
        b'<c r="Z99"/>',
        b'<c r="B8" s="2" t="s">',
        b'<c r="AA1">',
        b'<c r="A100">',
        b'<c r="XFD1048576">',
        b'<c r="A1" r="XFD1048576">',
        b'<c r="A1"\tr="B2">',
        b'<c r="A1" s="1"\nr = "C3">',
        b'<c r="A1" s=" r">',
        b"<c>",
        b"<c/>",
        b'<c  r="A1">',
        b'<c r="A0">',
        b'<x:c r="A1">',
        b'<row r="1">',
        b'<row spans="1:2" r="1">',
        b"<v>1</v></c>",
        b"<is><t>a r b\n</t></is>",
        b'<c r="A1" ',  # a tag not closed before the next one
        b'<c r="B2" s="1"',
        b'<row r="XFD1048576">',
        b"<v>",
        b">",
    ]
)


@given(st.lists(_TAGS, max_size=12))
def test_the_counted_small_sheet_answers_as_the_exact_pattern(tags: list[bytes]) -> None:
    """Whether a sheet's cells are all small is counted in C (`_all_small`); whatever the
    tags (a second reference after a tab or a newline, a big one, a tag without one), the
    answer is the exact pattern's, which guards calamine's allocation."""
    xml = b"<sheetData>" + b"".join(tags) + b"</sheetData>"
    start, end = sheetscan._region(xml)
    assert sheetscan._all_small(xml, start, end) == (
        not sheetscan._NOT_SMALL.search(xml, start, end)
    )
