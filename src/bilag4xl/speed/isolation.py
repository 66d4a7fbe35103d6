"""Run a function over many items in worker processes, where a crash, a hang or a memory
blow-up costs one item and the run goes on.

Why not ProcessPoolExecutor: python-calamine is native code, and a native abort (a failed
allocation, a panic while panicking) kills the process it runs in. The executor then marks
the whole pool broken and every pending file of the round is lost. Here each worker is a
process with a pipe of its own; the parent hands out one item at a time, so a worker's death
is that one item's `Lost` result, and a fresh worker takes over the rest. A worker that does
not answer within `timeout` seconds is killed (the same). Each worker may add at most
`memory` bytes to its address space (RLIMIT_AS, Linux): an allocation beyond fails in the
worker, not in the machine. Workers die with their parent (`processes.die_with_parent`), so
a kill -9 of a run leaves none behind. What a worker writes on its standard error (a native
panic's message, with RUST_BACKTRACE set a backtrace of a hundred lines) goes to the parent
through a pipe of its own, not to the user's terminal: its last words name why an item was
lost (`Lost.reason`), the rest is dropped.

Results come back in the order of the items. Where processes cannot be started safely (no
fork and no spawn), the items run here, one after the other, without that protection.
"""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import os
import re
import selectors
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing import connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Generic, TypeVar

from bilag4xl.form import limits
from bilag4xl.speed import processes

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Lost:
    """An item whose worker did not answer: why, in Danish (for the item's issue)."""

    reason: str
    timeout: bool = False


def run(
    fn: Callable[[T], R],
    items: Iterable[T],
    workers: int = 1,
    timeout: float | None = None,
    memory: int | None = None,
) -> Iterator[R | Lost]:
    """fn(item) for every item, in order; `Lost` where a worker died, ran out of time (default
    limits.FILE_SECONDS per item) or of memory (default limits.WORKER_MEMORY)."""
    timeout = timeout or limits.FILE_SECONDS
    memory = memory or limits.WORKER_MEMORY
    todo = list(items)
    if not todo:
        return
    context = processes.context()
    if context is None:
        yield from map(fn, todo)
        return
    pool = _Pool(context, fn, min(max(1, workers), len(todo)), timeout, memory)
    try:
        yield from pool.results(todo)
    finally:
        pool.close()


class _Worker:
    def __init__(
        self, process: BaseProcess, conn: connection.Connection, errors: connection.Connection
    ) -> None:
        self.process, self.conn, self.errors = process, conn, errors
        self.items: deque[int] = deque()  # indexes sent and not yet answered, in order
        self.since = 0.0  # when it started on the first of them
        self.said = b""  # what it wrote on stderr since its last answer: start and end
        self.speaking = True  # its stderr not yet at its end of file

    def listen(self, selector: selectors.BaseSelector) -> None:
        """Read what the worker wrote on stderr (never blocking), keeping the end of it; at
        its end of file (the worker is gone) the pipe leaves the selector."""
        try:
            chunk = os.read(self.errors.fileno(), 65536)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self.speaking = False
            with contextlib.suppress(KeyError, ValueError):
                selector.unregister(self.errors)
            return
        said = self.said + chunk  # a panic's message comes first, an exception's last
        if len(said) > 2 * STDERR_KEPT:
            said = said[:STDERR_KEPT] + b"\n" + said[-STDERR_KEPT:]
        self.said = said

    def last_words(self, selector: selectors.BaseSelector) -> str:
        """The line of its stderr that says why it died (after it has died): a panic's
        message, a failed allocation, an exception's last line; "" when it said nothing."""
        deadline = time.monotonic() + 1  # it is dead: the end of file follows what it wrote
        while self.speaking and self.errors.poll(max(0.0, deadline - time.monotonic())):
            self.listen(selector)
        return _last_words(self.said.decode("utf-8", "replace"))


DEPTH = 2  # items a worker holds: the next is there when it finishes one (no waiting on us)
STDERR_KEPT = 4096  # bytes kept of the start and of the end of a worker's stderr


