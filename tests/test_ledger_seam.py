"""The ledger is a seam: a round given another ledger (here one in memory, `support.
memory_ledger`) receives, answers its status, merges and makes its annex without one row in
the SQLite ledger and without a file in `modtaget/`. The rounds ask a ledger for files by
their entries, never for a place on disk."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bilag4xl.consolidate.read import open_consolidated
from bilag4xl.intake import validate
from bilag4xl.record import Ledger
from bilag4xl.round import folder
from bilag4xl.round.annex import annex_bytes
from bilag4xl.round.consolidated import merge_round
from bilag4xl.round.feedback import feedback_for
from bilag4xl.round.folder import (
    RECEIVED,
    Round,
    exclude,
    history,
    init_round,
    open_round,
    round_status,
)
from bilag4xl.round.ledger import DATABASE, STATE_DIR, SqliteLedger
from bilag4xl.round.receive import receive
from support.memory_ledger import MemoryLedgers
from test_left_out import BUF, KFF, TMF, sent


@pytest.fixture
def rnd(tmp_path: Path) -> Round:
    init_round(tmp_path / "runde")
    return open_round(tmp_path / "runde", open_ledger=MemoryLedgers())


def rows_on_disk(rnd: Round) -> int:
    with sqlite3.connect(rnd.root / STATE_DIR / DATABASE) as db:
        return int(db.execute("SELECT count(*) FROM received").fetchone()[0])


def files_on_disk(rnd: Round) -> list[Path]:
    return [p for p in (rnd.root / RECEIVED).rglob("*") if p.is_file()]


def test_a_round_receives_into_the_ledger_it_is_given(rnd: Round, tmp_path: Path) -> None:
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    files = [sent(inbox, TMF, "tmf.xlsx"), sent(inbox, KFF, "kff.xlsx", email="ikke en adresse")]
    assert [r.outcome for r in receive(rnd, files)] == ["new", "new"]
    assert [r.outcome for r in receive(rnd, files[:1])] == ["duplicate"]  # known by its bytes
    kept = history(rnd)
    assert [e.original_name for e in kept] == ["tmf.xlsx", "kff.xlsx"]
    assert rows_on_disk(rnd) == 0 and files_on_disk(rnd) == []
    assert rnd.open_ledger.opened >= 3  # type: ignore[attr-defined]

    status = {d.name: d.state for d in round_status(rnd).departments}
    assert status[TMF] == "valid" and status[KFF] == "invalid"
    exclude(rnd, kept[1].id, "sendt ved en fejl")
    assert {d.name: d.state for d in round_status(rnd).departments}[KFF] == "missing"


def test_a_round_merges_and_makes_its_annex_from_the_ledger_it_is_given(
    rnd: Round, tmp_path: Path
) -> None:
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    receive(rnd, [sent(inbox, TMF, "tmf.xlsx"), sent(inbox, BUF, "buf.xlsx")])
    run = merge_round(rnd, tmp_path / "samlet.xlsx")
    assert run.written is not None
    merged = open_consolidated(run.written, rnd.spec)
    assert [s.department for s in merged.submissions] == [TMF, BUF]
    (kff,) = receive(rnd, [sent(inbox, KFF, "kff.xlsx", email="ikke en adresse")])
    data, left_out = annex_bytes(rnd)
    assert data[:2] == b"PK" and {d.department: d.reason for d in left_out}[KFF] == "fejl"
    # the feedback workbook is made from the file's bytes, which only the ledger has
    assert kff.entry is not None
    name, workbook = feedback_for(rnd, kff.entry.id)
    assert name == "kff_rettelser.xlsx" and workbook[:2] == b"PK"
    assert rows_on_disk(rnd) == 0 and files_on_disk(rnd) == []


def test_both_ledgers_answer_every_call_of_the_interface(tmp_path: Path) -> None:
    with SqliteLedger(tmp_path) as sqlite:
        assert isinstance(sqlite, Ledger)
    assert isinstance(MemoryLedgers()(tmp_path), Ledger)


def test_stored_files_are_checked_again_from_the_ledger_a_batch_at_a_time(
    rnd: Round, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    receive(rnd, [sent(inbox, TMF, "tmf.xlsx"), sent(inbox, BUF, "buf.xlsx")])
    pools: list[list[bytes]] = []
    check_each = validate.check_each

    def counted(files: Any, *args: Any, **kwargs: Any) -> Any:
        pools.append([f.data[:2] for f in files])  # bytes given, not places
        return check_each(files, *args, **kwargs)

    monkeypatch.setattr(validate, "check_each", counted)
    monkeypatch.setattr(folder, "READ_BYTES", 1)  # one file a batch
    kept = history(rnd)
    with rnd.ledger() as ledger:
        checked = list(folder.check_stored(rnd, ledger, kept))
    assert [e.id for e, _ in checked] == [e.id for e in kept]
    assert [r.submission.department for _, r in checked if r.submission] == [TMF, BUF]
    assert pools == [[b"PK"], [b"PK"]]
