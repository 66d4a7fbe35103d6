"""The `bilag4xl` command line: each command parses options and calls one library function.

Everything is said in Danish (`cli_danish` writes the help pages and usage errors); what a
command produces (a table, JSON) goes to stdout, what it did ("Skrev …") and why it stopped
("Fejl: …") to stderr. Exit status: 0 all fine, 1 problems found or a file could not be
read, 2 wrong use (bad option, bad spec, output exists without --force, nothing found).

Heavy modules (pydantic, xlsxwriter, openpyxl, rich) are imported inside the commands so that
`bilag4xl --help` starts fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from bilag4xl.cli.danish import DanishCommand, DanishGroup
from bilag4xl.errors import Bilag4xlError

if TYPE_CHECKING:
    from bilag4xl.form.model import Submission
    from bilag4xl.form.spec import Spec
    from bilag4xl.round.folder import Round

Command = TypeVar("Command", bound=Callable[..., Any])

app = typer.Typer(
    name="bilag4xl",
    cls=DanishGroup,
    help="Bilag 4 som regneark: lav låste skabeloner, læs og valider udfyldte skemaer, og saml "
    "alle forvaltningers indberetninger i én projektmappe.\n\n"
    "Exit-status: 0 = i orden, 1 = fejl eller problemer fundet, 2 = forkert brug.",
    epilog="Eksempel (en hel runde i en rundemappe):\n"
    "  bilag4xl init runde-2025 && cd runde-2025   # ret derefter runde.toml\n"
    "  bilag4xl template                           # skabeloner/: én pr. forvaltning\n"
    "  bilag4xl receive ~/Indbakke/                # når svarene kommer, igen og igen\n"
    "  bilag4xl status                             # hvem mangler, fristen\n"
    "  bilag4xl remind                             # rykkere som e-mailkladder\n"
    "  bilag4xl merge && bilag4xl report           # samlet.xlsx og bilag4.docx\n"
    "  bilag4xl serve                              # det samme fra browseren\n\n"
    "Skriv 'bilag4xl KOMMANDO --help' for hjælp til en kommando.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def command(name: str, short: str, help: str, example: str) -> Callable[[Command], Command]:
    """Declare a command with a Danish help page that ends with an example; `short` is its
    line in `bilag4xl --help`."""
    lines = "\n".join(f"  {line}" for line in example.strip().splitlines())
    return app.command(
        name, cls=DanishCommand, short_help=short, help=help, epilog=f"Eksempel:\n{lines}"
    )


SpecOption = Annotated[
    Path | None,
    typer.Option(
        "--spec",
        metavar="FIL",
        help="Rundens spec (TOML). Standard: den indbyggede (bilag4xl spec viser den).",
        exists=True,
        dir_okay=False,
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Overskriv en eksisterende fil.")]
LangOption = Annotated[
    str, typer.Option("--lang", metavar="SPROG", help="Beskedernes sprog: da eller en.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Skriv resultatet som JSON.")]
Paths = Annotated[
    list[Path],
    typer.Argument(metavar="STI", help="Filer og/eller mapper (.xlsx/.xlsm).", exists=True),
]
OptionalPaths = Annotated[
    list[Path] | None,
    typer.Argument(
        metavar="STI",
        help="Filer og/eller mapper (.xlsx/.xlsm). I en rundemappe: udelad for rundens egne.",
        exists=True,
    ),
]


def check_lang(lang: str) -> None:
    if lang not in ("da", "en"):
        raise typer.BadParameter("brug da eller en", param_hint="--lang")


def check_xlsx(path: Path | None, option: str = "-o") -> None:
    """Workbooks are written as .xlsx; another suffix would mislead Excel and the user."""
    if path is not None and path.suffix.lower() != ".xlsx":
        raise typer.BadParameter(f"{path} skal ende på .xlsx", param_hint=option)


def fail(error: Bilag4xlError) -> NoReturn:
    """Print a library error as one clear line (no traceback) and exit with its code."""
    typer.echo(f"Fejl: {error}", err=True)
    raise typer.Exit(error.exit_code)


def wrote(paths: Sequence[Path | str], detail: str = "") -> None:
    """Say what was written, on stderr (stdout is kept for tables and JSON)."""
    for path in paths:
        typer.echo(f"Skrev {path}{detail}", err=True)


def here(required: bool = False) -> Round | None:
    """The round folder the working directory is in, said on stderr; None (or, when the
    command needs one, a usage error saying how to make one) outside any round."""
    from bilag4xl.errors import NoRoundError
    from bilag4xl.round.folder import find_round, open_round

    root = find_round()
    try:
        if root is None:
            if required:
                raise NoRoundError(Path.cwd())
            return None
        rnd = open_round(root)
    except Bilag4xlError as exc:
        fail(exc)
    typer.echo(f"Runde: {root}", err=True)
    return rnd


def reference(spec: Path | None) -> Spec | None:
    """The form files are checked against: --spec, else the round's (the folder's), else
    None: each file by the spec it carries."""
    if spec is not None:
        return spec_of(spec)
    rnd = here()
    return rnd.spec if rnd is not None else None


def spec_of(spec: Path | None, rnd: Round | None = None) -> Spec:
    """--spec when given, else the round's, else the built-in one."""
    from bilag4xl.form.spec import load_spec

    if spec is None and rnd is not None:
        return rnd.spec
    try:
        return load_spec(spec)
    except Bilag4xlError as exc:
        fail(exc)


