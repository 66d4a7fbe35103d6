"""Worker processes: a death, a hang or a memory blow-up costs one file, the run goes on, and
no worker outlives a killed parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bilag4xl.form import limits
from bilag4xl.form.limits import Limits
from bilag4xl.intake.validate import read_file, validate_paths
from bilag4xl.speed import isolation, processes
from hostile import far_cell, rezip, valid

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="worker limits and PR_SET_PDEATHSIG: Linux"
)


def _work(item: int) -> int:
    if item == 2:
        os.abort()  # what a native panic or failed allocation does
    if item == 4:
        time.sleep(60)
    if item == 5:
        bytearray(4 * 2**30)  # more than the worker may allocate
    return item * 10


def test_a_dead_hung_or_oversized_worker_costs_its_item_only() -> None:
    results = list(isolation.run(_work, range(8), workers=2, timeout=1, memory=512 * 2**20))
    assert [r for r in results if not isinstance(r, isolation.Lost)] == [0, 10, 30, 60, 70]
    crashed, hung, big = results[2], results[4], results[5]
    assert isinstance(crashed, isolation.Lost) and "SIGABRT" in crashed.reason
    assert isinstance(hung, isolation.Lost) and hung.timeout
    assert isinstance(big, isolation.Lost) and "hukommelse" in big.reason


def test_a_reader_abort_becomes_an_issue_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the pre-check, a cell at XFD1048576 makes python-calamine abort the process:
    in a worker that is one file's issue."""
    huge = Limits(**{**limits.SUBMISSION.__dict__, "rows": 2**21, "cols": 2**15, "grid": 2**62})
    monkeypatch.setattr(limits, "SUBMISSION", huge)
    bad = far_cell(tmp_path)
    good = tmp_path / "good.xlsx"
    good.write_bytes(valid())
    run = validate_paths([bad, good], workers=1)
    first, second = run.results
    assert [i.code for i in first.report] == ["read-crashed"]
    assert "Filen kunne ikke læses" in first.report.issues[0].message_da
    assert second.report.valid and second.submission is not None


def test_a_native_crash_is_not_printed_but_named_in_the_issue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """A native abort prints its reason and (with RUST_BACKTRACE) a long backtrace on the
    worker's stderr: none of it reaches the user's terminal, the reason's line is in the
    file's issue."""
    huge = Limits(**{**limits.SUBMISSION.__dict__, "rows": 2**21, "cols": 2**15, "grid": 2**62})
    monkeypatch.setattr(limits, "SUBMISSION", huge)
    monkeypatch.setenv("RUST_BACKTRACE", "1")
    good = tmp_path / "good.xlsx"
    good.write_bytes(valid())
    run = validate_paths([far_cell(tmp_path), good], workers=1)
    first, second = run.results
    assert [i.code for i in first.report] == ["read-crashed"]
    assert "SIGABRT: memory allocation of" in first.report.issues[0].message_da
    assert second.report.valid
    printed = capfd.readouterr()
    assert "memory allocation" not in printed.err + printed.out
    assert "backtrace" not in printed.err + printed.out


def _calamine_panics(data: bytes) -> str:
    from bilag4xl.intake import workbook as reader

    try:
        reader._calamine_values(data, ["Vejledning"])
    except reader.UnreadableWorkbook as exc:
        return exc.code
    return "read"


def test_a_contained_panic_prints_nothing(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """python-calamine turns a Rust panic into an exception, but Rust prints the panic (and a
    backtrace) on stderr first: in a worker, the user sees nothing of it."""
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" r="XFD1048576"><v>1</v></c></row></sheetData>'
        b"</worksheet>"
    )
    data = rezip(valid(), {"xl/worksheets/sheet1.xml": lambda _: sheet})
    monkeypatch.setenv("RUST_BACKTRACE", "1")
    assert list(isolation.run(_calamine_panics, [data, valid()])) == ["corrupt", "read"]
    printed = capfd.readouterr()
    assert "panicked" not in printed.err + printed.out


def _raise(item: int) -> int:
    if item == 1:
        raise RuntimeError("kan ikke")  # not caught in the worker: it dies with a traceback
    return item


def test_a_worker_dying_of_an_exception_names_it(capfd: pytest.CaptureFixture[str]) -> None:
    results = list(isolation.run(_raise, [0, 1, 2], workers=1))
    assert results[0] == 0 and results[2] == 2
    assert isinstance(results[1], isolation.Lost)
    assert results[1].reason == "processen stoppede med kode 1: RuntimeError: kan ikke"
    assert "Traceback" not in capfd.readouterr().err


def test_read_file_reports_a_lost_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "FILE_SECONDS", 0.001)
    path = tmp_path / "good.xlsx"
    path.write_bytes(valid())
    assert [i.code for i in read_file(path).report] == ["read-timeout"]


_PARENT = """
import os, sys, time
from bilag4xl.speed import isolation, processes

def work(item):
    os.write(1, f"{os.getpid()}\\n".encode())  # one write: two workers' lines never mix
    time.sleep(120)

list(isolation.run(work, [1, 2], workers=2, timeout=300))
"""


def test_workers_die_with_a_killed_parent() -> None:
    command = [sys.executable, "-c", _PARENT]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as parent:
        assert parent.stdout is not None
        workers = [int(parent.stdout.readline()) for _ in range(2)]
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 20
    alive = workers
    while alive and time.monotonic() < deadline:
        alive = [pid for pid in workers if _alive(pid)]
        time.sleep(0.05)
    assert not alive


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"  # a zombie is dead
    except FileNotFoundError:
        return False


def test_with_other_threads_running_workers_are_spawned(tmp_path: Path) -> None:
    """Forking a program with running threads can deadlock (a progress bar's thread, say):
    then the workers are fresh interpreters, and files read the same."""
    import threading

    path = tmp_path / "good.xlsx"
    path.write_bytes(valid())
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert processes.context().get_start_method() == "spawn"
        result = read_file(path)
    finally:
        stop.set()
        other.join()
    assert result.report.valid and result.submission is not None


FORKED_FROM_HERE: list[int] = []  # filled by the test before its run: a forked worker sees it


def _crash_or_tell_start(item: int) -> int:
    if item == 1:
        os._exit(3)
    return len(FORKED_FROM_HERE)  # 1 in a forked worker, 0 in a fresh interpreter


def test_a_worker_replaced_after_a_thread_started_is_not_forked() -> None:
    """receive stores files on a thread while the workers read: a worker that replaces a lost
    one then must not be forked (the thread may hold a lock the copy would keep locked)."""
    import threading

    FORKED_FROM_HERE.append(1)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    try:
        results = isolation.run(_crash_or_tell_start, [0, 1, 2], workers=1)
        assert next(results) == 1  # forked: no other thread yet
        other.start()
        lost, replaced = list(results)
    finally:
        stop.set()
        if other.is_alive():
            other.join()
        FORKED_FROM_HERE.clear()
    assert isinstance(lost, isolation.Lost) and "kode 3" in lost.reason
    assert replaced == 0
