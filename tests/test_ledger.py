"""The round's ledger: a real SQLite database and a real folder, written by real processes."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bilag4xl.record import Verdict
from bilag4xl.round.ledger import INCOMING, JOURNAL, SqliteLedger
from support.watch import problems, watching

TMF = "Teknik- og Miljøforvaltningen"
BUF = "Børne- og Ungdomsforvaltningen"


def verdict(department: str | None = TMF, valid: bool = True) -> Verdict:
    return Verdict(department=department, valid=valid)


def agree(root: Path, tries: int = 50) -> list[str]:
    """What is wrong between the ledger and the folder (nothing, when they agree): a listed
    file gone or changed, or a file in the store that no row lists.

    A killed store's leftovers in `.indkommende/` are removed by the first process that opens
    the ledger and gets the lock; while another one (a watcher) holds it, this open leaves
    them, and they are looked at again a moment later. Leftovers no one removes still count."""
    for _ in range(tries):
        found = problems(root)
        with SqliteLedger(root) as ledger:
            stored = {e.stored for e in ledger.entries()}
        for path in (root / "modtaget").rglob("*"):
            relative = path.relative_to(root).as_posix()
            if path.is_file() and relative not in stored:
                found.append(f"stray file {relative}")
        leftovers = [f for f in found if f.startswith(f"stray file modtaget/{INCOMING}/")]
        if not leftovers or len(leftovers) < len(found):
            return found
        time.sleep(0.02)
    return found


def test_the_same_bytes_twice_are_one_submission(tmp_path: Path) -> None:
    with SqliteLedger(tmp_path) as ledger:
        first, new = ledger.store_bytes(b"PK one file", "tmf.xlsx", verdict())
        again, new_again = ledger.store_bytes(b"PK one file", "kopi af tmf.xlsx", verdict())
        assert new and not new_again and again.id == first.id
        assert len(ledger.entries()) == 1 and again.original_name == "tmf.xlsx"


def test_a_batch_is_kept_in_one_commit_and_repeats_are_one_file(tmp_path: Path) -> None:
    with SqliteLedger(tmp_path) as ledger:
        known, _ = ledger.store_bytes(b"sent last week", "tmf.xlsx", verdict())
        kept = ledger.store_many(
            [
                (b"new", "buf.xlsx", verdict(BUF)),
                (b"sent last week", "tmf_igen.xlsx", verdict()),
                (b"new", "buf_kopi.xlsx", verdict(BUF)),
                (b"also new", "tmf_rettet.xlsx", verdict()),
            ]
        )
        assert [(e.original_name, new) for e, new in kept] == [
            ("buf.xlsx", True),
            ("tmf.xlsx", False),
            ("buf.xlsx", False),
            ("tmf_rettet.xlsx", True),
        ]
        assert kept[1][0].id == known.id and len(ledger.entries()) == 3
    assert agree(tmp_path) == []


def test_a_batch_that_fails_midway_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SqliteLedger(tmp_path) as ledger:
        ledger.store_bytes(b"before", "tmf.xlsx", verdict())
        free_name = SqliteLedger._free_name
        calls = []

        def fails_on_the_third(self: SqliteLedger, *args: object) -> str:
            calls.append(args)
            if len(calls) == 3:
                raise OSError("disken er fuld")
            return free_name(self, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(SqliteLedger, "_free_name", fails_on_the_third)
        files = [(f"file {n}".encode(), f"f{n}.xlsx", verdict(BUF)) for n in range(4)]
        with pytest.raises(OSError, match="disken er fuld"):
            ledger.store_many(files)
        assert len(calls) == 3  # two files were moved into place before it failed
        assert [e.original_name for e in ledger.entries()] == ["tmf.xlsx"]
        # removed at once, not left for the next opening's recovery
        files_now = [p for p in (tmp_path / "modtaget").rglob("*") if p.is_file()]
        assert [ledger.path(e) for e in ledger.entries()] == files_now
    assert agree(tmp_path) == []
    assert not list((tmp_path / "modtaget" / INCOMING).glob("*"))


def test_names_a_person_can_read_and_never_a_path_from_the_sender(tmp_path: Path) -> None:
    when = dt.datetime(2025, 4, 3, 12, 5, 9, tzinfo=dt.UTC)
    with SqliteLedger(tmp_path) as ledger:
        entry, _ = ledger.store_bytes(b"x", "../../../etc/tmf\x00.xlsx", verdict(), when)
        unknown, _ = ledger.store_bytes(b"y", "C:\\Users\\x\\bilag.XLSX", verdict(None), when)
    local = when.astimezone().strftime("%Y-%m-%d_%H.%M.%S")
    assert entry.stored == f"modtaget/teknik-og-miljoeforvaltningen/{local}_tmf.xlsx"
    assert unknown.stored == f"modtaget/_ukendt/{local}_bilag.xlsx"
    assert (tmp_path / entry.stored).read_bytes() == b"x"
    assert not (tmp_path.parent / "etc").exists()


def test_newest_received_is_current_whatever_the_file_times(tmp_path: Path) -> None:
    early = dt.datetime(2025, 4, 1, 9, 0, tzinfo=dt.UTC)
    late = early + dt.timedelta(hours=2)
    with SqliteLedger(tmp_path) as ledger:
        # The corrected file is recorded first but was received later.
        corrected, _ = ledger.store_bytes(b"corrected", "tmf_rettet.xlsx", verdict(), late)
        first, _ = ledger.store_bytes(b"first", "tmf.xlsx", verdict(valid=False), early)
        os.utime(ledger.path(first), (time.time(), time.time()))  # a newer file time
        os.utime(ledger.path(corrected), (0, 0))
        assert ledger.current()[TMF.casefold()].id == corrected.id
        assert [e.id for e in ledger.entries(TMF)] == [first.id, corrected.id]
        ledger.exclude(corrected.id, "sendt ved en fejl")
        assert ledger.current()[TMF.casefold()].id == first.id
        ledger.include(corrected.id)
        assert ledger.current()[TMF.casefold()].id == corrected.id


def _store_many(root: str, prefix: str, count: int) -> None:
    """Store `count` files, one at a time and in batches of up to 7 (as a receive does)."""
    rng = random.Random(prefix)
    with SqliteLedger(root) as ledger:
        print("klar", flush=True)  # the parent may kill from now on
        n = 0
        while n < count:
            size = min(rng.randint(1, 7), count - n)
            files = [
                (
                    f"{prefix}-{k}".encode() * 100,
                    f"{prefix}{k}.xlsx",
                    verdict(TMF if k % 2 else BUF),
                )
                for k in range(n, n + size)
            ]
            if size == 1:
                ledger.store_bytes(*files[0])
            else:
                ledger.store_many(files)
            n += size
            print("lagret", n, flush=True)


WORKER = f"""
import sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
from test_ledger import _store_many
_store_many(sys.argv[1], sys.argv[2], int(sys.argv[3]))
"""


def test_two_processes_receiving_at_once_lose_nothing(tmp_path: Path) -> None:
    SqliteLedger(tmp_path).close()
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(tmp_path), name, "50"])
        for name in ("a", "b")
    ]
    assert [w.wait(timeout=120) for w in workers] == [0, 0]
    with SqliteLedger(tmp_path) as ledger:
        assert len(ledger.entries()) == 100
        assert {e.original_name for e in ledger.entries()} == {
            f"{name}{n}.xlsx" for name in "ab" for n in range(50)
        }
    assert agree(tmp_path) == []


def test_kill_9_at_any_moment_leaves_the_ledger_and_the_folder_agreeing(tmp_path: Path) -> None:
    """Twenty receives killed at random moments, while another process reads the ledger
    and checks every listed file on disk by its SHA-256 the whole time."""
    rng = random.Random(20251127)
    stored = []
    SqliteLedger(tmp_path).close()
    with watching(tmp_path) as watched:
        _kill_twenty(tmp_path, rng, stored)
    assert watched.died is None and watched.problems == [], watched.problems
    assert watched.looks > 20, watched.looks
    assert not list((tmp_path / "modtaget" / INCOMING).glob("*"))
    # every kill came while files were being received: some stored, never all of them
    assert all(n < 400 for n in stored) and sum(stored) > 0, stored


def _kill_twenty(tmp_path: Path, rng: random.Random, stored: list[int]) -> None:
    for attempt in range(20):
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(tmp_path), f"k{attempt}-", "400"],
            stdout=subprocess.PIPE,
        )
        assert worker.stdout is not None and worker.stdout.readline() == b"klar\n"
        for _ in range(rng.randint(0, 20)):  # some stores done, the next ones under way
            assert worker.stdout.readline().startswith(b"lagret")
        time.sleep(rng.uniform(0.0, 0.005))
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        worker.stdout.close()
        assert agree(tmp_path) == [], f"attempt {attempt}"
        with SqliteLedger(tmp_path) as ledger:
            names = [e.original_name for e in ledger.entries()]
        stored.append(sum(name.startswith(f"k{attempt}-") for name in names))


def test_a_receive_in_progress_is_not_mistaken_for_a_stray_file(tmp_path: Path) -> None:
    """What a store leaves while it runs is its own; once it is gone (killed), recovery
    removes the files its journal names, unless a row names them."""
    with SqliteLedger(tmp_path) as ledger:
        kept, _ = ledger.store_bytes(b"received", "tmf.xlsx", verdict())
        placed = ledger.store / "x" / "placed.xlsx"
        placed.parent.mkdir()
        placed.write_bytes(b"placed, never committed")
        with ledger._storing() as incoming:
            pending = incoming / "0123.1.tmp"
            pending.write_bytes(b"half written")
            journal = incoming / f"1.ab{JOURNAL}"
            journal.write_text(f"{kept.stored}\nmodtaget/x/placed.xlsx\n../runde.toml\n")
            with SqliteLedger(tmp_path) as other:  # an open while the store runs removes nothing
                assert other.recover() == []
            assert pending.exists() and placed.exists()
        removed = ledger.recover()
        assert sorted(removed) == sorted([placed, pending, journal])
        assert ledger.path(kept).read_bytes() == b"received"  # named by a row: kept
        assert ledger.recover() == []
    assert agree(tmp_path) == []


def test_opening_the_ledger_does_not_walk_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the round holds is checked at open in one look, not file by file."""
    with SqliteLedger(tmp_path) as ledger:
        for n in range(5):
            ledger.store_bytes(f"{n}".encode(), f"{n}.xlsx", verdict())

    def no_walking(*_: object, **__: object) -> None:
        raise AssertionError("the store was walked")

    monkeypatch.setattr(Path, "rglob", no_walking)
    monkeypatch.setattr(Path, "iterdir", no_walking)
    monkeypatch.setattr(os, "walk", no_walking)
    with SqliteLedger(tmp_path) as ledger:
        assert len(ledger.entries()) == 5


