"""Benchmark bilag4xl against the floors of reading and writing the same cells.

    python benchmarks/bench.py --n 10 100 1000

Generates N filled submissions (one department each, 12 initiatives, a national round spec),
then times in one run: `bilag4xl validate`, `bilag4xl receive` (into a new round folder
each run: validating and keeping every file in the round's ledger), `bilag4xl merge`, the
read floor (python-calamine
reading every cell), the write floor (a bare xlsxwriter loop writing the same rows), a naive
pandas peer (read_excel of every sheet, concat, to_excel), `bilag4xl --help` against
`python -c "import typer"`, and `bilag4xl template` for a 50-initiative workbook.
Every step runs in its own process, so peak RSS is that step's own (from wait4: the largest
single process of the step, worker processes included). The floors and bilag4xl's steps run
`--repeat` times (default 3), taking turns, and the fastest run of each counts: the same rule
for all of them. The pandas peer runs once (it takes minutes at N=1000). The ratio column
compares validate with the read floor, receive with validate, and merge and the pandas peer
with the two floors together.
Before timing, bilag4xl's modules are compiled to bytecode (`compileall`), as `pip install`
does for an installed package: with PYTHONDONTWRITEBYTECODE set (some build machines set it)
an editable install would otherwise compile every module again in every run (~30 ms a
command, measured), which no user's installed copy does.
Not part of the test suite: speed is measured here, tests assert behaviour only.
"""

from __future__ import annotations

import argparse
import pickle
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

INITIATIVES = 12
HERE = Path(__file__).resolve()
WORDS = [
    "indsats",
    "borgere",
    "beskæftigelse",
    "boligområde",
    "unge",
    "kvinder",
    "sprog",
    "læring",
    "trivsel",
    "netværk",
    "evaluering",
    "forening",
    "mentor",
    "praktik",
    "uddannelse",
    "sundhed",
    "tryghed",
    "fællesskab",
    "kursus",
]


# --------------------------------------------------------------------------- data


def national_spec_text(departments: int) -> str:
    """The built-in spec with its departments replaced by `departments` municipalities."""
    from bilag4xl.form.spec import default_spec_text

    blocks = re.split(r"(?m)^(?=\[)", default_spec_text())
    kept = [b for b in blocks if not b.startswith("[[round.departments]]")]
    extra = []
    for d in range(departments):
        names = ", ".join(f'"Indsats {d:04d}-{k:02d}"' for k in range(INITIATIVES))
        extra.append(f'[[round.departments]]\nname = "Kommune {d:04d}"\ninitiatives = [{names}]\n')
    return "".join(kept) + "\n" + "\n".join(extra)


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def generate(n: int, folder: Path) -> Path:
    """Write the spec and N filled submissions; returns the spec path."""
    from bilag4xl.form.layout import plan
    from bilag4xl.form.spec import load_spec
    from bilag4xl.template.writer import build

    folder.mkdir(parents=True, exist_ok=True)
    spec_path = folder / "national.toml"
    spec_path.write_text(national_spec_text(n), "utf-8")
    spec = load_spec(spec_path)
    subs = folder / "submissions"
    subs.mkdir(exist_ok=True)
    rng = random.Random(42)
    rows: list[list[object]] = []
    for dept in spec.round.departments[:n]:
        layout = plan(spec, dept.name, dept.initiatives)
        values = filled_values(layout, rng)
        # Fills the generated template's input cells (by layout path) in one pass.
        (subs / f"{dept.name.replace(' ', '_')}.xlsx").write_bytes(build(layout, values))
        rows += floor_rows(spec, dept.name, values)
    # The write floor writes these same rows (one per initiative, the "Indsatser" columns).
    (folder / "rows.pickle").write_bytes(pickle.dumps(rows))
    return spec_path


def filled_values(layout: Any, rng: random.Random) -> dict[str, object]:
    """A value for every input of a template's layout, as a caseworker would type it."""
    import datetime as dt

    values: dict[str, object] = {}
    for i in layout.inputs:
        kind, path = str(i.field.kind), i.path
        if kind == "amount" and "cofinancing" not in path:
            values[path] = float(rng.randrange(0, 5000))
        elif kind == "longtext":
            values[path] = _text(rng, rng.randrange(20, 80))
        elif kind in ("choice", "yesno"):
            values[path] = rng.choice(i.field.options)
        elif kind == "date":
            values[path] = dt.date(2009, 3, rng.randrange(1, 28))
        elif kind == "email":
            values[path] = "sagsbehandler@kommune.dk"
        elif kind == "phone":
            values[path] = "3366 1773"
        elif path.endswith("case_number"):
            values[path] = "2009-38725"
        elif path.endswith("document_number"):
            values[path] = "2009-174004"
        elif kind == "text":
            values[path] = _text(rng, 4)
    return values


