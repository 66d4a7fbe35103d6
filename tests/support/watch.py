"""A process that reads a round while others receive into it or are killed: it opens the
ledger again and again (asking the round's status too, in a round folder) and checks, through
the ledger's own listing, that every file it lists is on disk with its SHA-256. A row is
committed only after its file is in place, so the check must hold at every moment."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

WATCHER = f"""
import sys
sys.path.insert(0, {str(Path(__file__).resolve().parent.parent)!r})
from support.watch import watch
watch(sys.argv[1], sys.argv[2] == "runde")
"""


def problems(root: Path) -> list[str]:
    """Every file the ledger lists that is not on disk with its SHA-256."""
    from bilag4xl.round.ledger import SqliteLedger

    found = []
    with SqliteLedger(root) as ledger:
        for entry in ledger.entries():
            path = root / entry.stored
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                found.append(f"{entry.id} {entry.stored}: gone")
                continue
            if hashlib.sha256(data).hexdigest() != entry.sha256:
                found.append(f"{entry.id} {entry.stored}: changed")
    return found


def watch(root: str, in_round: bool) -> None:
    """Check until killed; print each look's count, and any problem (then stop: exit 1)."""
    from bilag4xl.round.folder import open_round, round_status

    rnd = open_round(root) if in_round else None
    looks = 0
    while True:
        if rnd is not None and looks % 2:
            round_status(rnd)
        found = problems(Path(root))
        if found:
            print("PROBLEM", *found, sep="\n", flush=True)
            sys.exit(1)
        looks += 1
        print(looks, flush=True)


@dataclass
class Watched:
    looks: int = 0
    problems: list[str] = field(default_factory=list)
    died: int | None = None  # the watcher's exit code, when it stopped by itself


@contextmanager
def watching(root: Path, in_round: bool = False) -> Iterator[Watched]:
    """Run a watcher on `root` for the block; afterwards, what it saw."""
    seen = Watched()
    process = subprocess.Popen(
        [sys.executable, "-c", WATCHER, str(root), "runde" if in_round else "register"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield seen
    finally:
        seen.died = process.poll()
        process.kill()
        out = process.communicate()[0] or ""
        lines = out.split("\n")
        seen.looks = sum(1 for line in lines if line.strip().isdigit())
        if "PROBLEM" in lines:
            seen.problems = lines[lines.index("PROBLEM") + 1 :]
