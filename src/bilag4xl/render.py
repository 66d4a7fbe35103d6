"""Reports and submissions as text for the terminal: pure functions returning strings.

Shared by the CLI's read, validate, merge and status commands, so every command shows issues
the same way (a table, then a summary line) and `--json` has one shape.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .report import SEVERITY_DA, Issue, Lang, Report, Severity
from .textsafe import for_terminal

REPORT_SCHEMA = "bilag4xl/report/1"
HEADERS = {
    "da": ("fil", "ark", "celle", "felt", "alvor", "besked"),
    "en": ("file", "sheet", "cell", "field", "severity", "message"),
}
MESSAGE_WIDTH = 100


def severity_name(severity: Severity, lang: Lang = "da") -> str:
    return SEVERITY_DA[severity] if lang == "da" else str(severity)


def issues_table(issues: Iterable[Issue], lang: Lang = "da") -> str:
    """A plain-text table: file, sheet, cell, field, severity, message (one row per issue)."""
    rows = [
        (
            Path(i.file).name if i.file else "",
            i.sheet or "",
            i.cell or "",
            i.field or "",
            severity_name(i.severity, lang),
            i.message(lang),
        )
        for i in issues
    ]
    return table(HEADERS[lang], rows)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell; the last column is not padded."""
    if not rows:
        return ""
    widths = [max(len(str(r[c])) for r in [headers, *rows]) for c in range(len(headers) - 1)]

    def line(cells: Sequence[str]) -> str:
        padded = [str(c).ljust(w) for c, w in zip(cells, widths, strict=False)]
        return for_terminal("  ".join([*padded, str(cells[-1])]).rstrip())

    rule = "  ".join(["-" * w for w in widths] + ["-" * len(headers[-1])])
    return "\n".join([line(headers), rule, *(line(r) for r in rows)]) + "\n"


def summary_line(files: int, invalid: int, report: Report, lang: Lang = "da") -> str:
    """'3 filer: 2 i orden, 1 med fejl (2 fejl, 1 advarsel, 0 noter)'."""
    s = report.stats()
    if lang == "da":
        return (
            f"{files} {'fil' if files == 1 else 'filer'}: {files - invalid} i orden, "
            f"{invalid} med fejl ({s['error']} fejl, {s['warning']} "
            f"{'advarsel' if s['warning'] == 1 else 'advarsler'}, {s['info']} "
            f"{'note' if s['info'] == 1 else 'noter'})"
        )
    return (
        f"{files} {'file' if files == 1 else 'files'}: {files - invalid} valid, {invalid} with "
        f"errors ({s['error']} errors, {s['warning']} warnings, {s['info']} notes)"
    )


def report_data(
    files: Sequence[tuple[str, Report]],
    skipped: Sequence[tuple[str, str]] = (),
    lang: Lang = "da",
) -> dict[str, Any]:
    """The `--json` shape of a validation: overall result, then each file with its issues."""
    merged = Report([i for _, r in files for i in r])
    return {
        "schema": REPORT_SCHEMA,
        "valid": all(r.valid for _, r in files),
        "stats": {
            "files": len(files),
            "invalid_files": sum(not r.valid for _, r in files),
            "skipped": len(skipped),
            **merged.stats(),
        },
        "files": [{"file": name, **report.to_dict(lang)} for name, report in files],
        "skipped": [{"file": name, "reason": reason} for name, reason in skipped],
    }


def to_json(data: Any) -> str:
    """JSON as every command prints it: UTF-8 text, indented, keys in given order."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def submission_summary(data: dict[str, Any], unit: str) -> str:
    """A short human summary of a submission (its JSON data): who, what, how much."""
    cover = data["cover"]
    lines = [
        f"{cover.get('department') or '?'} – {data['source']['file']}",
        f"Sagsbehandler: {cover.get('caseworker') or '–'}   Dato: {cover.get('date') or '–'}",
        f"Indsatser ({len(data['initiatives'])}), beløb i {unit}:",
    ]
    for ini in data["initiatives"]:
        eco = ini["economy"]
        ca = "ca. " if eco.get("estimated") else ""
        lines.append(f"  {ini['name'] or '(uden navn)'}: {ca}{_number(eco['total'])}")
    lines.append(f"I alt: {_number(data['overview']['total'])}")
    return for_terminal("\n".join(lines)) + "\n"


def _number(value: float) -> str:
    from .amounts import format_number

    return format_number(value)


PROGRESS_MIN_FILES = 20
Progress = Callable[[int, int], None]


@contextmanager
def progress_bar(
    label: str = "Læser skemaer", min_files: int = PROGRESS_MIN_FILES
) -> Iterator[Progress | None]:
    """A progress callback drawing on stderr, only for a terminal and many files."""
    if not sys.stderr.isatty():
        yield None
        return
    import click

    bar: Any = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            if total < min_files:
                return
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        yield update
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
