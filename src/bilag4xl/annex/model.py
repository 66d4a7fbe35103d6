"""The annex ("Bilag 4: Statuskemaer …") as a document model, built once from submissions.

Why a model between the data and the files: the Word, Markdown and HTML versions must say the
same thing. All decisions — order of fields, choices in words, empty answers, amounts and
their rounding — are taken here; the renderers (`annex_docx`, `annex_markup`) only lay out.

The annex follows the seed: a title with date and case numbers; per department its cover
facts, one two-column table (label | answer) per initiative in the spec's order, and the
economic overview (years, "Ikke fordelt på år" when used, "I alt", the extra rows, "I ALT",
footnote). With several departments a summary overview across them closes the annex.

Submissions that were merged although invalid (`merge --allow-invalid`) are said to be so at
the top of the annex and at their department: an annex must never pass on unchecked figures
without a word.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from bilag4xl.consolidate.decide import LeftOut, coverage, left_out_text, missing_departments
from bilag4xl.danish.numbers import MILLION, Unit, day, format_number
from bilag4xl.form import paths
from bilag4xl.form.kinds import NO, YES, rule
from bilag4xl.form.model import Economy, Initiative, Submission
from bilag4xl.form.spec import FieldSpec, Kind, Spec

EMPTY = "(ikke udfyldt)"
# Cover fields that identify the case: shown under the title (not per department) when all
# departments share them, as in the seed's letterhead. Not the cover's date: the annex has
# its own (the day it is made), and each department's date stays with its part.
HEADER_KEYS = ("case_number", "document_number")
UNUSED = "Ikke udfyldt"  # the fact naming optional fields no submission used
LEFT_OUT = "Ikke med"


@dataclass(frozen=True)
class Line:
    """One line of an answer; `label` names a structured choice ("Evaluering: intern")."""

    text: str
    label: str = ""

    @property
    def empty(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True)
class Row:
    """A row of an initiative's table: the form's label (and help) and the answer's lines."""

    label: str
    lines: tuple[Line, ...]
    help: str = ""


@dataclass(frozen=True)
class Section:
    """One initiative's status form."""

    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class TableRow:
    """A row of an overview; `note` is the amount in words, `total` marks the I ALT row."""

    label: str
    cells: tuple[str, ...]
    note: str = ""
    total: bool = False


@dataclass(frozen=True)
class Table:
    """An economic overview: header, rows (numbers already formatted), unit and footnote."""

    title: str
    header: tuple[str, ...]
    rows: tuple[TableRow, ...]
    unit_note: str
    footnote: str = ""


@dataclass(frozen=True)
class Part:
    """One department's submission; `warning` says when it was merged with errors."""

    name: str
    facts: tuple[tuple[str, str], ...]
    initiatives: tuple[Section, ...]
    overview: Table
    warning: str = ""


@dataclass(frozen=True)
class Annex:
    """The whole annex, ready for any renderer; `warning` names the submissions with errors
    in it (empty when all were valid), for the top of the document and for the terminal."""

    title: str
    subtitle: str
    facts: tuple[tuple[str, str], ...]
    parts: tuple[Part, ...]
    summary: Table | None = None
    date: dt.date | None = None
    warning: str = ""
    left_out: tuple[LeftOut, ...] = ()


PART_WARNING = (
    "Obs: Indberetningen har fejl og er taget med uden at være godkendt (bilag4xl merge "
    "--allow-invalid). Se arket Valideringer i den samlede projektmappe."
)
ROW_WARNING = "Obs: har fejl, ikke godkendt"


