"""The kinds of field, in one table: everything bilag4xl does differently for a text, a
choice, a date, an amount...

Each kind is one `KindRule`: how its input cell looks in a template (style, width, a text box
of several lines), its Excel data validation and error message, the conditional-format test
that turns a pasted wrong value red, the parser that reads it back (with its issues), whether
feedback can put a wrong value back in its cell, its column in the consolidated workbook,
and whether the annex shows it as a choice. Adding a kind is one entry in `KINDS` (with its
parser, and a message in `issues.catalogue` if it has an issue of its own); no other module
changes (tests/test_kinds.py adds one).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from bilag4xl.danish import parsers
from bilag4xl.danish.numbers import day, format_number
from bilag4xl.issues import catalogue as messages
from bilag4xl.issues.report import Issue
from bilag4xl.xlsx import excel

if TYPE_CHECKING:
    from bilag4xl.form.spec import FieldSpec, Spec

YES, NO = "Ja", "Nej"
# Dates a template accepts (Excel validation) and the reader accepts (same window).
DATE_MIN, DATE_MAX = dt.date(1990, 1, 1), dt.date(2100, 12, 31)
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
    """A cell's value typed by its kind (None when it broke a rule), and the issues."""

    value: Parsed
    issues: list[Issue]
    estimated: bool = False  # an amount typed as "ca. ..." (sets the economy's estimate flag)


Validation = Callable[["FieldSpec", "Spec"], tuple[dict[str, Any], str]]
Invalid = Callable[[str, "FieldSpec", "Spec"], "str | None"]
Parser = Callable[[object, "FieldSpec", "Spec", Where], FieldResult]


@dataclass(frozen=True)
class KindRule:
    """One kind of field (see the module docstring)."""

    parse: Parser  # raw cell value -> typed value and issues
    validation: Validation  # Excel data validation (without messages) and its error message
    invalid: Invalid | None = None  # Excel formula, TRUE when a filled cell breaks the rule
    style: str = "input_text"  # the template's input style
    wide: bool = False  # the input spans the row (texts), else two columns
    lines: bool = False  # a text box of several lines, as high as max_length needs
    holds_text: bool = True  # feedback may put a wrong value back where it was typed
    # The consolidated column: width, style. A long text of 1,500 characters fits a 64 wide
    # column within Excel's highest row (409 pt).
    column: tuple[float, str] = (24.0, "cell")
    listed: bool = False  # a choice from a list ("Evaluering: intern" in the annex)
    length_checked: bool = True  # max_length applies (in the template's formulas too)


# --------------------------------------------------------------------------- reading


def as_text(raw: object) -> str:
    """Any cell value as the text a person typed (33661773.0 -> "33661773")."""
    if isinstance(raw, bool):
        return YES if raw else NO
    if isinstance(raw, float | int):
        return parsers.number_text(raw)
    if isinstance(raw, dt.datetime) and raw.time() == dt.time():
        raw = raw.date()
    if isinstance(raw, dt.date):
        return day(raw)
    return str(raw).strip()


def text_checked(
    check: Callable[[str, FieldSpec, Spec, Where], Issue | None] | None = None,
) -> Parser:
    """A parser for a text kind: the length, then the kind's own check of the text."""

    def parse(raw: object, f: FieldSpec, spec: Spec, where: Where) -> FieldResult:
        text = as_text(raw)
        issues = []
        limit = f.max_length or excel.CELL_TEXT_MAX  # no cell of the merge holds more
        if len(text) > limit:
            issues.append(where.issue("too-long", length=len(text), max_length=limit))
        problem = check(text, f, spec, where) if check else None
        if problem is not None:
            issues.append(problem)
        return FieldResult(None if issues else text, issues)

    return parse


def _email(text: str, f: FieldSpec, spec: Spec, where: Where) -> Issue | None:
    if parsers.is_email(text):
        return None
    return where.issue("email-invalid", value=text, example=spec.example(f))


def _phone(text: str, f: FieldSpec, spec: Spec, where: Where) -> Issue | None:
    if parsers.phone_digits(text) is not None:
        return None
    return where.issue("phone-invalid", value=text, example=spec.example(f))


def _pattern(text: str, f: FieldSpec, spec: Spec, where: Where) -> Issue | None:
    if re.fullmatch(f.pattern or "", text):
        return None
    return where.issue("pattern-mismatch", value=text, hint=f.pattern_hint or f.pattern)


def _choice(raw: object, f: FieldSpec, spec: Spec, where: Where) -> FieldResult:
    text = as_text(raw)
    if text in f.options:
        return FieldResult(text, [])
    folded = {o.casefold(): o for o in f.options}
    if text.casefold() in folded:  # same choice, other case or spacing: unambiguous
        return FieldResult(folded[text.casefold()], [])
    options = ", ".join(f.options)
    return FieldResult(None, [where.issue("not-a-choice", value=text, options=options)])


