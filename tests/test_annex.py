"""The annex: Danish amounts, the document model, and its docx, Markdown and HTML versions."""

from __future__ import annotations

import copy
import datetime as dt
import io
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

import annex_seed
from annex_seed import (
    AARHUS,
    DEPARTMENT,
    NAMES,
    TEXTS,
    aarhus_spec,
    aarhus_submissions,
    seed_submission,
)
from bilag4xl.annex.formats import format_for, render
from bilag4xl.annex.markup import to_html, to_markdown
from bilag4xl.annex.model import EMPTY, UNUSED, Annex, build_annex
from bilag4xl.annex.word import CELL_PADDING_CM, LABEL_MIN_CM, overview_layout, text_cm
from bilag4xl.danish.numbers import Unit
from bilag4xl.form.spec import load_spec
from support import libreoffice as lo

SPEC = load_spec()


@pytest.fixture(scope="module")
def annex() -> Annex:
    return build_annex([seed_submission(SPEC)], SPEC)


@pytest.fixture(scope="module")
def docx_bytes(annex: Annex) -> bytes:
    return render(annex, "docx")


# --------------------------------------------------------------------------- model


def test_model_follows_the_seed(annex: Annex) -> None:
    assert annex.title == SPEC.title
    assert ("Sagsnr.", "2009-38725") in annex.facts
    assert ("Dokumentnr.", "2009-174004") in annex.facts
    (part,) = annex.parts
    assert part.name == DEPARTMENT
    assert ("Sagsbehandler", "Ida Nepper-Christensen") in part.facts
    assert ("Dato", "25.03.2009") in part.facts  # the cover's date stays with its department
    assert [s.title for s in part.initiatives] == list(NAMES)
    labels = [r.label for r in part.initiatives[0].rows]
    assert labels == [
        "Økonomi",
        "Målgruppe",
        "Beskriv aktiviteterne",
        "Indsatsens mål",
        "Hvordan bidrager indsatsen til mål i integrationspolitikken",
        "Planlagt opfølgning",
        "Status ift. målopfyldelse",
    ]


def test_choices_in_words_join_their_field(annex: Annex) -> None:
    rows = {r.label: r for r in annex.parts[0].initiatives[2].rows}
    follow = [(line.label, line.text) for line in rows["Planlagt opfølgning"].lines]
    assert follow[1:] == [("Evaluering", "begge"), ("Statistisk opfølgning", "Ja")]
    status = [(line.label, line.text) for line in rows["Status ift. målopfyldelse"].lines]
    assert status[-1] == ("Samlet vurdering", "delvist opfyldt")


def test_empty_answers_stay_visible(annex: Annex) -> None:
    rows = {r.label: r for r in annex.parts[0].initiatives[1].rows}
    assert all(line.empty for line in rows["Status ift. målopfyldelse"].lines)
    assert EMPTY in to_markdown(annex)


def test_overview_rows_and_totals(annex: Annex) -> None:
    table = annex.parts[0].overview
    assert table.header == (
        SPEC.overview.row_header,
        "2008",
        "2009",
        "2010",
        "2011",
        "Ikke fordelt på år",
        "I alt",
    )
    rows = {r.label: r for r in table.rows}
    assert rows["Aftaler om fleksibel udlejning"].cells == ("0", "0", "0", "0", "", "0")
    assert rows["Områdeløft"].cells[-1] == "130.000"
    assert rows["Områdeløft"].note == "Ca. 130 mio. kr."
    helhed = rows[NAMES[2]]
    assert helhed.note == "Ca. 282 mio. kr., heraf ca. 58 mio. kr. i kommunal medfinansiering"
    assert rows["Integrationsprojekter – samlet beløb*"].cells == ("",) * 6
    total = table.rows[-1]
    assert total.total and total.label == "I ALT"
    assert total.cells[-1] == "412.000"
    assert "412 mio. kr." in total.note
    assert table.footnote.startswith("*: Det er ikke alle udgifterne")


def test_several_departments_get_a_summary() -> None:
    other = seed_submission(
        SPEC,
        department="Kultur- og Fritidsforvaltningen",
        names=("Foreningsguider for nye borgere",),
        cover={"caseworker": "A. Andersen", "case_number": "2009-11111"},
    )
    annex = build_annex([seed_submission(SPEC), other], SPEC)
    assert [p.name for p in annex.parts] == [DEPARTMENT, "Kultur- og Fritidsforvaltningen"]
    assert ("Sagsnr.", "2009-38725") not in annex.facts  # differs: shown per department
    assert ("Sagsnr.", "2009-38725") in annex.parts[0].facts
    assert annex.summary is not None
    assert [r.label for r in annex.summary.rows] == [
        DEPARTMENT,
        "Kultur- og Fritidsforvaltningen",
        "I ALT",
    ]
    assert annex.summary.rows[-1].cells[-1] == "412.000"


