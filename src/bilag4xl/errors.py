"""The library's exceptions, all in this module: one base class, so the CLI and the web page catch
exactly what bilag4xl raises on purpose (its message is for the user, in Danish) and nothing
else; `exit_code` is what the command line exits with.

An error raised with a `code` takes its Danish and English messages from `ERRORS`, the error
part of the one catalogue of codes (`bilag4xl.issues.catalogue` lists them beside the issue
codes; this table sits here, on the bottom floor, because every room raises these errors).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple


class Text(NamedTuple):
    """An error's message templates; `{name}` parameters are filled when it is raised."""

    da: str
    en: str


ERRORS: dict[str, Text] = {
    # --- where to work and what to work on
    "no-round": Text(
        "{path} ligger ikke i en rundemappe. Lav en med 'bilag4xl init MAPPE' (eventuelt med "
        "--spec runde.toml), og kør kommandoen i den mappe; eller angiv --spec.",
        "{path} is not in a round folder. Make one with 'bilag4xl init FOLDER' (possibly with "
        "--spec runde.toml) and run the command in that folder; or give --spec.",
    ),
    "no-files": Text(
        "ingen .xlsx- eller .xlsm-filer fundet i {paths}",
        "no .xlsx or .xlsm files found in {paths}",
    ),
    # --- writing files
    "output-is-folder": Text(
        "{path} er en mappe; angiv et filnavn",
        "{path} is a folder; give a file name",
    ),
    "output-exists": Text(
        "{path} findes allerede; brug --force for at overskrive",
        "{path} already exists; use --force to overwrite it",
    ),
    "output-unwritable": Text(
        "{path} kan ikke skrives: {reason}",
        "{path} cannot be written: {reason}",
    ),
    # --- the form specification and the round's runde.toml
    "spec-toml": Text("{source}: {reason}", "{source}: {reason_en}"),
    "spec-invalid": Text("{problems}", "{problems_en}"),
    "spec-limits": Text(
        "{problems}", "The form does not fit the limits of Excel (said in Danish): {problems}"
    ),
    "spec-unreadable": Text(
        "{path}: kan ikke læses: {reason}",
        "{path}: cannot be read: {reason}",
    ),
    "stored-spec-changed": Text(
        "den gemte spec passer ikke med sin spec-hash (metadata er ændret)",
        "the stored spec does not match its spec hash (the metadata was changed)",
    ),
    "stored-spec-unreadable": Text(
        "den gemte spec kan ikke læses ({reason})",
        "the stored spec cannot be read ({reason})",
    ),
    "round-id-no-table": Text(
        "runde.toml har ingen [round]-tabel; rundens id kan ikke skrives",
        "runde.toml has no [round] table; the round's id cannot be written",
    ),
    "round-id-not-written": Text(
        "rundens id kunne ikke skrives i runde.toml",
        "the round's id could not be written in runde.toml",
    ),
    "round-not-moved": Text(
        "den sidste rundes runde.toml kunne ikke flyttes et år frem (perioden eller fristen står "
        "ikke som first_year/last_year/deadline i [round]); lav den nye runde med --spec",
        "the last round's runde.toml could not be moved a year on (the period or deadline is "
        "not written as first_year/last_year/deadline in [round]); make the new round with --spec",
    ),
    "round-deadline-kept": Text(
        "en forvaltnings frist i den sidste rundes runde.toml kunne ikke fjernes; lav den nye "
        "runde med --spec",
        "a department's deadline in the last round's runde.toml could not be removed; make the "
        "new round with --spec",
    ),
    "round-departments-not-carried": Text(
        "forvaltningerne i den sidste rundes runde.toml kunne ikke overføres",
        "the departments of the last round's runde.toml could not be carried over",
    ),
    "round-no-departments": Text(
        "Runden har ingen forvaltninger (round.departments) i runde.toml",
        "The round has no departments (round.departments) in runde.toml",
    ),
    "new-round-no-departments": Text(
        "Den nye runde har ingen forvaltninger (round.departments)",
        "The new round has no departments (round.departments)",
    ),
    "round-templates-no-departments": Text(
        "Runden har ingen forvaltninger (round.departments); brug -o FIL",
        "The round has no departments (round.departments); use -o FILE",
    ),
    # --- the round folder and its ledger
    "round-other-spec": Text(
        "{path} er allerede en runde med en anden spec; ret {spec_file} direkte, eller vælg en "
        "ny mappe",
        "{path} is already a round with another spec; edit {spec_file} itself, or choose a new "
        "folder",
    ),
    "ledger-unopenable": Text(
        "{path} kan ikke åbnes: {reason}",
        "{path} cannot be opened: {reason}",
    ),
    "ledger-busy": Text(
        "rundens register er optaget eller låst: {reason}",
        "the round's ledger is busy or locked: {reason}",
    ),
    "no-entry": Text(
        "ingen modtaget fil med nummer {entry}",
        "no received file has the number {entry}",
    ),
    "entry-unknown": Text(
        "'{which}' er hverken et filnummer eller en forvaltning i runden ({names})",
        "'{which}' is neither a file number nor a department of the round ({names})",
    ),
    "entry-not-yet": Text(
        "{department} har ikke indberettet endnu",
        "{department} has not submitted yet",
    ),
    "exclude-no-reason": Text(
        "angiv en begrundelse for at udelade filen",
        "give a reason for leaving the file out",
    ),
    "annex-nothing-valid": Text(
        "Runden har endnu ingen gyldige indberetninger at lave bilaget af",
        "The round has no valid submissions yet to make the annex from",
    ),
    # --- templates
    "xlsxwriter-refused": Text(
        "xlsxwriter afviste {what} (kode {result})",
        "xlsxwriter refused {what} (code {result})",
    ),
    "unknown-department": Text(
        "Ukendt forvaltning {department!r}. Rundens forvaltninger: {choices}",
        "Unknown department {department!r}. The round's departments: {choices}",
    ),
    "initiative-twice": Text(
        "Indsatsen {name!r} er nævnt flere gange",
        "The initiative {name!r} is named more than once",
    ),
    "template-empty": Text(
        "Skabelonen skal have mindst én indsats (--initiative eller --blank)",
        "The template must have at least one initiative (--initiative or --blank)",
    ),
    "template-too-many": Text(
        "Skabelonen ville få {count} indsatser; højst {maximum} er tilladt. Del forvaltningens "
        "indsatser på flere skabeloner.",
        "The template would get {count} initiatives; at most {maximum} are allowed. Split the "
        "department's initiatives over several templates.",
    ),
    "error-message-too-long": Text(
        "{key}: fejlbeskeden bliver {length} tegn (højst {maximum}); forkort 'pattern_hint' "
        "eller 'choices'",
        "{key}: the error message would be {length} characters (at most {maximum}); shorten "
        "'pattern_hint' or 'choices'",
    ),
    # --- merging, and reading a consolidated workbook
    "merge-other-forms": Text(
        "filerne er lavet til forskellige skemaer ({names}); saml dem med --spec for rundens "
        "spec-fil, eller i rundemappen",
        "the files were made for different forms ({names}); merge them with --spec for the "
        "round's spec file, or in the round folder",
    ),
    "merge-output-is-input": Text(
        "{path} er også en af inputfilerne; vælg et andet navn til resultatet",
        "{path} is also one of the input files; choose another name for the result",
    ),
    "merge-output-in-inputs": Text(
        "{path} er en af inputfilerne (fundet i en inputmappe); vælg et andet navn til resultatet",
        "{path} is one of the input files (found in an input folder); choose another name for "
        "the result",
    ),
    "merge-too-large": Text(
        "den samlede projektmappe ville blive for stor til at læse igen ({problem}); saml "
        "runden i flere dele",
        "the consolidated workbook would be too large to read again ({problem}); merge the "
        "round in several parts",
    ),
    "merge-blocked": Text(
        "indberetningerne kan ikke samles: {errors} fejl (se rapporten)",
        "the submissions cannot be merged: {errors} errors (see the report)",
    ),
    "consolidated-not": Text(
        "{path}: er ikke en samlet projektmappe fra bilag4xl merge",
        "{path}: is not a consolidated workbook from bilag4xl merge",
    ),
    "consolidated-refused": Text("{path}: {reason}", "{path}: {reason_en}"),
    "consolidated-sheet-missing": Text(
        "{path}: arket '{sheet}' mangler i projektmappen",
        "{path}: the sheet '{sheet}' is missing from the workbook",
    ),
    "consolidated-other-spec": Text(
        "{path}: projektmappen er samlet efter en anden spec ({name} {version}); læs den uden "
        "--spec eller med den spec, den er lavet med",
        "{path}: the workbook was merged by another spec ({name} {version}); read it without "
        "--spec or with the spec it was made with",
    ),
    "consolidated-damaged": Text(
        "{path}: projektmappen er ændret eller beskadiget ({reason}); lav den igen med bilag4xl "
        "merge",
        "{path}: the workbook was changed or damaged ({reason}); make it again with bilag4xl merge",
    ),
    "consolidated-schema": Text(
        "{path}: ukendt format {schema!r} (denne bilag4xl læser {known})",
        "{path}: unknown format {schema!r} (this bilag4xl reads {known})",
    ),
    "consolidated-metadata": Text(
        "{path}: metadata-arket er beskadiget: {reason}",
        "{path}: the metadata sheet is damaged: {reason}",
    ),
    "consolidated-no-spec": Text(
        "{path}: metadata-arket mangler projektmappens spec",
        "{path}: the metadata sheet lacks the workbook's spec",
    ),
    "consolidated-edited": Text(
        "{path}: arket {sheet} er ændret efter sammenlægningen ({what}); lav projektmappen igen "
        "med bilag4xl merge",
        "{path}: the sheet {sheet} was changed after the merge ({what}); make the workbook "
        "again with bilag4xl merge",
    ),
    # --- feedback, pre-filling, the annex, the export
    "not-usable": Text(
        "{path} er hverken en samlet projektmappe eller en gyldig indberetning{details}. Ret "
        "fejlene (se 'bilag4xl validate') og prøv igen.",
        "{path} is neither a consolidated workbook nor a valid submission{details_en}. Fix "
        "the errors (see 'bilag4xl validate') and try again.",
    ),
    "feedback-impossible": Text(
        "{path}: kan ikke laves om til et rettelsesark: {reasons}",
        "{path}: cannot be made into a feedback workbook: {reasons}",
    ),
    "prefill-unit": Text(
        "beløbene kan ikke omregnes fra '{old}' til '{new}'",
        "the amounts cannot be converted from '{old}' to '{new}'",
    ),
    "prefill-many": Text(
        "{path} holder {count} indberetninger; brug --out-dir for at lave alle forvaltningers "
        "skabeloner",
        "{path} holds {count} submissions; use --out-dir to make every department's template",
    ),
    "pdf-needs-libreoffice": Text(
        "PDF kræver LibreOffice, som ikke er installeret her ({install}). Skriv bilaget som Word "
        "i stedet (-o bilag4.docx) og gem det som PDF fra Word eller LibreOffice.",
        "A PDF needs LibreOffice, which is not installed here ({install}). Write the annex as "
        "Word instead (-o bilag4.docx) and save it as PDF from Word or LibreOffice.",
    ),
    "pdf-failed": Text(
        "LibreOffice kunne ikke lave PDF'en ({reason}). Er LibreOffice Writer installeret "
        "({install})? Ellers skriv bilaget som Word (-o bilag4.docx).",
        "LibreOffice could not make the PDF ({reason}). Is LibreOffice Writer installed "
        "({install})? Otherwise write the annex as Word (-o bilag4.docx).",
    ),
    "parquet-needs-pyarrow": Text(
        "Parquet kræver pyarrow: installér det med pip install 'bilag4xl[parquet]', eller brug "
        ".csv eller .xlsx",
        "Parquet needs pyarrow: install it with pip install 'bilag4xl[parquet]', or use .csv "
        "or .xlsx",
    ),
    "export-format-unknown": Text(
        "ukendt format '{chosen}': brug csv, xlsx eller parquet (eller en fil, der ender på "
        ".csv, .xlsx eller .parquet)",
        "unknown format '{chosen}': use csv, xlsx or parquet (or a file ending in .csv, .xlsx "
        "or .parquet)",
    ),
    # --- the department links and the web page
    "link-unknown-department": Text(
        "Runden har ingen forvaltning '{department}'. Vælg en af: {choices}",
        "The round has no department '{department}'. Choose one of: {choices}",
    ),
    "link-base-url": Text(
        "Linkene kræver adressen, forvaltningerne når siden på (bilag4xl serve), fx "
        "https://bilag4.kommune.dk: skriv base_url under [round] i runde.toml, eller brug "
        "--base-url{given}.",
        "The links need the address at which the departments reach the page (bilag4xl serve), "
        "e.g. https://bilag4.kommune.dk: write base_url under [round] in runde.toml, or use "
        "--base-url{given_en}.",
    ),
    "link-secret-damaged": Text(
        "{path} er beskadiget (for kort). Slet den, og lav nye links.",
        "{path} is damaged (too short). Delete it and make new links.",
    ),
    "token-weak": Text(
        "--token er for svag: {why}. Udelad --token for at få en ny, tilfældig kode.",
        "--token is too weak: {why}. Leave out --token to get a new, random one.",
    ),
    "serve-not-a-round": Text(
        "{path} er ikke en rundemappe (der er ingen {round_file}) og er ikke tom. Angiv "
        "rundemappen, eller en ny mappe, som så bliver en runde: bilag4xl serve NY-MAPPE",
        "{path} is not a round folder (there is no {round_file}) and is not empty. Give the "
        "round folder, or a new folder, which then becomes a round: bilag4xl serve NEW-FOLDER",
    ),
    "serve-cannot-listen": Text(
        "Siden kan ikke lytte på {host}:{port}: {why}. Vælg en anden port med --port, eller en "
        "anden adresse med --host.",
        "The page cannot listen on {host}:{port}: {why}. Choose another port with --port, or "
        "another address with --host.",
    ),
}


