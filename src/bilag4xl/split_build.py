"""Write one large streamed workbook in two processes, then put the parts together.

Writing the cells is most of a national merge's time, and xlsxwriter writes on one core.
The biggest sheet is written by a forked helper process while this process writes the
others; the helper hands over that sheet's XML, which goes into the zip in place of the
empty sheet this process wrote. Both processes run the same `write` code (the helper
inherits the data by fork, nothing is pickled), each skipping the cells of the sheets the
other one writes, so every shared part (styles, tables, defined names, charts) comes out the
same. That is checked, not assumed: the SHA-256 of every non-sheet part must agree, or the
workbook is written again in one process. Same input, same bytes, either way.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import tempfile
from collections.abc import Callable, Collection
from pathlib import Path

from .errors import WorkbookWriteError
from .xlsx import StrictWorkbook, strict

# write(workbook, fills): put the cells of every sheet `fills(name)` is true for.
Write = Callable[[StrictWorkbook, Callable[[str], bool]], None]
NewWorkbook = Callable[[], StrictWorkbook]
_RESULT = "result.pickle"


def can_split() -> bool:
    """Two processes only help on two cores, and the helper needs fork (not on Windows)."""
    return (os.cpu_count() or 1) >= 2 and "fork" in multiprocessing.get_all_start_methods()


def build(
    new: NewWorkbook, write: Write, helper_sheets: Collection[str], split: bool = True
) -> bytes:
    """The xlsx bytes; `helper_sheets` are written by a helper process when `split`."""
    if not (split and helper_sheets and can_split()):
        return _whole(new, write)
    helper = frozenset(helper_sheets)
    with tempfile.TemporaryDirectory(prefix="bilag4xl-") as tmp:
        folder = Path(tmp)
        # Forked before this process opens a workbook: the helper shares no open files.
        process = multiprocessing.get_context("fork").Process(
            target=_helper, args=(new, write, helper, folder), daemon=True
        )
        process.start()
        try:
            wb = _filled(new, write, lambda name: name not in helper)
            process.join()
        finally:
            if process.is_alive():
                process.kill()
                process.join()
        result = folder / _RESULT
        if not result.exists():  # the helper died (killed, out of memory): write it here
            wb.discard()
            return _whole(new, write)
        ok, payload = pickle.loads(result.read_bytes())
        if not ok:
            wb.discard()
            raise payload
        replace = {wb.sheet_part(n): folder / Path(wb.sheet_part(n)).name for n in helper}
        digests: dict[str, str] = {}
        data = wb.to_bytes(replace, digests)
    if digests != payload:  # the shared parts differ: never ship a mismatched splice
        return _whole(new, write)
    return data


def _whole(new: NewWorkbook, write: Write) -> bytes:
    return _filled(new, write, lambda _: True).to_bytes()


def _filled(new: NewWorkbook, write: Write, fills: Callable[[str], bool]) -> StrictWorkbook:
    wb = new()
    try:
        with strict():
            write(wb, fills)
    except BaseException:
        wb.discard()
        raise
    return wb


def _helper(new: NewWorkbook, write: Write, sheets: frozenset[str], folder: Path) -> None:
    """In the forked process: write `sheets`, export their XML, report the shared parts."""
    try:
        wb = _filled(new, write, lambda name: name in sheets)
        result: tuple[bool, object] = (True, wb.export_sheets(sheets, folder))
    except Exception as exc:  # handed to the parent, which raises it
        result = (False, exc)
    try:
        data = pickle.dumps(result)
    except Exception:  # an exception that cannot be pickled: keep its message
        data = pickle.dumps((False, WorkbookWriteError(str(result[1]))))
    (folder / _RESULT).write_bytes(data)