def build_annex(
    submissions: Sequence[Submission],
    spec: Spec,
    date: dt.date | None = None,
    invalid: Collection[int] = (),
    left_out: Sequence[LeftOut] | None = None,
) -> Annex:
    """The annex for these submissions, dated `date` (default: today, the day it is made);
    `invalid` are the positions of submissions merged with errors (`Consolidated.invalid`);
    `left_out` the round's departments not in it and why (default: those of the spec without
    a submission here are missing). Optional fields no submission used are named once."""
    date = date or dt.date.today()
    missing = (
        list(left_out)
        if left_out is not None
        else missing_departments(spec, [s.department for s in submissions])
    )
    shared = _shared_header(submissions, spec)
    facts = [("Dato", day(date))]
    facts += [(spec.field(k).label, v) for k, v in shared.items()]
    if missing:
        facts.append((LEFT_OUT, left_out_text(missing).removeprefix(f"{LEFT_OUT}: ")))
    unused = _unused_fields(submissions, spec)
    if unused:
        labels = ", ".join(f.label for f in unused)
        facts.append((UNUSED, f"{labels} (af ingen forvaltning; feltet er udeladt nedenfor)"))
    r = spec.round
    subtitle = f"{r.title} · {r.unit.heading}"
    skip = set(shared) | {"department"} | {f.key for f in unused}
    millions = _millions(submissions, spec)
    parts = tuple(_part(s, spec, skip, n in invalid, millions) for n, s in enumerate(submissions))
    summary = None
    if len(submissions) > 1:
        covered = coverage(spec, len({s.department.casefold() for s in submissions}), missing)
        summary = _summary(submissions, spec, invalid, covered, millions)
    warning = invalid_warning([submissions[n] for n in sorted(invalid)])
    return Annex(spec.title, subtitle, tuple(facts), parts, summary, date, warning, tuple(missing))


def _unused_fields(submissions: Sequence[Submission], spec: Spec) -> list[FieldSpec]:
    """Optional cover and initiative fields that no submission filled in: said once at the
    top instead of "(ikke udfyldt)" in every department and initiative."""
    if not submissions:
        return []
    covers = [s.cover for s in submissions]
    initiatives = [i.model_dump() for s in submissions for i in s.initiatives]
    unused = [
        f
        for f in spec.cover.fields
        if not f.required
        and f.key != "department"
        and not any(in_words(c.get(f.key)) for c in covers)
    ]
    if initiatives:
        unused += [
            f
            for f in spec.initiative.fields
            if not f.required
            and f.kind != Kind.ECONOMY
            and not any(in_words(paths.lookup(i, f.key)) for i in initiatives)
        ]
    return unused


def _millions(submissions: Sequence[Submission], spec: Spec) -> bool:
    """Whether the annex says its large amounts in millions: only when every one of them is
    whole thousands of kroner, so one table never mixes "9,435 mio. kr." and "2.292.500 kr."."""
    amounts: list[float] = []
    for s in submissions:
        for i in s.initiatives:
            amounts += [i.economy.total, i.economy.cofinancing or 0.0]
        amounts += [s.overview.total, s.overview.cofinancing]
    amounts += [sum(s.overview.total for s in submissions)]
    amounts += [sum(s.overview.cofinancing for s in submissions)]
    return spec.round.unit.millions_style(amounts)


def invalid_warning(invalid: Sequence[Submission]) -> str:
    """The sentence that names the submissions merged with errors ("" for none)."""
    if not invalid:
        return ""
    names = ", ".join(f"{s.department or EMPTY} ({s.source.file})" for s in invalid)
    count = "1 indberetning" if len(invalid) == 1 else f"{len(invalid)} indberetninger"
    return (
        f"Obs: Bilaget bygger også på {count} med fejl, taget med uden at være godkendt "
        f"(bilag4xl merge --allow-invalid): {names}. Tallene og teksterne herfra er ikke "
        "kontrolleret; se arkene Kilder og Valideringer i den samlede projektmappe."
    )


