"""The round's progress: which departments have sent a valid submission, and which have not.

`round_status(folder, spec)` validates the folder (through `validate.validate_paths`) and hands
the results to `summarize`, which is pure, so the rules below are tested without files:

* a department is *received* when at least one readable file names it on its cover; the
  newest of its files (cover date, else the file's modification time) is its *last file*, and
  its validity, errors and warnings are that file's;
* several files for one department are listed as duplicates (newest first);
* files naming a department outside the round are listed apart, and so are files that could
  not be read as a submission at all;
* the round is `complete` when every department is received and valid and no file was
  unreadable (files for unknown departments are reported, but do not hold the round back).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from .model import Submission
from .report import Report
from .spec import Spec

State = Literal["valid", "invalid", "missing"]
STATE_DA: dict[State, str] = {"valid": "i orden", "invalid": "fejl", "missing": "mangler"}


class _Result(Protocol):
    """What `summarize` needs of a `validate.FileResult`."""

    path: Path
    submission: Submission | None
    report: Report


@dataclass(frozen=True)
class FileStatus:
    """One file's verdict; `date` is the cover date, else the day the file was last changed."""

    path: Path
    department: str
    valid: bool
    errors: int
    warnings: int
    date: dt.date | None
    date_source: Literal["cover", "mtime", ""]
    modified: dt.datetime | None = None
    problem: str = ""  # the first error's message, to say why a file does not count

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "problem": self.problem or None,
            "department": self.department,
            "valid": self.valid,
            "errors": self.errors,
            "warnings": self.warnings,
            "date": self.date.isoformat() if self.date else None,
            "date_source": self.date_source or None,
        }


@dataclass(frozen=True)
class DepartmentStatus:
    """A department of the round and the files it sent (newest first)."""

    name: str
    files: tuple[FileStatus, ...] = ()

    @property
    def last(self) -> FileStatus | None:
        return self.files[0] if self.files else None

    @property
    def received(self) -> bool:
        return bool(self.files)

    @property
    def valid(self) -> bool:
        return self.last is not None and self.last.valid

    @property
    def state(self) -> State:
        if not self.received:
            return "missing"
        return "valid" if self.valid else "invalid"

    @property
    def duplicates(self) -> tuple[FileStatus, ...]:
        """Every file when there are several (the last one first), else nothing."""
        return self.files if len(self.files) > 1 else ()

    def to_dict(self) -> dict[str, Any]:
        last = self.last
        return {
            "department": self.name,
            "state": self.state,
            "received": self.received,
            "valid": self.valid if self.received else None,
            "errors": last.errors if last else None,
            "warnings": last.warnings if last else None,
            "last_file": str(last.path) if last else None,
            "date": last.date.isoformat() if last and last.date else None,
            "date_source": (last.date_source or None) if last else None,
            "duplicates": [str(f.path) for f in self.duplicates],
        }


@dataclass(frozen=True)
class RoundStatus:
    """Every department's state, plus files that belong to no department of the round."""

    departments: tuple[DepartmentStatus, ...]
    unknown: tuple[FileStatus, ...] = ()
    unreadable: tuple[FileStatus, ...] = ()
    skipped: tuple[str, ...] = field(default=())

    @property
    def missing(self) -> list[str]:
        return [d.name for d in self.departments if not d.received]

    @property
    def invalid(self) -> list[str]:
        return [d.name for d in self.departments if d.received and not d.valid]

    @property
    def complete(self) -> bool:
        return not self.missing and not self.invalid and not self.unreadable

    def to_dict(self) -> dict[str, Any]:
        return {
            "complete": self.complete,
            "stats": {
                "departments": len(self.departments),
                "received": sum(d.received for d in self.departments),
                "valid": sum(d.valid for d in self.departments),
                "missing": len(self.missing),
                "invalid": len(self.invalid),
            },
            "departments": [d.to_dict() for d in self.departments],
            "unknown_departments": [f.to_dict() for f in self.unknown],
            "unreadable": [f.to_dict() for f in self.unreadable],
            "skipped": list(self.skipped),
        }


