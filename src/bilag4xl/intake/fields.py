"""One input cell's raw value -> its typed value plus issues, by the field's kind.

Pure: no workbook, no files. The parsers live with their kind in `form.kinds`; a value that
breaks a rule becomes None in the data (so totals never include it) and an issue that says
what was found and how to fix it.
"""

from __future__ import annotations

from bilag4xl.danish import parsers
from bilag4xl.form.kinds import FieldResult, Where, rule
from bilag4xl.form.layout import Input
from bilag4xl.form.spec import Spec

__all__ = ["FieldResult", "Where", "parse_input"]


def parse_input(inp: Input, raw: object, spec: Spec, where: Where) -> FieldResult:
    """Type and check one input's value. Blank (incl. whitespace-only) is None, no issue:
    required fields are checked by the caller, which knows which sheets are in use."""
    if parsers.blank(raw):
        return FieldResult(None, [])
    return rule(inp.field.kind).parse(raw, inp.field, spec, where)
