"""Raw workbook cells + the layout -> a Submission and a Report (issue 3).

The file is trusted for nothing: its metadata only says which layout to re-plan, and the
re-planned layout (the same `plan` the template writer used) says where every label, input
and formula must be. Every cell is then accounted for: an input (typed and checked by
`fields`), a fixed text (must be unchanged), a formula (must be unchanged; its cached result
is only compared, totals are recomputed by `model.assemble`), or anything else (reported, as it
will not be included).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from bilag4xl import processes
from bilag4xl.danish.numbers import format_number
from bilag4xl.danish.parsers import blank
from bilag4xl.errors import SpecError
from bilag4xl.form import limits
from bilag4xl.form.identity import same_round
from bilag4xl.form.kinds import rule
from bilag4xl.form.layout import (
    REVIEW_TITLE,
    Input,
    Layout,
    MadeFrom,
    Pos,
    Role,
    Text,
    Value,
    as_planned,
    plan,
    provenance,
    values_digest,
)
from bilag4xl.form.model import Source, Submission, TemplateInfo, assemble
from bilag4xl.form.spec import Spec, load_spec, stored_spec
from bilag4xl.intake import cellfindings, containment, mapping, metadata
from bilag4xl.intake.discover import Blob, collect_paths
from bilag4xl.intake.expected import Names, Plan, bind, shape_for
from bilag4xl.intake.fields import Where, parse_input
from bilag4xl.intake.workbook import (
    RawSheet,
    RawWorkbook,
    UnreadableWorkbook,
    read_named,
    read_workbook,
)
from bilag4xl.issues import catalogue as messages
from bilag4xl.issues.report import Issue, Report, Severity
from bilag4xl.xlsx import excel

METADATA_MARK = "bilag4xl"


TemplateKey = tuple[str | None, tuple[str | None, ...], bool]  # department, initiatives, feedback
Item = Path | Blob  # what check_each reads: a file on disk or one already read


@dataclass(frozen=True)
class Brief:
    """What the ledger keeps of a submission, made where the file was read: its department,
    template id, cover date, and the submission itself as `bilag4xl/submission/1` JSON (a
    string crosses between processes for next to nothing; the object graph does not)."""

    department: str
    template_id: str
    cover_date: dt.date | None
    json: str


def brief_of(submission: Submission) -> Brief:
    return Brief(
        submission.department,
        submission.template.id,
        submission.date,
        submission.model_dump_json(by_alias=True),
    )


@dataclass
class FileResult:
    path: Path
    submission: Submission | None  # None when unreadable / not a bilag4xl workbook
    report: Report
    # What feedback needs to put every value back where it was: which template it is (a
    # small key, cheap to send back from a worker process; `layout_of` re-plans it), the
    # parsed values by layout path (None where a rule was broken) and the raw cell values.
    template_key: TemplateKey | None = None
    values: dict[str, Value] = field(default_factory=dict)
    raw: dict[str, object] = field(default_factory=dict)
    # The spec the file was made from, when it is not the one it was read against (a
    # template from before the round was changed): its own layout places its values.
    made_with: Spec | None = None
    filled: int = 0  # inputs with a value (kept when values and raw cells are not)
    made_from: MadeFrom | None = None  # a feedback workbook's provenance (its metadata)
    # Instead of `submission`, when the caller keeps it rather than uses it (`check_each`'s
    # `submissions="brief"`: receive, which stores it in the ledger).
    brief: Brief | None = None

    @property
    def read(self) -> bool:
        """Whether the file was read as a submission (valid or not)."""
        return self.submission is not None or self.brief is not None

    def kept(self) -> Brief | None:
        """What the ledger keeps of the submission (None: not read as one)."""
        if self.brief is None and self.submission is not None:
            return brief_of(self.submission)
        return self.brief

    @property
    def valid(self) -> bool:
        return self.report.valid


@dataclass
class ValidationRun:
    results: list[FileResult] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    passed_over: list[Path] = field(default_factory=list)  # what `skip` said not to read

    @property
    def report(self) -> Report:
        """All files' issues, skipped files included as notes."""
        merged = Report()
        for path, reason in self.skipped:
            merged.add(messages.make("lock-file-skipped", str(path), reason=reason))
        for result in self.results:
            merged.extend(result.report)
        return merged

    @property
    def valid(self) -> bool:
        return all(r.valid for r in self.results)


# --------------------------------------------------------------------------- entry points


