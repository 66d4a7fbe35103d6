"""The command line's own words in Danish: help pages and usage errors.

typer prints English around the commands' Danish help ("Usage:", "Options:", "Show this
message and exit.", "Error: Invalid value for 'paths': path 'x' does not exist.") and shows
Python types as metavars ("<list[str]>"). bilag4xl's users are office staff in a Danish
secretariat, so the app's group and every command use the classes here: they write the help
page themselves (usage, arguments, options, commands, examples) and turn every usage error
into one Danish line; a library error (`Bilag4xlError`) likewise becomes one "Fejl: …" line
and its exit code, here and nowhere else. Everything that leans on typer's internals lives
in this module, and typer is bounded to the minor version the tests ran against.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

import typer
from typer._click.exceptions import (
    BadParameter,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer.core import TyperCommand, TyperGroup

from bilag4xl.errors import Bilag4xlError

HELP_OPTION = ("--help", "Vis denne hjælp og afslut.")
USAGE_EXIT = 2

# English that typer and its parsing still produce, and what it says in Danish.
_ENGLISH: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), danish)
    for pattern, danish in (
        (r"^(?:path|file|dir|directory) '(.*)' does not exist\.?$", "'{0}' findes ikke"),
        (
            r"^(?:path|file|dir|directory) '(.*)' is a directory\.?$",
            "'{0}' er en mappe, ikke en fil",
        ),
        (r"^(?:path|file|dir|directory) '(.*)' is a file\.?$", "'{0}' er en fil, ikke en mappe"),
        (r"^(?:path|file|dir|directory) '(.*)' is not readable\.?$", "'{0}' kan ikke læses"),
        (r"^Input should be a valid integer.*$", "skal være et helt tal"),
        (r"^Input should be a valid number.*$", "skal være et tal"),
        (r"^Input should be greater than or equal to (\S+)$", "skal være mindst {0}"),
        (r"^Input should be greater than (\S+)$", "skal være større end {0}"),
        (r"^Input should be less than or equal to (\S+)$", "må højst være {0}"),
        (r"^Input should be less than (\S+)$", "skal være mindre end {0}"),
        (r"^Option '(.*)' requires an argument\.?$", "tilvalget {0} skal have en værdi"),
        (r"^Option '(.*)' does not take a value\.?$", "tilvalget {0} tager ingen værdi"),
        (
            r"^No such command '(.*)'\. Did you mean '(.*)'\?$",
            "ukendt kommando '{0}' (mente du '{1}'?)",
        ),
        (r"^No such command '(.*)'\.?$", "ukendt kommando '{0}'"),
        (r"^Missing command\.?$", "der mangler en kommando"),
        (r"^Got unexpected extra argument(?:s|\(s\))? \((.*)\)$", "for mange argumenter: {0}"),
    )
)


def danish(message: str) -> str:
    """A message typer wrote in English, in Danish (unknown ones pass unchanged)."""
    for pattern, said in _ENGLISH:
        match = pattern.match(message.strip())
        if match:
            return said.format(*match.groups())
    return message


def param_name(param: Any) -> str:
    """How the user writes a parameter: "-o/--out" for an option, "STI..." for an argument."""
    if param is None:
        return ""
    if getattr(param, "param_type_name", "") == "argument":
        return metavar(param)
    return "/".join(param.opts)


def metavar(param: Any) -> str:
    """The placeholder shown for a parameter's value ("FIL", "STI...")."""
    name = param.metavar or (param.name or "").upper()
    many = getattr(param, "nargs", 1) == -1 or getattr(param, "multiple", False)
    return f"{name}..." if many and not name.endswith("...") else name


def error_line(exc: UsageError) -> str:
    """One usage error as the Danish line printed after "Fejl: "."""
    if isinstance(exc, NoSuchOption):
        maybe = sorted(exc.possibilities or ())
        hint = f" (mente du {' eller '.join(maybe)}?)" if maybe else ""
        return f"ukendt tilvalg: {exc.option_name}{hint}"
    if isinstance(exc, MissingParameter):
        param = exc.param
        if param is not None and getattr(param, "param_type_name", "") == "argument":
            return f"mangler {metavar(param)}"
        return f"mangler tilvalget {param_name(param) or exc.param_hint}"
    if isinstance(exc, BadParameter):
        hint = param_name(exc.param) or _hint(exc.param_hint)
        said = danish(exc.message)
        return f"forkert værdi for {hint}: {said}" if hint else f"forkert værdi: {said}"
    return danish(exc.message)


def _hint(hint: str | Sequence[str] | None) -> str:
    if hint is None:
        return ""
    return hint if isinstance(hint, str) else "/".join(hint)


def usage_line(ctx: typer.Context) -> str:
    """ "Brug: bilag4xl validate [TILVALG] STI..." """
    command = ctx.command
    pieces = ["[TILVALG]"]
    for param in command.get_params(ctx):
        if param.param_type_name == "argument":
            name = metavar(param)
            pieces.append(name if param.required else f"[{name}]")
    if isinstance(command, TyperGroup):
        pieces.append("KOMMANDO [ARGUMENTER]...")
    return f"Brug: {ctx.command_path} {' '.join(pieces)}"