def floor_rows(spec: object, department: str, values: dict[str, object]) -> list[list[object]]:
    """The rows of the consolidated "Indsatser" sheet for one submission, as plain values."""
    from bilag4xl.consolidate.plan import initiative_columns

    columns = initiative_columns(spec)
    out = []
    for n in range(INITIATIVES):
        row: list[object] = []
        for col in columns:
            value = values.get(f"initiatives.{n}.{col.key}")
            row.append(department if col.key == "#department" else value)
        out.append(row)
    return out


# --------------------------------------------------------------------------- floors/peers


def read_floor(folder: Path) -> None:
    """Read every cell of every sheet of every file with python-calamine."""
    from python_calamine import CalamineWorkbook

    cells = 0
    for path in sorted(folder.glob("*.xlsx")):
        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            for row in wb.get_sheet_by_name(name).to_python():
                cells += len(row)
    print(cells, file=sys.stderr)


def write_floor(folder: Path, out: Path) -> None:
    """Write the same rows as the consolidated "Indsatser" sheet with a bare xlsxwriter loop."""
    import xlsxwriter

    rows = pickle.loads((folder.parent / "rows.pickle").read_bytes())
    wb = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    ws = wb.add_worksheet("Indsatser")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            elif value is not None:
                ws.write_string(r, c, str(value))
    wb.close()


def fresh_round(spec: Path, folder: Path) -> None:
    """An empty round folder for `receive` to fill (made once, copied before each run)."""
    from bilag4xl.round.folder import init_round

    init_round(folder, spec)


def pandas_peer(folder: Path, out: Path) -> None:
    import pandas as pd

    frames = []
    for path in sorted(folder.glob("*.xlsx")):
        for name, frame in pd.read_excel(path, sheet_name=None, header=None).items():
            frame.insert(0, "sheet", name)
            frame.insert(0, "file", path.name)
            frames.append(frame)
    pd.concat(frames).to_excel(out, index=False)


# --------------------------------------------------------------------------- measuring


GNU_TIME = Path("/usr/bin/time").exists()  # GNU time (Debian package "time")


