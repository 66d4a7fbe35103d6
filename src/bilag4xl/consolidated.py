"""Write the consolidated workbook of a merge (the only xlsxwriter driver besides templates).

The workbook is streamed (xlsxwriter's constant_memory mode): every sheet is written top-down,
one submission at a time, so a national round of ~1,000 files never holds more than one row
of cells in the writer. Totals are live formulas built from `layout.Formula`, which also
computes their cached values, so the text and the value of a total cannot disagree. A large
merge writes "Indsatser" in a helper process while this one writes the rest (`split_build`):
the same bytes as one process would write, in ~60% of the time at N = 1,000.

Sheets: "Oversigt" (economy by department, subtotals, grand total, chart), "Indsatser" (every
field of every initiative, an Excel table), "Kilder" (provenance and cover of each
submission), "Valideringer" (the issues) and a hidden metadata sheet. Every submission value
is stored once, typed, in "Indsatser", "Kilder" or (extra rows) "Oversigt", so that
`consolidated_read.read_consolidated` gives back exactly the submissions that went in.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlsxwriter.worksheet import Worksheet

from . import consolidated_plan as cp
from . import split_build
from .consolidated_read import is_consolidated, open_consolidated, read_consolidated
from .errors import MergeError, OutputExistsError
from .excel import CELL_TEXT_MAX
from .files import atomic_write
from .layout import LINE_HEIGHT, TEXT_LINES_MAX, Formula, Pos, Value
from .merge import Entry, Merged, OnDuplicate, merge, notice
from .model import initiative_values
from .report import SEVERITY_DA, Issue, Report
from .spec import Spec
from .xlsx import ClassicFormulaSheet, StrictWorkbook, check

CHART_SIZE = {"x_scale": 2.0, "y_scale": 1.5}
DEPT_WIDTH, NAME_WIDTH = 44.0, 60.0
SPLIT_FROM = 100  # initiatives; measured: from ~100 the helper saves time (120: 85 -> 62 ms)


__all__ = [
    "MergeRun",
    "build_consolidated",
    "is_consolidated",
    "merge_paths",
    "open_consolidated",
    "read_consolidated",
    "write_consolidated",
]


@dataclass
class MergeRun:
    """What `merge_paths` did: the merge decision and the file written (None if refused)."""

    merged: Merged
    written: Path | None


def merge_paths(
    paths: Iterable[str | Path],
    out: str | Path,
    spec: Spec | None = None,
    *,
    on_duplicate: OnDuplicate = "error",
    allow_invalid: bool = False,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> MergeRun:
    """Read and validate every file (folders recursively), merge, and write `out` atomically.

    Nothing is written unless the merge is `ok`. Inputs are only read. `out` may not be one of
    the inputs, also not one found in an input folder; an earlier consolidated workbook there
    (e.g. last run's OUT) is skipped.
    """
    from .discover import collect_paths
    from .spec import load_spec
    from .validate import ValidationRun, validate_paths

    spec = spec or load_spec()
    out = Path(out)
    if out.exists() and not force:
        raise OutputExistsError(f"{out} findes allerede; brug --force for at overskrive")
    target = out.resolve()
    paths = [Path(p) for p in paths]
    if any(p.resolve() == target for p in paths if not p.is_dir()):
        raise MergeError(f"{out} er også en af inputfilerne; vælg et andet navn til resultatet")
    files, skipped = collect_paths(paths)
    notes = []
    inputs = []
    for path in files:
        if path.resolve() != target:
            inputs.append(path)
        elif is_consolidated(path):
            notes.append(notice("output_skipped", path))
        else:  # a submission: --force must never replace an input
            raise MergeError(
                f"{out} er en af inputfilerne (fundet i en inputmappe); vælg et andet navn "
                "til resultatet"
            )
    # An earlier consolidated workbook among the inputs is passed over (checked while reading).
    run = validate_paths(inputs, spec, progress, skip=is_consolidated)
    notes += [notice("consolidated_skipped", path) for path in run.passed_over]
    merged = merge(
        run.results,
        spec,
        on_duplicate=on_duplicate,
        allow_invalid=allow_invalid,
        mtime=lambda p: p.stat().st_mtime,
    )
    skipped_notes = ValidationRun(skipped=skipped).report
    merged.report = Report([*notes, *skipped_notes, *merged.report])
    written = write_consolidated(out, merged, force) if merged.ok else None
    return MergeRun(merged, written)


def write_consolidated(out: str | Path, merged: Merged, force: bool = False) -> Path:
    """Write the consolidated workbook atomically; refuses when the merge is not `ok`, and a
    workbook the reader would refuse (beyond limits.CONSOLIDATED): what merge writes, read
    and report read back."""
    from . import limits
    from .reader import refusal

    data = build_consolidated(merged)
    problem = refusal(data, limits.CONSOLIDATED)
    if problem:
        raise MergeError(
            f"den samlede projektmappe ville blive for stor til at læse igen ({problem}); "
            "saml runden i flere dele"
        )
    return atomic_write(out, data, force)


def build_consolidated(merged: Merged, split: bool | None = None) -> bytes:
    """The xlsx bytes of the consolidated workbook (deterministic: same merge, same bytes).

    A large merge writes "Indsatser" in a helper process while this one writes the other
    sheets (`split_build`); `split` forces that on or off (default: from SPLIT_FROM initiatives).
    """
    if not merged.ok:
        errors = len(merged.report.errors)
        raise MergeError(f"indberetningerne kan ikke samles: {errors} fejl (se rapporten)")
    if split is None:
        split = merged.initiatives >= SPLIT_FROM

    def new(tmpdir: str | None) -> StrictWorkbook:
        return StrictWorkbook(lock_structure=False, stream=True, tmpdir=tmpdir)

    def write(wb: StrictWorkbook, fills: Callable[[str], bool]) -> None:
        _Writer(wb, merged, fills).write()

    return split_build.build(new, write, [cp.INITIATIVES], split)


class _Writer:
    """Writes all sheets top-down in one pass over the entries (see module docstring).

    Cells go only to the sheets `fills` names; every sheet is still declared with its columns,
    table, filters and chart, so two writers filling different sheets make the same parts."""

    def __init__(
        self, wb: StrictWorkbook, merged: Merged, fills: Callable[[str], bool] = lambda _: True
    ) -> None:
        self.wb, self.merged, self.spec = wb, merged, merged.spec
        wb.index_formats()
        self.ini_cols = cp.initiative_columns(self.spec)
        self.src_cols = cp.source_columns(self.spec)
        self.amounts = cp.overview_columns(self.spec)
        extras = len(self.spec.overview.extra_rows)
        counts = [len(e.submission.initiatives) for e in merged.entries]
        self.plan = cp.plan_overview(counts, extras)
        widths = [DEPT_WIDTH, NAME_WIDTH, *[13] * len(self.amounts), 8]
        self.overview = self._sheet(cp.OVERVIEW, widths)
        self.initiatives = self._sheet(cp.INITIATIVES, [c.width for c in self.ini_cols])
        self.sources = self._sheet(cp.SOURCES, [c.width for c in self.src_cols])
        self.issues = self._sheet(cp.ISSUES, [28, 28, 10, 22, 22, 8, 30, 80])
        self.meta = self._sheet(cp.METADATA, [20, 80])
        self.meta.very_hidden()
        self.overview.activate()
        self.filled = {ws.name: fills(ws.name) for ws in wb.worksheets()}
        self.ini_row = 0
        self.subtotals: list[dict[int, Value]] = []

    def fmt(self, name: str) -> Any:
        return self.wb.fmt(name)

    def _sheet(self, name: str, widths: Sequence[float]) -> Worksheet:
        ws = self.wb.add_worksheet(name, worksheet_class=ClassicFormulaSheet)
        for col, width in enumerate(widths):
            check(ws.set_column(col, col, width), f"kolonnebredde i {name}")
        return ws

    # ------------------------------------------------------------------ the pass

    def write(self) -> None:
        filled = self.filled
        self._overview_head()
        self._initiatives_head()
        self._header_row(self.sources, 0, [c.header for c in self.src_cols])
        check(self.sources.autofilter(0, 0, len(self.merged.entries), len(self.src_cols) - 1), "")
        self.sources.freeze_panes(1, 2)
        for nr, (entry, block) in enumerate(
            zip(self.merged.entries, self.plan.blocks, strict=True), 1
        ):
            cells = self._initiative_rows(nr, entry)
            if filled[cp.SOURCES] or filled[cp.OVERVIEW]:
                values = cp.submission_values(self.spec, entry.submission)
                if filled[cp.SOURCES]:
                    self._source_row(nr, entry, values)
                if filled[cp.OVERVIEW]:
                    self._overview_block(entry, block, values, cells)
        if filled[cp.OVERVIEW]:
            self._overview_summary()
        self._chart()
        self._issue_rows()
        self._metadata()

    # ------------------------------------------------------------------ "Indsatser"

    def _initiatives_head(self) -> None:
        ws, cols = self.initiatives, self.ini_cols
        headers = [c.header for c in cols]
        last = max(self.merged.initiatives, 1)
        _declare_table(ws, last, headers, self.fmt("header"))
        ws.freeze_panes(1, 4)
        self.ini_row = 1

    def _initiative_rows(self, nr: int, entry: Entry) -> dict[Pos, Value]:
        """One row per initiative; returns the amounts, for the overview's formulas."""
        cells: dict[Pos, Value] = {}
        ws, cols, sheet = self.initiatives, self.ini_cols, cp.INITIATIVES
        keys = [c.key for c in cols if c.is_field]
        initiatives = initiative_values(entry.submission, keys)
        summed = [
            j for j, c in enumerate(cols) if ".years." in c.key or c.key.endswith("unallocated")
        ]
        kept = [*summed, cp.index_of(cols, "economy.cofinancing")]
        total = cp.index_of(cols, cp.TOTAL)
        wrapped = [(j, c.width) for j, c in enumerate(cols) if c.style == "cell"]
        for i, values in enumerate(initiatives):
            row = self.ini_row
            bookkeeping = {cp.NR: nr, cp.DEPARTMENT: entry.department, cp.INDEX: i + 1}
            written = [values[c.key] if c.is_field else bookkeeping.get(c.key) for c in cols]
            if self.filled[sheet]:
                for col, (c, value) in enumerate(zip(cols, written, strict=True)):
                    if col != total:
                        self._put(ws, row, col, value, c.style)
                self._fit_row(ws, row, [(written[j], w) for j, w in wrapped])
            for col in kept:
                cells[Pos(sheet, row, col)] = written[col]
            pos = Pos(sheet, row, total)
            refs = tuple(Pos(sheet, row, j) for j in summed)
            cells[pos] = self._formula(ws, Formula(pos, "sum", refs), cells)
            self.ini_row += 1
        return cells

    # ------------------------------------------------------------------ "Kilder"

    def _source_row(self, nr: int, entry: Entry, values: Mapping[str, Any]) -> None:
        sub, report = entry.submission, entry.report
        result = "invalid" if not report.valid else "warnings" if report.warnings else "valid"
        bookkeeping = {
            cp.NR: nr,
            cp.RESULT: cp.RESULT_TEXT[result],
            cp.ERRORS: len(report.errors),
            cp.WARNINGS: len(report.warnings),
            cp.COUNT: len(sub.initiatives),
        }
        meta = {f"template.{k}": v for k, v in sub.template.model_dump().items()}
        meta |= {f"source.{k}": v for k, v in sub.source.model_dump().items()}
        for col, c in enumerate(self.src_cols):
            if c.is_field:
                value = values[c.key] if c.key.startswith("cover.") else meta[c.key]
            else:
                value = bookkeeping[c.key]
            style = "flag" if c.key == cp.RESULT and result == "invalid" else c.style
            self._put(self.sources, nr, col, value, style)

    # ------------------------------------------------------------------ "Oversigt"

    def _overview_head(self) -> None:
        ws, spec, last = self.overview, self.spec, len(self.amounts) + 2
        self._span(ws, cp.TITLE_ROW, last, f"{spec.round.title}: alle forvaltninger", "title")
        check(ws.set_row(cp.TITLE_ROW, 2 * 21), "")
        self._span(ws, cp.UNIT_ROW, last, f"Beløb i {spec.round.unit}", "subtitle")
        invalid = sum(not e.valid for e in self.merged.entries)
        if invalid:
            text = (
                f"Obs: {invalid} indberetning(er) med fejl er taget med (--allow-invalid) og "
                f"markeret med rødt. Se arkene {cp.SOURCES} og {cp.ISSUES}."
            )
            self._span(ws, cp.BANNER_ROW, last, text, "flag")
        heads = [spec.field("department").label, spec.overview.row_header, *self.amounts, "Skøn"]
        self._header_row(ws, cp.HEADER_ROW, heads)
        check(ws.set_row(cp.HEADER_ROW, 45), "")
        ws.freeze_panes(cp.HEADER_ROW + 1, 2)
        ws.repeat_rows(cp.HEADER_ROW)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)

    def _overview_block(
        self, entry: Entry, block: cp.Block, values: Mapping[str, Any], cells: dict[Pos, Value]
    ) -> None:
        ws, sheet, spec = self.overview, cp.OVERVIEW, self.spec
        dept_style = "rowname" if entry.valid else "flag"
        years = [str(y) for y in spec.round.years]
        eco_keys = [f"economy.years.{y}" for y in years] + ["economy.unallocated"]
        src_row = self.ini_row - block.initiatives
        # Where each overview column's amount stands in "Indsatser" (None: the row's total).
        sources = [cp.index_of(self.ini_cols, k) for k in eco_keys]
        sources += [None, cp.index_of(self.ini_cols, "economy.cofinancing")]
        for i, ini in enumerate(entry.submission.initiatives):
            row = block.initiative_row(i)
            self._put(ws, row, cp.DEPT_COL, entry.department, dept_style)
            self._put(ws, row, cp.NAME_COL, ini.name, "rowname")
            for j, src_col in enumerate(sources):
                pos = Pos(sheet, row, cp.AMOUNT_COL + j)
                if src_col is None:
                    cells[pos] = self._formula(ws, _row_sum(pos), cells)
                    continue
                src = Pos(cp.INITIATIVES, src_row + i, src_col)
                cells[pos] = self._formula(ws, Formula(pos, "ref", (src,)), cells)
            if ini.economy.estimated:
                self._put(ws, row, cp.AMOUNT_COL + len(self.amounts), "Ca.", "info")
            self._fit_row(ws, row, [(entry.department, DEPT_WIDTH), (ini.name, NAME_WIDTH)])
        counted = [block.initiative_row(i) for i in range(block.initiatives)]
        for n, extra in enumerate(spec.overview.extra_rows):
            row = block.extra_row(n)
            self._put(ws, row, cp.DEPT_COL, entry.department, dept_style)
            self._put(ws, row, cp.NAME_COL, extra.label, "rowname")
            for j, key in enumerate([*(f"years.{y}" for y in years), "unallocated"]):
                value = values[f"overview.extra_rows.{n}.{key}"]
                self._put(ws, row, cp.AMOUNT_COL + j, value, "cell_amount")
                cells[Pos(sheet, row, cp.AMOUNT_COL + j)] = value
            total = Pos(sheet, row, cp.AMOUNT_COL + len(eco_keys))
            cells[total] = self._formula(ws, _row_sum(total), cells)
            if extra.in_total:
                counted.append(row)
        row = block.subtotal_row
        self._put(ws, row, cp.DEPT_COL, entry.department, "sublabel")
        self._put(ws, row, cp.NAME_COL, spec.economy.total_label, "sublabel")
        subtotal: dict[int, Value] = {}
        for j in range(len(self.amounts)):
            col = cp.AMOUNT_COL + j
            refs = tuple(Pos(sheet, r, col) for r in counted)
            f = Formula(Pos(sheet, row, col), "sum", refs, style="subtotal")
            subtotal[col] = self._formula(ws, f, cells)
        self.subtotals.append(subtotal)

    def _overview_summary(self) -> None:
        ws, sheet, p, spec = self.overview, cp.OVERVIEW, self.plan, self.spec
        last = len(self.amounts) + 2
        self._span(ws, p.summary_title_row, last, "Samlet pr. forvaltning", "section")
        heads = [spec.field("department").label, "", *self.amounts]
        self._header_row(ws, p.summary_header_row, heads)
        cells: dict[Pos, Value] = {}
        for n, (entry, block) in enumerate(zip(self.merged.entries, p.blocks, strict=True)):
            row = p.first_summary_row + n
            self._put(ws, row, cp.DEPT_COL, entry.department, "rowname")
            for j in range(len(self.amounts)):
                col = cp.AMOUNT_COL + j
                src = Pos(sheet, block.subtotal_row, col)
                cells[src] = self.subtotals[n][col]
                cells[Pos(sheet, row, col)] = self._formula(
                    ws, Formula(Pos(sheet, row, col), "ref", (src,)), cells
                )
        self._put(ws, p.total_row, cp.DEPT_COL, spec.overview.total_label, "totallabel")
        for j in range(len(self.amounts)):
            col = cp.AMOUNT_COL + j
            refs = tuple(Pos(sheet, r, col) for r in range(p.first_summary_row, p.total_row))
            self._formula(
                ws, Formula(Pos(sheet, p.total_row, col), "sum", refs, "grandtotal"), cells
            )
        if spec.overview.footnote:
            self._span(ws, p.footnote_row, last, spec.overview.footnote, "help")

    def _chart(self) -> None:
        """Stacked columns: each department's amounts by year (and 'not allocated')."""
        p, n = self.plan, len(self.merged.entries)
        chart = self.wb.add_chart({"type": "column", "subtype": "stacked"})
        first, last = p.first_summary_row, p.first_summary_row + n - 1
        for j in range(len(self.amounts) - 2):  # the years and 'ikke fordelt', not the totals
            col = cp.AMOUNT_COL + j
            chart.add_series(
                {
                    "name": [cp.OVERVIEW, p.summary_header_row, col],
                    "categories": [cp.OVERVIEW, first, cp.DEPT_COL, last, cp.DEPT_COL],
                    "values": [cp.OVERVIEW, first, col, last, col],
                }
            )
        chart.set_title({"name": f"Beløb pr. forvaltning ({self.spec.round.unit})"})
        chart.set_legend({"position": "bottom"})
        check(self.overview.insert_chart(p.chart_row, cp.DEPT_COL, chart, CHART_SIZE), "diagram")

    # ------------------------------------------------------------------ "Valideringer"

    def _issue_rows(self) -> None:
        ws = self.issues
        self._header_row(ws, 0, cp.issue_headers())
        ws.freeze_panes(1, 0)
        departments = {e.path.name: e.department for e in self.merged.entries}
        issues = sorted_issues(self.merged)
        for row, issue in enumerate(issues, 1):
            name = Path(issue.file).name if issue.file else ""
            cells = [
                name,
                departments.get(name, ""),
                SEVERITY_DA[issue.severity],
                issue.code,
                issue.sheet,
                issue.cell,
                issue.field,
                issue.message_da,
            ]
            style = "flag" if issue.severity == "error" else "cell"
            for col, value in enumerate(cells):
                self._put(ws, row, col, value, style if col == 2 else "cell")
        check(ws.autofilter(0, 0, max(len(issues), 1), len(cp.issue_headers()) - 1), "")

    # ------------------------------------------------------------------ metadata

    def _metadata(self) -> None:
        spec, merged = self.spec, self.merged
        items = {
            "generator": "bilag4xl",
            "kind": "consolidated",
            "schema": cp.SCHEMA,
            "layout_version": cp.LAYOUT_VERSION,
            "spec_name": spec.name,
            "spec_version": spec.version,
            "spec_hash": spec.digest,
            "period": f"{spec.round.first_year}-{spec.round.last_year}",
            "unit": spec.round.unit,
            "submissions": str(len(merged.entries)),
            "initiatives": str(merged.initiatives),
            "allow_invalid": "Ja" if merged.allow_invalid else "Nej",
        }
        text = json.dumps(spec.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)
        chunks = [text[i : i + CELL_TEXT_MAX] for i in range(0, len(text), CELL_TEXT_MAX)]
        items |= {f"spec_json.{n}": chunk for n, chunk in enumerate(chunks, 1)}
        self._put(self.meta, 0, 0, "bilag4xl metadata – må ikke ændres", "meta")
        for row, (key, value) in enumerate(items.items(), 1):
            self._put(self.meta, row, 0, key, "meta")
            self._put(self.meta, row, 1, value, "meta")

    # ------------------------------------------------------------------ cells

    def _put(self, ws: Worksheet, row: int, col: int, value: Any, style: str) -> None:
        """Write by type; text is always a string cell, True/False the form's Ja/Nej."""
        if value is None or value == "" or not self.filled[ws.name]:
            return
        fmt = self.fmt(style)
        if isinstance(value, bool):
            result = ws.write_string(row, col, cp.YESNO_TEXT[value], fmt)
        elif isinstance(value, int | float):
            result = ws.write_number(row, col, value, fmt)
        elif isinstance(value, dt.date):
            result = ws.write_datetime(row, col, value, fmt)
        else:
            result = ws.write_string(row, col, str(value), fmt)
        if result:  # 0 is success; the message is only built for a failure
            check(result, f"{ws.name}!{Pos(ws.name, row, col).ref}")

    def _formula(self, ws: Worksheet, f: Formula, cells: Mapping[Pos, Value]) -> Value:
        """Write a formula with its computed value as the cached result; return the value."""
        value = f.compute(cells.get)  # type: ignore[arg-type]
        if not self.filled[ws.name]:
            return value
        result = ws.write_formula(f.pos.row, f.pos.col, f.excel(), self.fmt(f.style), value)
        if result:
            check(result, f"formel i {f.pos}")
        return value

    def _fit_row(self, ws: Worksheet, row: int, texts: Sequence[tuple[Any, float]]) -> None:
        """Give a row with wrapped text its height: LibreOffice does not grow it on load."""
        if not self.filled[ws.name]:
            return
        lines = 1
        for text, width in texts:  # ~100,000 texts in a national merge: skip what fits
            if isinstance(text, str) and (len(text) * 1.1 > width or "\n" in text):
                lines = max(lines, _lines(text, width))
        if lines > 1:
            check(ws.set_row(row, LINE_HEIGHT * min(lines, TEXT_LINES_MAX)), "rækkehøjde")

    def _span(self, ws: Worksheet, row: int, last_col: int, text: str, style: str) -> None:
        if self.filled[ws.name]:
            check(ws.merge_range(row, 0, row, last_col, text, self.fmt(style)), f"{ws.name} række")

    def _header_row(self, ws: Worksheet, row: int, headers: Sequence[str]) -> None:
        for col, text in enumerate(headers):
            self._put(ws, row, col, text, "header")


