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
import functools
import hashlib
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from bilag4xl.errors import Bilag4xlError, NoRoundError
from bilag4xl.form.identity import form_digest
from bilag4xl.form.model import Submission
from bilag4xl.form.spec import Spec, default_spec_text, load_spec
from bilag4xl.intake.discover import XLSX_SUFFIXES, Blob
from bilag4xl.issues.report import Lang, Report
from bilag4xl.record import DraftRecord, Entry, Verdict, latest
from bilag4xl.remind import Draft, LinkFor, Written
from bilag4xl.round.delivery import (
    Given,
    Part,
    Passed,
    base_name,
    open_delivery,
    read_part,
)
from bilag4xl.round.ledger import STATE_DIR, Ledger
from bilag4xl.status import DepartmentStatus, RoundStatus

if TYPE_CHECKING:
    from bilag4xl.consolidate.decide import LeftOut
    from bilag4xl.consolidate.write import MergeRun
    from bilag4xl.intake.validate import FileResult

ROUND_FILE = "runde.toml"
TEMPLATES = "skabeloner"
RECEIVED = "modtaget"
FEEDBACK = "rettelser"
CONSOLIDATED = "samlet.xlsx"
ANNEX = "bilag4.docx"


@dataclass(frozen=True)
class Round:
    """An open round folder: its place and its spec."""

    root: Path
    spec: Spec

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
        ledger = Ledger(self.root, RECEIVED)
        try:
            yield ledger
        finally:
            ledger.close()

    def current(self) -> list[tuple[Entry, Path]]:
        """Each department's current file (and where it is kept), in the round's order."""
        with self.ledger() as ledger:
            entries = ledger.entries()
        return [(e, self.root / e.stored) for e in self._in_order(entries)]

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


def open_round(root: str | Path) -> Round:
    root = Path(root)
    if not (root / ROUND_FILE).is_file():
        raise NoRoundError(root)
    return Round(root, load_spec(root / ROUND_FILE))


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
            raise Bilag4xlError(
                f"{root} er allerede en runde med en anden spec; ret {root / ROUND_FILE} "
                "direkte, eller vælg en ny mappe"
            )
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


# --------------------------------------------------------------------------- receiving

Outcome = Literal["new", "duplicate", "refused"]
Channel = Literal["kommandolinje", "side", "link"]  # the command line, the page, a link
STORE_BATCH = 25  # files kept in one commit while the workers read on


@dataclass(frozen=True)
class Receipt:
    """What became of one file given to `receive`."""

    source: str  # as given: a path, or "arkiv.zip/fil.xlsx"
    outcome: Outcome
    entry: Entry | None = None  # the ledger's entry (new or the earlier one)
    reason: str = ""  # why a file was refused
    report: Report | None = None  # the validation, for a new file
    skipped: bool = False  # refused by its name alone (an owner, lock or hidden file)


def receive(
    rnd: Round,
    paths: Iterable[Given],
    progress: Callable[[int, int], None] | None = None,
    names: dict[Path, str] | None = None,
    limit: int | None = None,
    channel: Channel = "kommandolinje",
    department: str | None = None,
) -> list[Receipt]:
    """Take files, folders, .zip files and uploads into the round: validate each file, keep it
    in the ledger, say what became of it. `names` gives files kept under other names their
    senders' names; `limit` bounds what the delivery unpacks to (see `round.delivery`);
    `channel` records how they came. With `department` (a department's own link) a file of
    any other department is refused and kept for no one."""
    with open_delivery(paths, names or {}, limit) as parts, rnd.ledger() as ledger:
        intake = _Intake(rnd.spec, ledger, len(parts), progress, channel, department)
        with _Keeper(intake.keep) as keeper:
            for part in parts:
                intake.take(part, keeper)
            intake.check(keeper)
    return intake.receipts()


CHUNK_BYTES = 64 * 2**20  # new files held (and checked) at once; a web upload is one chunk
Stored = tuple[int, Blob, "FileResult"]  # a checked file's place among the receipts, and it


