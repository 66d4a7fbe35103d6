"""A file's values carried onto the round's current form, field by field.

A round changes while it runs. When only its administration changed (deadline, contact,
labels, help texts, other departments) the form is the same and nothing happens here. When
the form itself changed after a template was sent (a field added or removed, the period
moved, the unit changed), the file was still checked exactly against its own template; its
values are then carried by field key onto the round's form, and nothing is dropped without a
word: a value whose field the form no longer has, and an amount for a year no longer in the
period, are reported with their cells; a field the form has gained is reported on that field
(an error when it is required); amounts are converted when the unit changed; a value whose
field has other rules now is checked again under them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bilag4xl.danish.numbers import format_number
from bilag4xl.form import paths
from bilag4xl.form.identity import differences, form_digest, rules
from bilag4xl.form.layout import Input, Layout, plan
from bilag4xl.form.spec import Kind, Spec
from bilag4xl.intake.expected import Names
from bilag4xl.intake.fields import Where, parse_input
from bilag4xl.issues import catalogue as messages
from bilag4xl.issues.report import Issue

# The errors a file gets from a change of the form alone (it was fine on its own template).
CHANGE_ERRORS = frozenset({"field-new-required"})
GAINED = ("field-new-required", "field-new")


def only_form_changed(issues: Iterable[Issue]) -> bool:
    """Whether a file's errors all come from the round's form having changed since its
    template was made (so the department need only fill in what was added)."""
    issues = list(issues)
    errors = [i for i in issues if i.severity == "error"]
    changed = any(i.code == "form-changed" for i in issues)
    return changed and bool(errors) and all(i.code in CHANGE_ERRORS for i in errors)


def gained_fields(issues: Iterable[Issue], spec: Spec) -> list[str]:
    """The labels of the fields the form has gained, as a file's issues name them (once)."""
    labels: dict[str, None] = {}
    for issue in issues:
        parsed = paths.parse(issue.field or "") if issue.code in GAINED else None
        if parsed is None:
            continue
        try:
            labels[spec.field(parsed.key).label] = None
        except KeyError:  # an overview row
            labels[parsed.key] = None
    return list(labels)


@dataclass
class Remapped:
    """A file's values remapped onto the round's form: by its paths, its layout for them, and
    what was said. (Values carried into next round's templates are `prefill.Carried`.)"""

    layout: Layout
    values: dict[str, Any]
    issues: list[Issue] = field(default_factory=list)


def to_round(
    made_with: Spec,
    target: Spec,
    shape: Layout,
    names: Names,
    values: Mapping[str, Any],
    raw: Mapping[str, object],
    file: str,
    unused: set[int],
) -> Remapped:
    """The values of a file made with `made_with`, carried onto `target` (see the module
    docstring); `shape` and `names` place the file's own cells."""
    if form_digest(made_with) == form_digest(target):
        return Remapped(shape, dict(values))
    layout = plan(target, shape.department and names.text(shape.department), _names(shape, names))
    carrier = _Carrier(made_with, target, shape, names, layout, file)
    said = "; ".join(differences(made_with, target))
    carrier.issues.append(messages.make("form-changed", file, what=said))
    for path, value in values.items():
        carrier.carry(path, value, raw.get(path))
    carrier.gained(unused)
    return Remapped(layout, carrier.out, carrier.issues)


def _names(shape: Layout, names: Names) -> list[str | None]:
    """The file's initiative names (its shape plan holds placeholders for them)."""
    return [None if n is None else names.text(n) for n in shape.initiatives]


