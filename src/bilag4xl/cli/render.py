"""What the terminal shows: reports, submissions, merges and the round's status as text (and
the `--json` shapes), pure functions returning strings, plus the progress bar.

Shared by every command, so each shows issues the same way (a table, then a summary line)
and `--json` has one shape per kind of output.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bilag4xl.danish.numbers import day, days_text, format_number
from bilag4xl.issues.report import SEVERITY_DA, Issue, Lang, Report, Severity
from bilag4xl.textsafe import for_file_name, for_terminal

# The merge's and the status's modules are loaded by the functions that show them: every
# command imports this module, and `validate` starts ~15 ms sooner without them.
if TYPE_CHECKING:
    from bilag4xl.consolidate.merge import MergeRun
    from bilag4xl.form.model import Submission
    from bilag4xl.record import DraftRecord, Entry
    from bilag4xl.round.receive import Receipt
    from bilag4xl.status import DepartmentStatus, FileStatus, RoundStatus

HEADERS = {
    "da": ("fil", "ark", "celle", "felt", "alvor", "besked"),
    "en": ("file", "sheet", "cell", "field", "severity", "message"),
}
MESSAGE_WIDTH = 100


def severity_name(severity: Severity, lang: Lang = "da") -> str:
    return SEVERITY_DA[severity] if lang == "da" else str(severity)


def issues_table(issues: Iterable[Issue], lang: Lang = "da") -> str:
    """A plain-text table: file, sheet, cell, field, severity, message (one row per issue)."""
    rows = [
        (
            Path(i.file).name if i.file else "",
            i.sheet or "",
            i.cell or "",
            i.field or "",
            severity_name(i.severity, lang),
            i.message(lang),
        )
        for i in issues
    ]
    return table(HEADERS[lang], rows)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell; the last column is not padded."""
    if not rows:
        return ""
    rows = [[for_terminal(str(c)) for c in r] for r in rows]  # measured as they are shown
    widths = [max(len(str(r[c])) for r in [headers, *rows]) for c in range(len(headers) - 1)]

    def line(cells: Sequence[str]) -> str:
        padded = [str(c).ljust(w) for c, w in zip(cells, widths, strict=False)]
        return "  ".join([*padded, str(cells[-1])]).rstrip()

    rule = "  ".join(["-" * w for w in widths] + ["-" * len(headers[-1])])
    return "\n".join([line(headers), rule, *(line(r) for r in rows)]) + "\n"


def summary_line(files: int, invalid: int, report: Report, lang: Lang = "da") -> str:
    """'3 filer: 2 i orden, 1 med fejl (2 fejl, 1 advarsel, 0 noter)'."""
    s = report.stats()
    if lang == "da":
        return (
            f"{files} {'fil' if files == 1 else 'filer'}: {files - invalid} i orden, "
            f"{invalid} med fejl ({s['error']} fejl, {s['warning']} "
            f"{'advarsel' if s['warning'] == 1 else 'advarsler'}, {s['info']} "
            f"{'note' if s['info'] == 1 else 'noter'})"
        )
    return (
        f"{files} {'file' if files == 1 else 'files'}: {files - invalid} valid, {invalid} with "
        f"errors ({s['error']} errors, {s['warning']} warnings, {s['info']} notes)"
    )


def to_json(data: Any) -> str:
    """JSON as every command prints it: UTF-8 text, indented, keys in given order."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def submission_summary(data: dict[str, Any], unit: str) -> str:
    """A short human summary of a submission (its JSON data): who, what, how much."""
    cover = data["cover"]
    lines = [
        f"{cover.get('department') or '?'} – {data['source']['file']}",
        f"Sagsbehandler: {cover.get('caseworker') or '–'}   Dato: {cover.get('date') or '–'}",
        f"Indsatser ({len(data['initiatives'])}), beløb i {unit}:",
    ]
    for ini in data["initiatives"]:
        eco = ini["economy"]
        ca = "ca. " if eco.get("estimated") else ""
        lines.append(f"  {ini['name'] or '(uden navn)'}: {ca}{_number(eco['total'])}")
    lines.append(f"I alt: {_number(data['overview']['total'])}")
    return for_terminal("\n".join(lines)) + "\n"


def _number(value: float) -> str:
    from bilag4xl.danish.numbers import format_number

    return format_number(value)


PROGRESS_MIN_FILES = 20
Progress = Callable[[int, int], None]


@contextmanager
def progress_bar(
    label: str = "Læser skemaer", min_files: int = PROGRESS_MIN_FILES
) -> Iterator[Progress | None]:
    """A progress callback drawing a bar on stderr, only for a terminal and many files.

    The bar disappears when the work is done, so what the command prints stays readable."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    bar: Bar | None = None
    task = None

    def update(done: int, total: int) -> None:
        nonlocal bar, task
        if bar is None:
            if total < min_files:
                return
            columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
            bar = Bar(*columns, console=Console(stderr=True), transient=True)
            bar.start()
            task = bar.add_task(label, total=total)
        bar.update(task, completed=done)

    try:
        yield update
    finally:
        if bar is not None:
            bar.stop()


