"""E-mail drafts a person sends: one .eml file per department to write to.

bilag4xl sends nothing. Each draft is a standard message (RFC 5322, UTF-8) that Outlook and
Thunderbird open as an unsent draft ("X-Unsent: 1"), addressed to the department's contact,
in Danish, saying what is asked, where to send it (the secretariat's address, and the
department's own link when it has one), the deadline and whom to ask. The first mail to a
department is the invitation, with its template; a department that has still sent nothing is
reminded, with its template again; one whose file has errors gets its feedback workbook (its
values with every problem marked), which it corrects and sends back as its submission; one
whose errors come only from a change of the form is told what was added. A department
without a contact still gets a draft (without a recipient) and is named, never skipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path
from typing import Literal

from bilag4xl.danish.numbers import day
from bilag4xl.form.layout import send_text
from bilag4xl.form.spec import Spec
from bilag4xl.output import atomic_write, check_targets
from bilag4xl.status import DepartmentStatus, RoundStatus
from bilag4xl.textsafe import slug

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
Kind = Literal["invitation", "reminder", "correction", "form-changed"]
FILE_PREFIX: dict[str, str] = {
    "invitation": "invitation",
    "reminder": "rykker",
    "correction": "rettelser",
    "form-changed": "skemaaendring",
}
KIND_DA: dict[str, str] = {  # what the department's page and the history say was done
    "invitation": "inviteret",
    "reminder": "rykket",
    "correction": "bedt om rettelser",
    "form-changed": "skemaændring meddelt",
}


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes


@dataclass(frozen=True)
class Draft:
    """One reminder: to whom, about what, and what is attached."""

    department: str
    to: str  # "Navn <adresse>", or "" when the round names no contact
    subject: str
    body: str
    attachment: Attachment | None
    kind: Kind = "reminder"
    entry: int | None = None  # the received file it is about (a correction)

    @property
    def filename(self) -> str:
        """ "invitation_teknik-og-miljoeforvaltningen.eml": one file per department and kind."""
        return f"{FILE_PREFIX[self.kind]}_{slug(self.department)}.eml"

    def message(self, spec: Spec, now: dt.datetime | None = None) -> EmailMessage:
        """The draft as an e-mail message (UTF-8 text, the attachment as a part)."""
        msg = EmailMessage()
        r = spec.round
        if r.contact_email:
            msg["From"] = formataddr((r.contact or "", r.contact_email))
        if self.to:
            msg["To"] = self.to
        msg["Subject"] = self.subject
        msg["Date"] = format_datetime(now or dt.datetime.now().astimezone())
        msg["Message-ID"] = make_msgid(domain="bilag4xl.invalid")
        msg["X-Unsent"] = "1"  # opened as a draft to edit and send
        msg.set_content(self.body, charset="utf-8")
        if self.attachment is not None:
            msg.add_attachment(
                self.attachment.data,
                maintype=XLSX[0],
                subtype=XLSX[1],
                filename=self.attachment.name,
            )
        return msg


# Where a draft's attachment comes from: the department's template, or the feedback workbook
# of its current file. Both are given by the caller (a round folder has them).
TemplateFor = Callable[[str], Attachment]
FeedbackFor = Callable[[DepartmentStatus], Attachment | None]
# A department's own upload link (None: it has none): a function, or a mapping by name.
LinkFor = Callable[[str], str | None] | Mapping[str, str]


def link_of(link_for: LinkFor | None, department: str) -> str | None:
    """A department's link, however the caller gives links (None when it has none)."""
    if link_for is None:
        return None
    if isinstance(link_for, Mapping):
        return link_for.get(department)
    return link_for(department)


def drafts(
    status: RoundStatus,
    spec: Spec,
    template: TemplateFor,
    feedback: FeedbackFor,
    written_to: Iterable[str] = (),
    link_for: LinkFor | None = None,
) -> list[Draft]:
    """One draft per department to chase (missing, or with errors), in the round's order.

    A department never written to (not in `written_to`) and still missing is invited; one
    written to before is reminded; one whose file has errors is asked to correct it (told
    what the form has gained, when its errors come only from that)."""
    before = {name.casefold() for name in written_to}
    return [
        _draft(
            d, spec, template, feedback, d.name.casefold() not in before, link_of(link_for, d.name)
        )
        for d in status.to_chase
    ]


