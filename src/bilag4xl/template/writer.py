"""Write a locked template (optionally pre-filled) from a Layout: the only xlsxwriter driver
for templates. Everything about positions comes from `layout`; formats from `styles`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from xlsxwriter.worksheet import Worksheet

from bilag4xl.danish.numbers import day
from bilag4xl.errors import SpecError
from bilag4xl.form import kinds
from bilag4xl.form.layout import (
    Formula,
    Input,
    Layout,
    Pos,
    Role,
    Text,
    Value,
    metadata_title,
    plan,
)
from bilag4xl.form.limits import MAX_INITIATIVES
from bilag4xl.form.spec import Kind, Spec
from bilag4xl.output import atomic_write, atomic_write_all, check_targets
from bilag4xl.textsafe import slug
from bilag4xl.xlsx import excel
from bilag4xl.xlsx.workbook import StrictWorkbook, call, write_value

DEFAULT_BLANK = 3


def resolve_initiatives(
    spec: Spec, department: str | None, names: Iterable[str] = (), blank: int | None = None
) -> list[str | None]:
    """The initiative sheets of a template: named ones, then `blank` spare ones (None).

    Without names, a department of the round gets the round's initiatives for it; a template
    with nothing named gets DEFAULT_BLANK spare sheets so it is never empty.
    """
    named = [n.strip() for n in names if n.strip()]
    if department is not None:
        known = spec.round.department(department)
        if spec.round.departments and known is None:
            choices = ", ".join(d.name for d in spec.round.departments)
            raise SpecError(code="unknown-department", department=department, choices=choices)
        if not named and known is not None:
            named = list(known.initiatives)
    seen: set[str] = set()
    for name in named:
        if name.casefold() in seen:
            raise SpecError(code="initiative-twice", name=name)
        seen.add(name.casefold())
    if blank is None:
        blank = 0 if named else DEFAULT_BLANK
    if blank < 0 or len(named) + blank == 0:
        raise SpecError(code="template-empty")
    if len(named) + blank > MAX_INITIATIVES:  # the reader's limits follow from this
        raise SpecError(code="template-too-many", count=len(named) + blank, maximum=MAX_INITIATIVES)
    return [*named, *([None] * blank)]


def canonical_department(spec: Spec, department: str | None) -> str | None:
    """The round's spelling of a department name given in any case."""
    if department is None:
        return None
    known = spec.round.department(department)
    return known.name if known else department.strip()


# Adds to a workbook before its sheets are protected: the feedback sheet, a review list.
Extra = Callable[[StrictWorkbook, dict[str, Worksheet]], None]


def build(
    layout: Layout,
    values: Mapping[str, Value] | None = None,
    password: str | None = None,
    notes: Mapping[Pos, str] | None = None,
    extra: Extra | None = None,
) -> bytes:
    """The xlsx bytes of a template; `values` pre-fills inputs by path (cached results match),
    `notes` flags cells with a comment, `extra` writes more (feedback's "Rettelser" sheet)."""
    values = values or {}
    notes = notes or {}
    wb = StrictWorkbook(password=password)
    sheets = {s.name: _add_sheet(wb, s, layout) for s in layout.sheets}
    for t in layout.texts:
        _write_text(wb, sheets[t.pos.sheet], t)
    for i in layout.inputs:
        ws = sheets[i.pos.sheet]
        _write_input(wb, ws, i, values.get(i.path), layout, flagged=i.pos in notes)
        _write_marks(wb, ws, i, layout)
    cached = layout.evaluate(values)
    for f in layout.formulas:
        _write_formula(wb, sheets[f.pos.sheet], f, cached[f.pos])
    _write_metadata(wb, sheets[layout.spec.sheets.metadata], layout)
    for (sheet, row), height in sorted(layout.heights.items()):
        call(sheets[sheet].set_row, row, height)
    if extra is not None:
        extra(wb, sheets)
    for pos, text in sorted(notes.items()):
        call(
            sheets[pos.sheet].write_comment,
            pos.row,
            pos.col,
            text,
            {"x_scale": 2.5, "y_scale": 2, "author": "bilag4xl"},
        )
    for ws in sheets.values():
        call(ws.protect, password or "", _ALLOWED)
    return wb.to_bytes()


