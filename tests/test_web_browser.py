"""The web page in a real browser: Debian's chromium driven by Playwright, against
`bilag4xl serve` running as its own process on a free loopback port.

With CI=true these tests fail when chromium (or Playwright) is missing; locally they skip.
With BILAG4XL_SCREENSHOTS=1 they also save the README's pictures."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from annex_seed import seed_values
from bilag4xl.consolidate.read import read_consolidated
from bilag4xl.form.spec import Spec, default_spec_text, load_spec
from bilag4xl.round.folder import init_round
from bilag4xl.template.writer import template_bytes
from support.fill import fill_template
from support.needs import module
from web_helpers import BROWSER_ARGS, BUF, TMF, filled, free_port, require_chromium, variants

pytestmark = pytest.mark.browser
KFF = "Kultur- og Fritidsforvaltningen"
IMAGES = Path(__file__).parents[1] / "docs" / "images"


def playwright_api() -> Any:
    hint = "Playwright for Python is not installed (pip install -e '.[test]')"
    return module("playwright.sync_api", hint).sync_playwright


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = require_chromium()
    with playwright_api()() as p:
        launched = p.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        yield launched
        launched.close()


@contextmanager
def serving(root: Path, *options: str) -> Iterator[tuple[str, str]]:
    """`bilag4xl serve ROOT [OPTIONS]` as its own process on a free port; its address, then
    (once it has stopped) what it said."""
    port = free_port()
    command = [sys.executable, "-m", "bilag4xl", "serve", str(root), "--port", str(port)]
    command += options
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    said: list[str] = []
    try:
        wait_for(url, process)
        yield url, said
    finally:
        process.terminate()
        said.append(process.communicate(timeout=30)[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`bilag4xl serve` on a folder that does not exist yet (serve makes the round)."""
    root = tmp_path / "runde"
    with serving(root) as (url, said):
        yield url, root
    assert "Lavede en ny runde" in said[0] and f"Rundens side: {url}/" in said[0]


def wait_for(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "bilag4xl serve stopped"
        try:
            with urllib.request.urlopen(f"{url}/static/bilag4xl.css", timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("bilag4xl serve did not answer")


@pytest.fixture
def books(tmp_path: Path) -> dict[str, Path]:
    return make_books(tmp_path / "indbakke", load_spec())  # the built-in form, of any round


def make_books(folder: Path, spec: Spec) -> dict[str, Path]:
    """Two valid workbooks, a CSV renamed .xlsx, and one with two wrong cover fields."""
    wrong = folder / "tal.xlsx"
    books = {"tmf": filled(folder, spec, TMF), "buf": filled(folder, spec, BUF)}
    wrong.write_text("forvaltning;beløb\nTMF;412000\n", "utf-8")
    names = spec.round.department(KFF).initiatives  # type: ignore[union-attr]
    values = {**seed_values(names), "cover.email": "kultur(at)kff", "cover.phone": "33 66"}
    faulty = fill_template(template_bytes(spec, KFF), values, folder / "kff.xlsx", spec)
    return {**books, "wrong": wrong, "faulty": faulty}


def test_upload_two_see_both_received_and_download_the_consolidated_workbook(
    browser: Any, tmp_path: Path
) -> None:
    soon = dt.date.today() + dt.timedelta(days=12)  # a round under way, for the pictures
    spec = tmp_path / "runde.toml"
    spec.write_text(default_spec_text().replace("deadline = 2009-03-25", f"deadline = {soon}"))
    rnd = init_round(tmp_path / "runde", spec)[0]
    root, books = rnd.root, make_books(tmp_path / "indbakke", rnd.spec)
    with serving(root) as (url, _):
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page.goto(f"{url}/indsend")
        page.set_input_files("#files", [str(books["tmf"]), str(books["buf"])])
        page.click("button[type=submit]")
        results = page.locator("#results")
        results.wait_for()
        assert results.locator("article.valid").count() == 2
        assert set(results.locator(".department").all_inner_texts()) == {TMF, BUF}

        page.click("text=Runden")
        for name in (TMF, BUF):
            row = page.locator(f'tr[data-department="{name}"]')
            assert row.locator(".badge").first.inner_text() == "i orden"
        assert page.locator("tr.state-missing").count() == 5
        assert "om 12 dage" in page.locator(".lead").inner_text()

        with page.expect_download() as download:
            page.click("a[href='/samlet.xlsx']")
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        assert saved.name == "samlet.xlsx"
        assert sorted(s.department for s in read_consolidated(saved)) == sorted([TMF, BUF])
        assert "Oversigt" in load_workbook(saved, read_only=True).sheetnames
        if os.environ.get("BILAG4XL_SCREENSHOTS") == "1":
            pictures(page, url, books["faulty"])
        page.close()


def pictures(page: Any, url: str, faulty: Path) -> None:
    """The README's pictures: an upload with a problem, then the round page."""
    page.goto(f"{url}/indsend")
    page.set_input_files("#files", [str(faulty)])
    page.click("button[type=submit]")
    page.locator("#results article.invalid").wait_for()
    page.screenshot(path=str(IMAGES / "web-upload.png"), full_page=True)
    page.goto(url)
    page.screenshot(path=str(IMAGES / "web-round.png"), full_page=True)


def test_a_wrong_file_gets_its_message_in_the_page(
    browser: Any, server: tuple[str, Path], books: dict[str, Path]
) -> None:
    url, _ = server
    page = browser.new_page()
    page.goto(f"{url}/indsend")
    page.set_input_files("#files", [str(books["wrong"])])
    page.click("button[type=submit]")
    result = page.locator("article.invalid")
    result.wait_for()
    assert "tal.xlsx" in result.inner_text()
    assert "tekstfil (fx CSV), der er omdøbt til .xlsx" in result.inner_text()
    assert page.locator("#upload-form").is_visible()  # ready for the corrected file
    page.close()


def test_fifty_files_show_progress_then_every_result(
    browser: Any, server: tuple[str, Path], books: dict[str, Path], tmp_path: Path
) -> None:
    url, _ = server
    many = variants(books["tmf"], tmp_path / "mange", 50)
    page = browser.new_page()
    page.goto(f"{url}/indsend")
    page.evaluate(
        """() => {
            window.seen = [];
            const text = document.getElementById("progress-text");
            new MutationObserver(() => window.seen.push(text.textContent))
                .observe(text, {childList: true, characterData: true, subtree: true});
        }"""
    )
    page.set_input_files("#files", [str(p) for p in many])
    page.click("button[type=submit]")
    page.locator("#results").wait_for(timeout=120_000)
    seen = page.evaluate("window.seen")
    assert any(re.fullmatch(r"Sender 50 filer: [\d,]+ MB af [\d,]+ MB", s) for s in seen), seen
    assert "Filerne er sendt. Kontrollerer 50 filer …" in seen
    assert page.locator("article.result").count() == 50
    page.close()


def test_the_page_works_without_javascript(
    browser: Any, server: tuple[str, Path], books: dict[str, Path]
) -> None:
    url, root = server
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{url}/indsend")
    page.set_input_files("#files", [str(books["tmf"])])
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/indsend")
    assert "I orden." in page.locator("#results").inner_text()
    page.goto(f"{url}/forvaltning/teknik-og-miljoeforvaltningen")
    page.fill("input[name=begrundelse]", "sendt ved en fejl")
    page.click("text=Udelad")
    assert "Udeladt: sendt ved en fejl" in page.locator("table.history").inner_text()
    page.click("text=Tag med igen")
    assert "Gældende" in page.locator("table.history").inner_text()
    context.close()
    assert any((root / "modtaget").rglob("*.xlsx"))
