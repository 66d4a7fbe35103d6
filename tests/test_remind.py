"""Reminders are .eml drafts a person sends: they parse as e-mail, in Danish, with the right
attachment for each department, and a department without a contact is listed."""

from __future__ import annotations

import datetime as dt
import email
import io
from email import policy
from pathlib import Path

from openpyxl import load_workbook

from annex_seed import seed_values, write_filled
from bilag4xl.form.spec import default_spec_text
from bilag4xl.remind import write_drafts
from bilag4xl.round.folder import init_round
from bilag4xl.round.receive import receive
from bilag4xl.round.reminders import reminders
from bilag4xl.template.writer import template_bytes
from support.fill import fill_template

TMF = "Teknik- og Miljøforvaltningen"
BUF = "Børne- og Ungdomsforvaltningen"
SOF = "Sundheds- og Omsorgsforvaltningen"
WITHOUT_CONTACT = "Socialforvaltningen"


def round_with_contacts(tmp_path: Path) -> Path:
    """The built-in round with a secretariat address, and contacts for every department but
    Socialforvaltningen."""
    text = default_spec_text().replace(
        'contact = "Økonomiforvaltningen',
        'contact_email = "sekretariat@kommune.dk"\ncontact = "Økonomiforvaltningen',
    )
    names = [line[8:-1] for line in text.splitlines() if line.startswith('name = "')][1:]
    for n, name in enumerate(names):
        if name != WITHOUT_CONTACT:
            contact = f'contact = {{ name = "Kontakt {n}", email = "k{n}@kommune.dk" }}'
            text = text.replace(f'name = "{name}"\n', f'name = "{name}"\n{contact}\n', 1)
    spec = tmp_path / "runde.toml"
    spec.write_text(text, "utf-8")
    return spec


def test_drafts_parse_with_the_right_attachment_per_department(tmp_path: Path) -> None:
    rnd, _ = init_round(tmp_path / "runde", round_with_contacts(tmp_path))
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    spec = rnd.spec
    good = write_filled(inbox, spec, BUF, spec.round.department(BUF).initiatives)
    names = spec.round.department(TMF).initiatives
    bad = fill_template(
        template_bytes(spec, TMF),
        {**seed_values(names), "cover.email": "idachr(at)tmf"},
        inbox / "tmf_haandudfyldt.xlsx",
        spec,
    )
    assert [r.outcome for r in receive(rnd, [good, bad])] == ["new", "new"]

    drafted = reminders(rnd, today=dt.date(2009, 3, 20))
    written = write_drafts(drafted, spec, tmp_path / "rykkere")
    by_name = {}
    for path in written.paths:
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        by_name[msg["Subject"].split(" – ")[-1]] = msg
    assert set(by_name) == {d.name for d in spec.round.departments} - {BUF}  # BUF is valid

    tmf = by_name[TMF]
    assert tmf["To"] == "Kontakt 0 <k0@kommune.dk>" and tmf["X-Unsent"] == "1"
    assert "sekretariat@kommune.dk" in tmf["From"] and tmf["Subject"].startswith("Rettelser:")
    body = tmf.get_body(("plain",)).get_content()
    assert "Kære Kontakt 0" in body and "1 fejl, som skal rettes" in body
    assert "Send det udfyldte skema til sekretariat@kommune.dk senest 25.03.2009." in body
    (attachment,) = list(tmf.iter_attachments())
    assert attachment.get_filename() == "tmf_haandudfyldt_rettelser.xlsx"
    assert load_workbook(io.BytesIO(attachment.get_content())).sheetnames[0] == "Rettelser"

    sof = by_name[SOF]  # never written to: the invitation
    assert sof["Subject"].startswith("Indberetning:")
    assert "bedes indberette" in sof.get_body(("plain",)).get_content()
    (template,) = list(sof.iter_attachments())
    assert template.get_filename() == "bilag4_sundheds-og-omsorgsforvaltningen.xlsx"
    sheets = load_workbook(io.BytesIO(template.get_content())).sheetnames
    assert sheets[:2] == ["Vejledning", "Forside"]

    assert written.without_contact == [WITHOUT_CONTACT]
    assert "To" not in by_name[WITHOUT_CONTACT]
