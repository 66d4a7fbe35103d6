"""The data for BI tools: every value entered, as one long table (a row per value).

Power Query and pandas users turn a folder of workbooks into one refreshable table; this is
that table, made by the same reader as everything else: department, initiative, field (key
and label), year (empty for values without one), value, unit, file and when it was received.
Values are as entered and parsed (amounts as numbers in the round's unit, dates as ISO text,
yes/no as "Ja"/"Nej"); nothing computed (no totals): the amounts of the years and those not
allocated to a year sum to the totals (co-financing is a part of them, not added to them).

Three renderings of the same rows:

* CSV: UTF-8 with a BOM (Excel reads it as UTF-8), comma-separated, "." as decimal mark; text
  that a spreadsheet would take for a formula (starting with = + - @, tab or CR) is prefixed
  with a single quote (OWASP, CSV injection);
* XLSX: the same rows as an Excel table (Danish Excel opens a comma CSV in one column, since
  its list separator is ";"; a workbook has no separator to guess);
* Parquet (the optional extra `bilag4xl[parquet]`, pyarrow): typed columns for pandas and
  Power BI; since a column has one type, `value` is text there and `number` holds the value
  of every numeric row.

Only valid submissions are exported: a file with errors has values that broke a rule, and a
table for a dashboard must not pass them off as data. Those left out are named.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from bilag4xl.errors import ExportFormatError
from bilag4xl.form import paths
from bilag4xl.form.kinds import NO, YES
from bilag4xl.form.layout import Layout, plan
from bilag4xl.form.model import Submission, flatten
from bilag4xl.form.spec import Kind, Spec

if TYPE_CHECKING:
    from bilag4xl.round.folder import Round

Format = Literal["csv", "xlsx", "parquet"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx", "parquet")
COLUMNS = (
    "department",
    "initiative",
    "field",
    "label",
    "year",
    "value",
    "unit",
    "file",
    "received",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TABLE_NAME = "Bilag4"
SHEET_NAME = "Data"

Cell = str | int | float | dt.datetime | None


@dataclass(frozen=True)
class Row:
    """One value entered: where it stands, what it is, and the file it came from."""

    department: str
    initiative: str
    field: str
    label: str
    year: int | None
    value: str | int | float
    unit: str
    file: str
    received: dt.datetime | None

    def cells(self) -> tuple[Cell, ...]:
        return (
            self.department,
            self.initiative,
            self.field,
            self.label,
            self.year,
            self.value,
            self.unit,
            self.file,
            self.received,
        )


@dataclass
class Table:
    """The rows, and the departments or files left out (missing, or with errors)."""

    rows: list[Row] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- rows


def submission_rows(
    submission: Submission, spec: Spec, file: str, received: dt.datetime | None = None
) -> list[Row]:
    """A row per value entered in one submission (read against `spec`), in the form's order."""
    layout = plan(spec, submission.department or None, [i.name for i in submission.initiatives])
    values = flatten(submission, layout)
    out = []
    for i in layout.inputs:
        value = values.get(i.path)
        where = paths.parse(i.path)
        if value is None or value == "" or where is None or where.key == paths.NAME:
            continue
        initiative = (
            submission.initiatives[where.index].name
            if where.section in ("initiative", "economy") and where.index is not None
            else ""
        )
        key, label = _field(where, layout, i.field.label)
        unit = spec.round.unit.label if i.field.kind == Kind.AMOUNT else ""
        year = int(where.year) if where.year else None
        out.append(
            Row(
                submission.department,
                initiative,
                key,
                label,
                year,
                _value(value),
                unit,
                file,
                received,
            )
        )
    return out


def _field(where: paths.FieldPath, layout: Layout, label: str) -> tuple[str, str]:
    """A value's field key and label as a table names them: the years of an amount are one
    field ("economy.years") with a year each."""
    spec = layout.spec
    part = "years" if where.year else where.key
    if where.section in ("cover", "initiative"):
        return where.key, label
    if where.section == "economy":
        shown = spec.economy.years_label if where.year else label
        return f"economy.{part}", shown
    row = spec.overview.extra_rows[where.index or 0]
    if where.year:
        return f"overview.{row.key}", row.label
    return f"overview.{row.key}.{part}", f"{row.label}: {label}"


def _value(value: object) -> str | int | float:
    """As entered: numbers as numbers (whole ones as integers), dates as ISO, yes/no in Danish."""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def paths_table(sources: Iterable[str | Path], spec: Spec | None = None) -> Table:
    """Every valid submission in files and folders (each read by `spec`, else by its own)."""
    from bilag4xl.intake.validate import validate_paths

    run = validate_paths(sources, spec)
    table = Table()
    for result in run.results:
        sub = result.submission
        if sub is None or not result.report.valid:
            table.left_out.append(f"{result.path.name} (har fejl)")
            continue
        made_with = spec or result.made_with
        if made_with is None:
            from bilag4xl.form.spec import load_spec

            made_with = load_spec()
        table.rows += submission_rows(sub, made_with, result.path.name)
    return table


