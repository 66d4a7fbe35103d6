"""Rows as high as their text: the one estimate of wrapped lines, and where it is applied.

LibreOffice does not autofit the rows of an xlsx it opens (HAZARDS.md): a row whose height
is not written shows one line and the rest is printed over the next row. The LibreOffice
tests render the workbooks and look for words drawn over each other.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from bilag4xl.consolidate.decide import merge
from bilag4xl.consolidate.write import build_consolidated
from bilag4xl.feedback import write_feedback
from bilag4xl.form.layout import Role, plan
from bilag4xl.intake.validate import validate_paths
from bilag4xl.template.writer import build
from bilag4xl.xlsx.typography import LINE_HEIGHT, fit_width, line_height, text_height, text_lines
from filled import SPEC, TMF, layout_for
from pdf_check import overlapping, text, words
from support import libreoffice as lo

ROOT = Path(__file__).resolve().parents[1]
FAULTY = ROOT / "examples" / "faulty" / "tmf_haandudfyldt.xlsx"


def test_text_lines_follow_width_font_and_paragraphs() -> None:
    assert text_lines("kort", 30) == 1
    assert text_lines("x" * 100, 30) == 4  # 100 characters of ~1.1 units in 30
    assert text_lines("x" * 100, 60) == 2
    assert text_lines("x" * 100, 30, bold=True) == 4
    assert text_lines("x" * 100, 30, size=9) == 3  # smaller type, more per line
    assert text_lines("a\nb\n\nc", 30) == 4  # an empty paragraph is a line too
    assert text_height("x" * 100, 30) == 4 * LINE_HEIGHT
    assert text_height("x" * 10_000, 30) == 409  # Excel's highest row
    assert line_height(9) < LINE_HEIGHT


def test_fit_width_keeps_header_words_whole() -> None:
    assert fit_width("Heraf kommunal medfinansiering", 13) > 15 * 1.1
    assert fit_width("I alt", 13) == 13


def status_texts(layout) -> dict[tuple[str, int], str]:
    """Each completeness status with everything missing, where it is shown (also copied)."""
    missing = {
        f.pos: "Mangler: " + ", ".join(f.labels) for f in layout.formulas if f.op == "missing"
    }
    shown = {(p.sheet, p.row): t for p, t in missing.items()}
    for f in layout.formulas:
        if f.op == "text" and f.refs[0] in missing:
            shown[(f.pos.sheet, f.pos.row)] = missing[f.refs[0]]
    return shown


def test_status_rows_have_room_for_everything_missing() -> None:
    """The Vejledning status rows and each sheet's status: a blank sheet lists ~8 labels."""
    layout = layout_for(None, blank=3)
    widths = {s.name: s.widths for s in layout.sheets}
    instructions = layout.sheet(Role.INSTRUCTIONS).name
    shown = status_texts(layout)
    assert sum(sheet == instructions for sheet, _ in shown) == 4  # cover + 3 initiatives
    wrapped = 0
    for (sheet, row), status in shown.items():
        span = next(f.span for f in layout.formulas if (f.pos.sheet, f.pos.row) == (sheet, row))
        width = sum(widths[sheet][1 : 1 + span])
        needed = text_height(status, width, "status")
        wrapped += needed > LINE_HEIGHT
        assert layout.heights.get((sheet, row), LINE_HEIGHT) >= needed, (sheet, row)
    assert wrapped >= 6  # each initiative's status, here and on Vejledning: the test bites


def test_fixed_texts_have_room() -> None:
    """Every label, help text and header that wraps has a row high enough (instructions,
    cover, initiative sheets, overview), e.g. a long initiative name on the overview."""
    layout = layout_for()
    widths = {s.name: s.widths for s in layout.sheets}
    wrapped = 0
    for t in layout.texts:
        width = sum(widths[t.pos.sheet][t.pos.col : t.pos.col + t.span])
        needed = text_height(t.text, width, t.style)
        if needed > LINE_HEIGHT:
            wrapped += 1
            assert layout.heights.get((t.pos.sheet, t.pos.row), LINE_HEIGHT) >= needed, t
    assert wrapped > 20


