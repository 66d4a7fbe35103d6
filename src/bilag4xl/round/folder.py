"""A round folder: one directory that holds a reporting round from start to finish.

    runde/
      runde.toml          the round's spec (form, period, unit, deadline, departments)
      skabeloner/         one template per department
      modtaget/           every file received, unchanged, under a readable name
      rettelser/          feedback workbooks
      samlet.xlsx         the consolidated workbook of the current submissions
      .bilag4xl/          the ledger (SQLite) of what was received when

Every command run in the folder or below it finds the round the way git finds its
repository, so office staff never type --spec. Receiving goes through `receive`, which
validates each file, keeps it in the ledger and says what became of it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from bilag4xl.errors import Bilag4xlError, LedgerError, NoRoundError
from bilag4xl.form.identity import form_digest
from bilag4xl.form.model import Submission
from bilag4xl.form.spec import Spec, default_spec_text, load_spec
from bilag4xl.intake.discover import Blob
from bilag4xl.issues.report import Report
from bilag4xl.record import DraftRecord, Entry, Ledger, OpenLedger, Verdict, latest
from bilag4xl.round.ledger import SqliteLedger
from bilag4xl.status import RoundStatus

if TYPE_CHECKING:
    from bilag4xl.consolidate.decide import LeftOut
    from bilag4xl.intake.validate import FileResult

ROUND_FILE = "runde.toml"
TEMPLATES = "skabeloner"
RECEIVED = "modtaget"
FEEDBACK = "rettelser"
CONSOLIDATED = "samlet.xlsx"
ANNEX = "bilag4.docx"


@dataclass(frozen=True)
class Round:
    """An open round folder: its place, its spec, and how its ledger is opened (by default
    the SQLite ledger in `.bilag4xl/`; any `record.Ledger` serves, the rounds' logic asks
    nothing more of it)."""

    root: Path
    spec: Spec
    open_ledger: OpenLedger = field(default=SqliteLedger, compare=False, repr=False)

    @property
    def spec_file(self) -> Path:
        return self.root / ROUND_FILE

    @property
    def templates(self) -> Path:
        return self.root / TEMPLATES

    @property
    def feedback(self) -> Path:
        return self.root / FEEDBACK

    @property
    def consolidated(self) -> Path:
        return self.root / CONSOLIDATED

    @property
    def annex(self) -> Path:
        return self.root / ANNEX

    @contextlib.contextmanager
    def ledger(self) -> Iterator[Ledger]:
        ledger = self.open_ledger(self.root)
        try:
            yield ledger
        finally:
            ledger.close()

    def current(self) -> list[tuple[Entry, Path]]:
        """Each department's current file (and where it is kept), in the round's order."""
        with self.ledger() as ledger:
            entries = ledger.entries()
        return [(e, self.kept_at(e)) for e in self._in_order(entries)]

    def kept_at(self, entry: Entry) -> Path:
        """Where a received file is kept, as messages name it (its bytes come from the
        ledger: `stored_file`)."""
        return self.root / entry.stored

    def _in_order(self, entries: list[Entry]) -> list[Entry]:
        """Each department's current entry among `entries`, in the round's order."""
        current = latest(entries)
        order = {d.name.casefold(): n for n, d in enumerate(self.spec.round.departments)}
        keys = sorted(current, key=lambda k: (order.get(k, len(order)), k))
        return [current[k] for k in keys]


@dataclass(frozen=True)
class Current:
    """What a department's current entry holds, as the ledger kept it when the file was read:
    the submission (None: the file is not one; its source names the file as it was sent)
    and its report (its issues name the file where it is kept, as reading it would)."""

    entry: Entry
    submission: Submission | None
    report: Report
    path: Path  # where the file is kept

    @property
    def name(self) -> str:
        return self.entry.original_name

    @property
    def valid(self) -> bool:
        return self.submission is not None and self.report.valid


def find_round(start: str | Path | None = None) -> Path | None:
    """The round folder holding `start` (default: the working directory), or None."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ROUND_FILE).is_file():
            return folder
    return None


def open_round(root: str | Path, open_ledger: OpenLedger = SqliteLedger) -> Round:
    """The round folder at `root`, its ledger opened by `open_ledger` (see `Round`)."""
    root = Path(root)
    if not (root / ROUND_FILE).is_file():
        raise NoRoundError(root)
    return Round(root, load_spec(root / ROUND_FILE), open_ledger)