class _Intake:
    """One receive's files on their way: each read and hashed once (`read_part`), a file
    received before answered from the ledger, new ones checked a chunk at a time (never a
    whole delivery in memory) and stored as they come back. Receipts keep the delivery's
    order: passed over, received before, the others, repeats within the delivery."""

    def __init__(
        self,
        spec: Spec,
        ledger: Ledger,
        total: int,
        progress: Callable[[int, int], None] | None,
        channel: Channel = "kommandolinje",
        department: str | None = None,
    ) -> None:
        self.spec, self.ledger, self.form = spec, ledger, form_digest(spec)
        self.channel, self.department = channel, department
        self.total, self.progress, self.done = total, progress, 0
        self.skipped: list[Receipt] = []
        self.known: list[Receipt] = []
        self.slots: list[Receipt | None] = []  # the other files, filled in when checked
        self.first: dict[str, int] = {}  # a SHA-256 seen in this delivery: its slot
        self.repeats: list[tuple[str, int]] = []
        self.chunk: list[tuple[int, Blob]] = []
        self.held = 0

    def take(self, part: Part | Passed, keeper: _Keeper) -> None:
        found = part if isinstance(part, Passed) else read_part(part)
        if isinstance(found, Passed):
            receipt = Receipt(found.source, "refused", reason=found.reason, skipped=found.skipped)
            (self.skipped if found.skipped else self.slots).append(receipt)
        elif (entry := self.ledger.by_sha256(found.sha256)) is not None:
            why = _not_from(entry.department, self.department) if self.department else ""
            self.known.append(
                Receipt(found.name, "refused", reason=why)
                if why
                else Receipt(found.name, "duplicate", entry)
            )
        elif found.sha256 in self.first:
            self.repeats.append((found.name, self.first[found.sha256]))
        else:
            self.first[found.sha256] = len(self.slots)
            self.chunk.append((len(self.slots), found))
            self.slots.append(None)
            self.held += len(found.data)
            if self.held >= CHUNK_BYTES:
                self.check(keeper)
                keeper.flush()  # stored before the ledger is asked about the next chunk
            return  # counted when checked
        self._tick()

    def check(self, keeper: _Keeper) -> None:
        """Check the chunk; each file is stored as soon as it is checked, while the workers
        read on."""
        from bilag4xl.consolidate.read import is_consolidated
        from bilag4xl.intake.validate import check_each

        chunk, self.chunk, self.held = self.chunk, [], 0
        checked = check_each([blob for _, blob in chunk], self.spec, skip=is_consolidated)
        for (slot, blob), (_, result) in zip(chunk, checked, strict=True):
            refusal = _refusal(Path(blob.name), result)
            if self.department and result is not None and not refusal:
                refusal = _not_from(_verdict(result, self.form).department, self.department)
            if refusal or result is None:
                self.slots[slot] = Receipt(blob.name, "refused", reason=refusal)
            else:
                keeper.add((slot, blob, result))
            self._tick()

    def keep(self, batch: list[Stored]) -> None:
        kept = self.ledger.store_many(
            [
                (blob.data, base_name(blob.name), _kept(self.ledger, r, self.form))
                for _, blob, r in batch
            ],
            sha256s=[blob.sha256 for _, blob, _ in batch],
            channel=self.channel,
        )
        for (slot, blob, result), (entry, new) in zip(batch, kept, strict=True):
            outcome: Outcome = "new" if new else "duplicate"
            self.slots[slot] = Receipt(blob.name, outcome, entry, report=result.report)

    def receipts(self) -> list[Receipt]:
        done = [r for r in self.slots if r is not None]
        assert len(done) == len(self.slots), "a checked file was neither stored nor refused"
        out = self.skipped + self.known + done
        for name, slot in self.repeats:  # the same bytes twice in one delivery
            first = done[slot]
            outcome: Outcome = "duplicate" if first.entry else "refused"
            out.append(Receipt(name, outcome, first.entry, first.reason))
        return out

    def _tick(self) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total)