# --------------------------------------------------------------------------- renderers


def _docx_text(data: bytes) -> tuple[str, list]:
    doc = Document(io.BytesIO(data))
    paragraphs = [p.text for p in doc.paragraphs]
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(paragraphs + cells), doc.tables


def test_docx_has_the_seed_texts_and_tables(docx_bytes: bytes) -> None:
    text, tables = _docx_text(docx_bytes)
    for name in NAMES:
        assert name in text
    for fields in TEXTS:
        assert fields["target_group"] in text
        assert fields["contribution"] in text
    assert "Evaluering: intern" in text
    assert "Samlet vurdering: delvist opfyldt" in text
    assert "412.000" in text and "412 mio. kr." in text
    overview = tables[-1]
    assert [c.text for c in overview.rows[0].cells][-1] == "I alt"
    assert overview.rows[-1].cells[0].text.startswith("I ALT")
    assert overview.rows[-1].cells[-1].text == "412.000"


def test_docx_looks_like_a_document(docx_bytes: bytes) -> None:
    doc = Document(io.BytesIO(docx_bytes))
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert round(section.left_margin.cm, 2) == 2.0
    assert doc.paragraphs[0].style.name == "Title"
    assert {p.style.name for p in doc.paragraphs} >= {"Heading 1", "Heading 2"}
    assert all(t.style.name == "Table Grid" for t in doc.tables[1:] if len(t.columns) > 2)
    assert SPEC.title in section.header.paragraphs[0].text
    footer_xml = section.footer.paragraphs[0]._p.xml
    assert " PAGE " in footer_xml and " NUMPAGES " in footer_xml
    assert doc.core_properties.title == SPEC.title


def test_markdown_overview_is_a_pipe_table(annex: Annex) -> None:
    md = to_markdown(annex)
    lines = md.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| Integrationsindsatser"))
    assert lines[header].endswith("| I alt |")
    assert lines[header + 1] == "|---|" + "---:|" * 6
    assert lines[header + 2].startswith("| Aftaler om fleksibel udlejning |")
    total = next(line for line in lines if line.startswith("| **I ALT**"))
    assert total.endswith("| **412.000** | **412.000** |")
    assert "Integrationsprojekter – samlet beløb\\*" in md
    assert "**Evaluering:** intern" in md


def test_user_text_is_escaped() -> None:
    texts = ({**TEXTS[0], "goal": "<script>alert('x')</script> a | b & c"}, *TEXTS[1:])
    annex = build_annex([seed_submission(SPEC, texts=texts)], SPEC)
    page = to_html(annex)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; a | b &amp; c" in page
    md = to_markdown(annex)
    assert "<script>" not in md
    assert "&lt;script&gt;" in md and "a \\| b &amp; c" in md
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page and "http" not in page


@pytest.mark.parametrize(
    ("name", "fmt", "expected"),
    [("a.docx", None, "docx"), ("a.MD", None, "md"), ("a.html", None, "html"),
     ("a.pdf", None, "pdf"), ("a", "md", "md")],
)  # fmt: skip
def test_format_for(name: str, fmt: str | None, expected: str) -> None:
    assert format_for(Path(name), fmt) == expected


def test_format_for_rejects_unknown() -> None:
    with pytest.raises(ValueError, match="ukendt format"):
        format_for(Path("a.docx"), "odt")


@pytest.mark.libreoffice
def test_libreoffice_converts_the_docx_to_pdf(docx_bytes: bytes, tmp_path: Path) -> None:
    source = tmp_path / "bilag4.docx"
    source.write_bytes(docx_bytes)
    pdf = lo.convert(source, "pdf", tmp_path)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 10_000


# --------------------------------------------------------------------------- a round in kr.

AARHUS_SPEC = aarhus_spec()


@pytest.fixture(scope="module")
def aarhus() -> Annex:
    return build_annex(aarhus_submissions(AARHUS_SPEC), AARHUS_SPEC)


def test_a_round_in_kroner_says_the_amounts_as_the_table_shows_them(aarhus: Annex) -> None:
    rows = {r.label: r for r in aarhus.parts[0].overview.rows}
    first, second = list(AARHUS["Sociale Forhold og Beskæftigelse"])
    assert rows[first].cells[-1] == "23.550.000" and rows[first].note == "23,55 mio. kr."
    assert rows[second].cells[-1] == "12.600.000"
    assert rows[second].note.startswith("Ca. 12,6 mio. kr., heraf ca. 4,15 mio. kr.")
    assert aarhus.subtitle.endswith("Beløb i kr.")


