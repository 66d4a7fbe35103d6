"""A link per department (`bilag4xl links`) and the page behind it, and the page's hardening:
a department reaches its own page, template, upload and files without the secretariat's token,
and nothing else; wrong links are throttled; strangers never get their body read.

Starlette's TestClient drives the app in-process; the tests of what happens on the wire (a
body never read, a body that stops coming) run a real uvicorn server on a free loopback port."""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from annex_seed import seed_values
from bilag4xl.cli import app as cli_app
from bilag4xl.cli.render import history_table
from bilag4xl.errors import Bilag4xlError
from bilag4xl.round.folder import Round, history, init_round, open_round
from bilag4xl.round.ledger import DATABASE, STATE_DIR
from bilag4xl.round.links import (
    department_for_token,
    department_links,
    link_for,
    renew_link,
)
from bilag4xl.round.receive import receive
from bilag4xl.template.writer import template_bytes
from bilag4xl.web.app import create_app
from bilag4xl.web.guard import CSRF_COOKIE, Settings
from bilag4xl.web.serve import prepare
from support.fill import fill_template
from web_helpers import BUF, TMF, filled, running

BASE = "https://bilag4.odense.dk/runde"
TOKEN = "hemmelig-kode-til-sekretariatet"
KFF = "Kultur- og Fritidsforvaltningen"


@pytest.fixture
def rnd(tmp_path: Path) -> Round:
    """A round whose runde.toml names the address departments reach the page at."""
    made = init_round(tmp_path / "runde")[0]
    text = made.spec_file.read_text("utf-8")
    made.spec_file.write_text(text.replace("[round]\n", f'[round]\nbase_url = "{BASE}"\n', 1))
    return open_round(made.root)


@pytest.fixture
def books(rnd: Round, tmp_path: Path) -> dict[str, bytes]:
    """Valid workbooks of two departments of the round, and one of a third with two wrong
    cover fields (and the same corrected)."""
    folder, spec = tmp_path / "books", rnd.spec
    names = spec.round.department(KFF).initiatives  # type: ignore[union-attr]
    values = {**seed_values(names), "cover.email": "kultur(at)kff", "cover.phone": "33 66"}
    folder.mkdir()
    faulty = fill_template(template_bytes(spec, KFF), values, folder / "kff.xlsx", spec)
    fixed = fill_template(template_bytes(spec, KFF), seed_values(names), folder / "ok.xlsx", spec)
    return {
        "tmf": filled(folder, spec, TMF).read_bytes(),
        "buf": filled(folder, spec, BUF).read_bytes(),
        "kff": faulty.read_bytes(),
        "kff_fixed": fixed.read_bytes(),
    }


def path_of(url: str) -> str:
    return url.removeprefix(BASE)


def guarded(rnd: Round, **settings: Any) -> TestClient:
    """The page as served beyond loopback: the secretariat's token is required."""
    chosen = Settings(token=TOKEN, loopback_only=False, **settings)
    return TestClient(create_app(rnd.root, chosen), base_url="http://bilag4.odense.dk")


def send(client: TestClient, link: str, name: str, data: bytes) -> Any:
    token = client.cookies.get(CSRF_COOKIE)
    return client.post(link, data={"csrf": token}, files=[("files", (name, data))])


def visible(html: str) -> str:
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).replace("&amp;", "&").split())


# --------------------------------------------------------------------------- the links


def test_links_are_private_stable_hashed_and_renewed(rnd: Round) -> None:
    links = {k.department: k.url for k in department_links(rnd)}
    assert list(links) == [d.name for d in rnd.spec.round.departments]
    tokens = {d: url.rsplit("/", 1)[1] for d, url in links.items()}
    assert all(url.startswith(f"{BASE}/indberet/") for url in links.values())
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32}", t) for t in tokens.values())
    assert len(set(tokens.values())) == len(tokens)
    assert link_for(rnd, TMF) == links[TMF]  # reproducible: mails carry the same link
    assert department_for_token(rnd, tokens[BUF]) == BUF
    assert department_for_token(rnd, "x" * 32) is None

    secret = rnd.root / STATE_DIR / "links.key"
    assert secret.stat().st_mode & 0o777 == 0o600
    database = (rnd.root / STATE_DIR / DATABASE).read_bytes()
    with sqlite3.connect(rnd.root / STATE_DIR / DATABASE) as db:
        kept = dict(db.execute("SELECT department, token_sha256 FROM links").fetchall())
    assert len(kept) == len(links)
    for token in tokens.values():
        assert token.encode() not in database  # only its digest is kept

    renewed = renew_link(rnd, TMF)
    assert renewed != tokens[TMF] and department_for_token(rnd, tokens[TMF]) is None
    assert department_for_token(rnd, renewed) == TMF
    assert link_for(rnd, TMF) == f"{BASE}/indberet/{renewed}"
    assert department_for_token(rnd, tokens[BUF]) == BUF  # the others keep theirs


