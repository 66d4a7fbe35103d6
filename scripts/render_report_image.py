"""Render page 1 of the seed department's annex to docs/images/report-page1.png for the README.

Pipeline: Submission → annex .docx (bilag4xl) → PDF (LibreOffice headless) → PNG (pdftoppm).
The submission is read from examples/submissions/ when that example exists, else built from
the seed texts the tests use (tests/annex_seed.py), so the picture never waits for a workbook.

Needs: soffice (libreoffice-writer-nogui) and pdftoppm (poppler-utils); fonts-liberation2 for
Arial-metric text.  Run: python scripts/render_report_image.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bilag4xl.annex.formats import render
from bilag4xl.annex.model import build_annex
from bilag4xl.form.model import Submission
from bilag4xl.form.spec import Spec, load_spec

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "images" / "report-page1.png"
DEPARTMENT = "Teknik- og Miljøforvaltningen"


def seed_submission(spec: Spec) -> Submission:
    """The seed department: from the examples when they exist, else from the test seed."""
    try:
        from bilag4xl.intake.validate import read_file

        for path in sorted((ROOT / "examples" / "submissions").glob("*.xlsx")):
            result = read_file(path, spec)
            if result.submission and result.submission.department == DEPARTMENT:
                return result.submission
    except ImportError:
        pass
    sys.path.insert(0, str(ROOT / "tests"))
    from annex_seed import seed_submission as from_tests

    return from_tests(spec)


def main() -> int:
    sys.path.insert(0, str(ROOT / "tests"))  # the test helpers (tests/support), not installed
    from support import libreoffice as lo

    pdftoppm = shutil.which("pdftoppm")
    if lo.soffice_path() is None or not pdftoppm:
        print("needs soffice (libreoffice-writer-nogui) and pdftoppm (poppler-utils)")
        return 2
    spec = load_spec()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        docx = work / "bilag4.docx"
        docx.write_bytes(render(build_annex([seed_submission(spec)], spec), "docx"))
        pdf = lo.convert(docx, "pdf", work)
        prefix = work / "page"
        subprocess.run(
            [
                pdftoppm,
                "-png",
                "-r",
                "70",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(prefix),
            ],
            check=True,
            timeout=60,
        )
        OUT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(prefix.with_suffix(".png"), OUT)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
