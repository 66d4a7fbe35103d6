"""The round's e-mail drafts: an invitation, a reminder or a correction for each department
to chase, written to `rykkere/` and recorded in the ledger; drafts that no longer apply are
moved aside.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from bilag4xl.record import Ledger
from bilag4xl.remind import Draft, LinkFor, Written
from bilag4xl.round.feedback import feedback_workbooks
from bilag4xl.round.folder import Round, history, round_status
from bilag4xl.round.links import own_links
from bilag4xl.round.templates import department_template
from bilag4xl.status import DepartmentStatus, RoundStatus


def reminders(
    rnd: Round, today: dt.date | None = None, link_for: LinkFor | None = None
) -> list[Draft]:
    """A draft for each department to chase: the invitation with its template when it was
    never written to, a reminder with its template when it has still sent nothing, and the
    feedback workbook of its current file when that has errors (`remind.drafts`). `link_for`
    gives a department's own upload link (a function or a mapping by name); by default each
    department's link of the round (`round.links`, when `base_url` is set). A template is the
    one kept in `skabeloner/` (`department_template`); a feedback workbook is made once
    (`feedback_workbooks`), from its file."""
    return _reminders(rnd, round_status(rnd, today), link_for)


def _reminders(rnd: Round, status: RoundStatus, link_for: LinkFor | None) -> list[Draft]:
    from bilag4xl.remind import Attachment, drafts, link_of
    from bilag4xl.template.writer import template_bytes, template_filename

    spec = rnd.spec
    own = own_links(rnd)
    link_for = link_for if link_for is not None else own
    entries = {e.id: e for e in history(rnd)}
    chased = [(d, entries[d.last.entry]) for d in status.to_chase if d.last and d.last.entry]
    links = {e.id: link_of(link_for, d.name) for d, e in chased}
    workbooks = feedback_workbooks(rnd, [e for _, e in chased], links)

    def template(name: str) -> Attachment:
        link = link_of(link_for, name)
        if link != own(name):  # a link of the caller's: a template of its own
            return Attachment(template_filename(spec, name), template_bytes(spec, name, link=link))
        return Attachment(*department_template(rnd, name))

    def feedback(d: DepartmentStatus) -> Attachment | None:
        last = d.last
        data = workbooks.get(last.entry) if last and last.entry else None
        if last is None or not isinstance(data, bytes):  # not a bilag4xl workbook: no marks
            return None
        return Attachment(f"{Path(last.name).stem}_rettelser.xlsx", data)

    with rnd.ledger() as ledger:
        written_to = {r.department for r in ledger.drafts()}
    return drafts(status, spec, template, feedback, written_to, link_for)


DRAFTS = "rykkere"
STALE_DRAFTS = "forældede"  # under the drafts folder: drafts that no longer apply


@dataclass(frozen=True)
class Reminded:
    """What `remind_round` did: the drafts written, and earlier ones moved aside (and why)."""

    written: Written
    drafts: list[Draft]
    moved: list[tuple[Path, str]]


def remind_round(
    rnd: Round,
    out_dir: str | Path | None = None,
    force: bool = False,
    link_for: LinkFor | None = None,
    today: dt.date | None = None,
) -> Reminded:
    """Write the round's drafts (to `rykkere/` unless `out_dir`) and keep the drafts folder
    true: an earlier draft that no longer applies (its department has since sent a valid
    file, or it gets another kind of draft now) is moved to `rykkere/forældede/`. Every
    draft is recorded in the ledger: what, when, to whom, why."""
    from bilag4xl.output import check_targets
    from bilag4xl.remind import write_drafts

    target = Path(out_dir) if out_dir is not None else rnd.root / DRAFTS
    force = force or out_dir is None  # the round's own drafts folder is made anew
    status = round_status(rnd, today)
    drafted = _reminders(rnd, status, link_for)
    new = {d.department.casefold(): target / d.filename for d in drafted}
    check_targets(new.values(), force)  # before any earlier draft is moved
    with rnd.ledger() as ledger:
        moved = _tidy_drafts(rnd, ledger, status, new)
        written = write_drafts(drafted, rnd.spec, target, force=force)
        for draft, path in zip(drafted, written.paths, strict=True):
            ledger.record_draft(
                draft.department,
                draft.kind,
                _shown(rnd, path),
                draft.to,
                draft.subject,
                draft.entry,
            )
    return Reminded(written, drafted, moved)


def _tidy_drafts(
    rnd: Round, ledger: Ledger, status: RoundStatus, new: dict[str, Path]
) -> list[tuple[Path, str]]:
    """Withdraw every earlier draft that is still outstanding: replaced by this run's draft
    for its department (moved aside unless the new one takes its place), or no longer
    applying because the department is valid now (moved aside). Returns what was moved."""
    valid = {d.name.casefold(): d for d in status.departments if d.state == "valid"}
    moved = []
    for record in ledger.drafts():
        key = record.department.casefold()
        if record.withdrawn is not None or (key not in new and key not in valid):
            continue
        path = rnd.root / record.file
        if key in valid:
            last = valid[key].last
            number = f" (nr. {last.entry})" if last and last.entry else ""
            reason = f"{record.department} har sendt en gyldig fil{number}"
        else:
            reason = "erstattet af en ny kladde"
        if path.is_file() and path.resolve() != new.get(key, Path()).resolve():
            moved.append((_move_aside(path), reason))
        ledger.withdraw_draft(record.id, reason)
    return moved


def _move_aside(path: Path) -> Path:
    """Move a draft into `forældede/` beside it, never over another."""
    folder = path.parent / STALE_DRAFTS
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{path.stem}_{n}{path.suffix}"
    path.rename(target)
    return target


def _shown(rnd: Round, path: Path) -> str:
    """A path as the ledger keeps it: relative to the round when inside it."""
    try:
        return str(path.resolve().relative_to(rnd.root.resolve()))
    except ValueError:
        return str(path.resolve())
