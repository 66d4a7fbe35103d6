"""The template's e-mail rule (a conditional format) and the reader's are one rule: LibreOffice
evaluates the Excel formula on the same samples the reader is tested with, and they agree."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from bilag4xl.danish import parsers
from support import libreoffice as lo
from test_parsers import EMAIL_SAMPLES


@pytest.mark.libreoffice
def test_excel_formula_agrees_with_the_reader(tmp_path: Path) -> None:
    src = tmp_path / "emails.xlsx"
    with xlsxwriter.Workbook(src) as wb:
        ws = wb.add_worksheet("E")
        for row, (text, _) in enumerate(EMAIL_SAMPLES):
            ws.write_string(row, 0, text)
            ws.write_formula(row, 1, "=" + parsers.email_excel(f"A{row + 1}"), None, "?")
    lo.recalc_and_save(src, tmp_path / "done.xlsx")
    rows = CalamineWorkbook.from_path(tmp_path / "done.xlsx").get_sheet_by_name("E").to_python()
    excel = {text: rows[row][1] for row, (text, _) in enumerate(EMAIL_SAMPLES)}
    reader = {text: parsers.is_email(text) for text, _ in EMAIL_SAMPLES}
    assert excel == reader
    assert reader == dict(EMAIL_SAMPLES)
