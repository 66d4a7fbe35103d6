"""Which files a command works on: files named directly, and workbooks found in folders.

Owner and lock files of open documents (Excel's `~$NAME.xlsx`, LibreOffice's
`.~lock.NAME.xlsx#`) and hidden files are skipped, and said so, never read as submissions.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

XLSX_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class Blob:
    """A file already read: the name it was sent under ("arkiv.zip/tmf.xlsx"), its bytes and
    their SHA-256, which travel together so that nothing reads or hashes the file again."""

    name: str
    data: bytes
    sha256: str


def collect_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Files named directly, plus *.xlsx/*.xlsm found in folders; and what was skipped, why."""
    files: dict[Path, None] = {}  # ordered, and a path named twice is read once
    skipped: list[tuple[Path, str]] = []
    for given in map(Path, paths):
        found = sorted(_walk(given)) if given.is_dir() else [given]
        for path in found:
            reason = skip_reason(path)
            if reason:
                skipped.append((path, reason))
            else:
                files.setdefault(path)
    return list(files), skipped


def _walk(folder: Path) -> Iterable[Path]:
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            if name.lower().endswith(XLSX_SUFFIXES) or name.startswith(".~lock."):
                yield Path(root, name)


def skip_reason(path: Path) -> str | None:
    """Why a file is passed over by its name (an owner, lock or hidden file), else None."""
    name = path.name
    if name.startswith("~$"):
        return f"{name} er Excels ejerfil for et åbent dokument"
    if name.startswith(".~lock."):
        return f"{name} er LibreOffices låsefil for et åbent dokument"
    if name.startswith("."):
        return f"{name} er en skjult fil"
    return None