def measure(cmd: list[str], exits: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Run a command; return (seconds, its own peak RSS in MiB). Any exit code but `exits`
    stops the benchmark (a step that failed at once would otherwise look fast).

    A forked child inherits this process's RSS high-water mark, so the peak is taken from
    GNU time (a small process that starts the command) when it is installed."""
    wrapped = ["/usr/bin/time", "-f", "%M", *cmd] if GNU_TIME else cmd
    start = time.perf_counter()
    proc = subprocess.Popen(wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    if proc.returncode not in exits:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{err.decode()[-2000:]}")
    if GNU_TIME:
        return seconds, int(err.decode().strip().splitlines()[-1]) / 1024
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def best(cmd: list[str], repeat: int = 5) -> float:
    return min(measure(cmd)[0] for _ in range(repeat))


def best_of(cmds: list[list[str]], repeat: int) -> list[tuple[float, float]]:
    """Each command's fastest of `repeat` runs (a shared machine's noise only ever adds time)
    and its highest peak RSS. The runs take turns (a, b, c, a, b, c...), so a slow spell of
    the machine falls on all of them alike."""
    runs: list[list[tuple[float, float]]] = [[] for _ in cmds]
    for _ in range(repeat):
        for cmd, seen in zip(cmds, runs, strict=True):
            # bilag4xl exits 1 when a file has errors: a result, not a failure
            seen.append(measure(cmd, (0, 1) if "bilag4xl" in cmd else (0,)))
    return [(min(s for s, _ in seen), max(m for _, m in seen)) for seen in runs]


def step(name: str, *args: str) -> list[str]:
    return [sys.executable, str(HERE), "--step", name, *args]


def run(
    n: int, root: Path, repeat: int, peer: bool = True
) -> list[tuple[str, int, float, float, float | None]]:
    work = root / f"n{n}"
    reuse = (work / "rows.pickle").exists() and (work / "national.toml").exists()
    spec = work / "national.toml" if reuse else generate(n, work)
    subs = work / "submissions"
    cli = [sys.executable, "-m", "bilag4xl"]
    merged = work / "merged.xlsx"
    empty, rnd = work / "empty-round", work / "round"
    if not empty.exists():
        fresh_round(spec, empty)
    # The copy of an empty round folder (a few small files) is part of the receive's time.
    receive = f'rm -rf "{rnd}" && cp -r "{empty}" "{rnd}" && cd "{rnd}" && exec "$0" "$@"'
    timed = best_of(
        [
            step("read-floor", str(subs)),
            step("write-floor", str(subs), str(work / "floor.xlsx")),
            [*cli, "validate", str(subs), "--spec", str(spec), "--json"],
            ["sh", "-c", receive, *cli, "receive", str(subs), "--json"],
            [*cli, "merge", str(subs), "-o", str(merged), "--force", "--spec", str(spec)],
        ],
        repeat,
    )
    (
        (read_s, read_mb),
        (write_s, write_mb),
        (val_s, val_mb),
        (rec_s, rec_mb),
        (merge_s, merge_mb),
    ) = timed
    rows = [
        ("read floor (calamine)", n, read_s, read_mb, 1.0),
        ("write floor (xlsxwriter)", n, write_s, write_mb, 1.0),
        ("bilag4xl validate", n, val_s, val_mb, val_s / read_s),
        ("bilag4xl receive", n, rec_s, rec_mb, rec_s / val_s),
        ("bilag4xl merge", n, merge_s, merge_mb, merge_s / (read_s + write_s)),
    ]
    if peer:
        pandas_s, pandas_mb = measure(step("pandas", str(subs), str(work / "pandas.xlsx")))
        rows.append(("pandas peer", n, pandas_s, pandas_mb, pandas_s / (read_s + write_s)))
    return rows


def compile_package() -> None:
    """bilag4xl's bytecode, as an installed package has it (see the module docstring)."""
    import compileall

    import bilag4xl

    compileall.compile_dir(str(Path(bilag4xl.__file__).parent), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--keep", type=Path, help="keep generated files in this folder")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per step, the fastest counts (not pandas)"
    )
    parser.add_argument(
        "--no-peer", action="store_true", help="leave out the pandas peer (minutes at N=1000)"
    )
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.step:
        steps = {"read-floor": read_floor, "write-floor": write_floor, "pandas": pandas_peer}
        steps[opts.step](*map(Path, opts.args))
        return
    compile_package()
    root = opts.keep or Path(tempfile.mkdtemp(prefix="bilag4xl-bench-"))
    rows = [row for n in opts.n for row in run(n, root, opts.repeat, not opts.no_peer)]
    print(f"{'step':28} {'N':>5} {'seconds':>8} {'files/s':>8} {'ratio':>6} {'peak MiB':>9}")
    for name, n, secs, mib, ratio in rows:
        ratio_text = f"{ratio:6.2f}" if ratio is not None else "     -"
        print(f"{name:28} {n:5d} {secs:8.2f} {n / secs:8.1f} {ratio_text} {mib:9.0f}")
    typer_s = best([sys.executable, "-c", "import typer"])
    script = Path(sys.executable).parent / "bilag4xl"  # what users type (not python -m)
    command = [str(script)] if script.exists() else [sys.executable, "-m", "bilag4xl"]
    help_s = best([*command, "--help"])
    print(
        f"\nbilag4xl --help: {help_s * 1000:.0f} ms; python -c 'import typer': "
        f"{typer_s * 1000:.0f} ms; ratio {help_s / typer_s:.2f}"
    )
    names = [a for k in range(50) for a in ("--initiative", f"Indsats nummer {k + 1}")]
    out = root / "template50.xlsx"
    tpl_s, tpl_mb = measure(
        [sys.executable, "-m", "bilag4xl", "template", "-o", str(out), "--force", *names]
    )
    print(f"bilag4xl template, 50 initiatives: {tpl_s:.2f} s, peak {tpl_mb:.0f} MiB")
    if not opts.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
