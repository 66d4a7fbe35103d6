"""Shared fixtures. LibreOffice and browser tests skip locally when it is missing, but fail in
CI."""

from __future__ import annotations

import os

import pytest

from support import libreoffice as lo


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def require_libreoffice() -> str:
    """The soffice path; otherwise fail in CI (a silent skip would hide the gap) or skip."""
    problem = lo.missing()
    if problem is None:
        soffice = lo.soffice_path()
        assert soffice is not None
        return soffice
    if _in_ci():
        pytest.fail(f"CI=true but {problem}", pytrace=False)
    pytest.skip(problem)


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
