"""The one catalogue of codes: every issue code raised and provoked by a test, each message
with the same parameters in both languages, and the users' list of codes current."""

from __future__ import annotations

import pickle
import re
import string
from pathlib import Path

import pytest

from bilag4xl.errors import ERRORS, NoRoundError, SpecError, UnreadableWorkbook
from bilag4xl.issues.catalogue import CATALOGUE, codes_markdown

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "bilag4xl"
TABLES = {SOURCE / "issues" / "catalogue.py", SOURCE / "errors.py"}


def literals(paths: list[Path]) -> set[str]:
    """Every string literal in `paths`."""
    found: set[str] = set()
    for path in paths:
        found |= set(re.findall(r'"([a-z][a-z0-9._-]*)"', path.read_text("utf-8")))
    return found


def params(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_issue_and_error_codes_are_one_set_of_codes() -> None:
    assert not set(CATALOGUE) & set(ERRORS)
    assert all(re.fullmatch(r"[a-z0-9]+([._-][a-z0-9]+)*", c) for c in [*CATALOGUE, *ERRORS])


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_issue_code_is_raised_and_named_in_a_test(code: str) -> None:
    """The merge's codes are raised by their last part, in the merge's own room (a bare word
    such as "empty" found anywhere else would prove nothing); any other code by its name."""
    raised = literals([p for p in SOURCE.rglob("*.py") if p not in TABLES])
    merge = literals(list((SOURCE / "consolidate").glob("*.py")))
    by_part = code.startswith("merge.") and code.removeprefix("merge.") in merge
    assert code in raised or by_part, f"{code} is never raised"
    tests = literals([p for p in Path(__file__).parent.glob("*.py") if p.name != "test_codes.py"])
    assert code in tests, f"no test names {code}"


@pytest.mark.parametrize("code", sorted(ERRORS))
def test_every_error_code_is_raised(code: str) -> None:
    raised = literals([p for p in SOURCE.rglob("*.py") if p not in TABLES])
    assert code in raised or code in ("no-round", "no-files")  # their classes raise them


@pytest.mark.parametrize(
    ("code", "da", "en"),
    [(c, d.da, d.en) for c, d in CATALOGUE.items()] + [(c, t.da, t.en) for c, t in ERRORS.items()],
)
def test_both_languages_take_the_same_parameters(code: str, da: str, en: str) -> None:
    """A parameter of Danish words has its English twin (`reason` and `reason_en`)."""
    assert {p.removesuffix("_en") for p in params(en)} == params(da), code


def test_an_error_raised_by_its_code_says_it_in_both_languages() -> None:
    error = SpecError(code="template-too-many", count=205, maximum=200)
    assert error.code == "template-too-many" and error.exit_code == 2
    assert (
        str(error)
        == error.message("da")
        == (
            "Skabelonen ville få 205 indsatser; højst 200 er tilladt. Del forvaltningens "
            "indsatser på flere skabeloner."
        )
    )
    assert error.message("en").startswith("The template would get 205 initiatives")
    plain = SpecError("en besked")
    assert (plain.code, plain.message("en")) == ("", "en besked")


@pytest.mark.parametrize(
    "error",
    [
        SpecError(code="template-empty"),
        NoRoundError(Path("/x")),
        UnreadableWorkbook("xls"),
        SpecError("en besked"),
    ],
)
def test_an_error_from_a_worker_process_arrives_as_it_was_raised(error: Exception) -> None:
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error) and str(back) == str(error)
    assert back.__dict__ == error.__dict__  # code, English, parameters


def test_the_list_of_codes_for_users_is_current() -> None:
    """Regenerate with: python -m bilag4xl.issues.catalogue > docs/codes.md"""
    written = (ROOT / "docs" / "codes.md").read_text("utf-8")
    assert written == codes_markdown()
    for code in [*CATALOGUE, *ERRORS]:
        assert f"| `{code}` |" in written
    assert "(docs/codes.md)" in (ROOT / "README.md").read_text("utf-8")
