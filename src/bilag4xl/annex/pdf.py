"""The annex as PDF: the Word version, converted by LibreOffice (headless) when it is installed.

Why through LibreOffice and not a PDF library: the annex is published as PDF, and it must be
the same document as the .docx the secretariat may edit (same tables, page breaks, page
numbers). Without LibreOffice a PDF is refused with a message saying what to install or to
write .docx instead; a Word file is never written under a .pdf name.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from bilag4xl.errors import PdfUnavailableError

if TYPE_CHECKING:
    from bilag4xl.annex.model import Annex

INSTALL = "apt-get install libreoffice-writer-nogui"


def to_pdf(annex: Annex) -> bytes:
    """The annex as PDF bytes (LibreOffice converts the .docx)."""
    from bilag4xl import office
    from bilag4xl.annex.word import to_docx

    if office.soffice_path() is None:
        raise PdfUnavailableError(code="pdf-needs-libreoffice", install=INSTALL)
    with tempfile.TemporaryDirectory(prefix="bilag4xl-pdf-") as tmp:
        docx = Path(tmp) / "bilag4.docx"
        docx.write_bytes(to_docx(annex))
        try:
            return office.convert(docx, "pdf", Path(tmp) / "pdf").read_bytes()
        except office.LibreOfficeError as exc:
            raise PdfUnavailableError(code="pdf-failed", reason=exc, install=INSTALL) from exc
