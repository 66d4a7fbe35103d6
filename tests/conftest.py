"""Shared fixtures. LibreOffice and browser tests skip locally when it is missing, but fail in
CI (`support.needs`)."""

from __future__ import annotations

import pytest

from support import libreoffice as lo
from support.needs import missing


def require_libreoffice() -> str:
    """The soffice path; otherwise fail in CI or skip."""
    problem = lo.missing()
    if problem is not None:
        missing(problem)
    soffice = lo.soffice_path()
    assert soffice is not None
    return soffice


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked `@pytest.mark.libreoffice` get the same check as the fixture; tests marked
    `@pytest.mark.browser` the same for Debian's chromium."""
    if item.get_closest_marker("libreoffice") is not None:
        require_libreoffice()
    if item.get_closest_marker("browser") is not None:
        from web_helpers import require_chromium

        require_chromium()


@pytest.fixture(scope="session", name="libreoffice")
def libreoffice_fixture() -> str:
    """The soffice path, for fixtures that run LibreOffice (skips or fails like the marker)."""
    return require_libreoffice()
