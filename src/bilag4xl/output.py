"""File output that never leaves a half-written file or overwrites one by surprise."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from bilag4xl.errors import OutputError, OutputExistsError


def check_targets(paths: Iterable[str | Path], force: bool = False) -> None:
    """Refuse before anything is written: a folder as target, or an existing file without force.

    Commands that write several files call this first, so they never write half a set."""
    for path in map(Path, paths):
        if path.is_dir():
            raise OutputError(code="output-is-folder", path=path)
        if path.exists() and not force:
            raise OutputExistsError(code="output-exists", path=path)


def atomic_write(path: str | Path, data: bytes, force: bool = False) -> Path:
    """Write bytes to a temporary file beside `path`, then rename it into place.

    The new file gets the usual permissions (umask), not mkstemp's private 0600: templates
    and consolidated workbooks are shared with colleagues."""
    return atomic_write_all([(Path(path), data)], force)[0]


def atomic_write_all(files: Sequence[tuple[Path, bytes]], force: bool = False) -> list[Path]:
    """Write a set of files all or nothing: every one to a temporary file beside its target
    first (a full disk fails here, and every temporary file is removed), then each renamed
    into place (a rename needs no space)."""
    check_targets([path for path, _ in files], force)
    written: list[str] = []
    try:
        for path, data in files:
            written.append(_temporary(path, data))
        for (path, _), tmp in zip(files, written, strict=True):
            os.replace(tmp, path)
    except BaseException as exc:
        for tmp in written:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if isinstance(exc, OSError):
            failed = files[min(len(written), len(files) - 1)][0]
            raise OutputError(code="output-unwritable", path=failed, reason=_reason(exc)) from exc
        raise
    return [path for path, _ in files]


def _temporary(path: Path, data: bytes) -> str:
    """`data` in a new temporary file beside `path` (its name), flushed to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _reason(exc: OSError) -> str:
    """A Danish reason for the common cases, the system's words otherwise."""
    reasons = {
        FileExistsError: "en del af stien er en fil, ikke en mappe",
        FileNotFoundError: "mappen findes ikke og kan ikke oprettes",
        PermissionError: "ingen skriveadgang",
        IsADirectoryError: "stien er en mappe",
        NotADirectoryError: "en del af stien er en fil, ikke en mappe",
    }
    return reasons.get(type(exc), exc.strerror or str(exc))