def read_file(path: str | Path, spec: Spec | None = None) -> FileResult:
    """Read and validate one workbook; never raises for a bad file (it becomes an issue).

    `spec` is the round's (its form is what the values are carried onto); without one, a
    workbook bilag4xl made is read by the spec it carries. The file is read in a worker
    process (`containment`) where that is possible, so that not even a crash of the native
    reader, a hang or a memory blow-up reaches the caller."""
    path = Path(path)
    job = _Job(spec, keep=True, skip=None)
    result = next(containment.run(job, [path], workers=1))
    if isinstance(result, containment.Lost):
        return _lost(path, result)
    assert result is not None  # nothing is skipped here
    return result


def check_file(
    path: str | Path, spec: Spec | None = None, *, submission: bool = True
) -> FileResult:
    """`read_file` in this process: what a worker runs. `submission=False`: the file is
    checked, but no submission is built (a check of files needs none)."""
    path = Path(path)
    return _check(path, str(path), lambda: read_workbook(path), spec, submission)


def check_blob(blob: Blob, spec: Spec | None = None, *, submission: bool = True) -> FileResult:
    """`check_file` of a file already read: its issues name it as it was sent."""
    return _check(
        Path(blob.name),
        blob.name,
        lambda: read_named(blob.data, blob.name, sha256=blob.sha256),
        spec,
        submission,
    )


def _check(
    path: Path, file: str, read: Callable[[], RawWorkbook], spec: Spec | None, submission: bool
) -> FileResult:
    try:
        raw = read()
        checked = check_workbook(raw, spec, file, path.name, submission=submission)
    except UnreadableWorkbook as exc:
        issue = messages.make(exc.code, file, **exc.params)
        return FileResult(path, None, Report([issue]))
    except MemoryError:
        raise  # the worker reports it (containment)
    except Exception as exc:  # what no check foresaw is still this file's problem alone
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:120]
        issue = messages.make("check-failed", file, reason=reason)
        return FileResult(path, None, Report([issue]))
    return FileResult(
        path,
        checked.submission,
        Report(checked.issues),
        checked.template_key,
        checked.values,
        checked.raw,
        checked.made_with,
        len(checked.raw),
        checked.made_from,
    )


def _lost(path: Path, lost: containment.Lost) -> FileResult:
    """The issue of a file whose worker died or ran out of time."""
    if lost.timeout:
        issue = messages.make("read-timeout", str(path), seconds=f"{limits.FILE_SECONDS:.0f}")
    else:
        issue = messages.make("read-crashed", str(path), reason=lost.reason)
    return FileResult(path, None, Report([issue]))


def layout_of(result: FileResult, spec: Spec | None = None) -> Layout | None:
    """The layout a validated file was checked against (None if it was not identified)."""
    if result.template_key is None:
        return None
    return plan(result.made_with or spec or load_spec(), *result.template_key)


def validate_paths(
    paths: Iterable[str | Path],
    spec: Spec | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    keep_values: bool = False,
    skip: Callable[[Path], bool] | None = None,
    submissions: bool = True,
) -> ValidationRun:
    """Validate files and folders (recursively); lock, owner and hidden files are skipped.

    Files are independent, so many of them are read by `workers` processes (default: one per
    CPU once there are PARALLEL_FROM files, else one); results keep the order of the files.
    A worker that dies or hangs costs its file only (`containment`): the file gets an issue
    and the run goes on. `keep_values` keeps each result's values and raw cells (feedback
    needs them; sending them back from worker processes costs time otherwise). A file
    `skip` is true for is not read (it is asked in the worker, so a check that opens the
    file costs no extra pass). `submissions=False`: results carry their reports only (a
    submission is most of what a worker sends back, and a check of files needs none).
    """
    files, skipped = collect_paths(paths)
    run = ValidationRun(skipped=skipped)
    checked = check_each(files, spec, workers, keep_values, skip, submissions)
    for n, (path, result) in enumerate(checked, start=1):
        if result is None:
            run.passed_over.append(path)
        else:
            run.results.append(result)
        if progress:
            progress(n, len(files))
    return run