def test_no_link_without_an_address_or_for_a_stranger(tmp_path: Path) -> None:
    plain = init_round(tmp_path / "runde")[0]
    assert link_for(plain, TMF) is None
    with pytest.raises(Exception, match="base_url"):
        department_links(plain)
    assert department_links(plain, "http://pc-42:8000")[0].url.startswith("http://pc-42:8000/")
    assert link_for(plain, "Ukendt forvaltning") is None


def test_the_links_command(rnd: Round, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(rnd.root)
    runner = CliRunner()
    shown = runner.invoke(cli_app, ["links", "--json"])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert [d["department"] for d in data] == [d.name for d in rnd.spec.round.departments]
    assert set(data[0]) == {"department", "url"} and data[0]["url"].startswith(BASE)
    table = runner.invoke(cli_app, ["links", "--base-url", "http://10.0.0.5:8000/"])
    assert f"{TMF}  " in table.stdout and "http://10.0.0.5:8000/indberet/" in table.stdout
    old = data[0]["url"]
    again = runner.invoke(cli_app, ["links", "--renew", TMF, "--json"])
    assert again.exit_code == 0 and "det gamle virker ikke længere" in again.stderr
    assert json.loads(again.stdout)[0]["url"] != old
    assert json.loads(again.stdout)[1]["url"] == data[1]["url"]
    unknown = runner.invoke(cli_app, ["links", "--renew", "Ingen"])
    assert unknown.exit_code == 2 and "ingen forvaltning 'Ingen'" in unknown.stderr
    (rnd.spec_file).write_text(rnd.spec_file.read_text("utf-8").replace(BASE, ""))
    missing = runner.invoke(cli_app, ["links"])
    assert missing.exit_code == 2 and "base_url" in missing.stderr


# --------------------------------------------------------------------------- the page at a link


def test_a_department_page_shows_its_own_part_and_nothing_else(
    rnd: Round, books: dict[str, bytes]
) -> None:
    receive_as(rnd, "buf.xlsx", books["buf"])  # another department's file, by the secretariat
    link = path_of(link_for(rnd, TMF) or "")
    with guarded(rnd) as client:
        page = client.get(link)
        assert page.status_code == 200, page.text
        shown = visible(page.text)
        assert TMF in shown and "Frist 25.03.2009" in shown and rnd.spec.round.title in shown
        assert f'href="{link}/skabelon.xlsx"' in page.text and "Intet modtaget endnu" in shown
        for other in (BUF, "samlet.xlsx", "bilag4.docx", "/api/status", 'href="/"'):
            assert other not in page.text, other
        template = client.get(f"{link}/skabelon.xlsx")
        own = template_bytes(rnd.spec, TMF, link=link_for(rnd, TMF))  # says where to send it
        assert template.status_code == 200 and template.content == own
        assert own != template_bytes(rnd.spec, TMF)
        assert "bilag4xl_adgang" not in str(client.cookies)  # a link is no way into the round
        for secretariat in ("/", "/api/status", "/samlet.xlsx", "/bilag4.docx", "/modtaget/1/fil"):
            assert client.get(secretariat).status_code == 401, secretariat
        assert client.get("/forvaltning/boerne-og-ungdomsforvaltningen").status_code == 401
        assert client.get(f"{link}/rettelser/1.xlsx").status_code == 404  # BUF's file


def test_an_upload_through_a_link_is_checked_at_once_and_listed(
    rnd: Round, books: dict[str, bytes]
) -> None:
    link = path_of(link_for(rnd, KFF) or "")
    with guarded(rnd) as client:
        client.get(link)
        answer = send(client, link, "kff.xlsx", books["kff"])
        shown = visible(answer.text)
        assert answer.status_code == 200 and "Modtaget" in shown and "2 fejl skal rettes" in shown
        assert "Forside" in shown and "kultur(at)kff" in shown  # sheet, cell and message
        entry = history(rnd, KFF)[-1]
        assert entry.channel == "link" and entry.verdict.errors == 2
        page = client.get(link).text
        assert f'href="{link}/rettelser/{entry.id}.xlsx"' in page and 'id="rettelsesark"' in page
        sheet = client.get(f"{link}/rettelser/{entry.id}.xlsx")
        assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
        assert 'data-channel="link"' in page and "kff.xlsx" in page

        send(client, link, "rettet.xlsx", books["kff_fixed"])
        page = client.get(link).text
        assert page.count('data-channel="link"') == 2  # both uploads are shown
        assert 'id="skabelon"' in page
        assert "Gældende" in visible(page) and history(rnd, KFF)[-1].verdict.valid


def test_another_departments_file_through_a_link_is_stored_for_no_one(
    rnd: Round, books: dict[str, bytes]
) -> None:
    link = path_of(link_for(rnd, TMF) or "")
    with guarded(rnd) as client:
        client.get(link)
        answer = send(client, link, "buf.xlsx", books["buf"])
        shown = visible(answer.text)
        assert "Ikke modtaget" in shown and f"Filen er fra {BUF}" in shown and TMF in shown
        assert history(rnd) == [] and not any((rnd.root / "modtaget").rglob("*.xlsx"))
        receive_as(rnd, "buf.xlsx", books["buf"])  # the same bytes, received by the secretariat
        again = visible(send(client, link, "buf.xlsx", books["buf"]).text)
        assert "Ikke modtaget" in again and "Allerede modtaget" not in again
        assert BUF not in visible(client.get(link).text)


def test_the_ledger_records_how_each_file_came(rnd: Round, books: dict[str, bytes]) -> None:
    receive_as(rnd, "tmf.xlsx", books["tmf"])
    with TestClient(create_app(rnd.root), base_url="http://127.0.0.1:8000") as client:
        client.get("/")
        send(client, "/indsend", "buf.xlsx", books["buf"])
        link = path_of(link_for(rnd, KFF) or "")
        send(client, link, "kff.xlsx", books["kff_fixed"])
        secretariat = visible(client.get("/forvaltning/" + slug(KFF)).text)
        assert "gennem forvaltningens link" in secretariat
        assert f"Forvaltningens eget link (til at hente skabelonen og indsende): {BASE}{link}" in (
            secretariat
        )
    assert [(e.department, e.channel) for e in history(rnd)] == [
        (TMF, "kommandolinje"),
        (BUF, "side"),
        (KFF, "link"),
    ]
    rows = history_table(history(rnd)).splitlines()[2:]
    assert [row.split()[3] for row in rows] == ["kommandolinje", "side", "link"]


def slug(name: str) -> str:
    from bilag4xl.textsafe import slug as made

    return made(name)


def receive_as(rnd: Round, name: str, data: bytes) -> None:
    """A file received on the command line."""
    folder = rnd.root.parent / "post"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data)
    receive(rnd, [folder / name])


