"""Amounts: the round's unit, Danish digits and the amount in words, in one place.

Why one module: a unit read one way when a cell is parsed and another way when the annex is
written turned "t.kr." into 1.000 kr. in one and into an unknown unit in the other ("ca.
130.000 (t.kr.)"); and the annex shows each amount twice (the number in the table, the phrase
in the text), which must say the same. Parsing (`parsers.parse_amount`), the annex, the
terminal and the workbooks' number format all come here.

Units — `Unit`: the round's unit, its label as the spec writes it ("1.000 kr.") and its kroner
per unit, read once when the spec loads; the heading its amounts go under ("Beløb i 1.000 kr.")
and the amounts in kroner and in words are its methods. `unit_factor` reads a label, for the
round's unit and for the words after a number typed as text: "kr." → 1, "t.kr." and
"1.000 kr." → 1.000, "mio. kr." → 1.000.000, "mia. kr." → 1.000.000.000. Case, spaces and
dots do not matter ("T. KR", "1000 kr", "mio kr"); "kroner", "DKK" and ",-" are kroner;
"mio." and "mia." alone are millions and billions of kroner; a count multiplies ("100 kr." →
100). Anything else is unknown (None), so an amount is never converted by a guess.

Digits — `format_number`: "." groups thousands, "," is the decimal sign, at most `decimals`
decimals (the tables: TABLE_DECIMALS), trailing zeros dropped: 130000 → "130.000",
1234.5 → "1.234,5", 0 → "0". `EXCEL_FORMAT` is the same for a spreadsheet cell or a chart axis.

Words — `Unit.phrase`, and the rule that keeps it in agreement with the table: the phrase
states the number the table prints (the amount rounded to TABLE_DECIMALS in the round's
unit), converted to kroner, and never rounds it further.

* From 1 mio. kr., when the kroner are a whole number of thousands, it is written in millions
  with the decimals that takes (at most three): 12.600.000 → "12,6 mio. kr.",
  412.500 (1.000 kr.) → "412,5 mio. kr.", 1.234.000 → "1,234 mio. kr.".
* Otherwise in kroner: "500.000 kr.", "12.600.123 kr.", "750,5 kr.".
* An estimate starts with "ca." and is not rounded either: the caseworker rounded it when
  typing it, and rounding again would print "ca. 13 mio. kr." beside 12.600.000.
* An unknown unit keeps the number and names the unit: "ca. 130.000 (1.000 EUR)".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

TABLE_DECIMALS = 2  # the annex's tables and the terminal print amounts with at most two
MILLION = Decimal(1_000_000)
MILLION_DECIMALS = 3  # millions with three decimals are whole thousands of kroner
# Danish digits in any spreadsheet: the locale tag makes LibreOffice group with "." whatever
# its own locale; Excel takes the separators of the reader's system, as for any number.
EXCEL_FORMAT = "[$-406]#,##0"

_SCALES = {
    "t": Decimal(1000),
    "tus": Decimal(1000),
    "tusind": Decimal(1000),
    "tusinde": Decimal(1000),
    "mio": MILLION,
    "million": MILLION,
    "millioner": MILLION,
    "mia": Decimal(1_000_000_000),
    "milliard": Decimal(1_000_000_000),
    "milliarder": Decimal(1_000_000_000),
}
_NEEDS_KRONER = {"t", "tus"}  # "500 t." is no unit; "500 t.kr." is
_UNIT = re.compile(
    r"^(?P<count>\d{1,3}(?:\.\d{3})+|\d+)?\.?"
    r"(?:(?P<scale>tusinde|tusind|tus|t|millioner|million|mio|milliarder|milliard|mia)\.?)?"
    r"(?P<kroner>kr\.?|kroner|dkk|,-)?$"
)


def unit_factor(unit: str) -> Decimal | None:
    """Kroner per unit ("t.kr." → 1000), or None when the unit is not one we know."""
    match = _UNIT.match("".join(unit.split()).casefold())
    if not match or not (match["scale"] or match["kroner"]):
        return None
    if match["scale"] in _NEEDS_KRONER and not match["kroner"]:
        return None
    scale = _SCALES[match["scale"]] if match["scale"] else Decimal(1)
    count = Decimal(match["count"].replace(".", "")) if match["count"] else Decimal(1)
    return count * scale if count > 0 else None


def format_number(value: float | Decimal, decimals: int = TABLE_DECIMALS) -> str:
    """Danish notation with at most `decimals` decimals: 1234567.5 → "1.234.567,5"."""
    if not Decimal(str(value)).is_finite():
        return str(value)
    number = _rounded(value, decimals)
    sign = "-" if number < 0 else ""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    fraction = fraction.rstrip("0")
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


@dataclass(frozen=True)
class Unit:
    """The unit a round's amounts are in: its label ("1.000 kr.") and kroner per unit (None
    for a unit we do not know, whose amounts are then never converted by a guess). Made once
    when the spec loads, so no amount reads the label again."""

    label: str
    factor: Decimal | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "factor", unit_factor(self.label))

    def __str__(self) -> str:
        return self.label

    @property
    def heading(self) -> str:
        """What a table, a sheet or an input says its amounts are in: "Beløb i 1.000 kr."."""
        return f"Beløb i {self.label}"

    def into(self, other: Unit) -> Decimal | None:
        """What an amount in this unit is multiplied by to be in `other`: 1 for the same
        label, None when either unit is unknown (the amount cannot be converted)."""
        if self == other:
            return Decimal(1)
        if self.factor is None or other.factor is None:
            return None
        return self.factor / other.factor

    def in_kroner(self, value: float) -> Decimal | None:
        """The amount in kroner (None for an unknown unit), e.g. to decide between words forms."""
        return None if self.factor is None else Decimal(str(value)) * self.factor

    def phrase(self, value: float, estimated: bool = False, millions: bool = True) -> str:
        """The amount for running text, e.g. "ca. 282 mio. kr." (see the module docstring).
        `millions=False` says every amount in kroner, for a text whose other amounts cannot be
        said in millions (see `millions_style`)."""
        prefix = "ca. " if estimated else ""
        shown = _rounded(value, TABLE_DECIMALS)  # what the table prints
        if self.factor is None:
            return f"{prefix}{format_number(shown)} ({self.label})"
        kroner = shown * self.factor
        if millions and _in_millions(kroner):
            return f"{prefix}{format_number(kroner / MILLION, MILLION_DECIMALS)} mio. kr."
        return f"{prefix}{format_number(kroner, TABLE_DECIMALS)} kr."

    def millions_style(self, values: Iterable[float]) -> bool:
        """Whether amounts said together can all be said in millions: every one of a million
        or more is whole thousands of kroner. One style for one text: never "9,435 mio. kr."
        beside "2.292.500 kr."."""
        if self.factor is None:
            return False
        kroner = [_rounded(v, TABLE_DECIMALS) * self.factor for v in values]
        return all(_in_millions(k) for k in kroner if abs(k) >= MILLION)


def _in_millions(kroner: Decimal) -> bool:
    """A million or more, in whole thousands: said exactly as "9,435 mio. kr."."""
    millions = kroner / MILLION
    return abs(kroner) >= MILLION and millions == _rounded(millions, MILLION_DECIMALS)


def _rounded(value: float | Decimal, decimals: int) -> Decimal:
    number = Decimal(str(value))
    with localcontext() as context:  # enough digits for any double (1e22 needs 29 with 6)
        context.prec = max(28, number.adjusted() + decimals + 3)
        return number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def days_text(days: int) -> str:
    """Days to a deadline in words, as the terminal and the web page say them: "om 3 dage",
    "i dag", "overskredet for 1 dag siden"."""
    if days == 0:
        return "i dag"
    count = abs(days)
    unit = "dag" if count == 1 else "dage"
    return f"om {count} {unit}" if days > 0 else f"overskredet for {count} {unit} siden"


def day(date: dt.date) -> str:
    """A date as everything bilag4xl writes it (templates, mails, tables, pages): 18.12.2026."""
    return date.strftime("%d.%m.%Y")
