"""`plan(spec, ...) -> Layout`: every sheet, label, input and formula of a template, by position.

This is the one map that the template writer, the reader and the validator share, so a field
added to the spec gets a cell, a validation, a parser and a message without code changes.

Convention relied on by people and tests: every input stands directly right of its label in
the same row; each year's amount stands directly below its year header.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, NamedTuple

from bilag4xl.danish.numbers import day
from bilag4xl.form import identity, paths
from bilag4xl.form.kinds import NO, YES, rule
from bilag4xl.form.spec import FieldSpec, Kind, Spec, spec_chunks
from bilag4xl.xlsx import excel
from bilag4xl.xlsx.typography import (
    LINE_HEIGHT,
    fit_width,
    span_width,
    text_height,
    wrapped_lines,
)

LAYOUT_VERSION = "2"  # 2: templates carry their spec; ids are by form
FIXED_SHEETS = ("instructions", "cover", "overview", "metadata", "feedback")
LABEL_COL = 0
FIRST_VALUE_COL = 1
AMOUNT_COL_WIDTH = 13.0
LABEL_COL_WIDTH = 34.0
TEXT_LINES_MAX = 10

Value = str | float | int | bool | None
# The hidden metadata sheet: a title cell, then one key and value per row.
METADATA_TITLE = (0, 0)
METADATA_TITLE_TEXT = "bilag4xl metadata – må ikke ændres"
METADATA_KEY_COL, METADATA_VALUE_COL = 0, 1


def metadata_title() -> tuple[int, int, str]:
    """Where the metadata sheet's title stands, and what it says."""
    return (*METADATA_TITLE, METADATA_TITLE_TEXT)


# The title of the list of carried values to check, on a prefilled template's instructions.
REVIEW_TITLE = "Til kontrol: overført fra sidste runde"


class Role(StrEnum):
    INSTRUCTIONS = "instructions"
    COVER = "cover"
    INITIATIVE = "initiative"
    OVERVIEW = "overview"
    METADATA = "metadata"
    FEEDBACK = "feedback"  # "Rettelser": only in feedback workbooks, not part of the template id


class Pos(NamedTuple):
    """A cell: sheet name and 0-based row and column (a tuple: planning makes thousands)."""

    sheet: str
    row: int
    col: int

    @property
    def ref(self) -> str:
        return excel.cell_ref(self.row, self.col)

    def formula_ref(self, from_sheet: str) -> str:
        return (
            self.ref if from_sheet == self.sheet else f"{excel.quote_sheet(self.sheet)}!{self.ref}"
        )

    def __str__(self) -> str:
        return f"{self.sheet}!{self.ref}"


@dataclass(frozen=True)
class Input:
    """An unlocked cell the user fills; `path` is where its value goes in the submission."""

    path: str
    pos: Pos
    field: FieldSpec
    span: int = 1


@dataclass(frozen=True)
class Text:
    """A fixed text written by the template (label, header, title...). `path` marks data."""

    pos: Pos
    text: str
    style: str = "label"
    span: int = 1
    path: str | None = None
    # What the round's administration says (where to send it, by when): a template made
    # before such a line was written may have it blank, and it may name the department's own
    # link, which the reader does not know (`as_planned`).
    optional: bool = False


@dataclass(frozen=True)
class MadeFrom:
    """Where a feedback workbook came from: the ledger's entry of the file it marks up (None
    outside a round) and a digest of the values it was filled with (`values_digest`), so
    that one sent back unchanged is known."""

    entry: int | None
    values: str


FormulaOp = Literal["ref", "text", "sum", "missing"]


