"""The caseworker's side of the round (issue 21): a corrected feedback workbook is received
like any submission (an unchanged one is refused, saying so), every template says where to
send it and by when (the department's own deadline), the first mail is an invitation, the
drafts folder stays true and every draft is in the ledger, and a change of the form is said
as such, with a workbook the department can send back."""

from __future__ import annotations

import datetime as dt
import email
import io
import json
from email import policy
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from annex_seed import seed_values
from bilag4xl.cli import app
from bilag4xl.feedback import feedback_bytes
from bilag4xl.form.spec import default_spec_text
from bilag4xl.intake.validate import read_file
from bilag4xl.round.feedback import feedback_for
from bilag4xl.round.folder import (
    Round,
    drafts_history,
    history,
    init_round,
    open_round,
    round_status,
)
from bilag4xl.round.ledger import SqliteLedger
from bilag4xl.round.receive import receive
from bilag4xl.round.reminders import remind_round
from bilag4xl.template.writer import template_bytes
from support.fill import fill_template

runner = CliRunner()
TMF = "Teknik- og Miljøforvaltningen"
BUF = "Børne- og Ungdomsforvaltningen"
KFF = "Kultur- og Fritidsforvaltningen"
SEND = "Send det udfyldte skema til integration@odense.dk senest"
TODAY = dt.date(2009, 3, 20)


def odense_text() -> str:
    """The built-in round with the secretariat's address, a contact for every department and
    a later deadline granted to Teknik- og Miljøforvaltningen."""
    text = default_spec_text().replace(
        'contact = "Økonomiforvaltningen',
        'contact_email = "integration@odense.dk"\ncontact = "Økonomiforvaltningen',
        1,
    )
    names = [line[8:-1] for line in text.splitlines() if line.startswith('name = "')][1:]
    for n, name in enumerate(names):
        extra = f'contact = {{ name = "Kontakt {n}", email = "k{n}@odense.dk" }}\n'
        if name == TMF:
            extra += "deadline = 2009-04-15\n"
        text = text.replace(f'name = "{name}"\n', f'name = "{name}"\n{extra}', 1)
    return text


def make_round(tmp_path: Path) -> Round:
    spec = tmp_path / "odense.toml"
    spec.write_text(odense_text(), "utf-8")
    rnd, _ = init_round(tmp_path / "runde", spec)
    return rnd


def filled(rnd: Round, department: str, out: Path, **changes: object) -> Path:
    names = rnd.spec.round.department(department).initiatives  # type: ignore[union-attr]
    values = {**seed_values(names), **changes}
    return fill_template(template_bytes(rnd.spec, department), values, out, rnd.spec)


def messages(folder: Path) -> dict[str, EmailMessage]:
    """The drafts in a folder by file name."""
    return {
        p.name: email.message_from_bytes(p.read_bytes(), policy=policy.default)  # type: ignore[misc]
        for p in sorted(folder.glob("*.eml"))
    }


