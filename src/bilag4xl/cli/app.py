"""The `bilag4xl` command line: each command parses options and calls one library function.

Everything is said in Danish (`cli_danish` writes the help pages and usage errors); what a
command produces (a table, JSON) goes to stdout, what it did ("Skrev …") and why it stopped
("Fejl: …") to stderr. Exit status: 0 all fine, 1 problems found or a file could not be
read, 2 wrong use (bad option, bad spec, output exists without --force, nothing found).
A library error (`Bilag4xlError`) is caught in one place, the command group (`cli/danish.py`),
which prints it as "Fejl: …" and exits with its `exit_code`; the commands let it pass.

Heavy modules (pydantic, xlsxwriter, openpyxl, rich) are imported inside the commands so that
`bilag4xl --help` starts fast.
"""

from __future__ import annotations

import atexit
import gc
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer.models import CommandInfo

from bilag4xl.cli.danish import JSON, LANG, DanishCommand, DanishGroup, remember
from bilag4xl.errors import Bilag4xlError

if TYPE_CHECKING:
    from bilag4xl.form.spec import Spec
    from bilag4xl.prefill import NextRound
    from bilag4xl.round.folder import Round
    from bilag4xl.round.make import Made

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
    str,
    typer.Option(
        "--lang", metavar="SPROG", help="Beskedernes sprog: da eller en.", callback=remember(LANG)
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Skriv resultatet som JSON.", callback=remember(JSON))
]
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
    if root is None:
        if required:
            raise NoRoundError(Path.cwd())
        return None
    rnd = open_round(root)
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
    return load_spec(spec)


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
    "skabelon er forudfyldt fra dens gældende indberetning i den sidste rundemappe; uden --spec "
    "er runde.toml den sidste rundes, med perioden et år frem og fristen fjernet (sæt den).",
    "bilag4xl init runde-2025 --spec runde.toml\ncd runde-2025 && bilag4xl template\n"
    "bilag4xl init runde-2026 --from runde-2025       # runde-2025's runde.toml, et år frem\n"
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
    from the last round folder (and, without --spec, its runde.toml one year on)."""
    from bilag4xl.round.folder import init_round
    from bilag4xl.round.make import make_templates

    rnd, made = init_round(folder, spec, start_from=last)
    if last is not None and made:  # the new round's templates, pre-filled from the last
        for line in made_text(make_templates(rnd.spec, rnd=rnd, prefill=last)):
            typer.echo(line, err=True)
    if not made:
        typer.echo(f"{folder} er allerede en rundemappe; intet er ændret.", err=True)
        return
    wrote([rnd.spec_file])
    if last is not None and spec is None:
        typer.echo(
            f"runde.toml er {last / 'runde.toml'} med perioden flyttet til "
            f"{rnd.spec.round.period}. Fristen er fjernet: sæt 'deadline' i {rnd.spec_file} "
            "og kør 'bilag4xl template' igen (forvaltningernes egne frister fra sidste runde er "
            "også fjernet).",
            err=True,
        )
    typer.echo(f"Rundemappen {folder} er klar: kør kommandoerne i den (cd {folder}).", err=True)


def carried_text(made: NextRound) -> str:
    """What the next round's templates got from the last, under each department's name."""
    lines = []
    for head, said in made.by_department():
        lines += [head, *(f"  {line}" for line in said)]
    lines += [f"Ikke med i den nye runde: {name}" for name in made.gone]
    return "\n".join(lines)


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
    from bilag4xl.round.make import make_templates

    last_spec = spec_of(prefill_spec) if prefill and prefill_spec else None
    made = make_templates(
        spec_of(spec, rnd),
        out,
        out_dir,
        rnd,
        department,
        initiative or (),
        blank,
        password,
        prefill,
        last_spec,
        force,
    )
    for line in made_text(made):
        typer.echo(line, err=True)
    wrote(made.written)


def made_text(made: Made) -> list[str]:
    """What to say of templates made: what was carried into them, what was left as it was."""
    from bilag4xl.prefill import NextRound

    if isinstance(made.carried, NextRound):
        said = [carried_text(made.carried)]
    else:
        said = made.carried.lines() if made.carried is not None else []
    if made.unchanged:
        said.append(f"Uændret: {len(made.unchanged)} skabeloner (som runde.toml siger)")
    return said


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
    from bilag4xl.round.receive import receipts_data, receive

    rnd = here(required=True)
    assert rnd is not None
    with progress_bar() as progress:
        receipts = receive(rnd, paths, progress)
    if not receipts:
        from bilag4xl.errors import NoFilesError

        raise NoFilesError(paths)
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
    with progress_bar() as progress:
        run = validate_paths(paths, against, progress, submissions=False)
    if not run.results and not run.skipped:
        raise NoFilesError(paths)
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
    ctx: typer.Context,
    as_json: JsonOption = False,
    spec: SpecOption = None,
) -> None:
    """Read one filled workbook; print it (or its JSON) and list its problems on stderr.

    A consolidated workbook (from `merge`) prints every submission that went into it."""
    from bilag4xl.cli.render import consolidated_data, issues_table, submission_summary, to_json
    from bilag4xl.consolidate.given import open_given
    from bilag4xl.consolidate.read import is_consolidated
    from bilag4xl.issues import catalogue as messages
    from bilag4xl.issues.report import Report, report_data

    check = spec_of(spec) if spec else None  # a consolidated workbook's must be this one
    # a consolidated workbook is read by the spec stored in it: no round asked for
    rnd = here() if spec is None and not is_consolidated(file) else None
    try:
        given = open_given(file, check, "any", read_by=rnd.spec if rnd else None)
    except Bilag4xlError as exc:  # only a consolidated workbook is refused here
        if as_json:
            issue = messages.make("consolidated-unreadable", str(file), reason=str(exc))
            typer.echo(to_json(report_data([(str(file), Report([issue]))])), nl=False)
            ctx.meta[JSON] = False  # its document is out: the group adds only the line
        raise
    if given.book is not None:
        book = given.book
        unit = book.spec.round.unit.label
        text = "".join(submission_summary(s.to_json_data(), unit) for s in book.submissions)
        typer.echo(to_json(consolidated_data(book.submissions)) if as_json else text, nl=False)
        raise typer.Exit(0)
    result = given.result
    assert result is not None  # a file, not a folder
    if result.submission is not None:
        data = result.submission.to_json_data()
        unit = result.submission.amount_unit
        typer.echo(to_json(data) if as_json else submission_summary(data, unit), nl=False)
    elif as_json:  # a script still gets a document: the report saying why, as validate's
        typer.echo(to_json(report_data([(str(file), result.report)])), nl=False)
    if len(result.report):
        typer.echo(issues_table(result.report), err=True, nl=False)
    raise typer.Exit(0 if result.report.valid else 1)


@command(
    "feedback",
    "Giv sagsbehandleren sin projektmappe tilbage med fejlene markeret.",
    "Giv sagsbehandleren sin egen projektmappe tilbage: en ny skabelon med alle værdierne, hvor "
    "hver fejl er markeret med en kommentar og listet på arket 'Rettelser'. Med en mappe: én "
    "fil pr. indberetning med problemer (-o er så en mappe). I en rundemappe: et filnummer (fra "
    "'bilag4xl status --history') eller en forvaltnings navn (dens gældende fil), skrevet i "
    "rettelser/ uden -o.",
    "bilag4xl feedback 7                   # i en rundemappe: til rettelser/\n"
    'bilag4xl feedback "Teknik- og Miljøforvaltningen"\n'
    "bilag4xl feedback tmf.xlsx -o tmf_rettelser.xlsx\n"
    "bilag4xl feedback indberetninger/ -o rettelser/",
)
def feedback_command(
    target: Annotated[
        str,
        typer.Argument(
            metavar="STI|NUMMER|FORVALTNING",
            help="Indberetning (.xlsx) eller mappe; i en rundemappe også et filnummer eller en "
            "forvaltnings navn.",
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--out",
            metavar="FIL|MAPPE",
            help="Feedbackfil, eller mappe (i en runde: rettelser/).",
        ),
    ] = None,
    spec: SpecOption = None,
    lang: LangOption = "da",
    force: ForceOption = False,
) -> None:
    """Write feedback workbooks; exit 1 when a file could not be turned into one."""
    check_lang(lang)
    path = Path(target)
    if not path.exists():
        return feedback_in_round(target, out, force)
    if not path.is_dir():
        check_xlsx(out)
    if out is None:
        raise typer.BadParameter("angiv feedbackfilen med -o FIL", param_hint="-o")
    from bilag4xl.feedback import write_feedback, write_feedback_folder
    from bilag4xl.round.folder import entry_of

    language = "en" if lang == "en" else "da"
    rnd = here() if spec is None else None
    loaded = rnd.spec if rnd is not None else reference(spec)
    if path.is_dir():
        results = write_feedback_folder([path], out, loaded, force, language)
    else:
        entry = entry_of(rnd, path) if rnd is not None else None  # its provenance
        results = [write_feedback(path, out, loaded, force, language, entry)]
    for r in results:
        if r.out:
            wrote([r.out], f" ({r.problems} problemer i {r.source.name})")
        elif r.reason:
            typer.echo(f"Fejl: {r.reason}", err=True)
    raise typer.Exit(1 if any(r.reason for r in results) else 0)


def feedback_in_round(which: str, out: Path | None, force: bool) -> None:
    """The feedback workbook of a received file (by number, or a department's current one),
    in the round's rettelser/ unless -o says where."""
    from bilag4xl.output import atomic_write
    from bilag4xl.round.feedback import feedback_for
    from bilag4xl.round.folder import entry_for

    check_xlsx(out)
    rnd = here()
    if rnd is None:
        raise typer.BadParameter(
            f"'{which}' findes ikke; et filnummer eller en forvaltning kræver en rundemappe",
            param_hint="STI",
        )
    entry = entry_for(rnd, which)
    name, data = feedback_for(rnd, entry.id)
    target = atomic_write(out or rnd.feedback / name, data, force=force or out is None)
    wrote([target], f" (nr. {entry.id}, {entry.original_name}, {entry.department or '?'})")


@command(
    "status",
    "Vis hvem der har indberettet, hvem der mangler, og fristen.",
    "Vis rundens status: hvilke forvaltninger har indberettet gyldigt, hvilke mangler eller har "
    "fejl, hvem der kom for sent, fristen og hvem der skal rykkes. I en rundemappe uden MAPPE: "
    "ud fra rundens register (--history viser alle modtagne filer og alle kladder, remind har "
    "skrevet). Exit-status 1, så længe "
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

    from bilag4xl.cli.render import drafts_table, history_table, status_table
    from bilag4xl.round.folder import status_of

    rnd = here(required=folder is None and spec is None)
    in_round = history and rnd is not None and folder is None
    view = status_of(rnd, folder, spec_of(spec) if spec else None, history)
    status, entries, drafts = view.status, view.entries, view.drafts
    if as_json:
        data = status.to_dict()
        if history:
            data["history"] = [e.to_dict() for e in entries]
            data["drafts"] = [d.to_dict() for d in drafts]
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        if history:
            typer.echo(history_table(entries))
            if in_round:
                typer.echo(drafts_table(drafts))
        typer.echo(status_table(status))
    raise typer.Exit(0 if status.complete else 1)


@command(
    "remind",
    "Skriv rykkere som e-mailkladder (.eml) til dem, der mangler.",
    "Skriv en e-mailkladde (.eml) til hver forvaltning, der mangler eller har fejl: til dens "
    "kontakt, med fristen, og med skabelonen eller rettelsesarket vedhæftet. Den første mail "
    "til en forvaltning er invitationen; siden rykkes der, og en fil med fejl får sit "
    "rettelsesark, som forvaltningen retter og sender tilbage. Kladder, der ikke længere "
    "gælder, flyttes til rykkere/forældede/, og hver kladde noteres i rundens register (se "
    "status --history). Åbn kladderne i Outlook eller Thunderbird og send dem; bilag4xl sender "
    "intet. Forvaltninger uden kontakt i runde.toml nævnes.",
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
    from bilag4xl.round.reminders import remind_round

    rnd = here(required=True)
    assert rnd is not None
    done = remind_round(rnd, out_dir, force=force)
    written = done.written
    wrote(written.paths)
    for path, reason in done.moved:
        typer.echo(f"Flyttet til side: {path} ({reason})", err=True)
    for name in written.without_contact:
        typer.echo(f"Uden kontakt i runde.toml: {name} (skriv modtageren i kladden)", err=True)
    if not written.paths:
        typer.echo("Ingen at rykke: alle forvaltninger har indberettet gyldigt.", err=True)


@command(
    "links",
    "Vis hver forvaltnings private link til siden.",
    "Vis hver forvaltnings private link: på linket henter forvaltningen sin skabelon, sender sin "
    "fil og ser fejlene med det samme, uden adgangskode, og ser intet af de andre. Linkene "
    "begynder med adressen, forvaltningerne når 'bilag4xl serve' på: base_url under [round] i "
    "runde.toml, eller --base-url. --renew laver et nyt link til en forvaltning; det gamle "
    "holder op med at virke.",
    "bilag4xl links\n"
    "bilag4xl links --base-url https://bilag4.kommune.dk --json\n"
    "bilag4xl links --renew 'Teknik- og Miljøforvaltningen'",
)
def links_command(
    as_json: JsonOption = False,
    renew: Annotated[
        str | None,
        typer.Option(
            "--renew",
            metavar="FORVALTNING",
            help="Lav et nyt link til forvaltningen (det gamle virker ikke længere).",
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            metavar="ADRESSE",
            help="Adressen, forvaltningerne når siden på. Standard: base_url i runde.toml.",
        ),
    ] = None,
) -> None:
    """Print each department's private link (renewing one first, when asked)."""
    from bilag4xl.cli.render import table, to_json
    from bilag4xl.round.links import department_links, renew_link

    rnd = here(required=True)
    assert rnd is not None
    if renew is not None:
        renew_link(rnd, renew)
        typer.echo(f"Nyt link til {renew}; det gamle virker ikke længere.", err=True)
    links = department_links(rnd, base_url)
    if as_json:
        typer.echo(to_json([link.to_dict() for link in links]), nl=False)
    else:
        typer.echo(table(("forvaltning", "link"), [(k.department, k.url) for k in links]), nl=False)


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
    from bilag4xl.round.make import make_merge

    loaded = spec_of(spec, rnd) if spec or rnd else None  # None: the spec the files carry
    duplicate = "latest" if on_duplicate == "latest" else "error"
    with progress_bar() as progress:
        run = make_merge(paths or [], out, rnd, loaded, allow_invalid, duplicate, force, progress)
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
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            metavar="DD.MM.ÅÅÅÅ",
            help="Bilagets dato. Standard: dagen, det laves.",
        ),
    ] = None,
    spec: SpecOption = None,
    force: ForceOption = False,
) -> None:
    """Render the annex from a consolidated workbook, one submission, or the round's current
    submissions, to docx, pdf, md or html."""
    from bilag4xl.danish.parsers import parse_date

    dated = parse_date(date) if date is not None else None
    if date is not None and dated is None:
        raise typer.BadParameter(
            f"{date!r} er ikke en dato; skriv fx 06.12.2026", param_hint="--date"
        )
    rnd = here(required=source is None)
    if source is not None and out is None:
        raise typer.BadParameter("angiv bilagets fil med -o FIL", param_hint="-o")
    from bilag4xl.annex.formats import format_for
    from bilag4xl.round.make import make_annex

    target = out or (rnd.annex if rnd else Path())
    try:
        chosen = format_for(target, fmt)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--format") from None
    checked = spec_of(spec) if spec else None
    made = make_annex(target, chosen, source, rnd, checked, dated, force=force or out is None)
    for line in made.warnings:  # also at the top of the annex
        typer.echo(f"Advarsel: {line}", err=True)
    wrote(made.written)
    if made.removed:  # a workbook holds them, a document cannot: say so
        typer.echo(
            f"Bemærk: {made.removed} styretegn i teksterne (fx lodret tabulator) kan ikke stå i "
            "bilaget; de er fjernet eller gjort til linjeskift.",
            err=True,
        )