@dataclass(frozen=True)
class Formula:
    """A formula as data, so the same object renders the Excel text and computes its value.

    ref: one number; text: one cell as text; sum: SUM of cells; missing: completeness status.
    """

    pos: Pos
    op: FormulaOp
    refs: tuple[Pos, ...]
    labels: tuple[str, ...] = ()
    style: str = "formula"
    span: int = 1
    sizes: tuple[int, ...] = ()  # "missing": refs per label (a group is missing if all are blank)

    def groups(self) -> list[tuple[Pos, ...]]:
        sizes = self.sizes or (1,) * len(self.refs)
        starts = [sum(sizes[:i]) for i in range(len(sizes))]
        return [self.refs[s : s + n] for s, n in zip(starts, sizes, strict=True)]

    def excel(self) -> str:
        here = self.pos.sheet
        if self.op == "ref":
            return "=" + self.refs[0].formula_ref(here)
        if self.op == "text":
            return "=" + self.refs[0].formula_ref(here) + '&""'
        if self.op == "sum":
            return "=SUM(" + ",".join(_ranges(self.refs, here)) + ")"
        tests = [_blank_test(g, here) for g in self.groups()]
        parts = "&".join(
            f'IF({t},", {_q(lbl)}","")' for t, lbl in zip(tests, self.labels, strict=True)
        )
        return f'=IF(OR({",".join(tests)}),"Mangler: "&MID({parts},3,999),"Udfyldt")'

    def compute(self, get: Callable[[Pos], Value]) -> Value:
        """The value Excel would show, given a way to read any cell's value."""
        if self.op == "ref":
            value = get(self.refs[0])
            return 0 if value is None or value == "" else value
        if self.op == "text":
            value = get(self.refs[0])
            return "" if value is None else _as_text(value)
        if self.op == "sum":
            return _sum(get(p) for p in self.refs)
        missing = [
            lbl
            for g, lbl in zip(self.groups(), self.labels, strict=True)
            if all(_blank(get(p)) for p in g)
        ]
        return "Mangler: " + ", ".join(missing) if missing else "Udfyldt"


@dataclass(frozen=True)
class SheetPlan:
    name: str
    role: Role
    index: int | None = None  # initiative number (0-based) for initiative sheets
    widths: tuple[float, ...] = ()
    header: str = ""


class Slot(NamedTuple):
    """One path of a submission's values (`Layout.slots`)."""

    path: str
    parts: tuple[str, ...]
    fixed: str | None