def show_usage_error(exc: UsageError) -> None:
    """Print a usage error the Danish way: usage line, where to find help, the error."""
    ctx = exc.ctx
    lines = []
    if ctx is not None:
        lines += [usage_line(ctx), f"Se '{ctx.command_path} --help' for hjælp.", ""]
    lines.append(f"Fejl: {error_line(exc)}")
    typer.echo("\n".join(lines), err=True)


def _run(main: Any, args: Any, kwargs: dict[str, Any], said: Callable[[], dict[str, Any]]) -> Any:
    """Run click's main without its standalone printing, then exit the way it would; `said`
    gives what the command's options remembered (see `remember`)."""
    standalone = kwargs.pop("standalone_mode", True)
    try:
        result = main(*args, standalone_mode=False, **kwargs)
    except NoArgsIsHelpError as exc:
        if not standalone:
            raise
        typer.echo(exc.ctx.get_help())
        sys.exit(0)
    except UsageError as exc:
        if not standalone:
            raise
        show_usage_error(exc)
        sys.exit(USAGE_EXIT)
    except Bilag4xlError as exc:  # the one place a library error becomes "Fejl: ..."
        if not standalone:
            raise
        say_error(exc, said())
        sys.exit(exc.exit_code)
    except typer.Abort:
        if not standalone:
            raise
        typer.echo("Afbrudt.", err=True)
        sys.exit(130)
    if standalone:
        sys.exit(result if isinstance(result, int) else 0)
    return result


# A command's --lang and --json, remembered by their callbacks in the context's meta, so
# that a library error is said in the language asked for, and as JSON too.
LANG, JSON = "bilag4xl.lang", "bilag4xl.json"


def remember(key: str) -> Callable[[typer.Context, Any], Any]:
    """An option callback keeping the option's value in the context's meta under `key`."""

    def callback(ctx: typer.Context, value: Any) -> Any:
        ctx.meta[key] = value
        return value

    return callback


def say_error(exc: Bilag4xlError, said: dict[str, Any]) -> None:
    """A library error as one line on stderr, in English after --lang en; after --json also
    as {"error": {"code", "message"}} on stdout, so that a script gets its code."""
    from bilag4xl.cli.render import to_json
    from bilag4xl.textsafe import for_terminal

    lang = "en" if said.get(LANG) == "en" else "da"
    message = exc.message(lang)
    if said.get(JSON):
        typer.echo(to_json({"error": {"code": exc.code, "message": message}}), nl=False)
    typer.echo(f"{'Error' if lang == 'en' else 'Fejl'}: {for_terminal(message)}", err=True)


# --------------------------------------------------------------------------- help pages


def write_help(command: Any, ctx: typer.Context, formatter: Any) -> None:
    """The whole help page in Danish (see the module docstring)."""
    formatter.write(usage_line(ctx) + "\n")
    if command.help:
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(command.help)
    params = [p for p in command.get_params(ctx) if not getattr(p, "hidden", False)]
    arguments = [p for p in params if p.param_type_name == "argument"]
    options = [p for p in params if p.param_type_name == "option" and "--help" not in p.opts]
    if arguments:
        rows = [(metavar(p), _with_extras(p.help or "", p)) for p in arguments]
        _section(formatter, "Argumenter", rows)
    rows = [(_option_term(p), _with_extras(p.help or "", p)) for p in options]
    _section(formatter, "Tilvalg", [*rows, HELP_OPTION])
    if isinstance(command, TyperGroup):
        commands = [
            (name, cmd.short_help or cmd.help or "")
            for name in command.list_commands(ctx)
            if (cmd := command.get_command(ctx, name)) is not None and not cmd.hidden
        ]
        _section(formatter, "Kommandoer", commands)
    if command.epilog:
        formatter.write_paragraph()
        for line in command.epilog.strip("\n").splitlines():
            formatter.write(line.rstrip() + "\n")


def _section(formatter: Any, title: str, rows: list[tuple[str, str]]) -> None:
    if rows:
        with formatter.section(title):
            formatter.write_dl(rows)


def _option_term(param: Any) -> str:
    names = ", ".join([*param.opts, *param.secondary_opts])
    return names if param.is_flag else f"{names} {metavar(param)}"


def _with_extras(text: str, param: Any) -> str:
    extras = []
    default = param.default
    if param.param_type_name == "option" and not param.is_flag and default not in (None, ""):
        extras.append(f"standard: {default}")
    if param.required:
        extras.append("påkrævet")
    return f"{text}  [{'; '.join(extras)}]" if extras else text


class DanishCommand(TyperCommand):
    """A command whose help page is Danish."""

    def format_help(self, ctx: typer.Context, formatter: Any) -> None:
        write_help(self, ctx, formatter)


class DanishGroup(TyperGroup):
    """The app: Danish help, Danish usage errors (for every command below it)."""

    def format_help(self, ctx: typer.Context, formatter: Any) -> None:
        write_help(self, ctx, formatter)

    said: dict[str, Any]

    def invoke(self, ctx: typer.Context) -> Any:
        self.said = ctx.meta  # the commands' contexts share it: what their options remembered
        return super().invoke(ctx)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        self.said = {}
        return _run(super().main, args, kwargs, lambda: self.said)
