"""Read a consolidated workbook back into the submissions that went into it.

"Nothing lost" (issue 4) is checked by this module: the writer stores every value once, typed,
at the place `consolidated_plan` gives it, and this reader collects the values by the same
paths and rebuilds each submission with `model.assemble`, as the validator does for a returned
template, so totals are recomputed, never trusted. A workbook whose sheets or headers were
changed by hand is refused with a message saying what changed, not misread.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from defusedxml import ElementTree

from bilag4xl.consolidate import plan as cp
from bilag4xl.consolidate.decide import LeftOut
from bilag4xl.consolidate.plan import Column
from bilag4xl.errors import SpecError, UnreadableFileError
from bilag4xl.form.limits import MAX_INITIATIVES
from bilag4xl.form.model import Source, Submission, TemplateInfo, assemble
from bilag4xl.form.spec import Kind, Spec, stored_spec
from bilag4xl.intake.discover import Blob

Rows = list[list[Any]]
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_METADATA_NAME = cp.METADATA.encode()


def is_consolidated(path: str | Path | Blob) -> bool:
    """Cheap check (one small zip member): was this workbook (on disk, or already read)
    written by `bilag4xl merge`?

    Never raises: a file this cannot look into is not a consolidated workbook, and the
    reader then says what is wrong with it."""
    source = io.BytesIO(path.data) if isinstance(path, Blob) else path
    try:
        with zipfile.ZipFile(source) as archive:
            info = archive.getinfo("xl/workbook.xml")
            if info.file_size > 2**20:
                return False
            xml = archive.read(info)
            # UTF-8 (as written) without the sheet's name in its bytes, and no character
            # reference that could spell it: not a consolidated workbook, without parsing
            # (every submission). Another encoding is parsed.
            utf8 = xml.startswith((b"<", b"\xef\xbb\xbf"))
            if utf8 and _METADATA_NAME not in xml and b"&#" not in xml:
                return False
            root = ElementTree.fromstring(xml)
    except _CANNOT_LOOK:
        return False
    names = {s.get("name") for s in root.iter(f"{_MAIN_NS}sheet")}
    return cp.METADATA in names


# What opening a damaged zip can raise: zipfile's own errors, zlib's, and its refusals of
# versions, methods and encryption; XML that does not parse, declares entities or an
# unknown encoding.
_CANNOT_LOOK = (
    OSError,
    LookupError,  # KeyError (no such part), and an encoding Python does not know ("UTF-0")
    EOFError,
    ValueError,  # defusedxml's refusals and expat's encoding errors among them
    RuntimeError,
    NotImplementedError,
    struct.error,
    zlib.error,
    zipfile.BadZipFile,
    ElementTree.ParseError,
)


@dataclass(frozen=True)
class Consolidated:
    """A consolidated workbook's submissions, and the spec they were merged with (stored in
    the workbook, so a round's own spec is not needed to read it). `invalid`: the positions
    of the submissions merged with errors (`merge --allow-invalid`, "Ugyldig" in Kilder).
    `left_out`: the round's departments not in it and why (None: a workbook that does not
    say, made before it was recorded)."""

    spec: Spec
    submissions: list[Submission]
    invalid: tuple[int, ...] = ()
    left_out: tuple[LeftOut, ...] | None = None


def read_consolidated(path: str | Path, spec: Spec | None = None) -> list[Submission]:
    """Every submission stored in a consolidated workbook, in the workbook's order."""
    return open_consolidated(path, spec).submissions


