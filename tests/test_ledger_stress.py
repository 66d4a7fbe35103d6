"""No received file is ever lost, whatever reads the round meanwhile.

A receive of many small deliveries runs in a process of its own while other processes open the
ledger and ask for the round's status, and a real web server answers page views. Afterwards the
ledger's own listing is checked against the disk: every file it lists is there, with its
SHA-256. (Opening the ledger used to remove files stored between its listing and its lock
probe: 12 to 35 of 100 files were lost that way.)
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2

from bilag4xl.round.folder import init_round, open_round
from bilag4xl.round.ledger import INCOMING, SqliteLedger
from bilag4xl.web.app import create_app
from web_helpers import TMF, filled, running, variants

DELIVERIES = 30  # of two files each: sixty files, stored in thirty commits

RECEIVER = """
import sys
from pathlib import Path
from bilag4xl.round.folder import open_round
from bilag4xl.round.receive import receive
rnd = open_round(sys.argv[1])
files = sorted(Path(sys.argv[2]).glob("*.xlsx"))
print("klar", flush=True)
for n in range(0, len(files), 2):
    receipts = receive(rnd, files[n : n + 2])
    assert all(r.outcome == "new" for r in receipts), [(r.source, r.reason) for r in receipts]
"""

READER = """
import sys
from bilag4xl.round.folder import open_round, round_status
from bilag4xl.round.ledger import SqliteLedger
rnd = open_round(sys.argv[1])
n = 0
while True:
    if n % 2:
        round_status(rnd)
    else:
        with SqliteLedger(rnd.root) as ledger:
            ledger.entries()
    n += 1
    print(n, flush=True)
"""


def missing(root: Path) -> list[str]:
    """Every file the ledger lists that is not on disk with its SHA-256."""
    with SqliteLedger(root) as ledger:
        entries = ledger.entries()
        problems = []
        for entry in entries:
            path = ledger.path(entry)
            if not path.is_file():
                problems.append(f"{entry.id} {entry.stored}: gone")
            elif hashlib.sha256(path.read_bytes()).hexdigest() != entry.sha256:
                problems.append(f"{entry.id} {entry.stored}: changed")
    return problems


def test_a_receive_loses_nothing_to_ledger_opens_status_and_page_views(tmp_path: Path) -> None:
    rnd = init_round(tmp_path / "runde")[0]
    source = filled(tmp_path / "kilde", rnd.spec, TMF)
    variants(source, tmp_path / "leveringer", DELIVERIES * 2)
    views = [0]
    stop = threading.Event()
    with running(create_app(rnd.root)) as url:

        def page_views() -> None:
            with httpx2.Client(base_url=url, timeout=60) as http:
                while not stop.is_set():
                    for page in ("/", "/api/status"):
                        assert http.get(page).status_code == 200
                        views[0] += 1

        viewer = threading.Thread(target=page_views)
        readers = [
            subprocess.Popen(
                [sys.executable, "-c", READER, str(rnd.root)],
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        receiver = subprocess.Popen(
            [sys.executable, "-c", RECEIVER, str(rnd.root), str(tmp_path / "leveringer")],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert receiver.stdout is not None and receiver.stdout.readline() == "klar\n"
            viewer.start()
            assert receiver.wait(timeout=300) == 0
        finally:
            stop.set()
            for reader in readers:
                reader.kill()
            if viewer.is_alive():
                viewer.join(timeout=60)
            receiver.communicate()
        opens = [len((r.communicate()[0] or "").split()) for r in readers]
    assert missing(rnd.root) == []
    assert len(open_round(rnd.root).current()) == 1
    with SqliteLedger(rnd.root) as ledger:
        assert len(ledger.entries()) == DELIVERIES * 2
    assert not list((rnd.root / "modtaget" / INCOMING).iterdir())
    # the readers really ran while the files were stored
    assert min(opens) > 5 and views[0] > 5, (opens, views)


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
    assert missing(tmp_path) == []
    with SqliteLedger(tmp_path) as ledger:
        assert len(ledger.entries()) == 300
