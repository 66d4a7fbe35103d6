"""The round's consolidated workbook (`samlet.xlsx`): its current submissions merged, the
departments left out said."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bilag4xl.round.folder import RECEIVED, Round, current_submissions, left_out

if TYPE_CHECKING:
    from bilag4xl.consolidate.merge import MergeRun


def merge_round(
    rnd: Round,
    out: str | Path | None = None,
    allow_invalid: bool = False,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> MergeRun:
    """Merge each department's current file into the consolidated workbook (by default the
    round's own `samlet.xlsx`, which is rewritten: it is made from the ledger)."""
    from bilag4xl.consolidate.merge import merge_submissions
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
