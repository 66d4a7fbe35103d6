"""Every place bilag4xl reaches into xlsxwriter's internals, in one module.

xlsxwriter has no public API for what these do: workbook structure protection, cleaning up a
streamed sheet's temporary file, numbering formats up front, choosing the zip file it writes
(a compression level, members taken from another process), skipping formula rewrites bilag4xl
never needs, and an Excel table on a streamed sheet. Each reach is one function or class
here, `INTERNALS` lists what it relies on, `tests/test_xlsx_hooks.py` checks each still
exists in the installed xlsxwriter, and pyproject bounds xlsxwriter to the tested minor version.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import zipfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import xlsxwriter
import xlsxwriter.workbook
import xlsxwriter.worksheet
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

# (object, attribute) pairs this module uses; a test checks each one is still there.
INTERNALS: tuple[tuple[object, str], ...] = (
    (xlsxwriter.Workbook, "_write_workbook_pr"),
    (xlsxwriter.Workbook, "_xml_empty_tag"),
    (xlsxwriter.Workbook, "_store_workbook"),
    (xlsxwriter.workbook, "ZipFile"),
    (Worksheet, "_encode_password"),
    (Worksheet, "_prepare_formula"),
    (Format, "_get_xf_index"),
    (zipfile.ZipFile, "_open_to_write"),  # xlsx.workbook gives a member ISA-L's deflate
    (Worksheet, "_write_single_row"),
    (Worksheet, "_write_string"),
    (Worksheet, "_write_number"),
    (Worksheet, "_write_datetime"),
    (Worksheet, "_write_formula"),
    (Worksheet, "_write_row"),
    (Worksheet, "_write_empty_row"),
    (Worksheet, "_write_cell"),
    (Worksheet, "_escape_control_characters"),
    (Worksheet, "_escape_data"),
    (xlsxwriter.worksheet, "xl_rowcol_to_cell_fast"),
)
# Instance attributes (set in __init__), checked on a fresh streamed worksheet.
WORKSHEET_STATE = ("row_data_filename", "row_data_fh", "row_data_fh_closed", "table_cells")


class ProtectedWorkbook(xlsxwriter.Workbook):
    """A workbook that can lock its structure (no sheet added, renamed, deleted or unhidden).

    xlsxwriter has no API for <workbookProtection lockStructure>; it belongs right after
    <workbookPr> (ECMA-376 CT_Workbook order), so it is written from that element's hook."""

    lock_structure = False
    structure_password: str | None = None

    def _write_workbook_pr(self) -> None:
        super()._write_workbook_pr()
        if self.lock_structure:
            attributes: list[tuple[str, Any]] = []
            if self.structure_password:
                # The same legacy hash as sheet protection (the helper ignores its instance).
                digest = Worksheet._encode_password(None, self.structure_password)  # type: ignore[arg-type]
                attributes.append(("workbookPassword", digest))
            attributes.append(("lockStructure", 1))
            self._xml_empty_tag("workbookProtection", attributes)


def remove_row_files(workbook: xlsxwriter.Workbook) -> None:
    """Close and delete the temporary row files streamed sheets keep (xlsxwriter leaves one
    behind for a streamed sheet without cells, and all of them for an unfinished workbook)."""
    for ws in workbook.worksheets():
        if ws.row_data_filename is None:
            continue
        if not ws.row_data_fh_closed:
            ws.row_data_fh.close()
            ws.row_data_fh_closed = True
        with contextlib.suppress(OSError):
            os.unlink(ws.row_data_filename)
        ws.row_data_filename = None


def abandon(workbook: xlsxwriter.Workbook) -> None:
    """Give up on an unfinished workbook without writing it (no file, no warning at exit)."""
    remove_row_files(workbook)
    workbook.fileclosed = True


def number_format(fmt: Format) -> None:
    """Give a format its index now: xlsxwriter numbers formats in order of first use, and two
    processes writing parts of one workbook must number them alike."""
    fmt._get_xf_index()


# xlsxwriter writes its zip through the name `ZipFile` in its workbook module. That name is
# replaced once by a function that asks, per thread, what to make: a plain ZipFile unless
# `writing_zip` says otherwise for the workbook this thread is closing. So two threads (the web
# page's workers) can close workbooks at once without seeing each other's settings.
_LOCAL = threading.local()
_PLAIN_ZIP = xlsxwriter.workbook.ZipFile


def _zip_for_xlsxwriter(*args: Any, **kwargs: Any) -> Any:
    make = getattr(_LOCAL, "make", None) or _PLAIN_ZIP
    return make(*args, **kwargs)


xlsxwriter.workbook.ZipFile = _zip_for_xlsxwriter  # type: ignore[attr-defined]


@contextlib.contextmanager
def writing_zip(make: Callable[..., Any]) -> Iterator[None]:
    """While this thread closes a workbook, xlsxwriter's zip file is `make(...)` (called with
    ZipFile's arguments): a ZipFile subclass, or an object that only captures the parts."""
    _LOCAL.make = make
    try:
        yield
    finally:
        _LOCAL.make = None


class ClassicFormulaSheet(Worksheet):
    """A worksheet whose formulas use only classic functions (SUM, IF...), as bilag4xl's do.

    xlsxwriter runs ~30 regex rewrites per formula to prefix dynamic-array functions with
    `_xlfn.`; for the ~100,000 totals of a national merge that is a quarter of the writing
    time, spent on functions bilag4xl never uses (LibreOffice 7.4 lacks them anyway)."""

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        return formula.removeprefix("=")