# What a caseworker may still do on a protected sheet (xlsxwriter's options mean "allowed").
_ALLOWED = {
    "select_locked_cells": True,
    "select_unlocked_cells": True,
    "format_rows": True,
    "format_columns": True,
}


def write_template(
    out: str | Path,
    spec: Spec,
    department: str | None = None,
    initiatives: Iterable[str] = (),
    blank: int | None = None,
    password: str | None = None,
    force: bool = False,
) -> Path:
    """Generate one template file (atomically; refuses to overwrite without force)."""
    data = template_bytes(spec, department, initiatives, blank, password)
    return atomic_write(out, data, force)


def template_bytes(
    spec: Spec,
    department: str | None = None,
    initiatives: Iterable[str] = (),
    blank: int | None = None,
    password: str | None = None,
    link: str | None = None,
) -> bytes:
    """One template's xlsx bytes (to write, attach to a reminder or download); `link` is the
    department's own upload address, said beside where to send it."""
    department = canonical_department(spec, department)
    names = resolve_initiatives(spec, department, initiatives, blank)
    return build(plan(spec, department, names, link=link), password=password)


def write_round(
    out_dir: str | Path, spec: Spec, password: str | None = None, force: bool = False
) -> list[Path]:
    """One template per department of the round, named after the department: all or
    nothing (a full disk leaves no part of the set)."""
    if not spec.round.departments:
        raise SpecError(code="round-templates-no-departments")
    out_dir = Path(out_dir)
    targets = [out_dir / template_filename(spec, d.name) for d in spec.round.departments]
    check_targets(targets, force)  # before anything is built
    files = [
        (out, template_bytes(spec, d.name, password=password))
        for out, d in zip(targets, spec.round.departments, strict=True)
    ]
    return atomic_write_all(files, force)


def template_filename(spec: Spec, department: str) -> str:
    return f"{spec.name}_{slug(department)}.xlsx"


# --------------------------------------------------------------------------- writing parts


def _add_sheet(wb: StrictWorkbook, s: Any, layout: Layout) -> Worksheet:
    ws = wb.add_worksheet(s.name)
    for col, width in enumerate(s.widths):
        call(ws.set_column, col, col, width)
    if s.role is Role.METADATA:
        ws.very_hidden()
        return ws
    ws.set_paper(9)  # A4
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    dept = layout.department or layout.spec.round.title
    right = s.header if s.role is Role.INITIATIVE else s.name
    call(ws.set_header, f"&L{_hf(dept)}&R{_hf(right)}")
    call(ws.set_footer, "&LBilag 4&CSide &P af &N")
    ws.hide_gridlines(2)
    if s.role is (Role.FEEDBACK if layout.feedback else Role.INSTRUCTIONS):
        ws.activate()
    return ws


def _hf(text: str) -> str:
    """Escape text for an Excel header/footer (& starts a code) and keep it within limits."""
    return excel.shorten(text, 80).replace("&", "&&")


def _span(ws: Worksheet, row: int, col: int, span: int, fmt: Any) -> None:
    if span > 1:
        call(ws.merge_range, row, col, row, col + span - 1, "", fmt)


def _write_text(wb: StrictWorkbook, ws: Worksheet, t: Text) -> None:
    fmt = wb.fmt(t.style)
    _span(ws, t.pos.row, t.pos.col, t.span, fmt)
    call(ws.write_string, t.pos.row, t.pos.col, t.text, fmt)


def _write_input(
    wb: StrictWorkbook, ws: Worksheet, i: Input, value: Value, layout: Layout, flagged: bool = False
) -> None:
    fmt = wb.fmt(kinds.rule(i.field.kind).style + ("_flagged" if flagged else ""))
    row, col = i.pos.row, i.pos.col
    _span(ws, row, col, i.span, fmt)
    if isinstance(value, bool) and i.field.kind == Kind.YESNO:
        value = kinds.YES if value else kinds.NO
    write_value(ws, row, col, value, fmt)
    checks = validation(i, layout.spec, layout.deadline)
    call(ws.data_validation, row, col, row, col, checks, what=f"validering af {i.pos}")


