"""Issues for what a sheet's XML holds beyond the values calamine reads (`sheetscan`).

Nothing a workbook holds may be lost without a word: an error value (#REF!) or a formula
without a saved result reads as an empty cell, a cell written twice as one of its values, a
broken shared-string reference as another cell's text, a 30-digit number rounded, a formula
whose saved result is only whitespace as an empty cell. Each is
reported here with its sheet and cell; in an input it is an error (the value cannot be
known), outside the form it is reported like any other value that will not be included.
"""

from __future__ import annotations

from bilag4xl.danish.parsers import number_text
from bilag4xl.form.layout import Input
from bilag4xl.form.spec import Kind
from bilag4xl.intake.expected import Names, Plan
from bilag4xl.intake.fields import Where
from bilag4xl.intake.workbook import RawSheet
from bilag4xl.issues import catalogue as messages
from bilag4xl.issues.report import Issue
from bilag4xl.xlsx import excel


def sheet_findings(
    plan_: Plan,
    names: Names,
    name: str,
    sheet: RawSheet,
    file: str,
    raw_inputs: dict[str, object],
) -> list[Issue]:
    """Issues for one planned sheet; an input whose value could not be read is recorded in
    `raw_inputs` as what it showed (so it is not also reported as empty)."""
    scan = sheet.scan
    issues = structural(sheet, file)
    if not (scan.errors or scan.uncached or scan.long_numbers or scan.blank_results):
        return issues
    planned = plan_.cells.get(name, {})
    shown = sheet.name

    def where(item: Input) -> Where:
        return Where(file, shown, plan_.refs[item.path], item.path, plan_.labels[item.path])

    for cell, error in sorted(scan.errors.items()):
        item = planned.get(cell)
        if isinstance(item, Input):
            issues.append(where(item).issue("input-error-value", value=error))
            raw_inputs.setdefault(item.path, error)
        elif item is None:
            issues.append(_outside(file, shown, cell, error))
    for cell in sorted(scan.uncached.difference(scan.errors)):
        if sheet.value(*cell) != "":
            continue  # a value after all (an error value is reported above)
        item = planned.get(cell)
        formula = "=" + scan.formulas.get(cell, "")
        if isinstance(item, Input):
            issues.append(where(item).issue("input-formula-uncached", formula=formula))
            raw_inputs.setdefault(item.path, formula)
        elif item is None:
            issues.append(_outside(file, shown, cell, formula))
    for cell in sorted(scan.blank_results):  # read as empty: the formula is what it holds
        item = planned.get(cell)
        formula = "=" + scan.formulas.get(cell, "")
        if isinstance(item, Input):
            issues.append(where(item).issue("input-formula-blank", formula=formula))
        elif item is None:
            issues.append(_outside(file, shown, cell, formula))
    for cell, digits in sorted(scan.long_numbers.items()):
        item = planned.get(cell)
        value = sheet.value(*cell)
        if isinstance(item, Input) and isinstance(value, str) and item.field.kind == Kind.AMOUNT:
            value = float(digits)  # given to calamine as text (sheetscan.for_calamine), parsed
        if isinstance(item, Input) and isinstance(value, float):
            issues.append(
                where(item).issue("number-precision", digits=digits, value=number_text(value))
            )
    return issues


def structural(sheet: RawSheet, file: str) -> list[Issue]:
    """Cells written twice and broken shared-string references: on any sheet."""
    scan = sheet.scan
    issues = [
        messages.make("cell-duplicate", file, sheet.name, excel.cell_ref(*cell), count=n)
        for cell, n in sorted(scan.duplicates.items())
    ]
    issues += [
        messages.make("string-ref-invalid", file, sheet.name, excel.cell_ref(*cell), value=what)
        for cell, what in sorted(scan.bad_strings.items())
    ]
    return issues


def _outside(file: str, sheet: str, cell: tuple[int, int], value: str) -> Issue:
    return messages.make("value-outside-inputs", file, sheet, excel.cell_ref(*cell), value=value)