def last_round(source: Path, spec: Spec | None) -> tuple[list[Submission], Spec | None]:
    """The last round's submissions: a round folder's current ones, else those in a
    consolidated workbook or one returned workbook."""
    from bilag4xl.prefill import last_submissions
    from bilag4xl.round.folder import current_submissions, open_round

    if source.is_dir():
        return current_submissions(open_round(source))
    return last_submissions(source, spec)


@command(
    "spec",
    "Skriv den indbyggede spec ud (TOML).",
    "Skriv den indbyggede spec (TOML) ud, så den kan kopieres og tilpasses en ny runde.",
    "bilag4xl spec > runde.toml",
)
def spec_command() -> None:
    """Print the built-in form spec (TOML), to copy and edit for a new round."""
    from bilag4xl.form.spec import default_spec_text

    sys.stdout.write(default_spec_text())


@command(
    "init",
    "Lav en rundemappe (runde.toml, skabeloner/, modtaget/).",
    "Lav en rundemappe: runde.toml (den indbyggede spec, eller --spec) og mapperne, runden "
    "bruger. Kommandoer, der køres i mappen (eller under den), bruger dens runde.toml uden "
    "--spec. En eksisterende runde røres ikke. Med --from: næste runde, hvor hver forvaltnings "
    "skabelon er forudfyldt fra dens gældende indberetning i den sidste rundemappe.",
    "bilag4xl init runde-2025 --spec runde.toml\ncd runde-2025 && bilag4xl template\n"
    "bilag4xl init runde-2026 --spec runde-2026.toml --from runde-2025",
)
def init_command(
    folder: Annotated[Path, typer.Argument(metavar="MAPPE", help="Rundemappen (laves).")],
    spec: SpecOption = None,
    last: Annotated[
        Path | None,
        typer.Option(
            "--from",
            metavar="MAPPE",
            exists=True,
            file_okay=False,
            help="Den sidste rundemappe: skabelonerne forudfyldes fra den.",
        ),
    ] = None,
) -> None:
    """Make a round folder (or say that it exists); with --from, its templates pre-filled
    from the last round folder."""
    from bilag4xl.prefill import next_round
    from bilag4xl.round.folder import current_submissions, init_round, open_round

    try:
        rnd, made = init_round(folder, spec)
        carried = None
        if last is not None and made:
            submissions, made_with = current_submissions(open_round(last))
            carried = next_round(rnd.spec, submissions, made_with, rnd.templates)
    except Bilag4xlError as exc:
        fail(exc)
    if carried is not None:
        wrote([path for _, path, _ in carried.written])
        for line in [x for _, _, c in carried.written if c for x in c.lines()]:
            typer.echo(line, err=True)
    if made:
        wrote([rnd.spec_file])
        typer.echo(f"Rundemappen {folder} er klar: kør kommandoerne i den (cd {folder}).", err=True)
    else:
        typer.echo(f"{folder} er allerede en rundemappe; intet er ændret.", err=True)


