"""The command line speaks Danish throughout: help pages, usage errors, and where output goes."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilag4xl.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
TMF = ROOT / "examples" / "submissions" / "teknik-og-miljoeforvaltningen.xlsx"
COMMANDS = ["spec", "template", "validate", "read", "feedback", "merge", "report", "status"]
ENGLISH = re.compile(
    r"Usage|Options|Arguments|Commands|Show this message|\[default|\[required|<[a-z]+[\[\] ]"
)


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_is_danish_and_ends_with_an_example(command: str | None) -> None:
    result = runner.invoke(app, [command, "--help"] if command else ["--help"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith(f"Brug: bilag4xl {command or ''}".rstrip())
    assert "Tilvalg:" in text and "Vis denne hjælp og afslut." in text
    assert not ENGLISH.search(text), ENGLISH.search(text)
    example = text.rstrip().split("Eksempel")[-1]
    assert "bilag4xl " in example and text.rstrip().rfind("Eksempel") > text.rfind("Tilvalg:")


def test_no_arguments_shows_the_help() -> None:
    result = runner.invoke(app, [])
    assert result.exit_code == 0 and "Kommandoer:" in result.stdout


USAGE_ERRORS = {
    "missing file": (["validate", "findes-ikke.xlsx"], "forkert værdi for STI...: "
                     "'findes-ikke.xlsx' findes ikke"),
    "missing argument": (["validate"], "mangler STI..."),
    "missing option": (["merge", str(TMF)], "angiv den samlede projektmappe med -o FIL"),
    "option without value": (["template", "-o"], "tilvalget -o skal have en værdi"),
    "unknown option": (["validate", "--jsn", str(TMF)], "ukendt tilvalg: --jsn (mente du --json?)"),
    "unknown command": (["valider"], "ukendt kommando 'valider' (mente du 'validate'?)"),
    "not a number": (["template", "-o", "x.xlsx", "--blank", "tre"],
                     "forkert værdi for --blank: skal være et helt tal"),
    "out of range": (["template", "-o", "x.xlsx", "--blank", "99"],
                     "forkert værdi for --blank: må højst være 50"),
    "a folder, not a file": (["read", str(ROOT / "examples")], "er en mappe"),
    "a file, not a folder": (["status", str(TMF)], "er en fil, ikke en mappe"),
    "a bad choice": (["validate", str(TMF), "--lang", "sv"], "--lang: brug da eller en"),
    "too many arguments": (["read", str(TMF), str(TMF)], "for mange argumenter"),
}  # fmt: skip


@pytest.mark.parametrize(("args", "said"), USAGE_ERRORS.values(), ids=USAGE_ERRORS.keys())
def test_usage_errors_are_one_danish_line_with_exit_2(
    args: list[str], said: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Fejl: ") and said in last, result.stderr
    if "Brug:" in result.stderr:  # when the parser knew the command, its usage comes first
        assert result.stderr.startswith("Brug: bilag4xl") and "for hjælp." in result.stderr
    assert not ENGLISH.search(result.stderr) and "Error" not in result.stderr


def test_an_empty_folder_is_the_same_usage_error_for_validate_and_merge(tmp_path: Path) -> None:
    empty = tmp_path / "tom"
    empty.mkdir()
    validate = runner.invoke(app, ["validate", str(empty)])
    merge = runner.invoke(app, ["merge", str(empty), "-o", str(tmp_path / "s.xlsx")])
    assert validate.exit_code == merge.exit_code == 2
    assert (
        validate.stderr
        == merge.stderr
        == f"Fejl: ingen .xlsx- eller .xlsm-filer fundet i {empty}\n"
    )
    assert not (tmp_path / "s.xlsx").exists()


def test_an_error_is_said_in_the_language_asked_for_and_as_json_with_its_code(
    tmp_path: Path,
) -> None:
    empty = tmp_path / "tom"
    empty.mkdir()
    english = runner.invoke(app, ["validate", str(empty), "--lang", "en"])
    assert english.exit_code == 2
    assert english.stderr == f"Error: no .xlsx or .xlsm files found in {empty}\n"
    as_json = runner.invoke(app, ["validate", str(empty), "--json"])
    assert as_json.exit_code == 2
    assert json.loads(as_json.stdout) == {
        "error": {"code": "no-files", "message": f"ingen .xlsx- eller .xlsm-filer fundet i {empty}"}
    }
    both = runner.invoke(app, ["validate", str(empty), "--json", "--lang", "en"])
    assert json.loads(both.stdout)["error"]["message"].startswith("no .xlsx or .xlsm files")


def test_what_was_written_goes_to_stderr_and_results_to_stdout(tmp_path: Path) -> None:
    out = tmp_path / "samlet.xlsx"
    steps = {
        "template": ["template", "-o", str(tmp_path / "t.xlsx")],
        "merge": ["merge", str(TMF), "-o", str(out)],
        "report": ["report", str(out), "-o", str(tmp_path / "b.md")],
        "feedback": ["feedback", str(TMF), "-o", str(tmp_path / "r.xlsx")],
    }
    for name, args in steps.items():
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (name, result.output)
        assert "Skrev" in result.stderr and "Skrev" not in result.stdout, name


# What the `bilag4xl` script runs (named as it is, for the usage lines).
_CONSOLE = "import sys; sys.argv[0] = 'bilag4xl'; from bilag4xl.cli import main; main()"


@pytest.mark.parametrize(
    "args",
    [["--help"], ["validate", "--help"], ["merge", "--help"], ["validat", "x"], ["spec"]],
)
def test_the_console_command_says_what_the_whole_app_says(args: list[str]) -> None:
    """`bilag4xl` builds only the command asked for (the others stand in by name and help):
    the command list, a command's help, a mistyped command and a command's output are the
    same as from the app with every command built."""
    import subprocess
    import sys

    console = subprocess.run(
        [sys.executable, "-c", _CONSOLE, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "100"},
    )
    whole = CliRunner().invoke(app, args, env={"COLUMNS": "100"})
    assert console.returncode == whole.exit_code
    # (the help's lines break at the terminal's width, which CliRunner sets apart)
    assert console.stdout.split() == whole.stdout.split()
    assert console.stderr.split() == whole.stderr.split()
    assert console.stdout.strip() or console.stderr.strip()