class _Carrier:
    def __init__(
        self, made_with: Spec, target: Spec, shape: Layout, names: Names, layout: Layout, file: str
    ) -> None:
        self.made_with, self.target, self.file = made_with, target, file
        self.shape, self.names, self.layout = shape, names, layout
        self.targets = {i.path: i for i in layout.inputs}
        self.fixed = {t.path for t in layout.texts if t.path}
        self.out: dict[str, Any] = {}
        self.issues: list[Issue] = []
        self.scale = self._scale()
        old_rows = [r.key for r in made_with.overview.extra_rows]
        new_rows = {r.key: m for m, r in enumerate(target.overview.extra_rows)}
        self.rows = {n: new_rows.get(key) for n, key in enumerate(old_rows)}

    def _scale(self) -> Decimal:
        old, new = self.made_with.round.unit, self.target.round.unit
        if old == new:
            return Decimal(1)
        scale = old.into(new)
        labels = {"old": old.label, "new": new.label}
        if scale is None:
            self.issues.append(messages.make("amounts-not-converted", self.file, **labels))
            return Decimal(1)
        self.issues.append(messages.make("amounts-converted", self.file, **labels))
        return scale

    def carry(self, path: str, value: Any, raw: object) -> None:
        new_path = self._translate(path)
        if new_path is None:
            self._left_behind(path, value)
            return
        if self.scale != 1 and _is_amount(self.targets.get(new_path)) and _number(value):
            value = float(Decimal(str(value)) * self.scale)
        target = self.targets.get(new_path)
        source = self._source(path)
        changed = target and source and rules(source.field) != rules(target.field)
        if changed and target is not None and raw is not None:  # checked again: new rules
            result = parse_input(target, raw, self.target, self._where(path, target))
            value = result.value
            self.issues += result.issues
        self.out[new_path] = value

    def _translate(self, path: str) -> str | None:
        """The round's path for one of the file's paths, None when the form has no place."""
        parsed = paths.parse(path)
        if parsed is None:
            return None
        if parsed.section == "extra":
            row = self.rows.get(parsed.index or 0)
            new = None if row is None else paths.extra(row, parsed.key)
        else:
            new = path
        return new if new in self.targets or new in self.fixed else None

    def _left_behind(self, path: str, value: Any) -> None:
        if value is None or value == "":
            return
        source = self._source(path)
        sheet, cell = self._cell(source)
        parsed = paths.parse(path)
        year = parsed.year if parsed else None
        label = source.field.label if source else path
        if year is not None and parsed and parsed.section in ("economy", "extra"):
            period = f"{self.target.round.first_year}–{self.target.round.last_year}"
            shown = format_number(value) if _number(value) else str(value)
            issue = messages.make(
                "year-gone", self.file, sheet, cell, path, year=year, period=period, value=shown
            )
        else:
            issue = messages.make(
                "field-gone", self.file, sheet, cell, path, label=label, value=value
            )
        self.issues.append(issue)

    def gained(self, unused: set[int]) -> None:
        """A field the form has gained since the template: said on that field, once per
        initiative when it is required (an error), once in all when it is not."""
        said: set[str] = set()
        for target in self.layout.inputs:
            parsed = paths.parse(target.path)
            if parsed is None or target.path in self.out or not self._is_new(parsed):
                continue
            if parsed.index is not None and parsed.section != "extra" and parsed.index in unused:
                continue
            label = target.field.label
            if target.field.required:
                self.issues.append(
                    messages.make("field-new-required", self.file, field=target.path, label=label)
                )
            elif label not in said:
                said.add(label)
                self.issues.append(
                    messages.make("field-new", self.file, field=target.path, label=label)
                )

    def _is_new(self, parsed: paths.FieldPath) -> bool:
        """Whether the form has gained this field (a new year of a moved period is not)."""
        if parsed.section == "cover":
            return all(f.key != parsed.key for f in self.made_with.cover.fields)
        if parsed.section == "initiative":
            return all(f.key != parsed.key for f in self.made_with.initiative.fields)
        if parsed.section == "extra":
            key = self.target.overview.extra_rows[parsed.index or 0].key
            return all(r.key != key for r in self.made_with.overview.extra_rows)
        return False

    def _source(self, path: str) -> Input | None:
        return next((i for i in self.shape.inputs if i.path == path), None)

    def _cell(self, source: Input | None) -> tuple[str | None, str | None]:
        if source is None:
            return None, None
        return self.names.sheet(source.pos.sheet), source.pos.ref

    def _where(self, path: str, target: Input) -> Where:
        sheet, cell = self._cell(self._source(path))
        return Where(self.file, sheet or "", cell or "", target.path, target.field.label)


def _is_amount(target: Input | None) -> bool:
    return target is not None and target.field.kind == Kind.AMOUNT


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