# --------------------------------------------------------------------------- throttling


def test_wrong_links_lock_an_address_out(rnd: Round) -> None:
    link = path_of(link_for(rnd, TMF) or "")
    with guarded(rnd) as client:
        for n in range(3):
            wrong = client.get(f"/indberet/{'A' * 31}{n}")
            assert wrong.status_code == 404 and "Linket findes ikke" in visible(wrong.text)
            assert rnd.spec.round.title not in wrong.text
        locked = client.get(link)  # even the right link, for a while
        assert locked.status_code == 429 and "10 minutter" in visible(locked.text)
    with guarded(rnd) as fresh:  # another server process: nothing remembered against it
        assert fresh.get(link).status_code == 200


def test_a_link_takes_only_so_many_uploads_a_minute(rnd: Round, books: dict[str, bytes]) -> None:
    link = path_of(link_for(rnd, TMF) or "")
    with guarded(rnd, link_uploads_per_minute=2) as client:
        client.get(link)
        assert send(client, link, "a.xlsx", books["tmf"]).status_code == 200
        assert send(client, link, "b.xlsx", b"not a workbook").status_code == 200
        third = send(client, link, "c.xlsx", books["kff"])
        assert third.status_code == 429 and "indsendelser i minuttet" in visible(third.text)
        assert [e.original_name for e in history(rnd)] == ["a.xlsx"]
        assert client.get(link).status_code == 200  # the page itself stays open


# --------------------------------------------------------------------------- hardening