def body(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def attachment(msg: EmailMessage) -> tuple[str, bytes]:
    (part,) = list(msg.iter_attachments())
    return str(part.get_filename()), bytes(part.get_content())


# --------------------------------------------------------------------------- the loop


def test_a_corrected_feedback_workbook_is_a_submission(tmp_path: Path) -> None:
    rnd = make_round(tmp_path)
    bad = filled(rnd, TMF, tmp_path / "tmf.xlsx", **{"cover.email": "ida(at)tmf"})
    (first,) = receive(rnd, [bad])
    assert first.outcome == "new" and first.entry is not None
    assert first.entry.verdict.valid is False and first.entry.verdict.made_from is None
    name, data = feedback_for(rnd, first.entry.id)

    # Sent back as it is: refused, saying it is unchanged; validate says the same.
    unchanged = tmp_path / name
    unchanged.write_bytes(data)
    checked = read_file(unchanged, rnd.spec)
    assert checked.report.errors[0].code == "feedback-unchanged"
    (refused,) = receive(rnd, [unchanged])
    assert refused.outcome == "refused" and "uændret" in refused.reason
    said = runner.invoke(app, ["validate", str(unchanged), "--spec", str(rnd.spec_file)])
    assert said.exit_code == 1 and "uændret" in said.output

    # Corrected in the feedback workbook: received like any file from the department.
    corrected = fill_template(
        data, {"cover.email": "ida@tmf.kk.dk"}, tmp_path / "rettet.xlsx", rnd.spec
    )
    assert read_file(corrected, rnd.spec).report.valid
    (taken,) = receive(rnd, [corrected])
    assert taken.outcome == "new" and taken.entry is not None
    assert taken.entry.verdict.valid and taken.entry.department == TMF
    assert taken.entry.verdict.made_from == first.entry.id  # its provenance, in the ledger
    assert history(rnd)[-1].to_dict()["made_from"] == first.entry.id
    assert {d.name: d.state for d in round_status(rnd).departments}[TMF] == "valid"


def test_a_feedback_workbook_names_only_an_entry_of_its_own_department(tmp_path: Path) -> None:
    rnd = make_round(tmp_path)
    buf = filled(rnd, BUF, tmp_path / "buf.xlsx")
    bad = filled(rnd, TMF, tmp_path / "tmf.xlsx", **{"cover.email": "ida(at)tmf"})
    entries = [r.entry for r in receive(rnd, [buf, bad])]
    assert all(entries)
    result = read_file(bad, rnd.spec)
    for claimed in (entries[0].id, 999):  # another department's entry; no entry at all
        data = feedback_bytes(result, rnd.spec, entry=claimed)
        out = tmp_path / f"rettet_{claimed}.xlsx"
        fill_template(data, {"cover.email": "ida@tmf.kk.dk"}, out, rnd.spec)
        (taken,) = receive(rnd, [out])
        assert taken.outcome == "new" and taken.entry is not None
        assert taken.entry.verdict.made_from is None


# --------------------------------------------------------------------------- the template


def _cells(data: bytes, sheet: str) -> list[str]:
    ws = openpyxl.load_workbook(io.BytesIO(data))[sheet]
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


def test_every_template_says_where_to_send_it_and_by_the_departments_deadline(
    tmp_path: Path,
) -> None:
    rnd = make_round(tmp_path)
    spec = rnd.spec
    own = template_bytes(spec, TMF)  # its own later deadline
    for sheet in ("Vejledning", "Forside"):
        assert f"{SEND} 15.04.2009." in _cells(own, sheet), sheet
        assert f"{SEND} 25.03.2009." in _cells(template_bytes(spec, BUF), sheet), sheet
    assert "15.04.2009" in _cells(own, "Vejledning")  # the "Frist" row
    assert "25.03.2009" not in " ".join(_cells(own, "Vejledning"))
    wb = openpyxl.load_workbook(io.BytesIO(own))
    date_rules = [
        v.error for v in wb["Forside"].data_validations.dataValidation if v.type == "date"
    ]
    assert date_rules == ["Skriv en dato som DD.MM.ÅÅÅÅ, fx 15.04.2009."]

    link = "https://indberetning.odense.dk/f/abc123"
    linked = template_bytes(spec, TMF, link=link)
    assert f"{SEND} 15.04.2009, eller indsend det på {link}." in _cells(linked, "Forside")
    # A filled template reads back without a word about these lines, link or not.
    for data, name in ((own, "a.xlsx"), (linked, "b.xlsx")):
        names = spec.round.department(TMF).initiatives  # type: ignore[union-attr]
        path = fill_template(data, seed_values(names), tmp_path / name, spec)
        result = read_file(path, spec)
        assert result.report.valid and not result.report.issues, result.report.issues


def test_the_send_line_may_be_blank_or_name_a_link_and_nothing_else(tmp_path: Path) -> None:
    """Where to send it and by when is the round's administration: a template made before
    the line was written (blank there) reads clean, and so does one naming the department's
    link (the reader plans without it); anything else typed there is said at its cell."""
    rnd = make_round(tmp_path)
    path = filled(rnd, TMF, tmp_path / "tmf.xlsx")
    wb = openpyxl.load_workbook(path)
    line = wb["Forside"]["A3"].value
    assert line == f"{SEND} 15.04.2009." == wb["Vejledning"]["A3"].value
    cases = {
        "blank": (None, []),
        "link": (f"{SEND} 15.04.2009, eller indsend det på https://x.dk/f/tok.", []),
        "typed": (f"{line} Ring hvis I er i tvivl.", ["Forside!A3"]),
        "no link": (f"{SEND} 15.04.2009, eller indsend det på .", ["Forside!A3"]),
    }
    for name, (value, expected) in cases.items():
        for sheet in ("Vejledning", "Forside"):
            wb[sheet]["A3"].value = value if sheet == "Forside" else None
        wb.save(tmp_path / f"{name}.xlsx")
        issues = read_file(tmp_path / f"{name}.xlsx", rnd.spec).report.issues
        assert [f"{i.sheet}!{i.cell}" for i in issues] == expected, (name, issues)
        assert all(i.code == "label-changed" for i in issues)


# --------------------------------------------------------------------------- the mails


def test_first_mail_is_an_invitation_then_reminders_and_drafts_stay_true(tmp_path: Path) -> None:
    rnd = make_round(tmp_path)
    links = {TMF: "https://indberetning.odense.dk/f/tmf", BUF: "https://x.dk/f/buf"}
    done = remind_round(rnd, link_for=links, today=TODAY)
    drafts_dir = rnd.root / "rykkere"
    sent = messages(drafts_dir)
    assert set(sent) == {d.filename for d in done.drafts}
    assert all(name.startswith("invitation_") for name in sent)
    tmf = sent["invitation_teknik-og-miljoeforvaltningen.eml"]
    assert tmf["Subject"] == f"Indberetning: {rnd.spec.round.title} – {TMF}"
    assert tmf["To"] == "Kontakt 0 <k0@odense.dk>"
    text = body(tmf)
    assert f"{SEND} 15.04.2009, eller indsend det på {links[TMF]}." in text
    name, data = attachment(tmf)
    assert name == "bilag4_teknik-og-miljoeforvaltningen.xlsx"
    assert f"{SEND} 15.04.2009, eller indsend det på {links[TMF]}." in _cells(data, "Forside")

    # BUF sends a valid file, TMF one with errors; the next run reminds and corrects, and the
    # drafts that no longer apply are moved aside.
    good = filled(rnd, BUF, tmp_path / "buf.xlsx")
    bad = filled(rnd, TMF, tmp_path / "tmf.xlsx", **{"cover.email": "ida(at)tmf"})
    receive(rnd, [good, bad])
    again = remind_round(rnd, link_for=lambda d: links.get(d), today=TODAY)
    sent = messages(drafts_dir)
    assert "invitation_boerne-og-ungdomsforvaltningen.eml" not in sent
    assert "invitation_teknik-og-miljoeforvaltningen.eml" not in sent
    assert "rettelser_teknik-og-miljoeforvaltningen.eml" in sent
    assert "rykker_kultur-og-fritidsforvaltningen.eml" in sent
    assert not [n for n in sent if n.startswith("invitation_")]
    stale = drafts_dir / "forældede"
    assert (stale / "invitation_boerne-og-ungdomsforvaltningen.eml").is_file()
    reasons = {p.name: why for p, why in again.moved}
    assert reasons["invitation_boerne-og-ungdomsforvaltningen.eml"].startswith(
        f"{BUF} har sendt en gyldig fil (nr. "
    )
    assert reasons["invitation_teknik-og-miljoeforvaltningen.eml"] == "erstattet af en ny kladde"
    correction = sent["rettelser_teknik-og-miljoeforvaltningen.eml"]
    assert correction["Subject"].startswith("Rettelser:")
    assert links[TMF] in body(correction)
    name, data = attachment(correction)
    assert name == "tmf_rettelser.xlsx"
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames[0] == "Rettelser"
    reminder = sent["rykker_kultur-og-fritidsforvaltningen.eml"]
    assert reminder["Subject"].startswith("Påmindelse:")
    assert "endnu ikke modtaget" in body(reminder)

    # The ledger knows what was drafted when, to whom and why, and what no longer applies.
    records = drafts_history(rnd, TMF)
    assert [(r.kind, r.withdrawn is not None) for r in records] == [
        ("invitation", True),
        ("correction", False),
    ]
    assert records[1].entry == history(rnd, TMF)[-1].id
    assert records[1].recipient == "Kontakt 0 <k0@odense.dk>"
    assert records[1].file == "rykkere/rettelser_teknik-og-miljoeforvaltningen.eml"


def test_status_history_and_the_department_page_show_what_was_drafted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rnd = make_round(tmp_path)
    monkeypatch.chdir(rnd.root)
    result = runner.invoke(app, ["remind"])
    assert result.exit_code == 0, result.output
    good = filled(rnd, BUF, tmp_path / "buf.xlsx")
    assert runner.invoke(app, ["receive", str(good)]).exit_code == 0
    result = runner.invoke(app, ["remind"])
    assert result.exit_code == 0, result.output
    assert "Flyttet til side:" in result.output and f"{BUF} har sendt en gyldig fil" in (
        result.output
    )
    shown = runner.invoke(app, ["status", "--history"])
    today = dt.date.today().strftime("%d.%m.%Y")
    lines = [line for line in shown.output.splitlines() if BUF in line and today in line]
    assert any("inviteret" in line and "gælder ikke længere" in line for line in lines), lines
    assert any(
        TMF in line and "rykket" in line and "Kontakt 0" in line
        for line in shown.output.splitlines()
    ), shown.output
    data = json.loads(runner.invoke(app, ["status", "--history", "--json"]).stdout)
    kinds = [(d["department"], d["kind"]) for d in data["drafts"]]
    assert (TMF, "invitation") in kinds and (TMF, "reminder") in kinds

    from starlette.testclient import TestClient

    from bilag4xl.web.app import create_app

    with TestClient(create_app(rnd.root), base_url="http://127.0.0.1:8000") as client:
        page = client.get("/forvaltning/teknik-og-miljoeforvaltningen")
    assert page.status_code == 200
    assert f"Skrevet til: inviteret {today} · rykket {today}" in page.text


# --------------------------------------------------------------------------- a changed form


def test_a_form_change_mid_round_is_said_as_such_and_answered_on_the_new_form(
    tmp_path: Path,
) -> None:
    rnd = make_round(tmp_path)
    sent = [filled(rnd, d, tmp_path / f"{n}.xlsx") for n, d in enumerate((TMF, BUF))]
    sent.append(filled(rnd, KFF, tmp_path / "kff.xlsx", **{"cover.email": "x(at)y"}))
    receive(rnd, sent)
    text = rnd.spec_file.read_text("utf-8").replace(
        "[economy]",
        '[[initiative.fields]]\nkey = "budget_ref"\nlabel = "Budgetnummer"\nkind = "text"\n'
        "required = true\n\n[economy]",
        1,
    )
    rnd.spec_file.write_text(text, "utf-8")
    rnd = open_round(rnd.root)

    status = {d.name: d for d in round_status(rnd, TODAY).departments}
    assert status[TMF].form_changed and status[TMF].state_da == "skemaet er ændret"
    assert status[TMF].last is not None and status[TMF].last.added == ("Budgetnummer",)
    assert not status[KFF].form_changed  # its own error too: an ordinary correction

    done = remind_round(rnd, today=TODAY)
    by_kind = {(d.department, d.kind) for d in done.drafts}
    assert {(TMF, "form-changed"), (BUF, "form-changed"), (KFF, "correction")} <= by_kind
    msg = messages(rnd.root / "rykkere")["skemaaendring_teknik-og-miljoeforvaltningen.eml"]
    assert msg["Subject"].startswith("Skemaet er ændret:")
    assert "Budgetnummer er kommet til og skal udfyldes" in body(msg)
    name, data = attachment(msg)
    # Their values are carried onto the new form: filling in what was added is enough.
    names = rnd.spec.round.department(TMF).initiatives  # type: ignore[union-attr]
    added = {f"initiatives.{n}.budget_ref": f"B-{n}" for n in range(len(names))}
    answer = fill_template(data, added, tmp_path / name, rnd.spec)
    (taken,) = receive(rnd, [answer])
    assert taken.outcome == "new" and taken.entry is not None and taken.entry.verdict.valid
    assert taken.entry.verdict.made_from is not None
    assert {d.name: d.state for d in round_status(rnd).departments}[TMF] == "valid"


def test_status_says_the_form_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rnd = make_round(tmp_path)
    receive(rnd, [filled(rnd, TMF, tmp_path / "tmf.xlsx")])
    text = rnd.spec_file.read_text("utf-8").replace(
        "[economy]",
        '[[initiative.fields]]\nkey = "budget_ref"\nlabel = "Budgetnummer"\nkind = "text"\n'
        "required = true\n\n[economy]",
        1,
    )
    rnd.spec_file.write_text(text, "utf-8")
    monkeypatch.chdir(rnd.root)
    result = runner.invoke(app, ["status"])
    row = next(line for line in result.output.splitlines() if line.startswith(TMF))
    assert "skemaet er ændret" in row
    assert f"Rykkes: {TMF} (skemaet er ændret: Budgetnummer skal udfyldes" in result.output
    data = json.loads(runner.invoke(app, ["status", "--json"]).stdout)
    tmf = next(d for d in data["departments"] if d["department"] == TMF)
    assert tmf["form_changed"] is True and tmf["state"] == "invalid"


# --------------------------------------------------------------------------- the ledger


def test_an_older_ledger_gains_provenance_and_drafts(tmp_path: Path) -> None:
    import sqlite3

    rnd = make_round(tmp_path)
    receive(rnd, [filled(rnd, TMF, tmp_path / "tmf.xlsx")])
    db = rnd.root / ".bilag4xl" / "modtaget.sqlite"
    with sqlite3.connect(db) as con:  # as a ledger of schema 2 was
        con.execute("DROP TABLE drafts")
        con.execute("ALTER TABLE received DROP COLUMN made_from")
        con.execute("PRAGMA user_version=2")
    with SqliteLedger(rnd.root) as ledger:
        (entry,) = ledger.entries()
        assert entry.verdict.made_from is None
        record = ledger.record_draft(TMF, "invitation", "rykkere/x.eml", "A <a@b.dk>", "Emne")
        assert ledger.drafts(TMF) == [record] and record.withdrawn is None
        ledger.withdraw_draft(record.id, "fordi")
        assert ledger.drafts()[0].withdrawn == "fordi"


# --------------------------------------------------------------------------- the real loop


@pytest.mark.libreoffice
def test_the_whole_loop_as_a_caseworker_lives_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """remind → the invitation's template → filled in LibreOffice with a mistake → received
    with errors → remind → the correction's rettelsesark → saved unchanged (refused) and then
    corrected in LibreOffice → received, valid; `status --history` tells the story."""
    from bilag4xl.form.layout import plan
    from support import libreoffice as lo

    rnd = make_round(tmp_path)
    monkeypatch.chdir(rnd.root)
    assert runner.invoke(app, ["remind"]).exit_code == 0
    invitation = messages(rnd.root / "rykkere")["invitation_teknik-og-miljoeforvaltningen.eml"]
    name, data = attachment(invitation)
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    template = inbox / name
    template.write_bytes(data)

    names = rnd.spec.round.department(TMF).initiatives  # type: ignore[union-attr]
    layout = plan(rnd.spec, TMF, names)
    email_cell = (layout.input("cover.email").pos.sheet, layout.input("cover.email").pos.ref)
    cells = {}
    for path, value in {**seed_values(names), "cover.email": "ida(at)tmf"}.items():
        pos = layout.input(path).pos
        cells[(pos.sheet, pos.ref)] = value
    sent = inbox / "tmf.xlsx"
    assert not lo.fill_and_save(template, cells, sent).locked
    received = runner.invoke(app, ["receive", str(sent)])
    assert received.exit_code == 1 and "modtaget" in received.output, received.output

    assert runner.invoke(app, ["remind"]).exit_code == 0
    drafts = messages(rnd.root / "rykkere")
    assert "invitation_teknik-og-miljoeforvaltningen.eml" not in drafts
    correction = drafts["rettelser_teknik-og-miljoeforvaltningen.eml"]
    assert "Send det udfyldte skema til integration@odense.dk senest 15.04.2009" in body(correction)
    name, data = attachment(correction)
    rettelsesark = inbox / name
    rettelsesark.write_bytes(data)

    unchanged = inbox / "tmf_rettelser_gemt.xlsx"  # opened and saved, nothing corrected
    lo.recalc_and_save(rettelsesark, unchanged)
    refused = runner.invoke(app, ["receive", str(unchanged)])
    assert refused.exit_code == 1 and "uændret" in refused.output, refused.output

    corrected = inbox / "tmf_rettet.xlsx"
    assert not lo.fill_and_save(rettelsesark, {email_cell: "ida@tmf.kk.dk"}, corrected).locked
    taken = runner.invoke(app, ["receive", str(corrected), "--json"])
    assert taken.exit_code == 0, taken.output
    (item,) = json.loads(taken.stdout)["files"]
    assert item["outcome"] == "new" and item["valid"] and item["department"] == TMF

    story = runner.invoke(app, ["status", "--history"])
    lines = story.output.splitlines()
    first, second = (line for line in lines if line.split(" ")[0].isdigit() and TMF in line)
    assert first.split()[0] == "1" and "tmf.xlsx" in first and "1 fejl" in first
    assert second.split()[0] == "2" and "tmf_rettet.xlsx" in second
    assert "i orden" in second and "rettelsesark til nr. 1" in second
    wrote = [line for line in lines if TMF in line and "Kontakt 0" in line]
    assert "inviteret" in wrote[0] and "gælder ikke længere" in wrote[0]
    assert "bedt om rettelser" in wrote[1] and "gælder ikke" not in wrote[1]
    assert "i orden" in next(line for line in lines if line.startswith(TMF))


def test_feedback_from_the_command_line_in_a_round_keeps_the_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rnd = make_round(tmp_path)
    bad = filled(rnd, TMF, tmp_path / "tmf.xlsx", **{"cover.email": "ida(at)tmf"})
    (first,) = receive(rnd, [bad])
    assert first.entry is not None
    monkeypatch.chdir(rnd.root)
    out = tmp_path / "rettelser.xlsx"
    done = runner.invoke(app, ["feedback", str(rnd.root / first.entry.stored), "-o", str(out)])
    assert done.exit_code == 0, done.output
    meta = openpyxl.load_workbook(out)["_bilag4xl"]
    keys = {row[0].value: row[1].value for row in meta.iter_rows(min_row=2)}
    assert keys["made_from"] == str(first.entry.id) and keys["made_from_values"]
    fill_template(out, {"cover.email": "ida@tmf.kk.dk"}, out, rnd.spec)
    (taken,) = receive(rnd, [out])
    assert taken.entry is not None and taken.entry.verdict.made_from == first.entry.id


def test_the_web_page_takes_a_corrected_rettelsesark_and_refuses_an_unchanged_one(
    tmp_path: Path,
) -> None:
    from starlette.testclient import TestClient

    from bilag4xl.web.app import create_app

    rnd = make_round(tmp_path)
    bad = filled(rnd, TMF, tmp_path / "tmf.xlsx", **{"cover.email": "ida(at)tmf"})
    with TestClient(create_app(rnd.root), base_url="http://127.0.0.1:8000") as client:
        sent = client.post("/api/submissions", files=[("files", ("tmf.xlsx", bad.read_bytes()))])
        entry = sent.json()["files"][0]["entry"]
        rettelsesark = client.get(f"/modtaget/{entry}/rettelser.xlsx").content
        corrected = tmp_path / "rettet.xlsx"
        fill_template(rettelsesark, {"cover.email": "ida@tmf.kk.dk"}, corrected, rnd.spec)
        answer = client.post(
            "/api/submissions",
            files=[
                ("files", ("tmf_rettelser.xlsx", rettelsesark)),
                ("files", ("rettet.xlsx", corrected.read_bytes())),
            ],
        ).json()
    unchanged, taken = answer["files"]
    assert unchanged["outcome"] == "refused" and "uændret" in unchanged["issues"][0]["message_da"]
    assert taken["outcome"] == "new" and taken["valid"] and taken["department"] == TMF
    assert history(rnd)[-1].verdict.made_from == entry


def test_the_readers_plan_of_a_department_with_its_own_deadline_is_its_templates(
    tmp_path: Path,
) -> None:
    """The validator's shared plan (per template shape) equals the template's own, the
    department's deadline included (tests/test_validate_shapes.py for the rest)."""
    from bilag4xl.form.layout import plan
    from bilag4xl.intake.expected import bind, shape_for

    spec = make_round(tmp_path).spec
    names = list(spec.round.department(TMF).initiatives)  # type: ignore[union-attr]
    real = plan(spec, TMF, names)
    due = spec.round.deadline_for(TMF)
    shape = shape_for(spec, True, tuple(names), False, due).layout
    bound = bind(spec, shape, TMF, names)
    shown = {(bound.sheet(t.pos.sheet), *t.pos[1:]): bound.text(t.text) for t in shape.texts}
    assert shown == {tuple(t.pos): t.text for t in real.texts}
    assert f"{SEND} 15.04.2009." in shown.values()


def test_drafts_elsewhere_are_never_overwritten_and_nothing_is_moved_first(
    tmp_path: Path,
) -> None:
    from bilag4xl.errors import Bilag4xlError

    rnd = make_round(tmp_path)
    out = tmp_path / "skrivebord"
    first = remind_round(rnd, out, today=TODAY)
    second = remind_round(rnd, out, today=TODAY)  # reminders: other files, invitations aside
    assert {d.kind for d in second.drafts} == {"reminder"}
    assert len(second.moved) == len(first.drafts)
    before = drafts_history(rnd)
    with pytest.raises(Bilag4xlError):
        remind_round(rnd, out, today=TODAY)  # the reminders are there: not without --force
    assert drafts_history(rnd) == before  # nothing withdrawn, nothing recorded
    assert sorted(p.name for p in out.glob("*.eml")) == sorted(d.filename for d in second.drafts)
    third = remind_round(rnd, out, force=True, today=TODAY)
    assert not third.moved  # the same files, replaced
    assert sum(r.withdrawn == "erstattet af en ny kladde" for r in drafts_history(rnd)) == 14
