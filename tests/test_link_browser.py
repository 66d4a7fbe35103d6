"""The department's link page and every page of `bilag4xl serve` in a real browser (Debian's
chromium through Playwright): WCAG 2.1 AA by axe-core with no violation, no sideways scrolling
on a 390 px wide phone, and a department's upload done by keyboard alone.

With CI=true these tests fail when chromium, Playwright or axe-core is missing; locally they
skip. With BILAG4XL_SCREENSHOTS=1 they also save the README's pictures of the link page."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import test_web_browser
from annex_seed import seed_values
from bilag4xl.form.spec import default_spec_text
from bilag4xl.round.folder import Round, init_round, open_round
from bilag4xl.round.links import link_for
from bilag4xl.round.receive import receive
from bilag4xl.round.reminders import remind_round
from support.fill import fill_template
from support.needs import module
from test_web_browser import IMAGES, make_books, serving
from web_helpers import BUF, TMF, variants

pytestmark = pytest.mark.browser
KFF = "Kultur- og Fritidsforvaltningen"
BASE = "https://bilag4.odense.dk"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 390, "height": 844}
browser = test_web_browser.browser  # the same chromium, as a fixture of this module too
TOKEN = "sekretariatets-lange-kode"


def axe() -> Any:
    hint = "axe-playwright-python is not installed (pip install -e '.[test]')"
    return module("axe_playwright_python.sync_playwright", hint).Axe()


@pytest.fixture
def round_under_way(tmp_path: Path) -> tuple[Round, dict[str, Path]]:
    """A round with a deadline ahead and departments' links: one department valid, one with
    errors (its files received on the command line), the rest missing."""
    soon = dt.date.today() + dt.timedelta(days=9)
    spec = tmp_path / "runde.toml"
    text = default_spec_text().replace("deadline = 2009-03-25", f"deadline = {soon}")
    spec.write_text(text.replace("[round]\n", f'[round]\nbase_url = "{BASE}"\n', 1))
    rnd = init_round(tmp_path / "runde", spec)[0]
    books = make_books(tmp_path / "indbakke", rnd.spec)
    receive(rnd, [books["tmf"], books["faulty"]])
    return open_round(rnd.root), books


def link_path(rnd: Round, department: str) -> str:
    return (link_for(rnd, department) or "").removeprefix(BASE)


def violations(page: Any) -> list[str]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it is now."""
    results = axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}: {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]