def round_table(rnd: Round) -> Table:
    """Each department's current file in the round: its values, sent-as name and time
    received; departments left out are named with the reason the annex and the merge give
    (`left_out`: mangler, udeladt, fejl). No file is read: the ledger keeps what each was
    read as."""
    from bilag4xl.round.folder import current_submissions, left_out

    current = [held for held in current_submissions(rnd) if held.submission and held.valid]
    included = [str(held.entry.department) for held in current]
    table = Table([], [f"{o.department} ({o.reason})" for o in left_out(rnd, included)])
    for held in current:
        entry, sub = held.entry, held.submission
        assert sub is not None
        received = entry.received_at.astimezone()
        table.rows += submission_rows(sub, rnd.spec, entry.original_name, received)
    return table


# --------------------------------------------------------------------------- renderings


def neutralised(text: str) -> str:
    """Text a spreadsheet would read as a formula, made plain text by a leading quote."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_cell(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, dt.datetime):
        return cell.isoformat(timespec="seconds")
    if isinstance(cell, str):
        return neutralised(cell)
    return str(cell)


def csv_bytes(rows: Sequence[Row]) -> bytes:
    """The table as CSV: UTF-8 with a BOM, comma-separated, CRLF, a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_csv_cell(c) for c in row.cells()])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows: Sequence[Row]) -> bytes:
    """The table as an Excel table (text stays text: nothing becomes a formula)."""
    from bilag4xl.xlsx.workbook import StrictWorkbook, call

    wb = StrictWorkbook(lock_structure=False)
    ws = wb.add_worksheet(SHEET_NAME)
    when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    data = [[_xlsx_cell(c) for c in row.cells()] for row in rows]
    columns = [{"header": name} for name in COLUMNS]
    columns[COLUMNS.index("received")]["format"] = when
    last_row = max(len(data), 1)  # a table needs a row below its header
    options = {"name": TABLE_NAME, "columns": columns, "data": data, "style": "Table Style Light 9"}
    call(ws.add_table, 0, 0, last_row, len(COLUMNS) - 1, options)
    for col, width in enumerate((28, 36, 22, 36, 6, 40, 10, 30, 19)):
        call(ws.set_column, col, col, width)
    call(ws.freeze_panes, 1, 0)
    return wb.to_bytes()


def _xlsx_cell(cell: Cell) -> Cell:
    """Excel has no time zones: the local time received, as shown on the round's page."""
    if isinstance(cell, dt.datetime) and cell.tzinfo is not None:
        return cell.astimezone().replace(tzinfo=None)
    return cell


def parquet_bytes(rows: Sequence[Row]) -> bytes:
    """The table as Parquet: `value` as text, `number` the value of each numeric row."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ExportFormatError(code="parquet-needs-pyarrow") from exc
    values = [r.value for r in rows]
    columns = {
        "department": pa.array([r.department for r in rows], pa.string()),
        "initiative": pa.array([r.initiative for r in rows], pa.string()),
        "field": pa.array([r.field for r in rows], pa.string()),
        "label": pa.array([r.label for r in rows], pa.string()),
        "year": pa.array([r.year for r in rows], pa.int32()),
        "value": pa.array([str(v) for v in values], pa.string()),
        "number": pa.array(
            [float(v) if isinstance(v, int | float) else None for v in values], pa.float64()
        ),
        "unit": pa.array([r.unit for r in rows], pa.string()),
        "file": pa.array([r.file for r in rows], pa.string()),
        "received": pa.array([r.received for r in rows], pa.timestamp("s", tz="UTC")),
    }
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    return buffer.getvalue()


RENDER = {"csv": csv_bytes, "xlsx": xlsx_bytes, "parquet": parquet_bytes}


def table_of(rnd: Round | None, given: Sequence[str | Path], spec: Spec | None) -> Table:
    """`bilag4xl export`'s table: of the files and folders `given` (read by `spec`, else by
    the round's, else each file's own), or, with none, of the round's current files."""
    if not given and rnd is not None:
        return round_table(rnd)
    return paths_table(given, spec or (rnd.spec if rnd is not None else None))


def format_for(target: Path | None, fmt: str | None) -> Format:
    """The format asked for (--format), else by the file's suffix, else CSV."""
    chosen = (fmt or (target.suffix.lstrip(".").lower() if target else "") or "csv").lower()
    if chosen not in FORMATS:
        raise ExportFormatError(code="export-format-unknown", chosen=chosen)
    return chosen  # type: ignore[return-value]


def export_bytes(table: Table, fmt: Format = "csv") -> bytes:
    """The table in one of FORMATS."""
    return RENDER[fmt](table.rows)


def export_round(rnd: Round, fmt: Format = "csv") -> tuple[bytes, list[str]]:
    """The round's table (each department's current valid file) as CSV, XLSX or Parquet
    bytes, and what was left out: what the web page offers beside samlet.xlsx."""
    table = round_table(rnd)
    return export_bytes(table, fmt), table.left_out