def test_status_of_a_hundred_departments_reads_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A round's status comes from its ledger: no submission is opened again."""
    import bilag4xl.intake.validate as validate
    from bilag4xl.form.spec import load_spec
    from bilag4xl.round.folder import Round, round_status

    data = load_spec().model_dump(mode="json")
    data["round"]["departments"] = [{"name": f"Forvaltning {n}"} for n in range(100)]
    from bilag4xl.form.spec import Spec

    spec = Spec.model_validate(data)
    from bilag4xl.form.identity import form_digest

    with SqliteLedger(tmp_path) as ledger:
        for n in range(0, 100, 2):
            checked = Verdict(department=f"Forvaltning {n}", valid=True, form=form_digest(spec))
            ledger.store_bytes(f"{n}".encode(), f"{n}.xlsx", checked)

    def no_reading(*_: object, **__: object) -> None:
        raise AssertionError("a file was read")

    monkeypatch.setattr(validate, "read_file", no_reading)
    monkeypatch.setattr(validate, "validate_paths", no_reading)
    status = round_status(Round(tmp_path, spec))
    assert len(status.departments) == 100
    assert sum(d.state == "valid" for d in status.departments) == 50


def test_a_ledger_of_an_earlier_version_is_brought_up_to_date_once(tmp_path: Path) -> None:
    """A round begun with an earlier bilag4xl keeps its files and gains the new columns."""
    import sqlite3

    from bilag4xl.round import ledger as module

    state = tmp_path / module.STATE_DIR
    state.mkdir()
    old = sqlite3.connect(state / module.DATABASE)
    old.executescript(module._SCHEMA)  # the first version's table, without later columns
    for table, column, _ in module._COLUMNS:
        have = {row[1] for row in old.execute(f"PRAGMA table_info({table})")}
        if column in have:
            old.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    old.execute(
        "INSERT INTO received (sha256, original_name, received_at, stored, size, department) "
        "VALUES ('abc', 'tmf.xlsx', '2026-12-01T10:00:00+00:00', 'modtaget/x/tmf.xlsx', 3, ?)",
        (TMF,),
    )
    old.execute("PRAGMA user_version=1")
    old.commit()
    old.close()
    with SqliteLedger(tmp_path) as ledger:
        (entry,) = ledger.entries()
        assert entry.department == TMF and entry.channel == "kommandolinje"
        assert ledger._db.execute("PRAGMA user_version").fetchone()[0] == module.SCHEMA_VERSION
        new, _ = ledger.store_bytes(b"new", "buf.xlsx", verdict(BUF), channel="side")
        assert new.channel == "side" and len(ledger.entries()) == 2
