"""The annex as a Word document (python-docx): A4, real styles, bordered tables, page numbers.

Why the care: the annex is attached to a committee's case as it is, so it must look like the
municipality's own documents — Title and Heading styles (so Word's navigation pane and a PDF's
bookmarks work), "Table Grid" tables with a shaded label column and a repeated header row,
and "Side X af Y" in the footer as real fields that Word and LibreOffice update.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
from typing import TYPE_CHECKING, Any

from bilag4xl.annex.model import EMPTY, Annex, Line, Part, Table
from bilag4xl.textsafe import for_xml, map_texts

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table as DocxTable
    from docx.table import _Cell, _Row
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

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
# Elements made directly (lxml, in the document's tree), named as python-docx names them.
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
OFF = {W + "val": "0"}  # a switch set off, as python-docx writes False
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
# Widths in em of DejaVu Sans, which LibreOffice prints for Arial where Liberation Sans is
# missing: wider than Arial, so a column sized by it fits in Word as well.
EMS = {False: (0.64, 0.32, 0.6), True: (0.70, 0.38, 0.66)}  # digit, dot or space, other


def to_docx(annex: Annex) -> bytes:
    """The annex as .docx bytes (control characters, which a .docx cannot hold, cleaned)."""
    from docx import Document as new_document

    annex = map_texts(annex, for_xml)
    doc = new_document()
    _setup(doc, annex)
    body = _Body(doc)
    body.paragraph(annex.title, style="Title")
    body.paragraph(annex.subtitle, style="Subtitle")
    if annex.warning:
        _warning(body, annex.warning)
    _facts(body, annex.facts)
    for part in annex.parts:
        _part(body, part)
    if annex.summary:
        body.heading(annex.summary.title, level=1)
        _overview(body, annex.summary)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


class _Body:
    """Where the annex's blocks go, as python-docx's `Document.add_paragraph`, `add_heading`
    and `add_table` would put them, without what makes those quadratic in a long annex: at
    every block python-docx looks for the body's end (its section properties) among all the
    blocks before, the page width through every section, and a style by its name."""

    def __init__(self, doc: Document) -> None:
        from docx.shared import Emu

        self.doc = doc
        self.end = doc.element.body.sectPr  # the body's last child: blocks go before it
        section = doc.sections[-1]
        margins = (section.left_margin or 0) + (section.right_margin or 0)
        self.width = Emu((section.page_width or 0) - margins)
        self._styles: dict[tuple[str, int], str | None] = {}

    def style_id(self, name: str, kind: int) -> str | None:
        if (name, kind) not in self._styles:
            self._styles[name, kind] = self.doc.part.get_style_id(name, kind)  # type: ignore[arg-type]
        return self._styles[name, kind]

    def paragraph(self, text: str = "", style: str | None = None) -> Paragraph:
        from docx.enum.style import WD_STYLE_TYPE
        from docx.oxml import OxmlElement
        from docx.text.paragraph import Paragraph

        element = OxmlElement("w:p")
        self.end.addprevious(element)
        paragraph = Paragraph(element, self.doc._body)  # type: ignore[arg-type]
        if text:
            _run(paragraph, text)
        if style is not None:
            paragraph._p.style = self.style_id(style, WD_STYLE_TYPE.PARAGRAPH)
        return paragraph

    def heading(self, text: str, level: int) -> Paragraph:
        return self.paragraph(text, f"Heading {level}")

    def table(self, cols: int, style: str | None = None) -> DocxTable:
        from docx.enum.style import WD_STYLE_TYPE
        from docx.oxml.table import CT_Tbl
        from docx.table import Table as DocxTable

        element = CT_Tbl.new_tbl(0, cols, self.width)
        self.end.addprevious(element)
        if style is not None:
            element.tblStyle_val = self.style_id(style, WD_STYLE_TYPE.TABLE)
        return DocxTable(element, self.doc._body)  # type: ignore[arg-type]


def _run(
    paragraph: Paragraph, text: str, bold: bool | None = None, size: float | None = None
) -> Run:
    """`paragraph.add_run(text).bold = bold`, the same XML, made directly: python-docx turns
    a text into a run character by character, and finds a bold's place among every property a
    run may have; a run of ours has none before it."""
    from docx.shared import Pt
    from docx.text.run import Run
    from lxml.etree import SubElement

    if "\t" in text or "\n" in text or "\r" in text:  # python-docx's tab and break elements
        run = paragraph.add_run(text)
        run.bold = bold
        run.font.size = None if size is None else Pt(size)
        return run
    element = SubElement(paragraph._p, W + "r")
    if bold is not None or size is not None:
        properties = SubElement(element, W + "rPr")  # in the schema's order: b, then sz
        if bold is not None:
            SubElement(properties, W + "b", None if bold else OFF)
        if size is not None:
            SubElement(properties, W + "sz", {W + "val": _half_points(size)})
    if text:
        shown = SubElement(element, W + "t")
        shown.text = text
        if len(text.strip()) < len(text):  # as python-docx: spaces at an end are kept
            shown.set(XML_SPACE, "preserve")
    return Run(element, paragraph)  # type: ignore[arg-type]


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


def _half_points(size: float) -> str:
    """A font size as python-docx writes it (`w:sz`, in half points)."""
    from docx.shared import Pt

    return str(int(Pt(size).pt * 2))


def _small(run: object, italic: bool = False) -> None:
    """Small grey text (italic or not); made directly on a run without properties yet, in
    the schema's order (python-docx finds each one's place among all a run may have)."""
    from docx.shared import Pt, RGBColor
    from lxml.etree import SubElement

    element = run._r  # type: ignore[attr-defined]
    if element.rPr is None:
        properties = SubElement(element, W + "rPr")
        SubElement(properties, W + "i", None if italic else OFF)
        SubElement(properties, W + "color", {W + "val": GREY})
        SubElement(properties, W + "sz", {W + "val": _half_points(NOTE_PT)})
        element.insert(0, properties)  # a run's properties come first
        return
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


def _facts(body: _Body, facts: tuple[tuple[str, str], ...]) -> None:
    """Letterhead facts ("Dato 25.03.2009") as a borderless two-column table."""
    if not facts:
        return
    from docx.shared import Pt

    widths = [3.5, CONTENT_WIDTH_CM - 3.5]
    table = body.table(cols=2)
    _grid_widths(table, widths)
    rows = _Rows(table)
    for key, value in facts:
        _, cells = rows.add()
        for cell, text, bold in ((cells[0], key, True), (cells[1], value, False)):
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(1)
            _run(paragraph, text, bold)
    body.paragraph()


def _part(body: _Body, part: Part) -> None:
    body.heading(part.name, level=1)
    if part.warning:
        _warning(body, part.warning)
    _facts(body, part.facts)
    for section in part.initiatives:
        body.heading(section.title, level=2)
        widths = [LABEL_WIDTH_CM, CONTENT_WIDTH_CM - LABEL_WIDTH_CM]
        rows = _Rows(_grid(body, widths))
        for row in section.rows:
            table_row, (label, answer) = rows.add()
            _keep_together(table_row)
            _shade(label, LABEL_FILL)
            _run(label.paragraphs[0], row.label, bold=True)
            if row.help:
                _small(_run(label.add_paragraph(), row.help), italic=True)
            _answer(answer, row.lines)
            if row is section.rows[0]:  # the heading and the first two rows stay together
                for paragraph in (*label.paragraphs, *answer.paragraphs):
                    paragraph.paragraph_format.keep_with_next = True
    body.heading(part.overview.title, level=2)
    _overview(body, part.overview)


def _answer(cell: _Cell, lines: tuple[Line, ...]) -> None:
    """Each line (and each paragraph of a text) as its own paragraph; empties in grey."""
    first = True
    for line in lines:
        texts = [t for t in line.text.splitlines() if t.strip()] or [""]
        for n, text in enumerate(texts):
            paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
            first = False
            if line.label and n == 0:
                _run(paragraph, f"{line.label}: ", bold=True)
            if line.empty:
                run = _run(paragraph, EMPTY)
                _small(run, italic=True)
                run.font.size = None
            else:
                _run(paragraph, text)


def _warning(body: _Body, text: str) -> None:
    """A shaded paragraph in the flag colours of the workbooks (submissions with errors)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import RGBColor

    paragraph = body.paragraph()
    shading = OxmlElement("w:shd")
    for key, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", WARNING_FILL)):
        shading.set(qn(key), value)
    paragraph._p.get_or_add_pPr().append(shading)
    run = _run(paragraph, text, bold=True)
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