class StreamedSheet(ClassicFormulaSheet):
    """A streamed (constant_memory) sheet that writes each row's cells as one string.

    xlsxwriter writes a row cell by cell: an attribute list, an escape check per attribute
    and a file write per cell. For the ~400,000 cells of a national merge that was half of
    the writing. This writes the same bytes (`tests/test_xlsx_hooks.py` compares them with
    xlsxwriter's own for every kind of cell) for the kinds bilag4xl writes: numbers, dates,
    text, formulas, blanks and booleans; any other kind is left to xlsxwriter."""

    # Cells by row and column numbers only (no "A1" strings): xlsxwriter's undecorated
    # writers, without the decorator that looks for "A1" in every call.
    def write_string(self, row: int, col: int, string: str, cell_format: Any = None) -> Any:
        return self._write_string(row, col, string, cell_format)

    def write_number(self, row: int, col: int, number: Any, cell_format: Any = None) -> Any:
        return self._write_number(row, col, number, cell_format)

    def write_datetime(self, row: int, col: int, date: Any, cell_format: Any = None) -> Any:
        return self._write_datetime(row, col, date, cell_format)

    def write_formula(
        self, row: int, col: int, formula: str, cell_format: Any = None, value: Any = 0
    ) -> Any:
        return self._write_formula(row, col, formula, cell_format, value)

    def _write_single_row(self, current_row_num: int = 0) -> None:
        row_num = self.previous_row
        cells = self.table.get(row_num)
        if not cells:
            super()._write_single_row(current_row_num)  # row attributes or comments only
            return
        self.previous_row = current_row_num
        info = self.row_info.get(row_num)
        if info is None:
            self._write_row(row_num, None)
        else:
            self._write_row(row_num, None, info)
        row_style = info.row_format if info is not None else None
        parts: list[str] = []
        for col in sorted(cells):
            cell = cells[col]
            text = self._cell_xml(row_num, col, cell, row_style)
            if text is None:  # a kind of cell bilag4xl does not write: xlsxwriter's own
                self.fh.write("".join(parts))
                parts.clear()
                self._write_cell(row_num, col, cell)
            else:
                parts.append(text)
        parts.append("</row>")
        self.fh.write("".join(parts))
        self.table.clear()

    def _cell_xml(self, row: int, col: int, cell: Any, row_style: Format | None) -> str | None:
        """xlsxwriter's `_write_cell` for one cell, as a string (None: not a kind done here)."""
        attributes = f'<c r="{xlsxwriter.worksheet.xl_rowcol_to_cell_fast(row, col)}"'
        style = cell.format or row_style
        if style is None and col in self.col_info:
            style = self.col_info[col].column_format
        if style:
            attributes += f' s="{style._get_xf_index()}"'
        escape = self._escape_data  # xlsxwriter's own: &, < and > in text
        kind = type(cell).__name__
        if kind == "Number" or kind == "Datetime":
            return f"{attributes}><v>{cell.number:.16G}</v></c>"
        if kind == "String":
            text = cell.string
            if _CONTROL.search(text):  # rare: xlsxwriter's own _xHHHH_ escapes
                text = self._escape_control_characters(text)
            if text.startswith("<r>") and text.endswith("</r>"):
                return f'{attributes} t="inlineStr"><is>{text}</is></c>'
            # xlsxwriter's `_preserve_whitespace` (^\s or \s$; \s is str.isspace in both)
            space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
            return f'{attributes} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'
        if kind == "Formula":
            value = cell.value
            if isinstance(value, bool):
                attributes += ' t="b"'
                value = 1 if value else 0
            elif isinstance(value, str) and value:
                attributes += ' t="e"' if value in _ERROR_CODES else ' t="str"'
            return f"{attributes}><f>{escape(cell.formula)}</f><v>{escape(value)}</v></c>"
        if kind == "Blank":
            return f"{attributes}/>"
        if kind == "Boolean":
            return f'{attributes} t="b"><v>{cell.boolean}</v></c>'
        return None


# The error values xlsxwriter types t="e" (a literal inside its _write_cell, no name to import)
_ERROR_CODES = frozenset(("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"))
# What xlsxwriter's `_escape_control_characters` changes: an escape-like text, a control
# character, or one of the two non-characters.
_CONTROL = re.compile("_x[0-9a-fA-F]{4}_|[\x00-\x08\x0b-\x1f\ufffe\uffff]")


def add_streamed_table(
    ws: Worksheet, last_row: int, headers: Sequence[str], options: dict[str, Any]
) -> int:
    """An Excel table on a streamed (constant_memory) sheet, declared before any row.

    xlsxwriter refuses add_table() in constant_memory mode only because it writes the header
    cells itself. While the header row is still the open row, the table is added with
    constant_memory briefly off (the caller then writes the headers as the inline strings a
    streamed sheet needs). The per-cell overlap bookkeeping (one entry per table cell, for a
    check that cannot fire on a one-table sheet) is dropped to keep memory flat."""
    ws.constant_memory = False
    try:
        result = ws.add_table(0, 0, last_row, len(headers) - 1, options)
    finally:
        ws.constant_memory = True
    ws.table_cells.clear()
    return result