class _Keeper:
    """Stores checked files in batches (one commit for STORE_BATCH files, not one each) on
    one thread of its own, so that the loop handing files to the reading workers never
    waits for a disk sync. A failed store stops the receive at the next file, and no batch
    is stored after one that failed (the receive ends with what was stored before it)."""

    def __init__(self, keep: Callable[[list[Stored]], None]) -> None:
        self._keep = keep
        self._batch: list[Stored] = []
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="bilag4xl-gem")
        self._stored: list[Future[None]] = []
        self._failed = False  # set on the store thread, read there before each batch

    def _keep_unless_failed(self, batch: list[Stored]) -> None:
        if self._failed:
            return
        try:
            self._keep(batch)
        except BaseException:
            self._failed = True
            raise

    def add(self, item: Stored) -> None:
        for future in self._stored:
            if future.done():
                future.result()  # raises what the store raised
        self._stored = [f for f in self._stored if not f.done()]
        self._batch.append(item)
        if len(self._batch) >= STORE_BATCH:
            self._stored.append(self._pool.submit(self._keep_unless_failed, self._batch))
            self._batch = []

    def flush(self) -> None:
        """Wait for every store (raising what one raised: then nothing more is stored), and
        store what is waiting."""
        stored, self._stored = self._stored, []
        for future in stored:
            future.result()
        batch, self._batch = self._batch, []
        if batch:
            self._pool.submit(self._keep_unless_failed, batch).result()

    def __enter__(self) -> _Keeper:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            return
        try:
            self.flush()
        finally:
            self._pool.shutdown(wait=True)


def receipt_report(receipt: Receipt) -> Report:
    """One receipt's validation, its issues named by the file as it was sent: a new file's
    report, the verdict kept for a file received before, one error saying why for a refusal."""
    from bilag4xl.issues.catalogue import make

    if receipt.outcome == "refused":
        issues = [make("not-received", reason=receipt.reason or "filen kan ikke læses")]
    elif receipt.report is not None:
        issues = receipt.report.issues
    elif receipt.entry is not None:
        issues = Report.from_dict(receipt.entry.verdict.report).issues
    else:
        issues = []
    return Report([replace(i, file=receipt.source) for i in issues])


def receipts_data(receipts: Sequence[Receipt], lang: Lang = "da") -> dict[str, Any]:
    """What became of received files, in the shape of `bilag4xl validate --json` (each file
    by the name it was sent under), plus each file's outcome, department and ledger number."""
    from bilag4xl.issues.report import report_data

    files = [r for r in receipts if not r.skipped]
    skipped = [(r.source, r.reason) for r in receipts if r.skipped]
    data = report_data([(r.source, receipt_report(r)) for r in files], skipped, lang)
    for item, r in zip(data["files"], files, strict=True):
        e = r.entry
        item["outcome"] = r.outcome
        item["entry"] = e.id if e else None
        item["department"] = e.department if e else None
        item["received_at"] = e.received_at.isoformat() if e else None
        item["sha256"] = e.sha256 if e else None
    return data


def _refusal(path: Path, result: object | None) -> str:
    """Why a file is not kept as a submission: a consolidated workbook, an empty template, a
    feedback workbook sent back unchanged, or a file that is not even named as a workbook (a
    broken .xlsx is kept: it was sent). A corrected feedback workbook is a submission."""
    if result is None:
        return "Filen er en samlet projektmappe (fra bilag4xl merge), ikke en indberetning."
    key = getattr(result, "template_key", None)
    report = getattr(result, "report", None)
    unchanged = [i for i in report or () if i.code == "feedback-unchanged"]
    if unchanged:
        return unchanged[0].message()
    if key is not None and not getattr(result, "filled", 0):
        return "Filen er en tom skabelon: intet felt er udfyldt."
    report = getattr(result, "report", None)
    other = [i for i in report or () if i.code == "other-round"]  # last year's template
    if other:
        return other[0].message()
    if getattr(result, "submission", None) is None and path.suffix.lower() not in XLSX_SUFFIXES:
        first = report.errors[0].message() if report and report.errors else ""
        return f"Filen er ikke et regneark. {first}".strip()
    return ""


