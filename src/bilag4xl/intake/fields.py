"""One input cell's raw value -> its typed value plus issues, by the field's kind (spec rules).

Pure: no workbook, no files. A value that breaks a rule becomes None in the data (so totals
never include it) and an issue that says what was found and how to fix it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import NamedTuple

from bilag4xl.danish import parsers
from bilag4xl.danish.numbers import format_number
from bilag4xl.form.layout import Input
from bilag4xl.form.spec import DATE_MAX, DATE_MIN, NO, YES, Kind, Spec
from bilag4xl.issues import catalogue as messages
from bilag4xl.issues.report import Issue
from bilag4xl.xlsx.limits import CELL_TEXT_MAX

_TRUE = {"ja", "yes", "true", "sand", "1"}
_FALSE = {"nej", "no", "false", "falsk", "0"}

Parsed = str | float | bool | dt.date | None


class Where(NamedTuple):
    """What every issue about one input needs: file, cell, field path and label.

    A NamedTuple, not a frozen dataclass: one is made for every filled input of every file
    (~200,000 in a national round), and a frozen dataclass is several times slower to make."""

    file: str
    sheet: str
    cell: str
    path: str
    label: str

    def issue(self, code: str, **params: object) -> Issue:
        return messages.make(
            code, self.file, self.sheet, self.cell, self.path, label=self.label, **params
        )


@dataclass
class FieldResult:
    value: Parsed
    issues: list[Issue]
    estimated: bool = False  # an amount typed as "ca. ..." (sets the economy's estimate flag)


def parse_input(inp: Input, raw: object, spec: Spec, where: Where) -> FieldResult:
    """Type and check one input's value. Blank (incl. whitespace-only) is None, no issue:
    required fields are checked by the caller, which knows which sheets are in use."""
    if parsers.blank(raw):
        return FieldResult(None, [])
    kind = inp.field.kind
    if kind is Kind.AMOUNT:
        return _amount(raw, spec, where)
    if kind is Kind.DATE:
        return _date(raw, where, spec.example(inp.field))
    if kind is Kind.YESNO:
        return _yesno(raw, where)
    text = _text(raw)
    if kind is Kind.CHOICE:
        return _choice(text, inp.field.options, where)
    issues = []
    limit = inp.field.max_length or CELL_TEXT_MAX  # no cell of the merge holds more
    if len(text) > limit:
        issues.append(where.issue("too-long", length=len(text), max_length=limit))
    if kind is Kind.EMAIL and not parsers.is_email(text):
        issues.append(where.issue("email-invalid", value=text, example=spec.example(inp.field)))
    elif kind is Kind.PHONE and parsers.phone_digits(text) is None:
        issues.append(where.issue("phone-invalid", value=text, example=spec.example(inp.field)))
    elif kind is Kind.PATTERN and not re.fullmatch(inp.field.pattern or "", text):
        hint = inp.field.pattern_hint or inp.field.pattern
        issues.append(where.issue("pattern-mismatch", value=text, hint=hint))
    return FieldResult(None if issues else text, issues)


def _text(raw: object) -> str:
    """Any cell value as the text a person typed (33661773.0 -> "33661773")."""
    if isinstance(raw, bool):
        return YES if raw else NO
    if isinstance(raw, float | int):
        return parsers.number_text(raw)
    if isinstance(raw, dt.datetime) and raw.time() == dt.time():
        raw = raw.date()
    if isinstance(raw, dt.date):
        return raw.strftime("%d.%m.%Y")
    return str(raw).strip()


def _choice(text: str, options: tuple[str, ...], where: Where) -> FieldResult:
    if text in options:
        return FieldResult(text, [])
    folded = {o.casefold(): o for o in options}
    if text.casefold() in folded:  # same choice, other case or spacing: unambiguous
        return FieldResult(folded[text.casefold()], [])
    return FieldResult(None, [where.issue("not-a-choice", value=text, options=", ".join(options))])


def _yesno(raw: object, where: Where) -> FieldResult:
    if isinstance(raw, bool):
        return FieldResult(raw, [])
    text = _text(raw).casefold()
    if text in _TRUE or text in _FALSE:
        return FieldResult(text in _TRUE, [])
    return FieldResult(None, [where.issue("not-a-choice", value=raw, options=f"{YES}, {NO}")])


def _date(raw: object, where: Where, example: str) -> FieldResult:
    value = parsers.parse_date(raw)
    if value is None or not DATE_MIN <= value <= DATE_MAX:
        return FieldResult(None, [where.issue("date-invalid", value=_text(raw), example=example)])
    return FieldResult(value, [])


def _amount(raw: object, spec: Spec, where: Where) -> FieldResult:
    unit = spec.round.unit
    issues: list[Issue] = []
    estimated = False
    if isinstance(raw, str):
        parsed = parsers.parse_amount(raw, unit)
        if parsed is None:
            return FieldResult(None, [where.issue("amount-invalid", value=raw, unit=unit)])
        value, estimated = parsed.value, parsed.estimated
        ca, ca_en = (", markeret som skøn", ", marked as estimated") if estimated else ("", "")
        number = _dk(value)
        issues.append(
            where.issue("amount-text", value=raw, number=number, unit=unit, ca=ca, ca_en=ca_en)
        )
    elif isinstance(raw, float | int) and not isinstance(raw, bool) and math.isfinite(raw):
        value = float(raw)
    else:
        return FieldResult(None, [where.issue("amount-invalid", value=_text(raw), unit=unit)])
    top = spec.max_amount
    if value < 0:
        return FieldResult(None, [where.issue("amount-negative", value=_dk(value), unit=unit)])
    if value > top:
        issue = where.issue("amount-too-large", value=_dk(value), maximum=_dk(top), unit=unit)
        return FieldResult(None, [issue])
    return FieldResult(value, issues, estimated)


def _dk(value: float) -> str:
    """A number in Danish notation for messages: 1.234,5."""
    return format_number(value, 6)
