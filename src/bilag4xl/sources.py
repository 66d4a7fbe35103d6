"""Submissions for the annex, from a consolidated workbook or from one submission file.

Why here and not in the CLI: `bilag4xl report` and library users need the same rule — a
consolidated workbook gives all its departments; a single submission is taken only when it
validates, so an annex is never built from a file the secretariat would send back.
"""

from __future__ import annotations

from pathlib import Path

from .errors import UnreadableFileError
from .model import Submission
from .spec import Spec

SHOWN_ERRORS = 3


def read_submissions(path: str | Path, spec: Spec) -> list[Submission]:
    """The submissions in `path`: every one of a consolidated workbook, else the file's own."""
    from .consolidated_read import is_consolidated, read_consolidated
    from .validate import read_file

    path = Path(path)
    if is_consolidated(path):
        return read_consolidated(path, spec)
    result = read_file(path, spec)
    if result.submission is None or not result.report.valid:
        errors = result.report.errors[:SHOWN_ERRORS]
        details = "; ".join(f"{i.where() or i.file}: {i.message()}" for i in errors)
        raise UnreadableFileError(
            f"{path} er hverken en samlet projektmappe eller en gyldig indberetning"
            + (f" ({details})" if details else "")
            + ". Ret fejlene (se 'bilag4xl validate') og prøv igen."
        )
    return [result.submission]
