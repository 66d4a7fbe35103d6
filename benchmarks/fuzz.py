"""The long fuzz run: the examples mutated at cell and at zip/XML level, read and judged.

    python benchmarks/fuzz.py --cases 10000 --seed 1 [--cli 640]

Every case is `tests/support/fuzz.case` (the in-suite test runs a few hundred): no
exception escapes, the file ends as a result or a clear issue, a value a mutation put into
a cell is read or reported at that cell. Cases run in worker processes (`containment`), so a
native crash or a hang would show as a lost case instead of ending the run. `--cli N` also
runs N of the cases through the command line (`read --json` and `validate`), which must
exit 0 or 1, never print a traceback, and `read --json` always prints a JSON document.
Prints the outcomes by class, the time and the peak memory (for the README's "Hostile
files").
"""

from __future__ import annotations

import argparse
import collections
import json
import resource
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the test helpers (tests/support), not installed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cli", type=int, default=0, help="cases also run through the CLI")
    parser.add_argument("--workers", type=int, default=None)
    opts = parser.parse_args()

    from bilag4xl import processes
    from bilag4xl.form.spec import load_spec
    from bilag4xl.intake import containment
    from support.fuzz import Outcome, case

    samples = [p.read_bytes() for p in sorted((ROOT / "examples").glob("*/*.xlsx"))]
    run = partial(case, seed=opts.seed, samples=samples, spec=load_spec())
    workers = opts.workers or processes.usable_cpus()
    start = time.perf_counter()
    outcomes = list(containment.run(run, range(opts.cases), workers=workers))
    seconds = time.perf_counter() - start
    done = [o for o in outcomes if isinstance(o, Outcome)]
    lost = [(n, o) for n, o in enumerate(outcomes) if isinstance(o, containment.Lost)]
    problems = [o for o in done if o.problem]
    _summary(opts, done, lost, problems, seconds, workers)
    if opts.cli:
        _cli(opts, samples)
    raise SystemExit(1 if lost or problems else 0)


def _summary(opts: argparse.Namespace, done: list, lost: list, problems: list, seconds: float,
             workers: int) -> None:  # fmt: skip
    verdicts = collections.Counter(o.verdict.split(":")[0] for o in done)
    refused = collections.Counter(o.verdict.split(": ")[1] for o in done if ":" in o.verdict)
    families = collections.Counter(f for o in done for f in {k.split(":")[0] for k in o.kinds})
    slowest = max(done, key=lambda o: o.seconds)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{opts.cases} cases, seed {opts.seed}, {workers} workers: {seconds:.0f} s")
    print(f"  ({opts.cases / seconds:.0f} cases/s; slowest case {slowest.seconds:.2f} s)")
    print(f"peak memory of a worker: {peak:.0f} MiB")
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in verdicts.most_common()))
    print("refused, by issue: " + ", ".join(f"{k} {v}" for k, v in refused.most_common()))
    print("cases with mutations at: " + ", ".join(f"{k} {v}" for k, v in families.items()))
    print(f"lost (worker died or timed out): {len(lost)}; oracle problems: {len(problems)}")
    for o in problems[:20]:
        print(f"  case {o.index} {o.kinds}: {o.problem}")
    for n, o in lost[:20]:
        print(f"  case {n}: {o.reason}")


def _cli(opts: argparse.Namespace, samples: list[bytes]) -> None:
    """N cases (spread over the run) through `bilag4xl read --json` and `validate`."""
    from support.fuzz import mutant_of

    step = max(1, opts.cases // opts.cli)
    bad: list[str] = []
    codes: collections.Counter[int] = collections.Counter()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bilag4xl-fuzz-cli-") as folder:
        for index in range(0, step * opts.cli, step):
            path = Path(folder, f"case{index}.xlsx")
            path.write_bytes(mutant_of(index, opts.seed, samples).data)
            for command in (["read", str(path), "--json"], ["validate", str(path)]):
                proc = subprocess.run(
                    [sys.executable, "-m", "bilag4xl", *command],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                codes[proc.returncode] += 1
                if proc.returncode not in (0, 1) or "Traceback" in proc.stdout + proc.stderr:
                    bad.append(f"case {index} {command[0]}: exit {proc.returncode}")
                elif command[-1] == "--json" and not _is_json(proc.stdout):
                    bad.append(f"case {index} {command[0]}: no JSON document on stdout")
    runs = sum(codes.values())
    print(f"CLI: {runs} runs of {opts.cli} cases in {time.perf_counter() - start:.0f} s; ")
    print("  exit codes " + ", ".join(f"{k}: {v}" for k, v in sorted(codes.items())))
    print(f"  tracebacks, other exits or no JSON: {len(bad)}")
    for line in bad[:20]:
        print("  " + line)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


if __name__ == "__main__":
    main()