def check_each(
    files: Sequence[Item],
    spec: Spec | None = None,
    workers: int | None = None,
    keep_values: bool = False,
    skip: Callable[[Item], bool] | None = None,
    submissions: bool | Literal["brief"] = True,
) -> Iterator[tuple[Item, FileResult | None]]:
    """Each file and its result (None: passed over by `skip`), in the files' order, as soon
    as it is ready: a caller can store one file while the workers still read the next. A
    file is a path, or a `Blob` already read (its bytes go to the worker: not read again)."""
    if workers is None:
        workers = processes.usable_cpus() if len(files) >= PARALLEL_FROM else 1
    workers = max(1, min(workers, len(files) or 1, MAX_WORKERS))
    results = containment.run(_Job(spec, keep_values, skip, submissions), files, workers)
    specs: dict[str, Spec] = {}  # what each file was made with, sent once by each worker
    for item, result in zip(files, results, strict=True):
        if isinstance(result, containment.Lost):
            yield item, _lost(Path(item.name) if isinstance(item, Blob) else item, result)
            continue
        if result is not None and isinstance(result.made_with, _Sent):
            result.made_with = specs[result.made_with.digest]
        elif result is not None and result.made_with is not None:
            specs[result.made_with.digest] = result.made_with
        yield item, result


PARALLEL_FROM = 40
MAX_WORKERS = 8


@dataclass(frozen=True)
class _Job:
    """What every file is read with (inherited by, or sent to, worker processes).

    What goes back is kept small: values, raw cells and the submission only when asked for,
    and the spec a file was made with (a national round's is ~600 kB pickled, more than
    the rest of a result) once per worker, then by its digest (`check_each` puts it back).
    A worker's results arrive in the order of its files, so the spec comes first."""

    spec: Spec | None  # the round's; None: each file's own
    keep: bool  # values and raw cells go back with the result
    skip: Callable[[Item], bool] | None
    submissions: bool | Literal["brief"] = True
    sent: set[str] = field(default_factory=set)  # digests of specs this worker sent

    def __call__(self, item: Item) -> FileResult | None:
        if self.skip is not None and self.skip(item):
            return None
        wanted = self.submissions is not False
        if isinstance(item, Blob):
            result = check_blob(item, self.spec, submission=wanted)
        else:
            result = check_file(item, self.spec, submission=wanted)
        if not self.keep:  # not pickled back unless asked for
            result.values, result.raw = {}, {}
        if self.submissions == "brief" and result.submission is not None:
            result.brief, result.submission = brief_of(result.submission), None
        elif not self.submissions:
            result.submission = None
        made_with = result.made_with
        if made_with is not None and made_with.digest in self.sent:
            result.made_with = _Sent(made_with.digest)  # type: ignore[assignment]
        elif made_with is not None:
            self.sent.add(made_with.digest)
        return result


@dataclass(frozen=True)
class _Sent:
    """A spec the worker sent with an earlier result, by its digest."""

    digest: str


# --------------------------------------------------------------------------- one workbook


@dataclass
class Checked:
    """What checking one workbook found (see FileResult for the fields)."""

    submission: Submission | None
    issues: list[Issue]
    template_key: TemplateKey | None = None
    values: dict[str, Value] = field(default_factory=dict)
    raw: dict[str, object] = field(default_factory=dict)
    made_with: Spec | None = None  # the file's own spec, when it is not the round's
    made_from: MadeFrom | None = None