@dataclass
class Layout:
    """Everything a template contains, by position; see module docstring."""

    spec: Spec
    department: str | None
    initiatives: tuple[str | None, ...]
    sheets: list[SheetPlan] = field(default_factory=list)
    inputs: list[Input] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    formulas: list[Formula] = field(default_factory=list)
    heights: dict[tuple[str, int], float] = field(default_factory=dict)
    feedback: bool = False
    link: str | None = None  # where the department can upload it (its own link), if anywhere
    made_from: MadeFrom | None = None  # a feedback workbook's provenance
    due: dt.date | None = None  # the deadline shown, when not the department's (see deadline)
    # input() index, rebuilt when planning has added inputs since (planning looks paths up).
    _by_path: dict[str, Input] = field(default_factory=dict, repr=False, compare=False)
    # slots(), with the counts of texts and inputs it was worked out for
    _slots: tuple[int, int, list[Slot]] = field(
        default_factory=lambda: (-1, -1, []), repr=False, compare=False
    )

    def slots(self) -> list[Slot]:
        """Every path a submission takes a value from, split at its dots, with its fixed
        text (None for an input): fixed texts first, then inputs. Worked out once per layout
        (a submission is assembled from it for every file read)."""
        counts = (len(self.texts), len(self.inputs))
        if self._slots[:2] != counts:  # worked out again when planning added to them
            fixed = {t.path: t.text for t in self.texts if t.path}
            every = [*fixed, *(i.path for i in self.inputs)]
            slots = [Slot(path, tuple(path.split(".")), fixed.get(path)) for path in every]
            self._slots = (*counts, slots)
        return self._slots[2]

    @property
    def template_id(self) -> str:
        """Identifies this template by its form (not the round's administration), department,
        initiatives and this layout's version (`identity.template_id`)."""
        return identity.template_id(self.spec, self.department, self.initiatives, LAYOUT_VERSION)

    @property
    def deadline(self) -> dt.date | None:
        """The deadline this template shows: the department's own (granted later), else the
        round's."""
        if self.due is not None:
            return self.due
        r = self.spec.round
        return r.deadline_for(self.department) if self.department else r.deadline

    @property
    def review_row(self) -> int:
        """Where a prefilled template lists what to check (`REVIEW_TITLE`), below the
        instruction sheet's own content; the reader knows the list is not data."""
        sheet = self.spec.sheets.instructions
        return 2 + max(t.pos.row for t in self.texts if t.pos.sheet == sheet)

    def metadata(self) -> dict[str, str]:
        """The key/value pairs of the hidden metadata sheet (identifying, not trusted)."""
        r = self.spec.round
        return (
            {
                "generator": "bilag4xl",
                "layout_version": LAYOUT_VERSION,
                "template_id": self.template_id,
                "spec_name": self.spec.name,
                "spec_version": self.spec.version,
                "spec_hash": self.spec.digest,
                "form_hash": identity.form_digest(self.spec),
                "department": self.department or "",
                "period": f"{r.first_year}-{r.last_year}",
                "unit": r.unit.label,
                "initiatives": json.dumps(list(self.initiatives), ensure_ascii=False),
            }
            | ({"feedback_sheet": self.spec.sheets.feedback} if self.feedback else {})
            | (_made_from_keys(self.made_from) if self.made_from else {})
            | spec_chunks(self.spec)
        )

    def input(self, path: str) -> Input:
        if len(self._by_path) != len(self.inputs):
            self._by_path = {i.path: i for i in self.inputs}
        return self._by_path[path]

    def sheet(self, role: Role) -> SheetPlan:
        return next(s for s in self.sheets if s.role is role)

    def initiative_sheets(self) -> list[SheetPlan]:
        return [s for s in self.sheets if s.role is Role.INITIATIVE]

    def evaluate(self, values: Mapping[str, Value]) -> dict[Pos, Value]:
        """Every formula's value given input values by path (the cached results to write)."""
        cells: dict[Pos, Value] = {t.pos: t.text for t in self.texts}
        cells.update({i.pos: values.get(i.path) for i in self.inputs})
        by_pos = {f.pos: f for f in self.formulas}
        results: dict[Pos, Value] = {}

        def get(pos: Pos) -> Value:
            if pos in by_pos:
                if pos not in results:
                    results[pos] = by_pos[pos].compute(get)
                return results[pos]
            return cells.get(pos)

        for f in self.formulas:
            get(f.pos)
        return results


# --------------------------------------------------------------------------- planning


def plan(
    spec: Spec,
    department: str | None = None,
    initiatives: Iterable[str | None] = (),
    feedback: bool = False,
    link: str | None = None,
    made_from: MadeFrom | None = None,
    due: dt.date | None = None,
) -> Layout:
    """Plan a template: `initiatives` lists fixed names, None for a blank (named by the user).

    With `feedback`, a "Rettelser" sheet comes first (its rows are written per workbook).
    `link` is the department's own upload address, said where the template says where to send
    it; `made_from` a feedback workbook's provenance; `due` a deadline other than the
    department's (a plan shared by departments of one deadline).
    """
    layout = Layout(
        spec,
        department,
        tuple(initiatives),
        feedback=feedback,
        link=link,
        made_from=made_from,
        due=due,
    )
    if feedback:
        layout.sheets.append(
            SheetPlan(spec.sheets.feedback, Role.FEEDBACK, widths=(28, 10, 34, 70))
        )
    names = initiative_sheet_names(spec, layout.initiatives)
    status_cells = _plan_instructions(layout, [spec.sheets.cover, *names])
    _plan_cover(layout)
    for index, sheet_name in enumerate(names):
        _plan_initiative(layout, index, sheet_name)
    _link_status(layout, status_cells)
    _plan_overview(layout)
    layout.sheets.append(SheetPlan(spec.sheets.metadata, Role.METADATA, widths=(20, 80)))
    _fit_rows(layout)
    return layout