def test_overview_columns_fit_the_longest_amount(aarhus: Annex) -> None:
    """Every amount fits its column on one line (the I alt column wrapped "23.550.00" / "0"),
    and the label column keeps a readable width."""
    for table in (*(p.overview for p in aarhus.parts), aarhus.summary):
        widths, size = overview_layout(table)
        assert sum(widths) == pytest.approx(17.0)
        assert widths[0] >= LABEL_MIN_CM
        for j, width in enumerate(widths[1:]):
            longest = max(text_cm(r.cells[j], size, bold=True) for r in table.rows)
            assert width >= longest + CELL_PADDING_CM, (table.title, table.header[j + 1])
    # The seed's small amounts keep 9-point type and a wide label column.
    seed = build_annex([seed_submission(SPEC)], SPEC).parts[0].overview
    assert overview_layout(seed)[0][0] > 5 and overview_layout(seed)[1] == 9


def test_docx_overview_has_the_planned_widths_and_type(aarhus: Annex) -> None:
    doc = Document(io.BytesIO(render(aarhus, "docx")))
    table = next(t for t in doc.tables if t.rows[0].cells[-1].text == "I alt")
    widths, size = overview_layout(aarhus.parts[0].overview)
    assert [c.width.cm for c in table.columns] == pytest.approx(widths, abs=0.01)
    total = table.rows[-1].cells[-1].paragraphs[0].runs[0]
    assert total.text == "36.150.000" and total.font.size.pt == size < 9


# --------------------------------------------------------------------------- merged with errors


def test_submissions_merged_with_errors_are_named_at_the_top_and_at_their_part() -> None:
    subs = aarhus_submissions(AARHUS_SPEC)
    annex = build_annex(subs, AARHUS_SPEC, invalid={2})
    assert "1 indberetning med fejl" in annex.warning
    assert "Kultur og Borgerservice (aarhus_2.xlsx)" in annex.warning
    assert [bool(p.warning) for p in annex.parts] == [False, False, True]
    assert annex.summary.rows[2].note.endswith("Obs: har fejl, ikke godkendt")
    assert "Obs" not in annex.summary.rows[0].note
    docx_text = _docx_text(render(annex, "docx"))[0]
    for text in (to_markdown(annex), to_html(annex), docx_text):
        assert "Kultur og Borgerservice (aarhus_2.xlsx)" in text.replace("\\", "")
        assert text.count("taget med uden at være godkendt") == 2  # top and the part
    assert not build_annex(subs, AARHUS_SPEC).warning


@pytest.mark.libreoffice
def test_libreoffice_prints_every_amount_of_a_kroner_round_on_one_line(
    aarhus: Annex, tmp_path: Path
) -> None:
    from pdf_check import words

    source = tmp_path / "bilag4.docx"
    source.write_bytes(render(aarhus, "docx"))
    printed = {w.text for w in words(lo.convert(source, "pdf", tmp_path))}
    tables = [*(p.overview for p in aarhus.parts), aarhus.summary]
    amounts = {c for t in tables for r in t.rows for c in r.cells if len(c) > 7}
    assert "23.550.000" in amounts and "36.150.000" in amounts
    assert amounts <= printed, sorted(amounts - printed)
    assert "12,6" in printed and "13" not in printed


# --------------------------------------------------------------------------- issue 22


def test_the_annex_is_dated_the_day_it_is_made_or_the_day_asked_for() -> None:
    """It took the latest cover date (21.12.2026 on 06.12.2026)."""
    sub = seed_submission(SPEC)
    assert build_annex([sub], SPEC).facts[0] == ("Dato", dt.date.today().strftime("%d.%m.%Y"))
    assert build_annex([sub], SPEC, dt.date(2027, 1, 4)).facts[0] == ("Dato", "04.01.2027")