def _overview(body: _Body, table_data: Table) -> None:
    unit = body.paragraph()
    unit.paragraph_format.keep_with_next = True
    _small(_run(unit, table_data.unit_note), italic=True)
    widths, size = overview_layout(table_data)
    rows = _Rows(_grid(body, widths))
    last = len(table_data.rows)
    head, cells = rows.add()
    _repeat_header(head)
    _keep_together(head)
    for i, (cell, text) in enumerate(zip(cells, table_data.header, strict=True)):
        _shade(cell, HEADER_FILL)
        # Keep the overview on one page, together with its heading.
        paragraph = _placed(cell.paragraphs[0], keep=last > 0, right=i > 0)
        _run(paragraph, text, bold=True, size=size)
    for n, row in enumerate(table_data.rows, start=1):
        table_row, cells = rows.add()
        _keep_together(table_row)  # the I ALT row and its note were split over two pages
        paragraph = _placed(cells[0].paragraphs[0], keep=n < last)
        _run(paragraph, row.label, bold=row.total, size=size)
        if row.note:
            note = _placed(cells[0].add_paragraph(), keep=n < last)
            _small(_run(note, row.note), italic=True)
        for cell, text in zip(cells[1:], row.cells, strict=True):
            paragraph = _placed(cell.paragraphs[0], keep=n < last, right=True)
            _run(paragraph, text, bold=row.total, size=size)
        if row.total:
            for cell in cells:
                _shade(cell, LABEL_FILL)
    if table_data.footnote:
        _small(_run(body.paragraph(), table_data.footnote), italic=True)


