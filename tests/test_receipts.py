"""What `receive` says about files given under other names (uploads), and that answer as a
`validate --json` document; worker processes started from a threaded server."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from annex_seed import write_filled
from bilag4xl import processes
from bilag4xl.form.spec import Spec
from bilag4xl.issues.catalogue import make
from bilag4xl.round import folder as rounds
from bilag4xl.round import receive as receiving
from bilag4xl.round.folder import Round, init_round
from bilag4xl.round.receive import receipts_data, receive

TMF = "Teknik- og Miljøforvaltningen"


@pytest.fixture
def rnd(tmp_path: Path) -> Round:
    made, _ = init_round(tmp_path / "runde")
    return made


def filled(folder: Path, spec: Spec, department: str = TMF) -> Path:
    folder.mkdir(exist_ok=True)
    return write_filled(folder, spec, department, spec.round.department(department).initiatives)


def upload(folder: Path, data: bytes, n: int, suffix: str = ".xlsx") -> Path:
    """A file kept under a generated name, as the web page keeps an upload."""
    path = folder / f"{n}{suffix}"
    path.write_bytes(data)
    return path


def test_an_owner_file_is_skipped_by_the_name_it_was_sent_under(rnd: Round, tmp_path: Path) -> None:
    good = filled(tmp_path / "in", rnd.spec).read_bytes()
    owner = upload(tmp_path, good[:165], 0)  # Excel's ~$ file: the first bytes of the book
    receipts = receive(rnd, [owner], names={owner: "mappe/~$tmf.xlsx"})
    assert [(r.source, r.outcome, r.skipped) for r in receipts] == [
        ("mappe/~$tmf.xlsx", "refused", True)
    ]
    assert "ejerfil" in receipts[0].reason
    assert rounds.history(rnd) == []


def test_the_answer_has_the_shape_of_validate_json_with_the_senders_names(
    rnd: Round, tmp_path: Path
) -> None:
    good = filled(tmp_path / "in", rnd.spec).read_bytes()
    names = {
        upload(tmp_path, good, 0): "tmf.xlsx",
        upload(tmp_path, b"a;b\n1;2\n", 1): "../../tal.xlsx",
        upload(tmp_path, b"not a workbook", 2, ".pdf"): "brev.pdf",
        upload(tmp_path, b"x", 3): ".skjult.xlsx",
    }
    data = receipts_data(receive(rnd, list(names), names=names))
    assert set(data) == {"schema", "valid", "stats", "files", "skipped"}
    assert data["schema"] == "bilag4xl/report/1" and data["valid"] is False
    by_name = {f["file"]: f for f in data["files"]}
    assert list(by_name) == ["tmf.xlsx", "../../tal.xlsx", "brev.pdf"]
    assert by_name["tmf.xlsx"]["valid"] and by_name["tmf.xlsx"]["department"] == TMF
    csv = by_name["../../tal.xlsx"]
    assert csv["outcome"] == "new" and [i["code"] for i in csv["issues"]] == ["text-file"]
    assert csv["issues"][0]["message"] == make("text-file").message_da  # as on the CLI
    pdf = by_name["brev.pdf"]
    assert pdf["outcome"] == "refused" and pdf["entry"] is None
    assert [i["code"] for i in pdf["issues"]] == ["not-received"]
    assert "ikke et regneark" in pdf["issues"][0]["message"]
    assert [s["file"] for s in data["skipped"]] == [".skjult.xlsx"]
    issues = [i for f in data["files"] for i in f["issues"]]
    assert {i["file"] for i in issues} <= set(names.values())  # never the generated name
    assert data["stats"]["files"] == 3 and data["stats"]["invalid_files"] == 2


def test_a_file_received_again_answers_with_its_first_verdict(rnd: Round, tmp_path: Path) -> None:
    broken = upload(tmp_path, b"a;b\n1;2\n", 0)
    first = receipts_data(receive(rnd, [broken], names={broken: "tal.xlsx"}))
    again = receipts_data(receive(rnd, [broken], names={broken: "tal igen.xlsx"}))
    (before,), (after,) = first["files"], again["files"]
    assert after["outcome"] == "duplicate" and after["entry"] == before["entry"]
    assert after["issues"] == [{**i, "file": "tal igen.xlsx"} for i in before["issues"]]
    assert after["valid"] is False


def test_worker_processes_are_not_forked_from_a_program_running_threads() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert processes.context().get_start_method() != "fork"
    finally:
        stop.set()
        other.join()


def test_a_store_that_fails_midway_stops_the_receive_and_keeps_what_was_stored(
    rnd: Round, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bilag4xl.round.ledger import SqliteLedger
    from test_ledger import agree

    departments = [d.name for d in rnd.spec.round.departments][:5]
    files = [filled(tmp_path / f"in{n}", rnd.spec, name) for n, name in enumerate(departments)]
    store_many, calls = SqliteLedger.store_many, []

    def full_on_the_second(self: SqliteLedger, batch: list, *args: Any, **kw: Any) -> list:
        calls.append(len(batch))
        if len(calls) == 2:
            raise OSError("disken er fuld")
        return store_many(self, batch, *args, **kw)

    monkeypatch.setattr(receiving, "STORE_BATCH", 2)
    monkeypatch.setattr(SqliteLedger, "store_many", full_on_the_second)
    with pytest.raises(OSError, match="disken er fuld"):
        receive(rnd, files)
    kept = rounds.history(rnd)
    assert calls[:2] == [2, 2] and len(kept) == 2 * (len(calls) - 1)
    assert agree(rnd.root) == []
    # nothing is lost: received again, the kept files are known and the rest come in
    monkeypatch.setattr(SqliteLedger, "store_many", store_many)
    receipts = receive(rnd, files)
    assert sorted(r.outcome for r in receipts) == sorted(
        ["duplicate"] * len(kept) + ["new"] * (len(files) - len(kept))
    )


def test_receive_takes_the_submission_back_as_json_and_keeps_just_that(
    rnd: Round, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers send receive the submission as JSON text (what the ledger keeps), not
    the object graph; the ledger holds the same submission a full read gives."""
    from bilag4xl.form.model import Submission
    from bilag4xl.intake import validate

    path = filled(tmp_path / "ind", rnd.spec)
    seen: list[validate.FileResult] = []
    check_each = validate.check_each

    def watched(*args: Any, **kw: Any) -> Any:
        for item, result in check_each(*args, **kw):
            if result is not None:
                seen.append(result)
            yield item, result

    monkeypatch.setattr(validate, "check_each", watched)
    (receipt,) = receive(rnd, [path])
    assert receipt.outcome == "new" and seen
    assert all(r.submission is None and r.brief is not None for r in seen)
    full = validate.read_file(path, rnd.spec).submission
    assert full is not None
    with rnd.ledger() as ledger:
        (entry,) = ledger.entries(data=True)
    kept = Submission.from_json(str(entry.verdict.submission), rnd.spec)
    assert kept.model_dump(exclude={"source"}) == full.model_dump(exclude={"source"})
    assert entry.verdict.template_id == full.template.id and entry.department == TMF
