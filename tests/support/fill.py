"""Fill a generated template the way a caseworker can: only through its unlocked input cells.

Used by tests, `examples/` and the benchmark. openpyxl edits the template and saves it; it
keeps protection, validations and the hidden metadata sheet, but drops cached formula results
(like a file saved without recalculation), which the reader must cope with anyway.
Every target cell is checked to be an unlocked input of the template, so a fill can never
reach a place a user could not.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Mapping
from pathlib import Path

from bilag4xl.form.layout import Input, Layout, plan
from bilag4xl.form.spec import Spec, load_spec
from bilag4xl.output import atomic_write

METADATA_KEYS = ("department", "initiatives")


class FillError(ValueError):
    """A value aimed at something that is not an unlocked input cell of the template."""


def template_layout(workbook: object, spec: Spec) -> Layout:
    """Re-plan the layout of an openpyxl workbook from its metadata sheet."""
    ws = workbook[spec.sheets.metadata]  # type: ignore[index]
    meta = {r[0]: r[1] for r in ws.iter_rows(min_row=2, max_col=2, values_only=True)}
    return plan(spec, meta["department"] or None, json.loads(meta["initiatives"]))


def fill_template(
    template: str | Path | bytes,
    values_by_path: Mapping[str, object],
    out: str | Path,
    spec: Spec | None = None,
    raw: Mapping[tuple[str, str], object] | None = None,
) -> Path:
    """Write `out`: the template with input cells set by layout path ("cover.email": ...).

    `raw` sets further cells by (sheet, "B8") — still only unlocked ones — for tests that
    need a value the path map cannot express. Values go in as given: a str stays text
    (so "130 mio." tests the text parser), numbers, dates and bools keep their type.
    """
    from openpyxl import load_workbook

    spec = spec or load_spec()
    source = io.BytesIO(template) if isinstance(template, bytes) else template
    wb = load_workbook(source)
    layout = template_layout(wb, spec)
    inputs = {i.path: i for i in layout.inputs}
    targets: dict[tuple[str, str], object] = {}
    for path, value in values_by_path.items():
        if path not in inputs:
            raise FillError(f"{path}: ikke et inputfelt i skabelonen")
        targets[(inputs[path].pos.sheet, inputs[path].pos.ref)] = _cell_value(inputs[path], value)
    targets.update(raw or {})
    for (sheet, ref), value in targets.items():
        cell = wb[sheet][ref]
        if cell.protection.locked:
            raise FillError(f"{sheet}!{ref} er låst; en bruger kan ikke skrive her")
        cell.value = value
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # text a user typed, not a formula
    buffer = io.BytesIO()
    wb.save(buffer)
    return atomic_write(out, buffer.getvalue(), force=True)


def _cell_value(inp: Input, value: object) -> object:
    """Yes/no as the list's text, like a user picking from the drop-down."""
    if isinstance(value, bool) and inp.field.kind == "yesno":
        return "Ja" if value else "Nej"
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time())
    return value