@pytest.mark.parametrize("token", ["", "x", "kort-kode", "a" * 20])
def test_a_short_or_simple_token_is_refused(
    rnd: Round, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: served.append(app))
    result = CliRunner().invoke(
        cli_app, ["serve", str(rnd.root), "--host", "0.0.0.0", "--token", token], input=""
    )
    assert result.exit_code == 2 and "adgangskoden skal" in result.output and not served
    with pytest.raises(Bilag4xlError, match="--token er for svag"):  # the library's own check
        prepare(rnd.root, "0.0.0.0", 8000, token)


def test_the_page_without_the_token_shows_no_round_title(rnd: Round) -> None:
    with guarded(rnd) as client:
        for path in ("/", "/indsend", "/findes-ikke", "/forvaltning/x"):
            answer = client.get(path)
            assert answer.status_code == 401
            assert rnd.spec.round.title not in answer.text and "Hovedmenu" not in answer.text


def test_unknown_entries_are_not_found(rnd: Round) -> None:
    with TestClient(create_app(rnd.root), base_url="http://127.0.0.1:8000") as client:
        client.get("/")
        form = {"csrf": client.cookies.get(CSRF_COOKIE), "begrundelse": "x"}
        assert client.get("/modtaget/99/fil").status_code == 404
        assert client.get("/modtaget/99/rettelser.xlsx").status_code == 404
        assert client.post("/modtaget/99/udelad", data=form).status_code == 404
        assert client.post("/modtaget/99/medtag", data=form).status_code == 404
        assert client.get("/skabelon/ingen.xlsx").status_code == 404


def test_gets_change_nothing_in_the_round(rnd: Round, books: dict[str, bytes]) -> None:
    receive_as(rnd, "tmf.xlsx", books["tmf"])
    before = sorted(p for p in rnd.root.rglob("*") if STATE_DIR not in p.parts)
    with TestClient(create_app(rnd.root), base_url="http://127.0.0.1:8000") as client:
        made = client.get("/samlet.xlsx")
        assert made.status_code == 200 and made.content[:2] == b"PK"
        assert client.get("/skabeloner.zip").status_code == 200
    after = sorted(p for p in rnd.root.rglob("*") if STATE_DIR not in p.parts)
    assert after == before and not rnd.consolidated.exists()


def test_every_answer_says_nosniff(rnd: Round) -> None:
    link = path_of(link_for(rnd, TMF) or "")
    with guarded(rnd) as client:
        answers = [
            client.get("/"),
            client.get("/static/bilag4xl.css"),
            client.get(f"/?token={TOKEN}", follow_redirects=False),
            client.get("/findes-ikke"),
            client.get(link),
            client.get(f"{link}/skabelon.xlsx"),
            client.get("/api/status"),
        ]
    assert [a.status_code for a in answers] == [401, 200, 303, 404, 200, 200, 200]
    assert all(a.headers.get("x-content-type-options") == "nosniff" for a in answers)


# --------------------------------------------------------------------------- on the wire


@contextmanager
def wire(rnd: Round, body_timeout: float) -> Iterator[tuple[str, int]]:
    """A real server beyond loopback: (host, port)."""
    settings = Settings(token=TOKEN, loopback_only=False, body_timeout=body_timeout)
    with running(create_app(rnd.root, settings)) as url:
        host, port = url.removeprefix("http://").split(":")
        yield host, int(port)


def exchange(address: tuple[str, int], head: str, body: bytes = b"", wait: float = 10) -> str:
    """Send a request's head (and the start of its body), then read what comes back."""
    with socket.create_connection(address, timeout=wait) as conn:
        conn.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        answer = b""
        started = time.monotonic()
        while b"\r\n\r\n" not in answer and time.monotonic() - started < wait:
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            answer += chunk
    return answer.decode("latin-1")


def post_head(path: str, length: int) -> str:
    return (
        f"POST {path} HTTP/1.1\nHost: bilag4.odense.dk\n"
        "Content-Type: multipart/form-data; boundary=x\n"
        f"Content-Length: {length}\n"
    )


def test_a_stranger_is_answered_before_the_body_is_read(rnd: Round) -> None:
    with wire(rnd, body_timeout=60) as address:  # no answer for a minute, were it read
        head = post_head("/api/submissions", 40 * 2**20)
        answer = exchange(address, head, wait=10)  # no body sent at all
        assert answer.startswith("HTTP/1.1 401"), answer
        wrong = exchange(address, post_head(f"/indberet/{'B' * 32}", 40 * 2**20), wait=10)
        assert wrong.startswith("HTTP/1.1 404"), wrong