def open_consolidated(path: str | Path, spec: Spec | None = None) -> Consolidated:
    """The submissions of a consolidated workbook with its stored spec.

    `spec`, when given, must be the spec the workbook carries (a check, not a need).
    """
    from bilag4xl.form import limits
    from bilag4xl.intake.workbook import UnreadableWorkbook, read_workbook
    from bilag4xl.issues import catalogue as messages

    path = Path(path)
    if not is_consolidated(path):
        raise UnreadableFileError(code="consolidated-not", path=path)
    try:  # the reader's size, ratio, XML and cell checks come first, at a round's scale
        raw = read_workbook(path, limits.CONSOLIDATED)
    except UnreadableWorkbook as exc:
        issue = messages.make(exc.code, str(path), **exc.params)
        raise UnreadableFileError(
            code="consolidated-refused",
            path=path,
            reason=issue.message_da,
            reason_en=issue.message_en,
        ) from exc
    sheets = {}
    for name in (cp.METADATA, cp.SOURCES, cp.INITIATIVES, cp.OVERVIEW):
        sheet = raw.sheet(name)
        if sheet is None:
            raise UnreadableFileError(code="consolidated-sheet-missing", path=path, sheet=name)
        sheets[name] = sheet.rows
    stored = _stored_spec(path, sheets[cp.METADATA])
    if spec is not None and spec.digest != stored.digest:
        raise UnreadableFileError(
            code="consolidated-other-spec", path=path, name=stored.name, version=stored.version
        )
    try:
        reader = _Reader(path, stored, sheets)
        left_out = _left_out(sheets[cp.METADATA])
        return Consolidated(stored, reader.submissions(), reader.invalid(), left_out)
    except _DAMAGE as exc:  # a cell of the wrong kind where the writer put another
        reason = f"{type(exc).__name__}: {str(exc)[:120]}"
        raise UnreadableFileError(code="consolidated-damaged", path=path, reason=reason) from exc


# What a hand-edited cell makes reading raise (pydantic's ValidationError is a ValueError).
_DAMAGE = (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError)


def _metadata(rows: Rows) -> dict[str, Any]:
    return {str(r[0]): r[1] for r in rows[1:] if len(r) > 1 and r[0] != ""}


def _left_out(rows: Rows) -> tuple[LeftOut, ...] | None:
    text = _metadata(rows).get(cp.LEFT_OUT_KEY)
    return None if text in (None, "") else tuple(cp.left_out_from_json(str(text)))


def _stored_spec(path: Path, rows: Rows) -> Spec:
    meta = _metadata(rows)
    if meta.get("schema") != cp.SCHEMA:
        raise UnreadableFileError(
            code="consolidated-schema", path=path, schema=meta.get("schema"), known=cp.SCHEMA
        )
    try:
        spec = stored_spec({k: str(v) for k, v in meta.items()}, str(meta.get("spec_hash")))
    except SpecError as exc:
        raise UnreadableFileError(code="consolidated-metadata", path=path, reason=exc) from exc
    if spec is None:
        raise UnreadableFileError(code="consolidated-no-spec", path=path)
    return spec