def too_wide(page: Any) -> int:
    """How far the page scrolls sideways (0: it fits its window)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def check(page: Any, what: str, seen: dict[str, tuple[list[str], int]]) -> None:
    seen[what] = (violations(page), too_wide(page))


def test_every_page_meets_wcag_21_aa_and_fits_a_phone(
    browser: Any, round_under_way: tuple[Round, dict[str, Path]]
) -> None:
    rnd, books = round_under_way
    seen: dict[str, tuple[list[str], int]] = {}
    with serving(rnd.root) as (url, _):
        for width, viewport in (("wide", {"width": 1280, "height": 900}), ("phone", PHONE)):
            page = browser.new_page(viewport=viewport)
            secretariat_pages(page, url, books, width, seen)
            link_pages(page, url, rnd, books, width, seen)
            page.close()
    with serving(rnd.root, "--token", TOKEN) as (url, _):
        page = browser.new_page(viewport=PHONE)
        page.goto(f"{url}/")
        assert "Adgangskode" in page.locator("h1").inner_text()
        check(page, "the token page", seen)
        page.close()
    assert {what: found for what, found in seen.items() if found != ([], 0)} == {}
    assert len(seen) == 2 * 9 + 1


def secretariat_pages(
    page: Any, url: str, books: dict[str, Path], width: str, seen: dict[str, Any]
) -> None:
    page.goto(url)
    assert page.locator("tr.state-invalid").count() == 1
    check(page, f"round page ({width})", seen)
    page.goto(f"{url}/forvaltning/kultur-og-fritidsforvaltningen")
    page.locator("details summary").first.click()  # the problems, open
    check(page, f"department page ({width})", seen)
    page.goto(f"{url}/indsend")
    check(page, f"upload page ({width})", seen)
    page.set_input_files("#files", [str(books["faulty"]), str(books["wrong"])])
    page.click("button[type=submit]")
    page.locator("#results article.invalid").first.wait_for()
    check(page, f"upload result ({width})", seen)
    page.goto(f"{url}/samlet.xlsx")
    assert "ikke lavet" in page.locator("h1").inner_text()
    check(page, f"consolidated refused ({width})", seen)
    page.goto(f"{url}/modtaget/999/fil")
    assert page.locator("h1").inner_text() == "Ikke fundet"
    check(page, f"error page ({width})", seen)


def link_pages(
    page: Any, url: str, rnd: Round, books: dict[str, Path], width: str, seen: dict[str, Any]
) -> None:
    page.goto(url + link_path(rnd, KFF))
    assert page.locator("#rettelsesark").is_visible()  # its file has errors
    check(page, f"link page ({width})", seen)
    page.set_input_files("#files", [str(books["faulty"]), str(books["buf"])])
    page.click("button[type=submit]")
    page.locator("#results article.invalid").first.wait_for()
    assert f"Filen er fra {BUF}" in page.locator("#results").inner_text()
    check(page, f"link upload result ({width})", seen)
    page.goto(f"{url}/indberet/{'C' * 32}")
    assert page.locator("h1").inner_text() == "Ikke fundet"
    check(page, f"link not found ({width})", seen)


def test_a_department_sends_its_file_by_keyboard_alone(
    browser: Any, round_under_way: tuple[Round, dict[str, Path]], tmp_path: Path
) -> None:
    rnd, books = round_under_way
    with serving(rnd.root) as (url, _):
        page = browser.new_page(viewport={"width": 1024, "height": 800}, accept_downloads=True)
        page.goto(url + link_path(rnd, BUF))
        tab_to(page, "a#skabelon")
        with page.expect_download() as template:
            page.keyboard.press("Enter")
        assert template.value.suggested_filename.endswith(".xlsx")
        tab_to(page, "#files")
        with page.expect_file_chooser() as chooser:
            page.keyboard.press("Space")
        chooser.value.set_files([str(books["buf"])])
        tab_to(page, "button[type=submit]")
        page.keyboard.press("Enter")
        results = page.locator("#results")
        results.wait_for()
        assert "I orden." in results.inner_text()
        listed = page.locator("#files-received tr[data-channel=link]")
        assert listed.count() == 1 and books["buf"].name in listed.inner_text()
        assert page.locator("#files-received").get_by_text("Gældende").count() == 1
        if os.environ.get("BILAG4XL_SCREENSHOTS") == "1":
            link_pictures(browser, url, rnd, books)
        page.close()


def tab_to(page: Any, selector: str, presses: int = 30) -> None:
    """Press Tab until `selector` has the focus (a keyboard user's only way there)."""
    target = page.locator(selector)
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def link_pictures(browser: Any, url: str, rnd: Round, books: dict[str, Path]) -> None:
    """The README's pictures: a department's page after an upload with errors, on a desktop
    and on a phone."""
    copies = variants(books["faulty"], rnd.root.parent / "kopier", 2)  # new files each time
    for name, viewport, copy in (
        ("web-link.png", {"width": 1100, "height": 900}, copies[0]),
        ("web-link-phone.png", PHONE, copies[1]),
    ):
        page = browser.new_page(viewport=viewport)
        page.goto(url + link_path(rnd, KFF))
        page.set_input_files("#files", [str(copy)])
        page.click("button[type=submit]")
        page.locator("#results article.invalid").wait_for()
        page.screenshot(path=str(IMAGES / name), full_page=True)
        page.close()


def test_the_caseworkers_whole_loop_through_the_departments_link(
    browser: Any, tmp_path: Path
) -> None:
    """Invitation draft with the link → the template from the link page → filled with a
    mistake and sent → its rettelsesark → corrected and sent → valid; the secretariat sees it
    in the round's status and history."""
    rnd = init_round(tmp_path / "runde")[0]
    names = rnd.spec.round.department(TMF).initiatives  # type: ignore[union-attr]
    inbox = tmp_path / "hentet"
    inbox.mkdir()
    with serving(rnd.root) as (url, _):
        text = rnd.spec_file.read_text("utf-8")  # the address the page is reached at
        rnd.spec_file.write_text(text.replace("[round]\n", f'[round]\nbase_url = "{url}"\n', 1))
        rnd = open_round(rnd.root)
        invitation = next(d for d in remind_round(rnd).drafts if d.department == TMF)
        assert invitation.kind == "invitation"
        found = re.search(rf"{re.escape(url)}/indberet/[A-Za-z0-9_-]{{32}}", invitation.body)
        assert found, invitation.body
        link = found.group(0)

        page = browser.new_page(accept_downloads=True)
        page.goto(link)
        assert "inviteret" in page.locator(".written").inner_text()
        template = download(page, "#skabelon", inbox)
        wrong = {**seed_values(names), "cover.email": "ida(at)tmf"}
        sent = fill_template(template.read_bytes(), wrong, inbox / "tmf.xlsx", rnd.spec)
        upload(page, sent)
        assert "1 fejl skal rettes" in page.locator("#results").inner_text()
        assert "ida(at)tmf" in page.locator("#results table.issues").inner_text()

        rettelsesark = download(page, "#rettelsesark", inbox)
        fixed = {"cover.email": "ida@tmf.kk.dk"}
        corrected = fill_template(rettelsesark.read_bytes(), fixed, inbox / "rettet.xlsx", rnd.spec)
        upload(page, corrected)
        assert "I orden." in page.locator("#results").inner_text()
        rows = page.locator("#files-received > tbody > tr")
        assert rows.count() == 2 and "Gældende" in rows.first.inner_text()
        page.close()

        secretariat = browser.new_page()
        secretariat.goto(url)
        row = secretariat.locator(f'tr[data-department="{TMF}"]')
        assert row.locator(".badge").first.inner_text() == "i orden"
        secretariat.goto(f"{url}/forvaltning/teknik-og-miljoeforvaltningen")
        shown = secretariat.locator("main").inner_text()
        assert "inviteret" in shown and shown.count("gennem forvaltningens link") == 2
        secretariat.close()
    said = subprocess.run(
        [sys.executable, "-m", "bilag4xl", "status", "--history"],
        cwd=rnd.root,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    lines = [line for line in said.splitlines() if TMF in line]
    assert any("link" in line and "rettelsesark til nr. 1" in line for line in lines), said
    assert any("inviteret" in line for line in lines), said


def download(page: Any, selector: str, folder: Path) -> Path:
    with page.expect_download() as started:
        page.click(selector)
    target = folder / started.value.suggested_filename
    started.value.save_as(target)
    return target


def upload(page: Any, path: Path) -> None:
    page.set_input_files("#files", [str(path)])
    page.click("button[type=submit]")
    page.locator(f'#results article[data-file="{path.name}"]').wait_for()