def test_a_body_that_stops_coming_is_answered_with_408(rnd: Round) -> None:
    link = path_of(link_for(rnd, TMF) or "")
    head = post_head(link, 100_000) + "Origin: http://bilag4.odense.dk\n"
    with wire(rnd, body_timeout=1) as address:
        answer = exchange(address, head, b"--x\r\n" + b"a" * 100, wait=20)
        assert answer.startswith("HTTP/1.1 408"), answer
        assert "connection: close" in answer.lower()
    assert history(rnd) == []


def test_the_secret_is_made_once_and_kept_private(rnd: Round) -> None:
    first = department_links(rnd)
    secret = rnd.root / STATE_DIR / "links.key"
    os.chmod(secret, 0o644)
    assert department_links(rnd) == first and secret.stat().st_mode & 0o777 == 0o600


def test_base_url_leaves_templates_made_before_it_valid(rnd: Round, tmp_path: Path) -> None:
    """`base_url` is a key the spec gained later: a template carrying a spec without it (made
    before) still matches that spec, and a template of a round with it is valid too."""
    from bilag4xl.form.spec import load_spec
    from bilag4xl.intake.validate import read_file

    before = load_spec()
    assert '"base_url"' not in before.canonical and '"base_url"' in rnd.spec.canonical
    assert before.digest != rnd.spec.digest
    for spec in (before, rnd.spec):
        made = filled(tmp_path / spec.digest[:8], spec, TMF)
        assert read_file(made, rnd.spec).report.valid
        assert read_file(made, None).report.valid  # by the spec the workbook carries


def test_the_throttle_counts_within_its_window_and_forgets_after() -> None:
    from bilag4xl.web.guard import THROTTLE_KEYS, Throttle

    wrong = Throttle(3, 600)
    for t in (0, 100, 200):
        assert not wrong.full("10.0.0.7", now=t)
        wrong.add("10.0.0.7", now=t)
    assert wrong.full("10.0.0.7", now=599) and not wrong.full("10.0.0.8", now=599)
    assert not wrong.full("10.0.0.7", now=601)  # the first has left the window
    many = Throttle(1, 60)
    for n in range(THROTTLE_KEYS + 1):
        many.add(f"a{n}", now=0)
    many.add("late", now=100)  # the old windows have passed: they are forgotten
    assert len(many._seen) == 1 and many.full("late", now=101)


# --------------------------------------------------------------------------- mails and templates


def workbook_text(data: bytes) -> str:
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    return "\n".join(
        str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value
    )


def test_mails_and_templates_carry_the_departments_own_link(
    rnd: Round, books: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    from email import message_from_bytes, policy

    receive_as(rnd, "kff.xlsx", books["kff"])  # errors: KFF gets a correction
    monkeypatch.chdir(rnd.root)
    assert CliRunner().invoke(cli_app, ["remind"]).exit_code == 0
    assert CliRunner().invoke(cli_app, ["template"]).exit_code == 0
    links = {k.department: k.url for k in department_links(rnd)}
    for department, url in links.items():
        (draft,) = (rnd.root / "rykkere").glob(f"*{slug(department)}.eml")
        mail = message_from_bytes(draft.read_bytes(), policy=policy.default)
        text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert url in text and [u for u in links.values() if u in text] == [url]
        (attached,) = list(mail.iter_attachments())  # type: ignore[attr-defined]
        assert url in workbook_text(attached.get_content())  # template or rettelsesark
        (template,) = (rnd.root / "skabeloner").glob(f"*{slug(department)}.xlsx")
        assert url in workbook_text(template.read_bytes())
    with TestClient(create_app(rnd.root), base_url="http://127.0.0.1:8000") as client:
        sheet = client.get(f"{path_of(links[KFF])}/rettelser/1.xlsx")
        assert links[KFF] in workbook_text(sheet.content)


def test_a_ledger_of_an_earlier_schema_gains_the_links_table(rnd: Round) -> None:
    """A round's ledger made before links (schema 3, with the drafts table) opens as it is,
    and its links work."""
    with sqlite3.connect(rnd.root / STATE_DIR / DATABASE) as db:
        db.execute("DROP TABLE links")
        db.execute("PRAGMA user_version=3")
    links = department_links(rnd)
    assert department_for_token(rnd, links[0].url.rsplit("/", 1)[1]) == links[0].department