def initiative_sheet_names(spec: Spec, initiatives: Iterable[str | None]) -> list[str]:
    """Valid, unique sheet names for the initiatives ("2. Områdeløft", "Indsats 4")."""
    taken = {getattr(spec.sheets, k).casefold() for k in FIXED_SHEETS}
    names = []
    for n, name in enumerate(initiatives, start=1):
        label = name if name is not None else spec.sheets.blank_initiative.replace("{n}", str(n))
        names.append(excel.safe_sheet_name(f"{n}. {name}" if name is not None else label, taken))
    return names


def _amount_cols(spec: Spec) -> int:
    """Columns of an amount row: the years, 'ikke fordelt', 'i alt'."""
    return len(spec.round.years) + 2


# --------------------------------------------------------------------------- row heights
# How high a text stands in a row of a given width is `xlsx.typography`'s (every workbook
# asks it); here each planned text gets the height of its row.


def _fit_rows(layout: Layout) -> None:
    """Every row holding a fixed text (or a status whose longest text is known) gets at least
    the height that text needs; heights planned higher stay."""
    widths = {s.name: s.widths for s in layout.sheets}
    for pos, text, style, span in _known_texts(layout):
        height = text_height(text, span_width(widths[pos.sheet], pos.col, span), style)
        key = (pos.sheet, pos.row)
        if height > layout.heights.get(key, LINE_HEIGHT):
            layout.heights[key] = height


def _known_texts(layout: Layout) -> Iterable[tuple[Pos, str, str, int]]:
    """Fixed texts, and formulas whose longest result is known: a completeness status with
    everything missing, and a copy of a fixed text or of such a status."""
    known: dict[Pos, str] = {t.pos: t.text for t in layout.texts}
    yield from ((t.pos, t.text, t.style, t.span) for t in layout.texts)
    for f in sorted(layout.formulas, key=lambda f: f.op != "missing"):
        if f.op == "missing":
            known[f.pos] = "Mangler: " + ", ".join(f.labels)
        elif f.op == "text" and f.refs[0] in known:
            known[f.pos] = known[f.refs[0]]
        else:
            continue
        yield f.pos, known[f.pos], f.style, f.span


def _text_lines(max_length: int | None, width_chars: float) -> int:
    """Lines of a long-text input: room for its longest answer plus one, within limits."""
    return max(2, min(TEXT_LINES_MAX, wrapped_lines(max_length or 200, width_chars) + 1))


class _Cursor:
    """Writes a sheet top-down; keeps the row arithmetic in one place."""

    def __init__(self, layout: Layout, sheet: str, span: int) -> None:
        self.layout, self.sheet, self.span, self.row = layout, sheet, span, 0

    def pos(self, col: int, row: int | None = None) -> Pos:
        return Pos(self.sheet, self.row if row is None else row, col)

    def text(
        self,
        text: str,
        style: str = "label",
        col: int = LABEL_COL,
        span: int = 1,
        path: str | None = None,
        optional: bool = False,
    ) -> None:
        self.layout.texts.append(Text(self.pos(col), text, style, span, path, optional))

    def height(self, points: float) -> None:
        self.layout.heights[(self.sheet, self.row)] = points

    def skip(self, rows: int = 1) -> None:
        self.row += rows

    def field_row(
        self, f: FieldSpec, path: str, width_chars: float, fixed: str | None = None
    ) -> Pos:
        """Label, input (or fixed value) to its right, help text in the row below."""
        self.text(f.label)
        span = self.span if rule(f.kind).wide else min(self.span, 2)
        if fixed is not None:
            self.text(fixed, "fixed", FIRST_VALUE_COL, self.span, path)
        else:
            self.layout.inputs.append(Input(path, self.pos(FIRST_VALUE_COL), f, span))
        if rule(f.kind).lines:
            self.height(LINE_HEIGHT * _text_lines(f.max_length, width_chars))
        here = self.pos(FIRST_VALUE_COL)
        self.skip()
        if f.help:
            self.text(f.help, "help", FIRST_VALUE_COL, self.span)
            self.skip()
        return here


