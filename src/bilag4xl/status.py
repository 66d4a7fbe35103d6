"""The round's progress: which departments have sent a valid submission, which have not, and
where each stands against its deadline.

Two sources give the same `RoundStatus`: a round folder's ledger (`from_ledger`: the time a
file was received decides which file is current and whether it came late) and a plain folder
of files (`folder_status` / `summarize`: validated now; the newest file by cover date, then the
file's time). Both are pure over their inputs, so the rules below are tested without files:

* a department is *received* when at least one readable file names it on its cover; its
  current file's validity, errors and warnings are the department's;
* *late*: its current file was received after the department's deadline (its own, granted
  later, or the round's); *overdue*: nothing received and the deadline has passed;
  *days left*: days from today to the deadline (negative once it has passed);
* departments to *chase* are those missing or with errors; each has its contact, if any;
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

from bilag4xl.form.model import Submission
from bilag4xl.form.spec import Contact, Spec
from bilag4xl.intake.mapping import gained_fields, only_form_changed
from bilag4xl.issues.report import Issue, Report
from bilag4xl.record import Entry

State = Literal["valid", "invalid", "missing"]
STATE_DA: dict[State, str] = {"valid": "i orden", "invalid": "fejl", "missing": "mangler"}
FORM_CHANGED_DA = "skemaet er ændret"  # instead of "fejl" when only that is wrong


class _Result(Protocol):
    """What `summarize` needs of a `validate.FileResult`."""

    path: Path
    submission: Submission | None
    report: Report


@dataclass(frozen=True)
class FileStatus:
    """One file's verdict. `received` is when the round's ledger took it (None for a plain
    folder); `date` is the cover date, else the day the file was received or last changed."""

    path: Path
    department: str
    valid: bool
    errors: int
    warnings: int
    date: dt.date | None
    date_source: Literal["cover", "mtime", "received", ""]
    modified: dt.datetime | None = None
    problem: str = ""  # the first error's message, to say why a file does not count
    received: dt.datetime | None = None
    entry: int | None = None  # the ledger's number for the file
    sent_as: str = ""  # the sender's own file name, when it was kept under another
    cover_date: dt.date | None = None  # the date on the cover, as the department wrote it
    # Its errors all come from the round's form changing after its template was made; then
    # `added` names the fields the form has gained.
    form_changed: bool = False
    added: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The file's name as the department sent it."""
        return self.sent_as or self.path.name

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
            "received_at": self.received.isoformat() if self.received else None,
            "cover_date": self.cover_date.isoformat() if self.cover_date else None,
            "entry": self.entry,
            "form_changed": self.form_changed,
        }


@dataclass(frozen=True)
class DepartmentStatus:
    """A department of the round, the files it sent (newest first) and its deadline."""

    name: str
    files: tuple[FileStatus, ...] = ()
    deadline: dt.date | None = None
    contact: Contact | None = None
    today: dt.date | None = None

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
    def form_changed(self) -> bool:
        """Its current file is wrong only because the round's form changed since."""
        return self.state == "invalid" and self.last is not None and self.last.form_changed

    @property
    def state_da(self) -> str:
        return FORM_CHANGED_DA if self.form_changed else STATE_DA[self.state]

    @property
    def days_left(self) -> int | None:
        if self.deadline is None or self.today is None:
            return None
        return (self.deadline - self.today).days

    @property
    def late(self) -> bool:
        """The current file came after the deadline (only known when the ledger took it)."""
        last = self.last
        if last is None or last.received is None or self.deadline is None:
            return False
        return last.received.astimezone().date() > self.deadline

    @property
    def overdue(self) -> bool:
        """Nothing received, and the deadline has passed."""
        days = self.days_left
        return not self.received and days is not None and days < 0

    @property
    def cover_in_future(self) -> bool:
        """The current file's cover is dated after today: a typo, or a date not yet come."""
        last = self.last
        cover = last.cover_date if last else None
        return cover is not None and self.today is not None and cover > self.today

    @property
    def chase(self) -> bool:
        """Someone should write to the department: it is missing or its file has errors."""
        return self.state != "valid"

    @property
    def duplicates(self) -> tuple[FileStatus, ...]:
        """Every file when there are several (the last one first), else nothing."""
        return self.files if len(self.files) > 1 else ()

    def to_dict(self) -> dict[str, Any]:
        last = self.last
        contact = self.contact
        return {
            "department": self.name,
            "state": self.state,
            "form_changed": self.form_changed,
            "received": self.received,
            "valid": self.valid if self.received else None,
            "errors": last.errors if last else None,
            "warnings": last.warnings if last else None,
            "last_file": str(last.path) if last else None,
            "received_at": last.received.isoformat() if last and last.received else None,
            "date": last.date.isoformat() if last and last.date else None,
            "date_source": (last.date_source or None) if last else None,
            "cover_date": last.cover_date.isoformat() if last and last.cover_date else None,
            "cover_date_in_future": self.cover_in_future,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "days_left": self.days_left,
            "late": self.late,
            "overdue": self.overdue,
            "chase": self.chase,
            "contact": contact.model_dump() if contact else None,
            "duplicates": [str(f.path) for f in self.duplicates],
        }


