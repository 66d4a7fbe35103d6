"""Adding a kind of field is one entry in `form.kinds.KINDS` (and a message for its issue).

A postcode kind, known to this test alone, gets its input style, Excel validation, the
formula that turns a pasted wrong value red, its parser and issue, feedback that puts the
typed text back, and its consolidated column, without any other module naming it.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from annex_seed import seed_values
from bilag4xl.consolidate.plan import initiative_columns
from bilag4xl.feedback import placed_values
from bilag4xl.form import kinds
from bilag4xl.form.kinds import KINDS, FieldResult, KindRule, Where, text_checked
from bilag4xl.form.layout import plan
from bilag4xl.form.spec import FieldSpec, Kind, Spec, default_spec_text, parse_spec
from bilag4xl.intake.validate import check_file
from bilag4xl.issues import catalogue
from bilag4xl.issues.report import Issue, Severity
from bilag4xl.template.writer import resolve_initiatives, rule_formulas, template_bytes
from support.fill import fill_template

TMF = "Teknik- og Miljøforvaltningen"
PATH = "initiatives.0.postcode"


def _postcode(text: str, f: FieldSpec, spec: Spec, where: Where) -> Issue | None:
    ok = text.isdigit() and len(text) == 4 and text[0] != "0"
    return None if ok else where.issue("postcode-invalid", value=text)


def _postcode_validation(f: FieldSpec, spec: Spec) -> tuple[dict[str, Any], str]:
    rule = {"validate": "integer", "criteria": "between", "minimum": 1000, "maximum": 9999}
    return rule, "Skriv et postnummer med 4 cifre, fx 8000."


POSTCODE = KindRule(
    text_checked(_postcode),
    _postcode_validation,
    lambda ref, f, spec: f"NOT(AND(ISNUMBER({ref}),{ref}>=1000,{ref}<=9999))",
    style="input_amount",
    column=(9.0, "cell"),
)


@pytest.fixture
def postcode_spec(monkeypatch: pytest.MonkeyPatch) -> Spec:
    monkeypatch.setitem(KINDS, "postcode", POSTCODE)
    monkeypatch.setitem(
        catalogue.CATALOGUE,
        "postcode-invalid",
        catalogue.Detail(
            Severity.ERROR,
            "{label}: '{value}' er ikke et postnummer. Skriv 4 cifre, fx 8000.",
            "{label}: '{value}' is not a postcode. Type 4 digits, e.g. 8000.",
        ),
    )
    field = '[[initiative.fields]]\nkey = "postcode"\nlabel = "Postnummer"\nkind = "postcode"\n\n'
    text = default_spec_text()
    at = text.index('[[initiative.fields]]\nkey = "activities"')
    return parse_spec(text[:at] + field + text[at:])


def _input(spec: Spec, path: str = PATH):
    layout = plan(spec, TMF, resolve_initiatives(spec, TMF, (), None))
    return layout, next(i for i in layout.inputs if i.path == path)


def test_the_template_validates_a_new_kind_by_its_rule(postcode_spec: Spec) -> None:
    layout, inp = _input(postcode_spec)
    assert inp.span == 2  # not `wide`: beside its label, like a phone number
    wb = load_workbook(io.BytesIO(template_bytes(postcode_spec, TMF)))
    ws = wb[inp.pos.sheet]
    found = [dv for dv in ws.data_validations.dataValidation if inp.pos.ref in str(dv.sqref)]
    assert [(dv.type, dv.formula1, dv.formula2) for dv in found] == [("whole", "1000", "9999")]
    assert found[0].error == "Skriv et postnummer med 4 cifre, fx 8000."
    assert found[0].showErrorMessage
    formulas = [f for f, style in rule_formulas(inp, layout) if style == "cf_invalid"]
    assert formulas == [f'=AND({inp.pos.ref}<>"",NOT(AND(ISNUMBER({inp.pos.ref}),'
                        f"{inp.pos.ref}>=1000,{inp.pos.ref}<=9999)))"]  # fmt: skip
    # its style: the number format of an amount cell (what `style` picks)
    amount = next(i for i in layout.inputs if i.field.kind == Kind.AMOUNT)
    cell, amount_cell = ws[inp.pos.ref], wb[amount.pos.sheet][amount.pos.ref]
    assert cell.number_format == amount_cell.number_format
    assert cell.protection.locked is False


def test_a_new_kind_is_read_checked_and_merged(postcode_spec: Spec, tmp_path: Path) -> None:
    spec = postcode_spec
    names = spec.round.department(TMF).initiatives  # type: ignore[union-attr]
    values = {**seed_values(names), PATH: 8000, "initiatives.1.postcode": "80OO"}
    out = fill_template(template_bytes(spec, TMF), values, tmp_path / "tmf.xlsx", spec)
    result = check_file(out, spec)
    bad = [i for i in result.report.issues if i.code == "postcode-invalid"]
    message = "Postnummer: '80OO' er ikke et postnummer. Skriv 4 cifre, fx 8000."
    assert [(i.field, i.message_da.split("] ")[1]) for i in bad] == [
        ("initiatives.1.postcode", message)
    ]
    assert result.values[PATH] == "8000"  # a number typed in it is read as the text
    assert result.submission is None or not result.valid
    # feedback puts the wrong text back in its cell for the caseworker to correct
    layout, _ = _input(spec)
    assert placed_values(result, layout)["initiatives.1.postcode"] == "80OO"
    # the consolidated workbook has a column for it, as wide as the rule says
    col = next(c for c in initiative_columns(spec) if c.key == "postcode")
    assert (col.header, col.width, col.style) == ("Postnummer", 9.0, "cell")


def test_every_kind_of_the_spec_has_a_rule_and_unknown_kinds_are_refused() -> None:
    assert {k.value for k in Kind} == {*KINDS, kinds.ECONOMY}
    text = default_spec_text().replace('kind = "phone"', 'kind = "postcode"', 1)
    with pytest.raises(Exception, match="ukendt type 'postcode'"):
        parse_spec(text)


def test_parsers_are_plain_functions_of_the_raw_value() -> None:
    spec = parse_spec(default_spec_text())
    where = Where("f.xlsx", "Forside", "C9", "cover.phone", "Telefon")
    phone = spec.field("phone")
    assert KINDS["phone"].parse(33661773.0, phone, spec, where) == FieldResult("33661773", [])
    bad = KINDS["phone"].parse("ring til mig", phone, spec, where)
    assert bad.value is None and [i.code for i in bad.issues] == ["phone-invalid"]