def in_words(value: Any) -> str:
    """A field's value as the annex prints it ("" when not filled in)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, dt.date):
        return day(value)
    if isinstance(value, int | float):
        return format_number(value)
    return str(value).strip()


# --------------------------------------------------------------------------- parts


def _shared_header(submissions: Sequence[Submission], spec: Spec) -> dict[str, str]:
    """Header fields every submission gives the same value (all of them for a single one)."""
    keys = {f.key for f in spec.cover.fields}
    shared: dict[str, str] = {}
    for key in HEADER_KEYS:
        values = {in_words(s.cover.get(key)) for s in submissions}
        if key in keys and len(values) == 1 and "" not in values:
            shared[key] = values.pop()
    return shared


def _part(
    sub: Submission, spec: Spec, skip: set[str], invalid: bool = False, millions: bool = True
) -> Part:
    facts = tuple(
        (f.label, in_words(sub.cover.get(f.key)) or EMPTY)
        for f in spec.cover.fields
        if f.key not in skip
    )
    sections = tuple(
        Section(ini.name or EMPTY, _rows(ini, spec, skip, millions)) for ini in sub.initiatives
    )
    warning = PART_WARNING if invalid else ""
    overview = _overview(sub, spec, millions)
    return Part(sub.department or EMPTY, facts, sections, overview, warning)


def _rows(
    ini: Initiative, spec: Spec, skip: Collection[str] = (), millions: bool = True
) -> tuple[Row, ...]:
    """One row per field (not those in `skip`); a choice joins the row before it when both
    share a group ("follow_up.evaluation" joins "follow_up.text"), so the answer reads as on
    paper."""
    data = ini.model_dump()
    rows: list[Row] = []
    groups: list[str | None] = []
    for f in spec.initiative.fields:
        if f.key in skip:
            continue
        if f.kind == Kind.ECONOMY:
            rows.append(Row(f.label, _economy_lines(ini.economy, spec, millions)))
            groups.append(None)
            continue
        value = in_words(paths.lookup(data, f.key))
        group = f.key.rpartition(".")[0] or None
        if _is_choice(f) and group and groups and groups[-1] == group:
            last = rows[-1]
            rows[-1] = Row(last.label, (*last.lines, Line(value, f.label)), last.help)
            continue
        line = Line(value, f.label) if _is_choice(f) else Line(value)
        rows.append(Row(f.label, (line,), f.help))
        groups.append(group)
    return tuple(rows)


def _is_choice(f: FieldSpec) -> bool:
    return rule(f.kind).listed


def _economy_lines(eco: Economy, spec: Spec, millions: bool = True) -> tuple[Line, ...]:
    """The initiative's economy in words: total, breakdown in the unit, co-financing, note."""
    unit, e = spec.round.unit, spec.economy
    unallocated = e.unallocated_label[:1].lower() + e.unallocated_label[1:]
    amounts = {f"i {y}": v for y, v in eco.years.items()} | {unallocated: eco.unallocated}
    given = {k: v for k, v in amounts.items() if v is not None}
    lines: list[Line] = []
    if not given:
        lines.append(Line(""))
    elif eco.total == 0:
        lines.append(Line(f"Ingen ({unit.phrase(0)})"))
    else:
        lines.append(Line(unit.phrase(eco.total, bool(eco.estimated), millions)))
        breakdown = ", ".join(f"{format_number(v)} {k}" for k, v in given.items())
        lines.append(Line(breakdown, unit.heading))
    if eco.cofinancing:
        phrase = unit.phrase(eco.cofinancing, bool(eco.estimated), millions)
        lines.append(Line(phrase, e.cofinancing_label))
    if eco.note:
        lines.append(Line(eco.note.strip(), e.note_label))
    return tuple(lines)


# --------------------------------------------------------------------------- overviews

Amounts = tuple[dict[str, float | None], float | None, float]  # years, unallocated, total


def _overview(sub: Submission, spec: Spec, millions: bool = True) -> Table:
    """The department's overview as in the seed: one row per initiative, extra rows, I ALT."""
    unit = spec.round.unit
    rows: list[tuple[str, Amounts, str]] = []
    for ini in sub.initiatives:
        eco = ini.economy
        est, given = bool(eco.estimated), _any(eco.years, eco)
        note = _note(eco.total, eco.cofinancing, unit, est, given, millions)
        rows.append((ini.name or EMPTY, (eco.years, eco.unallocated, eco.total), note))
    for row, row_spec in zip(sub.overview.extra_rows, spec.overview.extra_rows, strict=False):
        note = "" if row_spec.in_total else "Indgår ikke i I ALT."
        rows.append((row_spec.label, (row.years, row.unallocated, row.total), note))
    o = sub.overview
    estimated = any(i.economy.estimated for i in sub.initiatives)
    total_note = _note(o.total, o.cofinancing, unit, estimated, True, millions)
    total: Amounts = (dict(o.years), o.unallocated, o.total)
    return _table(spec, spec.overview.title, rows, total, total_note, spec.overview.footnote)