def init_round(
    root: str | Path, spec: str | Path | None = None, start_from: str | Path | None = None
) -> tuple[Round, bool]:
    """Make a round folder (the built-in spec when none is given; without one but with
    `start_from`, the last round folder's runde.toml, one year on: `roundtext`); returns it
    and whether it was made now. The round gets an identity of its own (`id` in runde.toml,
    carried in its templates). An existing round is left as it is (its spec never replaced)."""
    from bilag4xl.form.roundtext import new_round_id, next_round_text, with_round_id

    root = Path(root)
    if (root / ROUND_FILE).is_file():
        existing = open_round(root)
        if spec is not None and _without_id(load_spec(spec)) != _without_id(existing.spec):
            raise Bilag4xlError(code="round-other-spec", path=root, spec_file=root / ROUND_FILE)
        return existing, False
    if spec is None and start_from is not None:
        last = open_round(start_from)
        text = next_round_text(last.spec_file.read_text("utf-8"), last.spec)
    else:
        text = default_spec_text() if spec is None else Path(spec).read_text("utf-8")
        load_spec(spec)  # a bad spec is refused before anything is made
    text = with_round_id(text, new_round_id())
    for folder in (root, root / TEMPLATES, root / RECEIVED, root / FEEDBACK):
        folder.mkdir(parents=True, exist_ok=True)
    from bilag4xl.output import atomic_write

    atomic_write(root / ROUND_FILE, text.encode("utf-8"))
    made = open_round(root)
    with made.ledger():
        pass
    return made, True


def _without_id(spec: Spec) -> str:
    """The spec's digest as if it had no round id (the id is the folder's, not the spec's)."""
    return spec.model_copy(update={"round": spec.round.model_copy(update={"id": None})}).digest


def verdict_of(result: object, form: str) -> Verdict:
    """What the ledger keeps of a file's validation against the form `form` (its digest)."""
    from bilag4xl.intake.validate import FileResult

    assert isinstance(result, FileResult)
    sub, report = result.kept(), result.report
    department = (sub.department if sub else "") or (result.template_key or (None,))[0]
    errors = report.errors
    return Verdict(
        department=department or None,
        template_id=sub.template_id if sub else None,
        valid=None if sub is None else report.valid,
        errors=len(errors),
        warnings=len(report.warnings),
        notes=len(report) - len(errors) - len(report.warnings),
        problem=errors[0].message() if errors else "",
        cover_date=sub.cover_date if sub else None,
        form=form,
        report=report.to_dict(),
        made_from=result.made_from.entry if result.made_from else None,
        submission=None if sub is None else sub.json,
    )


def round_status(rnd: Round, today: dt.date | None = None) -> RoundStatus:
    """Each department's state from the ledger: no file is read, unless the round's form has
    changed since a file was checked (then that file is checked again, once)."""
    from bilag4xl.status import from_ledger

    with rnd.ledger() as ledger:
        return from_ledger(recheck(rnd, ledger), rnd.spec, rnd.root, today)


@dataclass(frozen=True)
class StatusView:
    """What `bilag4xl status` shows: each department's state and, in a round asked for its
    history, every file received and every draft written."""

    status: RoundStatus
    entries: list[Entry] = field(default_factory=list)
    drafts: list[DraftRecord] = field(default_factory=list)


def status_of(
    rnd: Round | None, folder: Path | None, spec: Spec | None, with_history: bool = False
) -> StatusView:
    """The round's status from its ledger (with its history when asked), or, given a
    `folder`, that folder's by `spec` (else the round's, else the built-in form)."""
    if folder is None and rnd is not None:
        if not with_history:
            return StatusView(round_status(rnd))
        return StatusView(round_status(rnd), history(rnd), drafts_history(rnd))
    from bilag4xl.status import folder_status

    made_for = spec or (rnd.spec if rnd is not None else load_spec())
    return StatusView(folder_status(folder or Path.cwd(), made_for))


def recheck(rnd: Round, ledger: Ledger, data: bool = False) -> list[Entry]:
    """Check again the files checked against an earlier form of the round (a field added,
    the period moved...), and keep what they are read as now; editing the round's
    administration changes no verdict. With `data`, also each department's current file
    whose submission the ledger does not hold (received before the ledger kept them): read
    once, then kept. Returns every entry, as the ledger holds them afterwards."""
    form = form_digest(rnd.spec)
    entries = ledger.entries(data=data)
    wanted = {e.id for e in latest(entries).values() if e.verdict.submission is None}
    stale = [
        e
        for e in entries
        if e.verdict.valid is not None and (e.verdict.form != form or (data and e.id in wanted))
    ]
    if not stale:
        return entries
    for entry, result in check_stored(rnd, ledger, stale):
        if result.submission is not None:  # named as it was sent, not where it is kept
            result.submission.source.file = entry.original_name
        ledger.update_verdict(entry.id, verdict_of(result, form))
    return ledger.entries(data=data)


def current_submissions(rnd: Round) -> list[Current]:
    """The round's current submissions: what each department's current file was read as, in
    the round's order, from the ledger. No file is read, unless the round's form changed since
    it was checked or the ledger is older than the submissions it keeps (then once)."""
    spec = rnd.spec
    with rnd.ledger() as ledger:
        entries = recheck(rnd, ledger, data=True)
    out = []
    for entry in rnd._in_order(entries):
        v = entry.verdict
        submission = Submission.from_json(v.submission, spec) if v.submission else None
        if submission is not None:
            submission.source.file = entry.original_name
        path = rnd.kept_at(entry)
        issues = Report.from_dict(v.report).issues
        report = Report([replace(i, file=str(path)) for i in issues])
        out.append(Current(entry, submission, report, path))
    return out


def drafts_history(rnd: Round, department: str | None = None) -> list[DraftRecord]:
    """Every draft written (for one department when named), oldest first."""
    with rnd.ledger() as ledger:
        return ledger.drafts(department)


