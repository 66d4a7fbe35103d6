"""The committed examples: valid submissions stay valid, the faulty one gives its report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bilag4xl.intake.validate import read_file
from bilag4xl.issues.report import report_data

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SUBMISSIONS = sorted((EXAMPLES / "submissions").glob("*.xlsx"))
FAULTY = sorted((EXAMPLES / "faulty").glob("*.xlsx"))


def test_there_are_examples() -> None:
    assert len(SUBMISSIONS) >= 3 and FAULTY
    assert any("libreoffice" in p.name for p in SUBMISSIONS)


@pytest.mark.parametrize("path", SUBMISSIONS, ids=lambda p: p.name)
def test_example_submissions_are_valid(path: Path) -> None:
    result = read_file(path)
    assert result.report.valid and len(result.report) == 0, [i.message_da for i in result.report]


@pytest.mark.parametrize("path", FAULTY, ids=lambda p: p.name)
def test_faulty_example_gives_its_expected_report(path: Path) -> None:
    expected = json.loads(path.with_name(path.stem + ".expected.json").read_text("utf-8"))
    result = read_file(path)
    got = report_data([(path.name, result.report)])
    for file in got["files"]:
        for issue in file["issues"]:
            issue["file"] = Path(issue["file"]).name  # the expected report names files only
    assert got == expected