def _not_from(sent: str | None, department: str) -> str:
    """Why a file that came through `department`'s link is refused: it is not its file."""
    if sent and sent.casefold() == department.casefold():
        return ""
    if sent:
        return (
            f"Filen er fra {sent}, men dette link er til {department}. Den er ikke modtaget; "
            f"{sent} har sit eget link."
        )
    return (
        f"Filen kan ikke læses som en indberetning fra {department} og er ikke modtaget. "
        "Hent skabelonen på siden, udfyld den, og send den igen."
    )


def _kept(ledger: Ledger, result: FileResult, form: str) -> Verdict:
    """A new file's verdict; a feedback workbook's provenance only when the entry it names is
    this round's (of the same department)."""
    verdict = _verdict(result, form)
    source = ledger.get(verdict.made_from) if verdict.made_from is not None else None
    if (
        source is None
        or (source.department or "").casefold() != (verdict.department or "").casefold()
    ):
        verdict = replace(verdict, made_from=None)
    return verdict


def _verdict(result: object, form: str) -> Verdict:
    """What the ledger keeps of a file's validation against the form `form` (its digest)."""
    from bilag4xl.intake.validate import FileResult

    assert isinstance(result, FileResult)
    sub, report = result.submission, result.report
    department = (sub.department if sub else "") or (result.template_key or (None,))[0]
    errors = report.errors
    return Verdict(
        department=department or None,
        template_id=sub.template.id if sub else None,
        valid=None if sub is None else report.valid,
        errors=len(errors),
        warnings=len(report.warnings),
        notes=len(report) - len(errors) - len(report.warnings),
        problem=errors[0].message() if errors else "",
        cover_date=sub.date if sub else None,
        form=form,
        report=report.to_dict(),
        made_from=result.made_from.entry if result.made_from else None,
        submission=None if sub is None else sub.model_dump_json(by_alias=True),
    )


# --------------------------------------------------------------------------- the round's work


def round_status(rnd: Round, today: dt.date | None = None) -> RoundStatus:
    """Each department's state from the ledger: no file is read, unless the round's form has
    changed since a file was checked (then that file is checked again, once)."""
    from bilag4xl.status import from_ledger

    with rnd.ledger() as ledger:
        return from_ledger(recheck(rnd, ledger), rnd.spec, rnd.root, today)


def recheck(rnd: Round, ledger: Ledger, data: bool = False) -> list[Entry]:
    """Check again the files checked against an earlier form of the round (a field added,
    the period moved...), and keep what they are read as now; editing the round's
    administration changes no verdict. With `data`, also each department's current file
    whose submission the ledger does not hold (received before the ledger kept them): read
    once, then kept. Returns every entry, as the ledger holds them afterwards."""
    from bilag4xl.intake.validate import check_each

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
    checked = check_each([ledger.path(e) for e in stale], rnd.spec)  # one pool for all
    for entry, (_, result) in zip(stale, checked, strict=True):
        if result.submission is not None:  # named as it was sent, not where it is kept
            result.submission.source.file = entry.original_name
        ledger.update_verdict(entry.id, _verdict(result, form))
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
        path = rnd.root / entry.stored
        issues = Report.from_dict(v.report).issues
        report = Report([replace(i, file=str(path)) for i in issues])
        out.append(Current(entry, submission, report, path))
    return out


def reminders(
    rnd: Round, today: dt.date | None = None, link_for: LinkFor | None = None
) -> list[Draft]:
    """A draft for each department to chase: the invitation with its template when it was
    never written to, a reminder with its template when it has still sent nothing, and the
    feedback workbook of its current file when that has errors (`remind.drafts`). `link_for`
    gives a department's own upload link (a function or a mapping by name); by default each
    department's link of the round (`round.links`, when `base_url` is set). A template is the
    one kept in `skabeloner/` (`_templates`); a feedback workbook is made once
    (`_feedback_workbooks`), from its file."""
    from bilag4xl.remind import Attachment, drafts, link_of
    from bilag4xl.template.writer import template_bytes, template_filename

    spec = rnd.spec
    own = own_links(rnd)
    link_for = link_for if link_for is not None else own
    status = round_status(rnd, today)
    entries = {e.id: e for e in history(rnd)}
    chased = [(d, entries[d.last.entry]) for d in status.to_chase if d.last and d.last.entry]
    links = {e.id: link_of(link_for, d.name) for d, e in chased}
    workbooks = _feedback_workbooks(rnd, [e for _, e in chased], links)

    def template(name: str) -> Attachment:
        link = link_of(link_for, name)
        if link != own(name):  # a link of the caller's: a template of its own
            return Attachment(template_filename(spec, name), template_bytes(spec, name, link=link))
        ((filename, data, _),) = _templates(rnd, [name])
        return Attachment(filename, data)

    def feedback(d: DepartmentStatus) -> Attachment | None:
        last = d.last
        data = workbooks.get(last.entry) if last and last.entry else None
        if last is None or not isinstance(data, bytes):  # not a bilag4xl workbook: no marks
            return None
        return Attachment(f"{Path(last.name).stem}_rettelser.xlsx", data)

    with rnd.ledger() as ledger:
        written_to = {r.department for r in ledger.drafts()}
    return drafts(status, spec, template, feedback, written_to, link_for)