def test_one_amount_style_in_the_whole_annex(aarhus: Annex, monkeypatch) -> None:
    """ "Ca. 9,435 mio. kr." stood beside "Ca. 2.292.500 kr." in one table: millions only
    when every large amount can be said so exactly, else kroner throughout."""
    kroner = Unit("kr.")
    assert kroner.millions_style([23_550_000, 4_150_000, 999_999])
    assert not kroner.millions_style([23_550_000, 2_292_500])
    assert kroner.phrase(23_550_000, millions=False) == "23.550.000 kr."
    notes = [r.note for p in aarhus.parts for r in p.overview.rows if r.note]
    assert all("mio. kr." in n for n in notes)  # all whole thousands: millions throughout
    amounts = copy.deepcopy(AARHUS)
    first = next(iter(amounts.values()))
    next(iter(first.values()))["economy.years.2024"] += 500  # 23.550.500: not in millions
    monkeypatch.setattr(annex_seed, "AARHUS", amounts)
    mixed = build_annex(aarhus_submissions(AARHUS_SPEC), AARHUS_SPEC)
    tables = [*(p.overview for p in mixed.parts), mixed.summary]
    texts = [r.note for t in tables for r in t.rows if r.note]
    texts += [x.text for p in mixed.parts for s in p.initiatives for r in s.rows for x in r.lines]
    assert not [t for t in texts if "mio." in t]
    assert "Ca. 12.600.000 kr., heraf ca. 4.150.000 kr." in " ".join(texts)


def test_an_optional_field_nobody_filled_in_is_said_once() -> None:
    """ "(ikke udfyldt)" stood 17 times for an optional field nobody used."""
    subs = aarhus_submissions(AARHUS_SPEC)
    for sub in subs:
        sub.cover["unit"] = None
    annex = build_annex(subs, AARHUS_SPEC)
    label = AARHUS_SPEC.field("unit").label
    assert (UNUSED, f"{label} (af ingen forvaltning; feltet er udeladt nedenfor)") in annex.facts
    assert all(label not in dict(p.facts) for p in annex.parts)
    assert to_markdown(annex).count(label) == 1  # in the fact that names it, only
    subs[0].cover["unit"] = "Jobcenter Aarhus"  # one used it: the others say they did not
    annex = build_annex(subs, AARHUS_SPEC)
    assert UNUSED not in dict(annex.facts)
    assert [dict(p.facts)[label] for p in annex.parts] == ["Jobcenter Aarhus", EMPTY, EMPTY]


def test_overview_names_and_headers_break_only_between_words() -> None:
    """ "Forebyggelsesforvaltnin|gen" and "Integrationsindsatse|r" in the summary's label
    column: it is as wide as its longest word (bold) needs, whatever the amounts take."""
    subs = aarhus_submissions(AARHUS_SPEC)
    subs[1].cover["department"] = "Forebyggelsesforvaltningen"
    for sub in subs:
        for ini in sub.initiatives:
            ini.economy.years = {y: 123_456_789.0 for y in ini.economy.years}
    annex = build_annex(subs, AARHUS_SPEC)
    for table in (*(p.overview for p in annex.parts), annex.summary):
        widths, size = overview_layout(table)
        words = [*table.header[0].split(), *(w for r in table.rows for w in r.label.split())]
        for word in words:
            assert widths[0] >= text_cm(word, size, bold=True) + CELL_PADDING_CM, word


def test_no_overview_row_is_split_over_two_pages(aarhus: Annex) -> None:
    """The I ALT row (and its note) was split from its table."""
    doc = Document(io.BytesIO(render(aarhus, "docx")))
    overviews = [t for t in doc.tables if t.rows[0].cells[-1].text == "I alt"]
    assert len(overviews) == len(aarhus.parts) + 1
    for table in overviews:
        for row in table.rows:
            assert row._tr.trPr.find(qn("w:cantSplit")) is not None
        last = table.rows[-1].cells[0].paragraphs[0]
        assert last.text == "I ALT"
        before = table.rows[-2].cells[0].paragraphs[0].paragraph_format
        assert before.keep_with_next  # the rows before I ALT hold on to it


@pytest.mark.libreoffice
def test_libreoffice_prints_overview_names_and_headers_whole(tmp_path: Path) -> None:
    """LibreOffice printed "Forebyggelsesforvaltnin/gen" and "Integrationsindsatse/r"."""
    from pdf_check import words

    subs = aarhus_submissions(AARHUS_SPEC)
    subs[1].cover["department"] = "Forebyggelsesforvaltningen"
    source = tmp_path / "bilag4.docx"
    source.write_bytes(render(build_annex(subs, AARHUS_SPEC), "docx"))
    printed = [w.text for w in words(lo.convert(source, "pdf", tmp_path))]
    assert "Forebyggelsesforvaltningen" in printed
    assert printed.count("Integrationsindsatser") >= len(subs) + 1  # every overview's header
    broken = [t for t in printed if t in {"Forebyggelsesforvaltnin", "Integrationsindsatse"}]
    assert not broken