class _Pool(Generic[T, R]):
    """Workers fed one item at a time; see the module docstring."""

    def __init__(
        self,
        context: BaseContext,
        fn: Callable[[T], R],
        size: int,
        timeout: float,
        memory: int | None,
    ) -> None:
        self.context, self.fn, self.timeout, self.memory = context, fn, timeout, memory
        self.todo: list[T] = []
        self.pending: deque[int] = deque()
        self.selector = selectors.DefaultSelector()  # one for the run: a wait per answer
        self.workers: list[_Worker] = [self._start() for _ in range(size)]

    def _start(self) -> _Worker:
        # Asked for each worker: one that replaces a lost one after a thread has started
        # (receive's store) starts as a fresh interpreter, not forked.
        context = processes.context() or self.context
        parent_end, child_end = context.Pipe()
        errors, stderr = context.Pipe(duplex=False)  # the worker's stderr, read here
        # A forked worker inherits the parent's ends of every pipe; it closes them, so that
        # the parent's death is an end of file for it. A spawned one inherits nothing.
        forked = context.get_start_method() == "fork"
        others = getattr(self, "workers", [])
        ends = [parent_end, errors, *(c for w in others for c in (w.conn, w.errors))]
        inherited = ends if forked else []
        process = context.Process(
            target=_serve,
            args=(child_end, stderr, self.fn, os.getpid(), self.memory, inherited),
            daemon=True,
        )
        gc.freeze()  # a forked worker's collector then leaves the inherited objects alone
        try:
            process.start()
        finally:
            gc.unfreeze()
        child_end.close()
        stderr.close()  # only the worker writes on it: its death is an end of file here
        os.set_blocking(errors.fileno(), False)
        worker = _Worker(process, parent_end, errors)
        self.selector.register(parent_end, selectors.EVENT_READ, worker)
        self.selector.register(process.sentinel, selectors.EVENT_READ, worker)
        self.selector.register(errors, selectors.EVENT_READ, worker)
        return worker

    def results(self, todo: list[T]) -> Iterator[R | Lost]:
        self.todo, self.pending = todo, deque(range(len(todo)))
        done: dict[int, R | Lost] = {}
        next_out = 0
        while next_out < len(todo):
            for depth in range(1, DEPTH + 1):  # one item each first, then the next ones
                for slot in range(len(self.workers)):
                    self._feed(slot, depth)
            busy = [w for w in self.workers if w.items]
            if busy:
                self._collect(busy, done)
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1

    def _feed(self, slot: int, depth: int) -> None:
        """Fill the worker's queue up to `depth`; a worker found dead is replaced."""
        worker = self.workers[slot]
        while len(worker.items) < depth and self.pending:
            index = self.pending.popleft()
            try:
                worker.conn.send(self.todo[index])
            except (OSError, ValueError):  # gone: its items go back, a new one takes over
                self.pending.appendleft(index)
                self._replace(slot)
                worker = self.workers[slot]
                continue
            if not worker.items:
                worker.since = time.monotonic()
            worker.items.append(index)

    def _collect(self, busy: list[_Worker], done: dict[int, R | Lost]) -> None:
        """Wait for an answer, a death or a timeout; record what happened."""
        first_deadline = min(w.since for w in busy) + self.timeout
        events = self.selector.select(max(0.0, first_deadline - time.monotonic()))
        ready = {key.fileobj for key, _ in events}
        for key, _ in events:
            if key.fileobj is key.data.errors:  # any worker's, busy or not
                key.data.listen(self.selector)
        now = time.monotonic()
        for worker in busy:
            index = worker.items[0]
            if worker.conn in ready:
                try:
                    answer = worker.conn.recv()
                except (EOFError, OSError):
                    done[index] = self._lost(worker)  # died before it answered
                    continue
                worker.items.popleft()
                worker.since = now
                worker.said = b""  # what it said about that item is not about the next
                done[index] = answer
                if isinstance(answer, Lost):  # it gave up (memory) and ends
                    self._replace(self.workers.index(worker))
            elif worker.process.sentinel in ready:
                done[index] = self._lost(worker)
            elif now - worker.since >= self.timeout:
                done[index] = self._lost(worker, timeout=True)

    def _lost(self, worker: _Worker, timeout: bool = False) -> Lost:
        """The worker died or was given up: the item it worked on is lost, a new worker
        takes its place and the items it held but had not begun go back in the queue."""
        if timeout:
            worker.process.kill()
        worker.process.join()
        code = worker.process.exitcode
        said = worker.last_words(self.selector)
        said = f": {said}" if said else ""
        if timeout:
            lost = Lost(f"over {self.timeout:.0f} sekunder", timeout=True)
        elif code is not None and code < 0:
            lost = Lost(f"processen stoppede med signal {_signal_name(-code)}{said}")
        else:
            lost = Lost(f"processen stoppede med kode {code}{said}")
        worker.items.popleft()
        self._replace(self.workers.index(worker))
        return lost

    def _replace(self, slot: int) -> None:
        old = self.workers[slot]
        self.pending.extendleft(reversed(old.items))  # sent but not begun: to be read again
        if old.process.is_alive():
            old.process.kill()
        old.process.join()
        self.selector.unregister(old.conn)
        self.selector.unregister(old.process.sentinel)
        if old.speaking:
            self.selector.unregister(old.errors)
        old.conn.close()
        old.errors.close()
        self.workers[slot] = self._start()

    def close(self) -> None:
        for worker in self.workers:
            with contextlib.suppress(OSError, ValueError):
                worker.conn.send(None)  # done: the worker returns
        deadline = time.monotonic() + 2
        for worker in self.workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
            worker.errors.close()
        self.selector.close()