FEEDBACK_KEPT = "rettelser"  # in .bilag4xl/: feedback workbooks made, by spec and code


def _feedback_workbooks(
    rnd: Round, entries: Sequence[Entry], links: Mapping[int, str | None] | None = None
) -> dict[int, bytes | Bilag4xlError]:
    """Each received file's feedback workbook (or why it has none), by entry, with the upload
    link `links` gives it. Making one costs ~0.15 s (a template is built), so each is kept in
    `.bilag4xl/rettelser/` once made, by the file's SHA-256 (and link) in a folder of the
    round's spec and bilag4xl's code (a change of either makes them anew). A feedback
    workbook puts every value back in the cell it was typed in, so it is made from the file
    itself: the files to make it for are read in one pool."""
    import json

    from bilag4xl.feedback import feedback_bytes
    from bilag4xl.intake.validate import check_each

    spec = rnd.spec
    made_by = _sha256(json.dumps([spec.digest, _code_digest()]).encode())[:16]
    kept = rnd.root / STATE_DIR / FEEDBACK_KEPT / made_by
    out: dict[int, bytes | Bilag4xlError] = {}
    missing = []
    links = links or {}
    names = {}
    for entry in entries:
        link = links.get(entry.id)
        names[entry.id] = f"{entry.sha256}{'-' + _sha256(link.encode()) if link else ''}.xlsx"
        try:
            out[entry.id] = (kept / names[entry.id]).read_bytes()
        except OSError:
            missing.append(entry)
    if not missing:
        return out
    checked = check_each([rnd.root / e.stored for e in missing], spec, keep_values=True)
    for entry, (_, result) in zip(missing, checked, strict=True):
        try:
            data = feedback_bytes(
                result, spec, name=entry.original_name, entry=entry.id, link=links.get(entry.id)
            )
        except Bilag4xlError as exc:
            out[entry.id] = exc
            continue
        out[entry.id] = data
        _keep(kept, names[entry.id], data)
    return out


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
    drafted = reminders(rnd, today, link_for)
    status = round_status(rnd, today)
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


def drafts_history(rnd: Round, department: str | None = None) -> list[DraftRecord]:
    """Every draft written (for one department when named), oldest first."""
    with rnd.ledger() as ledger:
        return ledger.drafts(department)


def _keep(folder: Path, name: str, data: bytes) -> None:
    """Keep a made file for next time, in `folder`, the only one beside it (others were made
    by another spec or code); a file that cannot be kept is made again next time."""
    import shutil

    from bilag4xl.output import atomic_write

    with contextlib.suppress(OSError):
        if not folder.is_dir():
            for other in folder.parent.glob("*"):
                shutil.rmtree(other, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)
        atomic_write(folder / name, data, force=True)


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


def stored_path(rnd: Round, entry: Entry) -> Path:
    return rnd.root / entry.stored


def received(rnd: Round, entry_id: int) -> Entry:
    """One received file's entry (stored at `stored_path`), or a clear error."""
    with rnd.ledger() as ledger:
        entry = ledger.get(entry_id)
    if entry is None:
        raise Bilag4xlError(f"ingen modtaget fil med nummer {entry_id}")
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
        raise Bilag4xlError(
            f"'{which}' er hverken et filnummer eller en forvaltning i runden ({names})"
        )
    raise Bilag4xlError(f"{known.name} har ikke indberettet endnu")


