"""A delivery costs only itself: what a .zip unpacks to is bounded, an unreadable .zip is refused
alone, messages name files as they were sent, each file is read and hashed once, and a killed
receive leaves no copy of anyone's submission outside the round."""

from __future__ import annotations

import builtins
import hashlib
import io
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from bilag4xl import processes
from bilag4xl.cli import app as cli_app
from bilag4xl.cli.render import history_table, receipts_table
from bilag4xl.intake import validate
from bilag4xl.round import delivery
from bilag4xl.round import folder as rounds
from bilag4xl.round import receive as receiving
from bilag4xl.round.folder import Round, init_round
from bilag4xl.round.receive import receive
from bilag4xl.web import views
from bilag4xl.web.app import create_app
from bilag4xl.web.guard import Settings
from support.watch import watching
from test_ledger import agree
from web_helpers import BUF, TMF, filled, page_views, variants

MiB = 2**20


@pytest.fixture
def rnd(tmp_path: Path) -> Round:
    return init_round(tmp_path / "runde")[0]


@pytest.fixture
def books(rnd: Round, tmp_path: Path) -> dict[str, bytes]:
    folder = tmp_path / "bøger"
    return {
        "tmf": filled(folder, rnd.spec, TMF).read_bytes(),
        "buf": filled(folder, rnd.spec, BUF).read_bytes(),
    }