def _yesno(raw: object, f: FieldSpec, spec: Spec, where: Where) -> FieldResult:
    if isinstance(raw, bool):
        return FieldResult(raw, [])
    text = as_text(raw).casefold()
    if text in _TRUE or text in _FALSE:
        return FieldResult(text in _TRUE, [])
    return FieldResult(None, [where.issue("not-a-choice", value=raw, options=f"{YES}, {NO}")])


def _date(raw: object, f: FieldSpec, spec: Spec, where: Where) -> FieldResult:
    value = parsers.parse_date(raw)
    if value is None or not DATE_MIN <= value <= DATE_MAX:
        issue = where.issue("date-invalid", value=as_text(raw), example=spec.example(f))
        return FieldResult(None, [issue])
    return FieldResult(value, [])


def _amount(raw: object, f: FieldSpec, spec: Spec, where: Where) -> FieldResult:
    unit = spec.round.unit.label
    issues: list[Issue] = []
    estimated = False
    if isinstance(raw, str):
        parsed = parsers.parse_amount(raw, spec.round.unit)
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
        return FieldResult(None, [where.issue("amount-invalid", value=as_text(raw), unit=unit)])
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


# --------------------------------------------------------------------------- the template


def _length(f: FieldSpec, spec: Spec) -> tuple[dict[str, Any], str]:
    if not f.max_length:
        return {"validate": "any"}, ""
    rule = {"validate": "length", "criteria": "<=", "value": f.max_length}
    return rule, f"Teksten må højst være {f.max_length} tegn."


def _pattern_validation(f: FieldSpec, spec: Spec) -> tuple[dict[str, Any], str]:
    rule, error = _length(f, spec)
    if f.max_length and f.pattern_hint:
        error = f"Skriv værdien som {f.pattern_hint}."
    return rule, error


def _list_validation(f: FieldSpec, spec: Spec) -> tuple[dict[str, Any], str]:
    error = "Vælg en værdi fra listen: " + ", ".join(f.options) + "."
    if len(error) > excel.ERROR_MESSAGE_MAX:
        error = "Vælg en værdi fra listen (pilen til højre for cellen)."
    return {"validate": "list", "source": list(f.options)}, error


def _date_validation(f: FieldSpec, spec: Spec) -> tuple[dict[str, Any], str]:
    rule = {"validate": "date", "criteria": "between", "minimum": DATE_MIN, "maximum": DATE_MAX}
    return rule, f"Skriv en dato som DD.MM.ÅÅÅÅ, fx {spec.example(f)}."


def _amount_validation(f: FieldSpec, spec: Spec) -> tuple[dict[str, Any], str]:
    top = spec.max_amount
    rule = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": top}
    unit = spec.round.unit
    return rule, f"Skriv et tal mellem 0 og {format_number(top)} (beløb i {unit}), uden tekst."


def _not_listed(ref: str, f: FieldSpec, spec: Spec) -> str:
    options = ",".join(f'{ref}="{o}"' for o in f.options)
    return f"NOT(OR({options}))"


def _not_number(ref: str, f: FieldSpec, spec: Spec) -> str:
    return f"NOT(ISNUMBER({ref}))"


def _not_amount(ref: str, f: FieldSpec, spec: Spec) -> str:
    return f"OR(NOT(ISNUMBER({ref})),{ref}<0,{ref}>{spec.max_amount:.15g})"


def _not_email(ref: str, f: FieldSpec, spec: Spec) -> str:
    return f"NOT({parsers.email_excel(ref)})"


KINDS: dict[str, KindRule] = {
    "text": KindRule(text_checked(), _length, wide=True),
    "longtext": KindRule(text_checked(), _length, wide=True, lines=True, column=(64.0, "cell")),
    "email": KindRule(text_checked(_email), _length, _not_email, wide=True),
    "phone": KindRule(text_checked(_phone), _length),
    "pattern": KindRule(text_checked(_pattern), _pattern_validation),
    "choice": KindRule(_choice, _list_validation, _not_listed, "input_choice", listed=True),
    "yesno": KindRule(
        _yesno,
        _list_validation,
        _not_listed,
        "input_choice",
        holds_text=False,
        column=(10.0, "cell"),
        listed=True,
    ),
    "date": KindRule(
        _date,
        _date_validation,
        _not_number,
        "input_date",
        holds_text=False,
        column=(12.0, "cell_date"),
        length_checked=False,
    ),
    "amount": KindRule(
        _amount,
        _amount_validation,
        _not_amount,
        "input_amount",
        holds_text=False,
        column=(12.0, "cell_amount"),
        length_checked=False,
    ),
}
ECONOMY = "economy"  # not an input: the block of amounts, planned by the layout itself


def rule(kind: str) -> KindRule:
    """The rule of a field's kind (a spec with an unknown kind is refused when loaded)."""
    return KINDS[kind]
