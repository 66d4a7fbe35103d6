"""The round's annex (bilag4.docx and its other formats): made from the round's current
valid submissions, in the round's order. The annex's own room (`bilag4xl.annex`) lies below
the round and knows no ledger: it is handed the submissions here.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from bilag4xl.errors import Bilag4xlError
from bilag4xl.round.folder import Round, current_submissions, left_out

if TYPE_CHECKING:
    from bilag4xl.consolidate.decide import LeftOut


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
        raise Bilag4xlError(code="annex-nothing-valid")
    missing = left_out(rnd, included)
    annex = build_annex(submissions, rnd.spec, date, left_out=missing)
    return render(annex, fmt), missing  # type: ignore[arg-type]