def _plan_instructions(layout: Layout, status_sheets: list[str]) -> list[Pos]:
    """The instruction sheet; returns the cells that will show each sheet's status."""
    spec, r = layout.spec, layout.spec.round
    sheet = spec.sheets.instructions
    c = _Cursor(layout, sheet, 2)
    c.text(spec.title, "title", span=2)
    c.height(2 * 21)
    c.skip()
    c.text(r.title, "subtitle", span=2)
    c.skip()
    c.text(send_to(layout), "info", span=2, optional=True)  # the row before the facts
    c.skip()
    facts = [
        ("Forvaltning", layout.department or "(vælges på forsiden)"),
        ("Periode", f"{r.first_year}–{r.last_year}"),
        ("Beløb i", r.unit.label),
    ]
    if layout.deadline:
        facts.append(("Frist", day(layout.deadline)))
    if r.contact:
        facts.append(("Kontakt", r.contact))
    for label, value in facts:
        c.text(label)
        c.text(value, "info", FIRST_VALUE_COL)
        c.skip()
    c.skip()
    c.text("Status for udfyldelse", "section", span=2)
    c.skip()
    status_cells = []
    for name in status_sheets:
        c.text(name)
        status_cells.append(c.pos(FIRST_VALUE_COL))
        c.skip()
    c.skip()
    c.text("Sådan udfylder du skemaet", "section", span=2)
    c.skip()
    for line in INSTRUCTION_STEPS:
        c.text(line, "info", FIRST_VALUE_COL)
        c.height(LINE_HEIGHT * 2)
        c.skip()
    c.skip()
    c.text("Felt", "header")
    c.text("Vejledning", "header", FIRST_VALUE_COL)
    c.skip()
    for f in (*spec.cover.fields, *spec.initiative.fields):
        c.text(f.label)
        c.text(f.help or "—", "info", FIRST_VALUE_COL)
        c.skip()
    layout.sheets.append(SheetPlan(sheet, Role.INSTRUCTIONS, widths=(LABEL_COL_WIDTH, 90)))
    return status_cells


def send_to(layout: Layout) -> str:
    """What a template says about where to send it and by when (`send_text`)."""
    return send_text(layout.spec, layout.deadline, layout.link)


LINK_SAID = ", eller indsend det på "


def send_text(spec: Spec, deadline: dt.date | None, link: str | None = None) -> str:
    """Where to send a filled template and by when, as templates and mails say it: "Send det
    udfyldte skema til integration@odense.dk senest 18.12.2026." (the secretariat's address,
    else its name), and the department's own upload link when it has one."""
    r = spec.round
    where = r.contact_email or r.contact
    text = "Send det udfyldte skema" + (f" til {where}" if where else " tilbage")
    if deadline:
        text += f" senest {day(deadline)}"
    if link:
        text += f"{LINK_SAID}{link}"
    return text + "."


def as_planned(found: object, planned: str) -> bool:
    """Whether a workbook's cell holds an optional text as planned: blank (a template made
    before it was written), the text itself, or the text with a department's link (one
    address without spaces) that a reader planning without the link cannot know."""
    text = " ".join(str(found).split())
    if text in ("", planned):
        return True
    head = planned.removesuffix(".") + LINK_SAID
    link = text.removeprefix(head).removesuffix(".")
    return text.startswith(head) and text.endswith(".") and bool(link) and " " not in link


