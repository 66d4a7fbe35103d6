"""The annex as a Word document (python-docx): A4, real styles, bordered tables, page numbers.

Why the care: the annex is attached to a committee's case as it is, so it must look like the
municipality's own documents — Title and Heading styles (so Word's navigation pane and a PDF's
bookmarks work), "Table Grid" tables with a shaded label column and a repeated header row,
and "Side X af Y" in the footer as real fields that Word and LibreOffice update.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING

from bilag4xl.annex.model import EMPTY, Annex, Line, Part, Table
from bilag4xl.textsafe import for_xml, map_texts

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table as DocxTable
    from docx.table import _Cell
    from docx.text.paragraph import Paragraph

FONT = "Arial"
DARK_BLUE = "1F3864"
GREY = "595959"
LABEL_FILL = "F2F2F2"
HEADER_FILL = "DBE5F1"
PAGE_MARGINS_CM = (2.0, 2.0, 2.5, 2.0)  # left, right, top, bottom
CONTENT_WIDTH_CM = 21.0 - PAGE_MARGINS_CM[0] - PAGE_MARGINS_CM[1]
LABEL_WIDTH_CM = 5.6
LABEL_MIN_CM = 3.5  # an overview's label column, when the amounts need the room
TABLE_FONT_PT = (9.0, 8.0, 7.5, 7.0)  # an overview's type, smaller only if amounts need it
NOTE_PT = 8.0  # small print: help texts, an overview's notes
CELL_PADDING_CM = 0.45  # "Table Grid" keeps 0.19 cm on each side of a cell's text
WARNING_FILL, WARNING_FONT = "FFC7CE", "9C0006"
# Widths in em of DejaVu Sans, which LibreOffice prints for Arial where Liberation Sans is
# missing: wider than Arial, so a column sized by it fits in Word as well.
EMS = {False: (0.64, 0.32, 0.6), True: (0.70, 0.38, 0.66)}  # digit, dot or space, other


def to_docx(annex: Annex) -> bytes:
    """The annex as .docx bytes (control characters, which a .docx cannot hold, cleaned)."""
    from docx import Document as new_document

    annex = map_texts(annex, for_xml)
    doc = new_document()
    _setup(doc, annex)
    doc.add_paragraph(annex.title, style="Title")
    doc.add_paragraph(annex.subtitle, style="Subtitle")
    if annex.warning:
        _warning(doc, annex.warning)
    _facts(doc, annex.facts)
    for part in annex.parts:
        _part(doc, part)
    if annex.summary:
        doc.add_heading(annex.summary.title, level=1)
        _overview(doc, annex.summary)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- page and styles


def _setup(doc: Document, annex: Annex) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    left, right, top, bottom = PAGE_MARGINS_CM
    section.left_margin, section.right_margin = Cm(left), Cm(right)
    section.top_margin, section.bottom_margin = Cm(top), Cm(bottom)
    section.header_distance = section.footer_distance = Cm(1.1)

    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(10)
    _set_fonts(normal)
    normal.paragraph_format.space_after = Pt(4)
    sizes = {"Title": 18, "Subtitle": 11, "Heading 1": 14, "Heading 2": 11.5, "Heading 3": 10.5}
    for name, size in sizes.items():
        style = styles[name]
        style.font.name, style.font.size = FONT, Pt(size)
        style.font.color.rgb = RGBColor.from_string(DARK_BLUE if name != "Subtitle" else GREY)
        style.font.italic = False
        _set_fonts(style)
    styles["Title"].paragraph_format.space_after = Pt(4)
    styles["Heading 1"].paragraph_format.space_before = Pt(18)
    styles["Heading 2"].paragraph_format.space_before = Pt(14)
    styles["Heading 2"].paragraph_format.space_after = Pt(4)
    _no_title_border(styles["Title"])
    _no_letter_spacing(styles["Subtitle"])

    _drop_thumbnail(doc)
    core = doc.core_properties
    core.title, core.subject, core.language = annex.title, annex.subtitle, "da-DK"
    core.author = core.last_modified_by = "bilag4xl"
    core.comments, core.revision = "", 1
    if annex.date:  # not the template's 2013 dates, and the same bytes for the same annex
        core.created = core.modified = dt.datetime.combine(annex.date, dt.time(12))

    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _small(header.add_run(annex.title))
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _small(footer.add_run("Side "))
    _field(footer, "PAGE", "1")
    _small(footer.add_run(" af "))
    _field(footer, "NUMPAGES", "1")


def _drop_thumbnail(doc: Document) -> None:
    """python-docx's built-in template carries a preview picture of another document."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    rels = doc.part.package.rels
    for key in [k for k, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        del rels[key]


def _set_fonts(style: object) -> None:
    """Set the font for every script and Danish proofing (python-docx sets only ascii/hAnsi)."""
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(theme), None)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:val"), "da-DK")


