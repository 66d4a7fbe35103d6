"""Submissions and returned files for the merge tests: realistic values for any layout."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bilag4xl.form.layout import Layout, plan
from bilag4xl.form.model import Source, Submission, TemplateInfo, assemble
from bilag4xl.form.spec import Kind, Spec, load_spec
from bilag4xl.intake.validate import FileResult
from bilag4xl.issues.report import Report
from bilag4xl.template.writer import build, resolve_initiatives

SPEC = load_spec()

INJECTIONS = (
    '=HYPERLINK("http://evil.example/x","Klik")',
    "+45 3366 1773",
    "@SUM(A1:A9)",
    "-2+3",
    "http://example.com/indsats",
    "=1+1",
)


def layout_for(spec: Spec, department: str) -> Layout:
    """The department's template: the round's initiatives, or three blank sheets."""
    return plan(spec, department, resolve_initiatives(spec, department))


def values_for(layout: Layout, seed: int = 0, date: dt.date | None = None) -> dict[str, Any]:
    """Parsed values for every input of a layout (as the validator would return them)."""
    values: dict[str, Any] = {}
    for n, i in enumerate(layout.inputs):
        kind, path = i.field.kind, i.path
        if kind == Kind.AMOUNT:
            values[path] = None if (n + seed) % 5 == 0 else float((n * 37 + seed * 11) % 900)
        elif kind == Kind.DATE:
            values[path] = date or dt.date(2009, 3, 1 + seed % 28)
        elif kind == Kind.YESNO:
            values[path] = (n + seed) % 2 == 0
        elif kind == Kind.CHOICE:
            values[path] = i.field.options[(n + seed) % len(i.field.options)]
        elif kind == Kind.EMAIL:
            values[path] = f"sagsbehandler{seed}@kk.dk"
        elif kind == Kind.PHONE:
            values[path] = "3366 1773"
        elif kind == Kind.PATTERN:
            values[path] = "2009-38725" if "case" in path else "2009-174004"
        else:
            values[path] = f"Tekst {seed} for {path}.\nAnden linje æøå – “citat”."
    return values


def submission(
    department: str,
    seed: int = 0,
    *,
    file: str | None = None,
    date: dt.date | None = None,
    spec: Spec = SPEC,
    overrides: Mapping[str, Any] | None = None,
) -> Submission:
    layout = layout_for(spec, department)
    values = {**values_for(layout, seed, date), **(overrides or {})}
    template = TemplateInfo.made(layout.template_id, spec, spec)
    digest = hashlib.sha256(json.dumps([department, seed, str(date), file]).encode()).hexdigest()
    source = Source(file=file or f"{department[:6]}_{seed}.xlsx", sha256=digest)
    return assemble(layout, values, template, source)


def result(sub: Submission | None, path: str | None = None, report: Report | None = None):
    name = path or (sub.source.file if sub else "ulæselig.xlsx")
    return FileResult(Path(name), sub, report or Report())


def write_file(
    folder: Path,
    name: str,
    department: str,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    date: dt.date | None = None,
    spec: Spec = SPEC,
) -> Path:
    """A returned workbook: the department's template pre-filled with values."""
    layout = layout_for(spec, department)
    values = {**values_for(layout, seed, date), **(overrides or {})}
    values = {k: ("Ja" if v else "Nej") if isinstance(v, bool) else v for k, v in values.items()}
    path = folder / name
    path.write_bytes(build(layout, values))
    return path


def departments(spec: Spec = SPEC) -> list[str]:
    return [d.name for d in spec.round.departments]
