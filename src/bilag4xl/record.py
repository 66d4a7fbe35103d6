"""The round's records: a received file (`Entry`), what checking it said (`Verdict`), an
e-mail draft written (`DraftRecord`), which file is a department's current one, and the
interface of the ledger that keeps them (`Ledger`).

Plain data, below every stage that reads them: the ledger keeps them, the status is made of
them, the round's products are chosen by them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class Verdict:
    """What validating a file said, as the ledger keeps it (enough for status and history)."""

    department: str | None = None
    template_id: str | None = None
    valid: bool | None = None  # None: not readable as a submission at all
    errors: int = 0
    warnings: int = 0
    notes: int = 0
    problem: str = ""  # the first error's message
    cover_date: dt.date | None = None
    form: str = ""  # the form (digest) it was checked against
    report: dict[str, Any] = field(default_factory=dict)
    made_from: int | None = None  # a corrected feedback workbook: the entry it was made from
    # The submission read, as JSON text (`Submission.to_json_data`), so that no product reads
    # the file again (text: only what uses the data decodes it; status does not); None when
    # the file is no submission, or the ledger is older than this column.
    submission: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Entry:
    """One received file: where it is kept, when it came, and its verdict."""

    id: int
    sha256: str
    original_name: str
    received_at: dt.datetime
    stored: str  # relative to the round folder
    size: int
    verdict: Verdict
    excluded: str | None = None  # the reason, while excluded
    excluded_at: dt.datetime | None = None
    channel: str = "kommandolinje"  # how it came: the command line, a web page, a link

    @property
    def department(self) -> str | None:
        return self.verdict.department

    def to_dict(self) -> dict[str, Any]:
        """The entry as JSON data (its full report left out: that is the validation's)."""
        v = self.verdict
        return {
            "entry": self.id,
            "sha256": self.sha256,
            "original_name": self.original_name,
            "received_at": self.received_at.isoformat(),
            "stored": self.stored,
            "size": self.size,
            "department": v.department,
            "template_id": v.template_id,
            "valid": v.valid,
            "errors": v.errors,
            "warnings": v.warnings,
            "problem": v.problem or None,
            "excluded": self.excluded,
            "excluded_at": self.excluded_at.isoformat() if self.excluded_at else None,
            "channel": self.channel,
            "made_from": v.made_from,
        }

    @property
    def counts(self) -> bool:
        """Whether this file can be a department's current submission."""
        return self.excluded is None and bool(self.verdict.department)


def latest(entries: Iterable[Entry]) -> dict[str, Entry]:
    """Each department's current file among `entries` (oldest first): the last received that
    is not excluded (keys are the departments as casefolded names)."""
    out: dict[str, Entry] = {}
    for entry in entries:
        if entry.counts:
            out[str(entry.department).casefold()] = entry
    return out


@dataclass(frozen=True)
class DraftRecord:
    """One e-mail draft `remind` wrote: to which department, of what kind (invitation,
    reminder, correction, form-changed), when, to whom, where, about which received file,
    and when and why it stopped applying."""

    id: int
    department: str
    kind: str
    drafted_at: dt.datetime
    recipient: str
    subject: str
    file: str
    entry: int | None = None
    withdrawn: str | None = None
    withdrawn_at: dt.datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "draft": self.id,
            "department": self.department,
            "kind": self.kind,
            "drafted_at": self.drafted_at.isoformat(),
            "recipient": self.recipient,
            "subject": self.subject,
            "file": self.file,
            "entry": self.entry,
            "withdrawn": self.withdrawn,
            "withdrawn_at": self.withdrawn_at.isoformat() if self.withdrawn_at else None,
        }


@runtime_checkable
class Ledger(Protocol):
    """What a round asks of its ledger: the files received and their verdicts, the links and
    the drafts. The round folder's own is SQLite beside the files (`round.ledger.SqliteLedger`);
    a region running many rounds could keep the rows in a database server and the files in
    object storage behind these same calls, and the rounds' logic would not change. A file
    is asked for by its entry (`read`), never by a place on disk."""

    def close(self) -> None: ...

    # the files received
    def entries(self, department: str | None = None, data: bool = False) -> list[Entry]: ...
    def get(self, entry_id: int) -> Entry | None: ...
    def by_sha256(self, sha256: str) -> Entry | None: ...
    def current(self) -> dict[str, Entry]: ...
    def read(self, entry: Entry) -> bytes: ...
    def store_many(
        self,
        files: Sequence[tuple[bytes, str, Verdict]],
        received_at: dt.datetime | None = None,
        sha256s: Sequence[str] | None = None,
        channel: str = "kommandolinje",
    ) -> list[tuple[Entry, bool]]: ...
    def update_verdict(self, entry_id: int, verdict: Verdict) -> None: ...
    def exclude(self, entry_id: int, reason: str) -> Entry: ...
    def include(self, entry_id: int) -> Entry: ...

    # each department's private link: its generation and the token's SHA-256
    def links(self) -> dict[str, tuple[int, str]]: ...
    def set_link(self, department: str, generation: int, token_sha256: str) -> None: ...

    # e-mail drafts written
    def record_draft(
        self,
        department: str,
        kind: str,
        file: str,
        recipient: str = "",
        subject: str = "",
        entry: int | None = None,
        when: dt.datetime | None = None,
    ) -> DraftRecord: ...
    def drafts(
        self, department: str | None = None, draft_id: int | None = None
    ) -> list[DraftRecord]: ...
    def withdraw_draft(self, draft_id: int, reason: str) -> None: ...


OpenLedger = Callable[[Path], Ledger]  # a round folder's root: its ledger, opened
