"""A round's ledger held in memory: the `bilag4xl.record.Ledger` interface with nothing on
disk, the rows in lists and the files as bytes. A round given it (`Round.open_ledger`) runs
its logic unchanged, which shows that the rounds ask nothing of a ledger but the interface
(a region could keep the rows in a database server and the files in object storage)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from bilag4xl.errors import LedgerError
from bilag4xl.record import DraftRecord, Entry, Verdict, latest


@dataclass
class _Books:
    """One round's rows and files, shared by every ledger opened on that round."""

    entries: list[Entry] = field(default_factory=list)
    files: dict[int, bytes] = field(default_factory=dict)
    links: dict[str, tuple[int, str]] = field(default_factory=dict)
    drafts: list[DraftRecord] = field(default_factory=list)


class MemoryLedgers:
    """Opens a round's ledger in memory (`Round(root, spec, open_ledger=MemoryLedgers())`):
    each opening sees what the earlier ones kept, as a database would."""

    def __init__(self) -> None:
        self.books: dict[Path, _Books] = {}
        self.opened = 0

    def __call__(self, root: Path) -> MemoryLedger:
        self.opened += 1
        return MemoryLedger(self.books.setdefault(Path(root), _Books()))


class MemoryLedger:
    """One opening of a round's ledger in memory."""

    def __init__(self, books: _Books) -> None:
        self._books = books

    def close(self) -> None:
        pass

    def entries(self, department: str | None = None, data: bool = False) -> list[Entry]:
        wanted = department.casefold() if department else None
        out = [
            e if data else replace(e, verdict=replace(e.verdict, submission=None))
            for e in self._books.entries
            if wanted is None or (e.department or "").casefold() == wanted
        ]
        return sorted(out, key=lambda e: (e.received_at, e.id))

    def get(self, entry_id: int) -> Entry | None:
        return next((e for e in self._books.entries if e.id == entry_id), None)

    def by_sha256(self, sha256: str) -> Entry | None:
        return next((e for e in self._books.entries if e.sha256 == sha256), None)

    def current(self) -> dict[str, Entry]:
        return latest(self.entries())

    def read(self, entry: Entry) -> bytes:
        return self._books.files[entry.id]

    def store_many(
        self,
        files: Sequence[tuple[bytes, str, Verdict]],
        received_at: dt.datetime | None = None,
        sha256s: Sequence[str] | None = None,
        channel: str = "kommandolinje",
    ) -> list[tuple[Entry, bool]]:
        shas = sha256s or [hashlib.sha256(data).hexdigest() for data, _, _ in files]
        out = []
        for (data, name, verdict), sha in zip(files, shas, strict=True):
            known = self.by_sha256(sha)
            if known is not None:
                out.append((known, False))
                continue
            entry = Entry(
                id=len(self._books.entries) + 1,
                sha256=sha,
                original_name=name,
                received_at=received_at or dt.datetime.now(dt.UTC),
                stored=f"i-hukommelsen/{len(self._books.entries) + 1}",
                size=len(data),
                verdict=verdict,
                channel=channel,
            )
            self._books.entries.append(entry)
            self._books.files[entry.id] = data
            out.append((entry, True))
        return out

    def _replace(self, entry_id: int, **changes: object) -> Entry:
        entry = self.get(entry_id)
        if entry is None:
            raise LedgerError(code="no-entry", entry=entry_id)
        changed = replace(entry, **changes)  # type: ignore[arg-type]
        self._books.entries[self._books.entries.index(entry)] = changed
        return changed

    def update_verdict(self, entry_id: int, verdict: Verdict) -> None:
        self._replace(entry_id, verdict=verdict)

    def exclude(self, entry_id: int, reason: str) -> Entry:
        return self._replace(entry_id, excluded=reason, excluded_at=dt.datetime.now(dt.UTC))

    def include(self, entry_id: int) -> Entry:
        return self._replace(entry_id, excluded=None, excluded_at=None)

    def links(self) -> dict[str, tuple[int, str]]:
        return dict(self._books.links)

    def set_link(self, department: str, generation: int, token_sha256: str) -> None:
        self._books.links[department.casefold()] = (generation, token_sha256)

    def record_draft(
        self,
        department: str,
        kind: str,
        file: str,
        recipient: str = "",
        subject: str = "",
        entry: int | None = None,
        when: dt.datetime | None = None,
    ) -> DraftRecord:
        at = when or dt.datetime.now(dt.UTC)
        draft = DraftRecord(
            len(self._books.drafts) + 1, department, kind, at, recipient, subject, file, entry
        )
        self._books.drafts.append(draft)
        return draft

    def drafts(
        self, department: str | None = None, draft_id: int | None = None
    ) -> list[DraftRecord]:
        return [
            d
            for d in self._books.drafts
            if (draft_id is None or d.id == draft_id)
            and (department is None or d.department.casefold() == department.casefold())
        ]

    def withdraw_draft(self, draft_id: int, reason: str) -> None:
        (draft,) = self.drafts(draft_id=draft_id)
        index = self._books.drafts.index(draft)
        self._books.drafts[index] = replace(
            draft, withdrawn=reason, withdrawn_at=dt.datetime.now(dt.UTC)
        )
