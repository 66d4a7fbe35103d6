"""The round's progress: `summarize` over validation results (pure) and `bilag4xl status`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from annex_seed import seed_submission
from bilag4xl.cli.render import status_rows, status_table
from bilag4xl.form.model import Submission
from bilag4xl.form.spec import Spec, load_spec
from bilag4xl.issues.report import Issue, Report, Severity
from bilag4xl.record import Verdict
from bilag4xl.round.ledger import SqliteLedger
from bilag4xl.status import RoundStatus, from_ledger, summarize

SPEC = load_spec()
ROUND = [d.name for d in SPEC.round.departments]
MAY = dt.datetime(2009, 5, 1, 9, 0)
BEFORE_DEADLINE = dt.date(2009, 3, 1)


@dataclass
class Result:
    """Stands in for `validate.FileResult` (path, submission, report)."""

    path: Path
    submission: Submission | None
    report: Report


def _issue(severity: Severity) -> Issue:
    return Issue("x", severity, "besked", "message", sheet="Forside", cell="B5")


def result(
    department: str,
    file: str | None = None,
    date: dt.date | None = dt.date(2009, 3, 25),
    errors: int = 0,
    warnings: int = 0,
) -> Result:
    cover = {"caseworker": "A", "date": date}
    sub = seed_submission(SPEC, department=department, names=(), cover=cover)
    report = Report([_issue(Severity.ERROR)] * errors + [_issue(Severity.WARNING)] * warnings)
    return Result(Path(file or f"{department[:5]}.xlsx"), sub, report)


def status_of(results: list[Result]) -> RoundStatus:
    return summarize(results, SPEC, {r.path: MAY for r in results}, today=BEFORE_DEADLINE)


def test_all_received_and_valid_is_complete() -> None:
    status = status_of([result(name) for name in ROUND])
    assert status.complete
    assert status.missing == [] and status.invalid == []
    assert [d.state for d in status.departments] == ["valid"] * len(ROUND)


def test_a_department_without_a_file_is_missing() -> None:
    status = status_of([result(name) for name in ROUND[1:]])
    assert not status.complete
    assert status.missing == [ROUND[0]]
    first = status.departments[0]
    assert first.state == "missing" and first.last is None
    assert first.to_dict()["valid"] is None


def test_invalid_counts_errors_and_warnings_of_the_last_file() -> None:
    results = [result(name) for name in ROUND[1:]]
    results.append(result(ROUND[0], "old.xlsx", dt.date(2009, 3, 1)))
    results.append(result(ROUND[0], "new.xlsx", dt.date(2009, 3, 20), errors=2, warnings=1))
    status = status_of(results)
    dep = status.departments[0]
    assert dep.state == "invalid" and status.invalid == [ROUND[0]]
    assert (dep.last.path.name, dep.last.errors, dep.last.warnings) == ("new.xlsx", 2, 1)
    assert [f.path.name for f in dep.duplicates] == ["new.xlsx", "old.xlsx"]
    assert not status.complete


def test_date_falls_back_to_the_file_time() -> None:
    status = status_of([result(ROUND[0], date=None)])
    last = status.departments[0].last
    assert (last.date, last.date_source) == (MAY.date(), "mtime")
    assert "01.05.2009 (ændret)" in status_rows(status)[1]


def test_department_names_match_case_insensitively() -> None:
    status = status_of([result(ROUND[0].upper())])
    assert status.departments[0].received


def test_files_outside_the_round_and_unreadable_files_are_listed() -> None:
    stray = result("Borgerrådgiveren", "stray.xlsx")
    broken = Result(Path("broken.xlsx"), None, Report([_issue(Severity.ERROR)]))
    status = status_of([*(result(n) for n in ROUND), stray, broken])
    assert [f.path.name for f in status.unknown] == ["stray.xlsx"]
    assert [f.path.name for f in status.unreadable] == ["broken.xlsx"]
    assert not status.complete  # an unreadable file may be anyone's submission
    data = status.to_dict()
    assert data["unknown_departments"][0]["department"] == "Borgerrådgiveren"
    assert data["unreadable"][0]["file"] == "broken.xlsx"


def test_json_shape() -> None:
    data = status_of([result(ROUND[0])]).to_dict()
    assert data["complete"] is False
    assert data["stats"] == {
        "departments": len(ROUND),
        "received": 1,
        "valid": 1,
        "missing": len(ROUND) - 1,
        "invalid": 0,
        "late": 0,
        "overdue": 0,
    }
    assert data["deadline"] == "2009-03-25" and data["days_left"] == 24
    first = data["departments"][0]
    assert first["department"] == ROUND[0]
    assert first["last_file"] == f"{ROUND[0][:5]}.xlsx"
    assert first["date"] == "2009-03-25" and first["date_source"] == "cover"


def test_round_without_departments_expects_those_found() -> None:
    spec = SPEC.model_copy(update={"round": SPEC.round.model_copy(update={"departments": ()})})
    results = [result("B-forvaltning"), result("A-forvaltning")]
    status = summarize(results, spec, {})
    assert [d.name for d in status.departments] == ["A-forvaltning", "B-forvaltning"]
    assert status.complete


@pytest.mark.parametrize("state", ["valid", "invalid", "missing"])
def test_table_says_the_state_in_danish(state: str) -> None:
    results = [] if state == "missing" else [result(ROUND[0], errors=int(state == "invalid"))]
    row = status_rows(status_of(results))[1]
    assert row[1] == {"valid": "i orden", "invalid": "fejl", "missing": "mangler"}[state]


# --------------------------------------------------------------------------- deadlines


def deadline_spec() -> Spec:
    """The built-in round with a deadline of 11 April 2025, one department granted a later
    one, and contacts for all but one department."""
    data = SPEC.model_dump(mode="json")
    data["round"]["deadline"] = "2025-04-11"
    for n, dept in enumerate(data["round"]["departments"]):
        if n != 3:
            dept["contact"] = {"name": f"Kontakt {n}", "email": f"kontakt{n}@kommune.dk"}
    data["round"]["departments"][2]["deadline"] = "2025-04-25"
    return Spec.model_validate(data)


def test_late_overdue_and_extended_deadlines_from_the_ledger(tmp_path: Path) -> None:
    spec = deadline_spec()
    names = [d.name for d in spec.round.departments]
    local = dt.datetime.now().astimezone().tzinfo
    on_time = dt.datetime(2025, 4, 11, 15, 0, tzinfo=local)
    late = dt.datetime(2025, 4, 14, 9, 0, tzinfo=local)
    with SqliteLedger(tmp_path) as ledger:
        ledger.store_bytes(b"0", "a.xlsx", Verdict(names[0], valid=True), on_time)
        ledger.store_bytes(b"1", "b.xlsx", Verdict(names[1], valid=True), late)
        ledger.store_bytes(b"2", "c.xlsx", Verdict(names[2], valid=False, errors=2), late)
        entries = ledger.entries()
    status = from_ledger(entries, spec, tmp_path, today=dt.date(2025, 4, 20))
    by_name = {d.name: d for d in status.departments}
    assert not by_name[names[0]].late and by_name[names[1]].late
    assert not by_name[names[2]].late  # its own deadline is 25 April
    assert by_name[names[2]].days_left == 5 and by_name[names[0]].days_left == -9
    assert by_name[names[3]].overdue and not by_name[names[2]].overdue
    assert [d.name for d in status.to_chase] == names[2:]
    data = status.to_dict()
    assert data["deadline"] == "2025-04-11" and data["days_left"] == -9
    assert data["stats"]["late"] == 1 and data["stats"]["overdue"] == len(names) - 3
    first = data["departments"][1]
    assert (first["late"], first["overdue"], first["days_left"]) == (True, False, -9)
    assert first["received_at"].startswith("2025-04-14")
    assert data["departments"][3]["contact"] is None
    assert data["departments"][2]["contact"] == {
        "name": "Kontakt 2",
        "email": "kontakt2@kommune.dk",
    }


def test_the_table_says_when_each_file_was_received_beside_its_cover_date(
    tmp_path: Path,
) -> None:
    local = dt.datetime.now().astimezone().tzinfo
    came = dt.datetime(2009, 3, 20, 14, 5, tzinfo=local)
    today = dt.date(2009, 3, 22)
    with SqliteLedger(tmp_path) as ledger:
        ledger.store_bytes(
            b"0", "a.xlsx", Verdict(ROUND[0], valid=True, cover_date=dt.date(2009, 3, 18)), came
        )
        ledger.store_bytes(  # dated a month ahead: a typo
            b"1", "b.xlsx", Verdict(ROUND[1], valid=True, cover_date=dt.date(2009, 4, 21)), came
        )
        status = from_ledger(ledger.entries(), SPEC, tmp_path, today=today)
    header, first, second, *_ = status_rows(status)
    assert (header[5], header[6]) == ("Modtaget", "Forsidens dato")
    assert (first[5], first[6]) == ("20.03.2009 14:05", "18.03.2009")
    assert second[6] == "21.04.2009 (efter i dag)" and not status.departments[0].cover_in_future
    said = status_table(status)
    assert f"Advarsel: {ROUND[1]}: forsidens dato 21.04.2009 ligger efter i dag" in said
    assert "Advarsel" not in said.replace(f"Advarsel: {ROUND[1]}", "")
    data = status.to_dict()["departments"][1]
    assert (data["cover_date"], data["cover_date_in_future"]) == ("2009-04-21", True)


def test_whom_to_chase_with_contacts_and_the_days_left() -> None:
    spec = deadline_spec()
    status = summarize([], spec, {}, today=dt.date(2025, 4, 8))
    table = status_table(status)
    assert "Rykkes: Teknik- og Miljøforvaltningen (mangler); kontakt: Kontakt 0 " in table
    assert "kontakt: ingen kontakt i runden" in table  # department 3 has none: listed, not skipped
    assert "Frist 11.04.2025 (om 3 dage)." in table
    assert "11.04.2025 (om 3 dage)" in table


def test_days_to_a_deadline_in_words_one_day_is_singular() -> None:
    from bilag4xl.danish.numbers import days_text

    assert [days_text(n) for n in (2, 1, 0, -1, -2)] == [
        "om 2 dage",
        "om 1 dag",
        "i dag",
        "overskredet for 1 dag siden",
        "overskredet for 2 dage siden",
    ]
    spec = deadline_spec()
    late = status_table(summarize([], spec, {}, today=dt.date(2025, 4, 12)))
    assert "Frist 11.04.2025 (overskredet for 1 dag siden)." in late
