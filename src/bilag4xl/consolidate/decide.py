"""Validated submissions -> the set to consolidate, in a fixed order, plus what happened (pure).

No file I/O here (as pyxform's `convert`): the caller reads and validates the files and passes
file times in, so duplicates, invalid inputs and ordering are decided in one testable place.
The writer (`consolidated`) then only renders what this module decided.

Rules (issue 4):
- a byte-identical file (same SHA-256) is kept once; the others are skipped with a notice;
- two submissions for one department are an error naming both files, unless
  `on_duplicate="latest"`: the later cover date wins, then the later file time, then the file
  name (so the choice never depends on input order); the dropped one is reported. Refused,
  the department still counts once (the newest one) in what the summary says;
- invalid or unreadable inputs block the merge, unless `allow_invalid`: then invalid
  submissions are included and flagged (unreadable files cannot be included and are reported);
- a submission made for another spec always blocks: its fields would not fit the columns;
- the order is the round's department order, then department name, file name and hash.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple, Protocol

from bilag4xl.errors import MergeError
from bilag4xl.form.identity import form_digest
from bilag4xl.form.model import Submission
from bilag4xl.form.spec import Spec
from bilag4xl.issues.catalogue import make
from bilag4xl.issues.report import Issue, Report, Severity

OnDuplicate = Literal["error", "latest"]
ON_DUPLICATE: tuple[OnDuplicate, ...] = ("error", "latest")
# Why a department of the round is not in a workbook or annex: it sent nothing, its files
# were excluded (`bilag4xl exclude`), or its current file has errors.
Reason = Literal["mangler", "udeladt", "fejl"]
REASONS: tuple[Reason, ...] = ("mangler", "udeladt", "fejl")


class LeftOut(NamedTuple):
    """A department of the round that is not in the consolidated workbook or the annex."""

    department: str
    reason: Reason


class Validated(Protocol):
    """What merging needs of a validated file (`validate.FileResult` fits)."""

    @property
    def path(self) -> Path: ...
    @property
    def submission(self) -> Submission | None: ...
    @property
    def report(self) -> Report: ...


@dataclass(frozen=True)
class Candidate:
    """One submission kept for the consolidated workbook, with its own validation report."""

    submission: Submission
    report: Report
    path: Path

    @property
    def valid(self) -> bool:
        return self.report.valid

    @property
    def department(self) -> str:
        return self.submission.department


@dataclass
class Merged:
    """The outcome: `entries` in output order; `ok` says whether a workbook may be written.

    `dropped`: left out by `on_duplicate="latest"`; `duplicates`: the older submissions of a
    department that sent several while duplicates are an error. Neither is in `entries`, so
    the counts below never count a department twice."""

    spec: Spec
    entries: list[Candidate]
    report: Report
    ok: bool
    allow_invalid: bool = False
    dropped: list[Candidate] = field(default_factory=list)
    duplicates: list[Candidate] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)

    @property
    def initiatives(self) -> int:
        return sum(len(e.submission.initiatives) for e in self.entries)

    @property
    def total(self) -> float:
        return sum(e.submission.total for e in self.entries)

    @property
    def departments(self) -> int:
        return len({e.department.casefold() for e in self.entries})


def merge(
    results: Iterable[Validated],
    spec: Spec,
    *,
    on_duplicate: OnDuplicate = "error",
    allow_invalid: bool = False,
    mtime: Callable[[Path], float] | None = None,
) -> Merged:
    """Decide what goes into the consolidated workbook; see the module docstring for the rules.

    `mtime` gives a file's modification time (only used to break a tie between duplicates).
    """
    if on_duplicate not in ON_DUPLICATE:
        raise ValueError(f"on_duplicate must be one of {ON_DUPLICATE}, not {on_duplicate!r}")
    results = sorted(results, key=lambda r: (r.path.name, str(r.path)))
    merge_issues: list[Issue] = []
    file_issues: list[Issue] = []
    blocked = False
    candidates: list[Candidate] = []
    for r in results:
        if r.submission is None:
            file_issues.extend(r.report)
            merge_issues.append(_issue("unreadable", r.path, _blocking(allow_invalid)))
            blocked |= not allow_invalid
        elif r.submission.template.form_hash not in ("", form_digest(spec)):
            file_issues.extend(r.report)
            merge_issues.append(_issue("spec_mismatch", r.path, Severity.ERROR))
            blocked = True
        else:
            candidates.append(Candidate(r.submission, r.report, r.path))
    candidates, notices = _drop_identical(candidates)
    merge_issues += notices
    kept, dropped, duplicates, dup_issues = _resolve_duplicates(candidates, on_duplicate, mtime)
    merge_issues += dup_issues
    blocked |= any(i.severity is Severity.ERROR for i in dup_issues)
    for entry in [*kept, *duplicates]:
        file_issues.extend(entry.report)
        if not entry.valid:
            what = "invalid_included" if allow_invalid else "invalid"
            merge_issues.append(_issue(what, entry.path, _blocking(allow_invalid)))
            blocked |= not allow_invalid
    if not kept and not blocked:
        merge_issues.append(_issue("empty", None, Severity.ERROR))
        blocked = True
    report = Report([*merge_issues, *file_issues])
    entries = sorted(kept, key=lambda e: order_key(spec, e))
    missing = missing_departments(spec, [e.department for e in entries])
    return Merged(spec, entries, report, not blocked, allow_invalid, dropped, duplicates, missing)


def missing_departments(spec: Spec, present: Iterable[str]) -> list[LeftOut]:
    """The round's departments without a submission among `present` (files outside a round:
    a department without a valid file is missing), in the round's order."""
    have = {name.strip().casefold() for name in present}
    return [
        LeftOut(d.name, "mangler")
        for d in spec.round.departments
        if d.name.strip().casefold() not in have
    ]