def check_workbook(
    raw: RawWorkbook,
    spec: Spec | None,
    file: str,
    source_name: str,
    *,
    submission: bool = True,
) -> Checked:
    """Integrity, then every cell, then the submission; issues in sheet order.

    The workbook is checked against the template it was made from (its stored spec), so
    tamper detection stays exact; its values are then carried onto the round's form (`spec`,
    when given) field by field (`mapping`). `submission=False` leaves the submission unbuilt
    (a tenth of a check's time): every issue is found all the same."""
    issues: list[Issue] = []
    if raw.macros:
        issues.append(messages.make("macros", file))
    known = _identify(raw, spec, file, issues)
    if known is None:
        return Checked(None, issues)
    plan_, names, expected, key = known
    made_with = expected.spec
    planned = [names.sheet(s.name) for s in plan_.layout.sheets]
    sheets = _match_sheets(raw, planned, file, issues)
    values: dict[str, Value] = {}
    raw_inputs: dict[str, object] = {}
    for sheet_plan, real in zip(plan_.layout.sheets, planned, strict=True):
        sheet = sheets.get(real)
        # The metadata sheet was read by _identify; a feedback sheet's rows are per workbook.
        if sheet is None or sheet_plan.role in (Role.METADATA, Role.FEEDBACK):
            continue
        if not sheet.protected:
            issues.append(messages.make("protection-removed", file, sheet.name))
        issues += _check_sheet(plan_, names, sheet_plan.name, sheet, file, values, raw_inputs)
        issues += cellfindings.sheet_findings(
            plan_, names, sheet_plan.name, sheet, file, raw_inputs
        )
    filled_inputs = set(raw_inputs)
    unused = _unused_spares(key[1], filled_inputs)
    issues += _required(plan_, names, filled_inputs, unused, file)
    issues += _cofinancing(plan_, names, values, unused, file)
    fixed = {t.path: names.text(t.text) for t in plan_.layout.texts if t.path}
    target = spec or made_with
    carried = mapping.to_round(
        made_with, target, plan_.layout, names, {**fixed, **values}, raw_inputs, file, unused
    )
    issues += carried.issues
    built = None
    if submission:
        template = TemplateInfo.made(expected.template_id, made_with, target)
        source = Source(file=source_name, sha256=raw.sha256)
        built = assemble(carried.layout, carried.values, template, source)
        if unused:
            built.initiatives = [ini for n, ini in enumerate(built.initiatives) if n not in unused]
    issues += _cached_totals(plan_, names, sheets, values, raw_inputs, file)
    made_from = expected.made_from
    if made_from and values_digest(placed(values, raw_inputs, plan_.layout), plan_.layout) == (
        made_from.values
    ):
        issues.insert(0, messages.make("feedback-unchanged", file))
    own = spec is None or made_with.digest != spec.digest  # the caller does not know it
    kept = made_with if own else None
    return Checked(built, issues, key, values, raw_inputs, kept, made_from)


def placed(values: dict[str, Value], raw: dict[str, object], layout: Layout) -> dict[str, Value]:
    """The values a workbook's inputs hold, as a feedback workbook is filled with them: the
    valid ones, and invalid text back where it was typed (at most what a cell holds). Read
    back from a feedback workbook nobody changed, they are the same (`values_digest`)."""
    out = dict(values)
    inputs = {i.path: i for i in layout.inputs}
    for path, typed in raw.items():
        # A text cell can hold what was typed even when it broke a rule (the caseworker then
        # edits their own text); an amount or date cell cannot: that value stays a comment.
        text = isinstance(typed, str) and path in inputs
        if text and out.get(path) is None and rule(inputs[path].field.kind).holds_text:
            out[path] = typed[: excel.CELL_TEXT_MAX]  # type: ignore[index]
    return out


def _identify(
    raw: RawWorkbook, spec: Spec | None, file: str, issues: list[Issue]
) -> tuple[Plan, Names, Layout, TemplateKey] | None:
    """The template this workbook was made from, planned from the spec it carries (else an
    error issue); the metadata sheet is then checked cell by cell against that template's."""
    name = (spec or made_for_default()).sheets.metadata
    sheet = raw.sheet(name)
    meta = metadata.read(sheet)
    if meta.get("generator") != METADATA_MARK:
        issues.append(messages.make("not-bilag4xl", file, sheet_name=name))
        return None
    made_with = _made_with(meta, spec, file, issues)
    if made_with is None:
        return None
    try:
        initiatives = metadata.initiatives(meta)
        feedback = meta.get("feedback_sheet") == made_with.sheets.feedback
        department = meta.get("department") or None
        r = made_with.round
        own = r.deadline_for(department) if department else None
        due = own if own != r.deadline else None  # one plan for the round's deadline
        plan_ = shape_for(made_with, department is not None, tuple(initiatives), feedback, due)
        names = bind(made_with, plan_.layout, department, initiatives)
    except (metadata.MetadataError, ValueError) as exc:
        issues.append(messages.make("metadata-invalid", file, reason=str(exc)))
        return None
    made_from = provenance(meta) if feedback else None
    expected = Layout(
        made_with, department, tuple(initiatives), feedback=feedback, made_from=made_from
    )
    if meta.get("template_id") != expected.template_id:
        issues.append(
            messages.make(
                "template-mismatch",
                file,
                found=meta.get("template_id", "?"),
                expected=expected.template_id,
            )
        )
        return None
    assert sheet is not None  # it said generator = bilag4xl
    issues += metadata.check(sheet, made_with, expected, file)
    issues += cellfindings.structural(sheet, file)
    return plan_, names, expected, (department, tuple(initiatives), feedback)