@pytest.fixture(scope="module")
def feedback_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fb") / "rettelser.xlsx"
    write_feedback(FAULTY, out)
    return out


def test_every_correction_row_fits_its_message(feedback_file: Path) -> None:
    ws = openpyxl.load_workbook(feedback_file)[SPEC.sheets.feedback]
    widths = plan(SPEC, TMF, (), feedback=True).sheet(Role.FEEDBACK).widths
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    assert rows and any(len(r[3]) > widths[3] for r in rows)
    for n, values in enumerate(rows, start=5):
        needed = max(text_height(str(v or ""), w) for v, w in zip(values, widths, strict=True))
        assert ws.row_dimensions[n].height >= needed, values[3]


# --------------------------------------------------------------------------- LibreOffice


def rendered(tmp_path: Path, name: str, data: bytes) -> Path:
    source = tmp_path / name
    source.write_bytes(data)
    return lo.convert(source, "pdf", tmp_path)


@pytest.mark.libreoffice
def test_libreoffice_prints_templates_and_feedback_without_overlaps(
    feedback_file: Path, tmp_path: Path
) -> None:
    blank = build(layout_for(None, blank=3))
    for pdf in (
        rendered(tmp_path, "blank.xlsx", blank),
        rendered(tmp_path, "rettelser.xlsx", feedback_file.read_bytes()),
    ):
        assert not overlapping(pdf), overlapping(pdf)[:5]
        assert "medfinansiering" in text(pdf).split()  # the header word is not broken


@pytest.mark.libreoffice
def test_libreoffice_prints_the_consolidated_workbook_readably(tmp_path: Path) -> None:
    """No text over other text (the "Samlet pr. forvaltning" block did), headers whole,
    Danish digits in cells and on the chart's axis."""
    run = validate_paths([ROOT / "examples" / "submissions"], SPEC)
    pdf = rendered(tmp_path, "samlet.xlsx", build_consolidated(merge(run.results, SPEC)))
    assert not overlapping(pdf), overlapping(pdf)[:5]
    shown = text(pdf)
    assert "medfinansiering" in shown.split()
    assert "412.000" in shown and not re.search(r"\d,\d{3}\b", shown)
    axis = [
        w.text for w in words(pdf) if w.page == 2 and re.fullmatch(r"\d{1,3}(\.\d{3})+", w.text)
    ]
    assert "400.000" in axis  # a label of the chart's value axis (a page of its own)


@pytest.mark.libreoffice
def test_libreoffice_prints_the_chart_on_one_page_and_wide_sheets_readably(
    tmp_path: Path,
) -> None:
    """The chart began on page 1 and ended on page 2; "0Ca." ran two columns together;
    "Indsatser" and "Kilder" at one page wide were 4-point type (issue 22)."""
    run = validate_paths([ROOT / "examples" / "submissions"], SPEC)
    merged = merge(run.results, SPEC)
    pdf = rendered(tmp_path, "samlet.xlsx", build_consolidated(merged))
    assert not overlapping(pdf), overlapping(pdf)[:5]
    by_page: dict[int, list[str]] = {}
    for w in words(pdf):
        by_page.setdefault(w.page, []).append(w.text)
    chart = [p for p, texts in by_page.items() if "forvaltning" in texts and "(1.000" in texts]
    assert chart == [2]  # the chart's title, on the second page only
    assert {"2008", "2009", "2010", "2011"} <= set(by_page[2])  # and its legend, whole
    assert "Ca." in by_page[1] and not [t for t in by_page[1] if t.endswith("Ca.") and t != "Ca."]
    assert "(mangler)" in by_page[1]  # who is not in it, above the figures
    initiatives = [p for p, texts in by_page.items() if "Indsatser" in texts[:12]]
    assert len(initiatives) > 1  # over more pages across ...
    assert all("Nr." in by_page[p] and "Indsats" in by_page[p] for p in initiatives)  # keyed
    heights = [w.y1 - w.y0 for w in words(pdf) if w.page == initiatives[-1] and w.text == "Nr."]
    assert min(heights) > 5  # points: read without a magnifier (it was under 3)
