"""What a test needs from the machine (LibreOffice, chromium, Playwright, axe-core): when it is
missing the test fails under CI=true, where a silent skip would hide the gap, and skips
locally with the hint how to install it."""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def missing(problem: str) -> NoReturn:
    """Stop the test: fail in CI, else skip, saying what is missing and how to install it."""
    if in_ci():
        pytest.fail(f"CI=true but {problem}", pytrace=False)
    pytest.skip(problem)


def module(name: str, problem: str) -> ModuleType:
    """The module `name`, or `missing(problem)` when it cannot be imported."""
    try:
        return importlib.import_module(name)
    except ImportError:
        missing(problem)
