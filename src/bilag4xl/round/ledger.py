"""A round's ledger: every file received, stored unchanged, recorded in an SQLite database.

Why a database and not a folder listing: a round runs for weeks, files arrive twice, are
corrected and sent again, and two people may receive files at the same time. The ledger
records each file once (by SHA-256), with the time it was received, and that time, never a
file's own time or the order of copying, decides which of a department's files is current.

Storing is crash-safe. A file is first written to a hidden temporary name and locked; its row
is inserted, the file renamed into place and the transaction committed. A process killed at
any moment leaves either both (committed) or a locked-by-nobody file without a row, which the
next opening of the ledger removes (the received original was only read, never moved). A
file still locked belongs to a receive in progress and is left alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bilag4xl.errors import LedgerError
from bilag4xl.template.writer import slug

STATE_DIR = ".bilag4xl"
DATABASE = "modtaget.sqlite"
INCOMING = ".indkommende"
UNKNOWN = "_ukendt"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS received (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256 TEXT NOT NULL UNIQUE,
    original_name TEXT NOT NULL,
    received_at TEXT NOT NULL,
    stored TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    department TEXT,
    template_id TEXT,
    valid INTEGER,
    errors INTEGER NOT NULL DEFAULT 0,
    warnings INTEGER NOT NULL DEFAULT 0,
    notes INTEGER NOT NULL DEFAULT 0,
    problem TEXT NOT NULL DEFAULT '',
    cover_date TEXT,
    form TEXT NOT NULL DEFAULT '',
    report TEXT NOT NULL DEFAULT '{}',
    excluded TEXT,
    excluded_at TEXT
);
CREATE INDEX IF NOT EXISTS received_department ON received (department, received_at);
"""
_INSERT = (
    "INSERT INTO received (sha256, original_name, received_at, stored, size, department, "
    "template_id, valid, errors, warnings, notes, problem, cover_date, form, report) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


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
        }

    @property
    def counts(self) -> bool:
        """Whether this file can be a department's current submission."""
        return self.excluded is None and bool(self.verdict.department)