# --------------------------------------------------------------------------- merge

MERGE_SCHEMA = "bilag4xl/merge/1"


def merge_summary(run: MergeRun) -> str:
    """One line: what was written (or why not), departments, initiatives, total, warnings.

    A refused merge says what would have gone in: each department once, however many
    submissions it sent (the others are named in the errors above)."""
    from bilag4xl.consolidate.decide import coverage, left_out_text

    m, unit = run.merged, run.merged.spec.round.unit
    s = m.report.stats()
    counts = (
        f"{coverage(m.spec, m.departments, m.left_out)}, "
        f"{m.initiatives} {'indsats' if m.initiatives == 1 else 'indsatser'}, "
        f"i alt {format_number(m.total)} ({unit}), {s['warning']} "
        f"{'advarsel' if s['warning'] == 1 else 'advarsler'}"
    )
    if m.left_out:
        counts += f". {left_out_text(m.left_out)}"
    if run.written is not None:
        return f"Skrev {run.written}: {counts}"
    extra = len(m.duplicates)
    if extra:
        counts += f" (kun den nyeste indberetning pr. forvaltning er talt med, ikke {extra} ældre)"
    return f"Intet skrevet: {s['error']} fejl (se ovenfor). {counts}"


def merge_data(run: MergeRun) -> dict[str, Any]:
    """The `--json` output of `bilag4xl merge`."""
    m = run.merged
    return {
        "schema": MERGE_SCHEMA,
        "written": str(run.written) if run.written else None,
        "stats": {
            "submissions": len(m.entries),
            "departments": m.departments,
            "initiatives": m.initiatives,
            "total": m.total,
            "unit": m.spec.round.unit.label,
            **m.report.stats(),
        },
        "included": [str(e.path) for e in m.entries],
        "dropped": [str(e.path) for e in m.dropped],
        "duplicates": [str(e.path) for e in m.duplicates],
        "left_out": [{"department": d.department, "reason": d.reason} for d in m.left_out],
        "report": m.report.to_dict(),
    }


def consolidated_data(submissions: list[Submission]) -> dict[str, Any]:
    """`bilag4xl read OUT.xlsx --json` on a consolidated workbook: every submission in it."""
    from bilag4xl.consolidate.plan import SCHEMA

    return {
        "schema": SCHEMA,
        "submissions": [s.to_json_data() for s in submissions],
    }


# --------------------------------------------------------------------------- status


def status_rows(status: RoundStatus) -> list[tuple[str, ...]]:
    """The status as table rows (header first), in Danish, for the CLI's table: when the
    current file was received (a plain folder: the file's time) beside its cover's own date."""
    header = (
        "Forvaltning",
        "Status",
        "Fejl",
        "Advarsler",
        "Seneste fil",
        "Modtaget",
        "Forsidens dato",
        "Frist",
        "Filer",
    )
    rows: list[tuple[str, ...]] = [header]
    for d in status.departments:
        last = d.last
        cover = day(last.cover_date) if last and last.cover_date else ""
        rows.append(
            (
                d.name,
                _state_text(d),
                str(last.errors) if last else "",
                str(last.warnings) if last else "",
                last.name if last else "",
                _received_text(last),
                cover + (" (efter i dag)" if d.cover_in_future else ""),
                _deadline_text(d),
                str(len(d.files)) if d.files else "0",
            )
        )
    return rows


def _state_text(d: DepartmentStatus) -> str:
    text = d.state_da
    if d.late:
        text += ", for sent"
    if d.overdue:
        text += ", frist overskredet"
    return text


def _deadline_text(d: DepartmentStatus) -> str:
    if d.deadline is None:
        return ""
    days = d.days_left
    text = day(d.deadline)
    if days is None or d.state == "valid":
        return text
    return f"{text} ({days_text(days)})"


def _received_text(f: FileStatus | None) -> str:
    """When the round's ledger took the file (local time); in a plain folder, the file's time."""
    if f is None:
        return ""
    if f.received is not None:
        return f.received.astimezone().strftime("%d.%m.%Y %H:%M")
    return day(f.modified) + " (ændret)" if f.modified else ""


def future_cover_lines(status: RoundStatus) -> list[str]:
    """A warning for each current file whose cover is dated after today."""
    return [
        f"Advarsel: {d.name}: forsidens dato {d.last.cover_date:%d.%m.%Y} ligger efter i dag "
        f"({d.today:%d.%m.%Y}); ret datoen på forsiden."
        for d in status.departments
        if d.cover_in_future and d.last and d.last.cover_date and d.today
    ]


