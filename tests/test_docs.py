"""The README stays true to the code: every command documented, the two commands exact."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from bilag4xl.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")


def commands() -> dict[str, object]:
    return typer.main.get_command(app).commands  # type: ignore[attr-defined]


def test_every_command_has_help_and_is_in_the_readme() -> None:
    assert len(commands()) >= 8
    for name, command in commands().items():
        assert (command.help or "").strip(), f"{name} has no help text"
        assert f"`bilag4xl {name}" in README, f"{name} is missing from README.md"
        for param in command.params:
            if param.param_type_name == "option" and param.name != "help":
                assert (param.help or "").strip(), f"{name} {param.opts} has no help"


def sh_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, re.S)


def test_the_two_commands_and_ci() -> None:
    first, second = (block.strip() for block in sh_blocks()[:2])
    assert first.startswith("pip install") and "bilag4xl template" in first
    assert "bilag4xl merge examples/submissions" in first
    assert second.startswith("pip install") and "pytest" in second
    assert second in (ROOT / ".ci" / "run").read_text("utf-8")


def test_pictures_referenced_in_the_readme_exist() -> None:
    for path in re.findall(r"\]\((docs/images/[^)]+)\)", README):
        assert (ROOT / path).is_file(), path