def entry_of(rnd: Round, path: str | Path) -> int | None:
    """The ledger's number for a file the round has received (by its bytes), else None."""
    sha = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    with rnd.ledger() as ledger:
        entry = ledger.by_sha256(sha)
    return entry.id if entry else None


def feedback_for(rnd: Round, entry_id: int) -> tuple[str, bytes]:
    """The feedback workbook of one received file: its name and bytes."""
    entry = received(rnd, entry_id)
    link = own_links(rnd)(entry.department) if entry.department else None
    data = _feedback_workbooks(rnd, [entry], {entry.id: link})[entry.id]
    if isinstance(data, Bilag4xlError):
        raise data
    return f"{Path(entry.original_name).stem}_rettelser.xlsx", data


def own_links(rnd: Round) -> Callable[[str], str | None]:
    """Each department's own link (`round.links`), said on its templates, rettelsesark and
    mails; None for every department while the round has no `base_url`."""
    from bilag4xl.round.links import link_for

    return lambda department: link_for(rnd, department)


@dataclass(frozen=True)
class Templates:
    """What `write_templates` did: every department's template (`paths`, in the round's
    order), and those already as runde.toml says (`unchanged`, left untouched)."""

    paths: list[Path]
    unchanged: list[Path]

    @property
    def written(self) -> list[Path]:
        """The templates written: new, or changed with the spec."""
        return [p for p in self.paths if p not in self.unchanged]


def write_templates(rnd: Round, password: str | None = None) -> Templates:
    """The round's templates, one per department, in `skabeloner/`. They are the round's own
    derived files: a template whose content changed (the spec was edited) is rewritten, one
    already right is left as it is (its file time too). Each is made anew here, and a mark in
    `.bilag4xl/skabeloner.json` says what it was made from, so that downloads and reminders
    can take it as it is (`_templates`)."""
    import json

    from bilag4xl.output import atomic_write

    paths, unchanged, marks = [], [], {}
    for filename, data, made in _templates(rnd, password=password, kept=False):
        target = rnd.templates / filename
        if target.is_file() and target.read_bytes() == data:
            unchanged.append(target)
        else:
            atomic_write(target, data, force=True)
        paths.append(target)
        marks[filename] = {"made": made, "sha256": _sha256(data)}
    with contextlib.suppress(OSError):  # without marks, they are made again when asked for
        text = json.dumps(marks, indent=1).encode("utf-8")
        atomic_write(rnd.root / STATE_DIR / TEMPLATE_MARKS, text, force=True)
    return Templates(paths, unchanged)


def templates_zip(rnd: Round) -> bytes:
    """Every department's template in one .zip (to hand out in one go), made in memory: the
    round folder is left as it is. Those in `skabeloner/` are taken as they are while they
    are the round's (`_templates`)."""
    import io

    buffer = io.BytesIO()
    # A template is a zip already: stored, not deflated again (that would gain ~1%).
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for filename, data, _ in _templates(rnd):
            archive.writestr(zipfile.ZipInfo(filename, date_time=ZIP_TIME), data)
    return buffer.getvalue()


def department_template(rnd: Round, department: str) -> tuple[str, bytes]:
    """One department's template (file name and bytes): the one in `skabeloner/` while it is
    still what the round would make, else made now (the web page's download)."""
    ((filename, data, _),) = _templates(rnd, [department])
    return filename, data


TEMPLATE_MARKS = "skabeloner.json"  # in .bilag4xl/: what each template written was made from
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the same templates, the same .zip


