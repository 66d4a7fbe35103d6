"""Every xlsxwriter internal bilag4xl relies on still exists in the installed version, and
the zip hook is per thread (two threads closing workbooks at once do not mix settings)."""

from __future__ import annotations

import io
import threading
import zipfile

import pytest
import xlsxwriter

from bilag4xl.xlsx import hooks
from bilag4xl.xlsx.workbook import StrictWorkbook
from support import needs


def test_every_internal_still_exists() -> None:
    missing = [
        f"{getattr(o, '__name__', o)}.{name}" for o, name in hooks.INTERNALS if not hasattr(o, name)
    ]
    assert not missing, f"xlsxwriter changed: {missing}"
    wb = xlsxwriter.Workbook(io.BytesIO(), {"constant_memory": True})
    ws = wb.add_worksheet()
    missing = [name for name in hooks.WORKSHEET_STATE if not hasattr(ws, name)]
    hooks.abandon(wb)
    assert not missing, f"xlsxwriter changed: {missing}"


def test_xlsxwriter_still_writes_its_zip_through_the_hooked_name() -> None:
    import inspect

    source = inspect.getsource(xlsxwriter.Workbook._store_workbook)
    assert "ZipFile(" in source


def test_structure_lock_is_written() -> None:
    wb = StrictWorkbook(password="hemmelig")
    wb.add_worksheet("A")
    data = wb.to_bytes()
    workbook = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    assert b'lockStructure="1"' in workbook and b"workbookPassword=" in workbook


def _workbook(stream: bool) -> StrictWorkbook:
    wb = StrictWorkbook(stream=stream)
    ws = wb.add_worksheet("A")
    for row in range(3000):
        ws.write_string(row, 0, f"række {row} " * 5)
    return wb


def test_the_zip_hook_is_per_thread() -> None:
    """A streamed workbook is deflated at level 1 through the hook, a plain one at the default
    level; closed at the same time in two threads, each gets exactly the bytes it gets alone."""
    alone = {stream: _workbook(stream).to_bytes() for stream in (True, False)}
    assert len(alone[True]) != len(alone[False])
    for _ in range(5):
        barrier = threading.Barrier(2)
        results: dict[bool, bytes] = {}

        def close(stream: bool, results: dict[bool, bytes] = results, b=barrier) -> None:
            wb = _workbook(stream)
            b.wait()
            results[stream] = wb.to_bytes()

        threads = [threading.Thread(target=close, args=(s,)) for s in (True, False)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results == alone
    assert xlsxwriter.workbook.ZipFile is hooks._zip_for_xlsxwriter
    assert getattr(hooks._LOCAL, "make", None) is None  # nothing left behind in this thread


def test_a_zip_chosen_in_one_thread_is_not_seen_in_another() -> None:
    inside, done = threading.Event(), threading.Event()
    seen: list[object] = []

    def closing() -> None:
        with hooks.writing_zip(lambda *a, **k: "captured"):
            seen.append(xlsxwriter.workbook.ZipFile(io.BytesIO(), "w"))
            inside.set()
            done.wait(5)

    worker = threading.Thread(target=closing)
    worker.start()
    inside.wait(5)
    other = xlsxwriter.workbook.ZipFile(io.BytesIO(), "w")  # this thread, meanwhile
    done.set()
    worker.join()
    assert seen == ["captured"] and isinstance(other, zipfile.ZipFile)
    other.close()


def _every_kind_of_cell(sheet_class: type) -> bytes:
    """A streamed sheet with every kind of cell (and style source) xlsxwriter writes."""
    import datetime as dt

    wb = StrictWorkbook(stream=True)
    bold, money = wb.add_format({"bold": True}), wb.add_format({"num_format": "#,##0"})
    ws = wb.add_worksheet("A", worksheet_class=sheet_class)
    ws.set_column(3, 3, 12, money)  # a column's style for cells without one
    ws.set_row(3, 20, bold)  # a row's style (a row with cells), before the column's
    texts = [
        "plain",
        " leading",
        "trailing\n",
        "a & b < c > d",
        'quote " and\nline',
        "_x0041_",
        "ctrl \x01\x1f",
        "<r>raw</r>",
        "tab\there",
        "æøå – “Ø”",
        "\u00a0non-breaking\u2003",
        "\ufffe\uffff",
        "_x00zz_ not an escape",
        "",
    ]
    row = 0
    for n, text in enumerate(texts):
        ws.write_string(row, 0, text, bold if n % 2 else None)
        ws.write_number(row, 1, n * 1234.5678 - 0.1, money if n % 3 else None)
        ws.write_number(row, 3, 1e20 / (n + 1))
        ws.write_formula(row, 4, f'=SUM(B{row + 1}:D{row + 1})&"<{text}>"', None, n * 2.5)
        ws.write_formula(row, 5, "=1=1", bold, n % 2 == 0)
        ws.write_formula(row, 6, '="x"', None, ["", "#N/A", "text & <b>", "#REF!"][n % 4])
        ws.write_blank(row, 7, None, bold if n % 2 else None)
        ws.write_boolean(row, 8, n % 2 == 1, money if n % 2 else None)
        ws.write_datetime(row, 9, dt.datetime(2009, 3, n + 1, 12), money)
        ws.write_blank(row, 10, None)  # no style: not written
        ws.write_url(row, 11, f"https://example.dk/{n}")
        ws.write_rich_string(row, 12, "fed ", bold, "og", " ikke")  # left to xlsxwriter
        ws.write_array_formula(row, 13, row, 13, f"{{=SUM(B{row + 1}*2)}}", None, n)  # also
        row += 1 + n % 2
    ws.write_comment(row + 2, 0, "a comment on a row of its own")
    ws.set_row(row + 4, 30)
    wb.to_bytes()  # closes
    return zipfile.ZipFile(io.BytesIO(wb._buffer.getvalue())).read("xl/worksheets/sheet1.xml")


def test_the_streamed_sheet_writes_xlsxwriters_own_bytes() -> None:
    """`StreamedSheet` writes each row as one string instead of xlsxwriter's cell by cell: the
    sheet's XML is the same, byte for byte, for every kind of cell, text and style source."""
    ours = _every_kind_of_cell(hooks.StreamedSheet)
    theirs = _every_kind_of_cell(hooks.ClassicFormulaSheet)
    assert b"_x0001_" in ours and b'xml:space="preserve"' in ours and b't="e"' in ours
    assert b'<row r="4" ' in ours and b't="array"' in ours and b"<r><rPr>" in ours
    assert ours == theirs


def test_a_streamed_workbook_is_deflated_by_isal_with_the_same_parts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A large workbook's parts are deflated at level 1 by ISA-L where it is installed (a
    quarter of zlib's time): other compressed bytes, the very same parts."""
    import zlib

    from bilag4xl.xlsx import workbook

    needs.module("isal", "python-isal is not installed (pip install -e .)")

    def parts(data: bytes) -> dict[str, bytes]:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert archive.testzip() is None
            return {name: archive.read(name) for name in archive.namelist()}

    import inspect

    # the member writer's compressor is what xlsx.workbook replaces
    assert "self._compressor = _get_compressor(" in inspect.getsource(zipfile._ZipWriteFile)
    fast = _workbook(stream=True).to_bytes()
    monkeypatch.setattr(workbook, "deflate", zlib)
    plain = _workbook(stream=True).to_bytes()
    assert fast != plain
    assert parts(fast) == parts(plain)
