"""Where everything stands in a consolidated workbook: the map its writer and reader share.

As `layout` is for templates, this is for the merge output: sheet names, the columns of the
"Indsatser" and "Kilder" sheets (spec-driven: a field added to the spec gets a column), and the
row plan of "Oversigt". A submission's values are addressed by the same dotted paths that
`model.flatten` and `model.assemble` use, so writing and reading back are exact inverses.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bilag4xl.consolidate.decide import REASONS, LeftOut
from bilag4xl.form import paths
from bilag4xl.form.kinds import rule
from bilag4xl.form.layout import FIRST_VALUE_COL, Layout, plan
from bilag4xl.form.model import Submission, flatten
from bilag4xl.form.spec import Kind, Spec, per_spec

SCHEMA = "bilag4xl/consolidated/1"
LAYOUT_VERSION = "1"

OVERVIEW = "Oversigt"
INITIATIVES = "Indsatser"
SOURCES = "Kilder"
ISSUES = "Valideringer"
METADATA = "_bilag4xl_samlet"  # not the templates' sheet, so no reader mistakes one for the other
TABLE_NAME = "Indsatser"

# Bookkeeping columns (not submission fields); their keys start with "#".
NR, DEPARTMENT, INDEX, COUNT, TOTAL = "#nr", "#department", "#index", "#count", "#total"
RESULT, ERRORS, WARNINGS = "#result", "#errors", "#warnings"

LEFT_OUT_KEY = "left_out"  # metadata: the round's departments not in it, and why (JSON)

YESNO_TEXT = {True: "Ja", False: "Nej"}
RESULT_TEXT = {"valid": "Gyldig", "warnings": "Gyldig med advarsler", "invalid": "Ugyldig"}


@dataclass(frozen=True)
class Column:
    """One column: its header, the value's path (relative to the row's prefix) and its kind."""

    header: str
    key: str
    kind: str = Kind.TEXT
    width: float = 24.0

    @property
    def style(self) -> str:
        return rule(self.kind).column[1]

    @property
    def is_field(self) -> bool:
        return not self.key.startswith("#")


def _col(header: str, key: str, kind: str, width: float | None = None) -> Column:
    return Column(header, key, kind, width or rule(kind).column[0])


@per_spec(maxsize=16)
def blank_layout(spec: Spec, initiatives: int) -> Layout:
    """A template layout with everything an input: its paths address any submission's values."""
    return plan(spec, None, [None] * initiatives)


def submission_values(spec: Spec, submission: Submission) -> dict[str, Any]:
    """Values by layout path of the cover and the overview's extra rows (the inverse of
    `model.assemble` for them); the initiatives' come from `model.initiative_values`."""
    return flatten(submission, blank_layout(spec, 0))


INITIATIVE_KEY_COLS = 4  # Nr., department, initiative nr. and name: which row is which


def initiative_columns(spec: Spec) -> list[Column]:
    """ "Indsatser": the link to "Kilder", then every initiative field in the form's order."""
    e = spec.economy
    cols = [
        _col("Nr.", NR, Kind.AMOUNT, 6),
        _col(spec.field("department").label, DEPARTMENT, Kind.TEXT, 28),
        _col("Indsats nr.", INDEX, Kind.AMOUNT, 8),
        _col(spec.initiative.name_label, paths.NAME, Kind.TEXT, 40),
    ]
    eco = spec.economy_fields
    for f in spec.initiative.fields:
        if f.kind != Kind.ECONOMY:
            cols.append(_col(f.label, f.key, f.kind))
            continue
        for part in paths.amount_parts(spec.round.years):
            label = part.removeprefix(paths.YEARS + ".") if part != paths.UNALLOCATED else None
            header = label or e.unallocated_label
            cols.append(_col(header, paths.economy_key(part), Kind.AMOUNT))
        cols.append(_col(e.total_label, TOTAL, Kind.AMOUNT))
        for key in (paths.COFINANCING, paths.ESTIMATED, paths.NOTE):
            cols.append(_col(eco[key].label, paths.economy_key(key), eco[key].kind))
    return _unique(cols)