def made_for_default() -> Spec:
    """Where a workbook's metadata is looked for when no round is known: the built-in names."""
    return load_spec()


def _made_with(
    meta: dict[str, str], spec: Spec | None, file: str, issues: list[Issue]
) -> Spec | None:
    """The spec a template was made from: the one it carries (checked against its hash), or,
    for a template made before templates carried theirs, the round's when it is the same."""
    try:
        made_with = stored_spec(meta, meta.get("spec_hash"), spec)
    except SpecError as exc:
        issues.append(messages.make("metadata-invalid", file, reason=str(exc)))
        return None
    if made_with is None and spec is not None and meta.get("spec_hash") == spec.digest:
        made_with = spec
    if made_with is None:
        issues.append(messages.make("old-template", file, layout=meta.get("layout_version", "?")))
        return None
    if spec is not None and made_with.name != spec.name:
        known = f"{spec.name} {spec.version}"
        issues.append(
            messages.make(
                "unknown-template",
                file,
                spec_name=made_with.name,
                spec_version=made_with.version,
                known=known,
            )
        )
        return None
    if spec is not None and not same_round(made_with, spec):
        issues.append(
            messages.make(
                "other-round",
                file,
                period=made_with.round.period,
                title=made_with.round.title,
                known_period=spec.round.period,
            )
        )
        return None
    return made_with


def _match_sheets(
    raw: RawWorkbook, planned: list[str], file: str, issues: list[Issue]
) -> dict[str, RawSheet]:
    """Planned sheet name -> the workbook's sheet; a renamed sheet is found by its position."""
    by_name = {s.name: s for s in raw.sheets}
    out = {name: by_name[name] for name in planned if name in by_name}
    claimed = set(out)
    for index, name in enumerate(planned):
        if name in out:
            continue
        candidate = raw.sheets[index] if index < len(raw.sheets) else None
        if (
            candidate is not None
            and candidate.name not in planned
            and candidate.name not in claimed
        ):
            out[name] = candidate
            claimed.add(candidate.name)
            issues.append(
                messages.make(
                    "sheet-renamed", file, candidate.name, sheet_name=name, found=candidate.name
                )
            )
        else:
            issues.append(messages.make("sheet-missing", file, sheet_name=name))
    order = [s.name for s in raw.sheets if s.name in claimed]
    expected = [out[name].name for name in planned if name in out]
    if order != expected:
        issues.append(messages.make("sheet-order", file))
    for sheet in raw.sheets:
        if sheet.name not in claimed:
            issues.append(messages.make("sheet-extra", file, sheet.name, sheet_name=sheet.name))
    return out


def _check_sheet(
    plan_: Plan,
    names: Names,
    name: str,
    sheet: RawSheet,
    file: str,
    values: dict[str, Value],
    raw_inputs: dict[str, object],
) -> list[Issue]:
    """Account for every cell of one sheet: inputs parsed into `values`, the rest checked.

    One pass over the cells, lookups by (row, col) tuples: this loop runs for every cell of
    every file, so it avoids per-cell objects (issue 5).
    """
    issues: list[Issue] = []
    fixed_rows = plan_.fixed_rows.get(name, {})
    rows = plan_.other_rows.get(name, {})
    inputs = plan_.input_checks
    shown = sheet.name  # the sheet's actual name (it may have been renamed)
    spec = plan_.layout.spec
    texts_seen = 0
    review = _review_row(plan_, name, sheet)
    for row, row_cells in enumerate(sheet.rows):
        filled = len(row_cells) - row_cells.count("")
        if not filled:
            continue
        known = 0
        cells = rows.get(row, ())
        fixed = fixed_rows.get(row)
        if fixed is not None:
            try:
                same = fixed.get(row_cells) == fixed.texts  # all there, none changed
            except IndexError:  # a row shorter than the template's
                same = False
            if same:
                texts_seen += len(fixed.texts)
                known = len(fixed.texts)
            else:
                cells = [*fixed.cells, *cells]  # one by one, to say which
        for col, item in cells:
            value = row_cells[col] if col < len(row_cells) else ""
            if value == "":
                continue
            known += 1
            if type(item) is Text:
                if item.optional:  # where to send it, by when: maybe blank, maybe a link
                    if not as_planned(value, item.text):
                        issues.append(_label_issue(item, item.text, value, file, shown, plan_))
                    continue
                texts_seen += 1
                text = names.text(item.text) if "\x01" in item.text else item.text
                if value != text and _norm_text(value) != _norm_text(text):
                    issues.append(_label_issue(item, text, value, file, shown, plan_))
            elif type(item) is Input and not blank(value):
                path = item.path
                raw_inputs[path] = value
                ref, label, estimated = inputs[path]
                where = Where(file, shown, ref, path, label)
                result = parse_input(item, value, spec, where)
                if result.issues:
                    issues += result.issues
                if (row, col) in sheet.formulas:
                    issues.append(where.issue("input-formula", value=value))
                values[path] = result.value  # type: ignore[assignment]
                if result.estimated:
                    values.setdefault(estimated, True)
        if known < filled and row < review:  # something outside the template's cells
            issues += _outside(plan_, name, shown, row, row_cells, file)
    texts = plan_.texts.get(name, {})
    if texts_seen < len(texts):  # some fixed text was emptied
        for pos, text in texts.items():
            if blank(sheet.value(*pos)):
                issues.append(_label_issue(text, names.text(text.text), "", file, shown, plan_))
    for pos, (formula, planned) in plan_.formulas.get(name, {}).items():
        found = sheet.formulas.get(pos)
        expected = names.text(planned)
        if found != expected and (
            found is None or normalise_formula(found) != normalise_formula(expected)
        ):
            shown_found = (
                f"={found}" if found is not None else f"'{messages.shown(sheet.value(*pos))}'"
            )
            issues.append(
                messages.make(
                    "formula-changed",
                    file,
                    shown,
                    formula.pos.ref,
                    expected=expected,
                    found=shown_found,
                )
            )
    return issues


