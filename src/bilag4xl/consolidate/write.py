"""Write the consolidated workbook of a decided merge (the only xlsxwriter driver besides
templates); `merge` runs the steps before it.

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
`read.read_consolidated` gives back exactly the submissions that went in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from xlsxwriter.worksheet import Worksheet

from bilag4xl.consolidate import plan as cp
from bilag4xl.consolidate.decide import Candidate, Merged, coverage, left_out_text
from bilag4xl.danish.numbers import EXCEL_FORMAT, format_number
from bilag4xl.errors import MergeError
from bilag4xl.form import limits, paths
from bilag4xl.form.layout import METADATA_TITLE_TEXT, Formula, Pos, Value
from bilag4xl.form.model import initiative_values
from bilag4xl.form.spec import spec_chunks
from bilag4xl.issues.report import SEVERITY_DA, Issue
from bilag4xl.output import atomic_write
from bilag4xl.xlsx import hooks
from bilag4xl.xlsx import split as split_build
from bilag4xl.xlsx.hooks import StreamedSheet
from bilag4xl.xlsx.typography import BOLD_CHAR_WIDTH, LINE_HEIGHT, fit_width, text_height
from bilag4xl.xlsx.workbook import StrictWorkbook, check

CHART_SIZE = {"x_scale": 2.0, "y_scale": 2.4, "y_offset": 12}  # a page of its own (see _chart)
DEPT_WIDTH_MIN, DEPT_WIDTH_MAX, NAME_WIDTH = 28.0, 60.0, 60.0
AMOUNT_WIDTH_MIN = 13.0
ISSUE_WIDTHS = (28, 24, 10, 70, 22, 8, 32, 16)  # as cp.issue_headers
A4 = 9  # xlsxwriter's paper code
# Printing: the width (column units, as set_column) a landscape A4 page between the margins
# holds at 100 %, and the smallest scale that is still read without a magnifier. A sheet
# wider than a page at that scale is printed over more pages across, its first columns
# repeated on each, rather than shrunk to one page wide ("Indsatser" became 4-point type).
PAGE_WIDTH_UNITS = 148.0
READABLE_SCALE = 60
SPLIT_FROM = 100  # initiatives; measured: from ~100 the helper saves time (120: 85 -> 62 ms)


__all__ = ["build_consolidated", "write_consolidated"]


def write_consolidated(out: str | Path, merged: Merged, force: bool = False) -> Path:
    """Write the consolidated workbook atomically; refuses when the merge is not `ok`, and a
    workbook the reader would refuse (beyond limits.CONSOLIDATED): what merge writes, read
    and report read back."""
    # The reader's own check, loaded on writing: `bilag4xl template` imports this module too.
    from bilag4xl.intake.workbook import refusal

    data = build_consolidated(merged)
    problem = refusal(data, limits.CONSOLIDATED)
    if problem:
        raise MergeError(code="merge-too-large", problem=problem)
    return atomic_write(out, data, force)


def build_consolidated(merged: Merged, split: bool | None = None) -> bytes:
    """The xlsx bytes of the consolidated workbook (deterministic: same merge, same bytes).

    A large merge writes "Indsatser" in a helper process while this one writes the other
    sheets (`split_build`); `split` forces that on or off (default: from SPLIT_FROM initiatives).
    """
    if not merged.ok:
        errors = len(merged.report.errors)
        raise MergeError(code="merge-blocked", errors=errors)
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
        self.widths: dict[str, tuple[float, ...]] = {}
        self.dept_width = _department_width(merged)
        amount = fit_width(format_number(merged.total), AMOUNT_WIDTH_MIN)
        widths = [self.dept_width, NAME_WIDTH, *(fit_width(h, amount) for h in self.amounts), 8]
        self.overview = self._sheet(cp.OVERVIEW, widths, cp.HEADER_ROW)
        ini_widths = _column_widths(self.ini_cols)
        self.initiatives = self._sheet(cp.INITIATIVES, ini_widths, 0, cp.INITIATIVE_KEY_COLS)
        self.sources = self._sheet(cp.SOURCES, _column_widths(self.src_cols), 0, 1)
        self.issues = self._sheet(cp.ISSUES, ISSUE_WIDTHS, 0, 1)
        self.meta = self._sheet(cp.METADATA, [20, 80])
        self.meta.very_hidden()
        self.overview.activate()
        self.filled = {ws.name: fills(ws.name) for ws in wb.worksheets()}
        self.ini_row = 0
        self.subtotals: list[dict[int, Value]] = []

    def fmt(self, name: str) -> Any:
        return self.wb.fmt(name)

    def _sheet(
        self,
        name: str,
        widths: Sequence[float],
        header_row: int | None = None,
        key_cols: int = 1,
    ) -> Worksheet:
        """A sheet with its column widths; one with a header row is set up for printing,
        its first `key_cols` columns repeated on the pages across."""
        ws = self.wb.add_worksheet(name, worksheet_class=StreamedSheet)
        self.widths[name] = tuple(widths)
        for col, width in enumerate(widths):
            check(ws.set_column(col, col, width), f"kolonnebredde i {name}")
        if header_row is not None:
            _print_setup(ws, header_row, self.spec.round.title, widths, key_cols)
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
        if self.filled[ws.name]:
            check(ws.set_row(0, _header_height(headers, self.widths[ws.name])), "rækkehøjde")
        ws.freeze_panes(1, 4)
        self.ini_row = 1

    @cached_property
    def _ini(self) -> _IniColumns:
        """The "Indsatser" columns as the row loop needs them, worked out once a merge."""
        cols = self.ini_cols
        economy = paths.economy_key("")
        summed = [
            j
            for j, c in enumerate(cols)
            if c.key.startswith(economy) and paths.is_amount_part(c.key.removeprefix(economy))
        ]
        widths = self.widths[cp.INITIATIVES]
        return _IniColumns(
            keys=[(c.key, c.is_field) for c in cols],
            styles=[c.style for c in cols],
            summed=summed,
            kept=[*summed, cp.index_of(cols, paths.economy_key(paths.COFINANCING))],
            total=cp.index_of(cols, cp.TOTAL),
            wrapped=[(j, widths[j]) for j, c in enumerate(cols) if c.style == "cell"],
        )

    def _initiative_rows(self, nr: int, entry: Candidate) -> dict[Pos, Value]:
        """One row per initiative; returns the amounts, for the overview's formulas."""
        cells: dict[Pos, Value] = {}
        ws, sheet, ini = self.initiatives, cp.INITIATIVES, self._ini
        summed, total = ini.summed, ini.total
        initiatives = initiative_values(entry.submission, [k for k, field in ini.keys if field])
        for i, values in enumerate(initiatives):
            row = self.ini_row
            bookkeeping = {cp.NR: nr, cp.DEPARTMENT: entry.department, cp.INDEX: i + 1}
            written = [values[k] if field else bookkeeping.get(k) for k, field in ini.keys]
            if self.filled[sheet]:
                for col, (style, value) in enumerate(zip(ini.styles, written, strict=True)):
                    if col != total:
                        self._put(ws, row, col, value, style)
                self._fit_row(ws, row, [(written[j], w) for j, w in ini.wrapped])
            for col in ini.kept:
                cells[Pos(sheet, row, col)] = written[col]
            pos = Pos(sheet, row, total)
            refs = tuple(Pos(sheet, row, j) for j in summed)
            cells[pos] = self._formula(ws, Formula(pos, "sum", refs), cells)
            self.ini_row += 1
        return cells

    # ------------------------------------------------------------------ "Kilder"

    def _source_row(self, nr: int, entry: Candidate, values: Mapping[str, Any]) -> None:
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
        written = []
        for col, c in enumerate(self.src_cols):
            if c.is_field:
                value = values[c.key] if c.key.startswith(paths.cover("")) else meta[c.key]
            else:
                value = bookkeeping[c.key]
            style = "flag" if c.key == cp.RESULT and result == "invalid" else c.style
            self._put(self.sources, nr, col, value, style)
            written.append(value)
        self._fit_row(self.sources, nr, list(zip(written, self.widths[cp.SOURCES], strict=True)))

    # ------------------------------------------------------------------ "Oversigt"

    def _overview_head(self) -> None:
        ws, spec, last = self.overview, self.spec, len(self.amounts) + 2
        m = self.merged
        title = f"{spec.round.title}: {coverage(spec, m.departments, m.left_out)}"
        self._span(ws, cp.TITLE_ROW, last, title, "title")
        check(ws.set_row(cp.TITLE_ROW, 2 * 21), "")
        self._span(ws, cp.UNIT_ROW, last, spec.round.unit.heading, "subtitle")
        invalid = sum(not e.valid for e in m.entries)
        banner = [left_out_text(m.left_out)] if m.left_out else []
        if invalid:
            banner.append(
                f"Obs: {invalid} indberetning(er) med fejl er taget med (--allow-invalid) og "
                f"markeret med rødt. Se arkene {cp.SOURCES} og {cp.ISSUES}."
            )
        if banner:  # who is not in it comes before any total is read
            self._span(ws, cp.BANNER_ROW, last, "\n".join(banner), "flag")
        heads = [spec.field("department").label, spec.overview.row_header, *self.amounts, "Skøn"]
        self._header_row(ws, cp.HEADER_ROW, heads)
        ws.freeze_panes(cp.HEADER_ROW + 1, 2)

    def _overview_block(
        self, entry: Candidate, block: cp.Block, values: Mapping[str, Any], cells: dict[Pos, Value]
    ) -> None:
        ws, sheet, spec = self.overview, cp.OVERVIEW, self.spec
        dept_style = "rowname" if entry.valid else "flag"
        parts = paths.amount_parts(spec.round.years)
        src_row = self.ini_row - block.initiatives
        # Where each overview column's amount stands in "Indsatser" (None: the row's total).
        sources = [cp.index_of(self.ini_cols, paths.economy_key(p)) for p in parts]
        sources += [None, cp.index_of(self.ini_cols, paths.economy_key(paths.COFINANCING))]
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
                self._put(ws, row, cp.AMOUNT_COL + len(self.amounts), "Ca.", "cell_mark")
            names = [(entry.department, self.dept_width), (ini.name, NAME_WIDTH)]
            self._fit_row(ws, row, names, dept_style)
        counted = [block.initiative_row(i) for i in range(block.initiatives)]
        for n, extra in enumerate(spec.overview.extra_rows):
            row = block.extra_row(n)
            self._put(ws, row, cp.DEPT_COL, entry.department, dept_style)
            self._put(ws, row, cp.NAME_COL, extra.label, "rowname")
            labels = [(entry.department, self.dept_width), (extra.label, NAME_WIDTH)]
            self._fit_row(ws, row, labels, dept_style)
            for j, part in enumerate(parts):
                value = values[paths.extra(n, part)]
                self._put(ws, row, cp.AMOUNT_COL + j, value, "cell_amount")
                cells[Pos(sheet, row, cp.AMOUNT_COL + j)] = value
            total = Pos(sheet, row, cp.AMOUNT_COL + len(parts))
            cells[total] = self._formula(ws, _row_sum(total), cells)
            if extra.in_total:
                counted.append(row)
        row = block.subtotal_row
        self._put(ws, row, cp.DEPT_COL, entry.department, "sublabel")
        self._put(ws, row, cp.NAME_COL, spec.economy.total_label, "sublabel")
        self._fit_row(ws, row, [(entry.department, self.dept_width)], "sublabel")
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
            self._fit_row(ws, row, [(entry.department, self.dept_width)], "rowname")
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
        chart.set_y_axis({"num_format": EXCEL_FORMAT})
        chart.set_legend({"position": "bottom"})
        check(self.overview.insert_chart(p.chart_row, cp.DEPT_COL, chart, CHART_SIZE), "diagram")
        # The chart starts a page of its own: a page break inside it printed its top on one
        # page and its bottom on the next, under the repeated header row.
        check(self.overview.set_h_pagebreaks([p.chart_row]), "sideskift før diagrammet")

    # ------------------------------------------------------------------ "Valideringer"

    def _issue_rows(self) -> None:
        ws = self.issues
        self._header_row(ws, 0, cp.issue_headers())
        ws.freeze_panes(1, 0)
        entries = {e.path.name: e for e in self.merged.entries}
        issues = sorted_issues(self.merged)
        for row, issue in enumerate(issues, 1):
            name = Path(issue.file).name if issue.file else ""
            entry = entries.get(name)
            cells = [  # Danish first; the code, for those who look codes up, last
                entry.submission.source.file if entry else name,
                entry.department if entry else "",
                SEVERITY_DA[issue.severity],
                issue.message_da,
                issue.sheet,
                issue.cell,
                issue.field,
                issue.code,
            ]
            style = "flag" if issue.severity == "error" else "cell"
            for col, value in enumerate(cells):
                self._put(ws, row, col, value, style if col == 2 else "cell")
            self._fit_row(ws, row, list(zip(cells, ISSUE_WIDTHS, strict=True)))
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
            "unit": spec.round.unit.label,
            "submissions": str(len(merged.entries)),
            "initiatives": str(merged.initiatives),
            "allow_invalid": "Ja" if merged.allow_invalid else "Nej",
            cp.LEFT_OUT_KEY: cp.left_out_json(merged.left_out),
        }
        items |= spec_chunks(spec)
        self._put(self.meta, 0, 0, METADATA_TITLE_TEXT, "meta")
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

    def _fit_row(
        self, ws: Worksheet, row: int, texts: Sequence[tuple[Any, float]], style: str = "cell"
    ) -> None:
        """Give a row with wrapped text its height: LibreOffice does not grow it on load."""
        if not self.filled[ws.name]:
            return
        height = LINE_HEIGHT
        for text, width in texts:  # ~100,000 texts in a national merge: skip what fits
            if isinstance(text, str) and (len(text) * BOLD_CHAR_WIDTH > width or "\n" in text):
                height = max(height, text_height(text, width, style))
        if height > LINE_HEIGHT:
            check(ws.set_row(row, height), "rækkehøjde")

    def _span(self, ws: Worksheet, row: int, last_col: int, text: str, style: str) -> None:
        """Text over the columns up to `last_col`, in a row as high as it needs."""
        if self.filled[ws.name]:
            check(ws.merge_range(row, 0, row, last_col, text, self.fmt(style)), f"{ws.name} række")
            height = text_height(text, sum(self.widths[ws.name][: last_col + 1]), style)
            if height > LINE_HEIGHT:
                check(ws.set_row(row, height), "rækkehøjde")

    def _header_row(self, ws: Worksheet, row: int, headers: Sequence[str]) -> None:
        """Column headers, in a row as high as the longest one needs."""
        for col, text in enumerate(headers):
            self._put(ws, row, col, text, "header")
        if self.filled[ws.name]:
            check(ws.set_row(row, _header_height(headers, self.widths[ws.name])), "rækkehøjde")