def chase_lines(status: RoundStatus) -> list[str]:
    """Whom to chase, with their contact: one line per department missing or with errors."""
    from bilag4xl.status import FORM_CHANGED_DA

    lines = []
    for d in status.to_chase:
        why = "mangler" if d.state == "missing" else f"har {d.last.errors if d.last else 0} fejl"
        if d.form_changed:
            why = f"{FORM_CHANGED_DA}: {', '.join(d.last.added) if d.last else ''} skal udfyldes"
        if d.overdue:
            why += ", fristen er overskredet"
        c = d.contact
        who = f"{c.name} <{c.email}>".strip() if c and c.email else (c.name if c and c.name else "")
        lines.append(f"Rykkes: {d.name} ({why}); kontakt: {who or 'ingen kontakt i runden'}")
    return lines


def status_table(status: RoundStatus) -> str:
    """The status as an aligned text table, with whom to chase and stray files below it."""
    header, *rows = status_rows(status)
    lines = table(header, rows).splitlines()
    for d in status.departments:
        if d.duplicates:
            names = ", ".join(f.name for f in d.duplicates)
            lines.append(f"Flere filer fra {d.name} (den nyeste tæller): {names}")
    for f in status.unknown:
        lines.append(f"Forvaltning uden for runden: {f.department} ({f.name})")
    for f in status.unreadable:
        why = f": {f.problem}" if f.problem else ""
        lines.append(f"Kan ikke læses som indberetning: {f.name}{why}")
    lines += future_cover_lines(status)
    lines += chase_lines(status)
    received = sum(d.received for d in status.departments)
    summary = (
        f"{received} af {len(status.departments)} modtaget; mangler: {len(status.missing)}, "
        f"med fejl: {len(status.invalid)}."
    )
    if status.deadline is not None and status.days_left is not None:
        when = day(status.deadline)
        summary += f" Frist {when} ({days_text(status.days_left)})."
    lines.append(summary)
    return for_terminal("\n".join(lines))


# --------------------------------------------------------------------------- receiving

OUTCOME_DA = {"new": "modtaget", "duplicate": "allerede modtaget", "refused": "afvist"}


def receipts_table(receipts: Sequence[Receipt]) -> str:
    """One row per file given to `receive`: what became of it, then its problems."""
    rows = []
    for r in receipts:
        e = r.entry
        result = _verdict_text(e) if e else ""
        rows.append(
            (
                for_file_name(Path(r.source).name),
                OUTCOME_DA[r.outcome],
                str(e.id) if e else "",
                (e.department or "?") if e else "",
                result or r.reason,
            )
        )
    lines = [table(("fil", "resultat", "nr.", "forvaltning", "vurdering"), rows).rstrip("\n")]
    for r in receipts:
        if r.outcome == "new" and r.report is not None and len(r.report):
            lines.append(f"\n{for_file_name(Path(r.source).name)}:")
            lines.append(issues_table(r.report).rstrip("\n"))
    counts = {o: sum(r.outcome == o for r in receipts) for o in OUTCOME_DA}
    lines.append(
        f"{counts['new']} modtaget, {counts['duplicate']} allerede modtaget, "
        f"{counts['refused']} afvist."
    )
    return "\n".join(lines) + "\n"


def _verdict_text(e: Entry) -> str:
    v = e.verdict
    if v.valid is None:
        return f"kan ikke læses: {v.problem}" if v.problem else "kan ikke læses"
    if not v.valid:
        return f"{v.errors} fejl, {v.warnings} {'advarsel' if v.warnings == 1 else 'advarsler'}"
    return "i orden" + (f" ({v.warnings} advarsler)" if v.warnings else "")


def history_table(entries: Sequence[Entry]) -> str:
    """Every file received, oldest first: number, time, how it came (a department's link, the
    page, the command line), department, sender's name, verdict."""
    rows = [
        (
            str(e.id),
            e.received_at.astimezone().strftime("%d.%m.%Y %H:%M"),
            e.channel,
            e.department or "?",
            for_file_name(e.original_name),
            _verdict_text(e),
            "; ".join(_notes(e)),
        )
        for e in entries
    ]
    if not rows:
        return "Intet modtaget endnu."
    return table(("nr.", "modtaget", "via", "forvaltning", "fil", "vurdering", ""), rows)


def _notes(e: Entry) -> list[str]:
    notes = []
    if e.verdict.made_from is not None:
        notes.append(f"rettelsesark til nr. {e.verdict.made_from}")
    if e.excluded:
        notes.append(f"udeladt: {e.excluded}")
    return notes


def drafts_table(drafts: Sequence[DraftRecord]) -> str:
    """Every e-mail draft written, oldest first: when, to which department, what, to whom,
    and whether it was withdrawn (moved aside) since."""
    from bilag4xl.remind import KIND_DA

    rows = [
        (
            d.drafted_at.astimezone().strftime("%d.%m.%Y %H:%M"),
            d.department,
            KIND_DA.get(d.kind, d.kind),
            d.recipient or "(ingen modtager)",
            Path(d.file).name,
            f"gælder ikke længere: {d.withdrawn}" if d.withdrawn else "",
        )
        for d in drafts
    ]
    if not rows:
        return "Ingen kladder skrevet endnu (bilag4xl remind)."
    return table(("skrevet", "forvaltning", "hvad", "til", "kladde", ""), rows)