def packed(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def junk(count: int, size: int) -> dict[str, bytes]:
    """`count` different members of `size` bytes that pack to almost nothing."""
    return {f"skrald{n:03d}.xlsx": n.to_bytes(4) + bytes(size - 4) for n in range(count)}


def stored_bytes(rnd: Round) -> int:
    return sum(e.size for e in rounds.history(rnd))


# --------------------------------------------------------------------------- the limit


def test_a_zip_can_not_multiply_the_upload_limit(rnd: Round, books: dict[str, bytes]) -> None:
    bomb = packed(junk(12, MiB))
    assert len(bomb) < 40_000  # 12 MB unpacked
    app = create_app(rnd.root, Settings(max_upload=2 * MiB))
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        answer = client.post(
            "/api/submissions",
            files=[("files", ("tmf.xlsx", books["tmf"])), ("files", ("bombe.zip", bomb))],
        )
    assert answer.status_code == 200
    by_name = {f["file"]: f for f in answer.json()["files"]}
    assert by_name["tmf.xlsx"]["outcome"] == "new" and by_name["tmf.xlsx"]["valid"]
    refused = by_name["bombe.zip"]
    assert refused["outcome"] == "refused"
    message = refused["issues"][0]["message"]
    assert "over 2 MB" in message and "pakket ud" in message and "11 af 12 filer" in message
    assert stored_bytes(rnd) <= 2 * MiB
    assert len(rounds.history(rnd)) == 2  # the workbook and the one member that fitted
    assert agree(rnd.root) == []


def test_on_the_command_line_a_delivery_is_bounded_too(
    rnd: Round, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "alle.zip"
    archive.write_bytes(packed(junk(3, 1000)))
    monkeypatch.setattr(delivery, "MAX_DELIVERY", 2500)
    monkeypatch.chdir(rnd.root)
    result = CliRunner().invoke(cli_app, ["receive", str(archive), "--json"])
    assert result.exit_code == 1, result.output
    files = {f["file"]: f for f in __import__("json").loads(result.stdout)["files"]}
    assert files[str(archive)]["outcome"] == "refused"
    assert "1 af 3 filer er ikke modtaget" in files[str(archive)]["issues"][0]["message"]
    assert len(rounds.history(rnd)) == 2 and stored_bytes(rnd) <= 2500


def test_a_delivery_is_checked_a_chunk_at_a_time_not_held_whole(
    rnd: Round, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "mange.zip"
    archive.write_bytes(packed(junk(7, 1000)))
    held: list[int] = []
    check_each = validate.check_each

    def watched(files: list[Any], *args: Any, **kw: Any) -> Iterator[Any]:
        held.append(sum(len(f.data) for f in files))
        return check_each(files, *args, **kw)

    monkeypatch.setattr(validate, "check_each", watched)
    monkeypatch.setattr(receiving, "CHUNK_BYTES", 2500)
    receipts = receive(rnd, [archive])
    assert [r.outcome for r in receipts] == ["new"] * 7
    assert held == [3000, 3000, 1000]


@pytest.mark.parametrize("bound", ["MAX_ZIP_MEMBERS", "MAX_ZIP_DIRECTORY"])
def test_a_zip_whose_table_of_contents_is_too_large_is_not_opened(
    bound: str, rnd: Round, books: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = {f"mappe/{n:03d}.xlsx": books["tmf"] if n == 0 else b"" for n in range(6)}
    archive = tmp_path / "mange.zip"
    archive.write_bytes(packed(members))
    monkeypatch.setattr(delivery, bound, 5 if bound == "MAX_ZIP_MEMBERS" else 5 * 60)
    (receipt,) = receive(rnd, [archive], names={archive: "mange.zip"})
    assert (receipt.source, receipt.outcome) == ("mange.zip", "refused")
    assert receipt.reason.startswith("Zip-filen har for mange filer")
    assert rounds.history(rnd) == []


# --------------------------------------------------------------------------- unreadable


def test_an_unreadable_zip_is_refused_alone(
    rnd: Round, books: dict[str, bytes], tmp_path: Path
) -> None:
    good, broken, inside = tmp_path / "tmf.xlsx", tmp_path / "ødelagt.zip", tmp_path / "ok.zip"
    good.write_bytes(books["tmf"])
    broken.write_bytes(b"PK\x03\x04" + bytes(300))
    inside.write_bytes(packed({"buf.xlsx": books["buf"]}))
    receipts = receive(rnd, [good, broken, inside])
    assert [(r.source, r.outcome) for r in receipts] == [
        (str(good), "new"),
        (str(broken), "refused"),
        (f"{inside}/buf.xlsx", "new"),
    ]
    assert receipts[1].reason.startswith("Zip-filen kan ikke læses (det er ikke en zip-fil)")
    assert len(rounds.history(rnd)) == 2


def test_a_damaged_member_is_refused_and_its_neighbours_received(
    rnd: Round, books: dict[str, bytes], tmp_path: Path
) -> None:
    data = bytearray(packed({"tmf.xlsx": books["tmf"], "buf.xlsx": books["buf"]}, 0))
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("buf.xlsx")
    data[info.header_offset + 30 + len("buf.xlsx") + 500] ^= 0xFF  # stored: its checksum fails
    archive = tmp_path / "arkiv.zip"
    archive.write_bytes(bytes(data))
    tmf, buf = receive(rnd, [archive], names={archive: "arkiv.zip"})
    assert (tmf.source, tmf.outcome) == ("arkiv.zip/tmf.xlsx", "new")
    assert (buf.source, buf.outcome) == ("arkiv.zip/buf.xlsx", "refused")
    assert (
        buf.reason == "Filen kan ikke læses (indholdet er beskadiget: kontrolsummen passer ikke)."
    )


def test_an_upload_beside_a_broken_zip_is_received_and_no_server_path_is_named(
    rnd: Round, books: dict[str, bytes]
) -> None:
    with TestClient(create_app(rnd.root), base_url="http://127.0.0.1:8000") as client:
        answer = client.post(
            "/api/submissions",
            files=[
                ("files", ("ødelagt.zip", b"PK\x03\x04 ikke en zip")),
                ("files", ("tmf.xlsx", books["tmf"])),
                ("files", ("svar.zip", packed({"runde/buf.xlsx": books["buf"]}))),
            ],
        )
    assert answer.status_code == 200, answer.text
    data = answer.json()
    outcomes = {f["file"]: f["outcome"] for f in data["files"]}
    assert outcomes == {
        "ødelagt.zip": "refused",
        "tmf.xlsx": "new",
        "svar.zip/runde/buf.xlsx": "new",
    }
    assert tempfile.gettempdir() not in answer.text and str(rnd.root) not in answer.text


# --------------------------------------------------------------------------- read once


def test_each_file_is_read_once_and_hashed_once(
    rnd: Round, books: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "tmf.xlsx"
    source.write_bytes(books["tmf"])
    # the check runs in this process (not in workers), so that every read and hash is seen
    monkeypatch.setattr(processes, "context", lambda: None)
    opened: list[str] = []
    hashed: list[str] = []
    real_open, real_sha256 = io.open, hashlib.sha256

    def watched_open(file: Any, *args: Any, **kw: Any) -> Any:
        if isinstance(file, str | Path) and Path(file) == source:
            opened.append(str(args[0] if args else kw.get("mode", "r")))
        return real_open(file, *args, **kw)

    def watched_sha256(data: bytes = b"", **kw: Any) -> Any:
        if bytes(data) == books["tmf"]:
            hashed.append(sys._getframe(1).f_globals["__name__"])
        return real_sha256(data, **kw)

    monkeypatch.setattr(io, "open", watched_open)
    monkeypatch.setattr(builtins, "open", watched_open)
    monkeypatch.setattr(hashlib, "sha256", watched_sha256)
    (receipt,) = receive(rnd, [source])
    assert receipt.outcome == "new" and receipt.report is not None and receipt.report.valid
    assert receipt.entry is not None
    assert receipt.entry.sha256 == real_sha256(books["tmf"]).hexdigest()
    assert opened == ["rb"]
    assert hashed == ["bilag4xl.round.delivery"]  # the ledger is given the SHA-256 along


# --------------------------------------------------------------------------- kill -9


def test_a_killed_receive_leaves_no_copy_of_a_submission_outside_the_round(
    rnd: Round, books: dict[str, bytes], tmp_path: Path
) -> None:
    source = tmp_path / "kilde" / "tmf.xlsx"
    source.parent.mkdir()
    source.write_bytes(books["tmf"])
    copies = variants(source, tmp_path / "kopier", COPIES)
    archive = tmp_path / "indberetninger.zip"
    archive.write_bytes(packed({p.name: p.read_bytes() for p in copies}))
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    rng = random.Random(20)
    with watching(rnd.root, in_round=True) as watched, page_views(rnd.root) as views:
        _kill_four(rnd, archive, scratch, env, rng)
    assert watched.died is None and watched.problems == [], watched.problems
    assert watched.looks > 4 and views[0] > 4, (watched.looks, views)
    kept = len(rounds.history(rnd))
    assert 0 < kept < COPIES
    receipts = receive(rnd, [archive])  # what was kept is known; the rest comes in
    assert sorted(r.outcome for r in receipts) == ["duplicate"] * kept + ["new"] * (COPIES - kept)


def _kill_four(
    rnd: Round, archive: Path, scratch: Path, env: dict[str, str], rng: random.Random
) -> None:
    for attempt in range(4):
        before = len(rounds.history(rnd))
        worker = subprocess.Popen(
            [sys.executable, "-m", "bilag4xl", "receive", str(archive)],
            cwd=rnd.root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # killed while members are read, checked and stored: some of this attempt's stored
        wait_for_stored(rnd, before + rng.randint(1, 30), worker)
        time.sleep(rng.uniform(0.0, 0.05))
        assert worker.poll() is None, f"attempt {attempt}: finished before the kill"
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        time.sleep(0.2)  # its workers die with it
        assert list(scratch.rglob("*")) == [], f"attempt {attempt}"
        outside = [
            p
            for p in rnd.root.rglob("*")
            if p.is_file() and p.relative_to(rnd.root).parts[0] not in ("modtaget", ".bilag4xl")
        ]
        assert [p.name for p in outside] == ["runde.toml"]
        assert agree(rnd.root) == []


COPIES = 400


def wait_for_stored(rnd: Round, count: int, worker: subprocess.Popen[bytes]) -> None:
    """Until the round's received folder holds `count` files (or the receive ended)."""
    received = rnd.root / "modtaget"
    deadline = time.monotonic() + 120
    while worker.poll() is None and time.monotonic() < deadline:
        if sum(1 for p in received.rglob("*.xls*")) >= count:
            return
        time.sleep(0.005)


# --------------------------------------------------------------------------- names as sent

SENT = "faktura\u202excod\x00\x1b[2J.xlsx"  # a right-to-left override, a NUL, an ANSI escape


def multipart(name: str, data: bytes) -> tuple[bytes, str]:
    """A form with one file under `name`, byte for byte (a client library would escape it)."""
    boundary = "grænse4711".encode().hex()
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_a_name_with_control_characters_is_kept_as_sent_and_shown_and_saved_safely(
    rnd: Round, books: dict[str, bytes]
) -> None:
    body, kind = multipart(SENT, books["tmf"])
    with TestClient(create_app(rnd.root), base_url="http://127.0.0.1:8000") as client:
        answer = client.post("/api/submissions", content=body, headers={"content-type": kind})
        assert answer.status_code == 200, answer.text
        (entry,) = rounds.history(rnd)
        assert entry.original_name == SENT  # the ledger keeps it as it was sent
        download = client.get(f"/modtaget/{entry.id}/fil")
        pages = [client.get("/").text, client.get(views.department_url(TMF)).text]
    assert download.status_code == 200 and download.content == books["tmf"]
    header = download.headers["content-disposition"]
    assert header.isprintable() and header.isascii()
    saved = unquote(header.split("filename*=UTF-8''")[1])
    assert saved == "faktura⟨U+202E⟩xcod␀␛[2J.xlsx"
    for page in pages:
        assert "faktura⟨U+202E⟩xcod␀␛[2J.xlsx" in page
        assert "\u202e" not in page and "\x00" not in page and "\x1b" not in page


def test_on_the_terminal_a_sent_name_is_shown_not_obeyed(
    rnd: Round, books: dict[str, bytes], tmp_path: Path
) -> None:
    upload = tmp_path / "0.xlsx"
    upload.write_bytes(books["tmf"])
    receipts = receive(rnd, [upload], names={upload: SENT})
    shown = receipts_table(receipts) + history_table(rounds.history(rnd))
    assert shown.count("faktura⟨U+202E⟩xcod␀␛[2J.xlsx") == 2
    assert all(c.isprintable() or c == "\n" for c in shown)
