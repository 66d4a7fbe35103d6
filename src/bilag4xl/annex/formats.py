"""The annex as a file: which formats there are, and the one function that renders each.

Kept apart from the document model (`annex.model`), which the renderers import: the model
decides what the annex says, the renderers only lay it out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from bilag4xl.annex.model import Annex

Format = Literal["docx", "md", "html", "pdf"]
FORMATS: tuple[Format, ...] = ("docx", "md", "html", "pdf")
SUFFIXES: dict[str, Format] = {
    ".docx": "docx",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".pdf": "pdf",
}


def render(annex: Annex, fmt: Format) -> bytes:
    """The annex as a file's bytes in one of FORMATS (PDF through LibreOffice, see annex.pdf)."""
    if fmt == "docx":
        from bilag4xl.annex.word import to_docx

        return to_docx(annex)
    if fmt == "pdf":
        from bilag4xl.annex.pdf import to_pdf

        return to_pdf(annex)
    from bilag4xl.annex.markup import to_html, to_markdown

    text = to_markdown(annex) if fmt == "md" else to_html(annex)
    return text.encode("utf-8")


def format_for(path: Path, fmt: str | None = None) -> Format:
    """The explicit format, else the one the file's suffix names, else docx."""
    chosen = fmt or SUFFIXES.get(path.suffix.lower(), "docx")
    if chosen not in FORMATS:
        raise ValueError(f"ukendt format {chosen!r}; vælg {', '.join(FORMATS)}")
    return chosen  # type: ignore[return-value]