def _review_row(plan_: Plan, name: str, sheet: RawSheet) -> int:
    """The first row of a prefilled template's review list on the instructions (no data,
    not to be warned about); past the end of the sheet when there is none."""
    if plan_.roles.get(name) is Role.INSTRUCTIONS:
        row = plan_.layout.review_row
        if sheet.value(row, 0) == REVIEW_TITLE:
            return row
    return len(sheet.rows)


def _outside(
    plan_: Plan, name: str, shown: str, row: int, row_cells: list, file: str
) -> list[Issue]:
    """Values in a row that are in no input, label or formula cell: they will not be included."""
    known = plan_.cells.get(name, {})
    return [
        messages.make("value-outside-inputs", file, shown, excel.cell_ref(row, col), value=value)
        for col, value in enumerate(row_cells)
        if (row, col) not in known and not blank(value)
    ]


def _label_issue(
    text: Text, expected: str, value: object, file: str, shown: str, plan_: Plan
) -> Issue:
    issue = messages.make(
        "label-changed", file, shown, text.pos.ref, text.path, expected=expected, value=value
    )
    if plan_.roles.get(text.pos.sheet) is Role.INSTRUCTIONS:  # carries no data: harmless
        issue = replace(issue, severity=Severity.WARNING)
    return issue


def _norm_text(value: object) -> str:
    return " ".join(str(value).split())


_QUOTED = re.compile(r'("(?:[^"]|"")*")')
_SPACE = re.compile(r"\s+")


@functools.lru_cache(maxsize=4096)
def normalise_formula(text: str) -> str:
    """Formula text compared loosely: no "=", "$", "_xlfn.", quotes around sheet names,
    spaces or case outside string literals (Excel and LibreOffice rewrite these freely)."""
    text = text.strip().removeprefix("=")
    parts = _QUOTED.split(text)
    for i in range(0, len(parts), 2):
        part = parts[i].replace("$", "").replace("'", "").replace("_xlfn.", "")
        parts[i] = _SPACE.sub("", part).upper()
    return "".join(parts)


def _unused_spares(initiatives: tuple[str | None, ...], filled: set[str]) -> set[int]:
    """Spare (blank-named) initiative sheets the caseworker did not use at all."""
    unused = set()
    for n, name in enumerate(initiatives):
        prefix = f"initiatives.{n}."
        if name is None and not any(p.startswith(prefix) for p in filled):
            unused.add(n)
    return unused


def _required(
    plan_: Plan, names: Names, filled: set[str], unused: set[int], file: str
) -> list[Issue]:
    """Required inputs left empty, as the template's own completeness formulas define them
    (a group, like the economy's amounts, is missing when all its cells are empty)."""
    issues = []
    for group in plan_.required:
        if group.initiative in unused or any(p in filled for p in group.paths):
            continue
        first = group.first
        where = Where(file, names.sheet(first.sheet), first.ref, group.paths[0], group.label)
        issues.append(where.issue("required"))
    return issues


