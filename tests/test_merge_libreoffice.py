"""LibreOffice, a real client, recalculates the consolidated workbook to our cached totals."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from bilag4xl.consolidate import plan as cp
from bilag4xl.consolidate.decide import merge
from bilag4xl.consolidate.write import write_consolidated
from merge_helpers import SPEC, departments, result, submission
from support.libreoffice import recalc_and_save


def numbers(path: Path, sheet: str) -> dict[str, float]:
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    return {
        c.coordinate: c.value
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, int | float) and not isinstance(c.value, bool)
    }


@pytest.mark.libreoffice
def test_recalculated_totals_equal_the_cached_values(tmp_path: Path) -> None:
    subs = [submission(d, n) for n, d in enumerate(departments())]
    src = write_consolidated(tmp_path / "samlet.xlsx", merge([result(s) for s in subs], SPEC))
    dst = tmp_path / "recalc.xlsx"
    recalc_and_save(src, dst)
    for sheet in (cp.OVERVIEW, cp.INITIATIVES):
        cached, recalculated = numbers(src, sheet), numbers(dst, sheet)
        assert cached.keys() == recalculated.keys()
        for ref, value in cached.items():
            assert recalculated[ref] == pytest.approx(value), f"{sheet}!{ref}"
    formulas = openpyxl.load_workbook(src)[cp.OVERVIEW]
    assert sum(c.data_type == "f" for row in formulas.iter_rows() for c in row) > 50