def _lines(text: str, width: float) -> int:
    """Estimated lines of wrapped text in a column `width` characters wide."""
    if "\n" not in text:
        return max(1, math.ceil(len(text) * 1.1 / width))
    return sum(max(1, math.ceil(len(part) * 1.1 / width)) for part in text.split("\n"))


def _row_sum(pos: Pos) -> Formula:
    """'I alt' of an overview row: the years and 'ikke fordelt' to its left."""
    refs = tuple(Pos(pos.sheet, pos.row, c) for c in range(cp.AMOUNT_COL, pos.col))
    return Formula(pos, "sum", refs, style="total")


def sorted_issues(merged: Merged) -> list[Issue]:
    """Merge issues first, then each file's issues in the workbook's order of submissions."""
    rank = {e.path.name: n for n, e in enumerate(merged.entries)}

    def key(item: tuple[int, Issue]) -> tuple[int, str, int]:
        index, issue = item
        name = Path(issue.file).name if issue.file else ""
        merge_issue = issue.code.startswith("merge.")
        return (-1 if merge_issue else rank.get(name, len(rank)), name, index)

    return [issue for _, issue in sorted(enumerate(merged.report), key=key)]


def _declare_table(ws: Worksheet, last_row: int, headers: Sequence[str], fmt: Any) -> None:
    """Declare "Indsatser" as an Excel table although the sheet is streamed.

    xlsxwriter refuses add_table() in constant_memory mode only because it writes the header
    cells itself. Declared before any row is written, the header row is still the open row:
    the table is added with constant_memory briefly off, and the headers are then rewritten
    as the inline strings the streamed sheet needs (also by a writer that does not fill the
    sheet: shared-string headers would break its streamed rows). The per-cell overlap bookkeeping
    (one dict entry per table cell, for a check that cannot fire on a one-table sheet) is
    dropped to keep memory flat.
    """
    columns = [{"header": h, "header_format": fmt} for h in headers]
    options = {"name": cp.TABLE_NAME, "columns": columns, "style": "Table Style Light 9"}
    ws.constant_memory = False
    try:
        check(ws.add_table(0, 0, last_row, len(headers) - 1, options), "tabellen Indsatser")
    finally:
        ws.constant_memory = True
    ws.table_cells.clear()
    for col, header in enumerate(headers):
        check(ws.write_string(0, col, header, fmt), f"overskrift i {ws.name}")