def valid_submissions(rnd: Round) -> tuple[list[Submission], Spec]:
    """Each department's current, valid submission, with the round's spec (the last round
    that the next one starts from)."""
    return [c.submission for c in current_submissions(rnd) if c.valid and c.submission], rnd.spec


def submissions_in(folder: Path) -> tuple[list[Submission], Spec]:
    """`valid_submissions` of the round folder at `folder` (what `open_given` asks of a
    folder: the last round a next one starts from)."""
    return valid_submissions(open_round(folder))


def history(rnd: Round, department: str | None = None) -> list[Entry]:
    """Every file received (for one department when named), oldest first, excluded ones too."""
    with rnd.ledger() as ledger:
        return ledger.entries(department)


def exclude(rnd: Round, entry_id: int, reason: str) -> Entry:
    """Leave a received file out of the round (it stays stored and listed), with a reason."""
    with rnd.ledger() as ledger:
        return ledger.exclude(entry_id, reason)


def include(rnd: Round, entry_id: int) -> Entry:
    """Take an excluded file back into the round."""
    with rnd.ledger() as ledger:
        return ledger.include(entry_id)


def stored_file(rnd: Round, entry: Entry) -> bytes:
    """A received file's bytes, unchanged, from the ledger."""
    with rnd.ledger() as ledger:
        return ledger.read(entry)


READ_BYTES = 64 * 2**20  # stored files held (and checked in one pool) at once


def check_stored(
    rnd: Round, ledger: Ledger, entries: Sequence[Entry], keep_values: bool = False
) -> Iterator[tuple[Entry, FileResult]]:
    """Check received files again, each with its result: read through the ledger (never by
    their place on disk) a batch of at most READ_BYTES at a time, each batch in one pool, and
    named where the round keeps them (as the messages of their first check named them). A
    file the ledger cannot give is passed by its place, so that the check says it cannot be
    read, as for any other file."""
    batch: list[Entry] = []
    for entry in entries:
        if batch and sum(e.size for e in batch) + entry.size > READ_BYTES:
            yield from _check_batch(rnd, ledger, batch, keep_values)
            batch = []
        batch.append(entry)
    if batch:
        yield from _check_batch(rnd, ledger, batch, keep_values)


def _check_batch(
    rnd: Round, ledger: Ledger, batch: Sequence[Entry], keep_values: bool
) -> Iterator[tuple[Entry, FileResult]]:
    from bilag4xl.intake.validate import check_each

    files = [_stored(rnd, ledger, e) for e in batch]
    checked = check_each(files, rnd.spec, keep_values=keep_values)
    for entry, (_, result) in zip(batch, checked, strict=True):
        assert result is not None  # nothing is passed over
        yield entry, result


def _stored(rnd: Round, ledger: Ledger, entry: Entry) -> Blob | Path:
    try:
        return Blob(str(rnd.kept_at(entry)), ledger.read(entry), entry.sha256)
    except LedgerError:
        return rnd.kept_at(entry)


def received(rnd: Round, entry_id: int) -> Entry:
    """One received file's entry (its bytes: `stored_file`), or a clear error."""
    with rnd.ledger() as ledger:
        entry = ledger.get(entry_id)
    if entry is None:
        raise Bilag4xlError(code="no-entry", entry=entry_id)
    return entry


def entry_for(rnd: Round, which: str) -> Entry:
    """A received file by its number in the ledger, or a department's current file by the
    department's name (as in runde.toml, any case)."""
    if which.strip().isdigit():
        return received(rnd, int(which))
    wanted = which.strip().casefold()
    known = rnd.spec.round.department(wanted) if wanted else None
    current = {e.department.casefold(): e for e, _ in rnd.current() if e.department}
    if wanted in current:
        return current[wanted]
    if known is None:
        names = ", ".join(d.name for d in rnd.spec.round.departments)
        raise Bilag4xlError(code="entry-unknown", which=which, names=names)
    raise Bilag4xlError(code="entry-not-yet", department=known.name)


def entry_of(rnd: Round, path: str | Path) -> int | None:
    """The ledger's number for a file the round has received (by its bytes), else None."""
    sha = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    with rnd.ledger() as ledger:
        entry = ledger.by_sha256(sha)
    return entry.id if entry else None


def left_out(rnd: Round, included: Iterable[str]) -> list[LeftOut]:
    """The round's departments not among `included`, and why: its current file has errors
    ("fejl"), every file it sent was excluded ("udeladt"), or it sent none ("mangler")."""
    from bilag4xl.consolidate.decide import LeftOut

    with rnd.ledger() as ledger:
        entries = ledger.entries()
    current = {key.casefold() for key in latest(entries)}
    sent = {e.verdict.department.casefold() for e in entries if e.verdict.department}
    have = {name.casefold() for name in included}
    out = []
    for d in rnd.spec.round.departments:
        key = d.name.casefold()
        if key not in have:
            reason = "fejl" if key in current else "udeladt" if key in sent else "mangler"
            out.append(LeftOut(d.name, reason))
    return out