def round_status(folder: str | Path, spec: Spec) -> RoundStatus:
    """Validate every submission in `folder` and summarize the round's progress."""
    from .validate import validate_paths

    run = validate_paths([Path(folder)], spec)
    mtimes = {r.path: _mtime(r.path) for r in run.results}
    skipped = [f"{path}: {reason}" for path, reason in run.skipped]
    return summarize(run.results, spec, mtimes, skipped)


def summarize(
    results: Sequence[_Result],
    spec: Spec,
    modified: Mapping[Path, dt.datetime | None],
    skipped: Iterable[str] = (),
) -> RoundStatus:
    """The round's status from validation results (pure; see the module docstring)."""
    files = [_file_status(r, modified.get(r.path)) for r in results]
    unreadable = tuple(f for f in files if not f.department)
    readable = [f for f in files if f.department]
    expected = [d.name for d in spec.round.departments] or _distinct(f.department for f in readable)
    by_name: dict[str, list[FileStatus]] = {name: [] for name in expected}
    unknown: list[FileStatus] = []
    for f in readable:
        name = _canonical(f.department, expected)
        (by_name[name] if name else unknown).append(f)
    departments = tuple(
        DepartmentStatus(name, tuple(sorted(fs, key=_newness, reverse=True)))
        for name, fs in by_name.items()
    )
    return RoundStatus(departments, tuple(unknown), unreadable, tuple(skipped))


def _file_status(result: _Result, modified: dt.datetime | None) -> FileStatus:
    sub, report = result.submission, result.report
    cover_date = sub.date if sub else None
    date = cover_date or (modified.date() if modified else None)
    source: Literal["cover", "mtime", ""] = "cover" if cover_date else ("mtime" if date else "")
    return FileStatus(
        path=Path(result.path),
        department=sub.department.strip() if sub else "",
        valid=sub is not None and report.valid,
        errors=len(report.errors),
        warnings=len(report.warnings),
        date=date,
        date_source=source,
        modified=modified,
        problem=report.errors[0].message() if report.errors else "",
    )


def _newness(f: FileStatus) -> tuple[dt.date, dt.datetime, str]:
    return (f.date or dt.date.min, f.modified or dt.datetime.min, str(f.path))


def _canonical(name: str, expected: Sequence[str]) -> str | None:
    return next((e for e in expected if e.casefold() == name.casefold()), None)


def _distinct(names: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.casefold(), name)
    return sorted(seen.values())


def _mtime(path: Path) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(Path(path).stat().st_mtime)
    except OSError:
        return None


def status_rows(status: RoundStatus) -> list[tuple[str, ...]]:
    """The status as table rows (header first), in Danish, for the CLI's table."""
    rows: list[tuple[str, ...]] = [
        ("Forvaltning", "Status", "Fejl", "Advarsler", "Seneste fil", "Dato", "Filer")
    ]
    for d in status.departments:
        last = d.last
        rows.append(
            (
                d.name,
                STATE_DA[d.state],
                str(last.errors) if last else "",
                str(last.warnings) if last else "",
                last.path.name if last else "",
                _date_text(last),
                str(len(d.files)) if d.files else "0",
            )
        )
    return rows


def _date_text(f: FileStatus | None) -> str:
    if f is None or f.date is None:
        return ""
    suffix = " (ændret)" if f.date_source == "mtime" else ""
    return f.date.strftime("%d.%m.%Y") + suffix


def status_table(status: RoundStatus) -> str:
    """The status as an aligned text table, with duplicates and stray files listed below it."""
    from .render import table
    from .textsafe import for_terminal

    header, *rows = status_rows(status)
    lines = table(header, rows).splitlines()
    for d in status.departments:
        if d.duplicates:
            names = ", ".join(f.path.name for f in d.duplicates)
            lines.append(f"Flere filer fra {d.name} (den nyeste tæller): {names}")
    for f in status.unknown:
        lines.append(f"Forvaltning uden for runden: {f.department} ({f.path.name})")
    for f in status.unreadable:
        why = f": {f.problem}" if f.problem else ""
        lines.append(f"Kan ikke læses som indberetning: {f.path.name}{why}")
    received = sum(d.received for d in status.departments)
    lines.append(
        f"{received} af {len(status.departments)} modtaget; mangler: {len(status.missing)}, "
        f"med fejl: {len(status.invalid)}."
    )
    return for_terminal("\n".join(lines))
