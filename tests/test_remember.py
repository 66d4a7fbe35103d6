"""The round remembers what it read (issue 20): the ledger keeps each file's submission beside
its verdict, and every product of the round takes them from there instead of reading every
workbook again; a file is read again only when the round's form changes, and a ledger from
before it kept submissions is read once and then kept."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

import bilag4xl.intake.containment as containment
import bilag4xl.intake.validate as validate
import bilag4xl.template.writer as writer
from bilag4xl.annex.formats import render
from bilag4xl.annex.model import build_annex
from bilag4xl.consolidate.merge import merge_paths
from bilag4xl.consolidate.read import read_consolidated
from bilag4xl.export import round_table, submission_rows
from bilag4xl.feedback import feedback_bytes
from bilag4xl.form.model import Submission
from bilag4xl.intake.validate import read_file
from bilag4xl.round import ledger as ledger_module
from bilag4xl.round.annex import annex_bytes
from bilag4xl.round.consolidated import merge_round
from bilag4xl.round.feedback import feedback_for
from bilag4xl.round.folder import (
    Round,
    current_submissions,
    history,
    init_round,
    left_out,
    open_round,
    round_status,
    valid_submissions,
)
from bilag4xl.round.receive import receive
from bilag4xl.round.reminders import reminders
from bilag4xl.round.templates import templates_zip, write_templates
from bilag4xl.web.app import create_app
from test_left_out import BUF, KFF, TMF, sent
from test_round_changes import changed_form

DAY = dt.date(2026, 12, 24)


@pytest.fixture
def rnd(tmp_path: Path) -> Round:
    """TMF sent a file and then a corrected one; BUF a valid file; KFF one with an error;
    the other departments nothing."""
    made, _ = init_round(tmp_path / "runde")
    inbox = tmp_path / "indbakke"
    for n, (department, name, cover) in enumerate(
        [
            (TMF, "tmf.xlsx", {"email": "foerst@kk.dk"}),
            (BUF, "buf svar.xlsx", {}),
            (KFF, "kff.xlsx", {"email": "ikke en adresse"}),
            (TMF, "tmf rettet.xlsx", {}),
        ]
    ):
        folder = inbox / str(n)
        folder.mkdir(parents=True)
        (receipt,) = receive(made, [sent(folder, department, name, **cover)])
        assert receipt.outcome == "new", receipt
    return made


def reads(monkeypatch: pytest.MonkeyPatch) -> list[list[Path]]:
    """Every call that reads files, with the files it reads (all reading goes through it)."""
    calls: list[list[Path]] = []
    check_each = validate.check_each

    def counted(files: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        calls.append([Path(getattr(f, "name", f)).name for f in files])  # a path or a Blob
        return check_each(files, *args, **kwargs)

    monkeypatch.setattr(validate, "check_each", counted)
    return calls


def no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any reading of a workbook fails the test: the worker pool, one file in this process,
    and the reader itself."""

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("a workbook was read")

    monkeypatch.setattr(containment, "run", refuse)
    monkeypatch.setattr(validate, "check_file", refuse)
    monkeypatch.setattr(validate, "read_workbook", refuse)


def by_reading(rnd: Round) -> dict[str, Any]:
    """What reading each department's current file gives, the way the products did before."""
    current = [(entry, rnd.root / entry.stored) for entry, _ in rnd.current()]
    results = {entry.department: read_file(path, rnd.spec) for entry, path in current}
    for (entry, _), result in zip(current, results.values(), strict=True):
        assert result.submission is not None
        result.submission.source.file = entry.original_name
    out = rnd.root.parent / "laest.xlsx"
    names = {path: entry.original_name for entry, path in current}
    merged = merge_paths(list(names), out, rnd.spec, allow_invalid=True, names=names)
    valid = [d for d, r in results.items() if r.report.valid]
    missing = left_out(rnd, valid)
    annex = build_annex([results[d].submission for d in valid], rnd.spec, DAY, left_out=missing)
    kff = next(entry for entry, _ in current if entry.department == KFF)
    return {
        "results": results,
        "merged": merged,
        "annex": render(annex, "docx"),
        "feedback": feedback_bytes(results[KFF], rnd.spec, name="kff.xlsx", entry=kff.id),
    }