def _cofinancing(
    plan_: Plan, names: Names, values: dict[str, Value], unused: set[int], file: str
) -> list[Issue]:
    issues = []
    layout = plan_.layout
    for n in range(len(layout.initiatives)):
        if n in unused:
            continue
        eco = f"initiatives.{n}.economy"
        cofin = values.get(f"{eco}.cofinancing")
        if not isinstance(cofin, float):
            continue
        amounts = [values.get(p) for p in plan_.amount_paths.get(n, [])]
        total = sum(v for v in amounts if isinstance(v, float))
        if cofin > total:
            inp = layout.input(f"{eco}.cofinancing")
            where = Where(file, names.sheet(inp.pos.sheet), inp.pos.ref, inp.path, inp.field.label)
            issues.append(
                where.issue(
                    "cofinancing-exceeds-total",
                    value=format_number(cofin, 6),
                    total=format_number(total, 6),
                )
            )
    return issues


def _cached_totals(
    plan_: Plan,
    names: Names,
    sheets: dict[str, RawSheet],
    values: dict[str, Value],
    raw_inputs: dict[str, object],
    file: str,
) -> list[Issue]:
    """One note per sheet whose saved totals disagree with the recomputed ones, naming the
    cause: amounts typed as text (which the spreadsheet's SUM skips) or a workbook saved
    without recalculation.

    Only totals with a saved number are evaluated (a file saved without recalculation, e.g.
    by openpyxl, has none), through the layout's own Formula.compute, memoised by cell.
    """
    memo: dict[tuple[str, int, int], Value] = {}

    def get(pos: Pos) -> Value:
        key = (pos.sheet, pos.row, pos.col)
        if key not in memo:
            formula = plan_.formula_at.get(key)
            if formula is not None:
                memo[key] = formula.compute(get)
            else:
                item = plan_.cells.get(pos.sheet, {}).get((pos.row, pos.col))
                memo[key] = values.get(item.path) if isinstance(item, Input) else None
        return memo[key]

    stale: dict[str, list[tuple[Pos, float, float]]] = {}
    for formula in plan_.sums:
        real = names.sheet(formula.pos.sheet)
        sheet = sheets.get(real)
        cached = sheet.value(formula.pos.row, formula.pos.col) if sheet else ""
        if isinstance(cached, bool) or not isinstance(cached, float | int):
            continue
        expected = get(formula.pos)
        if isinstance(expected, float | int) and abs(cached - expected) > 1e-6:
            stale.setdefault(real, []).append((formula.pos, float(cached), float(expected)))
    issues = []
    for real, found in stale.items():
        texts = sorted(
            {p for pos, _, _ in found for p in _text_amounts(plan_, pos, raw_inputs)},
            key=lambda p: (p.sheet, p.row, p.col),
        )
        first, cached, expected = found[0]
        params: dict[str, object] = {
            "cells": _listed(p.ref for p, _, _ in found),
            "value": format_number(cached, 6),
            "expected": format_number(expected, 6),
        }
        code = "cached-total-mismatch"
        if texts:
            code = "sum-ignores-text"
            params["text_cells"] = _listed(f"{names.sheet(p.sheet)}!{p.ref}" for p in texts)
        issues.append(messages.make(code, file, real, first.ref, **params))
    return issues


def _text_amounts(plan_: Plan, pos: Pos, raw_inputs: dict[str, object]) -> set[Pos]:
    """The amount inputs feeding a total (through other totals too) that hold text."""
    found: set[Pos] = set()
    todo, seen = [pos], set()
    while todo:
        here = todo.pop()
        if here in seen:
            continue
        seen.add(here)
        formula = plan_.formula_at.get((here.sheet, here.row, here.col))
        if formula is not None:
            todo.extend(formula.refs)
            continue
        item = plan_.cells.get(here.sheet, {}).get((here.row, here.col))
        if isinstance(item, Input) and isinstance(raw_inputs.get(item.path), str):
            found.add(here)
    return found


def _listed(refs: Iterable[str], shown: int = 5) -> str:
    """ "B12, C12, D12" (and "… (9 i alt)" beyond `shown`)."""
    items = list(refs)
    text = ", ".join(items[:shown])
    return text + f" … ({len(items)} i alt)" if len(items) > shown else text