@dataclass(frozen=True)
class _IniColumns:
    keys: list[tuple[str, bool]]  # each column's key, and whether it is a submission's field
    styles: list[str]
    summed: list[int]  # the amounts a row's total sums
    kept: list[int]  # the amounts the overview refers to
    total: int
    wrapped: list[tuple[int, float]]  # columns of wrapped text, with their widths


def _department_width(merged: Merged) -> float:
    """Wide enough for the longest department name (in bold, as on its subtotal row)."""
    longest = max((len(e.department) for e in merged.entries), default=0)
    return min(DEPT_WIDTH_MAX, max(DEPT_WIDTH_MIN, longest * BOLD_CHAR_WIDTH + 1))


def _column_widths(cols: Sequence[cp.Column]) -> list[float]:
    """The planned widths, widened where a header word would be broken."""
    return [fit_width(c.header, c.width) for c in cols]


def _header_height(headers: Sequence[str], widths: Sequence[float]) -> float:
    return max(text_height(h, w, "header") for h, w in zip(headers, widths, strict=False))


def _print_setup(
    ws: Worksheet, header_row: int, title: str, widths: Sequence[float], key_cols: int
) -> None:
    """Landscape A4, the header row on every page, the sheet's name on top; one page wide
    when that keeps READABLE_SCALE, else at that scale over more pages across, with the
    first `key_cols` columns (which row is which) on every page."""
    ws.set_landscape()
    ws.set_paper(A4)
    if sum(widths) * READABLE_SCALE / 100 <= PAGE_WIDTH_UNITS:
        ws.fit_to_pages(1, 0)
    else:
        ws.set_print_scale(READABLE_SCALE)
        ws.repeat_columns(0, key_cols - 1)
    ws.repeat_rows(header_row)
    ws.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.75)
    check(ws.set_header(f"&L{_hf(title)}&R&A"), "sidehoved")
    check(ws.set_footer("&CSide &P af &N"), "sidefod")


def _hf(text: str) -> str:
    """Text for a page header (& starts a code there)."""
    return text[:80].replace("&", "&&")


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
    """Declare "Indsatser" as an Excel table although the sheet is streamed (see
    `hooks.add_streamed_table`); the headers are then written as inline strings, also by a
    writer that does not fill the sheet (shared-string headers would break its streamed
    rows)."""
    columns = [{"header": h, "header_format": fmt} for h in headers]
    options = {"name": cp.TABLE_NAME, "columns": columns, "style": "Table Style Light 9"}
    check(hooks.add_streamed_table(ws, last_row, headers, options), "tabellen Indsatser")
    for col, header in enumerate(headers):
        check(ws.write_string(0, col, header, fmt), f"overskrift i {ws.name}")