def parts(docx: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_every_product_takes_the_rounds_submissions_from_the_ledger_and_reads_no_file(
    rnd: Round, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = by_reading(rnd)
    calls = reads(monkeypatch)
    first = reminders(rnd, DAY)  # a feedback workbook needs the file itself: read once
    assert calls == [[Path(e.stored).name for e in history(rnd, KFF)]]
    with monkeypatch.context() as patched:
        no_reading(patched)
        status = round_status(rnd, DAY)
        current = current_submissions(rnd)
        carried, _ = valid_submissions(rnd)
        run = merge_round(rnd, allow_invalid=True)
        annex, _ = annex_bytes(rnd, "docx", DAY)
        drafts = reminders(rnd, DAY)
        kff = next(e for e in history(rnd, KFF))
        _, feedback = feedback_for(rnd, kff.id)
        table = round_table(rnd)
        with TestClient(create_app(rnd.root), base_url="http://127.0.0.1:8000") as client:
            pages = {
                path: client.get(path)
                for path in ("/samlet.xlsx?med_fejl=1", "/bilag4.docx", "/samlet.xlsx")
            }
            page_feedback = client.get(f"/modtaget/{kff.id}/rettelser.xlsx")

    assert {d.name: d.state for d in status.departments if d.received} == {
        TMF: "valid", BUF: "valid", KFF: "invalid",
    }  # fmt: skip
    results = expected["results"]
    assert [c.entry.department for c in current] == [TMF, BUF, KFF]
    for held in current:
        result = results[held.entry.department]
        assert held.submission == result.submission
        assert held.report == result.report
    assert [s.department for s in carried] == [TMF, BUF]
    assert table.rows == [
        row
        for entry, _ in rnd.current()
        if entry.department in (TMF, BUF)
        for row in submission_rows(
            results[entry.department].submission,
            rnd.spec,
            entry.original_name,
            entry.received_at.astimezone(),
        )
    ]
    assert f"{KFF} (fejl)" in table.left_out  # the reason the annex and the merge give
    assert run.written is not None
    assert read_consolidated(run.written) == read_consolidated(expected["merged"].written)
    assert [(i.code, i.file, i.cell) for i in run.merged.report] == [
        (i.code, i.file, i.cell) for i in expected["merged"].merged.report
    ]
    assert parts(annex) == parts(expected["annex"])
    assert feedback == expected["feedback"] == page_feedback.content
    assert [(d.department, d.attachment) for d in drafts] == [
        (d.department, d.attachment) for d in first
    ]
    attached = {d.department: d.attachment for d in drafts}
    assert attached[KFF] is not None and attached[KFF].data == expected["feedback"]
    assert pages["/samlet.xlsx?med_fejl=1"].status_code == 200
    assert pages["/samlet.xlsx"].status_code == 409  # KFF's errors, named from the ledger
    assert "kff.xlsx" in pages["/samlet.xlsx"].text
    assert parts(pages["/bilag4.docx"].content) == parts(annex_bytes(rnd, "docx")[0])


def test_a_form_change_reads_each_file_again_once_and_keeps_what_it_read(
    rnd: Round, monkeypatch: pytest.MonkeyPatch
) -> None:
    rnd.spec_file.write_text(changed_form(rnd.root.parent).read_text("utf-8"), "utf-8")
    changed = open_round(rnd.root)
    calls = reads(monkeypatch)
    current = current_submissions(changed)
    assert calls == [[Path(e.stored).name for e in history(changed)]]  # every file, one pool
    for held in current:
        assert held.submission is not None
        assert list(held.submission.initiatives[0].economy.years) == [
            "2009", "2010", "2011", "2012",
        ]  # fmt: skip
        assert "budget_ref" in held.submission.initiatives[0].model_extra  # type: ignore[operator]
        assert any(i.code == "field-new-required" for i in held.report)
    # what was read is kept: nothing is read again, by any product
    assert [d.state for d in round_status(changed).departments if d.received] == ["invalid"] * 3
    merge_round(changed, allow_invalid=True)
    assert [c.submission for c in current_submissions(changed)] == [c.submission for c in current]
    assert len(calls) == 1


def test_a_ledger_from_before_it_kept_submissions_is_read_once_and_kept(
    rnd: Round, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = {c.entry.id: c.submission for c in current_submissions(rnd)}
    db = sqlite3.connect(rnd.root / ledger_module.STATE_DIR / ledger_module.DATABASE)
    db.execute("ALTER TABLE received DROP COLUMN submission")  # as version 2 made it
    db.execute("PRAGMA user_version=2")
    db.commit()
    db.close()
    calls = reads(monkeypatch)
    assert [d.state for d in round_status(rnd).departments if d.received] == [
        "valid", "valid", "invalid",
    ]  # fmt: skip
    assert calls == []  # a status needs no submission
    current = current_submissions(rnd)
    assert [sorted(c) for c in calls] == [sorted(Path(c.entry.stored).name for c in current)]
    assert {c.entry.id: c.submission for c in current} == expected
    assert merge_round(rnd, allow_invalid=True).written is not None
    assert len(calls) == 1
    with sqlite3.connect(rnd.root / ".bilag4xl" / "modtaget.sqlite") as db:
        kept = db.execute("SELECT id, submission FROM received WHERE submission IS NOT NULL")
        texts = dict(kept.fetchall())
    assert set(texts) == set(expected)
    for entry_id, text in texts.items():
        kept_submission = Submission.from_json(text, rnd.spec)
        assert kept_submission.source.file == expected[entry_id].source.file  # as it was sent
        assert kept_submission == expected[entry_id]


def test_the_templates_zip_makes_a_template_only_when_it_changed(
    rnd: Round, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_templates(rnd)
    made = []
    template_bytes = writer.template_bytes

    def counted(spec: Any, department: Any = None, *args: Any, **kwargs: Any) -> bytes:
        made.append(department)
        return template_bytes(spec, department, *args, **kwargs)

    monkeypatch.setattr(writer, "template_bytes", counted)
    first = templates_zip(rnd)
    assert made == [] and templates_zip(rnd) == first  # those in skabeloner/, as they are
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        names = archive.namelist()
        assert sorted(names) == sorted(p.name for p in rnd.templates.iterdir())
        for name in names:
            assert archive.read(name) == (rnd.templates / name).read_bytes()
    edited = rnd.templates / names[0]
    by_hand = edited.read_bytes() + b"x"
    edited.write_bytes(by_hand)  # changed by hand: made again, the folder left as it is
    with zipfile.ZipFile(io.BytesIO(templates_zip(rnd))) as archive:
        assert archive.read(names[0]) == template_bytes(rnd.spec, made[0])
    assert len(made) == 1 and edited.read_bytes() == by_hand
    text = rnd.spec_file.read_text("utf-8").replace("2009-03-25", "2009-04-30", 1)
    rnd.spec_file.write_text(text, "utf-8")  # a new deadline: every template is new
    changed = open_round(rnd.root)
    every = len(rnd.spec.round.departments)
    later = templates_zip(changed)
    assert len(made) == 1 + every and later != first
    write_templates(changed)  # `bilag4xl template`: made and kept
    assert len(made) == 1 + 2 * every
    assert templates_zip(changed) == later and len(made) == 1 + 2 * every
