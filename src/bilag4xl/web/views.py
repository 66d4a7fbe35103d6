"""What the pages show, as plain data: the status document and the ledger's entries with the
few extras a page needs (addresses, the names files were sent under). No HTML here, and no
second reading of a rule: states, counts and deadlines come from `status` and the ledger."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bilag4xl.danish.numbers import day as danish_day
from bilag4xl.danish.numbers import days_text
from bilag4xl.issues.report import Report
from bilag4xl.record import DraftRecord, Entry
from bilag4xl.remind import KIND_DA
from bilag4xl.status import DepartmentStatus, RoundStatus
from bilag4xl.textsafe import for_file_name, slug

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP = "application/zip"
CHANNEL_DA = {
    "link": "gennem forvaltningens link",
    "side": "på sekretariatets side",
    "kommandolinje": "af sekretariatet (kommandolinjen)",
}


def department_url(name: str) -> str:
    return f"/forvaltning/{slug(name)}"


def round_view(status: RoundStatus) -> dict[str, Any]:
    """The round page's data: `status --json`'s document, each department with its addresses."""
    data = status.to_dict()
    for row, d in zip(data["departments"], status.departments, strict=True):
        row.update(_department_extras(d))
    data["unknown_files"] = [_file_row(f) for f in status.unknown]
    data["unreadable_files"] = [_file_row(f) for f in status.unreadable]
    return data


def _department_extras(d: DepartmentStatus) -> dict[str, Any]:
    last = d.last
    return {
        "state_da": d.state_da,
        "url": department_url(d.name),
        "template_url": f"/skabelon/{slug(d.name)}.xlsx",
        "entry": last.entry if last else None,
        "sent_as": last.name if last else None,
        "files": len(d.files),
    }


def _file_row(f: Any) -> dict[str, Any]:
    return {
        "name": f.name,
        "department": f.department,
        "received_at": f.received.isoformat() if f.received else None,
        "problem": f.problem,
        "entry": f.entry,
    }


def history_view(entries: list[Entry], current: int | None) -> list[dict[str, Any]]:
    """Every file a department sent, newest first, each with its result and problems."""
    rows = []
    for e in reversed(entries):
        v = e.verdict
        report = Report.from_dict(v.report)
        rows.append(
            {
                "id": e.id,
                "name": e.original_name,
                "received_at": e.received_at.isoformat(),
                "sha256": e.sha256,
                "size": e.size,
                "valid": v.valid,
                "errors": v.errors,
                "warnings": v.warnings,
                "issues": [i.to_dict() for i in report],
                "excluded": e.excluded,
                "excluded_at": e.excluded_at.isoformat() if e.excluded_at else None,
                "current": e.id == current,
                "readable": v.valid is not None,
                "channel": e.channel,
                "channel_da": CHANNEL_DA.get(e.channel, e.channel),
            }
        )
    return rows


def drafts_view(drafts: list[DraftRecord]) -> list[str]:
    """What was written to a department, oldest first: "inviteret 01.12.2026", "rykket
    12.12.2026" (a draft is noted when `remind` wrote it)."""
    return [
        f"{KIND_DA.get(d.kind, d.kind)} {d.drafted_at.astimezone().strftime('%d.%m.%Y')}"
        for d in drafts
    ]


def sent_names(current: list[tuple[Entry, Path]]) -> dict[str, str]:
    """Stored path -> the name it was sent under (merge reports name stored files)."""
    return {str(path): entry.original_name for entry, path in current}


# --------------------------------------------------------------------------- as text


def when(value: str | dt.datetime | None) -> str:
    """'03.04.2025 kl. 14.05', in this machine's time zone."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%d.%m.%Y kl. %H.%M")


def day(value: str | dt.date | None) -> str:
    if not value:
        return ""
    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return danish_day(date)


def days(value: int | None) -> str:
    """Days to a deadline, in words (`danish.numbers.days_text`)."""
    return "" if value is None else days_text(value)


def size(value: int) -> str:
    """'24 kB', '3,1 MB'."""
    if value < 1000 * 1024:
        return f"{max(1, round(value / 1024))} kB"
    return f"{value / 2**20:.1f} MB".replace(".", ",")


def bare(message: str) -> str:
    """A message without its "[Ark!B8] " prefix (a table shows sheet and cell beside it)."""
    return re.sub(r"^\[[^\]]*\]\s*", "", message)


def disposition(filename: str) -> str:
    """Content-Disposition for a download: an ASCII name for old clients, the real one beside
    (a control character, which a header can not hold, or a character that reorders text is
    shown as a symbol: the name as it was sent stays in the ledger)."""
    filename = for_file_name(filename)
    ascii_name = filename.encode("ascii", "replace").decode()
    ascii_name = re.sub(r'[?"\\]', "_", ascii_name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
