"""A form's identity: what decides a template's cells and rules, apart from the round's
administration.

A round runs for weeks: the secretariat moves the deadline, adds a late department, fixes a
help text. None of that may invalidate a file already received. So a template is identified
by its *form*: the fields (keys, kinds, rules), the period, the amount unit, the overview's
rows and the department's initiatives; not by the deadline, contact, titles, labels, help
texts or the other departments. `differences` says in plain Danish what changed between two
forms, for a file made before a change that does matter.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from bilag4xl.form.spec import FieldSpec, Spec, per_spec

IDENTITY_VERSION = "2"  # bump when what counts as the form changes


def rules(f: FieldSpec) -> dict[str, Any]:
    """What of a field decides its cell and its rule (not its label or help)."""
    return {
        "key": f.key,
        "kind": str(f.kind),
        "required": f.required,
        "max_length": f.max_length,
        "choices": list(f.options),
        "pattern": f.pattern,
    }


def form_data(spec: Spec) -> dict[str, Any]:
    """The form, as data: everything a template's cells and rules depend on."""
    return {
        "name": spec.name,
        "period": [spec.round.first_year, spec.round.last_year],
        "unit": spec.round.unit.label,
        "max_amount": spec.max_amount,
        "cover": [rules(f) for f in spec.cover.fields],
        "initiative": [rules(f) for f in spec.initiative.fields],
        "name_max_length": spec.initiative.name_max_length,
        "note_max_length": spec.economy.note_max_length,
        "overview": [[r.key, r.in_total] for r in spec.overview.extra_rows],
    }


@per_spec(maxsize=64)  # asked several times for every file read
def form_digest(spec: Spec) -> str:
    """SHA-256 of the form: two templates with the same form digest have the same cells and
    rules, whatever the round's administration says."""
    canonical = json.dumps([IDENTITY_VERSION, form_data(spec)], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def template_id(
    spec: Spec, department: str | None, initiatives: Iterable[str | None], layout: str = ""
) -> str:
    """Identifies one template: its form, department and initiatives, and the version of the
    layout that places them (16 hex digits)."""
    ident = [form_digest(spec), layout, department or "", list(initiatives)]
    return hashlib.sha256(json.dumps(ident, ensure_ascii=False).encode()).hexdigest()[:16]


def same_round(made_with: Spec, spec: Spec) -> bool:
    """Whether a file made with `made_with` can belong to the round of `spec`.

    A round made by `init` has an id of its own, carried in every template it makes (in the
    spec each template stores), and kept through every change of its form. So a file with
    another id, or without one but for another period, was made for another round (last
    year's template); a file without an id for the same period may be the built-in form's
    and is taken. A round without an id (made before rounds had one) takes every file."""
    own = spec.round.id
    if own is None:
        return True
    if made_with.round.id is not None:
        return made_with.round.id == own
    return made_with.round.years == spec.round.years


def differences(old: Spec, new: Spec) -> list[str]:
    """What differs between the form a file was made with and the round's, in Danish: the
    period, the unit, the amount limit, fields gained, lost or with other rules, overview
    rows. Empty when the forms are the same."""
    out = []
    a, b = old.round, new.round
    if (a.first_year, a.last_year) != (b.first_year, b.last_year):
        out.append(
            f"perioden er {a.first_year}–{a.last_year} i filen, {b.first_year}–{b.last_year} "
            "i runden"
        )
    if a.unit != b.unit:
        out.append(f"beløb er i {a.unit} i filen, i {b.unit} i runden")
    if old.max_amount != new.max_amount:
        out.append("beløbsgrænsen er ændret")
    for section, before, after in (
        ("forsiden", old.cover.fields, new.cover.fields),
        ("indsatsarkene", old.initiative.fields, new.initiative.fields),
    ):
        out += _field_changes(section, before, after)
    rows_before = [(r.key, r.in_total) for r in old.overview.extra_rows]
    rows_after = [(r.key, r.in_total) for r in new.overview.extra_rows]
    if rows_before != rows_after:
        out.append("rækkerne på oversigten er ændret")
    if old.initiative.name_max_length != new.initiative.name_max_length:
        out.append("indsatsnavnets længde er ændret")
    if old.economy.note_max_length != new.economy.note_max_length:
        out.append("noten om økonomi har fået en anden længde")
    return out


def _field_changes(
    section: str, before: Iterable[FieldSpec], after: Iterable[FieldSpec]
) -> list[str]:
    old = {f.key: f for f in before}
    new = {f.key: f for f in after}
    out = [f"{section} har fået feltet '{new[k].label}'" for k in new if k not in old]
    out += [f"{section} har mistet feltet '{old[k].label}'" for k in old if k not in new]
    out += [
        f"feltet '{new[k].label}' på {section} har fået andre regler"
        for k in new
        if k in old and rules(old[k]) != rules(new[k])
    ]
    return out
