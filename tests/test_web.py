"""The web page's server: the same intake, status and downloads as the command line, and safe
by default (names never paths, bounded uploads, a token beyond loopback, no cross-site POSTs).

Starlette's TestClient drives the app in-process; the concurrency test runs a real uvicorn
server on a free loopback port."""

from __future__ import annotations

import io
import re
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient
from typer.testing import CliRunner

from annex_seed import seed_values
from bilag4xl.cli import app as cli_app
from bilag4xl.form.spec import load_spec
from bilag4xl.intake.validate import read_file
from bilag4xl.issues.catalogue import make
from bilag4xl.round.folder import init_round, open_round, round_status
from bilag4xl.template.writer import template_bytes
from bilag4xl.textsafe import slug
from bilag4xl.web.app import create_app
from bilag4xl.web.guard import CSRF_COOKIE, Settings
from support.fill import fill_template
from test_badfiles import _declared_huge, ole
from test_ledger import agree
from web_helpers import BUF, TMF, filled, running, variants

ORIGIN = "http://127.0.0.1:8000"
Files = list[tuple[str, tuple[str, bytes]]]


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """A valid workbook of two departments of the built-in round, and a wrong one."""
    folder = tmp_path_factory.mktemp("books")
    spec = load_spec()  # the built-in form: taken by any round of its period
    tmf, buf = filled(folder, spec, TMF), filled(folder, spec, BUF)
    return {"tmf": tmf.read_bytes(), "buf": buf.read_bytes(), "csv": b"a;b\n1;2\n"}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return init_round(tmp_path / "runde")[0].root


def client_for(root: Path, settings: Settings | None = None, **kw: Any) -> TestClient:
    return TestClient(create_app(root, settings), **{"base_url": ORIGIN, **kw})


@pytest.fixture
def client(root: Path) -> Iterator[TestClient]:
    with client_for(root) as c:
        c.get("/")  # the page sets its form token cookie
        yield c


def files(*named: tuple[str, bytes]) -> Files:
    return [("files", (name, data)) for name, data in named]


def upload(client: TestClient, *named: tuple[str, bytes], **kw: Any) -> httpx2.Response:
    token = client.cookies.get(CSRF_COOKIE)
    return client.post("/indsend", data={"csrf": token}, files=files(*named), **kw)


