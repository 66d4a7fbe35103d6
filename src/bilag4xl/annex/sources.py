"""Submissions for the annex, from a consolidated workbook or from one submission file.

Why here and not in the CLI: `bilag4xl report` and library users need the same rule — a
consolidated workbook gives all its departments; a single submission is taken only when it
validates, so an annex is never built from a file the secretariat would send back.
"""

from __future__ import annotations

from pathlib import Path

from bilag4xl.consolidate.given import open_given
from bilag4xl.consolidate.read import Consolidated
from bilag4xl.form.spec import Spec, load_spec


def read_submissions(path: str | Path, spec: Spec | None = None) -> Consolidated:
    """The submissions in `path`, with the spec to render them by: every one of a consolidated
    workbook (and the spec stored in it), else the file's own (by `spec`, default built-in).
    """
    read_by = None if spec is not None else load_spec()
    return open_given(path, spec, need="valid", read_by=read_by).as_consolidated()