def _placed(paragraph: Paragraph, keep: bool, right: bool = False) -> Paragraph:
    """`paragraph_format.keep_with_next = keep` and a right alignment, as python-docx writes
    them (in the order the schema wants), on a paragraph that has no properties yet."""
    from lxml.etree import SubElement

    properties = SubElement(paragraph._p, W + "pPr")
    SubElement(properties, W + "keepNext", None if keep else OFF)
    if right:
        SubElement(properties, W + "jc", {W + "val": "right"})
    paragraph._p.insert(0, properties)  # a paragraph's properties come first
    return paragraph


def _grid(body: _Body, widths: list[float]) -> DocxTable:
    from docx.shared import Pt

    table = body.table(len(widths), style="Table Grid")
    table.autofit = False
    _grid_widths(table, widths)
    body.paragraph().paragraph_format.space_after = Pt(2)
    return table


class _Rows:
    """New rows of a table, each a copy of its first, blank one: python-docx makes every cell
    anew (parsing its XML) and looks its width up in the grid."""

    def __init__(self, table: DocxTable) -> None:
        self.table = table
        self.blank: Any = None

    def add(self) -> tuple[_Row, list[_Cell]]:
        from docx.table import _Row

        if self.blank is None:
            row = self.table.add_row()
            self.blank = copy.deepcopy(row._tr)
        else:
            element = copy.deepcopy(self.blank)
            self.table._tbl.append(element)
            row = _Row(element, self.table)
        return row, _cells(row)


def _cells(row: _Row) -> list[_Cell]:
    """A row's cells (ours span no columns; python-docx's `row.cells` walks the table's grid)."""
    from docx.table import _Cell

    return [_Cell(tc, row.table) for tc in row._tr.tc_lst]


def _grid_widths(table: DocxTable, widths: list[float]) -> None:
    """Column widths in the table grid too: LibreOffice lays out by the grid, Word by cells."""
    from docx.shared import Cm

    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)


def _shade(cell: _Cell, fill: str) -> None:
    from lxml.etree import SubElement

    shading = {W + "val": "clear", W + "color": "auto", W + "fill": fill}
    SubElement(cell._tc.get_or_add_tcPr(), W + "shd", shading)


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
