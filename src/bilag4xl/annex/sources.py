"""Submissions for the annex, from a consolidated workbook or from one submission file.

Why here and not in the CLI: `bilag4xl report` and library users need the same rule — a
consolidated workbook gives all its departments; a single submission is taken only when it
validates, so an annex is never built from a file the secretariat would send back.
"""

from __future__ import annotations

from pathlib import Path

from bilag4xl.consolidate.read import Consolidated
from bilag4xl.errors import UnreadableFileError
from bilag4xl.form.spec import Spec

SHOWN_ERRORS = 3


def read_submissions(path: str | Path, spec: Spec | None = None) -> Consolidated:
    """The submissions in `path`, with the spec to render them by: every one of a consolidated
    workbook (and the spec stored in it), else the file's own (by `spec`, default built-in).
    """
    from bilag4xl.consolidate.read import is_consolidated, open_consolidated
    from bilag4xl.form.spec import load_spec
    from bilag4xl.intake.validate import read_file

    path = Path(path)
    if is_consolidated(path):
        return open_consolidated(path, spec)
    spec = spec or load_spec()
    result = read_file(path, spec)
    if result.submission is None or not result.report.valid:
        errors = result.report.errors[:SHOWN_ERRORS]
        details = "; ".join(f"{i.where() or i.file}: {i.message()}" for i in errors)
        raise UnreadableFileError(
            f"{path} er hverken en samlet projektmappe eller en gyldig indberetning"
            + (f" ({details})" if details else "")
            + ". Ret fejlene (se 'bilag4xl validate') og prøv igen."
        )
    return Consolidated(spec, [result.submission])
