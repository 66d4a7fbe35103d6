"""A form's identity leaves out the round's administration, and its differences are told in
plain Danish."""

from __future__ import annotations

from typing import Any

import pytest

from bilag4xl.form.identity import differences, form_digest, template_id
from bilag4xl.form.spec import Spec, load_spec

SPEC = load_spec()


def changed(change: Any) -> Spec:
    data = SPEC.model_dump(mode="json")
    change(data)
    return Spec.model_validate(data)


ADMINISTRATION = {
    "deadline": lambda d: d["round"].update(deadline="2025-04-11"),
    "contact": lambda d: d["round"].update(contact="Nogen andre"),
    "title": lambda d: d["round"].update(title="En anden titel"),
    "form title": lambda d: d.update(title="Bilag 4 (rettet)"),
    "a label": lambda d: d["cover"]["fields"][1].update(label="Enhed"),
    "a help text": lambda d: d["initiative"]["fields"][1].update(help="Ny hjælpetekst."),
    "a late department": lambda d: d["round"]["departments"].append({"name": "Borgerrådgiveren"}),
    "a department's contact": lambda d: d["round"]["departments"][0].update(
        contact={"name": "A", "email": "a@kommune.dk"}
    ),
}


@pytest.mark.parametrize("change", ADMINISTRATION.values(), ids=ADMINISTRATION.keys())
def test_administration_is_not_the_form(change: Any) -> None:
    other = changed(change)
    assert other.digest != SPEC.digest
    assert form_digest(other) == form_digest(SPEC)
    assert differences(SPEC, other) == []
    tmf = "Teknik- og Miljøforvaltningen"
    assert template_id(other, tmf, ["A"]) == template_id(SPEC, tmf, ["A"])


FORM = {
    "period": (
        lambda d: d["round"].update(first_year=2024, last_year=2027),
        "perioden er 2008–2011 i filen, 2024–2027 i runden",
    ),
    "unit": (lambda d: d["round"].update(unit="kr."), "beløb er i 1.000 kr. i filen, i kr."),
    "a field added": (
        lambda d: d["initiative"]["fields"].append({"key": "budget_ref", "label": "Budgetnr."}),
        "indsatsarkene har fået feltet 'Budgetnr.'",
    ),
    "a field removed": (
        lambda d: d["initiative"]["fields"].pop(),
        "indsatsarkene har mistet feltet 'Samlet vurdering'",
    ),
    "a rule changed": (
        lambda d: d["cover"]["fields"][2].update(max_length=60),
        "feltet 'Sagsbehandler' på forsiden har fået andre regler",
    ),
}


@pytest.mark.parametrize(("change", "said"), FORM.values(), ids=FORM.keys())
def test_the_form_is_told_apart_in_danish(change: Any, said: str) -> None:
    other = changed(change)
    assert form_digest(other) != form_digest(SPEC)
    assert any(line.startswith(said) for line in differences(SPEC, other)), differences(SPEC, other)