def _templates(
    rnd: Round,
    departments: Sequence[str] | None = None,
    password: str | None = None,
    kept: bool = True,
) -> list[tuple[str, bytes, str]]:
    """Departments' templates (default: all the round's): file name, bytes, and a digest of
    what it is made from (the spec, department, password, its own link, bilag4xl's code).
    Making one costs ~0.15 s, so with `kept` the one in `skabeloner/` is taken as it is while
    `write_templates`'s mark says it was made from just that and it is still those bytes
    (not changed by hand); else it is made, in memory."""
    import json

    from bilag4xl.errors import SpecError
    from bilag4xl.template.writer import template_bytes, template_filename

    spec = rnd.spec
    if not spec.round.departments:
        raise SpecError("Runden har ingen forvaltninger (round.departments) i runde.toml")
    try:
        marks = json.loads((rnd.root / STATE_DIR / TEMPLATE_MARKS).read_text("utf-8"))
    except (OSError, ValueError):
        marks = {}
    marks = marks if isinstance(marks, dict) else {}
    link = own_links(rnd)
    out = []
    names = [d.name for d in spec.round.departments] if departments is None else departments
    for name in names:
        filename = template_filename(spec, name)
        key = [spec.digest, name, password, link(name), _code_digest()]
        made = _sha256(json.dumps(key).encode())
        mark = marks.get(filename)
        if kept and isinstance(mark, dict) and mark.get("made") == made:
            try:
                data = (rnd.templates / filename).read_bytes()
            except OSError:
                data = b""
            if mark.get("sha256") == _sha256(data):
                out.append((filename, data, made))
                continue
        data = template_bytes(spec, name, password=password, link=link(name))
        out.append((filename, data, made))
    return out


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.cache
def _code_digest() -> str:
    """The SHA-256 of bilag4xl's own source: a template kept from other code is made again
    (a version number is not bumped for every change to what a template holds)."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def merge_round(
    rnd: Round,
    out: str | Path | None = None,
    allow_invalid: bool = False,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> MergeRun:
    """Merge each department's current file into the consolidated workbook (by default the
    round's own `samlet.xlsx`, which is rewritten: it is made from the ledger)."""
    from bilag4xl.consolidate.write import merge_submissions
    from bilag4xl.errors import NoFilesError

    current = current_submissions(rnd)
    if not current:
        raise NoFilesError([rnd.root / RECEIVED])
    target = Path(out) if out is not None else rnd.consolidated
    included = [str(c.entry.department) for c in current if c.entry.department]
    return merge_submissions(
        [(c.submission, c.report, c.path) for c in current],
        target,
        rnd.spec,
        allow_invalid=allow_invalid,
        force=force or out is None,
        left_out=left_out(rnd, included),
    )


def left_out(rnd: Round, included: Iterable[str]) -> list[LeftOut]:
    """The round's departments not among `included`, and why: its current file has errors
    ("fejl"), every file it sent was excluded ("udeladt"), or it sent none ("mangler")."""
    from bilag4xl.consolidate.decide import LeftOut

    with rnd.ledger() as ledger:
        entries = ledger.entries()
        current = {key.casefold() for key in ledger.current()}
    sent = {e.verdict.department.casefold() for e in entries if e.verdict.department}
    have = {name.casefold() for name in included}
    out = []
    for d in rnd.spec.round.departments:
        key = d.name.casefold()
        if key not in have:
            reason = "fejl" if key in current else "udeladt" if key in sent else "mangler"
            out.append(LeftOut(d.name, reason))
    return out


def annex_bytes(
    rnd: Round, fmt: str = "docx", date: dt.date | None = None
) -> tuple[bytes, list[LeftOut]]:
    """The annex of the round's current valid submissions (dated `date`, default today), and
    the departments left out, with why (see `left_out`)."""
    from bilag4xl.annex.formats import render
    from bilag4xl.annex.model import build_annex

    submissions, included = [], []
    current = {str(c.entry.department).casefold(): c for c in current_submissions(rnd)}
    for d in rnd.spec.round.departments:
        found = current.get(d.name.casefold())
        if found is not None and found.valid and found.submission is not None:
            submissions.append(found.submission)
            included.append(d.name)
    if not submissions:
        raise Bilag4xlError("Runden har endnu ingen gyldige indberetninger at lave bilaget af")
    missing = left_out(rnd, included)
    annex = build_annex(submissions, rnd.spec, date, left_out=missing)
    return render(annex, fmt), missing  # type: ignore[arg-type]