def left_out_text(left_out: Sequence[LeftOut]) -> str:
    """ "Ikke med: Odense Bibliotekerne (mangler), …" ("" when none is left out)."""
    if not left_out:
        return ""
    return "Ikke med: " + ", ".join(f"{d.department} ({d.reason})" for d in left_out)


def coverage(spec: Spec, departments: int, left_out: Sequence[LeftOut]) -> str:
    """How many of the round's departments are in: "alle 7 forvaltninger" only when none is
    left out, "6 af 7 forvaltninger" otherwise; without a list of departments, the count."""
    word = "forvaltning" if departments == 1 else "forvaltninger"
    expected = len(spec.round.departments)
    if left_out:
        return f"{max(expected - len(left_out), 0)} af {expected} forvaltninger"
    if expected and departments >= expected:
        return f"alle {expected} {word}"
    return f"{departments} {word}"


def common_spec(specs: Sequence[Spec]) -> Spec | None:
    """The spec a merge outside a round uses: the one its files carry (None without any).

    Files made for different forms cannot be consolidated into one set of columns without the
    round's spec; files of one form with different administration (a help text reworded
    mid-round) share the spec most of them carry."""
    if not specs:
        return None
    forms = {form_digest(s): s for s in specs}
    if len(forms) > 1:
        names = "; ".join(
            f"{s.name} {s.version}, {s.round.first_year}–{s.round.last_year}, {s.round.unit}"
            for s in forms.values()
        )
        raise MergeError(code="merge-other-forms", names=names)
    count = Counter(s.digest for s in specs)
    return max(specs, key=lambda s: (count[s.digest], s.digest))


def order_key(spec: Spec, entry: Candidate) -> tuple[int, str, str, str]:
    """The round's department order first (as the committee knows it), then by name."""
    names = [d.name.casefold() for d in spec.round.departments]
    dept = entry.department.strip().casefold()
    rank = names.index(dept) if dept in names else len(names)
    return (rank, dept, entry.submission.source.file, entry.submission.source.sha256)


def _drop_identical(entries: Sequence[Candidate]) -> tuple[list[Candidate], list[Issue]]:
    """Keep the first (by file name) of each set of byte-identical files."""
    seen: dict[str, Candidate] = {}
    issues: list[Issue] = []
    for entry in entries:
        first = seen.get(entry.submission.source.sha256)
        if first is None:
            seen[entry.submission.source.sha256] = entry
        else:
            issues.append(_issue("identical", entry.path, Severity.INFO, kept=first.path))
    return list(seen.values()), issues


def _resolve_duplicates(
    entries: Sequence[Candidate], on_duplicate: OnDuplicate, mtime: Callable[[Path], float] | None
) -> tuple[list[Candidate], list[Candidate], list[Candidate], list[Issue]]:
    """(kept, dropped, duplicates, issues): one entry per department is kept, the newest."""
    groups: dict[str, list[Candidate]] = {}
    for entry in entries:
        # An entry without a department (only with allow_invalid) duplicates nothing.
        key = entry.department.strip().casefold() or f"\0{entry.submission.source.sha256}"
        groups.setdefault(key, []).append(entry)
    kept: list[Candidate] = []
    dropped: list[Candidate] = []
    duplicates: list[Candidate] = []
    issues: list[Issue] = []
    for group in groups.values():
        *older, winner = sorted(group, key=lambda e: _newest(e, mtime))
        kept.append(winner)
        if not older:
            continue
        if on_duplicate == "error":
            duplicates.extend(older)
            issues.append(_duplicate_error(sorted(group, key=lambda e: (e.path.name, str(e.path)))))
            continue
        for loser in older:
            dropped.append(loser)
            issues.append(_issue("dropped", loser.path, Severity.WARNING, kept=winner.path))
    return kept, dropped, duplicates, issues


def _newest(e: Candidate, mtime: Callable[[Path], float] | None) -> tuple[dt.date, float, str, str]:
    """Sort key: the later cover date, then file time, then file name and hash win."""
    date = e.submission.date or dt.date.min
    stamp = mtime(e.path) if mtime else 0.0
    return (date, stamp, e.path.name, e.submission.source.sha256)


# --------------------------------------------------------------------------- messages
# The texts are the catalogue's "merge.*" entries (bilag4xl.issues.catalogue).


def notice(what: str, path: Path) -> Issue:
    """An informational merge issue about a file that is not read ('output_skipped'...)."""
    return _issue(what, path, Severity.INFO)


def _blocking(allow_invalid: bool) -> Severity:
    """An invalid input blocks the merge unless --allow-invalid makes it a warning."""
    return Severity.WARNING if allow_invalid else Severity.ERROR


def _issue(what: str, path: Path | None, severity: Severity, kept: Path | None = None) -> Issue:
    file = str(path) if path else ""
    return make(f"merge.{what}", file, severity=severity, kept=kept.name if kept else "")


def _duplicate_error(group: Sequence[Candidate]) -> Issue:
    files = ", ".join(e.path.name for e in group)
    return make("merge.duplicate", str(group[-1].path), department=group[0].department, files=files)