def text(response: httpx2.Response) -> str:
    """A page's visible text, in one line."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.text, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).replace("&amp;", "&").split())


# --------------------------------------------------------------------------- the pages


def test_the_round_page_has_every_department_and_the_downloads(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    spec = open_round(client.app.state.page.root).spec
    for d in spec.round.departments:
        assert f'data-department="{d.name}"' in page.text
        assert f'href="/skabelon/{slug(d.name)}.xlsx"' in page.text
    assert 'href="/samlet.xlsx"' in page.text and "samlet" in text(page)
    assert 'href="/bilag4.docx"' in page.text and 'href="/skabeloner.zip"' in page.text
    assert "Frist 25.03.2009" in text(page) and "0 af 7 forvaltninger" in text(page)


def test_an_upload_says_what_became_of_each_file_and_the_round_shows_it(
    client: TestClient, books: dict[str, bytes]
) -> None:
    answer = upload(client, ("tmf.xlsx", books["tmf"]), ("tal.xlsx", books["csv"]))
    shown = text(answer)
    assert answer.status_code == 200
    assert "tmf.xlsx Modtaget Forvaltning: Teknik- og Miljøforvaltningen . I orden." in shown
    assert make("text-file").message_da.split(" Filen er ikke")[0] in shown
    assert "/rettelser.xlsx" in answer.text
    status = client.get("/api/status").json()
    states = {d["department"]: d["state"] for d in status["departments"]}
    assert states[TMF] == "valid" and states[BUF] == "missing"
    row = re.search(
        r'<tr class="state-valid" data-department="Teknik.*?</tr>', client.get("/").text, re.S
    )
    assert row and "tmf.xlsx" in row.group(0) and "Rettelsesark" in row.group(0)


def test_a_zip_upload_is_unpacked_into_its_workbooks(
    client: TestClient, books: dict[str, bytes]
) -> None:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("runde/tmf.xlsx", books["tmf"])
        archive.writestr("runde/buf.xlsx", books["buf"])
        archive.writestr("runde/~$tmf.xlsx", books["tmf"][:165])
    answer = upload(client, ("indberetninger.zip", packed.getvalue()))
    assert "indberetninger.zip/runde/tmf.xlsx" in text(answer)
    states = {d["department"]: d["state"] for d in client.get("/api/status").json()["departments"]}
    assert states[TMF] == states[BUF] == "valid"


def test_api_status_is_the_document_of_status_json(client: TestClient, books: dict) -> None:
    client.post("/api/submissions", files=files(("buf.xlsx", books["buf"])))
    root = client.app.state.page.root
    assert client.get("/api/status").json() == round_status(open_round(root)).to_dict()


def test_api_submissions_answers_in_the_shape_of_validate_json(
    client: TestClient, books: dict[str, bytes]
) -> None:
    answer = client.post(
        "/api/submissions", files=files(("tmf.xlsx", books["tmf"]), ("tal.xlsx", books["csv"]))
    )
    data = answer.json()
    assert answer.status_code == 200 and data["schema"] == "bilag4xl/report/1"
    assert data["valid"] is False and data["stats"]["files"] == 2
    tmf, csv = data["files"]
    assert (tmf["file"], tmf["valid"], tmf["department"], tmf["outcome"]) == (
        "tmf.xlsx",
        True,
        TMF,
        "new",
    )
    assert [(i["code"], i["file"]) for i in csv["issues"]] == [("text-file", "tal.xlsx")]
    again = client.post("/api/submissions", files=files(("igen.xlsx", books["tmf"]))).json()
    assert again["files"][0]["outcome"] == "duplicate"


def test_downloads_are_made_by_the_library(client: TestClient, books: dict[str, bytes]) -> None:
    spec = open_round(client.app.state.page.root).spec
    template = client.get(f"/skabelon/{slug(TMF)}.xlsx")
    assert template.content == template_bytes(spec, TMF)
    assert "attachment" in template.headers["content-disposition"]
    assert client.get("/skabeloner.zip").content[:2] == b"PK"
    entry = upload(client, ("tmf.xlsx", books["tmf"]))
    number = re.search(r"/modtaget/(\d+)/rettelser.xlsx", entry.text)
    assert number is not None
    feedback = client.get(f"/modtaget/{number.group(1)}/rettelser.xlsx")
    assert load_workbook(io.BytesIO(feedback.content)).sheetnames[0] == "Rettelser"
    assert client.get(f"/modtaget/{number.group(1)}/fil").content == books["tmf"]
    annex = client.get("/bilag4.docx")
    assert annex.status_code == 200 and annex.content[:2] == b"PK"


def test_the_data_table_is_offered_beside_the_consolidated_workbook(
    client: TestClient, books: dict[str, bytes]
) -> None:
    """The page offers `bilag4xl export`'s table: the same bytes as the library makes."""
    from bilag4xl.export import export_round

    upload(client, ("tmf.xlsx", books["tmf"]))
    page = client.get("/")
    assert 'href="/data.xlsx"' in page.text and 'href="/data.csv"' in page.text
    rnd = open_round(client.app.state.page.root)
    csv = client.get("/data.csv")
    assert csv.status_code == 200 and csv.content == export_round(rnd, "csv")[0]
    assert csv.content.startswith("\ufeff".encode()) and TMF.encode() in csv.content
    assert "bilag4_data.csv" in csv.headers["content-disposition"]
    table = load_workbook(io.BytesIO(client.get("/data.xlsx").content))
    assert table.worksheets[0].tables  # an Excel table, not loose cells
    assert client.get("/data.parquet").status_code == 404


def test_the_consolidated_workbook_waits_for_errors_unless_asked(
    client: TestClient, books: dict[str, bytes], tmp_path: Path
) -> None:
    spec = open_round(client.app.state.page.root).spec
    names = spec.round.department(TMF).initiatives  # type: ignore[union-attr]
    values = {**seed_values(names), "cover.email": "idachr(at)tmf"}
    broken = fill_template(template_bytes(spec, TMF), values, tmp_path / "fejl.xlsx", spec)
    upload(client, ("buf.xlsx", books["buf"]), ("tmf_fejl.xlsx", broken.read_bytes()))
    refused = client.get("/samlet.xlsx")
    assert refused.status_code == 409 and "tmf_fejl.xlsx" in text(refused)
    assert "samlet.xlsx?med_fejl=1" in refused.text and "--allow-invalid" not in refused.text
    merged = client.get("/samlet.xlsx?med_fejl=1")
    assert merged.status_code == 200
    assert "Kilder" in load_workbook(io.BytesIO(merged.content)).sheetnames