class Ledger:
    """The ledger of one round folder (see the module docstring)."""

    def __init__(self, root: str | Path, store: str = "modtaget") -> None:
        self.root = Path(root)
        self.store = self.root / store
        state = self.root / STATE_DIR
        try:
            state.mkdir(parents=True, exist_ok=True)
            self.store.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                state / DATABASE, timeout=60, isolation_level=None, check_same_thread=False
            )  # receive stores on a thread of its own, one call at a time
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except (OSError, sqlite3.Error) as exc:
            raise LedgerError(f"{state / DATABASE} kan ikke åbnes: {exc}") from exc
        self.recover()

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # ------------------------------------------------------------------ reading

    def entries(self, department: str | None = None) -> list[Entry]:
        """Every file received (oldest first); for one department when it is named."""
        if department is None:
            rows = self._db.execute("SELECT * FROM received ORDER BY received_at, id")
        else:
            rows = self._db.execute(
                "SELECT * FROM received WHERE department = ? COLLATE NOCASE "
                "ORDER BY received_at, id",
                (department,),
            )
        return [_entry(row) for row in _dicts(rows)]

    def get(self, entry_id: int) -> Entry | None:
        rows = _dicts(self._db.execute("SELECT * FROM received WHERE id = ?", (entry_id,)))
        return _entry(rows[0]) if rows else None

    def by_sha256(self, sha256: str) -> Entry | None:
        rows = _dicts(self._db.execute("SELECT * FROM received WHERE sha256 = ?", (sha256,)))
        return _entry(rows[0]) if rows else None

    def current(self) -> dict[str, Entry]:
        """Each department's current file: the last received that is not excluded (keys are
        the departments as casefolded names)."""
        out: dict[str, Entry] = {}
        for entry in self.entries():
            if entry.counts:
                out[str(entry.department).casefold()] = entry
        return out

    def path(self, entry: Entry) -> Path:
        return self.root / entry.stored

    # ------------------------------------------------------------------ writing

    def store_bytes(
        self,
        data: bytes,
        original_name: str,
        verdict: Verdict,
        received_at: dt.datetime | None = None,
    ) -> tuple[Entry, bool]:
        """Keep a received file; returns its entry and whether it is new (the same bytes
        received before give the earlier entry and False)."""
        return self.store_many([(data, original_name, verdict)], received_at)[0]

    def store_many(
        self,
        files: Sequence[tuple[bytes, str, Verdict]],
        received_at: dt.datetime | None = None,
    ) -> list[tuple[Entry, bool]]:
        """Keep several received files in one transaction: each is written, synced and
        locked first, as one file is, and then one commit records them all (a delivery of
        hundreds of files would otherwise wait for a commit per file)."""
        incoming = self.store / INCOMING
        incoming.mkdir(exist_ok=True)
        held: list[tuple[Any, Path]] = []
        pending: list[tuple[int, Path, str, int, str, Verdict, dt.datetime]] = []
        out: list[tuple[Entry, bool] | None] = [None] * len(files)
        try:
            for n, (data, original_name, verdict) in enumerate(files):
                sha = hashlib.sha256(data).hexdigest()
                known = self.by_sha256(sha)
                if known is not None:
                    out[n] = (known, False)
                    continue
                if any(p[2] == sha for p in pending):  # the same bytes twice in one call
                    continue
                when = received_at or dt.datetime.now(dt.UTC)
                tmp = incoming / f"{sha[:16]}.{os.getpid()}.tmp"
                handle = open(tmp, "wb")  # noqa: SIM115 - held open: its lock marks a receive in progress
                held.append((handle, tmp))
                fcntl.flock(handle, fcntl.LOCK_EX)
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
                pending.append((n, tmp, sha, len(data), original_name, verdict, when))
            ids = self._commit(pending)
            for n, _, sha, *_ in pending:
                entry = self.get(ids[sha]) if sha in ids else self.by_sha256(sha)
                assert entry is not None
                out[n] = (entry, sha in ids)
        finally:
            for handle, tmp in held:
                handle.close()
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
        for n, (data, _, _) in enumerate(files):  # repeats within the call: the first's entry
            if out[n] is None:
                entry = self.by_sha256(hashlib.sha256(data).hexdigest())
                assert entry is not None
                out[n] = (entry, False)
        return [o for o in out if o is not None]

    def _commit(
        self, pending: list[tuple[int, Path, str, int, str, Verdict, dt.datetime]]
    ) -> dict[str, int]:
        """Insert the rows and move the files into place, then commit; the ids of the files
        that were new (another process may have received the same bytes meanwhile)."""
        ids: dict[str, int] = {}
        placed: list[Path] = []
        made: set[Path] = set()  # folders known to exist (one mkdir each, not one per file)
        with self._transaction():
            try:
                for _, tmp, sha, size, original_name, verdict, when in pending:
                    if self.by_sha256(sha) is not None:
                        continue
                    stored = self._free_name(verdict.department, when, original_name, sha)
                    utc = when.astimezone(dt.UTC).isoformat()
                    row = (sha, original_name, utc, stored, size, *_verdict_columns(verdict))
                    cursor = self._db.execute(_INSERT, row)
                    target = self.root / stored
                    if target.parent not in made:
                        target.parent.mkdir(parents=True, exist_ok=True)
                        made.add(target.parent)
                    os.replace(tmp, target)  # still locked by its handle until the commit
                    placed.append(target)
                    ids[sha] = int(cursor.lastrowid or 0)
                self._db.execute("COMMIT")
            except BaseException:
                for target in placed:  # no rows, no files: as if they never came
                    with contextlib.suppress(FileNotFoundError):
                        target.unlink()
                raise
        return ids

    def update_verdict(self, entry_id: int, verdict: Verdict) -> None:
        """A new verdict for a stored file (the round's form changed since it was checked)."""
        with self._transaction():
            self._db.execute(
                "UPDATE received SET department = ?, template_id = ?, valid = ?, errors = ?, "
                "warnings = ?, notes = ?, problem = ?, cover_date = ?, form = ?, report = ? "
                "WHERE id = ?",
                (*_verdict_columns(verdict), entry_id),
            )

    def exclude(self, entry_id: int, reason: str) -> Entry:
        """Leave a file out of the round (it stays stored and listed), with a reason."""
        if not reason.strip():
            raise LedgerError("angiv en begrundelse for at udelade filen")
        now = dt.datetime.now(dt.UTC).isoformat()
        return self._set_excluded(entry_id, reason.strip(), now)

    def include(self, entry_id: int) -> Entry:
        """Take an excluded file back into the round."""
        return self._set_excluded(entry_id, None, None)

    def _set_excluded(self, entry_id: int, reason: str | None, when: str | None) -> Entry:
        with self._transaction():
            cursor = self._db.execute(
                "UPDATE received SET excluded = ?, excluded_at = ? WHERE id = ?",
                (reason, when, entry_id),
            )
        if cursor.rowcount != 1:
            raise LedgerError(f"ingen modtaget fil med nummer {entry_id}")
        entry = self.get(entry_id)
        assert entry is not None
        return entry

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE: one writer at a time across processes (others wait, up to 60 s).
        The block may COMMIT itself (to act right after it); otherwise it commits here."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise LedgerError(f"rundens register er optaget eller låst: {exc}") from exc
        try:
            yield
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        if self._db.in_transaction:
            self._db.execute("COMMIT")

    def _free_name(self, department: str | None, when: dt.datetime, name: str, sha: str) -> str:
        """ "modtaget/teknik-og-miljoeforvaltningen/2025-04-03_14.05.09_tmf.xlsx": the
        department, the local time received and the sender's own file name."""
        folder = slug(department) if department else UNKNOWN
        stamp = when.astimezone().strftime("%Y-%m-%d_%H.%M.%S")
        stem, suffix = _safe_name(name)
        base = f"{self.store.name}/{folder}/{stamp}_{stem}"
        candidates = [f"{base}{suffix}", f"{base}_{sha[:12]}{suffix}", f"{base}_{sha}{suffix}"]
        taken = {
            str(row[0])
            for row in self._db.execute(
                "SELECT stored FROM received WHERE stored IN (?, ?, ?)", candidates
            )
        }
        return next(c for c in candidates if c not in taken and not (self.root / c).exists())

    # ------------------------------------------------------------------ recovery

    def recover(self) -> list[Path]:
        """Remove what an interrupted store left behind: files in the store with no row and
        no live owner (their lock is gone with the process). Returns what was removed."""
        known = {str(row[0]) for row in self._db.execute("SELECT stored FROM received")}
        removed = []
        for path in sorted(self.store.rglob("*")):
            if not path.is_file() or path.relative_to(self.root).as_posix() in known:
                continue
            if _unowned(path):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                removed.append(path)
        return removed


