"""What a template must contain, planned once per template shape and bound to each file.

A national round has a different department (and initiative names) in every file, so
planning per file would dominate validation. Templates of one shape (which sheets are spares,
whether the department is fixed, feedback or not) share one `Plan` made with placeholder
names; `Names` puts each file's real sheet names and texts back. `tests/test_validate_shapes`
checks that a bound shape equals the template's own plan cell for cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter
from typing import Any, NamedTuple

from bilag4xl.form import paths
from bilag4xl.form.layout import (
    Formula,
    Input,
    Layout,
    Pos,
    Role,
    Text,
    initiative_sheet_names,
    plan,
)
from bilag4xl.form.spec import Kind, Spec, per_spec
from bilag4xl.xlsx import excel


@dataclass
class Plan:
    """A layout plus lookups by position, computed once per template kind."""

    layout: Layout

    @cached_property
    def cells(self) -> dict[str, dict[tuple[int, int], Input | Text | Formula]]:
        out: dict[str, dict[tuple[int, int], Input | Text | Formula]] = {}
        for item in (*self.layout.texts, *self.layout.formulas, *self.layout.inputs):
            out.setdefault(item.pos.sheet, {})[(item.pos.row, item.pos.col)] = item
        return out

    @cached_property
    def texts(self) -> dict[str, dict[tuple[int, int], Text]]:
        """The fixed texts a workbook must still hold (an `optional` one may be blank)."""
        out: dict[str, dict[tuple[int, int], Text]] = {}
        for t in self.layout.texts:
            if not t.optional:
                out.setdefault(t.pos.sheet, {})[(t.pos.row, t.pos.col)] = t
        return out

    @cached_property
    def formulas(self) -> dict[str, dict[tuple[int, int], tuple[Formula, str]]]:
        """Each formula with its expected text (without "=")."""
        out: dict[str, dict[tuple[int, int], tuple[Formula, str]]] = {}
        for f in self.layout.formulas:
            out.setdefault(f.pos.sheet, {})[(f.pos.row, f.pos.col)] = (f, f.excel()[1:])
        return out

    @cached_property
    def formula_at(self) -> dict[tuple[str, int, int], Formula]:
        return {(f.pos.sheet, f.pos.row, f.pos.col): f for f in self.layout.formulas}

    @cached_property
    def amount_paths(self) -> dict[int, list[str]]:
        """Per initiative, the paths of its amounts (years and unallocated)."""
        out: dict[int, list[str]] = {}
        for inp in self.layout.inputs:
            parsed = paths.parse(inp.path)
            if parsed and parsed.section == "economy" and paths.is_amount_part(parsed.key):
                out.setdefault(parsed.index or 0, []).append(inp.path)
        return out

    @cached_property
    def completeness(self) -> list[Formula]:
        return [f for f in self.layout.formulas if f.op == "missing"]

    @cached_property
    def required(self) -> list[Required]:
        """The groups of inputs the completeness formulas require, each with the input
        paths that fill it (a group is missing when none is filled) and where to say so."""
        out = []
        for formula in self.completeness:
            for group, label in zip(formula.groups(), formula.labels, strict=True):
                inputs = [self.cells[p.sheet][(p.row, p.col)] for p in group]
                found = tuple(i.path for i in inputs if isinstance(i, Input))
                if found:
                    out.append(Required(found, group[0], label, paths.initiative_of(found[0])))
        return out

    @cached_property
    def sums(self) -> list[Formula]:
        return [f for f in self.layout.formulas if f.op == "sum"]

    @cached_property
    def roles(self) -> dict[str, Role]:
        return {s.name: s.role for s in self.layout.sheets}

    @cached_property
    def rows(self) -> dict[str, dict[int, list[tuple[int, Input | Text | Formula]]]]:
        """Sheet -> row -> the planned cells of that row, for the one pass over the cells."""
        out: dict[str, dict[int, list[tuple[int, Input | Text | Formula]]]] = {}
        for sheet, cells in self.cells.items():
            for (row, col), item in sorted(cells.items()):
                out.setdefault(sheet, {}).setdefault(row, []).append((col, item))
        return out

    @cached_property
    def fixed_rows(self) -> dict[str, dict[int, FixedRow]]:
        """Sheet -> row -> its fixed texts (those without a file's own names), compiled
        into one lookup: in a template nobody changed, a row's texts are checked with one
        tuple comparison instead of one by one (`validate._check_sheet`)."""
        out: dict[str, dict[int, FixedRow]] = {}
        for sheet, rows in self.rows.items():
            for row, cells in rows.items():
                fixed = [(c, i) for c, i in cells if _fixed(i)]
                if fixed:
                    cols = [c for c, _ in fixed]
                    get = itemgetter(*cols) if len(cols) > 1 else _single(cols[0])
                    texts = tuple(i.text for _, i in fixed)  # type: ignore[union-attr]
                    out.setdefault(sheet, {})[row] = FixedRow(get, texts, fixed)
        return out

    @cached_property
    def other_rows(self) -> dict[str, dict[int, list[tuple[int, Input | Text | Formula]]]]:
        """Sheet -> row -> the planned cells that are not in `fixed_rows`."""
        return {
            sheet: {row: [(c, i) for c, i in cells if not _fixed(i)] for row, cells in rows.items()}
            for sheet, rows in self.rows.items()
        }

    @cached_property
    def input_checks(self) -> dict[str, InputCheck]:
        """Per input path, what checking a filled value needs (see `InputCheck`)."""
        out = {}
        for inp in self.layout.inputs:
            path = inp.path
            flag = path.rsplit(".", 2 if ".years." in path else 1)[0] + ".estimated"
            out[path] = InputCheck(self.refs[path], self.labels[path], flag)
        return out

    @cached_property
    def refs(self) -> dict[str, str]:
        return {inp.path: inp.pos.ref for inp in self.layout.inputs}

    @cached_property
    def labels(self) -> dict[str, str]:
        """A label for every input, as messages show it ("Økonomi, 2008")."""
        spec = self.layout.spec
        economy = next(f.label for f in spec.initiative.fields if f.kind == Kind.ECONOMY)
        out = {}
        for inp in self.layout.inputs:
            label = inp.field.label
            parsed = paths.parse(inp.path)
            if parsed is not None and parsed.section in ("economy", "extra"):
                label = f"{economy}, {label}"
            out[inp.path] = label
        return out


class Required(NamedTuple):
    """One required group of a template (see `Plan.required`)."""

    paths: tuple[str, ...]
    first: Pos
    label: str
    initiative: int | None


class InputCheck(NamedTuple):
    """An input's cell reference and label (for its issues), and the flag an estimated
    amount ("ca. 100") sets on its economy."""

    ref: str
    label: str
    estimated: str


class FixedRow(NamedTuple):
    """A row's fixed texts: `get(cells)` gives their cells' values, to compare with `texts`."""

    get: Callable[[list[Any]], tuple[Any, ...]]
    texts: tuple[str, ...]
    cells: list[tuple[int, Input | Text | Formula]]


def _fixed(item: Input | Text | Formula) -> bool:
    """A text the same in every file of a shape (no placeholder of a file's own names) that
    must be there: an optional one (the send line, blank in older templates) is checked the
    slow way, or its row would count as a required text seen and hide one emptied."""
    return type(item) is Text and bool(item.text) and not item.optional and "\x01" not in item.text


def _single(col: int) -> Callable[[list[Any]], tuple[Any, ...]]:
    return lambda cells: (cells[col],)


PLAN_CACHE = 16  # a plan is ~0.7 MB; a national round has a different one per file
# Names that tell templates of one shape apart stand in a shape plan as placeholders (control
# characters a template never contains); _Names puts the real ones back for each file.
_DEPARTMENT = "\x01D\x01"


def _placeholder(n: int) -> str:
    return f"\x01N{n}\x01"


def shape_for(
    spec: Spec,
    has_department: bool,
    initiatives: tuple[str | None, ...],
    feedback: bool,
    deadline: dt.date | None = None,
) -> Plan:
    """The plan shared by every template with this shape: which initiatives are spare sheets,
    whether the department is fixed, and its deadline when that is its own. A national round
    has a different department per file, so planning once per shape instead of once per file
    is most of validation's speed."""
    blanks = tuple(n is None for n in initiatives)
    return _shape(spec, has_department, blanks, feedback, deadline)


@per_spec(maxsize=PLAN_CACHE)
def _shape(
    spec: Spec,
    has_department: bool,
    blanks: tuple[bool, ...],
    feedback: bool,
    deadline: dt.date | None,
) -> Plan:
    names = [None if blank_ else _placeholder(n) for n, blank_ in enumerate(blanks)]
    department = _DEPARTMENT if has_department else None
    return Plan(plan(spec, department, names, feedback, due=deadline))


@dataclass(frozen=True)
class Names:
    """One file's real names for a shape plan: its sheet names and placeholder texts."""

    sheets: dict[str, str]  # shape sheet name -> real sheet name
    # placeholder id -> (text in the shape plan, real text), longest forms first; every form
    # holds exactly one placeholder, so a text only needs the forms of the ids it contains.
    forms: dict[str, tuple[tuple[str, str], ...]]

    def sheet(self, name: str) -> str:
        return self.sheets.get(name, name)

    def text(self, text: str) -> str:
        if "\x01" not in text:
            return text
        for ident in dict.fromkeys(text.split("\x01")[1::2]):
            for placeholder, real in self.forms.get(ident, ()):
                text = text.replace(placeholder, real)
        return text


def bind(spec: Spec, shape: Layout, department: str | None, initiatives: list[str | None]) -> Names:
    real = initiative_sheet_names(spec, initiatives)
    sheets = dict(zip([s.name for s in shape.initiative_sheets()], real, strict=True))
    pairs = [(excel.quote_sheet(a), excel.quote_sheet(b)) for a, b in sheets.items()]
    pairs += [(a, b) for a, b in sheets.items() if a != b]
    pairs += [(_placeholder(n), name) for n, name in enumerate(initiatives) if name is not None]
    if department is not None:
        pairs.append((_DEPARTMENT, department))
    forms: dict[str, list[tuple[str, str]]] = {}
    for placeholder, real_text in pairs:
        for ident in placeholder.split("\x01")[1::2]:
            forms.setdefault(ident, []).append((placeholder, real_text))
    return Names(sheets, {ident: tuple(f) for ident, f in forms.items()})
