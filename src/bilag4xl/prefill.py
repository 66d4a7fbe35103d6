"""The next round, started from the last: each department's template pre-filled from its last
submission.

Values are carried by field key and initiative name: texts and choices as they were, amounts
for the years still in the period (converted when the round's unit changed). Nothing
disappears silently: what is not carried is listed (`dropped`), and what is carried but may be
stale (status texts and assessments, amounts "ikke fordelt på år" from a period that moved,
amounts left behind with their year) is listed for review: on the instruction sheet, in a
comment at the cell concerned, and printed.

The last submissions come from one returned workbook, from a consolidated workbook (every
department in it, read with the spec stored in it), or from a round folder (each
department's current file).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bilag4xl.consolidate.given import FolderOpener, open_given
from bilag4xl.danish.numbers import Unit, format_number
from bilag4xl.errors import UnreadableFileError
from bilag4xl.form import paths
from bilag4xl.form.layout import REVIEW_TITLE, Layout, Pos, Value, plan
from bilag4xl.form.model import Submission
from bilag4xl.form.spec import Kind, Spec
from bilag4xl.issues.catalogue import fill
from bilag4xl.output import atomic_write, check_targets
from bilag4xl.template.writer import (
    build,
    canonical_department,
    resolve_initiatives,
    template_bytes,
    template_filename,
)
from bilag4xl.xlsx import excel
from bilag4xl.xlsx.workbook import StrictWorkbook, call

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

    from bilag4xl.intake.validate import FileResult

STALE = "Overført fra sidste runde: kontrollér, at det stadig gælder."


@dataclass(frozen=True)
class Review:
    """Something carried that may be stale: where it stands and what to check."""

    pos: Pos | None
    label: str
    text: str


@dataclass
class Carried:
    """The values for the new template by path, what was left behind (Danish lines), and
    what was carried but should be checked."""

    values: dict[str, Value] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    review: list[Review] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)  # initiatives carried under a new name

    def lines(self) -> list[str]:
        """Everything to tell the person making the round, as printed lines."""
        out = [f"Omdøbt: {line}" for line in self.renamed]
        out += [f"Ikke overført: {line}" for line in self.dropped]
        for r in self.review:
            where = f"{r.pos} ({r.label})" if r.pos else r.label
            out.append(f"Til kontrol: {where}: {r.text}")
        return out


def prefill_layout(spec: Spec, last: Submission, blank: int | None = None) -> Layout:
    """The new round's layout for the last submission's department.

    The new round's initiatives for the department win; when the round lists none, the
    department's initiatives from the last submission become fixed sheets.
    """
    department = canonical_department(spec, last.department) or None
    known = spec.round.department(department) if department else None
    names = [] if known and known.initiatives else [i.name for i in last.initiatives if i.name]
    return plan(spec, department, resolve_initiatives(spec, department, names, blank))


def carry_over(last: Submission, layout: Layout, last_spec: Spec | None = None) -> Carried:
    """Map the last submission's values onto the new layout's input paths (see the module
    docstring); `last_spec` is the spec it was made with (for its period, unit and labels).
    An initiative the new round's spec says was renamed (`renamed_from`) is found by its
    old name; a field whose label changed is carried, marked for review."""
    out = Carried()
    inputs = {i.path: i for i in layout.inputs}
    labels = _labels(last_spec)
    _carry_cover(last, layout.spec, inputs, out, labels)
    scale = _scale(last, last_spec, layout.spec, out)
    old_by_name = {i.name.casefold(): i for i in last.initiatives if i.name}
    known = layout.spec.round.department(layout.department or "")
    used: set[str] = set()
    for index, name in enumerate(layout.initiatives):
        was = known.old_name(name) if known and name else None
        old = old_by_name.get((name or "").casefold()) or old_by_name.get((was or "").casefold())
        if old is None:
            continue
        used.add(old.name.casefold())
        if old.name.casefold() != (name or "").casefold():
            out.renamed.append(f"'{old.name}' hedder nu '{name}'; teksterne er overført.")
        _carry_initiative(old.model_dump(), index, layout, scale, out, labels)
    for old in last.initiatives:
        if old.name and old.name.casefold() not in used:
            out.dropped.append(f"Indsatsen '{old.name}' er ikke med i den nye runde.")
    return out


def _labels(spec: Spec | None) -> dict[str, str]:
    """Each field's label in the last round, by key (empty when its spec is not known)."""
    if spec is None:
        return {}
    return {f.key: f.label for f in (*spec.cover.fields, *spec.initiative.fields)}


def _relabelled(labels: dict[str, str], key: str, label: str) -> Review | None:
    """A note for a value carried into a field whose label is not what it was."""
    before = labels.get(key)
    if before is None or before == label:
        return None
    text = f"Feltet hed '{before}' i sidste runde; kontrollér, at svaret passer til det nye."
    return Review(None, label, text)