@command(
    "template",
    "Lav låste skabeloner (én fil eller én pr. forvaltning).",
    "Lav en låst Excel-skabelon: én fil (-o) eller én pr. forvaltning i runden (--out-dir). I en "
    "rundemappe uden -o og --out-dir: rundens skabeloner i mappen skabeloner/.",
    "bilag4xl template                     # i en rundemappe\n"
    "bilag4xl template --spec runde.toml --out-dir skabeloner\n"
    'bilag4xl template -o tmf.xlsx --department "Teknik- og Miljøforvaltningen"\n'
    "bilag4xl template --spec næste.toml --prefill samlet.xlsx --out-dir skabeloner-2026",
)
def template_command(
    out: Annotated[
        Path | None, typer.Option("-o", "--out", metavar="FIL", help="Skabelonens fil (.xlsx).")
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out-dir",
            metavar="MAPPE",
            help="Lav én skabelon pr. forvaltning i runden, i denne mappe.",
        ),
    ] = None,
    spec: SpecOption = None,
    department: Annotated[
        str | None,
        typer.Option("--department", metavar="NAVN", help="Forvaltningen, skabelonen er til."),
    ] = None,
    initiative: Annotated[
        list[str] | None,
        typer.Option(
            "--initiative", metavar="NAVN", help="En fast indsats (ét ark); kan gentages."
        ),
    ] = None,
    blank: Annotated[
        int | None,
        typer.Option(
            "--blank",
            metavar="ANTAL",
            min=0,
            max=50,
            help="Antal ekstra tomme indsatsark (0-50), hvor sagsbehandleren selv skriver navnet.",
        ),
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(
            "--password", metavar="KODE", help="Adgangskode til arkbeskyttelsen (valgfri)."
        ),
    ] = None,
    prefill: Annotated[
        Path | None,
        typer.Option(
            "--prefill",
            metavar="FIL|MAPPE",
            exists=True,
            help="Næste runde forudfyldt fra den sidste: en samlet projektmappe eller en "
            "rundemappe (med --out-dir: alle forvaltninger), eller én indberetning (med -o).",
        ),
    ] = None,
    prefill_spec: Annotated[
        Path | None,
        typer.Option(
            "--prefill-spec",
            metavar="FIL",
            exists=True,
            dir_okay=False,
            help="Spec for en enkelt sidste indberetning (en samlet projektmappe og en "
            "rundemappe har deres egen).",
        ),
    ] = None,
    force: ForceOption = False,
) -> None:
    """Generate a locked Excel template: one file (-o) or one per department (--out-dir); in a
    round folder without either, the round's templates."""
    if out is not None and out_dir is not None:
        raise typer.BadParameter("angiv enten -o FIL eller --out-dir MAPPE", param_hint="-o")
    check_xlsx(out)
    rnd = here(required=out is None and out_dir is None)
    if prefill is not None and (department or initiative):
        raise typer.BadParameter(
            "--prefill bruges uden --department/--initiative", param_hint="--prefill"
        )
    from bilag4xl import prefill as next_round
    from bilag4xl.round.folder import write_templates
    from bilag4xl.template.writer import write_round, write_template

    loaded = spec_of(spec, rnd)
    target_dir = out_dir or (rnd.templates if rnd and out is None else None)
    try:
        if prefill is not None and target_dir is not None:
            last, made_with = last_round(prefill, spec_of(prefill_spec) if prefill_spec else None)
            made = next_round.next_round(loaded, last, made_with, target_dir, password, force)
            paths = [path for _, path, _ in made.written]
            said = [line for _, _, c in made.written if c for line in c.lines()]
            said += [f"Ny i runden (tom skabelon): {name}" for name in made.new]
            said += [f"Ikke med i den nye runde: {name}" for name in made.gone]
        elif prefill is not None and out is not None:
            last_spec = spec_of(prefill_spec) if prefill_spec else None
            carried = next_round.write_prefilled(
                out, loaded, prefill, last_spec, blank, password, force
            )
            paths, said = [out], carried.lines()
        elif rnd is not None and out is None and out_dir is None:
            before = {p: p.stat().st_mtime_ns for p in rnd.templates.glob("*.xlsx")}
            paths = write_templates(rnd, password)
            same = [p for p in paths if before.get(p) == p.stat().st_mtime_ns]
            paths = [p for p in paths if p not in same]
            said = [f"Uændret: {len(same)} skabeloner (som runde.toml siger)"] if same else []
        elif out_dir is not None:
            paths, said = write_round(out_dir, loaded, password=password, force=force), []
        else:
            made_one = write_template(
                out or Path(), loaded, department, initiative or (), blank, password, force
            )
            paths, said = [made_one], []
    except Bilag4xlError as exc:
        fail(exc)
    for line in said:
        typer.echo(line, err=True)
    wrote(paths)