def _unowned(path: Path) -> bool:
    """True when no process holds the file's lock (a receive that died, not one running)."""
    try:
        with open(path, "rb") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
    except BlockingIOError:
        return False
    except FileNotFoundError:
        return False


def _verdict_columns(v: Verdict) -> tuple[Any, ...]:
    return (
        v.department,
        v.template_id,
        None if v.valid is None else int(v.valid),
        v.errors,
        v.warnings,
        v.notes,
        v.problem,
        v.cover_date.isoformat() if v.cover_date else None,
        v.form,
        json.dumps(v.report, ensure_ascii=False),
    )


def _dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _entry(row: dict[str, Any]) -> Entry:
    verdict = Verdict(
        department=row["department"],
        template_id=row["template_id"],
        valid=None if row["valid"] is None else bool(row["valid"]),
        errors=row["errors"],
        warnings=row["warnings"],
        notes=row["notes"],
        problem=row["problem"],
        cover_date=dt.date.fromisoformat(row["cover_date"]) if row["cover_date"] else None,
        form=row["form"],
        report=json.loads(row["report"]),
    )
    return Entry(
        id=row["id"],
        sha256=row["sha256"],
        original_name=row["original_name"],
        received_at=dt.datetime.fromisoformat(row["received_at"]),
        stored=row["stored"],
        size=row["size"],
        verdict=verdict,
        excluded=row["excluded"],
        excluded_at=dt.datetime.fromisoformat(row["excluded_at"]) if row["excluded_at"] else None,
    )


def _safe_name(name: str) -> tuple[str, str]:
    """The sender's file name as a safe stem and suffix: never a path (an upload may be named
    "../../x.xlsx"), no control characters, a sensible length."""
    base = re.split(r"[\\/]", name)[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"[^\w.-]+", "_", stem, flags=re.UNICODE).strip("._")[:60] or "fil"
    suffix = "." + re.sub(r"[^a-z0-9]", "", suffix.lower())[:8] if suffix else ""
    return stem, suffix
