"""The hidden metadata sheet: which template a workbook claims to be, read and checked.

The metadata only says which layout to re-plan; it is trusted for nothing else. So it is
read defensively (a key may be missing, the initiative list may be anything JSON can hold)
and then checked cell by cell against what the template writer wrote for that layout: an
edited spec name or unit is reported, and so is anything typed on the sheet besides.
"""

from __future__ import annotations

import json

from bilag4xl.form.layout import METADATA_KEY_COL as KEY_COL
from bilag4xl.form.layout import METADATA_TITLE as TITLE
from bilag4xl.form.layout import METADATA_TITLE_TEXT as TITLE_TEXT
from bilag4xl.form.layout import METADATA_VALUE_COL as VALUE_COL
from bilag4xl.form.layout import Layout
from bilag4xl.form.limits import MAX_INITIATIVES
from bilag4xl.form.spec import Spec
from bilag4xl.intake.workbook import RawSheet
from bilag4xl.issues import catalogue as messages
from bilag4xl.issues.report import Issue
from bilag4xl.xlsx import excel


class MetadataError(ValueError):
    """The metadata cannot say which template this is (the message is the reason, Danish)."""


def read(sheet: RawSheet | None) -> dict[str, str]:
    """Key -> value of the metadata rows (as text; empty when there is no such sheet)."""
    if sheet is None:
        return {}
    return {str(r[KEY_COL]): str(r[VALUE_COL]) for r in sheet.rows[1:] if len(r) > VALUE_COL}


def initiatives(meta: dict[str, str]) -> list[str | None]:
    """The template's initiative names (None: a spare sheet), within the template limits."""
    try:
        names = json.loads(meta["initiatives"])
    except KeyError as exc:
        raise MetadataError("nøglen 'initiatives' mangler") from exc
    except (ValueError, RecursionError) as exc:  # RecursionError: JSON nested too deep
        raise MetadataError("initiatives er ikke gyldig JSON") from exc
    if not isinstance(names, list) or not all(isinstance(n, str | None) for n in names):
        raise MetadataError("initiatives er ikke en liste af navne")
    if len(names) > MAX_INITIATIVES:
        raise MetadataError(f"{len(names)} indsatser; en skabelon har højst {MAX_INITIATIVES}")
    return names


def check(sheet: RawSheet, spec: Spec, expected: Layout, file: str) -> list[Issue]:
    """Every metadata cell as the template wrote it for `expected`, and nothing else."""
    written = expected.metadata()
    issues = []
    for row, (key, value) in enumerate(written.items(), start=1):
        for col, expected_text in ((KEY_COL, key), (VALUE_COL, value)):  # a key renamed too
            found = sheet.value(row, col)
            if str(found) != expected_text:
                ref = excel.cell_ref(row, col)
                issues.append(
                    messages.make(
                        "metadata-changed",
                        file,
                        sheet.name,
                        ref,
                        key=key,
                        value=found,
                        expected=expected_text,
                    )
                )
    rows = len(written)
    if str(sheet.value(*TITLE)) != TITLE_TEXT:
        issues.append(
            messages.make(
                "metadata-changed",
                file,
                sheet.name,
                excel.cell_ref(*TITLE),
                key="titel",
                value=sheet.value(*TITLE),
                expected=TITLE_TEXT,
            )
        )
    # Formulas without a result (or one of only whitespace) and error values: calamine reads
    # them as empty cells.
    formulas = sheet.scan.uncached | sheet.scan.blank_results
    hidden = {cell: "=" + sheet.scan.formulas.get(cell, "") for cell in formulas}
    hidden |= sheet.scan.errors
    extra = [(row, col, value) for row, col, value in sheet.filled()]
    extra += [(row, col, value) for (row, col), value in sorted(hidden.items())]
    for row, col, value in extra:
        if (row, col) != TITLE and not (1 <= row <= rows and col in (KEY_COL, VALUE_COL)):
            issues.append(
                messages.make(
                    "metadata-extra", file, sheet.name, excel.cell_ref(row, col), value=value
                )
            )
    return issues
