"""How many processes can work at once here, and how to start them: shared by the intake's
worker processes (`intake.containment`) and the workbook written by two (`xlsx.split`)."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from multiprocessing.context import BaseContext

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def usable_cpus() -> int:
    """CPUs this process may run on (a container or `taskset` may allow fewer than exist)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def can_fork() -> bool:
    """fork lets a worker inherit imported modules and data at once. Not on Windows, and not
    from a program running other threads (a lock one of them holds would stay locked)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def context() -> BaseContext | None:
    """fork where it is safe (workers start at once, sharing the parent's modules); from a
    program running threads (the web page's server, receive's store) a fresh interpreter
    instead, since Python 3.11's default on Linux is still fork; None where neither exists."""
    if can_fork():
        return multiprocessing.get_context("fork")
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("spawn") if "spawn" in methods else None


def die_with_parent(parent: int) -> None:
    """In a child process: be killed when the parent dies, even by kill -9 (Linux:
    PR_SET_PDEATHSIG); a parent already gone before that was set means stop now."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def limit_memory(extra: int | None) -> None:
    """In a child process: allow at most `extra` more bytes of address space than it has
    (Linux), so that an allocation beyond fails here and not in the whole machine."""
    if extra is None or not sys.platform.startswith("linux"):
        return
    import resource

    with open("/proc/self/statm", encoding="ascii") as statm:
        size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = size + extra if hard == resource.RLIM_INFINITY else min(size + extra, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