def test_a_department_page_lists_every_version_and_excludes_and_includes(
    client: TestClient, books: dict[str, bytes], tmp_path: Path
) -> None:
    (older,) = variants_of(books["tmf"], tmp_path, 1)
    upload(client, ("tmf_v1.xlsx", older))
    upload(client, ("tmf_v2.xlsx", books["tmf"]))
    page = client.get(f"/forvaltning/{slug(TMF)}")
    shown = text(page)
    assert shown.index("tmf_v2.xlsx") < shown.index("tmf_v1.xlsx")  # newest first
    assert re.search(r"\b[0-9a-f]{64}\b", page.text) and "Gældende" in shown
    newest = int(re.findall(r"/modtaget/(\d+)/udelad", page.text)[0])
    token = client.cookies.get(CSRF_COOKIE)
    gone = client.post(
        f"/modtaget/{newest}/udelad", data={"csrf": token, "begrundelse": "sendt ved en fejl"}
    )
    assert gone.status_code == 200 and gone.url.path == f"/forvaltning/{slug(TMF)}"
    assert "Udeladt: sendt ved en fejl" in text(gone)
    current = {d["department"]: d for d in client.get("/api/status").json()["departments"]}
    assert current[TMF]["last_file"].endswith("tmf_v1.xlsx")
    client.post(f"/modtaget/{newest}/medtag", data={"csrf": token})
    current = {d["department"]: d for d in client.get("/api/status").json()["departments"]}
    assert current[TMF]["last_file"].endswith("tmf_v2.xlsx")


def variants_of(data: bytes, folder: Path, count: int) -> list[bytes]:
    source = folder / "kilde.xlsx"
    source.write_bytes(data)
    return [p.read_bytes() for p in variants(source, folder / "kopier", count)]


# --------------------------------------------------------------------------- safe by default


def outside(tmp_path: Path, root: Path) -> set[Path]:
    return {p for p in tmp_path.rglob("*") if p.is_file() and root not in p.parents}


