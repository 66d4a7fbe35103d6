"""The products asked for by path: templates, the consolidated workbook and the annex, of a
round or of the files given.

`bilag4xl template`, `merge` and `report` each chose between their kinds of output (and kept
the books of what was written) in the command line; here the library answers "what was
written, what was unchanged, what to tell", so that the command line and a script get the
same, and the command only renders it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bilag4xl.form.spec import Spec
from bilag4xl.output import atomic_write
from bilag4xl.prefill import Carried, NextRound, last_submissions, next_round, write_prefilled
from bilag4xl.round.folder import Round, submissions_in
from bilag4xl.round.templates import write_templates
from bilag4xl.template.writer import write_round, write_template

if TYPE_CHECKING:  # the annex and the merge are loaded by the commands that make them
    from bilag4xl.annex.formats import Format
    from bilag4xl.consolidate.decide import OnDuplicate
    from bilag4xl.consolidate.merge import MergeRun


@dataclass(frozen=True)
class Made:
    """What a `make_*` function did: the files written, those left as they were (already
    right), what was carried from the last round (pre-filled templates), and warnings to
    pass on (an annex's departments left out, invalid submissions in it)."""

    written: list[Path]
    unchanged: list[Path] = field(default_factory=list)
    carried: NextRound | Carried | None = None
    warnings: list[str] = field(default_factory=list)
    removed: int = 0  # control characters an annex cannot hold, dropped from its texts


def make_templates(
    spec: Spec,
    out: Path | None = None,
    out_dir: Path | None = None,
    rnd: Round | None = None,
    department: str | None = None,
    initiatives: Iterable[str] = (),
    blank: int | None = None,
    password: str | None = None,
    prefill: Path | None = None,
    prefill_spec: Spec | None = None,
    force: bool = False,
) -> Made:
    """Templates by `spec`: one file (`out`), one per department in `out_dir`, or the
    round's own (`rnd`, when neither is given: rewritten only where the spec changed them).
    With `prefill` (the last round: a round folder, a consolidated workbook or, for `out`,
    one submission) each is pre-filled from its department's last submission."""
    target_dir = out_dir or (rnd.templates if rnd is not None and out is None else None)
    if prefill is not None and target_dir is not None:
        last, made_with = last_submissions(prefill, prefill_spec, submissions_in)
        made = next_round(spec, last, made_with, target_dir, password, force)
        return Made([path for _, path, _ in made.written], carried=made)
    if prefill is not None and out is not None:
        carried = write_prefilled(out, spec, prefill, prefill_spec, blank, password, force)
        return Made([out], carried=carried)
    if rnd is not None and out is None and out_dir is None:
        templates = write_templates(rnd, password)
        return Made(templates.written, templates.unchanged)
    if out_dir is not None:
        return Made(write_round(out_dir, spec, password=password, force=force))
    made = write_template(out or Path(), spec, department, initiatives, blank, password, force)
    return Made([made])


def make_annex(
    target: Path,
    fmt: Format,
    source: Path | None = None,
    rnd: Round | None = None,
    spec: Spec | None = None,
    date: dt.date | None = None,
    force: bool = False,
) -> Made:
    """The annex in `target`: of the submissions in `source` (a consolidated workbook or one
    valid submission, read by `spec`), else of the round's current valid ones (`rnd`). Its
    warnings (departments left out, invalid submissions) are also at the top of the annex."""
    from bilag4xl.annex import sources
    from bilag4xl.annex.formats import render
    from bilag4xl.annex.model import build_annex
    from bilag4xl.consolidate.decide import left_out_text
    from bilag4xl.round.annex import annex_bytes
    from bilag4xl.textsafe import count_texts, unsafe_for_xml

    if source is None and rnd is not None:
        data, left_out = annex_bytes(rnd, fmt, date)
        atomic_write(target, data, force=force)
        return Made([target], warnings=left_out_text(left_out).splitlines())
    batch = sources.read_submissions(source or Path(), spec)
    annex = build_annex(batch.submissions, batch.spec, date, batch.invalid, batch.left_out)
    atomic_write(target, render(annex, fmt), force=force)
    said = "\n".join(filter(None, (left_out_text(annex.left_out), annex.warning)))
    return Made([target], warnings=said.splitlines(), removed=count_texts(annex, unsafe_for_xml))


def make_merge(
    paths: Sequence[Path],
    out: Path | None = None,
    rnd: Round | None = None,
    spec: Spec | None = None,
    allow_invalid: bool = False,
    on_duplicate: OnDuplicate = "error",
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> MergeRun:
    """The consolidated workbook of `paths` (files and folders, by `spec`, else each file's
    own) in `out`; without paths, of the round's current files (in its samlet.xlsx unless
    `out` says otherwise; a round has no duplicates to decide between)."""
    from bilag4xl.consolidate.merge import merge_paths
    from bilag4xl.round.consolidated import merge_round

    if not paths and rnd is not None:
        return merge_round(rnd, out, allow_invalid, force, progress)
    return merge_paths(
        paths,
        out or Path(),
        spec,
        on_duplicate=on_duplicate,
        allow_invalid=allow_invalid,
        force=force,
        progress=progress,
    )