_PANICKED = re.compile(r"^thread .* panicked at (?:'(.*)', )?\S+:\d+:\d+:?$")


def _last_words(text: str) -> str:
    """The line that says why: a Rust panic's message (the line after "panicked at", or in
    it for older Rust), the line before a Rust backtrace (a failed allocation), else the
    last line (a Python exception's); shortened."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for n, line in enumerate(lines):
        panic = _PANICKED.match(line)
        if panic:
            message = panic.group(1) or (lines[n + 1] if n + 1 < len(lines) else "")
            return f"panic: {message}"[:STDERR_SHOWN]
        if line == "stack backtrace:":
            return lines[n - 1][:STDERR_SHOWN] if n else ""
    said = [line for line in lines if not line.startswith("note:")]
    return said[-1][:STDERR_SHOWN] if said else ""


STDERR_SHOWN = 120


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


def _serve(
    conn: connection.Connection,
    stderr: connection.Connection,
    fn: Callable[[T], R],
    parent: int,
    memory: int | None,
    inherited: list[connection.Connection],
) -> None:
    """A worker: items in, results out, until told to stop or the parent is gone."""
    processes.die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    faulthandler.disable()  # a crash here is this item's issue, not a dump on the terminal
    os.dup2(stderr.fileno(), 2)  # native code writes on fd 2 itself: to the parent, not the user
    stderr.close()
    # Python's too, also where sys.stderr was replaced (a test's capture, a web server's log)
    sys.stderr = open(2, "w", errors="backslashreplace", closefd=False)  # noqa: SIM115

    for other in inherited:  # the parent's ends: so a dead parent means end of file here
        other.close()
    processes.limit_memory(memory)
    while True:
        try:
            item = conn.recv()
        except (EOFError, OSError):
            return
        if item is None:
            return
        try:
            result: R | Lost = fn(item)
        except MemoryError:  # over the limit: this item is lost, the worker ends
            result = Lost(f"over {memory // 2**20 if memory else 0} MB hukommelse")
        try:
            conn.send(result)
        except (OSError, ValueError):
            return
        if isinstance(result, Lost):
            return