@command(
    "receive",
    "Tag indberetninger ind i runden (filer, mapper, .zip).",
    "Tag indberetninger ind i runden: hver fil valideres, gemmes uændret i modtaget/ og noteres i "
    "rundens register med tidspunkt og SHA-256. Samme fil to gange er ikke en ny indberetning; "
    "en nyere fil fra en forvaltning afløser den forrige (efter modtagelsestid). bilag4xl's egne "
    "filer (rettelsesark, samlet projektmappe, tom skabelon) afvises. Exit-status 1, hvis en fil "
    "afvises eller har fejl.",
    "bilag4xl receive ~/Hentet/tmf.xlsx\nbilag4xl receive indbakke/ svar.zip",
)
def receive_command(
    paths: Annotated[
        list[Path],
        typer.Argument(metavar="STI", help="Filer, mapper og .zip-filer.", exists=True),
    ],
    as_json: JsonOption = False,
) -> None:
    """Receive files into the round folder's ledger; print what became of each."""
    from bilag4xl.cli.render import progress_bar, receipts_table, to_json
    from bilag4xl.round.folder import receipts_data, receive

    rnd = here(required=True)
    assert rnd is not None
    try:
        with progress_bar() as progress:
            receipts = receive(rnd, paths, progress)
        if not receipts:
            from bilag4xl.errors import NoFilesError

            raise NoFilesError(paths)
    except Bilag4xlError as exc:
        fail(exc)
    typer.echo(to_json(receipts_data(receipts)) if as_json else receipts_table(receipts), nl=False)
    problems = [r for r in receipts if r.outcome == "refused" or (r.report and not r.report.valid)]
    raise typer.Exit(1 if problems else 0)


@command(
    "validate",
    "Valider udfyldte skemaer: problemer med ark og celle.",
    "Valider udfyldte skemaer (filer eller mapper): en tabel over problemer med ark og celle, "
    "så en linje med status. Exit-status 0 = alle i orden, 1 = problemer fundet.",
    "bilag4xl validate indberetninger/\nbilag4xl validate tmf.xlsx --json",
)
def validate_command(
    paths: Paths,
    as_json: JsonOption = False,
    lang: LangOption = "da",
    spec: SpecOption = None,
) -> None:
    """Validate files and folders; print a table (or JSON) and a summary line."""
    check_lang(lang)
    from bilag4xl.cli.render import issues_table, progress_bar, summary_line, to_json
    from bilag4xl.errors import NoFilesError
    from bilag4xl.intake.validate import validate_paths
    from bilag4xl.issues.report import report_data

    against = reference(spec)
    try:
        with progress_bar() as progress:
            run = validate_paths(paths, against, progress, submissions=False)
        if not run.results and not run.skipped:
            raise NoFilesError(paths)
    except Bilag4xlError as exc:
        fail(exc)
    language = "en" if lang == "en" else "da"
    if as_json:
        files = [(str(r.path), r.report) for r in run.results]
        skipped = [(str(p), reason) for p, reason in run.skipped]
        typer.echo(to_json(report_data(files, skipped, language)), nl=False)
    else:
        report = run.report
        typer.echo(issues_table(report, language), nl=False)
        invalid = sum(not r.valid for r in run.results)
        typer.echo(summary_line(len(run.results), invalid, report, language))
    raise typer.Exit(0 if run.valid else 1)


