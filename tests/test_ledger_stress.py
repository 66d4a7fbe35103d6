"""No received file is ever lost, whatever reads the round meanwhile.

A receive of many small deliveries runs in a process of its own while other processes open the
ledger and ask for the round's status, and a real web server answers page views. Afterwards the
ledger's own listing is checked against the disk: every file it lists is there, with its
SHA-256. (Opening the ledger used to remove files stored between its listing and its lock
probe: 12 to 35 of 100 files were lost that way.)
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bilag4xl.round.folder import init_round, open_round
from bilag4xl.round.ledger import INCOMING, SqliteLedger
from support.watch import problems, watching
from web_helpers import TMF, filled, page_views, variants

DELIVERIES = 30  # of two files each: sixty files, stored in thirty commits

RECEIVER = """
import sys
from pathlib import Path
from bilag4xl.round.folder import open_round
from bilag4xl.round.receive import receive
rnd = open_round(sys.argv[1])
files = sorted(Path(sys.argv[2]).glob("*.xlsx"))
for n in range(0, len(files), 2):
    receipts = receive(rnd, files[n : n + 2])
    assert all(r.outcome == "new" for r in receipts), [(r.source, r.reason) for r in receipts]
"""


def test_a_receive_loses_nothing_to_ledger_opens_status_and_page_views(tmp_path: Path) -> None:
    rnd = init_round(tmp_path / "runde")[0]
    source = filled(tmp_path / "kilde", rnd.spec, TMF)
    variants(source, tmp_path / "leveringer", DELIVERIES * 2)
    with (
        watching(rnd.root, in_round=True) as one,
        watching(rnd.root) as two,
        page_views(rnd.root) as views,
    ):
        receiver = subprocess.Popen(
            [sys.executable, "-c", RECEIVER, str(rnd.root), str(tmp_path / "leveringer")],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert receiver.wait(timeout=300) == 0
        finally:
            receiver.communicate()
    for watched in (one, two):  # they read while the files were stored, and found all
        assert watched.died is None and watched.problems == [], watched.problems
        assert watched.looks > 5, watched.looks
    assert views[0] > 5, views
    assert problems(rnd.root) == []
    assert len(open_round(rnd.root).current()) == 1
    with SqliteLedger(rnd.root) as ledger:
        assert len(ledger.entries()) == DELIVERIES * 2
    assert not list((rnd.root / "modtaget" / INCOMING).iterdir())


STORER = """
import sys
from bilag4xl.record import Verdict
from bilag4xl.round.ledger import SqliteLedger
root, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
for n in range(count):
    with SqliteLedger(root) as ledger:
        ledger.store_bytes(f"{prefix}{n}".encode(), f"{prefix}{n}.xlsx", Verdict(department="A"))
"""

OPENER = """
import sys
from bilag4xl.round.ledger import SqliteLedger
while True:
    SqliteLedger(sys.argv[1]).close()
"""


def test_many_single_stores_against_many_ledger_opens(tmp_path: Path) -> None:
    """The narrowest window: a store that commits between another process's look at the
    store and its lock probe. Hundreds of single-file commits against three openers."""
    SqliteLedger(tmp_path).close()
    openers = [subprocess.Popen([sys.executable, "-c", OPENER, str(tmp_path)]) for _ in range(3)]
    try:
        time.sleep(0.3)
        storers = [
            subprocess.Popen([sys.executable, "-c", STORER, str(tmp_path), p, "150"])
            for p in ("a", "b")
        ]
        assert [s.wait(timeout=300) for s in storers] == [0, 0]
    finally:
        for opener in openers:
            opener.kill()
            opener.wait()
    assert problems(tmp_path) == []
    with SqliteLedger(tmp_path) as ledger:
        assert len(ledger.entries()) == 300
