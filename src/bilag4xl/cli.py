"""The `bilag4xl` command line: each command parses options and calls one library function.

Heavy modules (pydantic, xlsxwriter, openpyxl) are imported inside the commands so that
`bilag4xl --help` starts fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from .errors import Bilag4xlError

app = typer.Typer(
    name="bilag4xl",
    help="Bilag 4 som regneark: lav låste skabeloner, læs og valider udfyldte skemaer, og saml "
    "alle forvaltningers indberetninger i én projektmappe.\n\n"
    "Exit-status: 0 = i orden, 1 = fejl eller problemer fundet, 2 = forkert brug.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

SpecOption = Annotated[
    Path | None,
    typer.Option(
        "--spec",
        help="Spec (TOML) for formularen og runden. Standard: den indbyggede.",
        exists=True,
        dir_okay=False,
    ),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Overskriv en eksisterende fil.")]
LangOption = Annotated[str, typer.Option("--lang", help="Beskedernes sprog: da eller en.")]


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


@app.command(
    "spec",
    help="Skriv den indbyggede spec (TOML) ud, så den kan kopieres og tilpasses en ny runde.",
)
def spec_command() -> None:
    """Print the built-in form spec (TOML), to copy and edit for a new round."""
    from .spec import default_spec_text

    sys.stdout.write(default_spec_text())


@app.command(
    "template",
    help="Lav en låst Excel-skabelon: én fil (-o) eller én pr. forvaltning i runden (--out-dir).",
)
def template_command(
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="Skabelonens fil (.xlsx).")
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out-dir", help="Lav én skabelon pr. forvaltning i runden, i denne mappe."),
    ] = None,
    spec: SpecOption = None,
    department: Annotated[
        str | None, typer.Option("--department", help="Forvaltningen, skabelonen er til.")
    ] = None,
    initiative: Annotated[
        list[str] | None,
        typer.Option("--initiative", help="En fast indsats (ét ark); kan gentages."),
    ] = None,
    blank: Annotated[
        int | None,
        typer.Option(
            "--blank",
            min=0,
            max=50,
            help="Antal ekstra tomme indsatsark, hvor sagsbehandleren selv skriver navnet.",
        ),
    ] = None,
    password: Annotated[
        str | None, typer.Option("--password", help="Adgangskode til arkbeskyttelsen (valgfri).")
    ] = None,
    prefill: Annotated[
        Path | None,
        typer.Option(
            "--prefill",
            exists=True,
            dir_okay=False,
            help="Forudfyld fra forvaltningens sidste indberetning (næste runde); kun med -o.",
        ),
    ] = None,
    prefill_spec: Annotated[
        Path | None,
        typer.Option(
            "--prefill-spec",
            exists=True,
            dir_okay=False,
            help="Spec for den sidste indberetning (standard: den indbyggede).",
        ),
    ] = None,
    force: ForceOption = False,
) -> None:
    """Generate a locked Excel template: one file (-o) or one per department (--out-dir)."""
    if (out is None) == (out_dir is None):
        raise typer.BadParameter("angiv enten -o FIL eller --out-dir MAPPE", param_hint="-o")
    check_xlsx(out)
    if prefill is not None and (out is None or department or initiative):
        raise typer.BadParameter(
            "--prefill bruges med -o og uden --department/--initiative", param_hint="--prefill"
        )
    from .spec import load_spec
    from .template import write_round, write_template

    try:
        loaded = load_spec(spec)
        if prefill is not None:
            from .prefill import write_prefilled

            last_spec = load_spec(prefill_spec) if prefill_spec else None
            carried = write_prefilled(out, loaded, prefill, last_spec, blank, password, force)
            for line in carried.dropped:
                typer.echo(f"Ikke overført: {line}", err=True)
            paths = [out]
        elif out_dir is not None:
            paths = write_round(out_dir, loaded, password=password, force=force)
        else:
            paths = [
                write_template(
                    out, loaded, department, initiative or (), blank, password=password, force=force
                )
            ]
    except Bilag4xlError as exc:
        fail(exc)
    for path in paths:
        typer.echo(f"Skrev {path}", err=True)


@app.command(
    "validate",
    help="Valider udfyldte skemaer (filer eller mapper): en tabel over problemer med ark og "
    "celle, så en linje med status. Exit-status 0 = alle i orden, 1 = problemer fundet.",
)
def validate_command(
    paths: Annotated[
        list[Path], typer.Argument(help="Filer og/eller mapper (.xlsx/.xlsm).", exists=True)
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Skriv rapporten som JSON.")] = False,
    lang: LangOption = "da",
    spec: SpecOption = None,
) -> None:
    """Validate files and folders; print a table (or JSON) and a summary line."""
    check_lang(lang)
    from .render import issues_table, progress_bar, report_data, summary_line, to_json
    from .spec import load_spec
    from .validate import validate_paths

    try:
        with progress_bar() as progress:
            run = validate_paths(paths, load_spec(spec), progress)
    except Bilag4xlError as exc:
        fail(exc)
    if not run.results and not run.skipped:
        raise typer.BadParameter("ingen .xlsx- eller .xlsm-filer fundet", param_hint="PATHS")
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


@app.command(
    "read",
    help="Læs én udfyldt indberetning (eller alle i en samlet projektmappe) og vis den "
    "(--json: som data). Exit-status 1 ved fejl.",
)
def read_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="Den udfyldte skabelon eller en samlet projektmappe (.xlsx).",
            exists=True,
            dir_okay=False,
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Skriv indberetningen som JSON.")] = False,
    spec: SpecOption = None,
) -> None:
    """Read one filled workbook; print it (or its JSON) and list its problems on stderr.

    A consolidated workbook (from `merge`) prints every submission that went into it."""
    from .consolidated_read import is_consolidated, open_consolidated
    from .merge_render import consolidated_data
    from .render import issues_table, submission_summary, to_json
    from .spec import load_spec
    from .validate import read_file

    try:
        loaded = load_spec(spec)
        if is_consolidated(file):  # it carries its spec; --spec is only checked against it
            book = open_consolidated(file, loaded if spec else None)
            unit = book.spec.round.unit
            text = "".join(submission_summary(s.to_json_data(), unit) for s in book.submissions)
            typer.echo(to_json(consolidated_data(book.submissions)) if as_json else text, nl=False)
            raise typer.Exit(0)
    except Bilag4xlError as exc:
        fail(exc)
    result = read_file(file, loaded)
    if result.submission is not None:
        data = result.submission.to_json_data()
        typer.echo(
            to_json(data) if as_json else submission_summary(data, loaded.round.unit), nl=False
        )
    if len(result.report):
        typer.echo(issues_table(result.report), err=True, nl=False)
    raise typer.Exit(0 if result.report.valid else 1)


@app.command(
    "feedback",
    help="Giv sagsbehandleren sin egen projektmappe tilbage: en ny skabelon med alle værdierne, "
    "hvor hver fejl er markeret med en kommentar og listet på arket 'Rettelser'. Med en mappe: "
    "én fil pr. indberetning med problemer (OUT er så en mappe).",
)
def feedback_command(
    path: Annotated[Path, typer.Argument(help="Indberetning (.xlsx) eller mappe.", exists=True)],
    out: Annotated[Path, typer.Option("-o", "--out", help="Feedbackfil, eller mappe.")],
    spec: SpecOption = None,
    lang: LangOption = "da",
    force: ForceOption = False,
) -> None:
    """Write feedback workbooks; exit 1 when a file could not be turned into one."""
    check_lang(lang)
    if not path.is_dir():
        check_xlsx(out)
    from .feedback import write_feedback, write_feedback_folder
    from .spec import load_spec

    language = "en" if lang == "en" else "da"
    try:
        loaded = load_spec(spec)
        if path.is_dir():
            results = write_feedback_folder([path], out, loaded, force, language)
        else:
            results = [write_feedback(path, out, loaded, force, language)]
    except Bilag4xlError as exc:
        fail(exc)
    for r in results:
        if r.out:
            typer.echo(f"Skrev {r.out} ({r.problems} problemer i {r.source.name})", err=True)
        elif r.reason:
            typer.echo(f"Fejl: {r.reason}", err=True)
    raise typer.Exit(1 if any(r.reason for r in results) else 0)


@app.command(
    "merge",
    help="Saml udfyldte skemaer (filer og mapper) i én projektmappe: oversigt, indsatser, kilder "
    "og valideringer. Intet skrives, hvis et skema har fejl (se --allow-invalid) eller en "
    "forvaltning har indberettet to gange (se --on-duplicate). Exit-status 1 ved fejl.",
)
def merge_command(
    paths: Annotated[
        list[Path], typer.Argument(help="Filer og/eller mapper (.xlsx/.xlsm).", exists=True)
    ],
    out: Annotated[Path, typer.Option("-o", "--out", help="Den samlede projektmappe (.xlsx).")],
    allow_invalid: Annotated[
        bool,
        typer.Option("--allow-invalid", help="Tag skemaer med fejl med (de markeres med rødt)."),
    ] = False,
    on_duplicate: Annotated[
        str,
        typer.Option(
            "--on-duplicate",
            help="To skemaer fra samme forvaltning: error (stop) eller latest (behold det nyeste "
            "efter forsidens dato, så filens tid).",
        ),
    ] = "error",
    force: ForceOption = False,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv rapporten som JSON.")] = False,
    spec: SpecOption = None,
) -> None:
    """Merge filled workbooks into one consolidated workbook; print the report and a summary."""
    if on_duplicate not in ("error", "latest"):
        raise typer.BadParameter("brug error eller latest", param_hint="--on-duplicate")
    check_xlsx(out)
    from .consolidated import merge_paths
    from .merge_render import merge_data, merge_summary
    from .render import issues_table, progress_bar, to_json
    from .spec import load_spec

    try:
        loaded = load_spec(spec)
        with progress_bar() as progress:
            run = merge_paths(
                paths,
                out,
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
        typer.echo(merge_summary(run))
    raise typer.Exit(0 if run.written else 1)


@app.command(
    "report",
    help="Lav bilaget (Bilag 4) som Word, Markdown eller HTML ud fra en samlet projektmappe "
    "eller én indberetning.",
)
def report_command(
    source: Annotated[
        Path, typer.Argument(help="Samlet projektmappe eller én indberetning (.xlsx).", exists=True)
    ],
    out: Annotated[Path, typer.Option("-o", "--out", help="Bilagets fil (.docx, .md, .html).")],
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="docx, md eller html. Standard: efter filendelsen."),
    ] = None,
    spec: SpecOption = None,
    force: ForceOption = False,
) -> None:
    """Render the annex from a consolidated workbook (or one submission) to docx, md or html."""
    from .annex import build_annex, format_for, render
    from .files import atomic_write
    from .sources import read_submissions
    from .spec import load_spec
    from .textsafe import count_texts, unsafe_for_xml

    try:
        chosen = format_for(out, fmt)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--format") from None
    try:
        batch = read_submissions(source, load_spec(spec) if spec else None)
        annex = build_annex(batch.submissions, batch.spec)
        atomic_write(out, render(annex, chosen), force=force)
    except Bilag4xlError as exc:
        fail(exc)
    typer.echo(f"Skrev {out}", err=True)
    removed = count_texts(annex, unsafe_for_xml)
    if removed:  # a workbook holds them, a document cannot: say so
        typer.echo(
            f"Bemærk: {removed} styretegn i teksterne (fx lodret tabulator) kan ikke stå i "
            "bilaget; de er fjernet eller gjort til linjeskift.",
            err=True,
        )


@app.command(
    "status",
    help="Vis rundens status: hvilke forvaltninger har indberettet gyldigt, og hvilke mangler. "
    "Exit-status 1, så længe noget mangler eller har fejl.",
)
def status_command(
    folder: Annotated[
        Path,
        typer.Argument(help="Mappen med indberetninger.", exists=True, file_okay=False),
    ],
    spec: SpecOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv status som JSON.")] = False,
) -> None:
    """Show each department's state in the round; exit 1 while any is missing or invalid."""
    import json

    from .spec import load_spec
    from .status import round_status, status_table

    try:
        status = round_status(folder, load_spec(spec))
    except Bilag4xlError as exc:
        fail(exc)
    if as_json:
        typer.echo(json.dumps(status.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(status_table(status))
    raise typer.Exit(0 if status.complete else 1)


def main() -> None:
    app()