def _carry_cover(
    last: Submission, spec: Spec, inputs: dict[str, Any], out: Carried, labels: dict[str, str]
) -> None:
    fresh = []  # filled in anew every round (carry = false): said in one line
    for f in spec.cover.fields:
        value = last.cover.get(f.key)
        path = paths.cover(f.key)
        if value in (None, "") or path not in inputs:
            continue
        if f.carry:
            out.values[path] = value
            note = _relabelled(labels, f.key, f.label)
            if note:
                out.review.append(Review(inputs[path].pos, note.label, note.text))
        else:
            fresh.append(f"{f.label} ({value})")
    if fresh:
        out.dropped.append(f"Forside: {', '.join(fresh)} udfyldes igen i den nye runde.")
    for key, value in last.cover.items():
        if value not in (None, "") and not any(f.key == key for f in spec.cover.fields):
            out.dropped.append(f"Forside: feltet '{key}' ({value}) findes ikke i den nye runde.")


def _scale(last: Submission, last_spec: Spec | None, spec: Spec, out: Carried) -> Decimal:
    """The factor amounts are multiplied by: 1, or the change of unit between the rounds.
    Without the last spec (one returned file), the submission's own unit says it."""
    if last_spec is not None:
        before = last_spec.round.unit
    elif last.amount_unit:
        before = Unit(last.amount_unit)
    else:
        return Decimal(1)
    if before == spec.round.unit:
        return Decimal(1)
    scale = before.into(spec.round.unit)
    if scale is None:
        raise UnreadableFileError(code="prefill-unit", old=str(before), new=str(spec.round.unit))
    units = {"old": before.label, "new": spec.round.unit.label}
    text = fill("Beløbene er omregnet fra {old} til {new}.", units)  # never "kr.."
    out.review.append(Review(None, "Beløb", text))
    return scale


def _carry_initiative(
    old: dict[str, Any],
    index: int,
    layout: Layout,
    scale: Decimal,
    out: Carried,
    labels: dict[str, str],
) -> None:
    name = old["name"]
    wanted = {
        key: i
        for i in layout.inputs
        if paths.initiative_of(i.path) == index and (key := paths.within_initiative(i.path))
    }
    for key, i in wanted.items():
        value = paths.lookup(old, key)
        if value is None or not (key == paths.NAME or i.field.carry):
            continue
        if i.field.kind == Kind.AMOUNT and isinstance(value, int | float) and scale != 1:
            value = float(Decimal(str(value)) * scale)
        out.values[i.path] = value
        note = _relabelled(labels, i.field.key, i.field.label)
        if note:
            out.review.append(Review(i.pos, note.label, note.text))
        elif i.field.review:
            out.review.append(Review(i.pos, i.field.label, STALE))
    known = {*wanted, paths.NAME}
    derived = (paths.economy_key(paths.YEARS + "."), paths.economy_key("total"))
    for key, value in _leaves(old):
        if value is not None and key not in known and not key.startswith(derived):
            out.dropped.append(f"{name}: feltet '{key}' findes ikke i den nye runde.")
    _years_left_behind(old, index, layout, scale, out)


def _years_left_behind(
    old: dict[str, Any], index: int, layout: Layout, scale: Decimal, out: Carried
) -> None:
    """Amounts whose year left the period are listed; the unallocated amount of a period that
    moved is carried but marked for review (it may belong to the years that left)."""
    spec, name = layout.spec, old["name"]
    unit = spec.round.unit
    years = old["economy"]["years"]
    new_years = {str(y) for y in spec.round.years}
    unallocated = layout.input(paths.economy(index, paths.UNALLOCATED))
    moved = set(years) != new_years
    for year, amount in sorted(years.items()):
        if year not in new_years and amount is not None:
            shown = f"{format_number(float(Decimal(str(amount)) * scale))} {unit}"
            out.dropped.append(
                f"{name}: beløbet for {year} ({shown}) ligger uden for den nye periode og "
                "er ikke overført."
            )
    if moved and old["economy"].get(paths.UNALLOCATED) is not None:
        period = f"{min(years)}–{max(years)}" if years else ""
        out.review.append(
            Review(
                unallocated.pos,
                unallocated.field.label,
                f"Beløbet var ikke fordelt på år i perioden {period}; fordel det på den nye "
                "periode, hvis det kan.",
            )
        )


