"""The pure merge rules: duplicates, invalid and unreadable inputs, another spec, order."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from bilag4xl.consolidate.decide import merge
from bilag4xl.issues.report import Issue, Report, Severity
from merge_helpers import SPEC, departments, result, submission

TMF, BUF, KFF = departments()[:3]


def codes(merged) -> list[str]:
    return [i.code for i in merged.report]


def error(file: str) -> Report:
    return Report([Issue("field.required", Severity.ERROR, "mangler", "missing", file=file)])


def test_distinct_departments_merge_in_the_rounds_order() -> None:
    subs = [submission(d, n) for n, d in enumerate(departments()[:4])]
    merged = merge([result(s) for s in reversed(subs)], SPEC)
    assert merged.ok and merged.report.valid
    assert [e.department for e in merged.entries] == departments()[:4]
    assert merged.initiatives == sum(len(s.initiatives) for s in subs)
    assert merged.total == pytest.approx(sum(s.total for s in subs))


def test_order_does_not_depend_on_input_order() -> None:
    results = [result(submission(d, n)) for n, d in enumerate(departments())]
    orders = set()
    for seed in range(5):
        random.Random(seed).shuffle(results)
        merged = merge(results, SPEC)
        orders.add(tuple(e.submission.source.sha256 for e in merged.entries))
    assert len(orders) == 1


def test_unknown_departments_follow_the_round_sorted_by_name() -> None:
    b = submission(TMF, 1, overrides={"cover.department": "Zeta-forvaltningen"}, file="b.xlsx")
    a = submission(TMF, 2, overrides={"cover.department": "Alfa-forvaltningen"}, file="a.xlsx")
    merged = merge([result(b), result(a), result(submission(KFF, 3))], SPEC)
    assert [e.department for e in merged.entries] == [
        KFF,
        "Alfa-forvaltningen",
        "Zeta-forvaltningen",
    ]


def test_two_submissions_for_one_department_are_an_error_naming_both_files() -> None:
    one, two = submission(TMF, 1, file="tmf_a.xlsx"), submission(TMF, 2, file="tmf_b.xlsx")
    merged = merge([result(one), result(two), result(submission(BUF))], SPEC)
    assert not merged.ok
    dup = [i for i in merged.report if i.code == "merge.duplicate"]
    assert len(dup) == 1 and dup[0].severity is Severity.ERROR
    assert "tmf_a.xlsx" in dup[0].message_da and "tmf_b.xlsx" in dup[0].message_da
    assert TMF in dup[0].message_da


def test_a_department_name_with_control_characters_is_shown_not_obeyed() -> None:
    """The duplicate message quotes the department as typed on the cover; an escape character
    there would drive the terminal the merge prints to."""
    name = "Ond\x1b[31m-forvaltningen\u202e"
    one = submission(TMF, 1, overrides={"cover.department": name}, file="a.xlsx")
    two = submission(TMF, 2, overrides={"cover.department": name}, file="b.xlsx")
    (dup,) = [
        i for i in merge([result(one), result(two)], SPEC).report if i.code == "merge.duplicate"
    ]
    for text in (dup.message_da, dup.message_en):
        assert "\x1b" not in text and "\u202e" not in text
        assert "Ond␛[31m-forvaltningen⟨U+202E⟩" in text


def test_a_refused_duplicate_counts_its_department_once() -> None:
    """What the "Intet skrevet" line counts: the newest submission of the department, not
    both (it said 13 initiatives for 10 and added the department's total twice)."""
    old = submission(TMF, 1, file="tmf_a.xlsx", date=dt.date(2009, 3, 1))
    new = submission(TMF, 2, file="tmf_b.xlsx", date=dt.date(2009, 3, 20))
    other = submission(BUF)
    merged = merge([result(new), result(old), result(other)], SPEC)
    assert not merged.ok
    assert [e.submission.source.file for e in merged.entries] == ["tmf_b.xlsx", other.source.file]
    assert [e.submission.source.file for e in merged.duplicates] == ["tmf_a.xlsx"]
    assert merged.initiatives == len(new.initiatives) + len(other.initiatives)
    assert merged.total == pytest.approx(new.total + other.total)
    assert merged.departments == 2


def test_duplicates_block_even_with_allow_invalid() -> None:
    subs = [submission(TMF, 1, file="a.xlsx"), submission(TMF, 2, file="b.xlsx")]
    assert not merge([result(s) for s in subs], SPEC, allow_invalid=True).ok


def test_latest_keeps_the_later_cover_date_and_reports_the_dropped_file() -> None:
    old = submission(TMF, 1, file="zz_old.xlsx", date=dt.date(2009, 3, 1))
    new = submission(TMF, 2, file="aa_new.xlsx", date=dt.date(2009, 3, 20))
    merged = merge([result(new), result(old)], SPEC, on_duplicate="latest")
    assert merged.ok
    assert [e.submission.source.file for e in merged.entries] == ["aa_new.xlsx"]
    assert [e.submission.source.file for e in merged.dropped] == ["zz_old.xlsx"]
    (dropped,) = [i for i in merged.report if i.code == "merge.dropped"]
    assert dropped.severity is Severity.WARNING
    assert dropped.file == "zz_old.xlsx" and "aa_new.xlsx" in dropped.message_da


def test_latest_breaks_a_date_tie_by_file_time() -> None:
    day = dt.date(2009, 3, 20)
    a = submission(TMF, 1, file="a.xlsx", date=day)
    b = submission(TMF, 2, file="b.xlsx", date=day)
    times = {Path("a.xlsx"): 200.0, Path("b.xlsx"): 100.0}
    merged = merge([result(a), result(b)], SPEC, on_duplicate="latest", mtime=times.__getitem__)
    assert [e.submission.source.file for e in merged.entries] == ["a.xlsx"]


def test_a_byte_identical_file_is_skipped_with_a_notice() -> None:
    sub = submission(TMF, 1)
    merged = merge([result(sub, "kopi.xlsx"), result(sub, "original.xlsx")], SPEC)
    assert merged.ok and len(merged.entries) == 1
    (notice,) = [i for i in merged.report if i.code == "merge.identical"]
    assert notice.severity is Severity.INFO
    assert notice.file == "original.xlsx" and "kopi.xlsx" in notice.message_da


def test_an_invalid_submission_blocks_the_merge() -> None:
    bad = submission(BUF, 1)
    merged = merge([result(submission(TMF)), result(bad, report=error(bad.source.file))], SPEC)
    assert not merged.ok
    assert "field.required" in codes(merged)
    (blocking,) = [i for i in merged.report if i.code == "merge.invalid"]
    assert blocking.severity is Severity.ERROR and "--allow-invalid" in blocking.message_da


def test_allow_invalid_includes_and_flags_it() -> None:
    bad = submission(BUF, 1)
    merged = merge(
        [result(submission(TMF)), result(bad, report=error(bad.source.file))],
        SPEC,
        allow_invalid=True,
    )
    assert merged.ok and len(merged.entries) == 2
    assert [e.valid for e in merged.entries] == [True, False]
    (flag,) = [i for i in merged.report if i.code == "merge.invalid_included"]
    assert flag.severity is Severity.WARNING


def test_an_unreadable_file_blocks_unless_allowed_and_is_never_included() -> None:
    unreadable = result(None, "kaput.xlsx", error("kaput.xlsx"))
    assert not merge([result(submission(TMF)), unreadable], SPEC).ok
    allowed = merge([result(submission(TMF)), unreadable], SPEC, allow_invalid=True)
    assert allowed.ok and len(allowed.entries) == 1
    (note,) = [i for i in allowed.report if i.code == "merge.unreadable"]
    assert note.severity is Severity.WARNING  # the catalogue's error, softened by the option


def test_a_submission_of_another_spec_always_blocks() -> None:
    other = submission(TMF)
    other.template.form_hash = "0" * 64  # its values are of another form than the round's
    for allow in (False, True):
        merged = merge([result(other)], SPEC, allow_invalid=allow)
        assert not merged.ok and "merge.spec_mismatch" in codes(merged)


def test_nothing_to_merge_is_an_error() -> None:
    merged = merge([], SPEC)
    assert not merged.ok and codes(merged) == ["merge.empty"]


def test_on_duplicate_must_be_known() -> None:
    with pytest.raises(ValueError):
        merge([], SPEC, on_duplicate="first")  # type: ignore[arg-type]