def test_a_file_name_is_never_a_path(
    client: TestClient, books: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # uploads land in here
    root = client.app.state.page.root
    before = outside(tmp_path, root)
    spec_text = (root / "runde.toml").read_text("utf-8")
    absolute = tmp_path / "absolut" / "z.xlsx"
    names = ["../../x.xlsx", "..\\..\\y.xlsx", str(absolute), "../runde.toml", "a/../../w.zip"]
    data = [books["tmf"], books["buf"], books["csv"], b"[round]", b"PK\x05\x06" + bytes(18)]
    answer = client.post("/api/submissions", files=files(*zip(names, data, strict=True)))
    assert answer.status_code == 200
    assert outside(tmp_path, root) == before
    assert not absolute.parent.exists()
    assert (root / "runde.toml").read_text("utf-8") == spec_text  # untouched
    stored = sorted(str(p.relative_to(root)) for _, p in open_round(root).current())
    assert stored and all(s.startswith("modtaget/") and ".." not in s for s in stored)
    assert {f["file"] for f in answer.json()["files"]} >= {"../../x.xlsx", "..\\..\\y.xlsx"}


def test_an_oversized_upload_is_refused_in_danish(root: Path, books: dict[str, bytes]) -> None:
    limit = len(books["tmf"]) + 2000
    with client_for(root, Settings(max_upload=limit)) as client:
        client.get("/")
        page = upload(client, ("a.xlsx", books["tmf"]), ("b.xlsx", books["buf"]))
        assert page.status_code == 413 and "fylder for meget" in text(page)
        api = client.post("/api/submissions", files=files(("a.xlsx", books["tmf"] * 2)))
        assert api.status_code == 413 and "fylder for meget" in api.json()["error"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams
            yield b"--x\r\nContent-Disposition: form-data; name=files; filename=a.xlsx\r\n\r\n"
            for _ in range(4):
                yield books["tmf"]

        streamed = client.post(
            "/api/submissions",
            content=chunks(),
            headers={"content-type": "multipart/form-data; boundary=x"},
        )
        assert streamed.status_code == 413
        claimed = client.post(  # refused by its stated length, before a byte is read
            "/api/submissions",
            content=b"--x--\r\n",
            headers={"content-type": "multipart/form-data; boundary=x", "content-length": "9" * 12},
        )
        assert claimed.status_code == 413
        assert round_status(open_round(root)).to_dict()["stats"]["received"] == 0
        assert client.get("/").status_code == 200  # still serving
        ok = client.post("/api/submissions", files=files(("a.xlsx", books["tmf"])))
        assert ok.json()["files"][0]["valid"] is True  # under the limit: received


def test_wrong_files_get_the_same_message_as_on_the_command_line(
    client: TestClient, books: dict[str, bytes], tmp_path: Path
) -> None:
    wrong = {
        "csv.xlsx": books["csv"],
        "gammel.xls": ole("Workbook".encode("utf-16-le")),
        "bombe.xlsx": _declared_huge(books["tmf"]),
    }
    answer = client.post("/api/submissions", files=files(*wrong.items())).json()
    got = {f["file"]: f["issues"][0]["message"] for f in answer["files"]}
    for name, data in wrong.items():
        path = tmp_path / name
        path.write_bytes(data)
        (cli_message,) = [i.message() for i in read_file(path).report.errors]
        assert cli_message in got[name], name
    page = upload(client, ("csv2.xlsx", books["csv"] + b"3;4\n"))
    assert make("text-file").message_da in text(page)
    assert client.get("/").status_code == 200


def test_two_uploads_at_once_lose_nothing(
    root: Path, books: dict[str, bytes], tmp_path: Path
) -> None:
    extra = variants_of(books["tmf"], tmp_path, 2)
    batches = [
        files(("tmf.xlsx", books["tmf"]), ("buf.xlsx", books["buf"]), ("kopi.xlsx", extra[0])),
        files(("buf.xlsx", books["buf"]), ("tmf.xlsx", books["tmf"]), ("kopi.xlsx", extra[1])),
    ]
    answers: list[dict] = [{}, {}]
    start = threading.Barrier(2)
    with running(create_app(root)) as url:

        def send(n: int) -> None:
            with httpx2.Client(base_url=url, timeout=120) as http:
                start.wait()
                answers[n] = http.post("/api/submissions", files=batches[n]).json()

        workers = [threading.Thread(target=send, args=(n,)) for n in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    outcomes: dict[str, list[str]] = {}
    for answer in answers:
        for f in answer["files"]:
            outcomes.setdefault(f["sha256"], []).append(f["outcome"])
    assert len(outcomes) == 4  # tmf, buf and two distinct copies
    assert all(sorted(o)[-1] == "new" and o.count("new") == 1 for o in outcomes.values()), outcomes
    assert len(open_round(root).current()) == 2
    assert agree(root) == []


def test_fifty_files_in_one_upload(client: TestClient, books: dict, tmp_path: Path) -> None:
    many = variants_of(books["tmf"], tmp_path, 50)
    answer = client.post(
        "/api/submissions", files=files(*((f"tmf{n}.xlsx", d) for n, d in enumerate(many)))
    ).json()
    assert answer["stats"]["files"] == 50 and answer["valid"] is True
    assert {f["outcome"] for f in answer["files"]} == {"new"}


def test_beyond_loopback_every_request_needs_the_token(root: Path) -> None:
    settings = Settings(token="hemmelig-kode-123", loopback_only=False)
    with client_for(root, settings, base_url="http://intranet.kommune.dk:8000") as client:
        refused = client.get("/")
        assert refused.status_code == 401 and 'name="token"' in refused.text
        assert "adgangskoden" in text(refused)
        assert client.get("/api/status").json()["status"] == 401
        assert client.get("/?token=forkert").status_code == 401
        assert client.post("/api/submissions", files=files(("a.xlsx", b"x"))).status_code == 401
        bearer = {"authorization": "Bearer hemmelig-kode-123"}
        assert client.get("/api/status", headers=bearer).status_code == 200
        entered = client.get("/indsend?token=hemmelig-kode-123", follow_redirects=False)
        assert entered.status_code == 303 and entered.headers["location"] == "/indsend"
        assert "hemmelig" not in entered.headers["set-cookie"]  # the cookie is derived
        assert client.get("/").status_code == 200  # the cookie carries it from now on


def test_posts_from_elsewhere_are_refused(client: TestClient, books: dict[str, bytes]) -> None:
    foreign = {"origin": "http://evil.example"}
    token = client.cookies.get(CSRF_COOKIE)
    form = {"csrf": token}
    book = files(("tmf.xlsx", books["tmf"]))
    assert client.post("/indsend", data=form, files=book, headers=foreign).status_code == 403
    assert client.post("/api/submissions", files=book, headers=foreign).status_code == 403
    referer = {"referer": "http://evil.example/side"}
    assert client.post("/api/submissions", files=book, headers=referer).status_code == 403
    no_token = client.post("/indsend", data={"csrf": "x" * 32}, files=book)
    assert no_token.status_code == 403 and "Formularen" in text(no_token)
    assert client.post("/modtaget/1/medtag").status_code == 403
    rebound = client.get("/api/status", headers={"host": "evil.example:8000"})
    assert rebound.status_code == 421
    assert round_status(open_round(client.app.state.page.root)).to_dict()["stats"]["received"] == 0
    assert upload(client, ("tmf.xlsx", books["tmf"]), headers={"origin": ORIGIN}).status_code == 200


def test_errors_are_danish_pages_and_the_server_keeps_running(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with client_for(root, raise_server_exceptions=False) as client:
        client.get("/")
        annex = client.get("/bilag4.docx")  # nothing received yet: a library error
        assert annex.status_code == 400 and "ingen gyldige indberetninger" in text(annex)
        empty = client.post("/indsend", data={"csrf": client.cookies.get(CSRF_COOKIE)})
        assert empty.status_code == 400 and "Vælg en eller flere filer" in text(empty)
        assert client.get("/forvaltning/findes-ikke").status_code == 404

        def broken(*_: object) -> None:
            raise RuntimeError("secret internals")

        monkeypatch.setattr("bilag4xl.web.app.round_status", broken)
        crash = client.get("/")
        assert crash.status_code == 500 and "uventet fejl" in text(crash)
        assert "secret internals" not in crash.text and "Traceback" not in crash.text
        assert client.get("/indsend").status_code == 200


def test_every_asset_ships_in_the_package(client: TestClient) -> None:
    package = Path(__file__).parents[1] / "src" / "bilag4xl" / "web"
    assets = [*package.glob("templates/*.html"), *package.glob("static/*")]
    assert len(assets) >= 4
    for path in assets:
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", path.read_text("utf-8")), path
    assert client.get("/static/bilag4xl.css").status_code == 200
    assert "XMLHttpRequest" in client.get("/static/upload.js").text


# --------------------------------------------------------------------------- bilag4xl serve


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """uvicorn.run replaced: what serve would have served, and where."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append({"app": app, **kw}))
    return calls


def test_serve_makes_a_missing_round_and_opens_on_loopback(
    tmp_path: Path, served: list[dict[str, Any]]
) -> None:
    port = str(free_loopback_port())
    result = CliRunner().invoke(cli_app, ["serve", str(tmp_path / "ny"), "--port", port])
    assert result.exit_code == 0, result.output
    assert "Lavede en ny runde" in result.output and (tmp_path / "ny" / "runde.toml").is_file()
    assert f"http://127.0.0.1:{port}/" in result.output and "token" not in result.output
    assert served[0]["host"] == "127.0.0.1"


def test_serve_beyond_loopback_prints_a_token_the_page_requires(
    root: Path, served: list[dict[str, Any]]
) -> None:
    result = CliRunner().invoke(
        cli_app, ["serve", str(root), "--host", "0.0.0.0", "--port", str(free_loopback_port())]
    )
    assert result.exit_code == 0, result.output
    token = re.search(r"\?token=(\S+)", result.output)
    assert token and len(token.group(1)) >= 20
    with TestClient(served[0]["app"], base_url="http://pc-123:8000") as client:
        assert client.get("/").status_code == 401
        assert client.get(f"/?token={token.group(1)}").status_code == 200


def test_serve_leaves_a_folder_that_is_not_a_round_alone(
    tmp_path: Path, served: list[dict[str, Any]]
) -> None:
    (tmp_path / "noter.txt").write_text("x")
    result = CliRunner().invoke(cli_app, ["serve", str(tmp_path)])
    assert result.exit_code == 1 and "er ikke en rundemappe" in result.output
    assert not (tmp_path / "runde.toml").exists() and not served


def test_serve_says_when_the_port_is_taken(root: Path, served: list[dict[str, Any]]) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = CliRunner().invoke(cli_app, ["serve", str(root), "--port", port])
    assert result.exit_code == 1 and "porten er optaget" in result.output and not served


def free_loopback_port() -> int:
    from web_helpers import free_port

    return free_port()