@command(
    "read",
    "Vis én indberetning (eller alle i en samlet projektmappe).",
    "Læs én udfyldt indberetning (eller alle i en samlet projektmappe) og vis den (--json: som "
    "data). Exit-status 1 ved fejl.",
    "bilag4xl read tmf.xlsx\nbilag4xl read samlet.xlsx --json",
)
def read_command(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FIL",
            help="Den udfyldte skabelon eller en samlet projektmappe (.xlsx).",
            exists=True,
            dir_okay=False,
        ),
    ],
    as_json: JsonOption = False,
    spec: SpecOption = None,
) -> None:
    """Read one filled workbook; print it (or its JSON) and list its problems on stderr.

    A consolidated workbook (from `merge`) prints every submission that went into it."""
    from bilag4xl.cli.render import consolidated_data, issues_table, submission_summary, to_json
    from bilag4xl.consolidate.read import is_consolidated, open_consolidated
    from bilag4xl.intake.validate import read_file

    try:
        if is_consolidated(file):  # it carries its spec; --spec is only checked against it
            book = open_consolidated(file, spec_of(spec) if spec else None)
            unit = book.spec.round.unit
            text = "".join(submission_summary(s.to_json_data(), unit) for s in book.submissions)
            typer.echo(to_json(consolidated_data(book.submissions)) if as_json else text, nl=False)
            raise typer.Exit(0)
    except Bilag4xlError as exc:
        fail(exc)
    result = read_file(file, reference(spec))
    if result.submission is not None:
        data = result.submission.to_json_data()
        unit = result.submission.amount_unit
        typer.echo(to_json(data) if as_json else submission_summary(data, unit), nl=False)
    if len(result.report):
        typer.echo(issues_table(result.report), err=True, nl=False)
    raise typer.Exit(0 if result.report.valid else 1)


@command(
    "feedback",
    "Giv sagsbehandleren sin projektmappe tilbage med fejlene markeret.",
    "Giv sagsbehandleren sin egen projektmappe tilbage: en ny skabelon med alle værdierne, hvor "
    "hver fejl er markeret med en kommentar og listet på arket 'Rettelser'. Med en mappe: én "
    "fil pr. indberetning med problemer (-o er så en mappe).",
    "bilag4xl feedback tmf.xlsx -o tmf_rettelser.xlsx\n"
    "bilag4xl feedback indberetninger/ -o rettelser/",
)
def feedback_command(
    path: Annotated[
        Path,
        typer.Argument(metavar="STI", help="Indberetning (.xlsx) eller mappe.", exists=True),
    ],
    out: Annotated[
        Path, typer.Option("-o", "--out", metavar="FIL|MAPPE", help="Feedbackfil, eller mappe.")
    ],
    spec: SpecOption = None,
    lang: LangOption = "da",
    force: ForceOption = False,
) -> None:
    """Write feedback workbooks; exit 1 when a file could not be turned into one."""
    check_lang(lang)
    if not path.is_dir():
        check_xlsx(out)
    from bilag4xl.feedback import write_feedback, write_feedback_folder

    language = "en" if lang == "en" else "da"
    loaded = reference(spec)
    try:
        if path.is_dir():
            results = write_feedback_folder([path], out, loaded, force, language)
        else:
            results = [write_feedback(path, out, loaded, force, language)]
    except Bilag4xlError as exc:
        fail(exc)
    for r in results:
        if r.out:
            wrote([r.out], f" ({r.problems} problemer i {r.source.name})")
        elif r.reason:
            typer.echo(f"Fejl: {r.reason}", err=True)
    raise typer.Exit(1 if any(r.reason for r in results) else 0)


