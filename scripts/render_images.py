"""Render the README's pictures of workbooks to docs/images/*.png.

Pipeline: workbook bytes (bilag4xl) → PDF (LibreOffice headless) → one page → PNG (pdftoppm).
A page is found by its running header (left: department, right: sheet name or the initiative's
header), which the template writes on every printed page, so the picture follows the layout.

To add a picture, add a `Picture` to PICTURES; pictures of the same workbook share one PDF.
Needs soffice (libreoffice-calc-nogui) and pdftoppm/pdftotext (poppler-utils).
Run: python scripts/render_images.py [NAME ...]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bilag4xl.form.layout import Layout, Role, plan
from bilag4xl.form.spec import load_spec
from bilag4xl.template.writer import build, resolve_initiatives

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the test helpers (tests/support), not installed

from support import libreoffice as lo  # noqa: E402
from support import seed  # noqa: E402

IMAGES = ROOT / "docs" / "images"
RESOLUTION = 70  # dpi: readable in a README, small in git
TMF = "Teknik- og Miljøforvaltningen"


@dataclass(frozen=True)
class Picture:
    """One PNG: which workbook (a function returning xlsx bytes and its layout), which page."""

    name: str
    workbook: Callable[[], tuple[bytes, Layout | None]]
    header: Callable[[Layout], str] | None = None  # the page's running header; None: page 1


# --------------------------------------------------------------------------- workbooks

SEED_VALUES = seed.values_by_path()


@cache
def tmf_template() -> tuple[bytes, Layout]:
    """The seed department's template, pre-filled with a few seed values so it looks real."""
    spec = load_spec()
    layout = plan(spec, TMF, resolve_initiatives(spec, TMF))
    return build(layout, SEED_VALUES), layout  # type: ignore[arg-type]  # dates are written as dates


def sheet_header(role: Role, index: int = 0) -> Callable[[Layout], str]:
    """The running header of a sheet's pages: the sheet name, or an initiative's header."""

    def header(layout: Layout) -> str:
        sheets = [s for s in layout.sheets if s.role is role]
        sheet = sheets[index]
        return sheet.header or sheet.name

    return header


@cache
def merged_examples() -> tuple[bytes, None]:
    """The consolidated workbook of examples/submissions (its first sheet is "Oversigt")."""
    from bilag4xl.consolidate.decide import merge
    from bilag4xl.consolidate.write import build_consolidated
    from bilag4xl.intake.validate import validate_paths

    spec = load_spec()
    run = validate_paths([ROOT / "examples" / "submissions"], spec)
    return build_consolidated(merge(run.results, spec)), None


PICTURES = (
    Picture("template-cover.png", tmf_template, sheet_header(Role.COVER)),
    Picture("template-initiative.png", tmf_template, sheet_header(Role.INITIATIVE, 0)),
    Picture("merged-overview.png", merged_examples),
)


# --------------------------------------------------------------------------- rendering


def page_of(pdf: Path, header: str) -> int:
    """The first page (1-based) whose running header ends with `header`."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    probe = header[:60]
    for number, page in enumerate(text.split("\f"), start=1):
        first = next((line for line in page.splitlines() if line.strip()), "")
        if probe in first:
            return number
    raise LookupError(f"no page of {pdf.name} has the header {header!r}")


def render(pictures: tuple[Picture, ...], work: Path) -> list[Path]:
    pdfs: dict[Callable[[], tuple[bytes, Layout | None]], tuple[Path, Layout | None]] = {}
    written = []
    for picture in pictures:
        if picture.workbook not in pdfs:
            data, layout = picture.workbook()
            xlsx = work / f"workbook{len(pdfs)}.xlsx"
            xlsx.write_bytes(data)
            pdfs[picture.workbook] = (lo.convert(xlsx, "pdf", work), layout)
        pdf, layout = pdfs[picture.workbook]
        page = page_of(pdf, picture.header(layout)) if picture.header and layout else 1
        out = IMAGES / picture.name
        out.parent.mkdir(parents=True, exist_ok=True)
        args = ["-png", "-r", str(RESOLUTION), "-f", str(page), "-l", str(page), "-singlefile"]
        subprocess.run(["pdftoppm", *args, str(pdf), str(out.with_suffix(""))], check=True)
        written.append(out)
    return written


def main(argv: list[str]) -> int:
    if lo.soffice_path() is None or not (shutil.which("pdftoppm") and shutil.which("pdftotext")):
        print(f"needs LibreOffice and poppler-utils: {lo.INSTALL_HINT} poppler-utils")
        return 2
    chosen = tuple(p for p in PICTURES if not argv or p.name in argv or p.name[:-4] in argv)
    if not chosen:
        print(f"unknown picture; choose from {', '.join(p.name for p in PICTURES)}")
        return 2
    with tempfile.TemporaryDirectory(prefix="bilag4xl-images-") as tmp:
        for path in render(chosen, Path(tmp)):
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