def _no_title_border(style: object) -> None:
    """The default template underlines Title with a blue rule; drop it for a plain letterhead."""
    from docx.oxml.ns import qn

    ppr = style.element.find(qn("w:pPr"))  # type: ignore[attr-defined]
    border = ppr.find(qn("w:pBdr")) if ppr is not None else None
    if border is not None:
        ppr.remove(border)


def _no_letter_spacing(style: object) -> None:
    """The default Subtitle spreads its letters; a letterhead line should read normally."""
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()  # type: ignore[attr-defined]
    for spacing in rpr.findall(qn("w:spacing")):
        rpr.remove(spacing)


def _small(run: object, italic: bool = False) -> None:
    from docx.shared import Pt, RGBColor

    run.font.size = Pt(NOTE_PT)  # type: ignore[attr-defined]
    run.font.color.rgb = RGBColor.from_string(GREY)  # type: ignore[attr-defined]
    run.font.italic = italic  # type: ignore[attr-defined]


def _field(paragraph: Paragraph, instruction: str, placeholder: str) -> None:
    """A complex field (begin, instruction, separate, cached result, end)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run_with(tag: str, **attrs: str) -> None:
        run = paragraph.add_run()
        _small(run)
        element = OxmlElement(tag)
        for key, value in attrs.items():
            element.set(qn(key), value)
        run._r.append(element)

    run_with("w:fldChar", **{"w:fldCharType": "begin"})
    instr = paragraph.add_run()
    _small(instr)
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    instr._r.append(code)
    run_with("w:fldChar", **{"w:fldCharType": "separate"})
    _small(paragraph.add_run(placeholder))
    run_with("w:fldChar", **{"w:fldCharType": "end"})


# --------------------------------------------------------------------------- content


def _facts(doc: Document, facts: tuple[tuple[str, str], ...]) -> None:
    """Letterhead facts ("Dato 25.03.2009") as a borderless two-column table."""
    if not facts:
        return
    from docx.shared import Pt

    widths = [3.5, CONTENT_WIDTH_CM - 3.5]
    table = doc.add_table(rows=0, cols=2)
    _grid_widths(table, widths)
    for key, value in facts:
        cells = table.add_row().cells
        _widths(cells, widths)
        for cell, text, bold in ((cells[0], key, True), (cells[1], value, False)):
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(1)
            paragraph.add_run(text).bold = bold
    doc.add_paragraph()


def _part(doc: Document, part: Part) -> None:
    doc.add_heading(part.name, level=1)
    if part.warning:
        _warning(doc, part.warning)
    _facts(doc, part.facts)
    for section in part.initiatives:
        doc.add_heading(section.title, level=2)
        widths = [LABEL_WIDTH_CM, CONTENT_WIDTH_CM - LABEL_WIDTH_CM]
        table = _grid(doc, widths)
        for row in section.rows:
            table_row = table.add_row()
            _keep_together(table_row)
            label, answer = table_row.cells
            _widths((label, answer), widths)
            _shade(label, LABEL_FILL)
            label.paragraphs[0].add_run(row.label).bold = True
            if row.help:
                _small(label.add_paragraph().add_run(row.help), italic=True)
            _answer(answer, row.lines)
            if row is section.rows[0]:  # the heading and the first two rows stay together
                for paragraph in (*label.paragraphs, *answer.paragraphs):
                    paragraph.paragraph_format.keep_with_next = True
    doc.add_heading(part.overview.title, level=2)
    _overview(doc, part.overview)


def _answer(cell: _Cell, lines: tuple[Line, ...]) -> None:
    """Each line (and each paragraph of a text) as its own paragraph; empties in grey."""
    first = True
    for line in lines:
        texts = [t for t in line.text.splitlines() if t.strip()] or [""]
        for n, text in enumerate(texts):
            paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
            first = False
            if line.label and n == 0:
                paragraph.add_run(f"{line.label}: ").bold = True
            if line.empty:
                run = paragraph.add_run(EMPTY)
                _small(run, italic=True)
                run.font.size = None
            else:
                paragraph.add_run(text)


def _warning(doc: Document, text: str) -> None:
    """A shaded paragraph in the flag colours of the workbooks (submissions with errors)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import RGBColor

    paragraph = doc.add_paragraph()
    shading = OxmlElement("w:shd")
    for key, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", WARNING_FILL)):
        shading.set(qn(key), value)
    paragraph._p.get_or_add_pPr().append(shading)
    run = paragraph.add_run(text)
    run.bold = True
    run.font.color.rgb = RGBColor.from_string(WARNING_FONT)


