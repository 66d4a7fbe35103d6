"""One way to open what the user gave (issue 24): a consolidated workbook, one submission or
a round folder is told apart in `open_given`, and every caller refuses in one wording."""

from __future__ import annotations

from pathlib import Path

import pytest

from bilag4xl.annex.sources import read_submissions
from bilag4xl.consolidate.given import open_given
from bilag4xl.consolidate.merge import merge_paths
from bilag4xl.errors import UnreadableFileError
from bilag4xl.form.spec import load_spec
from bilag4xl.prefill import last_submissions, write_prefilled

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "submissions"
SEED = EXAMPLES / "teknik-og-miljoeforvaltningen.xlsx"
WORDING = "er hverken en samlet projektmappe eller en gyldig indberetning"


def test_one_submission_carries_its_reading() -> None:
    given = open_given(SEED)
    assert given.book is None and given.result is not None and given.result.report.valid
    assert [s.department for s in given.submissions] == [given.result.submission.department]


def test_a_consolidated_workbook_gives_every_department(tmp_path: Path) -> None:
    out = tmp_path / "samlet.xlsx"
    merge_paths([SEED, EXAMPLES / "kultur-og-fritidsforvaltningen.xlsx"], out, load_spec())
    given = open_given(out, need="valid")
    assert given.book is not None and given.result is None and len(given.submissions) == 2
    assert given.as_consolidated() is given.book


def test_a_folder_is_opened_by_the_opener_it_is_given(tmp_path: Path) -> None:
    spec = load_spec()
    given = open_given(tmp_path, folder=lambda path: ([], spec))
    assert given.submissions == [] and given.spec is spec
    with pytest.raises(UnreadableFileError, match=WORDING):
        open_given(tmp_path)


def test_every_caller_refuses_a_file_that_is_no_submission_in_one_wording(
    tmp_path: Path,
) -> None:
    junk = tmp_path / "noter.xlsx"
    junk.write_bytes(b"not a workbook")
    calls = (
        lambda: read_submissions(junk),
        lambda: last_submissions(junk),
        lambda: write_prefilled(tmp_path / "ny.xlsx", load_spec(), junk),
        lambda: open_given(junk, need="values"),
    )
    for call in calls:
        with pytest.raises(UnreadableFileError, match=WORDING) as caught:
            call()
        assert str(junk) in str(caught.value)
    assert open_given(junk).submissions == []  # "any": read shows the file's problems itself
