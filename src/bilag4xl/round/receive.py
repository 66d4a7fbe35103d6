"""Receiving: files, folders, .zip files and uploads taken into the round. Each file is read
and hashed once, checked (a chunk at a time, in worker processes), kept in the ledger and
answered with a `Receipt`: new, received before, or refused and why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from bilag4xl.form.identity import form_digest
from bilag4xl.form.spec import Spec
from bilag4xl.intake.discover import XLSX_SUFFIXES, Blob
from bilag4xl.issues.report import Lang, Report
from bilag4xl.record import Entry, Ledger, Verdict
from bilag4xl.round.delivery import Given, Part, Passed, base_name, open_delivery, read_part
from bilag4xl.round.folder import Round, verdict_of

if TYPE_CHECKING:
    from bilag4xl.intake.validate import FileResult


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
# a checked file: its place among the receipts, the file, its result and what the ledger keeps
Stored = tuple[int, Blob, "FileResult", Verdict]


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
        # The submissions go straight into the ledger: sent back as JSON, not object graphs.
        checked = check_each(
            [blob for _, blob in chunk], self.spec, skip=is_consolidated, submissions="brief"
        )
        for (slot, blob), (_, result) in zip(chunk, checked, strict=True):
            refusal = _refusal(Path(blob.name), result)
            verdict = verdict_of(result, self.form) if result is not None else None
            if self.department and verdict is not None and not refusal:
                refusal = _not_from(verdict.department, self.department)
            if refusal or result is None or verdict is None:
                self.slots[slot] = Receipt(blob.name, "refused", reason=refusal)
            else:
                keeper.add((slot, blob, result, verdict))
            self._tick()

    def keep(self, batch: list[Stored]) -> None:
        kept = self.ledger.store_many(
            [
                (blob.data, base_name(blob.name), _kept(self.ledger, verdict))
                for _, blob, _, verdict in batch
            ],
            sha256s=[blob.sha256 for _, blob, _, _ in batch],
            channel=self.channel,
        )
        for (slot, blob, result, _), (entry, new) in zip(batch, kept, strict=True):
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


def _refusal(path: Path, result: FileResult | None) -> str:
    """Why a file is not kept as a submission: a consolidated workbook, an empty template, a
    feedback workbook sent back unchanged, last year's template, or a file that is not even
    named as a workbook (a broken .xlsx is kept: it was sent). A corrected feedback workbook
    is a submission."""
    if result is None:
        return "Filen er en samlet projektmappe (fra bilag4xl merge), ikke en indberetning."
    report = result.report
    unchanged = [i for i in report if i.code == "feedback-unchanged"]
    if unchanged:
        return unchanged[0].message()
    if result.template_key is not None and not result.filled:
        return "Filen er en tom skabelon: intet felt er udfyldt."
    other = [i for i in report if i.code == "other-round"]  # last year's template
    if other:
        return other[0].message()
    if not result.read and path.suffix.lower() not in XLSX_SUFFIXES:
        first = report.errors[0].message() if report.errors else ""
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


def _kept(ledger: Ledger, verdict: Verdict) -> Verdict:
    """A new file's verdict; a feedback workbook's provenance only when the entry it names is
    this round's (of the same department)."""
    source = ledger.get(verdict.made_from) if verdict.made_from is not None else None
    if (
        source is None
        or (source.department or "").casefold() != (verdict.department or "").casefold()
    ):
        verdict = replace(verdict, made_from=None)
    return verdict