def _summary(
    submissions: Sequence[Submission],
    spec: Spec,
    invalid: Collection[int] = (),
    covered: str = "alle forvaltninger",
    millions: bool = True,
) -> Table:
    """Across departments: one row per department (saying so when it has errors), I ALT;
    `covered` says how many of the round's departments are in it."""
    unit = spec.round.unit
    rows: list[tuple[str, Amounts, str]] = []
    for n, sub in enumerate(submissions):
        o, est = sub.overview, any(i.economy.estimated for i in sub.initiatives)
        note = _note(o.total, o.cofinancing, unit, est, True, millions)
        if n in invalid:
            note = ". ".join(filter(None, (note, ROW_WARNING)))
        rows.append((sub.department or EMPTY, (dict(o.years), o.unallocated, o.total), note))
    years = [str(y) for y in spec.round.years]
    sums = {y: sum(s.overview.years.get(y, 0.0) for s in submissions) for y in years}
    unallocated = sum(s.overview.unallocated for s in submissions)
    grand = sum(s.overview.total for s in submissions)
    cof = sum(s.overview.cofinancing for s in submissions)
    est = any(i.economy.estimated for s in submissions for i in s.initiatives)
    total: Amounts = (dict(sums), unallocated, grand)
    title = f"Samlet økonomisk oversigt for {covered}"
    note = _note(grand, cof, unit, est, True, millions)
    return _table(spec, title, rows, total, note, spec.overview.footnote)


def _any(years: dict[str, float | None], eco: Economy) -> bool:
    return eco.unallocated is not None or any(v is not None for v in years.values())


def _note(
    total: float,
    cofinancing: float | None,
    unit: Unit,
    est: bool,
    given: bool,
    millions: bool = True,
) -> str:
    """ "ca. 282 mio. kr., heraf ca. 58 mio. kr. i kommunal medfinansiering" (large amounts)."""
    parts = []
    kroner = unit.in_kroner(total)
    if given and kroner is not None and abs(kroner) >= MILLION:
        parts.append(unit.phrase(total, est, millions))
    if cofinancing:
        phrase = unit.phrase(cofinancing, est, millions)
        parts.append(f"heraf {phrase} i kommunal medfinansiering")
    text = ", ".join(parts)
    return text[:1].upper() + text[1:]


def _table(
    spec: Spec,
    title: str,
    rows: list[tuple[str, Amounts, str]],
    total: Amounts,
    total_note: str,
    footnote: str,
) -> Table:
    """Formats the numbers; the "Ikke fordelt på år" column appears only when it is used."""
    years = [str(y) for y in spec.round.years]
    with_unallocated = any(a[1] for _, a, _ in rows)
    header = [spec.overview.row_header, *years]
    if with_unallocated:
        header.append(spec.economy.unallocated_label)
    header.append(spec.economy.total_label)

    def cells(amounts: Amounts, always: bool) -> tuple[str, ...]:
        year_values, unallocated, row_total = amounts
        values = [year_values.get(y) for y in years]
        if with_unallocated:
            values.append(unallocated)
        shown = always or any(v is not None for v in [*values, unallocated])
        values.append(row_total if shown else None)
        return tuple("" if v is None else format_number(v) for v in values)

    out = [TableRow(label, cells(amounts, False), note) for label, amounts, note in rows]
    out.append(TableRow(spec.overview.total_label, cells(total, True), total_note, total=True))
    return Table(title, tuple(header), tuple(out), spec.round.unit.heading, footnote)