@command(
    "export",
    "Skriv alle indtastede værdier som én lang tabel (CSV, Excel, Parquet) til BI-værktøjer.",
    "Skriv alle indtastede værdier som én lang tabel til Power Query, Power BI og pandas: en "
    "række pr. værdi med forvaltning, indsats, felt (nøgle og ledetekst), år, værdi, enhed, fil "
    "og modtaget. Værdierne står som indtastet (beløb som tal i rundens enhed, ingen totaler). "
    "CSV er UTF-8 med BOM; .xlsx er den samme tabel som en Excel-tabel (dansk Excel åbner en "
    "komma-CSV i én kolonne); .parquet kræver pip install 'bilag4xl[parquet]'. I en rundemappe "
    "uden STI: hver forvaltnings gældende fil. Kun gyldige indberetninger kommer med; de andre "
    "nævnes. Uden -o: CSV på standardoutput.",
    "bilag4xl export -o bilag4.xlsx            # i en rundemappe\n"
    "bilag4xl export > bilag4.csv\n"
    "bilag4xl export indberetninger/ -o data.parquet",
)
def export_command(
    paths: OptionalPaths = None,
    out: Annotated[
        Path | None,
        typer.Option("-o", "--out", metavar="FIL", help="Tabellens fil (.csv, .xlsx, .parquet)."),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="csv, xlsx eller parquet. Standard: efter filendelsen.",
        ),
    ] = None,
    spec: SpecOption = None,
    force: ForceOption = False,
) -> None:
    """Write every value entered as one long table: a round's current files, or PATHs."""
    from bilag4xl.export import export_bytes, format_for, table_of
    from bilag4xl.output import atomic_write

    rnd = here(required=not paths and spec is None)
    if not paths and rnd is None:
        raise typer.BadParameter(
            "angiv filer eller mapper uden for en rundemappe", param_hint="STI"
        )
    chosen = format_for(out, fmt)
    if out is None and chosen != "csv":
        raise typer.BadParameter(f"{chosen} skrives til en fil: angiv -o FIL", param_hint="-o")
    table = table_of(rnd, paths or [], spec_of(spec, rnd) if spec else None)
    data = export_bytes(table, chosen)
    if out is not None:
        atomic_write(out, data, force)
    for name in table.left_out:
        typer.echo(f"Ikke med: {name}", err=True)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        wrote([out], f" ({len(table.rows)} værdier)")


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
    from bilag4xl.textsafe import for_file_name, for_terminal

    rnd = here(required=True)
    assert rnd is not None
    entry = exclude(rnd, number, reason)
    name, why = for_file_name(entry.original_name), for_terminal(entry.excluded or "")
    typer.echo(f"Udeladt: nr. {entry.id} ({name}): {why}", err=True)


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
    from bilag4xl.textsafe import for_file_name

    rnd = here(required=True)
    assert rnd is not None
    entry = include(rnd, number)
    typer.echo(f"Med igen: nr. {entry.id} ({for_file_name(entry.original_name)})", err=True)