def overview_layout(table: Table) -> tuple[list[float], float]:
    """Column widths (cm) and font size (pt) of an overview: every amount on one line.

    The amount columns are as wide as the longest amount (bold, as in the I ALT row) or header
    word needs, all alike when that leaves room; the label column gets the rest, up to
    LABEL_WIDTH_CM. When it would get less than LABEL_MIN_CM, a smaller type is tried
    ("23.550.000" in a round in kr. wrapped over two lines)."""
    amounts = len(table.header) - 1
    for size in TABLE_FONT_PT:
        needed = [_column_cm(table, j, size) for j in range(amounts)]
        least = max(LABEL_MIN_CM, _label_cm(table, size))
        for widths in ([max(needed)] * amounts, needed):
            rest = CONTENT_WIDTH_CM - sum(widths)
            if rest >= least:
                label = max(least, min(rest, LABEL_WIDTH_CM))
                spare = (rest - label) / amounts
                return [label, *(w + spare for w in widths)], size
    size = TABLE_FONT_PT[-1]
    label = max(LABEL_MIN_CM, _label_cm(table, size))
    share = (CONTENT_WIDTH_CM - label) / amounts
    return [label, *[share] * amounts], size


def _column_cm(table: Table, j: int, size: float) -> float:
    texts = [row.cells[j] for row in table.rows] + table.header[j + 1].split()
    return max(text_cm(t, size, bold=True) for t in texts) + CELL_PADDING_CM


def _label_cm(table: Table, size: float) -> float:
    """The label column's least width: its longest word, in the header and the row labels
    (bold), and in the notes (8 pt), so that names break only between words
    ("Forebyggelsesforvaltnin|gen", "Integrationsindsatse|r")."""
    bold = [*table.header[0].split(), *(w for row in table.rows for w in row.label.split())]
    notes = [w for row in table.rows for w in row.note.split()]
    widest = max([text_cm(w, size, bold=True) for w in bold] + [text_cm(w, NOTE_PT) for w in notes])
    return widest + CELL_PADDING_CM


def text_cm(text: str, size: float, bold: bool = False) -> float:
    """The printed width of a short text (an amount, a word) in centimetres."""
    digit, dot, other = EMS[bold]
    ems = sum(digit if c.isdigit() else dot if c in ".,- " else other for c in text)
    return ems * size / 72 * 2.54


def _overview(doc: Document, table_data: Table) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    unit = doc.add_paragraph()
    unit.paragraph_format.keep_with_next = True
    _small(unit.add_run(table_data.unit_note), italic=True)
    widths, size = overview_layout(table_data)
    table = _grid(doc, widths)
    head = table.add_row()
    _repeat_header(head)
    for i, (cell, text) in enumerate(zip(head.cells, table_data.header, strict=True)):
        _shade(cell, HEADER_FILL)
        paragraph = cell.paragraphs[0]
        paragraph.add_run(text).bold = True
        if i:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in table_data.rows:
        cells = table.add_row().cells
        paragraph = cells[0].paragraphs[0]
        paragraph.add_run(row.label).bold = row.total
        if row.note:
            _small(cells[0].add_paragraph().add_run(row.note), italic=True)
        for cell, text in zip(cells[1:], row.cells, strict=True):
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.add_run(text).bold = row.total
        if row.total:
            for cell in cells:
                _shade(cell, LABEL_FILL)
    last = len(table.rows) - 1
    for n, row in enumerate(table.rows):
        _keep_together(row)  # the I ALT row and its note were split over two pages
        _widths(row.cells, widths)
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                # Keep the overview on one page, together with its heading.
                paragraph.paragraph_format.keep_with_next = n < last
                for run in paragraph.runs:
                    if run.font.size is None:
                        run.font.size = Pt(size)
    if table_data.footnote:
        _small(doc.add_paragraph().add_run(table_data.footnote), italic=True)


def _grid(doc: Document, widths: list[float]) -> DocxTable:
    from docx.shared import Pt

    table = doc.add_table(rows=0, cols=len(widths))
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    _grid_widths(table, widths)
    doc.add_paragraph().paragraph_format.space_after = Pt(2)
    return table


def _widths(cells: tuple[_Cell, ...] | list[_Cell], widths: list[float]) -> None:
    from docx.shared import Cm

    for cell, width in zip(cells, widths, strict=True):
        cell.width = Cm(width)


def _grid_widths(table: DocxTable, widths: list[float]) -> None:
    """Column widths in the table grid too: LibreOffice lays out by the grid, Word by cells."""
    from docx.shared import Cm

    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)


def _shade(cell: _Cell, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _keep_together(row: object) -> None:
    """Do not split a form row over two pages (Word still splits a row taller than a page)."""
    from docx.oxml import OxmlElement

    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # type: ignore[attr-defined]


def _repeat_header(row: object) -> None:
    """Mark a row as the table's header, repeated on every page the table spans."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)
