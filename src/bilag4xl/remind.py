"""Reminders as e-mail drafts a person sends: one .eml file per department to chase.

bilag4xl sends nothing. Each draft is a standard message (RFC 5322, UTF-8) that Outlook and
Thunderbird open as an unsent draft ("X-Unsent: 1"), addressed to the department's contact,
in Danish, saying what is missing or wrong, the deadline and whom to ask. A department that
has sent nothing gets its template attached; one whose file has errors gets its feedback
workbook (the file with every problem marked). A department without a contact still gets a
draft (without a recipient) and is named in the result, never skipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path

from bilag4xl.form.spec import Spec
from bilag4xl.output import atomic_write, check_targets
from bilag4xl.status import DepartmentStatus, RoundStatus
from bilag4xl.template.writer import slug

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


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


def drafts(
    status: RoundStatus, spec: Spec, template: TemplateFor, feedback: FeedbackFor
) -> list[Draft]:
    """One draft per department to chase (missing, or with errors), in the round's order."""
    return [_draft(d, spec, template, feedback) for d in status.to_chase]


def _draft(d: DepartmentStatus, spec: Spec, template: TemplateFor, feedback: FeedbackFor) -> Draft:
    r = spec.round
    contact = d.contact
    to = formataddr((contact.name, contact.email)) if contact and contact.email else ""
    hello = f"Kære {contact.name}" if contact and contact.name else "Kære kontaktperson"
    deadline = d.deadline.strftime("%d.%m.%Y") if d.deadline else ""
    if d.state == "missing":
        subject = f"Påmindelse: {r.title} – {d.name}"
        what = f"Vi har endnu ikke modtaget {d.name}s indberetning til {r.title}." + (
            f" Fristen {'var' if d.overdue else 'er'} den {deadline}." if deadline else ""
        )
        todo = "Skabelonen er vedhæftet: udfyld de gule felter, gem filen og send den til os."
        attachment: Attachment | None = template(d.name)
    else:
        last = d.last
        errors = last.errors if last else 0
        subject = f"Rettelser: {r.title} – {d.name}"
        received = last.received or last.modified if last else None
        when = f" (modtaget {received.astimezone().strftime('%d.%m.%Y')})" if received else ""
        what = (
            f"Tak for {d.name}s indberetning{when}. Den har {errors} fejl, som skal rettes, før "
            "den kan tælle med."
        )
        todo = (
            "I den vedhæftede fil er hvert problem markeret med rødt og forklaret i en "
            "kommentar; arket 'Rettelser' viser dem alle. Ret dem i filen, gem den og send den "
            "til os igen" + (f" senest den {deadline}." if deadline else ".")
        )
        attachment = feedback(d)
    ask = f"Spørgsmål kan rettes til {r.contact}." if r.contact else ""
    body = "\n\n".join(
        p for p in (f"{hello}", what, todo, ask, "Med venlig hilsen", r.contact) if p
    )
    return Draft(d.name, to, subject, body + "\n", attachment)


@dataclass(frozen=True)
class Written:
    """What `write_drafts` made: the files, and the departments drafted without a recipient."""

    paths: list[Path]
    without_contact: list[str]


def write_drafts(drafted: list[Draft], spec: Spec, out_dir: Path, force: bool = False) -> Written:
    """Write each draft as `rykker_<department>.eml` (all or nothing: every target is checked
    before the first is written)."""
    targets = [out_dir / f"rykker_{slug(d.department)}.eml" for d in drafted]
    check_targets(targets, force)
    now = dt.datetime.now().astimezone()
    paths = [
        atomic_write(target, d.message(spec, now).as_bytes(), force)
        for target, d in zip(targets, drafted, strict=True)
    ]
    return Written(paths, [d.department for d in drafted if not d.to])
