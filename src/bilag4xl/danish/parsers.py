"""Pure parsers for what caseworkers type: Danish amounts as text, dates, phone numbers, e-mail.

Each parser either returns a value or None (cannot read it); none of them guesses. An amount
typed as text is only accepted in an unambiguous Danish form ("1.234,5", "130 mio.",
"ca. 58 mio. kr."): "1.5" could be English or a typo, so it is refused, not read as 1,5 or 15.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal
from typing import ClassVar, NamedTuple

from bilag4xl.danish.numbers import Unit, format_number, unit_factor

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug included)
SERIAL_MAX = 2_958_465  # 9999-12-31

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_ESTIMATE = re.compile(r"^(?:ca\.?|cirka|omkring|ap\.?|~)\s*")
# A number (its grouping is checked by _NUMBER) and the unit words after it ("130 mio. kr.").
_NUMBER_AND_UNIT = re.compile(r"^([-+−]?\d[\d. ]*(?:,\d+)?)(.*)$")
# Danish numbers: optional sign, thousands grouped by "." or a space (3 digits each), "," decimal.
_NUMBER = re.compile(r"^([-+−]?)(\d{1,3}(?:[. ]\d{3})+|\d+)(?:,(\d+))?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+)?$")
_DK_DATE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_PHONE = re.compile(r"^(?:\+45|0045)?(\d{8})$")


class ParsedAmount(NamedTuple):
    """An amount read from text: the value in the round's unit, "ca." seen, how it was read."""

    value: float
    estimated: bool
    note: str


def blank(value: object) -> bool:
    """None, an empty string and whitespace-only text all mean "not filled in"."""
    return value is None or (isinstance(value, str) and not value.strip())


def number_text(value: float | int) -> str:
    """A number as a person would write it: whole floats lose their ".0"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_number(text: str) -> float | None:
    """A Danish-formatted number ("1.234,5", "1 234", "12,5", "-3") or None."""
    match = _NUMBER.match(_SPACES.sub(" ", text.strip()))
    if not match:
        return None
    sign, whole, decimals = match.groups()
    value = float(whole.replace(".", "").replace(" ", "") + ("." + decimals if decimals else ""))
    return -value if sign in ("-", "−") else value


def _split_scale(text: str) -> tuple[str, Decimal | None]:
    """Split "130 mio. kr." into ("130", 1e6) by `amounts.unit_factor`; the scale is None when
    no unit follows the number, and the text is returned whole when the words are no unit."""
    match = _NUMBER_AND_UNIT.match(text)
    if not match or not match[2].strip():
        return text, None
    factor = unit_factor(match[2])
    return (match[1].strip(), factor) if factor is not None else (text, None)


def parse_amount(text: str, unit: Unit) -> ParsedAmount | None:
    """An amount typed as text, converted into the round's unit; None when it is not clear.

    A plain number is taken to be in the round's unit already; a number with "kr.", "mio."
    or "mia." is in kroner (or millions...) and is converted. "ca." marks an estimate.
    """
    per_unit = unit.factor
    text = _SPACES.sub(" ", text.strip().casefold())
    if per_unit is None or not text:
        return None
    estimated = bool(_ESTIMATE.match(text))
    rest, scale = _split_scale(_ESTIMATE.sub("", text))
    number = parse_number(rest)
    if number is None:
        return None
    # A bare number is in the round's unit already; one with kr./mio./mia. is converted.
    value = number if scale is None else round(float(Decimal(str(number)) * scale / per_unit), 6)
    note = f"'{text}' læst som {format_number(value, 6)} ({unit})" + (", skøn" if estimated else "")
    return ParsedAmount(value, estimated, note)


def parse_date(value: object) -> dt.date | None:
    """An Excel date, serial number, ISO date or Danish DD.MM.YYYY (also with - or /).

    ISO is tried first and the Danish form explicitly, never dateutil's dayfirst (which swaps
    day and month of ISO dates).
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if value != value or abs(value) > SERIAL_MAX:  # NaN or absurd
            return None
        serial = int(value)  # a time of day (the fraction) is dropped
        return EXCEL_EPOCH + dt.timedelta(days=serial) if 1 <= serial <= SERIAL_MAX else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    for pattern, order in ((_ISO_DATE, (0, 1, 2)), (_DK_DATE, (2, 1, 0))):
        match = pattern.match(text)
        if match:
            parts = match.groups()
            try:
                return dt.date(*(int(parts[i]) for i in order))
            except ValueError:
                return None
    return _month_name_date(text)


def _month_name_date(text: str) -> dt.date | None:
    """'25. marts 2009', 'den 3. feb. 2010': python-dateutil with Danish month names.

    Only for text with letters (the numeric forms above are explicit), and a date missing its
    day, month or year is refused: parsed against two different defaults, it must agree."""
    if not re.search(r"[a-zæøå]", text, re.IGNORECASE):
        return None
    from dateutil import parser  # imported here: the numeric forms are the common case

    info = _danish_parserinfo()
    try:
        first = parser.parse(text, parserinfo=info, default=dt.datetime(2001, 1, 1))
        second = parser.parse(text, parserinfo=info, default=dt.datetime(2002, 2, 2))
    except (ValueError, OverflowError, parser.ParserError):
        return None
    return first.date() if first == second else None


@functools.cache
def _danish_parserinfo() -> object:
    from dateutil import parser

    class Danish(parser.parserinfo):
        JUMP: ClassVar[list[str]] = [*parser.parserinfo.JUMP, "den", "d"]
        MONTHS: ClassVar[list[tuple[str, ...]]] = [
            ("jan", "januar"), ("feb", "februar"), ("mar", "marts"), ("apr", "april"),
            ("maj",), ("jun", "juni"), ("jul", "juli"), ("aug", "august"),
            ("sep", "sept", "september"), ("okt", "oktober"), ("nov", "november"),
            ("dec", "december"),
        ]  # fmt: skip

    return Danish(dayfirst=True)


# An e-mail address, by one rule that the reader (`is_email`) and the template's conditional
# format (`email_excel`) both apply: exactly one "@" with something before it, no space, and a
# "." inside the part after the "@" (neither its first nor its last character).


def is_email(text: str) -> bool:
    text = text.strip()
    local, _, domain = text.partition("@")
    return text.count("@") == 1 and bool(local) and " " not in text and "." in domain[1:-1]


def email_excel(ref: str) -> str:
    """The same rule as `is_email`, as an Excel formula that is TRUE for a valid address."""
    t = f"TRIM({ref})"
    at = f'FIND("@",{t})'
    return (
        f'IFERROR(AND(LEN({t})-LEN(SUBSTITUTE({t},"@",""))=1,{at}>1,ISERROR(FIND(" ",{t})),'
        f'ISNUMBER(FIND(".",MID({t},{at}+2,LEN({t})-{at}-2)))),FALSE)'
    )


def phone_digits(value: object) -> str | None:
    """The 8 digits of a Danish phone number (spaces, +45 and 0045 allowed), or None."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    match = _PHONE.match(re.sub(r"[\s\u00a0\-]", "", str(value)))
    return match.group(1) if match else None
