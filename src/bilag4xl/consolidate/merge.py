"""A merge from end to end: find the files, read and validate them, decide, write.

The steps are each a room of their own (`intake` finds and checks, `decide` chooses what goes
in, `write` renders it); this module only runs them in order and says what came of it
(`MergeRun`), for files named by path (`merge_paths`) and for submissions a round has already
read (`merge_submissions`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bilag4xl.consolidate.decide import LeftOut, Merged, OnDuplicate, common_spec, merge, notice
from bilag4xl.consolidate.read import is_consolidated
from bilag4xl.consolidate.write import write_consolidated
from bilag4xl.errors import MergeError, NoFilesError
from bilag4xl.form.model import Submission
from bilag4xl.form.spec import Spec, load_spec
from bilag4xl.intake.discover import collect_paths
from bilag4xl.issues.report import Issue, Report
from bilag4xl.output import check_targets

__all__ = ["MergeRun", "merge_paths", "merge_submissions"]


@dataclass
class MergeRun:
    """What a merge did: the decision and the file written (None if refused)."""

    merged: Merged
    written: Path | None


def merge_paths(
    paths: Iterable[str | Path],
    out: str | Path,
    spec: Spec | None = None,
    *,
    on_duplicate: OnDuplicate = "error",
    allow_invalid: bool = False,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    left_out: Sequence[LeftOut] | None = None,
    names: Mapping[Path, str] | None = None,
) -> MergeRun:
    """Read and validate every file (folders recursively), merge, and write `out` atomically.

    Nothing is written unless the merge is `ok`. Inputs are only read. `out` may not be one of
    the inputs, also not one found in an input folder; an earlier consolidated workbook there
    (e.g. last run's OUT) is skipped. `left_out` names the round's departments not among the
    files and why (a round knows; by default those of the spec without a file are missing);
    `names` the name each file was sent under, where it is kept under another (a round).
    """
    # Loaded when files are read: `bilag4xl template` imports this module (round.make) and
    # reads nothing.
    from bilag4xl.intake.validate import ValidationRun, validate_paths

    out = Path(out)
    check_targets([out], force)
    target = out.resolve()
    paths = [Path(p) for p in paths]
    if any(p.resolve() == target for p in paths if not p.is_dir()):
        raise MergeError(code="merge-output-is-input", path=out)
    files, skipped = collect_paths(paths)
    if not files and not skipped:
        raise NoFilesError(paths)
    inputs, notes = _inputs(files, out)
    # An earlier consolidated workbook among the inputs is passed over (checked while reading).
    run = validate_paths(inputs, spec, progress, skip=is_consolidated)
    for r in run.results:  # the workbook names files as their senders know them
        if r.submission is not None and names and r.path in names:
            r.submission.source.file = names[r.path]
    spec = spec or common_spec([r.made_with for r in run.results if r.made_with]) or load_spec()
    notes += [notice("consolidated_skipped", path) for path in run.passed_over]
    merged = merge(
        run.results,
        spec,
        on_duplicate=on_duplicate,
        allow_invalid=allow_invalid,
        mtime=lambda p: p.stat().st_mtime,
    )
    skipped_notes = ValidationRun(skipped=skipped).report
    merged.report = Report([*notes, *skipped_notes, *merged.report])
    return _written(merged, out, force, left_out)


def _inputs(files: list[Path], out: Path) -> tuple[list[Path], list[Issue]]:
    """The files to read, and a notice for `out` found among them: last run's consolidated
    workbook is passed over; a submission there is refused, since --force must never replace
    an input."""
    target = out.resolve()
    inputs, notes = [], []
    for path in files:
        if path.resolve() != target:
            inputs.append(path)
        elif is_consolidated(path):
            notes.append(notice("output_skipped", path))
        else:
            raise MergeError(code="merge-output-in-inputs", path=out)
    return inputs, notes


@dataclass(frozen=True)
class _Held:
    """A submission already read (a round's ledger keeps them), with its report and the file
    it came in (`decide.Validated`)."""

    submission: Submission | None
    report: Report
    path: Path


def merge_submissions(
    held: Iterable[tuple[Submission | None, Report, Path]],
    out: str | Path,
    spec: Spec,
    *,
    allow_invalid: bool = False,
    force: bool = False,
    left_out: Sequence[LeftOut] | None = None,
) -> MergeRun:
    """`merge_paths` for submissions already read, each with its report and the file it was
    read from (which names it in the merge's report); nothing is read. The workbook names
    each file by its submission's source (a round gives the name it was sent under)."""
    out = Path(out)
    check_targets([out], force)
    merged = merge([_Held(*item) for item in held], spec, allow_invalid=allow_invalid)
    return _written(merged, out, force, left_out)


def _written(
    merged: Merged, out: Path, force: bool, left_out: Sequence[LeftOut] | None
) -> MergeRun:
    """Write the workbook of a merge that is `ok` (else nothing), naming who is left out."""
    if left_out is not None:
        merged.left_out = list(left_out)
    written = write_consolidated(out, merged, force) if merged.ok else None
    return MergeRun(merged, written)
