"""The one rule for a test whose tool is missing: fail under CI=true, skip locally."""

from __future__ import annotations

import json

import pytest

from support.needs import missing, module


@pytest.mark.parametrize("ci", ["true", "1", "yes", " TRUE "])
def test_a_missing_tool_fails_in_ci(monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match=r"^CI=true but soffice is not installed$"):
        missing("soffice is not installed")


@pytest.mark.parametrize("ci", [None, "", "false", "0"])
def test_a_missing_tool_skips_locally(monkeypatch: pytest.MonkeyPatch, ci: str | None) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match=r"^soffice is not installed$"):
        missing("soffice is not installed")


def test_a_module_is_imported_or_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    assert module("json", "json is missing") is json
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="pip install nothing_here"):
        module("nothing_here_at_all", "nothing_here is not installed (pip install nothing_here)")
