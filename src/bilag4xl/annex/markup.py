"""The annex as Markdown (pipe tables) and as one self-contained, escaped HTML page.

Every text that came from a submission is escaped here: a caseworker's "<script>" or "|"
must print as typed and never become markup.
"""

from __future__ import annotations

import html
import re

from bilag4xl.annex.model import EMPTY, Annex, Line, Row, Table
from bilag4xl.textsafe import for_xml

# --------------------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def md_escape(text: str) -> str:
    """Escape Markdown syntax and HTML, and keep a cell on one line (a line break in a name
    would end a table row)."""
    lines = for_xml(text).splitlines() or [""]
    return "<br>".join(_MD_SPECIAL.sub(r"\\\1", html.escape(line, quote=False)) for line in lines)


def _md_cell(text: str) -> str:
    return "<br>".join(md_escape(p) for p in text.splitlines() if p.strip())


def _md_line(line: Line) -> str:
    text = _md_cell(line.text) if not line.empty else f"*{EMPTY}*"
    return f"**{md_escape(line.label)}:** {text}" if line.label else text


def _md_row(row: Row) -> str:
    label = f"**{md_escape(row.label)}**"
    if row.help:
        label += f"<br>*{md_escape(row.help)}*"
    answer = "<br>".join(_md_line(line) for line in row.lines)
    return f"| {label} | {answer} |"


def _md_table(table: Table, heading: str) -> list[str]:
    out = [f"{heading} {md_escape(table.title)}", "", f"*{md_escape(table.unit_note)}*", ""]
    out.append("| " + " | ".join(md_escape(h) for h in table.header) + " |")
    out.append("|" + "---|" + "---:|" * (len(table.header) - 1))
    for row in table.rows:
        label = md_escape(row.label)
        if row.total:
            label = f"**{label}**"
        if row.note:
            label += f"<br>*{md_escape(row.note)}*"
        cells = [f"**{c}**" if row.total and c else c for c in map(md_escape, row.cells)]
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    if table.footnote:
        out += ["", md_escape(table.footnote)]
    return out


def _md_warning(text: str) -> list[str]:
    """A submission with errors, as a quote block that stands out ("" gives nothing)."""
    return [f"> **{md_escape(text)}**", ""] if text else []


def to_markdown(annex: Annex) -> str:
    """The annex as GitHub-flavoured Markdown."""
    out = [f"# {md_escape(annex.title)}", "", md_escape(annex.subtitle), ""]
    out += _md_warning(annex.warning)
    out += [f"- **{md_escape(k)}:** {md_escape(v)}" for k, v in annex.facts]
    for part in annex.parts:
        out += ["", f"## {md_escape(part.name)}", ""]
        out += _md_warning(part.warning)
        out += [f"- **{md_escape(k)}:** {md_escape(v)}" for k, v in part.facts]
        for section in part.initiatives:
            out += ["", f"### {md_escape(section.title)}", "", "| Felt | Svar |", "|---|---|"]
            out += [_md_row(row) for row in section.rows]
        out += ["", *_md_table(part.overview, "###")]
    if annex.summary:
        out += ["", *_md_table(annex.summary, "##")]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- HTML

CSS = """
@page { size: A4; margin: 2cm; }
body { font-family: Arial, "Liberation Sans", Helvetica, sans-serif; font-size: 10.5pt;
       color: #1a1a1a; max-width: 17cm; margin: 2em auto; line-height: 1.35; }
h1 { font-size: 17pt; color: #1f3864; margin-bottom: .2em; }
h2 { font-size: 14pt; color: #1f3864; border-bottom: 1px solid #8eaadb; margin-top: 2em; }
h3 { font-size: 11.5pt; color: #1f3864; margin: 1.4em 0 .4em; }
.subtitle { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 1em; }
th, td { border: 1px solid #808080; padding: 4px 6px; vertical-align: top; text-align: left; }
th { background: #dbe5f1; }
td.label { width: 34%; background: #f2f2f2; font-weight: bold; }
.help { display: block; font-weight: normal; font-style: italic; color: #666; font-size: 9pt; }
.empty { color: #888; font-style: italic; }
td p { margin: 0 0 .3em; }
.facts td { border: none; padding: 1px 8px 1px 0; }
.facts td:first-child { font-weight: bold; width: 9em; }
table.overview td.num, table.overview th.num { text-align: right; white-space: nowrap; }
table.overview tr.total td { font-weight: bold; border-top: 2px solid #1a1a1a; }
.note { display: block; font-weight: normal; font-style: italic; color: #444; font-size: 9pt; }
.unit, .footnote { font-size: 9pt; color: #444; }
.warning { background: #ffc7ce; color: #9c0006; font-weight: bold; padding: 4px 8px; }
"""


def _h(text: str) -> str:
    return html.escape(for_xml(text), quote=True)


def _html_text(text: str) -> str:
    return "<br>".join(_h(p) for p in text.splitlines() if p.strip())


def _html_line(line: Line) -> str:
    text = _html_text(line.text) if not line.empty else f'<span class="empty">{EMPTY}</span>'
    body = f"<strong>{_h(line.label)}:</strong> {text}" if line.label else text
    return f"<p>{body}</p>"


def _html_facts(facts: tuple[tuple[str, str], ...]) -> list[str]:
    if not facts:
        return []
    rows = "".join(f"<tr><td>{_h(k)}</td><td>{_h(v)}</td></tr>" for k, v in facts)
    return [f'<table class="facts">{rows}</table>']


def _html_table(table: Table, heading: str) -> list[str]:
    out = [
        f"<{heading}>{_h(table.title)}</{heading}>",
        f'<p class="unit">{_h(table.unit_note)}</p>',
    ]
    head = "".join(
        f"<th{'' if i == 0 else ' class=num'}>{_h(h)}</th>" for i, h in enumerate(table.header)
    )
    out.append(f'<table class="overview"><thead><tr>{head}</tr></thead><tbody>')
    for row in table.rows:
        note = f'<span class="note">{_h(row.note)}</span>' if row.note else ""
        cells = "".join(f'<td class="num">{_h(c)}</td>' for c in row.cells)
        css = ' class="total"' if row.total else ""
        out.append(f"<tr{css}><td>{_h(row.label)}{note}</td>{cells}</tr>")
    out.append("</tbody></table>")
    if table.footnote:
        out.append(f'<p class="footnote">{_h(table.footnote)}</p>')
    return out


def _html_warning(text: str) -> list[str]:
    return [f'<p class="warning">{_h(text)}</p>'] if text else []


def to_html(annex: Annex) -> str:
    """The annex as one HTML page with its stylesheet inline (prints on A4)."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="da"><head><meta charset="utf-8">',
        f"<title>{_h(annex.title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_h(annex.title)}</h1>",
        f'<p class="subtitle">{_h(annex.subtitle)}</p>',
        *_html_warning(annex.warning),
        *_html_facts(annex.facts),
    ]
    for part in annex.parts:
        out += [f"<h2>{_h(part.name)}</h2>", *_html_warning(part.warning)]
        out += _html_facts(part.facts)
        for section in part.initiatives:
            out += [f"<h3>{_h(section.title)}</h3>", "<table>"]
            for row in section.rows:
                help_ = f'<span class="help">{_h(row.help)}</span>' if row.help else ""
                answer = "".join(_html_line(line) for line in row.lines)
                out.append(
                    f'<tr><td class="label">{_h(row.label)}{help_}</td><td>{answer}</td></tr>'
                )
            out.append("</table>")
        out += _html_table(part.overview, "h3")
    if annex.summary:
        out += _html_table(annex.summary, "h2")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
