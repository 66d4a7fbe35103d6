"""A round's ledger: every file received, stored unchanged, recorded in an SQLite database.

Why a database and not a folder listing: a round runs for weeks, files arrive twice, are
corrected and sent again, and two people may receive files at the same time. The ledger
records each file once (by SHA-256), with the time it was received, and that time, never a
file's own time or the order of copying, decides which of a department's files is current.

Storing is crash-safe, and nothing another process does can delete a stored file:
- A process storing files holds a shared lock on `.bilag4xl/lager.lock` from before its first
  temporary file until its last is gone. Recovery needs that lock exclusively and never waits
  for it: while any store runs anywhere, nothing is recovered.
- Files are written under `modtaget/.indkommende/` and synced. Inside one write transaction
  (BEGIN IMMEDIATE) the rows are inserted, a journal naming each file's place is written and
  synced, the files are renamed into place and the transaction commits; then the journal goes.
- A process killed at any moment leaves rows and files that agree (committed), or files
  without rows that its journal names (not committed). Recovery removes those, under the
  exclusive lock and inside a write transaction, and only after checking again that no row
  names them. A file the ledger lists is never removed.
- Whether anything is left to recover is one look at `.indkommende/` (empty or not), so
  opening the ledger costs the same for ten files or ten thousand.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bilag4xl.errors import LedgerError
from bilag4xl.record import DraftRecord, Entry, Verdict, latest
from bilag4xl.textsafe import slug

STATE_DIR = ".bilag4xl"
DATABASE = "modtaget.sqlite"
STORE_LOCK = "lager.lock"
INCOMING = ".indkommende"
JOURNAL = ".journal"
UNKNOWN = "_ukendt"
SCHEMA_VERSION = 5

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
CREATE TABLE IF NOT EXISTS links (
    department TEXT PRIMARY KEY COLLATE NOCASE,
    generation INTEGER NOT NULL,
    token_sha256 TEXT NOT NULL,
    made_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS drafts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    department TEXT NOT NULL,
    kind TEXT NOT NULL,
    drafted_at TEXT NOT NULL,
    recipient TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT '',
    file TEXT NOT NULL,
    entry INTEGER,
    withdrawn TEXT,
    withdrawn_at TEXT
);
CREATE INDEX IF NOT EXISTS drafts_department ON drafts (department, drafted_at);
"""
# Columns added after a round's ledger was first made: (table, column, declaration). Each is
# added when missing, once, when a ledger of an older version is opened.
_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("received", "channel", "TEXT NOT NULL DEFAULT 'kommandolinje'"),
    ("received", "made_from", "INTEGER"),
    # What the file was read as (`bilag4xl/submission/1`, JSON); NULL in a ledger from before
    # it was kept: the file is then read once more, when its data is first needed.
    ("received", "submission", "TEXT"),
)
_INSERT = (
    "INSERT INTO received (sha256, original_name, received_at, stored, size, department, "
    "template_id, valid, errors, warnings, notes, problem, cover_date, form, report, "
    "submission, channel, made_from) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class SqliteLedger:
    """The ledger of one round folder (see the module docstring): the round's `Ledger`,
    in SQLite beside the files it keeps."""

    def __init__(self, root: str | Path, store: str = "modtaget") -> None:
        self.root = Path(root)
        self.store = self.root / store
        state = self.root / STATE_DIR
        try:
            state.mkdir(parents=True, exist_ok=True)
            self.store.mkdir(parents=True, exist_ok=True)
            self._lock_path = state / STORE_LOCK
            self._db = sqlite3.connect(
                state / DATABASE, timeout=60, isolation_level=None, check_same_thread=False
            )  # receive stores on a thread of its own, one call at a time
            self._db.execute("PRAGMA synchronous=FULL")
            if self._db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                self._migrate()
        except (OSError, sqlite3.Error) as exc:
            raise LedgerError(code="ledger-unopenable", path=state / DATABASE, reason=exc) from exc
        self.recover()

    def _migrate(self) -> None:
        """Make or bring up to date the tables of a new or older ledger (once, not at every
        opening: a page view or a status must not need the write lock)."""
        self._db.execute("PRAGMA journal_mode=WAL")
        with self._transaction():
            if self._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
                return  # another process did it meanwhile
            for statement in filter(str.strip, _SCHEMA.split(";")):
                self._db.execute(statement)
            for table, column, declaration in _COLUMNS:
                have = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
                if column not in have:
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SqliteLedger:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # ------------------------------------------------------------------ reading

    def entries(self, department: str | None = None, data: bool = False) -> list[Entry]:
        """Every file received (oldest first); for one department when it is named. With
        `data`, each verdict holds the submission read (else None: a status of hundreds of
        files needs none of their data, and would read it all from the database)."""
        columns = "*" if data else self._columns_but("submission")
        if department is None:
            rows = self._db.execute(f"SELECT {columns} FROM received ORDER BY received_at, id")
        else:
            rows = self._db.execute(
                f"SELECT {columns} FROM received WHERE department = ? COLLATE NOCASE "
                "ORDER BY received_at, id",
                (department,),
            )
        return [_entry(row) for row in _dicts(rows)]

    def _columns_but(self, left_out: str) -> str:
        names = [row[1] for row in self._db.execute("PRAGMA table_info(received)")]
        return ", ".join(n for n in names if n != left_out)

    def get(self, entry_id: int) -> Entry | None:
        rows = _dicts(self._db.execute("SELECT * FROM received WHERE id = ?", (entry_id,)))
        return _entry(rows[0]) if rows else None

    def by_sha256(self, sha256: str) -> Entry | None:
        rows = _dicts(self._db.execute("SELECT * FROM received WHERE sha256 = ?", (sha256,)))
        return _entry(rows[0]) if rows else None

    def current(self) -> dict[str, Entry]:
        """Each department's current file: the last received that is not excluded (keys are
        the departments as casefolded names)."""
        return latest(self.entries())

    def path(self, entry: Entry) -> Path:
        return self.root / entry.stored

    def read(self, entry: Entry) -> bytes:
        """The stored file's bytes, unchanged."""
        try:
            return self.path(entry).read_bytes()
        except OSError as exc:
            raise LedgerError(code="ledger-unopenable", path=self.path(entry), reason=exc) from exc

    # ------------------------------------------------------------------ writing

    def store_bytes(
        self,
        data: bytes,
        original_name: str,
        verdict: Verdict,
        received_at: dt.datetime | None = None,
        channel: str = "kommandolinje",
    ) -> tuple[Entry, bool]:
        """Keep a received file; returns its entry and whether it is new (the same bytes
        received before give the earlier entry and False)."""
        return self.store_many([(data, original_name, verdict)], received_at, channel=channel)[0]

    def store_many(
        self,
        files: Sequence[tuple[bytes, str, Verdict]],
        received_at: dt.datetime | None = None,
        sha256s: Sequence[str] | None = None,
        channel: str = "kommandolinje",
    ) -> list[tuple[Entry, bool]]:
        """Keep several received files in one transaction (a delivery of hundreds of files
        would otherwise wait for a commit per file). `sha256s`, when the caller hashed the
        bytes already, spares hashing them again; `channel` says how they came."""
        shas = (
            list(sha256s)
            if sha256s is not None
            else [hashlib.sha256(f[0]).hexdigest() for f in files]
        )
        out: list[tuple[Entry, bool] | None] = [None] * len(files)
        pending: list[_Pending] = []
        with self._storing() as incoming:
            try:
                for n, ((data, original_name, verdict), sha) in enumerate(
                    zip(files, shas, strict=True)
                ):
                    known = self.by_sha256(sha)
                    if known is not None:
                        out[n] = (known, False)
                    elif all(p.sha != sha for p in pending):  # the same bytes twice: once
                        when = received_at or dt.datetime.now(dt.UTC)
                        tmp = _write_temp(incoming, sha, data)
                        pending.append(
                            _Pending(n, tmp, sha, len(data), original_name, verdict, when)
                        )
                ids = self._commit(pending, incoming, channel)
            finally:
                for item in pending:  # placed ones are gone from here already
                    with contextlib.suppress(FileNotFoundError):
                        item.tmp.unlink()
        for item in pending:
            entry = self.get(ids[item.sha]) if item.sha in ids else self.by_sha256(item.sha)
            assert entry is not None
            out[item.n] = (entry, item.sha in ids)
        for n, sha in enumerate(shas):  # repeats within the call: the first's entry
            if out[n] is None:
                entry = self.by_sha256(sha)
                assert entry is not None
                out[n] = (entry, False)
        return [o for o in out if o is not None]

    def _commit(self, pending: list[_Pending], incoming: Path, channel: str) -> dict[str, int]:
        """Insert the rows, journal where the files go, move them into place, then commit;
        the ids of the files that were new (another process may have received the same
        bytes meanwhile). On any failure the files placed are removed again."""
        if not pending:
            return {}
        ids: dict[str, int] = {}
        placed: list[Path] = []
        journal = incoming / f"{os.getpid()}.{secrets.token_hex(8)}{JOURNAL}"
        with self._transaction():
            try:
                moves = []
                for item in pending:
                    if self.by_sha256(item.sha) is not None:
                        continue
                    stored = self._free_name(
                        item.verdict.department, item.when, item.name, item.sha
                    )
                    utc = item.when.astimezone(dt.UTC).isoformat()
                    row = (item.sha, item.name, utc, stored, item.size)
                    verdict = (*_verdict_columns(item.verdict), channel, item.verdict.made_from)
                    cursor = self._db.execute(_INSERT, (*row, *verdict))
                    ids[item.sha] = int(cursor.lastrowid or 0)
                    moves.append((item.tmp, self.root / stored, stored))
                _write_synced(journal, "\n".join(m[2] for m in moves).encode("utf-8"))
                for folder in {target.parent for _, target, _ in moves}:
                    folder.mkdir(parents=True, exist_ok=True)
                for tmp, target, _ in moves:
                    os.replace(tmp, target)
                    placed.append(target)
                for folder in {target.parent for target in placed}:
                    _sync_folder(folder)
                self._db.execute("COMMIT")
            except BaseException:
                for target in placed:  # no rows, no files: as if they never came
                    with contextlib.suppress(FileNotFoundError):
                        target.unlink()
                raise
            finally:
                with contextlib.suppress(FileNotFoundError):
                    journal.unlink()
        return ids

    def update_verdict(self, entry_id: int, verdict: Verdict) -> None:
        """A new verdict for a stored file (the round's form changed since it was checked)."""
        with self._transaction():
            self._db.execute(
                "UPDATE received SET department = ?, template_id = ?, valid = ?, errors = ?, "
                "warnings = ?, notes = ?, problem = ?, cover_date = ?, form = ?, report = ?, "
                "submission = ? WHERE id = ?",
                (*_verdict_columns(verdict), entry_id),
            )

    def exclude(self, entry_id: int, reason: str) -> Entry:
        """Leave a file out of the round (it stays stored and listed), with a reason."""
        if not reason.strip():
            raise LedgerError(code="exclude-no-reason")
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
            raise LedgerError(code="no-entry", entry=entry_id)
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
            raise LedgerError(code="ledger-busy", reason=exc) from exc
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

    @contextlib.contextmanager
    def _storing(self) -> Iterator[Path]:
        """The shared lock every storing process holds (see the module docstring); yields
        the folder for temporary files."""
        incoming = self.store / INCOMING
        incoming.mkdir(exist_ok=True)
        with open(self._lock_path, "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_SH)
            yield incoming

    def recover(self) -> list[Path]:
        """Remove what an interrupted store left behind; returns what was removed. Nothing is
        done while any process is storing (it cleans up after itself, or recovery runs when
        it has died), and a file the ledger lists is never removed."""
        incoming = self.store / INCOMING
        if not _has_entries(incoming):
            return []  # the usual case, in one look: nothing was interrupted
        with open(self._lock_path, "a+b") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return []  # a store is under way
            # A store killed inside its COMMIT can leave that commit whole in the WAL but not
            # yet in its index: no connection sees the rows, and a later reopen that rebuilds
            # the index would bring them back, naming files removed here (seen once in ~60
            # kill -9 runs). A write, committed first, takes the WAL's next frames for good,
            # so the rows checked below are the ledger as it will stay.
            with self._transaction():
                version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
                self._db.execute(f"PRAGMA user_version = {version}")
            with self._transaction():  # no row can be committed meanwhile
                return self._remove_leftovers(incoming)

    def _remove_leftovers(self, incoming: Path) -> list[Path]:
        """What dead stores left in `incoming` and the places their journals name, less
        every file a row names (checked now, under the write lock)."""
        removed = []
        for leftover in sorted(incoming.iterdir()):
            if leftover.name.endswith(JOURNAL):
                for stored in leftover.read_text("utf-8", errors="replace").splitlines():
                    target = self.root / stored
                    listed = self._db.execute(
                        "SELECT 1 FROM received WHERE stored = ?", (stored,)
                    ).fetchone()
                    if listed is None and target.is_file() and self.store in target.parents:
                        target.unlink()
                        removed.append(target)
            with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                leftover.unlink()
                removed.append(leftover)
        return removed

    # ------------------------------------------------------------------ department links

    def links(self) -> dict[str, tuple[int, str]]:
        """Each department's link as kept: its generation and the SHA-256 of its token (the
        token itself is never stored; `round.links` derives it), keyed by the casefolded name."""
        rows = self._db.execute("SELECT department, generation, token_sha256 FROM links")
        return {str(d).casefold(): (int(g), str(h)) for d, g, h in rows}

    def set_link(self, department: str, generation: int, token_sha256: str) -> None:
        """Keep a department's link (a newer generation replaces the old, which stops working)."""
        now = dt.datetime.now(dt.UTC).isoformat()
        with self._transaction():
            self._db.execute(
                "INSERT INTO links (department, generation, token_sha256, made_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (department) DO UPDATE SET "
                "generation = excluded.generation, token_sha256 = excluded.token_sha256, "
                "made_at = excluded.made_at",
                (department, generation, token_sha256, now),
            )

    # ------------------------------------------------------------------ e-mail drafts

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
        """Note that a draft was written (what `remind` wrote, to whom and why)."""
        at = (when or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat()
        with self._transaction():
            cursor = self._db.execute(
                "INSERT INTO drafts (department, kind, drafted_at, recipient, subject, file, "
                "entry) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (department, kind, at, recipient, subject, file, entry),
            )
        found = self.drafts(draft_id=int(cursor.lastrowid or 0))
        return found[0]

    def drafts(
        self, department: str | None = None, draft_id: int | None = None
    ) -> list[DraftRecord]:
        """The drafts written (oldest first), for one department or one id when given."""
        query = "SELECT * FROM drafts"
        args: tuple[Any, ...] = ()
        if draft_id is not None:
            query, args = query + " WHERE id = ?", (draft_id,)
        elif department is not None:
            query, args = query + " WHERE department = ? COLLATE NOCASE", (department,)
        rows = _dicts(self._db.execute(query + " ORDER BY drafted_at, id", args))
        return [_draft(row) for row in rows]

    def withdraw_draft(self, draft_id: int, reason: str) -> None:
        """Note that a draft no longer applies (and why); it stays listed."""
        now = dt.datetime.now(dt.UTC).isoformat()
        with self._transaction():
            self._db.execute(
                "UPDATE drafts SET withdrawn = ?, withdrawn_at = ? WHERE id = ?",
                (reason, now, draft_id),
            )


def _draft(row: dict[str, Any]) -> DraftRecord:
    """A row of `drafts` (its columns are DraftRecord's fields), its times parsed."""
    times = ("drafted_at", "withdrawn_at")
    return DraftRecord(**{**row, **{k: _time(row[k]) for k in times}})


def _time(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class _Pending:
    """A file written to its temporary name, waiting for its row."""

    n: int  # its place in the call
    tmp: Path
    sha: str
    size: int
    name: str
    verdict: Verdict
    when: dt.datetime


def _write_temp(incoming: Path, sha: str, data: bytes) -> Path:
    """The bytes under a fresh temporary name, synced (never a name another store uses)."""
    tmp = incoming / f"{sha[:16]}.{os.getpid()}.{secrets.token_hex(6)}.tmp"
    _write_synced(tmp, data)
    return tmp


def _write_synced(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        _write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _sync_folder(folder: Path) -> None:
    """Make the renames into `folder` durable before the rows that name them commit."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _has_entries(folder: Path) -> bool:
    try:
        with os.scandir(folder) as entries:
            return next(entries, None) is not None
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
        v.submission,
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
        made_from=row.get("made_from"),
        submission=row.get("submission"),
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
        channel=row.get("channel") or "kommandolinje",
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