def source_columns(spec: Spec) -> list[Column]:
    """ "Kilder": one row per submission: the cover, validation, file and template."""
    cols = [_col("Nr.", NR, Kind.AMOUNT, 6)]
    cols += [_col(f.label, paths.cover(f.key), f.kind) for f in spec.cover.fields]
    cols += [
        _col("Validering", RESULT, Kind.TEXT, 20),
        _col("Fejl", ERRORS, Kind.AMOUNT, 8),
        _col("Advarsler", WARNINGS, Kind.AMOUNT, 10),
        _col("Indsatser", COUNT, Kind.AMOUNT, 10),
        _col("Fil", "source.file", Kind.TEXT, 36),
        _col("SHA-256", "source.sha256", Kind.TEXT, 66),
        _col("Skabelon-id", "template.id", Kind.TEXT, 18),
        _col("Spec", "template.spec", Kind.TEXT, 12),
        _col("Spec-version", "template.version", Kind.TEXT, 12),
        _col("Spec-hash", "template.spec_hash", Kind.TEXT, 66),
        _col("Skema-hash", "template.form_hash", Kind.TEXT, 66),
    ]
    return _unique(cols)


def issue_headers() -> list[str]:
    return ["Fil", "Forvaltning", "Alvor", "Besked", "Ark", "Celle", "Felt", "Kode"]


def left_out_json(left_out: Sequence[LeftOut]) -> str:
    return json.dumps([[d.department, d.reason] for d in left_out], ensure_ascii=False)


def left_out_from_json(text: str) -> list[LeftOut]:
    """The metadata's list back; a damaged value raises ValueError (or TypeError)."""
    items = json.loads(text)
    out = [LeftOut(str(name), reason) for name, reason in items]
    if any(d.reason not in REASONS for d in out):
        raise ValueError(f"ukendt grund i {LEFT_OUT_KEY}")
    return out


def _unique(cols: list[Column]) -> list[Column]:
    """Excel tables need headers unique ignoring case; a clash gets a counter."""
    seen: set[str] = set()
    out = []
    for c in cols:
        header, n = c.header, 2
        while header.casefold() in seen:
            header, n = f"{c.header} ({n})", n + 1
        seen.add(header.casefold())
        out.append(Column(header, c.key, c.kind, c.width))
    return out


def index_of(cols: Sequence[Column], key: str) -> int:
    return next(i for i, c in enumerate(cols) if c.key == key)


# --------------------------------------------------------------------------- "Oversigt"

TITLE_ROW, UNIT_ROW, BANNER_ROW, HEADER_ROW = 0, 1, 2, 3
DEPT_COL, NAME_COL = 0, FIRST_VALUE_COL  # department, then initiative / row label
AMOUNT_COL = NAME_COL + 1


@dataclass(frozen=True)
class Block:
    """One submission's rows in "Oversigt": its initiatives, extra rows, then a subtotal."""

    first: int
    initiatives: int
    extras: int

    def initiative_row(self, i: int) -> int:
        return self.first + i

    def extra_row(self, n: int) -> int:
        return self.first + self.initiatives + n

    @property
    def subtotal_row(self) -> int:
        return self.first + self.initiatives + self.extras


@dataclass(frozen=True)
class OverviewPlan:
    blocks: tuple[Block, ...]
    summary_title_row: int
    summary_header_row: int
    first_summary_row: int
    total_row: int
    footnote_row: int
    chart_row: int


def overview_columns(spec: Spec) -> list[str]:
    """Headers of the amount columns: the years, 'ikke fordelt', 'i alt', co-financing."""
    e = spec.economy
    years = [str(y) for y in spec.round.years]
    return [*years, e.unallocated_label, e.total_label, e.cofinancing_label]


def plan_overview(initiative_counts: Sequence[int], extras: int) -> OverviewPlan:
    """Rows of "Oversigt" for submissions with these numbers of initiatives (in order)."""
    row = HEADER_ROW + 1
    blocks = []
    for n in initiative_counts:
        block = Block(row, n, extras)
        blocks.append(block)
        row = block.subtotal_row + 2  # a blank row between departments
    summary_title = row
    first = summary_title + 2
    total = first + len(blocks)
    return OverviewPlan(
        tuple(blocks), summary_title, summary_title + 1, first, total, total + 2, total + 4
    )