@command(
    "status",
    "Vis hvem der har indberettet, hvem der mangler, og fristen.",
    "Vis rundens status: hvilke forvaltninger har indberettet gyldigt, hvilke mangler eller har "
    "fejl, hvem der kom for sent, fristen og hvem der skal rykkes. I en rundemappe uden MAPPE: "
    "ud fra rundens register (--history viser alle modtagne filer). Exit-status 1, så længe "
    "noget mangler eller har fejl.",
    "bilag4xl status                       # i en rundemappe\n"
    "bilag4xl status --history\n"
    "bilag4xl status indberetninger/ --spec runde.toml",
)
def status_command(
    folder: Annotated[
        Path | None,
        typer.Argument(
            metavar="MAPPE", help="En mappe med indberetninger.", exists=True, file_okay=False
        ),
    ] = None,
    spec: SpecOption = None,
    history: Annotated[
        bool, typer.Option("--history", help="Vis alle modtagne filer, også de udeladte.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Show each department's state in the round; exit 1 while any is missing or invalid."""
    import json

    from bilag4xl.cli.render import history_table, status_table
    from bilag4xl.round.folder import history as round_history
    from bilag4xl.round.folder import round_status
    from bilag4xl.status import folder_status

    rnd = here(required=folder is None and spec is None)
    try:
        if folder is None and rnd is not None:
            status = round_status(rnd)
        else:
            status = folder_status(folder or Path.cwd(), spec_of(spec, rnd))
        entries = round_history(rnd) if history and rnd is not None and folder is None else []
    except Bilag4xlError as exc:
        fail(exc)
    if as_json:
        data = status.to_dict()
        if history:
            data["history"] = [e.to_dict() for e in entries]
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        if history:
            typer.echo(history_table(entries))
        typer.echo(status_table(status))
    raise typer.Exit(0 if status.complete else 1)


@command(
    "remind",
    "Skriv rykkere som e-mailkladder (.eml) til dem, der mangler.",
    "Skriv en e-mailkladde (.eml) til hver forvaltning, der mangler eller har fejl: til dens "
    "kontakt, med fristen, og med skabelonen eller rettelsesarket vedhæftet. Åbn kladderne i "
    "Outlook eller Thunderbird og send dem; bilag4xl sender intet. Forvaltninger uden kontakt i "
    "runde.toml nævnes.",
    "bilag4xl remind                       # i en rundemappe: til rykkere/\n"
    "bilag4xl remind --out-dir ~/Skrivebord/rykkere",
)
def remind_command(
    out_dir: Annotated[
        Path | None,
        typer.Option("--out-dir", metavar="MAPPE", help="Hvor kladderne skrives (rykkere/)."),
    ] = None,
    force: ForceOption = False,
) -> None:
    from bilag4xl.remind import write_drafts
    from bilag4xl.round.folder import reminders

    rnd = here(required=True)
    assert rnd is not None
    target = out_dir or rnd.root / "rykkere"
    try:
        written = write_drafts(reminders(rnd), rnd.spec, target, force=force or out_dir is None)
    except Bilag4xlError as exc:
        fail(exc)
    wrote(written.paths)
    for name in written.without_contact:
        typer.echo(f"Uden kontakt i runde.toml: {name} (skriv modtageren i kladden)", err=True)
    if not written.paths:
        typer.echo("Ingen at rykke: alle forvaltninger har indberettet gyldigt.", err=True)


@command(
    "merge",
    "Saml indberetningerne i én projektmappe.",
    "Saml udfyldte skemaer (filer og mapper) i én projektmappe: oversigt, indsatser, kilder og "
    "valideringer. Intet skrives, hvis et skema har fejl (se --allow-invalid) eller en "
    "forvaltning har indberettet to gange (se --on-duplicate). I en rundemappe uden STI: hver "
    "forvaltnings gældende indberetning, til samlet.xlsx i mappen. Exit-status 1 ved fejl.",
    "bilag4xl merge                        # i en rundemappe\n"
    "bilag4xl merge indberetninger/ -o samlet.xlsx\n"
    "bilag4xl merge indberetninger/ -o samlet.xlsx --allow-invalid --on-duplicate latest",
)
def merge_command(
    paths: OptionalPaths = None,
    out: Annotated[
        Path | None,
        typer.Option("-o", "--out", metavar="FIL", help="Den samlede projektmappe (.xlsx)."),
    ] = None,
    allow_invalid: Annotated[
        bool,
        typer.Option("--allow-invalid", help="Tag skemaer med fejl med (de markeres med rødt)."),
    ] = False,
    on_duplicate: Annotated[
        str,
        typer.Option(
            "--on-duplicate",
            metavar="HVAD",
            help="To skemaer fra samme forvaltning: error (stop) eller latest (behold det nyeste "
            "efter forsidens dato, så filens tid).",
        ),
    ] = "error",
    force: ForceOption = False,
    as_json: JsonOption = False,
    spec: SpecOption = None,
) -> None:
    """Merge filled workbooks into one consolidated workbook; print the report and a summary."""
    if on_duplicate not in ("error", "latest"):
        raise typer.BadParameter("brug error eller latest", param_hint="--on-duplicate")
    check_xlsx(out)
    rnd = here(required=not paths)
    if paths and out is None:
        raise typer.BadParameter("angiv den samlede projektmappe med -o FIL", param_hint="-o")
    from bilag4xl.cli.render import issues_table, merge_data, merge_summary, progress_bar, to_json
    from bilag4xl.consolidate.write import merge_paths
    from bilag4xl.round.folder import merge_round

    loaded = spec_of(spec, rnd) if spec or rnd else None  # None: the spec the files carry
    try:
        with progress_bar() as progress:
            if not paths and rnd is not None:
                run = merge_round(rnd, out, allow_invalid, force, progress)
            else:
                run = merge_paths(
                    paths or [],
                    out or Path(),
                    loaded,
                    on_duplicate="latest" if on_duplicate == "latest" else "error",
                    allow_invalid=allow_invalid,
                    force=force,
                    progress=progress,
                )
    except Bilag4xlError as exc:
        fail(exc)
    if as_json:
        typer.echo(to_json(merge_data(run)), nl=False)
    else:
        typer.echo(issues_table(run.merged.report), nl=False)
        typer.echo(merge_summary(run), err=True)
    raise typer.Exit(0 if run.written else 1)


@command(
    "report",
    "Lav bilaget som Word, PDF, Markdown eller HTML.",
    "Lav bilaget (Bilag 4) som Word, PDF, Markdown eller HTML ud fra en samlet projektmappe eller "
    "én indberetning. I en rundemappe uden FIL: af rundens gældende, gyldige indberetninger, til "
    "bilag4.docx i mappen.",
    "bilag4xl report                       # i en rundemappe\n"
    "bilag4xl report samlet.xlsx -o bilag4.docx\nbilag4xl report samlet.xlsx -o bilag4.pdf",
)
def report_command(
    source: Annotated[
        Path | None,
        typer.Argument(
            metavar="FIL",
            help="Samlet projektmappe eller én indberetning (.xlsx).",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("-o", "--out", metavar="FIL", help="Bilagets fil (.docx, .md, .html, .pdf)."),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="docx, md, html eller pdf (kræver LibreOffice). Standard: efter filendelsen.",
        ),
    ] = None,
    spec: SpecOption = None,
    force: ForceOption = False,
) -> None:
    """Render the annex from a consolidated workbook, one submission, or the round's current
    submissions, to docx, pdf, md or html."""
    rnd = here(required=source is None)
    if source is not None and out is None:
        raise typer.BadParameter("angiv bilagets fil med -o FIL", param_hint="-o")
    from bilag4xl.annex.formats import format_for, render
    from bilag4xl.annex.model import build_annex
    from bilag4xl.annex.sources import read_submissions
    from bilag4xl.output import atomic_write
    from bilag4xl.round.folder import annex_bytes
    from bilag4xl.textsafe import count_texts, unsafe_for_xml

    target = out or (rnd.annex if rnd else Path())
    removed = 0
    try:
        chosen = format_for(target, fmt)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--format") from None
    warning = ""
    try:
        if source is None and rnd is not None:
            data, left_out = annex_bytes(rnd, chosen)
            if left_out:
                warning = "uden " + ", ".join(left_out) + " (mangler eller har fejl)"
            atomic_write(target, data, force=force or out is None)
        else:
            batch = read_submissions(source or Path(), spec_of(spec) if spec else None)
            annex = build_annex(batch.submissions, batch.spec, invalid=batch.invalid)
            warning = annex.warning  # also at the top of the annex
            removed = count_texts(annex, unsafe_for_xml)
            atomic_write(target, render(annex, chosen), force=force)
    except Bilag4xlError as exc:
        fail(exc)
    if warning:
        typer.echo(f"Advarsel: {warning}", err=True)
    wrote([target])
    if removed:  # a workbook holds them, a document cannot: say so
        typer.echo(
            f"Bemærk: {removed} styretegn i teksterne (fx lodret tabulator) kan ikke stå i "
            "bilaget; de er fjernet eller gjort til linjeskift.",
            err=True,
        )


@command(
    "exclude",
    "Udelad en modtaget fil fra runden (med begrundelse).",
    "Udelad en modtaget fil fra runden: den bliver gemt og vist i historikken, men tæller ikke "
    "(forvaltningens forrige fil tæller igen). Numrene står i 'bilag4xl status --history'.",
    'bilag4xl exclude 7 --reason "sendt ved en fejl"',
)
def exclude_command(
    number: Annotated[int, typer.Argument(metavar="NUMMER", help="Filens nummer i registret.")],
    reason: Annotated[
        str, typer.Option("--reason", metavar="TEKST", help="Hvorfor filen udelades.")
    ],
) -> None:
    from bilag4xl.round.folder import exclude

    rnd = here(required=True)
    assert rnd is not None
    try:
        entry = exclude(rnd, number, reason)
    except Bilag4xlError as exc:
        fail(exc)
    typer.echo(f"Udeladt: nr. {entry.id} ({entry.original_name}): {entry.excluded}", err=True)


@command(
    "include",
    "Tag en udeladt fil med i runden igen.",
    "Tag en udeladt fil med i runden igen (den tæller, hvis den er forvaltningens nyeste).",
    "bilag4xl include 7",
)
def include_command(
    number: Annotated[int, typer.Argument(metavar="NUMMER", help="Filens nummer i registret.")],
) -> None:
    from bilag4xl.round.folder import include

    rnd = here(required=True)
    assert rnd is not None
    try:
        entry = include(rnd, number)
    except Bilag4xlError as exc:
        fail(exc)
    typer.echo(f"Med igen: nr. {entry.id} ({entry.original_name})", err=True)


@command(
    "serve",
    "Kør runden fra en side i browseren.",
    "Kør runden fra en side i browseren: status for hver forvaltning, indsend filer, hent den "
    "samlede projektmappe, bilaget og skabelonerne. Siden svarer kun på denne maskine "
    "(127.0.0.1); med en anden --host kræver den en adgangskode (token). En MAPPE, der ikke "
    "findes, bliver en ny runde med den indbyggede spec.",
    "bilag4xl serve\n"
    "bilag4xl serve runde/ --port 8080\n"
    "bilag4xl serve runde/ --host 0.0.0.0 --token MIN-KODE",
)
def serve_command(
    folder: Annotated[
        Path | None,
        typer.Argument(
            metavar="MAPPE",
            help="Rundemappen. Standard: runden, den aktuelle mappe ligger i, ellers den aktuelle "
            "mappe.",
            file_okay=False,
        ),
    ] = None,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            metavar="ADRESSE",
            help="Adressen, siden lytter på. Andet end 127.0.0.1 kræver en adgangskode.",
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", metavar="PORT", min=1, max=65535, help="Porten (1-65535).")
    ] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            metavar="KODE",
            help="Adgangskoden, siden kræver. Standard: en ny ved hver start, når --host ikke "
            "er 127.0.0.1 (den vises her).",
        ),
    ] = None,
    max_upload_mb: Annotated[
        int,
        typer.Option(
            "--max-upload-mb",
            metavar="MB",
            min=1,
            max=10_000,
            help="Højst så mange MB pr. indsendelse.",
        ),
    ] = 50,
) -> None:
    """Serve the round folder as a web page until Ctrl+C."""
    import uvicorn

    from bilag4xl.round.folder import find_round
    from bilag4xl.web.serve import prepare

    root = folder or find_round() or Path(".")
    try:
        serving = prepare(root, host, port, token, max_upload_mb)
    except Bilag4xlError as exc:
        fail(exc)
    if serving.made:
        typer.echo(f"Lavede en ny runde i {root} med den indbyggede spec (runde.toml).", err=True)
    typer.echo(f"Rundens side: {serving.url}", err=True)
    typer.echo("Stop den med Ctrl+C.", err=True)
    uvicorn.run(serving.app, host=host, port=port, log_level="warning", access_log=False)


def main() -> None:
    app()
