"""The CLI as a person sees it: in a pseudo-terminal, where progress bars and colours run.

CliRunner and CI have no terminal, so code that only runs on a TTY is invisible to the other
tests. Here each command runs in a real pseudo-terminal, in a fresh process that cannot import
`click` (current typer no longer installs it; an `import click` once crashed every command in a
terminal), and must end without a traceback and with its documented exit status.
"""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
# A fresh install has no click: make `import click` fail as it would there.
LAUNCH = (
    "import sys; sys.modules['click'] = None; sys.argv[0] = 'bilag4xl'; "
    "from bilag4xl.cli import main; main()"
)


def in_terminal(*args: object, cwd: Path, timeout: float = 300) -> tuple[int, str]:
    """Run `bilag4xl ARGS` with stdin, stdout and stderr on a pseudo-terminal."""
    primary, secondary = pty.openpty()
    env = {**os.environ, "COLUMNS": "120", "LINES": "40", "TERM": "xterm-256color"}
    env.pop("CI", None)  # rich treats CI as "no live display"; a person's terminal has none
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, *map(str, args)],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        cwd=cwd,
        env=env,
        close_fds=True,
    )
    os.close(secondary)
    chunks = []
    try:
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # EIO: the process closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        code = process.wait(timeout=timeout)
    finally:
        os.close(primary)
        if process.poll() is None:
            process.kill()
    return code, b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """More submissions than the progress bar's threshold (copies of one department's)."""
    folder = tmp_path_factory.mktemp("mange")
    source = EXAMPLES / "submissions" / "teknik-og-miljoeforvaltningen.xlsx"
    for n in range(25):
        shutil.copyfile(source, folder / f"tmf_{n:02d}.xlsx")
    return folder


def assert_clean(output: str) -> None:
    assert "Traceback" not in output, output
    assert "Error" not in output and "Usage:" not in output, output


def test_template_in_a_terminal(tmp_path: Path) -> None:
    code, output = in_terminal("template", "--out-dir", tmp_path / "skabeloner", cwd=tmp_path)
    assert_clean(output)
    assert code == 0 and "Skrev" in output
    assert len(list((tmp_path / "skabeloner").glob("*.xlsx"))) == 7


def test_validate_of_the_examples_in_a_terminal(tmp_path: Path) -> None:
    code, output = in_terminal("validate", EXAMPLES, cwd=tmp_path)
    assert_clean(output)
    assert code == 1
    assert "tmf_haandudfyldt.xlsx" in output and "1 med fejl" in output


def test_validate_of_many_files_draws_a_progress_bar(tmp_path: Path, many: Path) -> None:
    code, output = in_terminal("validate", many, cwd=tmp_path)
    assert_clean(output)
    assert code == 0 and "Læser skemaer" in output and "25/25" in output
    assert "25 filer: 25 i orden" in output


def test_merge_of_many_files_draws_a_progress_bar(tmp_path: Path, many: Path) -> None:
    out = tmp_path / "samlet.xlsx"
    code, output = in_terminal("merge", many, "-o", out, cwd=tmp_path)
    assert_clean(output)
    assert code == 0 and "Læser skemaer" in output and out.exists()
    assert f"Skrev {out}" in output


def test_read_and_status_in_a_terminal(tmp_path: Path) -> None:
    tmf = EXAMPLES / "submissions" / "teknik-og-miljoeforvaltningen.xlsx"
    code, output = in_terminal("read", tmf, cwd=tmp_path)
    assert_clean(output)
    assert code == 0 and "I alt: 412.000" in output
    code, output = in_terminal("status", EXAMPLES / "submissions", cwd=tmp_path)
    assert_clean(output)
    assert code == 1 and "4 af 7 modtaget" in output


def test_usage_errors_and_help_in_a_terminal_are_danish(tmp_path: Path) -> None:
    code, output = in_terminal("validate", "findes-ikke.xlsx", cwd=tmp_path)
    assert_clean(output)
    assert code == 2 and "Fejl: forkert værdi for STI...: 'findes-ikke.xlsx' findes ikke" in output
    code, output = in_terminal("merge", "--help", cwd=tmp_path)
    assert_clean(output)
    assert code == 0 and "Brug: bilag4xl merge" in output and "Eksempel:" in output
