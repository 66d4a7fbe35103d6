"""Amounts written the Danish way, in the round's unit and in words ("ca. 282 mio. kr.").

Why one module: the annex shows each amount twice (the number in the table, the phrase in
the text) and both must follow the same rounding rule, or a reader sees 282 in one place and
281,9 in another.

The rule:

* `format_number` — Danish digits: "." groups thousands, "," is the decimal sign, at most two
  decimals, trailing zeros dropped: 130000 → "130.000", 1234.5 → "1.234,5", 0 → "0".
* `amount_phrase` — the amount in kroner, for running text. Known units are "kr.",
  "1.000 kr." and "mio. kr." (spaces and case do not matter). An amount of 1 mio. kr. or
  more is written in millions: exact amounts with up to three decimals ("412 mio. kr.",
  "412,5 mio. kr."), estimated amounts rounded to whole millions from 10 mio. kr. and to one
  decimal below ("ca. 282 mio. kr.", "ca. 2,5 mio. kr."). Smaller amounts are written in
  kroner ("ca. 500.000 kr."). An unknown unit keeps the number and names the unit
  ("ca. 130.000 (1.000 DKK)"). Estimated amounts start with "ca.".
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

MILLION = Decimal(1_000_000)
UNIT_FACTORS = {"kr.": Decimal(1), "1.000 kr.": Decimal(1000), "mio. kr.": MILLION}


def unit_factor(unit: str) -> Decimal | None:
    """Kroner per unit ("1.000 kr." → 1000), or None when the unit is not one we know."""
    return UNIT_FACTORS.get(" ".join(unit.split()).casefold())


def format_number(value: float | Decimal, decimals: int = 2) -> str:
    """Danish notation with at most `decimals` decimals: 1234567.5 → "1.234.567,5"."""
    number = Decimal(str(value))
    if not number.is_finite():
        return str(value)
    with localcontext() as context:  # enough digits for any double (1e22 needs 29 with 6)
        context.prec = max(28, number.adjusted() + decimals + 3)
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    fraction = fraction.rstrip("0")
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def amount_phrase(value: float, unit: str, estimated: bool = False) -> str:
    """The amount for running text, e.g. "ca. 282 mio. kr." (see the module docstring)."""
    prefix = "ca. " if estimated else ""
    factor = unit_factor(unit)
    if factor is None:
        return f"{prefix}{format_number(value)} ({unit})"
    kroner = Decimal(str(value)) * factor
    if abs(kroner) < MILLION:
        return f"{prefix}{format_number(kroner, 0 if estimated else 2)} kr."
    millions = kroner / MILLION
    rounded = 0 if abs(millions) >= 10 else 1
    digits = rounded if estimated else 3
    return f"{prefix}{format_number(millions, digits)} mio. kr."
