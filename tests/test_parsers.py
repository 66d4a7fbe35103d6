"""The Danish amount, date, phone and e-mail parsers against tables of inputs."""

from __future__ import annotations

import datetime as dt

import pytest

from bilag4xl.danish import parsers
from bilag4xl.danish.numbers import Unit

AMOUNTS = [
    # text, unit, value, estimated
    ("1.234,5", "1.000 kr.", 1234.5, False),
    ("1234,5", "1.000 kr.", 1234.5, False),
    ("1 234", "1.000 kr.", 1234.0, False),
    ("1\u00a0234", "1.000 kr.", 1234.0, False),
    ("12.500", "1.000 kr.", 12500.0, False),
    ("0", "1.000 kr.", 0.0, False),
    ("130 mio.", "1.000 kr.", 130000.0, False),
    ("Ca. 130 mio. kr.", "1.000 kr.", 130000.0, True),
    ("ca. 58 mio. kr.", "1.000 kr.", 58000.0, True),
    ("ca 282 mio", "1.000 kr.", 282000.0, True),
    ("12.500 kr.", "1.000 kr.", 12.5, False),
    ("500 t.kr.", "1.000 kr.", 500.0, False),
    ("2,5 mia. kr.", "1.000 kr.", 2500000.0, False),
    ("58 millioner kroner", "1.000 kr.", 58000.0, False),
    ("1.234.567,89 kr.", "kr.", 1234567.89, False),
    ("130 mio.", "mio. kr.", 130.0, False),
    ("-5", "1.000 kr.", -5.0, False),  # read; the validator reports it as negative
    ("ca. 12,6 mio. kr.", "kr.", 12_600_000.0, True),
    ("130 mio. kr.", "t.kr.", 130000.0, False),  # the unit of the Aarhus round
    ("500 TKR", "1.000 kr.", 500.0, False),
    ("1.500,-", "kr.", 1500.0, False),
    ("2,5 mio", "mia. kr.", 0.0025, False),
]


@pytest.mark.parametrize(("text", "unit", "value", "estimated"), AMOUNTS)
def test_amounts(text: str, unit: str, value: float, estimated: bool) -> None:
    parsed = parsers.parse_amount(text, Unit(unit))
    assert parsed is not None
    assert parsed.value == pytest.approx(value)
    assert parsed.estimated is estimated
    assert "læst som" in parsed.note


@pytest.mark.parametrize(
    "text",
    [
        "1.5",  # English decimal or a typo: never guessed
        "1,234.5",
        "12.50",
        "abc",
        "",
        "   ",
        "130 mio. kr. heraf ca. 58 mio. kr.",
        "1.2.3",
        "ca.",
        "mio.",
        "500 t.",  # "t." alone is no unit
        "500 EUR",
    ],
)
def test_amounts_refused(text: str) -> None:
    assert parsers.parse_amount(text, Unit("1.000 kr.")) is None


def test_amounts_refused_in_an_unknown_unit() -> None:
    assert parsers.parse_amount("130", Unit("1.000 EUR")) is None


DATES = [
    ("2009-03-25", dt.date(2009, 3, 25)),
    ("2024-04-03", dt.date(2024, 4, 3)),  # ISO first: dateutil's dayfirst would say 4 March
    ("25.03.2009", dt.date(2009, 3, 25)),
    ("25-03-2009", dt.date(2009, 3, 25)),
    ("25/3/2009", dt.date(2009, 3, 25)),
    ("3.4.2024", dt.date(2024, 4, 3)),
    (" 25.03.2009 ", dt.date(2009, 3, 25)),
    (39897, dt.date(2009, 3, 25)),
    (39897.75, dt.date(2009, 3, 25)),
    (dt.date(2009, 3, 25), dt.date(2009, 3, 25)),
    (dt.datetime(2009, 3, 25, 14, 0), dt.date(2009, 3, 25)),
    ("31.02.2009", None),
    ("25.13.2009", None),
    ("3/25/2009", None),
    ("25.03.09", None),
    ("i går", None),
    (True, None),
    (float("nan"), None),
    (-1, None),
]


@pytest.mark.parametrize(("value", "expected"), DATES)
def test_dates(value: object, expected: dt.date | None) -> None:
    assert parsers.parse_date(value) == expected


@pytest.mark.parametrize(
    ("value", "digits"),
    [
        ("3366 1773", "33661773"),
        ("33661773", "33661773"),
        ("+45 33 66 17 73", "33661773"),
        ("0045 3366 1773", "33661773"),
        (33661773.0, "33661773"),
        (33661773, "33661773"),
        ("3366-1773", "33661773"),
        ("1234", None),
        ("+46 3366 1773", None),
        ("3366 1773 / 3366 7020", None),
        (True, None),
    ],
)
def test_phone(value: object, digits: str | None) -> None:
    assert parsers.phone_digits(value) == digits


# Shared with tests/test_email_rule.py, which checks the template's Excel formula agrees.
EMAIL_SAMPLES = [
    ("idachr@tmf.kk.dk", True),
    ("a.b@c.dk", True),
    (" navn@kommune.dk ", True),
    ("idachr(at)tmf.kk.dk", False),
    ("a@b", False),
    ("a@b.", False),
    ("a@.dk", False),
    ("a@b.c", True),
    ("a b@c.dk", False),
    ("@kk.dk", False),
    ("a@@kk.dk", False),
    ("a@b@kk.dk", False),
    ("navn@", False),
    ("x", False),
]


@pytest.mark.parametrize(("text", "ok"), EMAIL_SAMPLES)
def test_email(text: str, ok: bool) -> None:
    assert parsers.is_email(text) is ok


@pytest.mark.parametrize(
    ("value", "empty"),
    [(None, True), ("", True), (" \t\n", True), ("x", False), (0, False), (0.0, False)],
)
def test_blank(value: object, empty: bool) -> None:
    assert parsers.blank(value) is empty


def test_number_text_keeps_whole_floats_short() -> None:
    assert parsers.number_text(130000.0) == "130000"
    assert parsers.number_text(12.5) == "12.5"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25. marts 2009", dt.date(2009, 3, 25)),
        ("den 3. februar 2010", dt.date(2010, 2, 3)),
        ("3. feb. 2010", dt.date(2010, 2, 3)),
        ("25 MAR 2009", dt.date(2009, 3, 25)),
        ("marts 2009", None),  # no day: never completed by a guess
        ("25. marts", None),  # no year
        ("hver måned", None),
        ("25. marts 2009 kl. 10", None),
    ],
)
def test_danish_month_names_via_dateutil(text: str, expected: dt.date | None) -> None:
    assert parsers.parse_date(text) == expected