def _write_marks(wb: StrictWorkbook, ws: Worksheet, i: Input, layout: Layout) -> None:
    """Conditional formats that colour an input while it is missing or breaks a rule.

    Excel's validation is bypassed by a paste; these formulas still react, so a caseworker
    sees the problem before sending. The reader re-checks everything regardless.
    """
    for formula, style in rule_formulas(i, layout):
        rule = {"type": "formula", "criteria": formula, "format": wb.fmt(style)}
        if style == "cf_invalid":
            rule["stop_if_true"] = True
        call(ws.conditional_format, i.pos.row, i.pos.col, i.pos.row, i.pos.col, rule)


def rule_formulas(i: Input, layout: Layout) -> list[tuple[str, str]]:
    """(Excel formula, style) pairs: invalid-value rules first, then the missing marker."""
    f, ref = i.field, i.pos.ref
    filled = f'{ref}<>""'
    kind = kinds.rule(f.kind)
    bad = kind.invalid(ref, f, layout.spec) if kind.invalid else None
    if bad and i.path.endswith(".cofinancing"):  # never more than the initiative's total
        total = _total_pos(layout, i.pos.sheet)
        bad = f"OR({bad},AND(ISNUMBER({ref}),{ref}>{total.ref}))"
    if f.max_length and kind.length_checked:
        too_long = f"LEN({ref})>{f.max_length}"
        bad = f"OR({bad},{too_long})" if bad else too_long
    rules = [(f"=AND({filled},{bad})", "cf_invalid")] if bad else []
    if f.required:
        rules.append((f"=LEN(TRIM({ref}))=0", "cf_missing"))
    return rules


def _total_pos(layout: Layout, sheet: str) -> Pos:
    return next(f.pos for f in layout.formulas if f.pos.sheet == sheet and f.style == "total")


def _write_formula(wb: StrictWorkbook, ws: Worksheet, f: Formula, value: Value) -> None:
    fmt = wb.fmt(f.style)
    _span(ws, f.pos.row, f.pos.col, f.span, fmt)
    call(ws.write_formula, f.pos.row, f.pos.col, f.excel(), fmt, value)


def _write_metadata(wb: StrictWorkbook, ws: Worksheet, layout: Layout) -> None:
    fmt = wb.fmt("meta")
    call(ws.write_string, *metadata_title(), fmt)
    for row, (key, value) in enumerate(layout.metadata().items(), start=1):
        call(ws.write_string, row, 0, key, fmt)
        call(ws.write_string, row, 1, value, fmt)


def validation(i: Input, spec: Spec, deadline: dt.date | None = None) -> dict[str, Any]:
    """The Excel data validation of an input: a rule, an input message and an error message.
    A date's example is the template's `deadline` (the department's own, when it has one)."""
    f = i.field
    if f.kind == Kind.DATE and not f.example and deadline:
        f = f.model_copy(update={"example": day(deadline)})
    checks, error = kinds.rule(f.kind).validation(f, spec)
    prompt = f.help or error or f.label
    if len(prompt) > excel.PROMPT_MESSAGE_MAX:
        prompt = excel.shorten(prompt, excel.PROMPT_MESSAGE_MAX - 20) + " (se Vejledning)"
    checks.update({"input_title": f.prompt_title, "input_message": prompt})
    if error:
        if len(error) > excel.ERROR_MESSAGE_MAX:
            raise SpecError(
                code="error-message-too-long",
                key=f.key,
                length=len(error),
                maximum=excel.ERROR_MESSAGE_MAX,
            )
        checks.update(
            {
                "error_title": excel.shorten(f.label, excel.PROMPT_TITLE_MAX),
                "error_message": error,
                "error_type": "stop",
            }
        )
    return checks