@command(
    "serve",
    "Kør runden fra en side i browseren.",
    "Kør runden fra en side i browseren: status for hver forvaltning, indsend filer, hent den "
    "samlede projektmappe, bilaget og skabelonerne. Siden svarer kun på denne maskine "
    "(127.0.0.1); med en anden --host kræver den en adgangskode (token). En MAPPE, der ikke "
    "findes, bliver en ny runde med den indbyggede spec.",
    "bilag4xl serve\n"
    "bilag4xl serve runde/ --port 8080\n"
    "bilag4xl serve runde/ --host 0.0.0.0 --token en-lang-hemmelig-kode",
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
            help="Adgangskoden, siden kræver (mindst 16 tegn). Standard: en ny ved hver start, "
            "når --host ikke er 127.0.0.1 (den vises her). Forvaltningernes links (bilag4xl "
            "links) virker uden den.",
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
    from bilag4xl.web.guard import weak_token
    from bilag4xl.web.serve import prepare

    if token is not None and (why := weak_token(token)):
        raise typer.BadParameter(
            f"{why}; udelad --token for en ny, tilfældig", param_hint="--token"
        )
    root = folder or find_round() or Path(".")
    serving = prepare(root, host, port, token, max_upload_mb)
    if serving.made:
        typer.echo(f"Lavede en ny runde i {root} med den indbyggede spec (runde.toml).", err=True)
    typer.echo(f"Rundens side: {serving.url}", err=True)
    typer.echo("Stop den med Ctrl+C.", err=True)
    uvicorn.run(serving.app, host=host, port=port, log_level="warning", access_log=False)


def main() -> None:
    """The console command. typer builds every command's options before it runs one (9 ms of
    a `bilag4xl --help` of 70): only the command asked for is built whole; the others stand
    in by their name and line of help, which is all the command list and click's "no such
    command" need. `app` itself (what tests and Python callers use) keeps every command."""
    # At exit (after the handlers registered later; atexit runs the last in first): the
    # interpreter's closing collections then pass over every object the command made
    # (~30 ms of a validate's end, measured). Objects freed by their references still are;
    # what only a cycle holds is not finalised at exit, so every output is closed
    # explicitly (atomic writes, `with` blocks, the ledger's commits), never left to that.
    atexit.register(gc.freeze)
    names = {c.name for c in app.registered_commands}
    wanted = next((arg for arg in sys.argv[1:] if arg in names), None)
    every = app.registered_commands
    app.registered_commands = [c if c.name == wanted else _stand_in(c) for c in every]
    try:
        app()
    finally:
        app.registered_commands = every


def _stand_in(info: CommandInfo) -> CommandInfo:
    """A command by its name and help alone (no options to build; never run)."""
    return CommandInfo(
        name=info.name,
        cls=info.cls,
        callback=_never,
        help=info.help,
        short_help=info.short_help,
        hidden=info.hidden,
    )


def _never() -> None:
    raise AssertionError("a stand-in command ran")  # main() builds the one asked for
