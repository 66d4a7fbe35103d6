"""Write one large streamed workbook in two processes, then put the parts together.

Writing the cells is most of a national merge's time, and xlsxwriter writes on one core.
The biggest sheet is written by a forked helper process while this process writes the
others; the helper hands over that sheet's XML, which goes into the zip in place of the
empty sheet this process wrote. Both processes run the same `write` code (the helper
inherits the data by fork, nothing is pickled), each skipping the cells of the sheets the
other one writes, so every shared part (styles, tables, defined names, charts) comes out the
same. That is checked, not assumed: the SHA-256 of every non-sheet part must agree and the
helper's sheet must be the member the workbook names for it, or the workbook is written
again in one process. Same input, same bytes, either way.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import tempfile
from collections.abc import Callable, Collection
from multiprocessing.process import BaseProcess
from pathlib import Path

from bilag4xl import processes
from bilag4xl.errors import WorkbookWriteError
from bilag4xl.xlsx.parts import sheet_members
from bilag4xl.xlsx.workbook import StrictWorkbook, strict

# write(workbook, fills): put the cells of every sheet `fills(name)` is true for.
Write = Callable[[StrictWorkbook, Callable[[str], bool]], None]
# new(tmpdir): an empty streamed workbook keeping its temporary files in tmpdir.
NewWorkbook = Callable[[str | None], StrictWorkbook]
_RESULT = "result.pickle"


def can_split() -> bool:
    """Two processes only help on two cores, and the helper needs fork (not on Windows)."""
    return processes.usable_cpus() >= 2 and processes.can_fork()


def build(
    new: NewWorkbook, write: Write, helper_sheets: Collection[str], split: bool = True
) -> bytes:
    """The xlsx bytes; `helper_sheets` are written by a helper process when `split`."""
    if not (split and helper_sheets and can_split()):
        return _whole(new, write)
    helper = frozenset(helper_sheets)
    # Both processes keep their temporary files here, so nothing outlives a failure.
    with tempfile.TemporaryDirectory(prefix="bilag4xl-") as tmp:
        folder = Path(tmp)
        # Forked before this process opens a workbook: the helper shares no open files.
        process = multiprocessing.get_context("fork").Process(  # can_split: fork is safe
            target=_helper, args=(new, write, helper, folder, os.getpid()), daemon=True
        )
        gc.freeze()  # the helper's collector then leaves the shared objects' pages alone
        try:
            process.start()
        finally:
            gc.unfreeze()
        handover = _Handover(process, folder)
        digests: dict[str, str] = {}
        try:
            wb = _filled(new(tmp), write, lambda name: name not in helper)
            # This process zips its own parts while the helper finishes; the helper's sheet
            # is waited for when its turn in the zip comes.
            placed = [(name, wb.sheet_part(name)) for name in helper]
            data = wb.to_bytes({m: handover.part(m) for _, m in placed}, digests)
        except _HelperGone:  # killed, out of memory...: write the whole workbook here
            return _whole(new, write)
        finally:
            if process.is_alive():
                process.kill()
            process.join()
    # Never ship a mismatched splice: the shared parts must agree, and the helper's sheets
    # must stand where the workbook says those sheets are.
    if digests != handover.digests or any(sheet_members(data).get(n) != m for n, m in placed):
        return _whole(new, write)
    return data


class _HelperGone(Exception):
    """The helper process ended without handing over its result."""


class _Handover:
    """Waits for the helper and hands over its sheets' XML (or raises what it raised)."""

    def __init__(self, process: BaseProcess, folder: Path) -> None:
        self.process, self.folder = process, folder
        self.digests: dict[str, str] | None = None

    def part(self, member: str) -> Callable[[], Path]:
        def wait() -> Path:
            self.process.join()
            result = self.folder / _RESULT
            if not result.exists():
                raise _HelperGone
            ok, payload = pickle.loads(result.read_bytes())
            if not ok:
                raise payload
            self.digests = payload
            return self.folder / Path(member).name

        return wait


def _whole(new: NewWorkbook, write: Write) -> bytes:
    return _filled(new(None), write, lambda _: True).to_bytes()


def _filled(wb: StrictWorkbook, write: Write, fills: Callable[[str], bool]) -> StrictWorkbook:
    try:
        with strict():
            write(wb, fills)
    except BaseException:
        wb.discard()
        raise
    return wb


def _helper(
    new: NewWorkbook, write: Write, sheets: frozenset[str], folder: Path, parent: int
) -> None:
    """In the forked process: write `sheets`, export their XML, report the shared parts."""
    processes.die_with_parent(parent)  # a killed merge leaves no helper behind
    try:
        wb = _filled(new(str(folder)), write, lambda name: name in sheets)
        result: tuple[bool, object] = (True, wb.export_sheets(sheets, folder))
    except Exception as exc:  # handed to the parent, which raises it
        result = (False, exc)
    try:
        data = pickle.dumps(result)
    except Exception:  # an exception that cannot be pickled: keep its message
        data = pickle.dumps((False, WorkbookWriteError(str(result[1]))))
    (folder / _RESULT).write_bytes(data)