def values_digest(values: Mapping[str, Value], layout: Layout) -> str:
    """A digest of the values in a layout's inputs, as a workbook holds them (empty inputs
    left out): a feedback workbook keeps the one it was filled with (`MadeFrom`)."""
    shown = {}
    for i in layout.inputs:
        value = values.get(i.path)
        if value is None or value == "":
            continue
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, int | float) and not isinstance(value, bool):
            value = float(value)
        shown[i.path] = value
    text = json.dumps(shown, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _made_from_keys(made: MadeFrom) -> dict[str, str]:
    return {
        "made_from": "" if made.entry is None else str(made.entry),
        "made_from_values": made.values,
    }


def provenance(meta: Mapping[str, str]) -> MadeFrom | None:
    """A feedback workbook's provenance from its metadata (None when it has none)."""
    if "made_from_values" not in meta:
        return None
    entry = meta.get("made_from", "")
    return MadeFrom(int(entry) if entry.isdigit() else None, meta["made_from_values"])


def _link_status(layout: Layout, cells: list[Pos]) -> None:
    """Show each sheet's completeness status on the instruction sheet, in sheet order."""
    statuses = {f.pos.sheet: f.pos for f in layout.formulas if f.op == "missing"}
    sheets = [layout.spec.sheets.cover, *(s.name for s in layout.initiative_sheets())]
    for cell, sheet in zip(cells, sheets, strict=True):
        if sheet in statuses:
            layout.formulas.append(Formula(cell, "text", (statuses[sheet],), style="status"))


INSTRUCTION_STEPS = (
    "Udfyld de gule felter på forsiden og på ét ark pr. indsats. Andre celler er låst.",
    "Hold musen over et felt (eller markér det) for at se, hvad der skal stå i det.",
    "Beløb skrives som tal i rundens enhed. Kendes et beløb kun samlet, skrives det under "
    "'Ikke fordelt på år'. Er beløbet et skøn, vælges 'Ja' ud for 'Beløbet er et skøn'.",
    "Oversigten over økonomien udfyldes automatisk fra indsatsarkene.",
    "Feltet 'Status for udfyldelse' øverst på hvert ark viser, hvad der mangler.",
)


def _plan_cover(layout: Layout) -> None:
    spec = layout.spec
    sheet = spec.sheets.cover
    c = _Cursor(layout, sheet, 2)
    c.text(spec.title, "title", span=3)
    c.height(2 * 21)
    c.skip()
    c.text(spec.cover.title, "subtitle", span=3)
    c.skip()
    c.text(send_to(layout), "info", span=3, optional=True)  # the row before the status
    c.skip()
    c.text("Status for udfyldelse")  # at the top, as on every sheet (see INSTRUCTION_STEPS)
    status_pos = c.pos(FIRST_VALUE_COL)
    c.skip(2)
    required: Required = []
    departments = ",".join(d.name for d in spec.round.departments)
    for f in spec.cover.fields:
        fixed = layout.department if f.key == "department" else None
        if f.key == "department" and departments and len(departments) <= excel.LIST_SOURCE_MAX:
            # The round's departments become the choices, so a typo cannot split a department.
            names = tuple(d.name for d in spec.round.departments)
            f = f.model_copy(update={"kind": Kind.CHOICE, "choices": names})
        here = c.field_row(f, paths.cover(f.key), 60, fixed)
        if f.required and fixed is None:
            required.append(((here,), f.label))
    _completeness(layout, status_pos, required, 2)
    layout.sheets.append(SheetPlan(sheet, Role.COVER, widths=(LABEL_COL_WIDTH, 30, 30)))


Required = list[tuple[tuple[Pos, ...], str]]


def _completeness(layout: Layout, pos: Pos, required: Required, span: int) -> None:
    """A formula that names the required inputs still empty ("Udfyldt" when none)."""
    if required:
        refs = tuple(p for group, _ in required for p in group)
        labels = tuple(label for _, label in required)
        sizes = tuple(len(group) for group, _ in required)
        layout.formulas.append(Formula(pos, "missing", refs, labels, "status", span, sizes))


def _plan_initiative(layout: Layout, index: int, sheet: str) -> None:
    spec = layout.spec
    span = _amount_cols(spec)
    width_chars = span * AMOUNT_COL_WIDTH
    name = layout.initiatives[index]
    c = _Cursor(layout, sheet, span)
    c.text(spec.initiative.title, "title", span=span + 1)
    c.height(21)  # a 14-point title needs more than the default 15-point row
    c.skip()
    c.text(spec.field("department").label)
    if layout.department is None:
        dept = layout.input(paths.cover("department")).pos
        layout.formulas.append(Formula(c.pos(FIRST_VALUE_COL), "text", (dept,), (), "fixed", span))
    else:
        c.text(layout.department, "fixed", FIRST_VALUE_COL, span)
    c.skip()
    name_field = spec.name_field
    c.text(name_field.label)
    if name is None:
        layout.inputs.append(
            Input(paths.initiative(index, paths.NAME), c.pos(FIRST_VALUE_COL), name_field, span)
        )
    else:
        c.text(name, "fixed", FIRST_VALUE_COL, span, path=paths.initiative(index, paths.NAME))
    name_pos = c.pos(FIRST_VALUE_COL)
    c.skip()
    c.text("Status for udfyldelse")
    status_pos = c.pos(FIRST_VALUE_COL)
    c.skip(2)
    required: Required = [((name_pos,), name_field.label)] if name is None else []
    for f in spec.initiative.fields:
        if f.kind == Kind.ECONOMY:
            required.append(_plan_economy(layout, c, f, index))
            continue
        here = c.field_row(f, paths.initiative(index, f.key), width_chars)
        if f.required:
            required.append(((here,), f.label))
        c.skip()
    _completeness(layout, status_pos, required, span)
    header = name or sheet  # the department stands in the left part of the page header
    layout.sheets.append(
        SheetPlan(
            sheet, Role.INITIATIVE, index, (LABEL_COL_WIDTH, *[AMOUNT_COL_WIDTH] * span), header
        )
    )


def _plan_economy(
    layout: Layout, c: _Cursor, f: FieldSpec, index: int
) -> tuple[tuple[Pos, ...], str]:
    """The economy block: year header, amount row with total, co-financing, estimate, note."""
    spec, e = layout.spec, layout.spec.economy
    fields = spec.economy_fields
    years = [str(y) for y in spec.round.years]
    c.text(f.label, "section")
    if f.help:
        c.text(f.help, "help", FIRST_VALUE_COL, c.span)
        c.height(LINE_HEIGHT * 2)
    c.skip()
    c.text(spec.round.unit.heading, "header")
    heads = [*years, e.unallocated_label, e.total_label]
    for i, head in enumerate(heads):
        c.text(head, "header", FIRST_VALUE_COL + i)
    c.height(LINE_HEIGHT * 2)
    c.skip()
    c.text(e.years_label)
    amount_cells = []
    for i, part in enumerate(paths.amount_parts(spec.round.years)):
        pos = c.pos(FIRST_VALUE_COL + i)
        layout.inputs.append(Input(paths.economy(index, part), pos, fields[part]))
        amount_cells.append(pos)
    layout.formulas.append(
        Formula(c.pos(FIRST_VALUE_COL + len(heads) - 1), "sum", tuple(amount_cells), style="total")
    )
    c.skip()
    for key in (paths.COFINANCING, paths.ESTIMATED, paths.NOTE):
        sub = fields[key]
        c.text(sub.label)
        span = c.span if key == paths.NOTE else 1
        layout.inputs.append(Input(paths.economy(index, key), c.pos(FIRST_VALUE_COL), sub, span))
        if key == paths.NOTE:
            c.height(LINE_HEIGHT * 2)
        c.skip()
    c.skip()
    return tuple(amount_cells), f.label


def _plan_overview(layout: Layout) -> None:
    spec, o = layout.spec, layout.spec.overview
    sheet = spec.sheets.overview
    years = [str(y) for y in spec.round.years]
    cols = _amount_cols(spec)  # years, unallocated, total
    cofin_col = FIRST_VALUE_COL + cols
    c = _Cursor(layout, sheet, cols + 1)
    c.text(o.title, "title", span=cols + 2)
    c.height(2 * 21)
    c.skip()
    c.text(spec.round.unit.heading, "subtitle")
    c.skip(2)
    c.text(o.row_header, "header")
    heads = [
        *years,
        spec.economy.unallocated_label,
        spec.economy.total_label,
        spec.economy.cofinancing_label,
    ]
    for i, head in enumerate(heads):
        c.text(head, "header", FIRST_VALUE_COL + i)
    c.height(LINE_HEIGHT * 3)
    c.skip()
    first_row = c.row
    for plan_ in [s for s in layout.sheets if s.role is Role.INITIATIVE]:
        n = plan_.index or 0
        name_pos = _name_pos(layout, n)
        layout.formulas.append(Formula(c.pos(LABEL_COL), "text", (name_pos,), (), "rowname"))
        for i, part in enumerate(paths.amount_parts(spec.round.years)):
            source = layout.input(paths.economy(n, part)).pos
            layout.formulas.append(Formula(c.pos(FIRST_VALUE_COL + i), "ref", (source,)))
        _row_total(layout, c, cols)
        cofinancing = layout.input(paths.economy(n, paths.COFINANCING)).pos
        layout.formulas.append(Formula(c.pos(cofin_col), "ref", (cofinancing,)))
        c.skip()
    totalled = list(range(first_row, c.row))
    if o.extra_rows:
        # Inputs of their own, so they get a header row directly above (layout convention).
        c.text("Øvrige beløb – skrives i de gule felter", "header")
        for i, head in enumerate(heads[: cols - 1]):
            c.text(head, "header", FIRST_VALUE_COL + i)
        c.height(LINE_HEIGHT * 2)
        c.skip()
    for n, extra in enumerate(o.extra_rows):
        c.text(extra.label)
        fields = spec.economy_fields
        for i, part in enumerate(paths.amount_parts(spec.round.years)):
            pos = c.pos(FIRST_VALUE_COL + i)
            layout.inputs.append(Input(paths.extra(n, part), pos, fields[part]))
        _row_total(layout, c, cols)
        if extra.in_total:
            totalled.append(c.row)
        c.skip()
    c.text(o.total_label, "totallabel")
    for col in range(FIRST_VALUE_COL, cofin_col + 1):
        refs = tuple(Pos(sheet, r, col) for r in totalled)
        layout.formulas.append(Formula(c.pos(col), "sum", refs, style="grandtotal"))
    c.skip(2)
    if o.footnote:
        c.text(o.footnote, "help", span=cols + 2)
        c.height(LINE_HEIGHT * 2)
    widths = (46, *(fit_width(head, AMOUNT_COL_WIDTH) for head in heads))
    layout.sheets.append(SheetPlan(sheet, Role.OVERVIEW, widths=widths))


def _row_total(layout: Layout, c: _Cursor, cols: int) -> None:
    refs = tuple(c.pos(FIRST_VALUE_COL + i) for i in range(cols - 1))
    layout.formulas.append(Formula(c.pos(FIRST_VALUE_COL + cols - 1), "sum", refs, style="total"))


def _name_pos(layout: Layout, index: int | None) -> Pos:
    path = paths.initiative(index, paths.NAME)
    fixed = next((t.pos for t in layout.texts if t.path == path), None)
    return fixed or layout.input(path).pos


# --------------------------------------------------------------------------- helpers


def _ranges(refs: tuple[Pos, ...], here: str) -> list[str]:
    """Group cells into contiguous ranges (same sheet, along one row or column) for SUM().

    Linear: a consolidated overview sums a column of a thousand subtotals."""
    out: list[str] = []
    i = 0
    while i < len(refs):
        first = last = refs[i]
        step: str | None = None
        i += 1
        while i < len(refs):
            p = refs[i]
            same = p.sheet == last.sheet
            along = (
                "row"
                if same and p.row == last.row and p.col == last.col + 1
                else "col"
                if same and p.col == last.col and p.row == last.row + 1
                else None
            )
            if along is None or step not in (None, along):
                break
            step, last = along, p
            i += 1
        text = first.formula_ref(here)
        out.append(text if last == first else f"{text}:{last.ref}")
    return out


def _blank_test(group: tuple[Pos, ...], here: str) -> str:
    if len(group) == 1:
        return f'{group[0].formula_ref(here)}=""'
    return f"COUNTA({','.join(_ranges(group, here))})=0"


def _q(text: str) -> str:
    return text.replace('"', '""')


def _blank(value: Value) -> bool:
    return value is None or (isinstance(value, str) and value == "")


def _as_text(value: Value) -> str:
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sum(values: Iterable[Value]) -> float:
    total = 0.0
    for v in values:
        if isinstance(v, int | float) and not isinstance(v, bool):
            total += v
    return total
