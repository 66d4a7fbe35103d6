"""LibreOffice, headless, as a converter: a .docx to PDF for the annex, and the same machinery
the test harness (`tests/support/libreoffice.py`) drives spreadsheets with.

Each run gets its own private user profile (parallel runs never share one, and xlsx formulas
are recalculated on load), is bounded in time, and the `.~lock.NAME#` files LibreOffice leaves
beside the files it handled are removed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

TIMEOUT = float(os.environ.get("BILAG4XL_SOFFICE_TIMEOUT", "240"))
INSTALL_HINT = "apt-get install libreoffice-calc-nogui libreoffice-writer-nogui"
HEADLESS = ("--headless", "--invisible", "--nologo", "--norestore", "--nodefault")

# Recalculate xlsx formulas on load (0 = always), so conversions show current values.
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


class LibreOfficeMissing(RuntimeError):
    """soffice (or, for the test harness, python3-uno) is not installed."""


class LibreOfficeError(RuntimeError):
    """A LibreOffice run failed or timed out."""


def soffice_path() -> str | None:
    """The soffice executable on PATH, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def require_soffice() -> str:
    soffice = soffice_path()
    if soffice is None:
        raise LibreOfficeMissing(f"LibreOffice (soffice) is not installed: {INSTALL_HINT}")
    return soffice


def convert(src: Path, fmt: str, outdir: Path) -> Path:
    """Convert with `soffice --convert-to FMT` (e.g. "pdf"); returns the file written."""
    soffice = require_soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    target = outdir / f"{src.stem}.{fmt.split(':', 1)[0]}"
    target.unlink(missing_ok=True)
    with private_profile() as profile:
        args = [soffice, f"-env:UserInstallation={profile.as_uri()}", *HEADLESS]
        run([*args, "--convert-to", fmt, "--outdir", str(outdir), str(src)], "convert")
    clean_locks(src, target)
    if not target.is_file():
        raise LibreOfficeError(f"soffice wrote no {target} (converting {src} to {fmt})")
    return target


def run(args: list[str], what: str, ok: tuple[int, ...] = (0,)) -> None:
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise LibreOfficeError(f"LibreOffice {what} timed out after {TIMEOUT:.0f} s") from exc
    if done.returncode not in ok:
        raise LibreOfficeError(
            f"LibreOffice {what} failed (exit {done.returncode}): {done.stderr.strip()[-500:]}"
        )


@contextlib.contextmanager
def private_profile() -> Iterator[Path]:
    """A fresh, private LibreOffice user profile, removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="bilag4xl-lo-"))
    try:
        (root / "user").mkdir()
        (root / "user" / "registrymodifications.xcu").write_text(_PROFILE_SETTINGS, "utf-8")
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def clean_locks(*files: Path) -> None:
    """Remove the `.~lock.NAME#` owner files LibreOffice may leave beside files it handled
    (only ours: another process may hold its own lock in the same folder)."""
    for f in files:
        with contextlib.suppress(OSError):
            f.with_name(f".~lock.{f.name}#").unlink()
