"""Validation problems as data (as in frictionless): a typed Issue with a stable code and a
location, collected into a Report that the CLI renders as a table or JSON.

The library never prints; it returns Reports. Messages exist in Danish (for caseworkers) and
English, and always say where the problem is and how to fix it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any, Literal

Lang = Literal["da", "en"]


class Severity(StrEnum):
    ERROR = "error"  # the submission cannot be accepted as it is
    WARNING = "warning"  # accepted, but someone should look (e.g. a number read from text)
    INFO = "info"  # worth knowing, nothing to fix (e.g. a skipped lock file)


SEVERITY_DA = {Severity.ERROR: "fejl", Severity.WARNING: "advarsel", Severity.INFO: "note"}


@dataclass(frozen=True)
class Issue:
    """One problem: what (code), how bad, where (file, sheet, cell, field) and what to do."""

    code: str
    severity: Severity
    message_da: str
    message_en: str
    file: str = ""
    sheet: str | None = None
    cell: str | None = None
    field: str | None = None  # the layout path, e.g. "initiatives.0.economy.years.2008"

    def message(self, lang: Lang = "da") -> str:
        return self.message_da if lang == "da" else self.message_en

    def where(self) -> str:
        """'Sheet!B8' (or just the sheet), for messages and tables."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""

    def to_dict(self, lang: Lang = "da") -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        data["message"] = self.message(lang)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Issue:
        """An issue back from `to_dict` (the ledger keeps each file's report as JSON)."""
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        return cls(**{**values, "severity": Severity(data["severity"])})


@dataclass
class Report:
    """All issues found in one file (or one run); `valid` means no errors."""

    issues: list[Issue] = field(default_factory=list)

    def add(self, issue: Issue) -> None:
        self.issues.append(issue)

    def extend(self, issues: Iterable[Issue]) -> None:
        self.issues.extend(issues)

    def __iter__(self) -> Iterator[Issue]:
        return iter(self.issues)

    def __len__(self) -> int:
        return len(self.issues)

    @property
    def valid(self) -> bool:
        return not any(i.severity is Severity.ERROR for i in self.issues)

    def count(self, severity: Severity) -> int:
        return sum(1 for i in self.issues if i.severity is severity)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.WARNING]

    def stats(self) -> dict[str, int]:
        counts = Counter(str(i.severity) for i in self.issues)
        return {str(s): counts.get(str(s), 0) for s in Severity}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        return cls([Issue.from_dict(i) for i in data.get("issues", ())])

    def to_dict(self, lang: Lang = "da") -> dict[str, Any]:
        return {
            "valid": self.valid,
            "stats": self.stats(),
            "issues": [i.to_dict(lang) for i in self.issues],
        }


REPORT_SCHEMA = "bilag4xl/report/1"


def report_data(
    files: Sequence[tuple[str, Report]],
    skipped: Sequence[tuple[str, str]] = (),
    lang: Lang = "da",
) -> dict[str, Any]:
    """The `--json` shape of a validation: overall result, then each file with its issues."""
    merged = Report([i for _, r in files for i in r])
    return {
        "schema": REPORT_SCHEMA,
        "valid": all(r.valid for _, r in files),
        "stats": {
            "files": len(files),
            "invalid_files": sum(not r.valid for _, r in files),
            "skipped": len(skipped),
            **merged.stats(),
        },
        "files": [{"file": name, **report.to_dict(lang)} for name, report in files],
        "skipped": [{"file": name, "reason": reason} for name, reason in skipped],
    }
