"""Where a file's time goes when bilag4xl validates it, stage by stage.

    python benchmarks/stages.py FOLDER --spec SPEC [--repeat 3]

Reads every .xlsx of FOLDER in this one process (no workers), the way a reading worker does,
with a clock around each stage (nested stages are subtracted from the stage around them, so
the stages add up to the whole), and the same files with python-calamine alone (the read
floor's work). Then the hand-over: a result pickled in a worker and unpickled by the main
process. Times are CPU time of this process (other jobs on a shared machine add little to
them); the fastest of `--repeat` passes counts, per stage. Prints CPU milliseconds a file.
Not part of the test suite: speed is measured here, tests assert behaviour only.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

# stage name -> (module, attribute[, class]) of the functions timed for it
STAGES: dict[str, list[tuple[str, ...]]] = {
    "zip: directory and member checks": [
        ("bilag4xl.intake.workbook", "_open_zip"),
        ("bilag4xl.intake.workbook", "_check_members"),
        ("bilag4xl.intake.workbook", "__init__", "_Package"),
    ],
    "zip: inflate parts (bounded, CRC)": [("bilag4xl.intake.workbook", "_inflate")],
    "XML checks (UTF-8, no DTD)": [("bilag4xl.intake.workbook", "_check_xml")],
    "workbook.xml and its relations parsed": [("bilag4xl.intake.workbook", "_sheet_parts")],
    "byte scan (sheetscan)": [
        ("bilag4xl.intake.sheetscan", "scan"),
        ("bilag4xl.intake.sheetscan", "duplicates"),
        ("bilag4xl.intake.sheetscan", "rich_strings"),
        ("bilag4xl.intake.workbook", "_is_protected"),
        ("bilag4xl.intake.workbook", "_maybe_twice"),
    ],
    "checked zip for calamine": [("bilag4xl.intake.workbook", "for_calamine", "_Package")],
    "python-calamine": [("bilag4xl.intake.workbook", "_calamine_values")],
    "checks (validate.check_workbook)": [("bilag4xl.intake.validate", "check_workbook")],
    "file read, SHA-256, the rest": [("bilag4xl.intake.validate", "check_file")],
}


class Clock:
    """Exclusive time per stage: a stage's time excludes the stages called inside it."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self.stack: list[list[float]] = []  # [start, time of nested stages]

    def wrap(self, stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            frame = [time.process_time(), 0.0]
            self.stack.append(frame)
            try:
                return fn(*args, **kwargs)
            finally:
                self.stack.pop()
                whole = time.process_time() - frame[0]
                self.spent[stage] += whole - frame[1]
                if self.stack:
                    self.stack[-1][1] += whole

        return timed


def install(clock: Clock) -> None:
    import importlib

    for stage, targets in STAGES.items():
        for module_name, attr, *owner in targets:
            module = importlib.import_module(module_name)
            holder = getattr(module, owner[0]) if owner else module
            setattr(holder, attr, clock.wrap(stage, getattr(holder, attr)))


def calamine_floor(files: list[Path]) -> float:
    from python_calamine import CalamineWorkbook

    start = time.process_time()
    for path in files:
        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()
    return time.process_time() - start


def one_pass(files: list[Path], spec: Any) -> tuple[dict[str, float], float, int]:
    from bilag4xl.intake import validate

    clock = Clock()
    install(clock)
    job = validate._Job(spec, keep=False, skip=None, submissions=False)  # validate's workers
    handover, size = 0.0, 0
    try:
        for path in files:
            result = job(path)
            start = time.process_time()
            data = pickle.dumps(result, pickle.HIGHEST_PROTOCOL)
            pickle.loads(data)
            handover += time.process_time() - start
            size += len(data)
    finally:
        uninstall()
    return dict(clock.spent), handover, size // max(len(files), 1)


def uninstall() -> None:
    import importlib

    for targets in STAGES.values():
        for module_name, attr, *owner in targets:
            module = importlib.import_module(module_name)
            holder = getattr(module, owner[0]) if owner else module
            fn = getattr(holder, attr)
            setattr(holder, attr, fn.__closure__[0].cell_contents if fn.__closure__ else fn)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--spec", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    opts = parser.parse_args()
    from bilag4xl.form.spec import load_spec

    spec = load_spec(opts.spec) if opts.spec else None
    files = sorted(opts.folder.glob("*.xlsx"))
    one_pass(files[:2], spec)  # caches, imports
    best: dict[str, float] = {}
    floor = handover = float("inf")
    size = 0
    for _ in range(opts.repeat):
        floor = min(floor, calamine_floor(files))
        spent, took, size = one_pass(files, spec)
        handover = min(handover, took)
        for stage, seconds in spent.items():
            best[stage] = min(best.get(stage, seconds), seconds)
    n = len(files)
    rows = [(stage, best.get(stage, 0.0)) for stage in STAGES]
    rows.append((f"hand-over: pickle + unpickle ({size / 1024:.1f} KiB a file)", handover))
    total = sum(s for _, s in rows)
    print(f"{n} files, ms a file (fastest of {opts.repeat} passes, one process)")
    for stage, seconds in rows:
        print(f"  {stage:52} {1000 * seconds / n:7.2f}  {100 * seconds / total:4.0f}%")
    print(f"  {'all stages':52} {1000 * total / n:7.2f}")
    print(f"  {'read floor (calamine from_path, every sheet)':52} {1000 * floor / n:7.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
