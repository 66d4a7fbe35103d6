"""Amounts: the unit, Danish digits, the phrase in words, and the rule that they agree."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bilag4xl.danish.numbers import TABLE_DECIMALS, Unit, format_number, unit_factor
from bilag4xl.danish.parsers import parse_amount
from bilag4xl.form.spec import RoundSpec, Spec, default_spec_text, parse_spec

UNIT_FACTORS = [
    ("kr.", 1),
    ("KR", 1),
    ("kroner", 1),
    ("DKK", 1),
    ("t.kr.", 1000),
    ("t. kr.", 1000),
    ("T.KR", 1000),
    ("tkr.", 1000),
    ("1.000 kr.", 1000),
    ("1000 kr", 1000),
    (" 1.000  KR. ", 1000),
    ("100 kr.", 100),
    ("mio. kr.", 1_000_000),
    ("Mio kr", 1_000_000),
    ("1 mio. kr.", 1_000_000),
    ("mia. kr.", 1_000_000_000),
    ("1.000 EUR", None),
    ("t.", None),
    ("0 kr.", None),
    ("timer", None),
    ("", None),
]


@pytest.mark.parametrize(("unit", "factor"), UNIT_FACTORS)
def test_unit_factor(unit: str, factor: int | None) -> None:
    assert unit_factor(unit) == (None if factor is None else Decimal(factor))


def test_a_unit_carries_its_factor_and_its_heading() -> None:
    unit = Unit("t.kr.")
    assert (unit.label, unit.factor, str(unit)) == ("t.kr.", Decimal(1000), "t.kr.")
    assert unit.heading == "Beløb i t.kr."
    assert unit.in_kroner(2.5) == Decimal(2500)
    assert unit.into(Unit("mio. kr.")) == Decimal("0.001")
    assert Unit("1.000 kr.").into(Unit("t.kr.")) == 1
    assert Unit("1.000 EUR").into(Unit("1.000 EUR")) == 1  # the same unit: nothing to convert
    assert Unit("1.000 EUR").into(Unit("kr.")) is None  # never converted by a guess
    assert Unit("1.000 EUR").in_kroner(3) is None


def test_the_spec_makes_its_unit_once_and_stores_its_label() -> None:
    """The spec's unit is a Unit from loading on; what a workbook stores of the spec (and the
    digest over it) still holds the label as written, and reads back as the same Unit."""
    spec = parse_spec(default_spec_text().replace('unit = "1.000 kr."', 'unit = "t.kr."'))
    assert spec.round.unit == Unit("t.kr.") and spec.round.unit.factor == 1000
    assert json.loads(spec.canonical)["round"]["unit"] == "t.kr."
    assert Spec.model_validate(json.loads(spec.canonical)) == spec
    given_unit = RoundSpec.model_validate({**spec.round.model_dump(), "unit": Unit("kr.")})
    assert given_unit.unit.factor == 1


WORDS = [(u, f) for u, f in UNIT_FACTORS if u.strip() and not u.strip()[0].isdigit()]


@pytest.mark.parametrize(("unit", "factor"), WORDS)
def test_typed_amounts_read_their_unit_the_same_way(unit: str, factor: int | None) -> None:
    """A typed "2 t.kr." and a round in "t.kr." mean the same: both go through unit_factor."""
    parsed = parse_amount(f"2 {unit}", Unit("kr."))
    if factor is None:
        assert parsed is None
    else:
        assert parsed is not None and parsed.value == 2 * factor
        assert parse_amount("2", Unit(unit)).value == 2  # a bare number is in the round's unit


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (130000, "130.000"),
        (412000.0, "412.000"),
        (1234567.5, "1.234.567,5"),
        (999.999, "1.000"),
        (12.25, "12,25"),
        (-1500, "-1.500"),
        (23_550_000, "23.550.000"),
    ],
)
def test_format_number(value: float, expected: str) -> None:
    assert format_number(value) == expected


@pytest.mark.parametrize(
    ("value", "unit", "estimated", "expected"),
    [
        (130000, "1.000 kr.", True, "ca. 130 mio. kr."),
        (130000, "t.kr.", True, "ca. 130 mio. kr."),  # was "ca. 130.000 (t.kr.)"
        (282000, "1.000 kr.", True, "ca. 282 mio. kr."),
        (58000, "1.000 kr.", True, "ca. 58 mio. kr."),
        (412000, "1.000 kr.", False, "412 mio. kr."),
        (412500, "1.000 kr.", False, "412,5 mio. kr."),
        (281600, "1.000 kr.", True, "ca. 281,6 mio. kr."),
        (2450, "1.000 kr.", True, "ca. 2,45 mio. kr."),
        (1000, "1.000 kr.", False, "1 mio. kr."),
        (500, "1.000 kr.", True, "ca. 500.000 kr."),
        (0, "1.000 kr.", False, "0 kr."),
        (12_600_000, "kr.", True, "ca. 12,6 mio. kr."),  # not "ca. 13 mio. kr."
        (12_600_123, "kr.", True, "ca. 12.600.123 kr."),
        (2_500_000, "kr.", True, "ca. 2,5 mio. kr."),
        (750.5, "kr.", False, "750,5 kr."),
        (3, "mio. kr.", False, "3 mio. kr."),
        (2.456, "mio. kr.", False, "2,46 mio. kr."),  # the table shows 2,46
        (1.5, "mia. kr.", True, "ca. 1.500 mio. kr."),
        (130000, "1.000 EUR", True, "ca. 130.000 (1.000 EUR)"),
    ],
)
def test_unit_phrase(value: float, unit: str, estimated: bool, expected: str) -> None:
    assert Unit(unit).phrase(value, estimated) == expected


UNITS = st.sampled_from(["kr.", "t.kr.", "1.000 kr.", "mio. kr.", "mia. kr."])
VALUES = st.one_of(
    st.integers(0, 10**9),
    st.decimals(0, 10**7, places=3, allow_nan=False, allow_infinity=False).map(float),
)


@given(value=VALUES, unit=UNITS, estimated=st.booleans())
def test_the_phrase_states_the_number_in_the_table(
    value: float, unit: str, estimated: bool
) -> None:
    """The rule of `amounts`: read back in kroner, the phrase is the table's number exactly
    (so "ca. 13 mio. kr." can never stand beside 12.600.000)."""
    phrase = Unit(unit).phrase(value, estimated)
    table = format_number(value, TABLE_DECIMALS)
    parsed = parse_amount(phrase, Unit("kr."))
    assert parsed is not None, phrase
    assert parsed.estimated is estimated
    in_table = Decimal(table.replace(".", "").replace(",", ".")) * unit_factor(unit)
    assert Decimal(str(parsed.value)) == in_table, (phrase, table)
