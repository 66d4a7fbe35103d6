"""One fuzz case: mutate a sample workbook (seeded), read it, and judge the outcome.

The oracle (issue "Hostile and broken files"): no exception escapes, the file ends as a
result or a clear issue (never the safety net's check-failed, which means a case no check
foresaw), and a value a mutation put into a cell is read into the submission or reported
with that sheet and cell (nothing lost without a word). Shared by `tests/test_fuzz.py` (a
few hundred cases) and `benchmarks/fuzz.py` (the long run).
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bilag4xl.form.layout import Input
from bilag4xl.form.spec import Spec
from bilag4xl.intake.validate import FileResult, check_file, layout_of
from bilag4xl.issues.report import Severity
from support.mutate import Mutant, mutate


@dataclass(frozen=True)
class Outcome:
    index: int
    kinds: tuple[str, ...]  # the mutations
    verdict: str  # "valid", "warnings", "errors" (read, with errors) or "refused: <code>"
    problem: str | None  # what the oracle found wrong
    seconds: float


def mutant_of(index: int, seed: int, samples: Sequence[bytes]) -> Mutant:
    """The workbook of case `index` of the run seeded `seed` (the same every time)."""
    rng = random.Random(seed * 1_000_003 + index)
    return mutate(rng.choice(samples), rng)


def case(index: int, seed: int, samples: Sequence[bytes], spec: Spec) -> Outcome:
    """Case `index` of the run seeded `seed`: its mutant read and judged."""
    mutant = mutant_of(index, seed, samples)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bilag4xl-fuzz-") as folder:
        path = Path(folder, f"case{index}.xlsx")
        path.write_bytes(mutant.data)
        try:
            result = check_file(path, spec)
        except Exception as exc:  # the oracle's first rule
            problem = f"exception {type(exc).__name__}: {exc}"
            return Outcome(index, mutant.kinds, "exception", problem, time.perf_counter() - start)
    seconds = time.perf_counter() - start
    return Outcome(index, mutant.kinds, _verdict(result), _problem(mutant, result), seconds)


def _verdict(result: FileResult) -> str:
    if result.submission is None:
        first = next((i.code for i in result.report if i.severity is Severity.ERROR), "?")
        return f"refused: {first}"
    if not result.report.valid:
        return "errors"
    return "warnings" if result.report.warnings else "valid"


def _problem(mutant: Mutant, result: FileResult) -> str | None:
    issues = result.report.issues
    for issue in issues:
        if issue.code == "check-failed":
            return f"check-failed: {issue.message_en}"
        if not (issue.message_da and issue.message_en and issue.file):
            return f"{issue.code}: a message or the file is missing"
    if result.submission is None:
        if not result.report.errors:
            return "no submission and no error"
        return None
    if mutant.cell is None or mutant.blank:
        return None
    if any(i.sheet == mutant.sheet and i.cell == mutant.cell for i in issues):
        return None  # reported where it is
    layout = layout_of(result)
    if layout is not None:
        planned = {
            (i.pos.sheet, i.pos.ref): i for i in (*layout.inputs, *layout.texts, *layout.formulas)
        }
        item = planned.get((mutant.sheet, mutant.cell))
        if isinstance(item, Input) and (
            result.values.get(item.path) is not None or item.path in result.raw
        ):
            return None  # read into the submission
        if item is not None and not isinstance(item, Input):
            return None  # a fixed text or formula, found unchanged (else an issue names it)
    return f"lost without a word: {mutant.sheet}!{mutant.cell} ({', '.join(mutant.kinds)})"
