"""What the round's products cost once the ledger remembers what it read.

    python benchmarks/round.py --departments 100 --repeat 5

Makes a round folder of DEPARTMENTS departments (a national spec, 12 initiatives each) and
receives 300 filled files into it, in four deliveries: nine in ten departments send three
versions (every third a fourth), the last one with an error for every fifth department, and
one in ten sends nothing. Then times, each `--repeat` times taking turns, the median counting
(the machine is shared; the fastest, and the median CPU time of the process and its workers,
which does not grow with the machine's load, are shown too):

- the command line in the round: `bilag4xl status`, `bilag4xl report` (the Word annex),
  `bilag4xl remind`, and `bilag4xl validate` of a folder holding each department's current
  file (what report and remind would cost if they read every file again);
- the web page's downloads through the ASGI app in-process (Starlette's TestClient: no
  network): `/bilag4.docx`, `/samlet.xlsx?med_fejl=1`, `/skabeloner.zip` (once the round's
  templates are written; one before, which makes them in memory, apart), a feedback workbook,
  and the round page. The first
  `remind`, which makes the feedback workbooks it attaches, is timed apart too.

Not part of the test suite: these are figures, not timed tests.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench import filled_values, national_spec_text

from bilag4xl.form.layout import plan
from bilag4xl.round.folder import Round, history, init_round
from bilag4xl.round.receive import receive
from bilag4xl.round.templates import write_templates
from bilag4xl.template.writer import build

VERSIONS = 3  # files a department sends (every third sends one more)


def make_round(folder: Path, departments: int) -> tuple[Round, Path]:
    """The round with its files received, and a folder of each department's current file."""
    spec_file = folder / "runde.toml"
    spec_file.write_text(national_spec_text(departments), "utf-8")
    rnd, _ = init_round(folder / "runde", spec_file)
    rng = random.Random(7)
    inbox, current = folder / "indbakke", folder / "gaeldende"
    current.mkdir()
    for n, d in enumerate(rnd.spec.round.departments):
        if n % 10 == 9:
            continue  # sends nothing
        layout = plan(rnd.spec, d.name, d.initiatives)
        versions = VERSIONS + (n % 3 == 0)
        for version in range(versions):
            values = filled_values(layout, rng)
            if n % 5 == 0 and version == versions - 1:
                values["cover.email"] = "ikke en adresse"  # an error in the current file
            target = inbox / str(version) / f"{d.name.replace(' ', '_')}.xlsx"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(build(layout, values))
        shutil.copy(target, current / target.name)
    for version in sorted(inbox.iterdir()):  # one delivery after the other
        receive(rnd, [version])
    return rnd, current


def timed(
    calls: dict[str, Callable[[], object]], repeat: int
) -> dict[str, list[tuple[float, float]]]:
    """Each call's (seconds, CPU seconds) per run; the calls take turns, so a busy spell hits
    all alike. The CPU time (this process's and its finished children's, user and system)
    does not grow when the shared machine is busy, as the seconds do."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in calls}
    for _ in range(repeat):
        for name, call in calls.items():
            cpu, began = _cpu(), time.perf_counter()
            call()
            times[name].append((time.perf_counter() - began, _cpu() - cpu))
    return times


def _cpu() -> float:
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def cli(rnd: Round, *args: str) -> Callable[[], None]:
    """A bilag4xl command run in the round folder (exit 1 is a result: errors were found)."""

    def run() -> None:
        done = subprocess.run(
            [sys.executable, "-m", "bilag4xl", *args],
            cwd=rnd.root,
            capture_output=True,
            env={**os.environ, "COLUMNS": "200"},
        )
        if done.returncode not in (0, 1):
            raise SystemExit(f"bilag4xl {' '.join(args)}: {done.stderr.decode()[-2000:]}")

    return run


def web_calls(rnd: Round, client: object) -> dict[str, Callable[[], object]]:
    invalid = next(e for e in reversed(history(rnd)) if e.verdict.errors)

    def get(path: str) -> Callable[[], object]:
        def call() -> object:
            response = client.get(path)  # type: ignore[attr-defined]
            response.raise_for_status()
            return response

        return call

    return {
        "web /bilag4.docx": get("/bilag4.docx"),
        "web /samlet.xlsx?med_fejl=1": get("/samlet.xlsx?med_fejl=1"),
        "web /skabeloner.zip": get("/skabeloner.zip"),
        f"web /modtaget/{invalid.id}/rettelser.xlsx": get(f"/modtaget/{invalid.id}/rettelser.xlsx"),
        "web / (the round page)": get("/"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from starlette.testclient import TestClient

    from bilag4xl.web.app import create_app

    with tempfile.TemporaryDirectory(prefix="bilag4xl-bench-round-") as tmp:
        began = time.perf_counter()
        rnd, current = make_round(Path(tmp), args.departments)
        files = len(history(rnd))
        print(
            f"{args.departments} departments, {files} files received, "
            f"{len(list(current.iterdir()))} current; made in {time.perf_counter() - began:.0f} s"
        )
        with TestClient(create_app(rnd.root), base_url="http://127.0.0.1:8000") as client:
            began = time.perf_counter()
            client.get("/skabeloner.zip").raise_for_status()
            print(
                f"web /skabeloner.zip before `bilag4xl template` (makes them in memory): "
                f"{time.perf_counter() - began:.2f} s"
            )
            write_templates(rnd)  # a round starts with `bilag4xl template`
            ((wall, cpu),) = timed({"remind": cli(rnd, "remind")}, 1)["remind"]
            print(
                f"bilag4xl remind, the first (makes the feedback workbooks): {wall:.2f} s, "
                f"CPU {cpu:.2f} s"
            )
            calls = {
                "bilag4xl status": cli(rnd, "status"),
                "bilag4xl report": cli(rnd, "report"),
                "bilag4xl remind": cli(rnd, "remind"),
                "bilag4xl validate (current files)": cli(rnd, "validate", str(current), "--json"),
                **web_calls(rnd, client),
            }
            times = timed(calls, args.repeat)
    width = max(map(len, times))
    print(f"{'step':{width}}  median s  fastest s  median CPU s   (of {args.repeat})")
    for name, seen in times.items():
        wall, cpu = [s for s, _ in seen], [c for _, c in seen]
        print(
            f"{name:{width}}  {statistics.median(wall):8.3f}  {min(wall):9.3f}  "
            f"{statistics.median(cpu):12.3f}"
        )
    validate = times["bilag4xl validate (current files)"]
    for name in ("bilag4xl report", "bilag4xl remind"):
        shares = [
            statistics.median(s[k] for s in times[name]) / statistics.median(s[k] for s in validate)
            for k in (0, 1)
        ]
        print(
            f"{name} / validate of the current files: {shares[0]:.2f} in seconds, "
            f"{shares[1]:.2f} in CPU time (goal <= 0.33)"
        )
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    sys.exit(main())
