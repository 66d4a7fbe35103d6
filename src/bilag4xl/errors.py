"""The library's exceptions, all in this module: one base class, so the CLI and the web page catch
exactly what bilag4xl raises on purpose (its message is for the user, in Danish) and nothing
else; `exit_code` is what the command line exits with.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


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


class OutputError(Bilag4xlError):
    """The output cannot be written where it was asked for (folder missing, no permission...)."""


class ExportFormatError(Bilag4xlError):
    """The data cannot be exported in the format asked for (unknown, or pyarrow missing)."""

    exit_code = 2


class LedgerError(Bilag4xlError):
    """The round's ledger cannot be opened or written."""


class NoRoundError(Bilag4xlError):
    """The command needs a round and none was found (a usage error: make one first)."""

    exit_code = 2

    def __init__(self, where: Path) -> None:
        super().__init__(
            f"{where} ligger ikke i en rundemappe. Lav en med 'bilag4xl init MAPPE' (eventuelt "
            "med --spec runde.toml), og kør kommandoen i den mappe; eller angiv --spec."
        )


class NoFeedbackError(Bilag4xlError):
    """The file could not be read as a bilag4xl workbook, so there is nothing to pre-fill."""


class PdfUnavailableError(Bilag4xlError):
    """A PDF was asked for, and LibreOffice cannot make one here."""


class NoFilesError(Bilag4xlError):
    """Nothing to work on: the paths given hold no workbook (a usage error, like a typo)."""

    exit_code = 2

    def __init__(self, paths: Iterable[str | Path]) -> None:
        named = ", ".join(str(p) for p in paths)
        super().__init__(f"ingen .xlsx- eller .xlsm-filer fundet i {named}")


class UnreadableWorkbook(UnreadableFileError):
    """A file that cannot be read as a workbook; `code` is a messages.CATALOGUE slug and
    `params` fill its message."""

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(f"{code}: {params}" if params else code)
        self.code = code
        self.params = params
