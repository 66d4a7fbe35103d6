"""Helpers for reader/validator tests: templates and filled submissions as bytes or files."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook

from bilag4xl.form.layout import Layout, plan
from bilag4xl.form.spec import Spec, load_spec
from bilag4xl.template.writer import build, resolve_initiatives
from support import seed
from support.fill import fill_template

TMF = "Teknik- og Miljøforvaltningen"
SPEC = load_spec()


@functools.cache
def layout_for(department: str | None = TMF, blank: int | None = None) -> Layout:
    return plan(SPEC, department, resolve_initiatives(SPEC, department, (), blank))


@functools.cache
def template(department: str | None = TMF, blank: int | None = None) -> bytes:
    return build(layout_for(department, blank))


def valid_values(n_initiatives: int = 3, first: int = 0) -> dict[str, object]:
    """Every required input of a TMF-like template filled, plus a few optional ones."""
    values: dict[str, object] = {f"cover.{k}": v for k, v in seed.COVER.items()}
    for n in range(first, first + n_initiatives):
        p = f"initiatives.{n}"
        for key in ("target_group", "activities", "goal", "contribution", "follow_up.text"):
            values[f"{p}.{key}"] = f"Tekst til {key} ({n})"
        values[f"{p}.economy.years.2008"] = 100.0 * (n + 1)
        values[f"{p}.economy.unallocated"] = 50
        values[f"{p}.follow_up.evaluation"] = "intern"
        values[f"{p}.follow_up.statistical"] = True
    return values


def filled(
    tmp: Path,
    values: dict[str, object] | None = None,
    name: str = "filled.xlsx",
    department: str | None = TMF,
    blank: int | None = None,
    raw: dict[tuple[str, str], object] | None = None,
) -> Path:
    data = valid_values() if values is None else values
    return fill_template(template(department, blank), data, tmp / name, raw=raw)


def tamper(path: Path, change: Callable[[object], None], out: Path | None = None) -> Path:
    """Edit a workbook with openpyxl as someone who removed the protection could."""
    wb = load_workbook(path)
    change(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    target = out or path
    target.write_bytes(buffer.getvalue())
    return target


def other_spec(**round_changes: object) -> Spec:
    data = SPEC.model_dump(mode="json")
    data["round"].update(round_changes)
    return Spec.model_validate(data)
