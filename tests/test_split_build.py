"""Writing a workbook in two processes gives the same bytes as writing it in one."""

from __future__ import annotations

import io
import multiprocessing
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from bilag4xl import processes
from bilag4xl.consolidate.decide import merge
from bilag4xl.consolidate.write import build_consolidated
from bilag4xl.errors import WorkbookWriteError
from bilag4xl.issues.report import Issue, Report, Severity
from bilag4xl.xlsx import split as split_build
from bilag4xl.xlsx.workbook import SHEET_PART, StrictWorkbook
from merge_helpers import SPEC, departments, result, submission

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(),
    reason="the helper process is forked (not on Windows); there the workbook is written whole",
)


@pytest.fixture(autouse=True)
def two_cores(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Split whatever this machine has, and keep the helper's files where a test can see."""
    monkeypatch.setattr(processes, "usable_cpus", lambda: 2)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    # With another thread running nothing is split, and split equals whole by construction.
    assert split_build.can_split(), "another thread runs: the tests would compare whole to whole"


def new(tmpdir: str | None = None) -> StrictWorkbook:
    return StrictWorkbook(lock_structure=False, stream=True, tmpdir=tmpdir)


Extra = Callable[[StrictWorkbook, Callable[[str], bool]], None]


def sheets_ab(log: Path | None = None, extra: Extra | None = None) -> split_build.Write:
    """A write function for a two-sheet workbook; logs which process filled which sheet."""

    def write(wb: StrictWorkbook, fills: Callable[[str], bool]) -> None:
        wb.index_formats()
        a, b = wb.add_worksheet("A"), wb.add_worksheet("B")
        for ws in (a, b):
            if fills(ws.name):
                for row in range(200):
                    ws.write_string(row, 0, f"{ws.name} række {row}", wb.fmt("cell"))
                    ws.write_number(row, 1, row * 1.5, wb.fmt("cell_amount"))
        if log is not None:
            with log.open("a") as handle:
                handle.write(f"{os.getpid()} {''.join(n for n in 'AB' if fills(n))}\n")
        if extra:
            extra(wb, fills)

    return write


def test_two_processes_write_the_same_bytes_as_one(tmp_path: Path) -> None:
    log = tmp_path / "log.txt"
    split = split_build.build(new, sheets_ab(log), ["B"])
    lines = [line.split() for line in log.read_text().splitlines()]
    assert sorted(filled for _, filled in lines) == ["A", "B"]  # each sheet by one process
    assert len({pid for pid, _ in lines}) == 2
    assert split == split_build.build(new, sheets_ab(), ["B"], split=False)
    book = zipfile.ZipFile(io.BytesIO(split))
    assert b"B r\xc3\xa6kke 199" in book.read("xl/worksheets/sheet2.xml")
    assert b"A r\xc3\xa6kke 199" in book.read("xl/worksheets/sheet1.xml")
    assert list((tmp_path / "tmp").iterdir()) == []  # the helper's folder is gone


def test_different_shared_parts_are_never_spliced(tmp_path: Path) -> None:
    """A writer whose processes disagree outside the sheets gets the one-process workbook.

    Here only the helper uses a bold format for B's cells: its sheet then points at a style
    that the other process's styles.xml does not have. Spliced, B would show the wrong
    style (a different workbook than one process writes); the digests of the shared parts
    differ, so it is written again in one process."""

    def write(wb: StrictWorkbook, fills: Callable[[str], bool]) -> None:
        wb.index_formats()
        a, b = wb.add_worksheet("A"), wb.add_worksheet("B")
        helper = fills("B") and not fills("A")
        style = wb.add_format({"bold": True, "font_color": "#C00000"}) if helper else None
        for ws in (a, b):
            if fills(ws.name):
                for row in range(50):
                    ws.write_string(row, 0, f"{ws.name} række {row}", style or wb.fmt("cell"))

    whole = split_build.build(new, write, ["B"], split=False)
    built = split_build.build(new, write, ["B"])
    assert built == whole  # written again in one process, not spliced


def test_a_sheet_put_in_the_wrong_member_is_never_shipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Should xlsxwriter ever number its sheet parts differently from `sheet_part`, the
    helper's sheet would replace another one: that is caught, and one process writes it all."""
    whole = split_build.build(new, sheets_ab(), ["B"], split=False)
    monkeypatch.setattr(StrictWorkbook, "sheet_part", lambda self, name: SHEET_PART.format(1))
    assert split_build.build(new, sheets_ab(), ["B"]) == whole


def test_an_error_in_the_helper_is_raised_here(tmp_path: Path) -> None:
    def fail_in_helper(wb: StrictWorkbook, fills: Callable[[str], bool]) -> None:
        if fills("B") and not fills("A"):
            raise WorkbookWriteError("xlsxwriter afviste B1")

    with pytest.raises(WorkbookWriteError, match="afviste B1"):
        split_build.build(new, sheets_ab(extra=fail_in_helper), ["B"])
    assert list((tmp_path / "tmp").iterdir()) == []  # no row files or parts left behind


def test_a_helper_that_dies_is_replaced_by_writing_here(tmp_path: Path) -> None:
    def die_in_helper(wb: StrictWorkbook, fills: Callable[[str], bool]) -> None:
        if fills("B") and not fills("A"):
            os._exit(3)  # as if killed: no result is handed over

    write = sheets_ab(extra=die_in_helper)
    assert split_build.build(new, write, ["B"]) == split_build.build(new, write, ["B"], False)


def test_consolidated_workbook_split_equals_whole() -> None:
    """The real writer: "Indsatser" written by the helper, byte for byte as in one process,
    also with invalid submissions and issues (every sheet has cells)."""
    subs = [submission(d, n) for n, d in enumerate(departments())]
    results = [result(s) for s in subs]
    problem = Issue("x", Severity.ERROR, "Fejl", "Error", file=str(results[0].path))
    results[0] = result(subs[0], report=Report([problem]))
    merged = merge(results, SPEC, allow_invalid=True)
    assert merged.ok and merged.entries and merged.report.errors
    split = build_consolidated(merged, split=True)
    assert split == build_consolidated(merged, split=False)
    indsatser = zipfile.ZipFile(io.BytesIO(split)).read("xl/worksheets/sheet2.xml")
    assert subs[0].initiatives[0].name.encode() in indsatser


def test_a_streamed_sheet_without_cells_leaves_no_temporary_file(tmp_path: Path) -> None:
    """xlsxwriter forgets the row file of an empty streamed sheet; the workbook removes it."""
    wb = new()
    wb.add_worksheet("Tom")
    wb.add_worksheet("Med").write_string(0, 0, "x")
    assert zipfile.ZipFile(io.BytesIO(wb.to_bytes())).namelist()
    assert list((tmp_path / "tmp").iterdir()) == []


def test_no_helper_is_forked_while_other_threads_run(tmp_path: Path) -> None:
    """Forking a program with running threads can deadlock: then one process writes it all."""
    import threading

    log = tmp_path / "log.txt"
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not split_build.can_split()
        data = split_build.build(new, sheets_ab(log), ["B"])
    finally:
        stop.set()
        other.join()
    assert [line.split()[1] for line in log.read_text().splitlines()] == ["AB"]
    assert data == split_build.build(new, sheets_ab(), ["B"], split=False)
