"""The reader: absolute positions, formulas (shared ones expanded), protection, safety setup,
and what LibreOffice fills and saves."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from bilag4xl.form.limits import SUBMISSION
from bilag4xl.intake.sheetscan import scan
from bilag4xl.intake.validate import read_file
from bilag4xl.intake.workbook import read_workbook, shift_formula
from filled import SPEC, TMF, filled, layout_for, template, valid_values
from support import needs


def test_openpyxl_uses_defusedxml() -> None:
    # openpyxl is the independent reader in tests; it must parse with defusedxml.
    assert openpyxl.DEFUSEDXML is True


def test_read_path_does_not_import_openpyxl_or_xlsxwriter(tmp_path: Path) -> None:
    path = filled(tmp_path)
    code = (
        "import sys; from bilag4xl.intake.validate import read_file; "
        f"r = read_file({str(path)!r}); assert r.report.valid; "
        "print(sorted(m for m in ('openpyxl', 'xlsxwriter') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_absolute_positions_and_types(tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("S")
        ws.write("C5", 3)
        ws.write("D6", "x")
        ws.write_boolean("E7", True)
        ws.write_datetime(
            "F8", dt.datetime(2009, 3, 25), wb.add_format({"num_format": "dd.mm.yyyy"})
        )
        ws.write_formula("G9", "=C5*2", None, 6)
        ws.protect()
    sheet = read_workbook(path).sheets[0]
    assert sheet.value(4, 2) == 3 and sheet.value(5, 3) == "x" and sheet.value(6, 4) is True
    assert sheet.value(7, 5) == dt.date(2009, 3, 25)
    assert sheet.value(0, 0) == "" and sheet.value(100, 100) == ""
    assert sheet.formulas == {(8, 6): "C5*2"}
    assert sheet.protected
    assert [(r, c) for r, c, _ in sheet.filled()] == [(4, 2), (5, 3), (6, 4), (7, 5), (8, 6)]


def test_template_formulas_match_the_layout(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    path.write_bytes(template())
    book = read_workbook(path)
    for f in layout_for().formulas:
        assert book.sheet(f.pos.sheet).formulas[(f.pos.row, f.pos.col)] == f.excel()[1:]
    assert all(s.protected for s in book.sheets)
    assert book.sheet(SPEC.sheets.metadata).state == "veryHidden"


def test_shared_formulas_are_expanded() -> None:
    xml = (
        b'<sheetData><row r="5"><c r="B5"><f t="shared" ref="B5:D6" si="0">SUM(\'A b\'!B8:$F8)'
        b'&amp;"B8"</f><v>1</v></c><c r="C5"><f t="shared" si="0"/><v>2</v></c></row>'
        b'<row r="6"><c r="D6" s="1"><f t="shared" si="0"/></c></row></sheetData>'
        b"<dataValidations><dataValidation><formula1>x</formula1></dataValidation>"
        b"</dataValidations>"
    )
    assert scan(xml, SUBMISSION).formulas == {
        (4, 1): "SUM('A b'!B8:$F8)&\"B8\"",
        (4, 2): "SUM('A b'!C8:$F8)&\"B8\"",
        (5, 3): "SUM('A b'!D9:$F9)&\"B8\"",
    }


def test_shift_formula_keeps_absolute_parts() -> None:
    assert shift_formula("$A1+A$1+$A$1+A1", 2, 1) == "$A3+B$1+$A$1+B3"
    assert shift_formula("LOG10(A1)", 1, 0) == "LOG10(A2)"


def test_openpyxl_agrees_with_the_reader(tmp_path: Path) -> None:
    path = filled(tmp_path)
    book = read_workbook(path)
    wb = openpyxl.load_workbook(path)
    for sheet in book.sheets:
        ws = wb[sheet.name]
        assert ws.protection.sheet == sheet.protected
        for row, col, value in sheet.filled():
            expected = ws.cell(row + 1, col + 1).value
            if isinstance(expected, dt.datetime):
                expected = expected.date()
            assert value == expected or (isinstance(value, float) and value == expected)
        for (row, col), text in sheet.formulas.items():
            assert ws.cell(row + 1, col + 1).value == "=" + text


# --------------------------------------------------------------------------- LibreOffice


@pytest.mark.libreoffice
def test_libreoffice_filled_and_saved(tmp_path: Path) -> None:
    from support import libreoffice as lo

    src = tmp_path / "template.xlsx"
    src.write_bytes(template())
    layout = layout_for()
    values = {
        **valid_values(),
        "cover.date": dt.date(2009, 3, 25),
        "initiatives.1.economy.unallocated": "ca. 130 mio. kr.",  # typed as text
        "initiatives.2.economy.estimated": "Ja",
        "initiatives.0.follow_up.statistical": "Nej",
    }
    values.pop("initiatives.0.follow_up.evaluation")
    cells = {}
    for path, value in values.items():
        pos = layout.input(path).pos
        cells[(pos.sheet, pos.ref)] = ("Ja" if value else "Nej") if value is True else value
    dst = tmp_path / "lo.xlsx"
    result = lo.fill_and_save(src, cells, dst)
    assert not result.locked
    read = read_file(dst)
    # LibreOffice's SUM ignores the text amount; bilag4xl recomputes, and says so once per
    # sheet, naming the text amount as the cause.
    assert {i.code for i in read.report} == {"amount-text", "sum-ignores-text"}
    assert read.report.valid
    stale = [i for i in read.report if i.code == "sum-ignores-text"]
    assert {i.severity.value for i in stale} == {"info"}
    assert len({i.sheet for i in stale}) == len(stale)
    text_cell = next(i for i in read.report if i.code == "amount-text")
    overview = next(i for i in stale if i.sheet == SPEC.sheets.overview)
    assert "130.200" in overview.message_da  # Danish digits
    assert f"{text_cell.sheet}!{text_cell.cell}" in overview.message_da
    sub = read.submission
    assert sub.department == TMF
    assert sub.cover["date"] == dt.date(2009, 3, 25)
    assert sub.cover["phone"] == "3366 1773"
    assert sub.initiatives[1].economy.unallocated == 130000
    assert sub.initiatives[1].economy.estimated is True
    assert sub.initiatives[2].economy.estimated is True
    assert sub.initiatives[0].follow_up["statistical"] is False
    assert sub.overview.total == 600 + 2 * 50 + 130000


@pytest.mark.parametrize("inflate", ["isal", "zlib"])
def test_parts_inflate_alike_with_or_without_isal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inflate: str
) -> None:
    """ISA-L inflates where its wheel exists, zlib elsewhere: the same cells, and a damaged
    part is the same Danish "corrupt" either way (not the inflater's own exception)."""
    import zlib

    from bilag4xl.errors import UnreadableWorkbook
    from bilag4xl.intake import workbook

    if inflate == "zlib":
        monkeypatch.setattr(workbook, "deflate", zlib)
    else:
        isal_zlib = needs.module(
            "isal.isal_zlib", "python-isal is not installed (pip install -e .)"
        )
        assert workbook.deflate is isal_zlib
    data = filled(tmp_path).read_bytes()
    raw = workbook.read_bytes(data)
    assert raw.sheet("Forside") is not None and any(raw.sheet("Forside").filled())
    import io
    import zipfile

    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
    header = data[info.header_offset : info.header_offset + 30]
    at = info.header_offset + 30 + int.from_bytes(header[26:28], "little")
    at += int.from_bytes(header[28:30], "little")
    broken = data[:at] + b"\x07" + data[at + 1 :]  # a last block of type 3: invalid deflate
    with pytest.raises(UnreadableWorkbook) as caught:
        workbook.read_bytes(broken)
    assert caught.value.code == "corrupt"
    assert "CRC" not in caught.value.params["reason"]  # the inflater's own error, caught
