"""A LibreOffice Calc headless harness: fill a template the way a user would, recalculate, save.

LibreOffice is a real client of the templates, so tests go through it rather than trusting our
own formula evaluation. Its traps (see HAZARDS.md) are handled here once:

- UNO ignores sheet protection, so every write first checks that the cell is not locked on a
  protected sheet; locked targets are reported, not written.
- xlsx formulas are not recalculated on load, so jobs call `calculateAll()`, and `convert`
  runs with `OOXMLRecalcMode` = always.
- Every soffice run gets a private profile, so parallel runs (pytest-xdist, other scripts)
  never share one, and `.~lock.NAME#` files are removed afterwards.
- Values are typed without locale parsing: numbers and dates (days since 1899-12-30) with
  setValue, text with setString.

python3-uno belongs to Debian's /usr/bin/python3, so the UNO part lives in `_uno_worker.py`,
run with that interpreter; this module works from any Python.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import shutil
import signal
import subprocess
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bilag4xl.office import (
    HEADLESS,
    TIMEOUT,
    LibreOfficeError,
    LibreOfficeMissing,
    clean_locks,
    convert,
    private_profile,
    require_soffice,
    run,
    soffice_path,
)

__all__ = [
    "FillResult",
    "LibreOfficeError",
    "LibreOfficeMissing",
    "convert",
    "fill_and_save",
    "is_locked",
    "missing",
    "recalc_and_save",
    "soffice_path",
    "uno_python",
]

Cell = tuple[str, str]  # (sheet name, "B8")

UNO_PYTHON = "/usr/bin/python3"
WORKER = Path(__file__).with_name("_uno_worker.py")
CONNECT_TIMEOUT = min(TIMEOUT, 90.0)  # soffice that never opens its pipe fails sooner
EXCEL_EPOCH = dt.date(1899, 12, 30)
INSTALL_HINT = (
    "apt-get install libreoffice-calc-nogui libreoffice-writer-nogui python3-uno poppler-utils"
)


@dataclass
class FillResult:
    """Outcome of `fill_and_save`: cells refused as locked, and values LibreOffice computed."""

    locked: list[Cell] = field(default_factory=list)
    values: dict[Cell, object] = field(default_factory=dict)


@functools.cache
def uno_python() -> str | None:
    """The interpreter that can `import uno` (Debian's system Python), or None."""
    if not os.access(UNO_PYTHON, os.X_OK):
        return None
    probe = subprocess.run(
        [UNO_PYTHON, "-c", "import uno"], capture_output=True, timeout=60, check=False
    )
    return UNO_PYTHON if probe.returncode == 0 else None


def missing() -> str | None:
    """What is missing for the harness, as a sentence with the install command; None if ready."""
    if soffice_path() is None:
        return f"LibreOffice (soffice) is not installed: {INSTALL_HINT}"
    if uno_python() is None:
        return f"python3-uno is not importable from {UNO_PYTHON}: {INSTALL_HINT}"
    if shutil.which("pdftotext") is None:  # the annex's PDF is checked with it
        return f"pdftotext (poppler-utils) is not installed: {INSTALL_HINT}"
    return None


# --------------------------------------------------------------------------- public operations


def fill_and_save(
    src: Path,
    cells: Mapping[Cell, object],
    dst: Path,
    read_back: Iterable[Cell] = (),
) -> FillResult:
    """Type `cells` into `src` like a user, recalculate, save xlsx to `dst`.

    Numbers are typed as numbers, dates as dates, bools as "Ja"/"Nej", other values as text,
    None clears the cell. Locked cells on protected sheets are not written but listed in
    `locked`. Data validation is not applied (UNO bypasses it, as pasting does).
    """
    writes = [{"sheet": s, "ref": r, **_typed(v)} for (s, r), v in cells.items()]
    result = _run_job(
        {
            "src": str(src),
            "dst": str(dst),
            "writes": writes,
            "read": list(read_back),
            "recalc": True,
        },
        src,
        dst,
    )
    return FillResult(
        locked=[(s, r) for s, r in result["locked"]],
        values={(s, r): v for s, r, v in result["values"]},
    )


def recalc_and_save(src: Path, dst: Path) -> None:
    """Open `src`, recalculate every formula and save it as xlsx to `dst`."""
    _run_job({"src": str(src), "dst": str(dst), "recalc": True}, src, dst)


def is_locked(src: Path, cells: Iterable[Cell]) -> dict[Cell, bool]:
    """Whether LibreOffice would refuse typing into each cell (locked on a protected sheet)."""
    result = _run_job({"src": str(src), "probe": list(cells), "recalc": False}, src)
    return {(s, r): locked for s, r, locked in result["probe"]}


# --------------------------------------------------------------------------- machinery


def _typed(value: object) -> dict[str, Any]:
    """How a user would type a Python value, as a worker write (no locale parsing)."""
    if value is None:
        return {"kind": "clear"}
    if isinstance(value, bool):
        return {"kind": "string", "value": "Ja" if value else "Nej"}
    if isinstance(value, int | float):
        return {"kind": "number", "value": float(value)}
    if isinstance(value, dt.datetime):
        days = (value - dt.datetime(1899, 12, 30)).total_seconds() / 86400
        return {"kind": "number", "value": days}
    if isinstance(value, dt.date):
        return {"kind": "number", "value": (value - EXCEL_EPOCH).days}
    return {"kind": "string", "value": str(value)}


def _run_job(job: dict[str, Any], src: Path, dst: Path | None = None) -> dict[str, Any]:
    """Start a private soffice, let the UNO worker do `job`, stop soffice, return the result."""
    soffice = require_soffice()
    python = uno_python()
    if python is None:
        raise LibreOfficeMissing(f"python3-uno is not importable from {UNO_PYTHON}: {INSTALL_HINT}")
    if not Path(src).is_file():
        raise FileNotFoundError(src)
    pipe = f"bilag4xl-{uuid.uuid4().hex}"
    with private_profile() as profile:
        job_file, result_file = profile / "job.json", profile / "result.json"
        job_file.write_text(json.dumps({**job, "connect_timeout": CONNECT_TIMEOUT}), "utf-8")
        office = subprocess.Popen(
            [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                *HEADLESS,
                f"--accept=pipe,name={pipe};urp;",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so _stop() reaches soffice.bin
        )
        try:
            run([python, str(WORKER), pipe, str(job_file), str(result_file)], "UNO job", ok=(0, 1))
        finally:
            _stop(office)
        if not result_file.is_file():
            raise LibreOfficeError(f"the UNO worker wrote no result for {src}")
        result: dict[str, Any] = json.loads(result_file.read_text("utf-8"))
    clean_locks(Path(src), *([Path(dst)] if dst else []))
    if "error" in result:
        raise LibreOfficeError(f"LibreOffice job on {src} failed: {result['error']}")
    return result


def _stop(office: subprocess.Popen[bytes]) -> None:
    """Wait for soffice to quit (the worker terminates it); kill its process group if not."""
    with contextlib.suppress(subprocess.TimeoutExpired):
        office.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(office.pid, signal.SIGKILL)  # leftovers in the group we started
    with contextlib.suppress(subprocess.TimeoutExpired):
        office.wait(timeout=10)
