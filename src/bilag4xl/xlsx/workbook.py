"""A strict, deterministic xlsxwriter workbook: what xlsxwriter only warns about raises here.

xlsxwriter reports many problems as a warning plus a -1/-2 return code and then silently drops
the feature (a too-long input message, a bad list source...). Templates must never lose a
validation quietly, so every call goes through `check` and warnings become errors.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import os
import shutil
import warnings
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from bilag4xl.errors import WorkbookWriteError
from bilag4xl.xlsx import hooks, styles
from bilag4xl.xlsx.deflate import deflate

FIXED_CREATED = dt.datetime(2009, 3, 25, 0, 0, 0)
SHEET_PART = "xl/worksheets/sheet{}.xml"  # xlsxwriter's name for the n-th worksheet's part


class StrictWorkbook(hooks.ProtectedWorkbook):
    """xlsxwriter Workbook in memory, text never turned into formulas or links, optional
    workbook structure protection, fixed document dates so equal input gives equal bytes."""

    def __init__(
        self,
        lock_structure: bool = True,
        password: str | None = None,
        stream: bool = False,
        tmpdir: str | None = None,
    ) -> None:
        # stream: xlsxwriter's constant_memory mode (rows written in order, inline strings,
        # parts assembled in temporary files in `tmpdir`), so a large workbook holds one row
        # at a time.
        self._buffer = io.BytesIO()
        super().__init__(
            self._buffer,
            {
                "in_memory": not stream,
                "constant_memory": stream,
                "tmpdir": tmpdir,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self.lock_structure = lock_structure
        self.structure_password = password
        self._formats: dict[str, Format] = {}
        self.set_properties({"created": FIXED_CREATED, "author": "bilag4xl"})

    def fmt(self, name: str) -> Format:
        """The named style from `styles`, created once per workbook."""
        if name not in self._formats:
            self._formats[name] = self.add_format(styles.properties(name))
        return self._formats[name]

    def discard(self) -> None:
        """Give up on an unfinished workbook: nothing is written, no temporary file is left."""
        hooks.abandon(self)

    def index_formats(self) -> None:
        """Number every declared style now, in declaration order.

        xlsxwriter numbers cell formats in order of first use. Two processes that each write
        the cells of some sheets of one workbook (see `split_build`) must number them alike,
        so that their styles.xml parts are the same and the sheets can be put together."""
        for name in styles.STYLES:
            hooks.number_format(self.fmt(name))

    def sheet_part(self, name: str) -> str:
        """The zip member that holds a worksheet's XML (numbered as xlsxwriter's packager)."""
        sheets = [ws.name for ws in self.worksheets() if not ws.is_chartsheet]
        return SHEET_PART.format(sheets.index(name) + 1)

    def to_bytes(
        self,
        replace: Mapping[str, Callable[[], Path]] | None = None,
        digests: dict[str, str] | None = None,
    ) -> bytes:
        """Close the workbook and return the xlsx file's bytes.

        A streamed (large) workbook is deflated at level 1: compression is ~40% of writing a
        large file at the default level, for a file only ~15% larger. xlsxwriter has no option
        for it, so its ZipFile is given the level for the duration of close().
        `replace` stores other files as some zip members (a sheet written by another process),
        each asked for only when its turn comes; `digests` receives the SHA-256 of every
        member that is not a worksheet."""
        level = 1 if self.constant_memory else None
        package = functools.partial(
            _Package, compresslevel=level, replace=replace or {}, digests=digests
        )
        with strict(), hooks.writing_zip(package):
            self._close()
        return self._buffer.getvalue()

    def export_sheets(self, names: Collection[str], folder: Path) -> dict[str, str]:
        """Close the workbook without zipping it: copy the XML of the named worksheets into
        `folder` (as files named like their zip members' base names) and return the SHA-256
        of every member that is not a worksheet, for the process that puts the parts together.
        """
        members = {self.sheet_part(name) for name in names}
        digests: dict[str, str] = {}
        capture = functools.partial(_Capture, members=members, folder=folder, digests=digests)
        with strict(), hooks.writing_zip(capture):
            self._close()
        return digests

    def _close(self) -> None:
        try:
            self.close()
        finally:
            hooks.remove_row_files(self)


def _is_sheet(member: str) -> bool:
    return member.startswith("xl/worksheets/sheet")


def _digest(filename: str | Path) -> str:
    with open(filename, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class _Package(zipfile.ZipFile):
    """xlsxwriter's ZipFile, taking some members from other files and noting digests."""

    def __init__(
        self,
        *args: Any,
        replace: Mapping[str, Callable[[], Path]],
        digests: dict[str, str] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._replace, self._digests = replace, digests

    def _open_to_write(self, zinfo: zipfile.ZipInfo, force_zip64: bool = False) -> Any:
        """A member deflated at level 1 by ISA-L where it is installed (`xlsx.deflate`): a
        quarter of zlib's time, a national merge's ~55 MB of XML in 0.07 s against 0.24 s."""
        member = super()._open_to_write(zinfo, force_zip64)  # type: ignore[misc]
        fast = deflate is not zlib and zinfo.compress_type == zipfile.ZIP_DEFLATED
        if fast and self.compresslevel == 1:
            member._compressor = deflate.compressobj(1, zlib.DEFLATED, -15)
        return member

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        if self._digests is not None and not _is_sheet(arcname):
            self._digests[arcname] = _digest(filename)
        try:
            source = self._replace[arcname]() if arcname in self._replace else None
        except BaseException:  # xlsxwriter would leave this zip open; it is abandoned
            self.close()
            raise
        if source is not None:  # xlsxwriter set the file's time and mode; the member keeps them
            shutil.copystat(filename, source)
        super().write(source or filename, arcname, *args, **kwargs)


class _Capture:
    """Stands in for xlsxwriter's ZipFile when only some parts are wanted (no zip is made)."""

    def __init__(
        self, *_: Any, members: set[str], folder: Path, digests: dict[str, str], **__: Any
    ) -> None:
        self._members, self._folder, self._digests = members, folder, digests

    def write(self, filename: str, arcname: str) -> None:
        if arcname in self._members:
            target = self._folder / Path(arcname).name
            try:  # xlsxwriter deletes its file after this; a second name keeps the data
                os.link(filename, target)
            except OSError:  # another file system
                shutil.copyfile(filename, target)
        elif not _is_sheet(arcname):
            self._digests[arcname] = _digest(filename)

    def close(self) -> None:
        pass


@contextmanager
def strict() -> Iterator[None]:
    """Turn xlsxwriter's warnings into WorkbookWriteError."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    if caught:
        raise WorkbookWriteError("xlsxwriter: " + "; ".join(str(w.message) for w in caught))


def check(result: int | None, what: str) -> None:
    """Raise if an xlsxwriter call returned an error code (-1, -2...)."""
    if isinstance(result, int) and result < 0:
        raise WorkbookWriteError(code="xlsxwriter-refused", what=what, result=result)


def call(method: Callable[..., int | None], *args: Any, what: str = "", **kwargs: Any) -> None:
    """Call a worksheet method strictly: warnings and error codes both raise."""
    with strict():
        result = method(*args, **kwargs)
    check(result, what or method.__name__)


def write_value(ws: Worksheet, row: int, col: int, value: Any, fmt: Format) -> None:
    """Write a value by its Python type; text is always text (never a formula or link)."""
    if value is None or value == "":
        call(ws.write_blank, row, col, None, fmt)
    elif isinstance(value, bool):
        call(ws.write_boolean, row, col, value, fmt)
    elif isinstance(value, int | float):
        call(ws.write_number, row, col, value, fmt)
    elif isinstance(value, dt.date):
        call(ws.write_datetime, row, col, value, fmt)
    else:
        call(ws.write_string, row, col, str(value), fmt)
