"""The README stays true to the code: every command documented, the two commands exact."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
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
    assert first.startswith("pip install -e . && bilag4xl init out/runde")
    for step in ("template", "receive ../../examples/submissions", "merge", "report"):
        assert f"bilag4xl {step}" in first, step
    assert second.startswith("pip install") and "pytest" in second
    assert second in (ROOT / ".ci" / "run").read_text("utf-8")


def test_the_first_command_runs_a_round_twice_alike(tmp_path: Path) -> None:
    """The first command without its install, in a copy of the examples: a round is made,
    received, merged and reported; run again, nothing is received twice."""
    first = sh_blocks()[0].strip().removeprefix("pip install -e . && ")
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    bin_dir = tmp_path / "bin"  # `bilag4xl` is this interpreter's, installed or not
    bin_dir.mkdir()
    (bin_dir / "bilag4xl").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m bilag4xl "$@"\n')
    (bin_dir / "bilag4xl").chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    runs = [
        subprocess.run(["sh", "-c", first], cwd=tmp_path, env=env, capture_output=True, text=True)
        for _ in range(2)
    ]
    assert [r.returncode for r in runs] == [0, 0], runs[-1].stderr
    assert "4 modtaget, 0 allerede modtaget, 0 afvist." in runs[0].stdout
    assert "0 modtaget, 4 allerede modtaget, 0 afvist." in runs[1].stdout
    folder = tmp_path / "out" / "runde"
    assert (folder / "samlet.xlsx").is_file() and (folder / "bilag4.docx").is_file()
    assert len(list((folder / "skabeloner").glob("*.xlsx"))) == 7


def test_the_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (code,) = re.findall(r"## From Python.*?```python\n(.*?)```", README, re.S)
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {})
    said = printed.getvalue()
    assert "new examples/faulty/tmf_haandudfyldt.xlsx" in said
    assert "email-invalid Forside!B12" in said
    assert "out/python-runde/samlet.xlsx 4" in said


def test_the_spec_example_uses_only_keys_the_spec_knows() -> None:
    from bilag4xl.form.spec import Department, EconomyLabels, FieldSpec, RoundSpec, Spec

    (text,) = re.findall(r"## The spec format.*?```toml\n(.*?)```", README, re.S)
    data = tomllib.loads(text)
    assert set(data) <= set(Spec.model_fields) | {"round", "initiative", "economy", "overview"}
    assert set(data["round"]) - {"departments"} <= set(RoundSpec.model_fields)
    for department in data["round"]["departments"]:
        assert set(department) <= set(Department.model_fields)
    for field in data["initiative"]["fields"]:
        assert set(field) <= set(FieldSpec.model_fields)
    assert set(data["economy"]) <= set(EconomyLabels.model_fields)
    # and the keys named in its comments
    named = re.findall(
        r"(?<!= )\b(\w+) \(|\b(\w+) = ", text.split("# also:")[1].split("[economy]")[0]
    )
    assert {a or b for a, b in named} <= set(FieldSpec.model_fields)


def test_pictures_referenced_in_the_readme_exist() -> None:
    for path in re.findall(r"\]\((docs/images/[^)]+)\)", README):
        assert (ROOT / path).is_file(), path
