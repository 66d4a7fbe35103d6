"""Hand a caseworker their own workbook back, ready to fix (issue 6).

A feedback workbook is a fresh template of the same round and department (the same template
id, so it reads back like the original), pre-filled with every value of the submission, with
each problem cell flagged and commented in Danish and a "Rettelser" sheet linking to them.
A value that could not be placed (text in an amount cell) is kept in the comment.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bilag4xl.danish.numbers import format_number
from bilag4xl.errors import NoFeedbackError
from bilag4xl.form.identity import form_digest
from bilag4xl.form.layout import (
    Layout,
    MadeFrom,
    Pos,
    Role,
    Value,
    plan,
    values_digest,
)
from bilag4xl.form.model import flatten
from bilag4xl.form.spec import Spec
from bilag4xl.intake.validate import FileResult, layout_of, placed, read_file, validate_paths
from bilag4xl.issues.report import Issue, Lang, Severity
from bilag4xl.output import atomic_write, check_targets
from bilag4xl.template.writer import Extra, build
from bilag4xl.xlsx import excel
from bilag4xl.xlsx.typography import span_width, text_height
from bilag4xl.xlsx.workbook import StrictWorkbook, call

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

NEEDS_FEEDBACK = (Severity.ERROR, Severity.WARNING)
RAW_VALUE = {"da": "Indtastet værdi", "en": "Value entered"}
RAW_SHOWN = 2_000  # characters of a value that could not be placed, in its comment
CUT = {
    "da": "Teksten havde {length} tegn; her står de første {limit}, så meget en celle kan rumme.",
    "en": "The text had {length} characters; the first {limit} are here, all a cell can hold.",
}


@dataclass(frozen=True)
class Correction:
    """One thing a caseworker must fix: where (None for the whole file) and what to do."""

    pos: Pos | None
    label: str
    message: str


@dataclass(frozen=True)
class Marks:
    """Feedback on a pre-filled workbook: flagged cells with comments, a "Rettelser" sheet."""

    corrections: tuple[Correction, ...] = ()
    title: str = ""

    def comments(self) -> dict[Pos, str]:
        by_pos: dict[Pos, list[str]] = {}
        for c in self.corrections:
            if c.pos is not None:
                by_pos.setdefault(c.pos, []).append(c.message)
        return {pos: "\n".join(msgs) for pos, msgs in by_pos.items()}

    def write(self, layout: Layout) -> Extra:
        """What `template.build` calls to write the "Rettelser" sheet."""
        sheet = layout.sheet(Role.FEEDBACK)

        def write(wb: StrictWorkbook, sheets: dict[str, Worksheet]) -> None:
            _write_corrections(wb, sheets[sheet.name], self, sheet.widths)

        return write


@dataclass
class FeedbackResult:
    source: Path
    out: Path | None  # None: the submission had no problems (or could not be read)
    problems: int
    reason: str = ""


def placed_values(result: FileResult, layout: Layout) -> dict[str, Value]:
    """The values to pre-fill: the valid ones, and invalid text back where it was typed (at
    most what a cell holds: the rest of a longer text is in the caseworker's own file)."""
    return placed(result.values, result.raw, layout)


def corrections(
    result: FileResult, layout: Layout, placed: dict[str, Value], lang: Lang = "da"
) -> list[Correction]:
    """One correction per problem, on the fresh layout's cell for that field; a value that
    could not be placed is kept in the comment."""
    out = []
    for issue in result.report:
        if issue.severity not in NEEDS_FEEDBACK:
            continue
        pos = _position(issue, layout)
        message = issue.message(lang)
        raw = result.raw.get(issue.field or "")
        if issue.field and raw is not None and placed.get(issue.field) is None:
            message += f"\n{RAW_VALUE[lang]}: «{excel.shorten(_as_typed(raw), RAW_SHOWN)}»"
        elif isinstance(raw, str) and len(raw) > excel.CELL_TEXT_MAX:
            message += "\n" + CUT[lang].format(length=len(raw), limit=excel.CELL_TEXT_MAX)
        label = _label(layout, issue.field) if issue.field else (issue.where() or issue.file)
        out.append(Correction(pos, label, message))
    return out


def _as_typed(raw: object) -> str:
    """A cell's value as the caseworker sees it: numbers in Danish notation, text as typed."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return format_number(raw, 6)
    return str(raw)


def _position(issue: Issue, layout: Layout) -> Pos | None:
    if issue.field:
        try:
            return layout.input(issue.field).pos
        except KeyError:
            pass
    planned = {s.name for s in layout.sheets}
    if issue.sheet in planned and issue.cell:
        row, col = excel.parse_ref(issue.cell)
        return Pos(issue.sheet, row, col)
    return None


def _label(layout: Layout, path: str) -> str:
    try:
        return layout.input(path).field.label
    except KeyError:
        return path


def feedback_bytes(
    result: FileResult,
    spec: Spec | None = None,
    lang: Lang = "da",
    name: str | None = None,
    entry: int | None = None,
    link: str | None = None,
) -> bytes:
    """The feedback workbook for one validated file (`spec`: the one it was validated with;
    `name`: the file's name as its sender knows it, when it is kept under another).

    It is a submission in its own right once corrected: its metadata keeps the ledger's
    `entry` of the file it was made from and a digest of the values it holds, so that one
    sent back unchanged is told apart. `link` is the department's own upload address."""
    base = layout_of(result, spec)
    if base is None or result.submission is None:
        reasons = "; ".join(i.message(lang) for i in result.report.errors) or "ukendt fejl"
        raise NoFeedbackError(code="feedback-impossible", path=result.path, reasons=reasons)
    # A file made before the round's form changed gets the round's template back, with its
    # values carried over, so a field the form has gained can be filled in.
    current = spec if spec and form_digest(spec) != form_digest(base.spec) else base.spec
    layout = plan(current, base.department, base.initiatives, feedback=True, link=link)
    title = f"Rettelser til {name or result.path.name}"
    values = placed_values(result, layout)
    if current is not base.spec:
        carried = flatten(result.submission, layout)
        values = {**values, **{p: v for p, v in carried.items() if v is not None}}
    layout.made_from = MadeFrom(entry, values_digest(values, layout))
    marks = Marks(tuple(corrections(result, layout, values, lang)), title)
    return build(layout, values, notes=marks.comments(), extra=marks.write(layout))


def write_feedback(
    source: Path,
    out: Path,
    spec: Spec | None = None,
    force: bool = False,
    lang: Lang = "da",
    entry: int | None = None,
) -> FeedbackResult:
    """Feedback for one file, written to `out` (always, even without problems); `entry` is
    the file's number in its round's ledger, when it has one."""
    result = read_file(source, spec)
    data = feedback_bytes(result, spec, lang, entry=entry)
    return FeedbackResult(source, atomic_write(out, data, force), _problems(result))


def write_feedback_folder(
    paths: Iterable[str | Path],
    out_dir: Path,
    spec: Spec | None = None,
    force: bool = False,
    lang: Lang = "da",
) -> list[FeedbackResult]:
    """One feedback file per submission with problems, `<file>_rettelser.xlsx`, in the same
    subfolders as the submissions (departments often use one folder each, same file names)."""
    results = validate_paths(paths, spec, keep_values=True).results
    needed = [r for r in results if _problems(r)]
    root = Path(os.path.commonpath([r.path.parent.resolve() for r in needed])) if needed else None
    targets = {
        r.path: out_dir
        / r.path.parent.resolve().relative_to(root)
        / f"{r.path.stem}_rettelser.xlsx"
        for r in needed
        if root is not None
    }
    check_targets(targets.values(), force)  # all or nothing
    out = []
    for result in results:
        if result.path not in targets:
            out.append(FeedbackResult(result.path, None, 0))
            continue
        try:
            data = feedback_bytes(result, spec, lang)
        except NoFeedbackError as exc:
            out.append(FeedbackResult(result.path, None, _problems(result), str(exc)))
            continue
        written = atomic_write(targets[result.path], data, force)
        out.append(FeedbackResult(result.path, written, _problems(result)))
    return out


def _problems(result: FileResult) -> int:
    return sum(1 for i in result.report if i.severity in NEEDS_FEEDBACK)


def _write_corrections(
    wb: StrictWorkbook, ws: Worksheet, marks: Marks, widths: tuple[float, ...]
) -> None:
    """The "Rettelser" sheet: one row per problem, linked to its cell, each row as high as
    its longest text (LibreOffice would otherwise print the messages over each other)."""
    title = marks.title or "Rettelser"
    note = "Ret de markerede celler (se kommentarerne) og send filen igen."
    for row, text, style in ((0, title, "title"), (1, note, "info")):
        call(ws.merge_range, row, 0, row, 3, "", wb.fmt(style))
        call(ws.write_string, row, 0, text, wb.fmt(style))
        call(ws.set_row, row, text_height(text, span_width(widths, 0, 4), style))
    heads = ("Ark", "Celle", "Felt", "Hvad skal rettes")
    for col, head in enumerate(heads):
        call(ws.write_string, 3, col, head, wb.fmt("header"))
    for row, c in enumerate(marks.corrections, start=4):
        sheet = c.pos.sheet if c.pos else ""
        texts = (sheet, c.pos.ref if c.pos else "", c.label, c.message)
        call(ws.write_string, row, 0, sheet, wb.fmt("info"))
        if c.pos is not None:
            target = f"internal:{excel.quote_sheet(c.pos.sheet)}!{c.pos.ref}"
            call(ws.write_url, row, 1, target, wb.fmt("link"), c.pos.ref)
        call(ws.write_string, row, 2, c.label, wb.fmt("info"))
        call(ws.write_string, row, 3, c.message, wb.fmt("info"))
        height = max(text_height(t, w) for t, w in zip(texts, widths, strict=True))
        call(ws.set_row, row, height)