class _Reader:
    def __init__(self, path: Path, spec: Spec, sheets: dict[str, Rows]) -> None:
        self.path, self.spec, self.sheets = path, spec, sheets

    def submissions(self) -> list[Submission]:
        src_cols = cp.source_columns(self.spec)
        ini_cols = cp.initiative_columns(self.spec)
        sources = self._table(cp.SOURCES, src_cols)
        initiatives = self._table(cp.INITIATIVES, ini_cols)
        by_nr: dict[int, list[dict[str, Any]]] = {}
        for row in initiatives:
            by_nr.setdefault(int(row[cp.NR]), []).append(row)
        counts = [int(row[cp.COUNT]) for row in sources]
        plan = cp.plan_overview(counts, len(self.spec.overview.extra_rows))
        out = []
        for n, (row, block) in enumerate(zip(sources, plan.blocks, strict=True), start=1):
            if int(row[cp.NR]) != n:
                self._changed(cp.SOURCES, f"række {n + 1} har Nr. {row[cp.NR]}, ventede {n}")
            out.append(self._submission(row, by_nr.get(n, []), block))
        return out

    def invalid(self) -> tuple[int, ...]:
        """Positions of the submissions the writer marked invalid in "Kilder"."""
        flag = cp.RESULT_TEXT["invalid"]
        rows = self._table(cp.SOURCES, cp.source_columns(self.spec))
        return tuple(n for n, row in enumerate(rows) if row[cp.RESULT] == flag)

    def _submission(
        self, source: dict[str, Any], rows: list[dict[str, Any]], block: cp.Block
    ) -> Submission:
        count = int(source[cp.COUNT])
        if not 0 <= count <= MAX_INITIATIVES:
            self._changed(cp.SOURCES, f"Nr. {source[cp.NR]} har {count} indsatser")
        rows = sorted(rows, key=lambda r: int(r[cp.INDEX]))
        if [int(r[cp.INDEX]) for r in rows] != list(range(1, count + 1)):
            self._changed(cp.INITIATIVES, f"indsatserne for Nr. {source[cp.NR]} passer ikke")
        values = {k: v for k, v in source.items() if k.startswith("cover.")}
        for i, row in enumerate(rows):
            values |= {f"initiatives.{i}.{k}": v for k, v in row.items() if k[0] != "#"}
        values |= self._extra_rows(block)
        template = TemplateInfo(**_section(source, "template"))
        layout = cp.blank_layout(self.spec, count)
        return assemble(layout, values, template, Source(**_section(source, "source")))

    def _extra_rows(self, block: cp.Block) -> dict[str, Any]:
        rows = self.sheets[cp.OVERVIEW]
        years = [str(y) for y in self.spec.round.years]
        out: dict[str, Any] = {}
        for n, extra in enumerate(self.spec.overview.extra_rows):
            row = block.extra_row(n)
            cells = rows[row] if row < len(rows) else []
            if _cell(cells, cp.NAME_COL) != extra.label:
                self._changed(cp.OVERVIEW, f"række {row + 1} skulle være '{extra.label}'")
            for j, key in enumerate([*(f"years.{y}" for y in years), "unallocated"]):
                value = _typed(_cell(cells, cp.AMOUNT_COL + j), Kind.AMOUNT)
                out[f"overview.extra_rows.{n}.{key}"] = value
        return out

    def _table(self, sheet: str, cols: Sequence[Column]) -> list[dict[str, Any]]:
        """Rows (after the header) as values by column key; rows without Nr. are ignored."""
        rows = self.sheets[sheet]
        headers = [_cell(rows[0], i) if rows else "" for i in range(len(cols))]
        if headers != [c.header for c in cols]:
            self._changed(sheet, "kolonneoverskrifterne passer ikke til specen")
        out = []
        for cells in rows[1:]:
            if _cell(cells, 0) == "":
                continue
            out.append({c.key: _typed(_cell(cells, i), c.kind) for i, c in enumerate(cols)})
        return out

    def _changed(self, sheet: str, what: str) -> None:
        raise UnreadableFileError(
            code="consolidated-edited", path=self.path, sheet=sheet, what=what
        )


def _cell(cells: list[Any], col: int) -> Any:
    return cells[col] if col < len(cells) else ""


def _typed(value: Any, kind: Kind) -> Any:
    """A cell's value as the submission holds it (calamine gives floats, dates and '')."""
    if value == "" or value is None:
        return None
    if kind == Kind.YESNO and value in ("Ja", "Nej"):
        return value == "Ja"
    if isinstance(value, dt.datetime) and kind == Kind.DATE and value.time() == dt.time():
        return value.date()
    if isinstance(value, float) and value.is_integer() and kind != Kind.AMOUNT:
        return int(value)
    return value


def _section(row: dict[str, Any], name: str) -> dict[str, Any]:
    """'template.id' -> {'id': ...}; text fields stay text even if they look like numbers."""
    prefix = name + "."
    return {
        k[len(prefix) :]: "" if v is None else str(v)
        for k, v in row.items()
        if k.startswith(prefix)
    }
