"""How many processes can work at once here, and how to start them (shared by validate and
the merge's writer)."""

from __future__ import annotations

import multiprocessing
import os
import threading
from multiprocessing.context import BaseContext


def usable_cpus() -> int:
    """CPUs this process may run on (a container or `taskset` may allow fewer than exist)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def can_fork() -> bool:
    """fork lets a worker inherit imported modules and data at once. Not on Windows, and not
    from a program running other threads (a lock one of them holds would stay locked)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def context() -> BaseContext:
    """fork where it is safe; from a program running threads (the web page's server) a fresh
    interpreter instead, since Python 3.11's default on Linux is still fork."""
    if can_fork():
        return multiprocessing.get_context("fork")
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
