"""Shared by the web page's tests: filled workbooks, a real uvicorn server on a free loopback
port, and the browser (Debian's chromium through Playwright), which fails under CI=true when
it is missing, as LibreOffice does."""

from __future__ import annotations

import shutil
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import uvicorn
from starlette.applications import Starlette

from annex_seed import write_filled
from bilag4xl.form.spec import Spec
from bilag4xl.web.app import create_app
from support.needs import missing

TMF = "Teknik- og Miljøforvaltningen"
BUF = "Børne- og Ungdomsforvaltningen"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def filled(folder: Path, spec: Spec, department: str) -> Path:
    """A filled, valid workbook of one department of the round."""
    folder.mkdir(parents=True, exist_ok=True)
    return write_filled(folder, spec, department, spec.round.department(department).initiatives)


def variants(source: Path, folder: Path, count: int) -> list[Path]:
    """`count` copies of a workbook with different bytes (a zip comment each): distinct files
    to the ledger, the same submission to the reader."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        target = folder / f"kopi{n:02d}.xlsx"
        shutil.copyfile(source, target)
        with zipfile.ZipFile(target, "a") as archive:
            archive.comment = f"kopi {n}".encode()
        paths.append(target)
    return paths


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running(app: Starlette) -> Iterator[str]:
    """A real uvicorn server in a thread; yields its address."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def require_chromium() -> str:
    """Debian's chromium; otherwise fail in CI or skip (`support.needs`)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        missing("Debian's chromium is not installed (apt-get install chromium)")
    return path


@contextmanager
def page_views(root: Path) -> Iterator[list[int]]:
    """The round page and its status, asked for again and again on a real server."""
    views, stop = [0], threading.Event()
    with running(create_app(root)) as url:

        def ask() -> None:
            with httpx2.Client(base_url=url, timeout=60) as http:
                while not stop.is_set():
                    for page in ("/", "/api/status"):
                        assert http.get(page).status_code == 200
                        views[0] += 1

        viewer = threading.Thread(target=ask)
        viewer.start()
        try:
            yield views
        finally:
            stop.set()
            viewer.join(timeout=60)