def _leaves(data: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            out += _leaves(value, f"{prefix}{key}.")
        else:
            out.append((f"{prefix}{key}", value))
    return out


# --------------------------------------------------------------------------- writing


def prefilled_bytes(layout: Layout, carried: Carried, password: str | None = None) -> bytes:
    """The new template with the carried values, a comment at every cell to check, and the
    list of what to check at the end of the instruction sheet."""
    notes = {r.pos: r.text for r in carried.review if r.pos is not None}
    return build(layout, carried.values, password, notes, _review_list(layout, carried))


def _review_list(layout: Layout, carried: Carried) -> Any:
    """Writes the review list below the instruction sheet's own content."""
    if not carried.review:
        return None
    sheet, first = layout.spec.sheets.instructions, layout.review_row

    def write(wb: StrictWorkbook, sheets: dict[str, Worksheet]) -> None:
        ws = sheets[sheet]
        call(ws.write_string, first, 0, REVIEW_TITLE, wb.fmt("section"))
        for row, r in enumerate(carried.review, start=first + 1):
            if r.pos is not None:
                target = f"internal:{excel.quote_sheet(r.pos.sheet)}!{r.pos.ref}"
                call(ws.write_url, row, 0, target, wb.fmt("link"), f"{r.pos.sheet}!{r.pos.ref}")
            else:
                call(ws.write_string, row, 0, r.label, wb.fmt("label"))
            text = f"{r.label}: {r.text}" if r.pos is not None else r.text
            call(ws.write_string, row, 1, text, wb.fmt("info"))

    return write


def write_prefilled(
    out: str | Path,
    spec: Spec,
    last_path: str | Path,
    last_spec: Spec | None = None,
    blank: int | None = None,
    password: str | None = None,
    force: bool = False,
) -> Carried:
    """Next round's template for the department of `last_path` (a returned workbook, or a
    consolidated workbook holding one submission), pre-filled from it."""
    given = open_given(last_path, read_by=last_spec, need="values")
    if len(given.submissions) != 1:
        raise UnreadableFileError(code="prefill-many", path=last_path, count=len(given.submissions))
    last, made_with = given.submissions[0], given.book.spec if given.book else last_spec
    layout = prefill_layout(spec, last, blank)
    carried = carry_over(last, layout, made_with)
    if given.result is not None:
        carried.dropped += _invalid(given.result, made_with)
    atomic_write(out, prefilled_bytes(layout, carried, password), force)
    return carried


def _invalid(result: FileResult, spec: Spec | None) -> list[str]:
    """Values the last submission had but that broke a rule: not carried, so listed."""
    from bilag4xl.intake.validate import layout_of

    layout = layout_of(result, spec)
    out = []
    for path, raw in result.raw.items():
        if result.values.get(path) is None and layout is not None:
            pos = layout.input(path).pos
            out.append(
                f"{pos.sheet}!{pos.ref} ({layout.input(path).field.label}): «{raw}» var ugyldig "
                "i den sidste indberetning og er ikke overført."
            )
    return out


# --------------------------------------------------------------------------- a whole round


@dataclass(frozen=True)
class NextRound:
    """What `next_round` made: each department's template (and what was carried into it),
    the departments gone from the round, and those of the last round (to tell a department
    new in the round from one that sent nothing valid last time)."""

    written: list[tuple[str, Path, Carried | None]]
    gone: list[str]
    previous: tuple[str, ...] = ()

    @property
    def new(self) -> list[str]:
        known = {name.casefold() for name in self.previous}
        return [n for n, _, c in self.written if c is None and n.casefold() not in known]

    def by_department(self) -> list[tuple[str, list[str]]]:
        """What to tell about each department, under its name: how its template was made
        (pre-filled, or blank and why), then what was not carried and what to check."""
        out = []
        new = set(self.new)
        for name, path, carried in self.written:
            if carried is None:
                why = "ny i runden" if name in new else "ingen gyldig indberetning i sidste runde"
                out.append((f"{name}: tom skabelon ({why}), {path.name}", []))
                continue
            head = f"{name}: {len(carried.values)} værdier overført til {path.name}"
            out.append((head, carried.lines()))
        return out


def last_submissions(
    source: Path, spec: Spec | None = None, folder: FolderOpener | None = None
) -> tuple[list[Submission], Spec]:
    """Every department's last submission in a consolidated workbook (with the spec stored
    in it), the one in a returned workbook (read by `spec`, default built-in), or a round
    folder's current ones (opened by `folder`, from the round's room)."""
    given = open_given(source, read_by=spec, need="values", folder=folder)
    return given.submissions, given.spec


def next_round(
    spec: Spec,
    submissions: list[Submission],
    made_with: Spec | None,
    out_dir: Path,
    password: str | None = None,
    force: bool = False,
) -> NextRound:
    """One template per department of the next round in `out_dir`: pre-filled from its last
    submission (made with `made_with`), blank for a department new in the round (all or
    nothing)."""
    if not spec.round.departments:
        from bilag4xl.errors import SpecError

        raise SpecError(code="new-round-no-departments")
    by_name = {s.department.casefold(): s for s in submissions if s.department}
    targets = [out_dir / template_filename(spec, d.name) for d in spec.round.departments]
    check_targets(targets, force)
    planned: list[tuple[str, Path, bytes, Carried | None]] = []
    for d, target in zip(spec.round.departments, targets, strict=True):
        last = by_name.get(d.name.casefold())
        if last is None:
            planned.append((d.name, target, template_bytes(spec, d.name, password=password), None))
            continue
        layout = prefill_layout(spec, last)
        carried = carry_over(last, layout, made_with)
        planned.append((d.name, target, prefilled_bytes(layout, carried, password), carried))
    written = [(name, atomic_write(t, data, force), c) for name, t, data, c in planned]
    known = {d.name.casefold() for d in spec.round.departments}
    before = [d.name for d in made_with.round.departments] if made_with else []
    named = {n.casefold(): n for n in [*before, *(s.department for s in submissions)] if n}
    gone = [name for key, name in named.items() if key not in known]
    return NextRound(written, gone, tuple(before))
