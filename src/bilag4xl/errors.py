"""The library's exceptions: one base class, so the CLI can catch exactly what it should."""

from __future__ import annotations


class Bilag4xlError(Exception):
    """Base of every error bilag4xl raises on purpose; the message is for the user."""

    exit_code = 1


class SpecError(Bilag4xlError):
    """The form specification is invalid or does not fit Excel's limits."""

    exit_code = 2


class WorkbookWriteError(Bilag4xlError):
    """xlsxwriter refused part of a workbook (it would otherwise only warn)."""


class UnreadableFileError(Bilag4xlError):
    """A file cannot be read as a bilag4xl workbook at all."""


class OutputExistsError(Bilag4xlError):
    """Refusing to overwrite an existing file without --force."""

    exit_code = 2


class MergeError(Bilag4xlError):
    """The submissions cannot be consolidated (duplicates, invalid inputs, another spec...)."""


class UnreadableWorkbook(UnreadableFileError):
    """A file that cannot be read as a workbook; `code` is a messages.CATALOGUE slug and
    `params` fill its message."""

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(f"{code}: {params}" if params else code)
        self.code = code
        self.params = params
