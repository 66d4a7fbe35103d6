"""A round at scale, and the memory one file can cost: figures for the README's "Limits".

    python benchmarks/scale.py --n 3000 [--keep DIR]

1. Generates N filled submissions (12 initiatives each, as `bench.py`), merges them, and
   reads the consolidated workbook back with `bilag4xl read --json` and `bilag4xl report`
   (Markdown; the Word annex of a round that size takes far longer to lay out):
   each step's time and peak RSS, and the workbook's largest part against the limits.
2. Validates single files at the submission limits (the largest template; a sheet of junk
   cells just under the cell limit; cells spread to just under the grid limit) and reports
   the peak RSS of each `bilag4xl validate` (the worker's included).
Not part of the test suite: the suite tests the limit logic at a small scale.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

from bench import GNU_TIME, generate  # noqa: E402


def measure(cmd: list[str]) -> tuple[float, float, int]:
    """(seconds, peak RSS in MiB of the largest process, exit code)."""
    import time

    wrapped = ["/usr/bin/time", "-f", "%M", *cmd] if GNU_TIME else cmd
    start = time.perf_counter()
    proc = subprocess.run(wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - start
    err = proc.stderr.decode()
    peak = int(err.strip().splitlines()[-1]) / 1024 if GNU_TIME else float("nan")
    if proc.returncode not in (0, 1):
        raise SystemExit(f"failed: {' '.join(cmd)}\n{err[-2000:]}")
    return seconds, peak, proc.returncode


def round_trip(n: int, work: Path) -> None:
    from bilag4xl.form import limits

    spec = work / "national.toml"
    if not spec.exists():
        generate(n, work)
    cli = [sys.executable, "-m", "bilag4xl"]
    merged = work / "samlet.xlsx"
    steps = {
        "merge": [*cli, "merge", str(work / "submissions"), "-o", str(merged), "--force"],
        "read --json": [*cli, "read", str(merged), "--json"],
        "report (md)": [*cli, "report", str(merged), "-o", str(work / "b.md"), "--force"],
    }
    steps["merge"] += ["--spec", str(spec)]
    print(f"{'step':16} {'N':>5} {'seconds':>8} {'peak MiB':>9} exit")
    for name, cmd in steps.items():
        seconds, peak, code = measure(cmd)
        print(f"{name:16} {n:5d} {seconds:8.1f} {peak:9.0f} {code}")
    with zipfile.ZipFile(merged) as archive:
        largest = max(archive.infolist(), key=lambda i: i.file_size)
    size = merged.stat().st_size
    part, cap = largest.file_size / 2**20, limits.CONSOLIDATED.part_bytes / 2**20
    print(f"consolidated workbook: {size / 2**20:.1f} MiB; largest part {largest.filename} ")
    print(f"  {part:.0f} MiB inflated (limit {cap:.0f} MiB)")


def worst_files(work: Path) -> None:
    """Single files at the submission limits, validated one at a time."""
    from bilag4xl.form import limits
    from bilag4xl.form.layout import plan
    from bilag4xl.form.spec import load_spec
    from bilag4xl.template.writer import build

    largest = build(plan(load_spec(), None, [None] * limits.MAX_INITIATIVES, feedback=True))
    small = build(plan(load_spec(), "Teknik- og Miljøforvaltningen"))
    cells = limits.SUBMISSION.cells - 2_000
    junk = b"".join(
        b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (r, r) for r in range(50, 50 + cells)
    )
    cols = limits.SUBMISSION.cols  # one cell far out: calamine's dense grid just under the limit
    rows = limits.SUBMISSION.grid // cols - 100
    far = b'<row r="%d"><c r="%s%d"><v>1</v></c></row>' % (rows, _letters(cols).encode(), rows)
    half = (limits.SUBMISSION.total_bytes - 2 * 2**20) // 2  # two parts under part_bytes
    texts = {f"xl/worksheets/sheet{n}.xml": _long_texts(half) for n in (3, 4)}
    third = "xl/worksheets/sheet3.xml"
    files = {
        "largest template (200 initiatives)": largest,
        f"{2 * half / 2**20:.0f} MB of long texts in two sheets": _with_rows(small, texts),
        f"{cells:,} junk cells": _with_rows(small, {third: junk}),
        f"one cell at {_letters(cols)}{rows} (grid {rows * cols:,})": _with_rows(
            small, {third: far}
        ),
    }
    print(f"\n{'validate one file':40} {'MiB on disk':>11} {'seconds':>8} {'peak MiB':>9}")
    for name, content in files.items():
        path = work / "worst.xlsx"
        path.write_bytes(content)
        seconds, peak, _ = measure([sys.executable, "-m", "bilag4xl", "validate", str(path)])
        print(f"{name:40} {len(content) / 2**20:11.1f} {seconds:8.2f} {peak:9.0f}")


def _long_texts(size: int) -> bytes:
    """Rows of 30,000-character texts that do not compress (a zip bomb's ratio is refused)."""
    import random

    rng = random.Random(1)
    cell = 30_000
    rows = []
    for r in range(60, 60 + size // (cell + 60)):
        text = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz ", k=cell))  # 1 byte each
        rows.append(f'<row r="{r}"><c r="Z{r}" t="inlineStr"><is><t>{text}</t></is></c></row>')
    return "".join(rows).encode()


def _letters(col: int) -> str:
    from bilag4xl.xlsx.excel import col_letter

    return col_letter(col - 1)


def _with_rows(workbook: bytes, rows: dict[str, bytes]) -> bytes:
    """The workbook with rows added to the sheet data of some sheet parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w", 8) as target:
        for info in source.infolist():
            part = source.read(info)
            if info.filename in rows:
                part = part.replace(b"</sheetData>", rows[info.filename] + b"</sheetData>")
            target.writestr(info.filename, part)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=3000, help="submissions in the round")
    parser.add_argument("--keep", type=Path, help="keep generated files in this folder")
    parser.add_argument("--skip-round", action="store_true", help="only the single files")
    opts = parser.parse_args()
    root = opts.keep or Path(tempfile.mkdtemp(prefix="bilag4xl-scale-"))
    if not opts.skip_round:
        round_trip(opts.n, root / f"n{opts.n}")
    worst_files(root)
    if not opts.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
