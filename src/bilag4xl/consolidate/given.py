"""What the user gave: a consolidated workbook, one returned submission, or a round folder.

`read`, `report`, the annex and the pre-filled templates all start from a path the user
named; whether it is a consolidated workbook (every department in it, by the spec stored in
it), one submission (read by the spec given, else the one it carries) or a folder is decided
here, once, and a path that cannot serve is refused in one wording. Why in consolidate/: the
lowest room that reads both kinds of workbook; a round folder is opened by the round's room,
which passes its opener in (`folder`), so no room reaches up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from bilag4xl.consolidate.read import Consolidated, is_consolidated, open_consolidated
from bilag4xl.errors import UnreadableFileError
from bilag4xl.form.model import Submission
from bilag4xl.form.spec import Spec

if TYPE_CHECKING:
    from bilag4xl.intake.validate import FileResult

SHOWN_ERRORS = 3

# What a caller needs of a single submission: anything (to show it and its problems), its
# values (to carry them on, invalid ones left behind), or a valid one (to report on it).
Need = Literal["any", "values", "valid"]
FolderOpener = Callable[[Path], tuple[list[Submission], Spec]]


@dataclass(frozen=True)
class Given:
    """The submissions a path holds and the spec to read them by. `book`: the consolidated
    workbook, when it was one; `result`: the one submission's reading (with its report),
    when it was a returned workbook; neither for a round folder."""

    path: Path
    spec: Spec
    submissions: list[Submission]
    book: Consolidated | None = None
    result: FileResult | None = None

    def as_consolidated(self) -> Consolidated:
        """The submissions as a consolidated workbook holds them (what the annex is built of)."""
        return self.book or Consolidated(self.spec, self.submissions)


def open_given(
    path: str | Path,
    spec: Spec | None = None,
    need: Need = "any",
    read_by: Spec | None = None,
    folder: FolderOpener | None = None,
) -> Given:
    """Open what `path` holds. `spec` (the one the user named) must be a consolidated
    workbook's own, and a single file is read by it, else by `read_by` (the round's, or the
    built-in one), else by the spec the file carries. A folder is opened by `folder` (a
    round's current submissions); without one, or for a file short of `need`, one error."""
    path = Path(path)
    if path.is_dir():
        if folder is None:
            raise not_usable(path)
        submissions, made_with = folder(path)
        return Given(path, made_with, submissions)
    if is_consolidated(path):
        book = open_consolidated(path, spec)
        return Given(path, book.spec, book.submissions, book=book)
    from bilag4xl.form.spec import load_spec
    from bilag4xl.intake.validate import read_file

    result = read_file(path, spec or read_by)
    if (result.submission is None and need != "any") or (
        need == "valid" and not result.report.valid
    ):
        raise not_usable(path, result)
    submissions = [result.submission] if result.submission is not None else []
    return Given(path, spec or read_by or load_spec(), submissions, result=result)


def not_usable(path: Path, result: FileResult | None = None) -> UnreadableFileError:
    """The one wording for a path that holds nothing to work on, with its first errors."""
    errors = result.report.errors[:SHOWN_ERRORS] if result is not None else []
    said = {
        lang: "; ".join(f"{i.where() or i.file}: {i.message(lang)}" for i in errors)
        for lang in ("da", "en")
    }
    details = {lang: f" ({text})" if text else "" for lang, text in said.items()}
    return UnreadableFileError(
        code="not-usable", path=path, details=details["da"], details_en=details["en"]
    )