def _draft(
    d: DepartmentStatus,
    spec: Spec,
    template: TemplateFor,
    feedback: FeedbackFor,
    first: bool,
    link: str | None,
) -> Draft:
    r = spec.round
    contact = d.contact
    to = formataddr((contact.name, contact.email)) if contact and contact.email else ""
    hello = f"Kære {contact.name}" if contact and contact.name else "Kære kontaktperson"
    send = send_text(spec, d.deadline, link)
    entry = d.last.entry if d.last else None
    kind: Kind
    if d.state == "missing" and first:
        kind, subject = "invitation", f"Indberetning: {r.title} – {d.name}"
        what = f"{d.name} bedes indberette til {r.title}."
        todo = f"Skabelonen er vedhæftet: udfyld de gule felter og gem filen. {send}"
        attachment: Attachment | None = template(d.name)
    elif d.state == "missing":
        kind, subject = "reminder", f"Påmindelse: {r.title} – {d.name}"
        deadline = day(d.deadline) if d.deadline else ""
        what = f"Vi har endnu ikke modtaget {d.name}s indberetning til {r.title}." + (
            f" Fristen {'var' if d.overdue else 'er'} den {deadline}." if deadline else ""
        )
        todo = f"Skabelonen er vedhæftet igen: udfyld de gule felter og gem filen. {send}"
        attachment = template(d.name)
    elif d.form_changed:
        kind, subject = "form-changed", f"Skemaet er ændret: {r.title} – {d.name}"
        added = ", ".join(d.last.added) if d.last and d.last.added else "nye felter"
        what = (
            f"Tak for {d.name}s indberetning{_when(d)}. Skemaet er siden ændret: {added} er "
            "kommet til og skal udfyldes."
        )
        todo = (
            "I den vedhæftede fil er jeres værdier overført til det nye skema, og det, der "
            f"mangler, er markeret med rødt. Udfyld det og gem filen. {send}"
        )
        attachment = feedback(d)
    else:
        kind, subject = "correction", f"Rettelser: {r.title} – {d.name}"
        errors = d.last.errors if d.last else 0
        what = (
            f"Tak for {d.name}s indberetning{_when(d)}. Den har {errors} fejl, som skal rettes, "
            "før den kan tælle med."
        )
        todo = (
            "I den vedhæftede fil er hvert problem markeret med rødt og forklaret i en "
            f"kommentar; arket 'Rettelser' viser dem alle. Ret dem i filen og gem den. {send}"
        )
        attachment = feedback(d)
    ask = f"Spørgsmål kan rettes til {r.contact}." if r.contact else ""
    body = "\n\n".join(
        p for p in (f"{hello}", what, todo, ask, "Med venlig hilsen", r.contact) if p
    )
    return Draft(d.name, to, subject, body + "\n", attachment, kind, entry)


def _when(d: DepartmentStatus) -> str:
    """ " (modtaget 12.12.2026)": when the department's current file came."""
    last = d.last
    received = (last.received or last.modified) if last else None
    return f" (modtaget {day(received.astimezone().date())})" if received else ""


@dataclass(frozen=True)
class Written:
    """What `write_drafts` made: the files, and the departments drafted without a recipient."""

    paths: list[Path]
    without_contact: list[str]


def write_drafts(drafted: list[Draft], spec: Spec, out_dir: Path, force: bool = False) -> Written:
    """Write each draft under its own name (`Draft.filename`: `invitation_`, `rykker_`,
    `rettelser_` or `skemaaendring_` and the department; all or nothing: every target is
    checked before the first is written)."""
    targets = [out_dir / d.filename for d in drafted]
    check_targets(targets, force)
    now = dt.datetime.now().astimezone()
    paths = [
        atomic_write(target, d.message(spec, now).as_bytes(), force)
        for target, d in zip(targets, drafted, strict=True)
    ]
    return Written(paths, [d.department for d in drafted if not d.to])
