"""Carry a department's last submission into the next round's template.

Texts and choices are carried over by field key and initiative name; amounts only for years
inside the new period. Everything not carried is listed, so nothing disappears silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bilag4xl.danish.numbers import format_number
from bilag4xl.errors import UnreadableFileError
from bilag4xl.form.layout import Layout, Value, plan
from bilag4xl.form.model import Submission
from bilag4xl.form.spec import Spec
from bilag4xl.intake.validate import FileResult, layout_of, read_file
from bilag4xl.output import atomic_write
from bilag4xl.template.writer import build, canonical_department, resolve_initiatives


@dataclass
class Carried:
    """The values for the new template by path, and what was left behind (Danish lines)."""

    values: dict[str, Value] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)


def prefill_layout(spec: Spec, last: Submission, blank: int | None = None) -> Layout:
    """The new round's layout for the last submission's department.

    The new round's initiatives for the department win; when the round lists none, the
    department's initiatives from the last submission become fixed sheets.
    """
    department = canonical_department(spec, last.department) or None
    known = spec.round.department(department) if department else None
    names = [] if known and known.initiatives else [i.name for i in last.initiatives if i.name]
    return plan(spec, department, resolve_initiatives(spec, department, names, blank))


def carry_over(last: Submission, layout: Layout) -> Carried:
    """Map the last submission's values onto the new layout's input paths."""
    out = Carried()
    spec = layout.spec
    old_cover = last.cover
    for f in spec.cover.fields:
        value = old_cover.get(f.key)
        path = f"cover.{f.key}"
        if value in (None, "") or path not in _input_paths(layout):
            continue
        if f.carry:
            out.values[path] = value
        else:
            out.dropped.append(f"Forside: {f.label} ({value}) er ikke overført; udfyld den igen.")
    for key, value in old_cover.items():
        if value not in (None, "") and not any(f.key == key for f in spec.cover.fields):
            out.dropped.append(f"Forside: feltet '{key}' ({value}) findes ikke i den nye runde.")
    old_by_name = {i.name.casefold(): i for i in last.initiatives if i.name}
    used: set[str] = set()
    for index, name in enumerate(layout.initiatives):
        old = old_by_name.get((name or "").casefold())
        if old is None:
            continue
        used.add(old.name.casefold())
        _carry_initiative(old.model_dump(), f"initiatives.{index}", layout, out)
    for old in last.initiatives:
        if old.name and old.name.casefold() not in used:
            out.dropped.append(f"Indsatsen '{old.name}' er ikke med i den nye runde.")
    return out


def _input_paths(layout: Layout) -> set[str]:
    return {i.path for i in layout.inputs}


def _carry_initiative(old: dict[str, Any], prefix: str, layout: Layout, out: Carried) -> None:
    wanted = [i for i in layout.inputs if i.path.startswith(prefix + ".")]
    for i in wanted:
        value = _walk(old, i.path.removeprefix(prefix + ".").split("."))
        if value is not None and (i.path.endswith(".name") or i.field.carry):
            out.values[i.path] = value
    known = {i.path.removeprefix(prefix + ".") for i in wanted} | {"name"}
    derived = ("economy.years.", "economy.total")  # years: handled below; total: computed
    for key, value in _leaves(old):
        if value is not None and key not in known and not key.startswith(derived):
            out.dropped.append(f"{old['name']}: feltet '{key}' findes ikke i den nye runde.")
    new_years = {str(y) for y in layout.spec.round.years}
    for year, amount in sorted(old["economy"]["years"].items()):
        if year not in new_years and amount is not None:
            shown = f"{format_number(amount)} {layout.spec.round.unit}"
            out.dropped.append(
                f"{old['name']}: beløbet for {year} ({shown}) ligger uden for den nye periode og "
                "er ikke overført."
            )


def _leaves(data: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            out += _leaves(value, f"{prefix}{key}.")
        else:
            out.append((f"{prefix}{key}", value))
    return out


def _walk(data: Any, parts: list[str]) -> Any:
    for part in parts:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def write_prefilled(
    out: str | Path,
    spec: Spec,
    last_path: str | Path,
    last_spec: Spec | None = None,
    blank: int | None = None,
    password: str | None = None,
    force: bool = False,
) -> Carried:
    """Next round's template for the department of `last_path`, pre-filled from it.

    `last_spec` is the spec the last submission was made with (default: the built-in one).
    A last submission that cannot be read at all is an error; its other problems are not.
    """
    result = read_file(last_path, last_spec)
    if result.submission is None:
        reasons = "; ".join(i.message_da for i in result.report.errors)
        raise UnreadableFileError(f"{last_path}: kan ikke bruges til forudfyldning: {reasons}")
    layout = prefill_layout(spec, result.submission, blank)
    carried = carry_over(result.submission, layout)
    carried.dropped += _invalid(result, last_spec)
    atomic_write(out, build(layout, carried.values, password=password), force)
    return carried


def _invalid(result: FileResult, spec: Spec | None) -> list[str]:
    """Values the last submission had but that broke a rule: not carried, so listed."""
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