class Bilag4xlError(Exception):
    """Base of every error bilag4xl raises on purpose; the message is for the user.

    Raised with `code=` (an `ERRORS` key) and its parameters, it carries the message in both
    languages; raised with a message only, the English is the Danish (and `code` is "")."""

    exit_code = 1

    def __init__(self, message: str = "", /, *, code: str = "", **params: object) -> None:
        if code:
            text = ERRORS[code]
            message, self.message_en = text.da.format(**params), text.en.format(**params)
        else:
            self.message_en = message
        super().__init__(message)
        self.code = code
        self.params = params

    def message(self, lang: str = "da") -> str:
        """The message in `lang` ("da" or "en")."""
        return self.message_en if lang == "en" else str(self)

    def __reduce__(self) -> tuple[object, ...]:
        # Raised in a worker process, it arrives as it was (code, English): rebuilt without
        # calling __init__, which the subclasses below give other parameters.
        return (_restored, (type(self), self.args, self.__dict__))


def _restored(cls: type[Bilag4xlError], args: tuple[object, ...], state: dict) -> Bilag4xlError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


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
        super().__init__(code="no-round", path=where)


class NoFeedbackError(Bilag4xlError):
    """The file could not be read as a bilag4xl workbook, so there is nothing to pre-fill."""


class PdfUnavailableError(Bilag4xlError):
    """A PDF was asked for, and LibreOffice cannot make one here."""


class NoFilesError(Bilag4xlError):
    """Nothing to work on: the paths given hold no workbook (a usage error, like a typo)."""

    exit_code = 2

    def __init__(self, paths: Iterable[str | Path]) -> None:
        super().__init__(code="no-files", paths=", ".join(str(p) for p in paths))


class UnreadableWorkbook(UnreadableFileError):
    """A file that cannot be read as a workbook; `code` is a messages.CATALOGUE slug and
    `params` fill its message."""

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(f"{code}: {params}" if params else code)
        self.code = code
        self.params = params
