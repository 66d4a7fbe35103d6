"""Text a workbook accepts is written safely by every output: .docx (control characters),
Markdown (pipes, line breaks), HTML (escaped) and the terminal (ANSI sequences)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from bilag4xl.cli.app import app
from bilag4xl.textsafe import for_terminal, for_xml
from hostile import (
    SHEET0,
    ansi_escape,
    edit_sheet,
    newline_in_name,
    set_cell,
    text_cell,
    valid,
    vertical_tab_text,
    write,
)

runner = CliRunner()


def test_for_xml_and_for_terminal() -> None:
    assert for_xml("a\x0bb\x0cc\x07d\x00") == "a\nb\ncd"
    assert for_xml("æøå\t\n") == "æøå\t\n"
    assert for_terminal("\x1b[31mrød\x1b[0m\r\x9b2J") == "␛[31mrød␛[0m␍\ufffd2J"
    assert for_terminal("linje 1\nlinje 2\tx") == "linje 1\nlinje 2\tx"


def test_docx_of_a_text_with_control_characters(tmp_path: Path) -> None:
    source = vertical_tab_text(tmp_path)
    out = tmp_path / "bilag.docx"
    result = runner.invoke(app, ["report", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 styretegn" in result.output
    body = zipfile.ZipFile(out).read("word/document.xml").decode()
    assert "Unge" in body and "og deres forældre" in body and "\x07" not in body


def _table_rows(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("|")]


def _cells(row: str) -> int:
    return len(re.findall(r"(?<!\\)\|", row)) - 1


def test_markdown_tables_survive_pipes_and_line_breaks(tmp_path: Path) -> None:
    source = newline_in_name(tmp_path)
    out = tmp_path / "bilag.md"
    result = runner.invoke(app, ["report", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert r"Sprogcafé \| fase 1<br>og fase 2" in text
    tables: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.startswith("|"):
            tables[-1].append(line)
        elif tables[-1]:
            tables.append([])
    for rows in filter(None, tables):
        assert {_cells(r) for r in rows} == {_cells(rows[0])}, rows
        assert all(r.endswith("|") for r in rows)


def test_html_escapes_and_drops_control_characters(tmp_path: Path) -> None:
    cell = text_cell("B13", "&lt;script&gt;alert(1)&lt;/script&gt; &amp;_x001B_[31m")
    source = write(tmp_path, "html", edit_sheet(valid(), SHEET0, set_cell("B13", cell)))
    out = tmp_path / "bilag.html"
    assert runner.invoke(app, ["report", str(source), "-o", str(out)]).exit_code == 0
    page = out.read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;[31m" in page
    assert "<script>" not in page and "\x1b" not in page


def test_no_escape_sequence_reaches_the_terminal(tmp_path: Path) -> None:
    source = ansi_escape(tmp_path)
    read = runner.invoke(app, ["read", str(source)])
    assert read.exit_code == 0 and "\x1b" not in read.output
    choice = text_cell("B25", "_x001B_[2Jintern")  # a choice field: the value is quoted
    bad = write(tmp_path, "bad", edit_sheet(valid(), SHEET0, set_cell("B25", choice)))
    validated = runner.invoke(app, ["validate", str(bad)])
    assert validated.exit_code == 1 and "␛[2Jintern" in validated.output
    assert "\x1b" not in validated.output
