"""A seeded fuzz run in the suite: the examples mutated at cell and at zip/XML level, a few
hundred cases, each judged by `support.fuzz` (no exception escapes, a result or a
clear issue, nothing lost without a word). The long run is `benchmarks/fuzz.py`."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from bilag4xl import processes
from bilag4xl.form.spec import load_spec
from bilag4xl.intake import containment
from support.fuzz import case

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CASES, SEED = 300, 20261127


def test_fuzz_cases_end_as_a_result_or_a_clear_issue() -> None:
    samples = [p.read_bytes() for p in sorted(EXAMPLES.glob("*/*.xlsx"))]
    run = partial(case, seed=SEED, samples=samples, spec=load_spec())
    outcomes = list(containment.run(run, range(CASES), workers=processes.usable_cpus()))
    lost = [(n, o) for n, o in enumerate(outcomes) if isinstance(o, containment.Lost)]
    assert not lost
    problems = [(o.index, o.kinds, o.problem) for o in outcomes if o.problem]
    assert not problems
    kinds = {k.split(":")[0] for o in outcomes for k in o.kinds}
    verdicts = {o.verdict.split(":")[0] for o in outcomes}
    assert kinds == {"cell", "zip", "xml"} and verdicts >= {"valid", "errors", "refused"}