@dataclass(frozen=True)
class RoundStatus:
    """Every department's state, plus files that belong to no department of the round."""

    departments: tuple[DepartmentStatus, ...]
    unknown: tuple[FileStatus, ...] = ()
    unreadable: tuple[FileStatus, ...] = ()
    skipped: tuple[str, ...] = field(default=())
    deadline: dt.date | None = None
    today: dt.date | None = None

    @property
    def missing(self) -> list[str]:
        return [d.name for d in self.departments if not d.received]

    @property
    def invalid(self) -> list[str]:
        return [d.name for d in self.departments if d.received and not d.valid]

    @property
    def to_chase(self) -> list[DepartmentStatus]:
        return [d for d in self.departments if d.chase]

    @property
    def complete(self) -> bool:
        return not self.missing and not self.invalid and not self.unreadable

    @property
    def days_left(self) -> int | None:
        if self.deadline is None or self.today is None:
            return None
        return (self.deadline - self.today).days

    def to_dict(self) -> dict[str, Any]:
        return {
            "complete": self.complete,
            "today": self.today.isoformat() if self.today else None,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "days_left": self.days_left,
            "stats": {
                "departments": len(self.departments),
                "received": sum(d.received for d in self.departments),
                "valid": sum(d.valid for d in self.departments),
                "missing": len(self.missing),
                "invalid": len(self.invalid),
                "late": sum(d.late for d in self.departments),
                "overdue": sum(d.overdue for d in self.departments),
            },
            "departments": [d.to_dict() for d in self.departments],
            "to_chase": [d.name for d in self.to_chase],
            "unknown_departments": [f.to_dict() for f in self.unknown],
            "unreadable": [f.to_dict() for f in self.unreadable],
            "skipped": list(self.skipped),
        }


# --------------------------------------------------------------------------- plain folder


def folder_status(folder: str | Path, spec: Spec, today: dt.date | None = None) -> RoundStatus:
    """Validate every submission in `folder` and summarize the round's progress."""
    from bilag4xl.intake.validate import validate_paths

    run = validate_paths([Path(folder)], spec)
    mtimes = {r.path: _mtime(r.path) for r in run.results}
    skipped = [f"{path}: {reason}" for path, reason in run.skipped]
    return summarize(run.results, spec, mtimes, skipped, today)


def summarize(
    results: Sequence[_Result],
    spec: Spec,
    modified: Mapping[Path, dt.datetime | None],
    skipped: Iterable[str] = (),
    today: dt.date | None = None,
) -> RoundStatus:
    """The round's status from validation results (pure; see the module docstring)."""
    files = [_file_status(r, modified.get(r.path), spec) for r in results]
    return _gather(files, spec, tuple(skipped), today)


def _changes(issues: list[Issue], spec: Spec) -> dict[str, Any]:
    """Whether a file's errors come only from a change of the form, and what was added."""
    if not only_form_changed(issues):
        return {}
    return {"form_changed": True, "added": tuple(gained_fields(issues, spec))}


def _file_status(result: _Result, modified: dt.datetime | None, spec: Spec) -> FileStatus:
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
        cover_date=cover_date,
        **_changes(report.issues, spec),
    )


# --------------------------------------------------------------------------- the ledger


def from_ledger(
    entries: Iterable[Entry], spec: Spec, root: Path, today: dt.date | None = None
) -> RoundStatus:
    """The round's status from its ledger's entries, without reading a file:
    excluded files do not count, the newest received is current."""
    files = []
    for e in entries:
        if e.excluded is not None:
            continue
        v = e.verdict
        files.append(
            FileStatus(
                path=root / e.stored,
                department=(v.department or "").strip() if v.valid is not None else "",
                valid=bool(v.valid),
                errors=v.errors,
                warnings=v.warnings,
                date=v.cover_date or e.received_at.astimezone().date(),
                date_source="cover" if v.cover_date else "received",
                problem=v.problem,
                received=e.received_at,
                entry=e.id,
                sent_as=e.original_name,
                cover_date=v.cover_date,
                **(_changes(Report.from_dict(v.report).issues, spec) if v.errors else {}),
            )
        )
    return _gather(files, spec, (), today)


# --------------------------------------------------------------------------- both


def _gather(
    files: list[FileStatus], spec: Spec, skipped: tuple[str, ...], today: dt.date | None
) -> RoundStatus:
    today = today or dt.date.today()
    unreadable = tuple(f for f in files if not f.department)
    readable = [f for f in files if f.department]
    expected = [d.name for d in spec.round.departments] or _distinct(f.department for f in readable)
    by_name: dict[str, list[FileStatus]] = {name: [] for name in expected}
    unknown: list[FileStatus] = []
    for f in readable:
        name = _canonical(f.department, expected)
        (by_name[name] if name else unknown).append(f)
    departments = []
    for name, found in by_name.items():
        known = spec.round.department(name)
        departments.append(
            DepartmentStatus(
                name,
                tuple(sorted(found, key=_newness, reverse=True)),
                spec.round.deadline_for(name),
                known.contact if known else None,
                today,
            )
        )
    return RoundStatus(
        tuple(departments), tuple(unknown), unreadable, skipped, spec.round.deadline, today
    )


def _newness(f: FileStatus) -> tuple[dt.datetime, dt.date, dt.datetime, str]:
    """Received time first (the ledger's), then cover date, file time and name."""
    never = dt.datetime.min.replace(tzinfo=dt.UTC)
    return (
        f.received or never,
        f.date or dt.date.min,
        f.modified or dt.datetime.min,
        str(f.path),
    )


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
