"""What python-calamine does not say about a worksheet's cells, read from the sheet's XML.

calamine gives each cell's cached value and nothing else: a formula without a saved result,
an error value (#REF!), a cell written twice, a shared-string reference that is not a number
or a number with more digits than a double holds all come back as an empty cell or a
rounded value. And it allocates a sheet as one dense grid from A1 to the last cell, so a
cell at XFD1048576 makes it allocate terabytes and abort the process. This module finds all
of that in the bytes, before calamine sees them, so that nothing is lost without a word and
nothing is allocated for a cell beyond the limits.

Speed: this runs for every sheet of every file, so each question is one C-speed pass
(a search, `bytes.count`) over the first `<sheetData>` (the only one calamine reads), and
Python-level work happens only for what is found. Most sheets have only small references
(A1 to Z99): one search says so, and their cells are not compared one by one. The passes
need every cell tag in the form Excel, LibreOffice, openpyxl and xlsxwriter write, one
reference first, `<c r="B8" ...>`; anything else (namespace prefixes, cells without a
reference, a second reference) is first rewritten into that form with the positions
calamine gives such cells (`_canonical`). Error values are found whatever their quoting;
the other type checks expect the writers' (double quotes, the type the last attribute).
"""

from __future__ import annotations

import functools
import html
import operator
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Context, Decimal, InvalidOperation

from bilag4xl.errors import UnreadableWorkbook
from bilag4xl.form.limits import Limits
from bilag4xl.xlsx import excel

Cell = tuple[int, int]  # 0-based (row, col)
NO_CELL: Cell = (-1, -1)

# A cell reference as Excel, LibreOffice, openpyxl and xlsxwriter write it, and one that
# is small (column A-Z, row 1-99): a sheet whose cells are all small is allocated little.
_REF = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"')
# A cell tag but a small one with no second reference (calamine reads the last "r" of a tag,
# so <c r="A1" r="XFD1048576"> is a cell at XFD1048576).
_NOT_SMALL = re.compile(rb'<c(?! r="[A-Z][1-9][0-9]?"(?:(?!\sr\s*=)[^>])*>)')
_TWO_REFS = re.compile(rb"<c(?=\s)[^>]*?\sr\s*=[^>]*?\sr\s*=")
SMALL: Cell = (98, 25)  # the furthest cell of a sheet of small references: Z99
_LETTERS = re.compile(rb"[A-Z]+")
# An element of the sheet data with a namespace prefix (calamine reads <x:c> as a cell).
_PREFIXED = re.compile(rb":(?:c|f|v|is|t|r|row)[\s/>]")
_FORMULA = re.compile(rb"<f\b([^>]*?)(?:/>|>([^<]*)</f>)")
_ATTR = re.compile(rb"\b(t|si|ref)=\"([^\"]*)\"")
_ERROR_TYPE = re.compile(rb"""\st\s*=\s*["']e["']""")
_CACHED = re.compile(rb"\s*<v>(?!</v>)")
_BLANK_CACHED = re.compile(rb"\s*<v>\s+</v>")
# A t="s" cell whose content is not one shared-string number (calamine reads it as string
# 0), an inline string without its text element (calamine reads nothing). The type is the
# last attribute in what Excel, LibreOffice, openpyxl and xlsxwriter write.
_BAD_INDEX = re.compile(rb' t="s">(?!<v>[0-9]{1,9}</v>|</c>)')
_BAD_INLINE = re.compile(rb' t="inlineStr">(?!<is>|</c>)')
# An error value ("#REF!"), a number of 16 characters and more (it may lose digits; a
# number of 15 significant digits or fewer never does), or a negative one that may be beyond
# calamine's durations (see `for_calamine`).
_ODD_VALUE = re.compile(
    rb"<v>(?:#|([-+]?[0-9][0-9.]{15,}(?:[eE][-+]?[0-9]+)?)</v>"
    rb"|(-[0-9.]{12,15}|-[0-9.]+[eE]\+?[0-9]+)</v>)"
)
_STRING_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*\st="s"[^>]*><v>([0-9]+)</v>')
_REF_SHIFT = re.compile(
    r"(\"[^\"]*\"|'(?:[^']|'')*')"  # string literals and quoted sheet names: left alone
    r"|(?<![A-Za-z0-9_.])(\$?)([A-Z]{1,3})(\$?)([0-9]+)(?![A-Za-z0-9_(])"
)
EXCEL_ROWS, EXCEL_COLS = 1_048_576, 16_384


@dataclass
class SheetScan:
    """One sheet's cells as the XML has them, beyond what calamine reports."""

    formulas: dict[Cell, str] = field(default_factory=dict)  # text without "="
    uncached: set[Cell] = field(default_factory=set)  # formulas without a saved result
    blank_results: set[Cell] = field(default_factory=set)  # formulas saved as only whitespace
    errors: dict[Cell, str] = field(default_factory=dict)  # error values: "#REF!"
    duplicates: dict[Cell, int] = field(default_factory=dict)  # cell -> times written
    bad_strings: dict[Cell, str] = field(default_factory=dict)  # cell -> what it holds
    long_numbers: dict[Cell, str] = field(default_factory=dict)  # cell -> the digits
    extent: Cell = NO_CELL  # no cell lies further down or right than this
    # Values the XML holds (<v> and <is> elements, error values not counted), to compare
    # with what calamine read: fewer read means a cell written twice (`duplicates_checked`
    # says whether the references were compared one by one already).
    values: int = 0
    duplicates_checked: bool = False
    beyond_durations: bool = False  # a number calamine cannot read in a date cell
    more_data: bool = False  # a second <sheetData>: nothing else is scanned

    @property
    def grid(self) -> int:
        """Cells of the dense grid from A1 to `extent` (what calamine allocates at most)."""
        return (self.extent[0] + 1) * (self.extent[1] + 1)


def scan(xml: bytes, limits: Limits, sheet: str = "") -> SheetScan:
    """Scan one worksheet part (of `sheet`, for messages); raises UnreadableWorkbook for
    cells beyond `limits`."""
    start, end = _region(xml)
    if _more_data(xml, end):
        return SheetScan(more_data=True)  # to be read as one (`one_sheet_data`), then scanned
    if start < 0:
        return SheetScan()
    if end - start > limits.cells * MIN_CELL_BYTES:  # room for more cells than allowed
        _count_cells(xml, start, end, limits)
    small = _all_small(xml, start, end)
    if _PREFIXED.search(xml, start, end) if small else _needs_canonical(xml, start, end):
        xml = b"<sheetData>" + _canonical(xml[start:end], limits, sheet) + b"</sheetData>"
        start, end, small = 0, len(xml), False
    out = SheetScan()
    if small:
        out.extent = SMALL if xml.find(b"<c", start, end) >= 0 else NO_CELL
    else:
        _extent(xml, start, end, limits, sheet, out)
    _formulas(xml, start, end, out)
    _values(xml, start, end, out)
    return out


MIN_CELL_BYTES = 4  # "<c/>"


def _all_small(xml: bytes, start: int, end: int) -> bool:
    """Whether every cell tag is `<c r="B8" ...>` with a small reference and no second one
    (what `_NOT_SMALL` asks), in two thirds of its time on a template's sheets by counting:
    every tag starts with a reference, none of them a big one, and " r" stands nowhere but
    at the start of a cell's or row's reference, with no other whitespace (which could start
    a second one). Anything else gets the exact question (a property test holds the two
    answers equal, unclosed and nested tags included)."""
    cells = xml.count(b"<c", start, end)
    if (
        # every cell and row reference opens a tag right after another one closed (so no
        # " r" of one stands inside another's tag), the last cell's tag closes
        xml.count(b'><c r="', start, end) == cells
        and xml.count(b" r", start, end) == cells + xml.count(b"><row r", start, end)
        and xml.rfind(b">", start, end) > xml.rfind(b"<c", start, end)
        and all(xml.find(space, start, end) < 0 for space in _OTHER_SPACE)
        and not _BIG_REF.search(xml, start, end)
    ):
        return True
    return not _NOT_SMALL.search(xml, start, end)


_BIG_REF = re.compile(rb'<c r="(?![A-Z][1-9][0-9]?")')
_OTHER_SPACE = (b"\t", b"\n", b"\r", b"\x0b", b"\x0c")  # what \s matches besides " "


def _needs_canonical(xml: bytes, start: int, end: int) -> bool:
    """Whether some cell tag is not `<c r="B8" ...>` with one reference (or is prefixed)."""
    return bool(
        xml.count(b"<c", start, end) != xml.count(b'<c r="', start, end)
        or _TWO_REFS.search(xml, start, end)
        or _PREFIXED.search(xml, start, end)
    )


def _count_cells(xml: bytes, start: int, end: int, limits: Limits) -> int:
    count = xml.count(b"<c", start, end)
    if count > limits.cells:
        raise UnreadableWorkbook("too-many-cells", cells=str(count), maximum=str(limits.cells))
    return count


def duplicates(xml: bytes) -> dict[Cell, int]:
    """Cells written more than once, by times written (asked for only when `scan` could not
    rule them out)."""
    start, end = _region(xml)
    if start < 0:
        return {}
    if _needs_canonical(xml, start, end):
        xml = _canonical(xml[start:end], None, "")
        start, end = 0, len(xml)
    refs = _REF.findall(xml, start, end)
    return {_cell(a + b): n for (a, b), n in Counter(refs).items() if n > 1}


def _extent(xml: bytes, start: int, end: int, limits: Limits, sheet: str, out: SheetScan) -> None:
    """How far the cells of a sheet with references beyond Z99 reach, compared one by one;
    a cell beyond the limits is refused."""
    refs = _REF.findall(xml, start, end)
    if len(refs) != _count_cells(xml, start, end, limits):  # a reference not in this form
        region = _canonical(xml[start:end], limits, sheet)
        refs = _REF.findall(region)
    rows = max(map(int, map(_SECOND, refs)))
    cols = max(map(col_number, set(map(_FIRST, refs))))
    if rows > limits.rows or cols > limits.cols:
        far = next(
            letters + digits
            for letters, digits in refs
            if int(digits) > limits.rows or col_number(letters) > limits.cols
        )
        raise UnreadableWorkbook(
            "cell-out-of-bounds", sheet=sheet, cell=far.decode(), maximum=limits.max_cell
        )
    out.extent = (rows - 1, cols - 1)
    out.duplicates = {_cell(a + b): n for (a, b), n in Counter(refs).items() if n > 1}
    out.duplicates_checked = True


def _values(xml: bytes, start: int, end: int, out: SheetScan) -> None:
    """Error values, shared-string references that are not one, numbers that lose digits,
    and how many values the XML holds."""
    inline = xml.count(b"<is>", start, end)
    out.values += xml.count(b"<v>", start, end) + inline
    for match in _ODD_VALUE.finditer(xml, start, end):  # "#...", 16 digits and more, "-1e12"
        number = match.group(1) or match.group(2)
        if number is None:
            _error_value(xml, start, match.start(), out)
            continue
        if match.group(1):
            _long_number(xml, start, match, out)
        out.beyond_durations |= number.startswith(b"-") and _beyond_durations(number)
    bad = list(_BAD_INDEX.finditer(xml, start, end))
    if inline or xml.find(b'"inlineStr"', start, end) >= 0:  # an inline string without text
        bad += _BAD_INLINE.finditer(xml, start, end)
    for match in bad:
        ref, body = _cell_at(xml, match.start())
        out.bad_strings[ref] = body


def _error_value(xml: bytes, start: int, at: int, out: SheetScan) -> None:
    """An error value is "#..." in a cell of type "e" (whatever its quoting)."""
    tag = xml.rfind(b'<c r="', start, at)
    if _ERROR_TYPE.search(xml, tag, xml.find(b">", tag)):
        cell = _cell(xml[tag + 6 : xml.find(b'"', tag + 6)])
        out.errors[cell] = _text(xml[at + 3 : xml.find(b"</v>", at)])
        out.values -= 1


def _long_number(xml: bytes, start: int, match: re.Match[bytes], out: SheetScan) -> None:
    digits = match.group(1).decode()
    at = xml.rfind(b"<c ", start, match.start())
    tag = xml[at : xml.find(b">", at)]
    if (b' t="' not in tag or b' t="n"' in tag) and _loses_digits(digits):
        out.long_numbers[_cell_at(xml, match.start())[0]] = digits


def string_cells(xml: bytes) -> dict[Cell, int]:
    """Shared-string index by cell (asked for only when a shared string needs fixing)."""
    start, end = _region(xml)
    if start < 0:
        return {}
    if _needs_canonical(xml, start, end):
        xml = _canonical(xml[start:end], None, "")
        start, end = 0, len(xml)
    return {_cell(ref): int(n) for ref, n in _STRING_CELL.findall(xml, start, end)}


def _region(xml: bytes) -> tuple[int, int]:
    """The first <sheetData> element, prefixed or not (calamine reads no other)."""
    start = xml.find(b"<sheetData")
    if start < 0:
        match = _PREFIXED_DATA.search(xml)
        if match is None:
            return -1, -1
        start = match.start()
    close = xml.find(b">", start)
    if xml[close - 1 : close] == b"/":
        return -1, -1  # <sheetData/>: no cells
    end = xml.find(b"</sheetData>", start)
    if end < 0:
        match = _DATA_END.search(xml, start)
        end = match.start() if match else len(xml)
    return start, end


_PREFIXED_DATA = re.compile(rb"<[A-Za-z_][\w.\-]*:sheetData\b")
_DATA_END = re.compile(rb"</[A-Za-z_][\w.\-]*:sheetData>")
_FIRST, _SECOND = operator.itemgetter(0), operator.itemgetter(1)


@functools.lru_cache(maxsize=1024)
def col_number(letters: bytes) -> int:
    """Column letters to the column's 1-based number (b"A" is 1)."""
    col = 0
    for ch in letters:
        col = col * 26 + ch - 64
    return col


@functools.lru_cache(maxsize=8192)
def _cell(ref: bytes) -> Cell:
    letters = _LETTERS.match(ref)
    assert letters is not None  # refs come from _REF or _canonical
    return int(ref[letters.end() :]) - 1, col_number(letters.group()) - 1


def _cell_at(xml: bytes, at: int) -> tuple[Cell, str]:
    """The cell whose tag holds position `at`, and its content (for messages)."""
    start = xml.rfind(b'<c r="', 0, at + 1)
    ref = xml[start + 6 : xml.find(b'"', start + 6)]
    close = xml.find(b"</c>", at)
    tag_end = xml.find(b">", at)
    body = xml[tag_end + 1 : close] if 0 <= tag_end < close else b""
    return _cell(ref), _text(re.sub(rb"<[^>]*>", b"", body))[:60]


def _text(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    if "&" not in text:
        return text
    if "&#" in text:
        return html.unescape(text)
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text


_ENTITIES = (("&quot;", '"'), ("&apos;", "'"), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def _loses_digits(text: str) -> bool:
    """Reading the number as a double changes it at the digits it was written with.

    A double holds any number of 15 significant digits; of 16 or 17 only some, and Excel
    writes a double with up to 17 ("0.10000000000000001" is the double nearest 0.1): such a
    text is the double it reads as, rounded to its own digits, and nothing is lost. A text
    that is not ("12345678901234567" reads as ...568) has lost digits, whatever its length.
    """
    try:
        exact = Decimal(text)
    except InvalidOperation:
        return False
    if not exact.is_finite():
        return False
    digits = len("".join(map(str, exact.as_tuple().digits)).rstrip("0"))  # significant
    if digits <= DOUBLE_DIGITS:
        return False
    read = Decimal(float(text))
    return not read.is_finite() or Context(prec=digits).plus(read) != exact


DOUBLE_DIGITS = 15  # significant digits any double holds exactly


# --------------------------------------------------------------------------- formulas


def _formulas(xml: bytes, start: int, end: int, out: SheetScan) -> None:
    """Formula text by cell, shared formulas expanded relative to their master cell; cells
    whose formula has no saved result are noted."""
    masters: dict[bytes, tuple[Cell, str]] = {}
    for match in _FORMULA.finditer(xml, start, end):
        # <f> is the first child of its <c>, so the nearest "<c r=" before it is its cell.
        at = match.start()
        tag = xml.rfind(b'<c r="', start, at)
        if tag < 0 or xml.find(b">", tag, at) != xml.rfind(b">", tag, at):
            continue  # not the first child of a cell
        cell = _cell(xml[tag + 6 : xml.find(b'"', tag + 6)])
        attributes, body = match.groups()
        text = _text(body) if body else ""
        if b"shared" in attributes:
            attrs = dict(_ATTR.findall(attributes))
            si = attrs.get(b"si", b"")
            if text:
                masters[si] = (cell, text)
            elif si in masters:
                (mrow, mcol), master = masters[si]
                text = shift_formula(master, cell[0] - mrow, cell[1] - mcol)
        out.formulas[cell] = text
        if not _CACHED.match(xml, match.end()):
            out.uncached.add(cell)
            out.values -= xml.startswith(b"<v></v>", match.end())
        elif _BLANK_CACHED.match(xml, match.end()):  # read as an empty cell
            out.blank_results.add(cell)


def shift_formula(formula: str, rows: int, cols: int) -> str:
    """Move a formula's relative references (as Excel does when it shares one formula); a
    reference moved off the sheet becomes #REF!, as in Excel."""

    def move(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group(1)
        dcol, letters, drow, digits = match.group(2, 3, 4, 5)
        row, col = excel.parse_ref(letters + digits)
        row += 0 if drow else rows
        col += 0 if dcol else cols
        if not (0 <= row < EXCEL_ROWS and 0 <= col < EXCEL_COLS):
            return "#REF!"
        return f"{dcol}{excel.col_letter(col)}{drow}{row + 1}"

    return _REF_SHIFT.sub(move, formula)


# --------------------------------------------------------------------------- canonical form

_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.\-]*:)?(sheetData|row|c|f|v|is|t|r|rPh|rPr)(?=[\s/>])")
_ANY_ATTR = re.compile(rb"""([A-Za-z_][\w.\-:]*)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CANONICAL_REF = re.compile(rb"[A-Z]{1,3}[1-9][0-9]{0,6}")
_CANONICAL_ROW = re.compile(rb"[1-9][0-9]{0,6}")
_KEPT = (b"s", b"t")  # cell attributes the scan looks at, besides r


def _canonical(region: bytes, limits: Limits | None, sheet: str) -> bytes:
    """The sheet data with every row and cell tag as `<c r="B8" s="1" t="s">`, cells without
    a reference given the position calamine gives them (the next column; a row without one
    is the next row). A reference calamine would read differently is refused."""
    out: list[bytes] = []
    pos = 0
    row, col, cells = -1, -1, 0
    for match in _TAG.finditer(region):
        closing, name = match.groups()
        tag_end = region.find(b">", match.end())
        if tag_end < 0:
            break
        out.append(region[pos : match.start()])
        pos = tag_end + 1
        attrs_text = region[match.end() : tag_end]
        selfclosing = attrs_text.rstrip().endswith(b"/")
        if closing or name not in (b"row", b"c"):
            out.append(b"<" + closing + name + _plain_attrs(attrs_text) + b">")
            continue
        attrs = {
            key.rpartition(b":")[2]: a if a is not None else b
            for key, a, b in _ANY_ATTR.findall(attrs_text)
        }
        ref = attrs.get(b"r")
        if name == b"row":
            if ref is not None and not _CANONICAL_ROW.fullmatch(ref):
                raise UnreadableWorkbook("corrupt", reason=f"arket '{sheet}': ugyldigt rækkenummer")
            row = int(ref) - 1 if ref is not None else row + 1
            col = -1
            out.append(b"<row" + (b"/>" if selfclosing else b">"))
            continue
        cells += 1
        if limits is not None and cells > limits.cells:
            raise UnreadableWorkbook(
                "too-many-cells", cells=f"over {limits.cells}", maximum=str(limits.cells)
            )
        if ref is None:
            col += 1
            ref = excel.cell_ref(max(row, 0), col).encode()
        elif not _CANONICAL_REF.fullmatch(ref):
            raise UnreadableWorkbook("corrupt", reason=f"arket '{sheet}': ugyldig celleadresse")
        else:
            row, col = _cell(ref)
        if col >= EXCEL_COLS or row >= EXCEL_ROWS:
            limit = limits.max_cell if limits else "XFD1048576"
            raise UnreadableWorkbook(
                "cell-out-of-bounds", sheet=sheet, cell=ref.decode(), maximum=limit
            )
        kept = b"".join(b' %s="%s"' % (k, attrs[k]) for k in _KEPT if k in attrs)
        out.append(b'<c r="%s"%s%s>' % (ref, kept, b"/" if selfclosing else b""))
    out.append(region[pos:])
    return b"".join(out)


def _plain_attrs(attrs_text: bytes) -> bytes:
    """Attributes of another element, double-quoted and without spaces around "="."""
    selfclosing = b"/" if attrs_text.rstrip().endswith(b"/") else b""
    attrs = b"".join(
        b' %s="%s"' % (key, a if a is not None else b)
        for key, a, b in _ANY_ATTR.findall(attrs_text)
    )
    return attrs + selfclosing


# --------------------------------------------------------------------------- what calamine reads

_DATA_TAG = re.compile(rb"<(/?)((?:[A-Za-z_][\w.\-]*:)?)sheetData\b[^>]*?(/?)>")


def _more_data(xml: bytes, end: int) -> bool:
    """Whether a `<sheetData>` follows the first one, which ends at `end` (-1: the first is
    empty, `<sheetData/>`, or there is none). Only the rest of the part is searched."""
    if end < 0:
        first = _DATA_OPEN.search(xml)
        if first is None:
            return False
        end = first.end()
    else:
        end = xml.find(b">", end)
    return xml.find(b"sheetData", end) >= 0 and _DATA_OPEN.search(xml, end) is not None


_DATA_OPEN = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?sheetData\b")


def one_sheet_data(xml: bytes) -> bytes:
    """The sheet with every `<sheetData>` element's cells in the first one (rows of later
    ones after its own). calamine reads the first and ignores the rest, so a second one's
    values were lost without a word; given all, they are read or reported like any other.
    The part itself when it has one."""
    spans: list[tuple[int, int, int, int]] = []  # element start, body start, body end, end
    opened: re.Match[bytes] | None = None
    for tag in _DATA_TAG.finditer(xml):
        closing, _, selfclosing = tag.groups()
        if closing and opened is not None:
            spans.append((opened.start(), opened.end(), tag.start(), tag.end()))
            opened = None
        elif not closing and selfclosing:
            spans.append((tag.start(), tag.end(), tag.end(), tag.end()))
        elif not closing and opened is None:
            opened = tag
    if opened is not None:  # cut short: its cells run to the end
        spans.append((opened.start(), opened.end(), len(xml), len(xml)))
    if len(spans) < 2:
        return xml
    prefix = _DATA_TAG.match(xml, spans[0][0]).group(2)  # type: ignore[union-attr]
    bodies = b"".join(xml[body:body_end] for _, body, body_end, _ in spans)
    between = b"".join(xml[end : spans[n + 1][0]] for n, (*_, end) in enumerate(spans[:-1]))
    head, tail = xml[: spans[0][0]], xml[spans[-1][3] :]
    data = b"<%ssheetData>%s</%ssheetData>" % (prefix, bodies, prefix)
    return head + data + between + tail


_NUMBER_CELL = re.compile(
    rb"<((?:[A-Za-z_][\w.\-]*:)?c)\b([^>]*?)(?<!/)>"  # the cell tag
    rb"((?:<(?:[\w.\-]+:)?f\b[^>]*?(?:/>|>[^<]*</(?:[\w.\-]+:)?f>))?\s*<(?:[\w.\-]+:)?v>)"
    rb"\s*(-[0-9.]+(?:[eE][-+]?[0-9]+)?)\s*(?=</)"
)
_TYPE_ATTR = re.compile(rb"""\st\s*=\s*["']([^"']*)["']""")
DURATION_DAYS = 1e11


def for_calamine(xml: bytes) -> bytes:
    """The sheet as calamine is given it when its scan found a number `beyond_durations`.

    calamine turns a negative number into a duration when its cell is formatted as a date;
    beyond the milliseconds a duration holds (about -1.07e11 days) it panics, and the file
    could not be read. Such a number cell is given as the text it holds, whatever its format
    (which formats calamine takes for dates is its own rule; a number this size means
    nothing in any cell of a form, and as text it is read or reported as it was typed).
    """

    def as_text(cell: re.Match[bytes]) -> bytes:
        name, attrs, before, number = cell.groups()
        kind = _TYPE_ATTR.search(attrs)
        if kind is not None and kind.group(1) != b"n":
            return cell.group()  # not a number: a shared string's index, an error value...
        if not _beyond_durations(number):
            return cell.group()
        return b'<%s%s t="str">%s%s' % (name, _TYPE_ATTR.sub(b"", attrs), before, number)

    return _NUMBER_CELL.sub(as_text, xml)


def _beyond_durations(number: bytes) -> bool:
    try:
        return float(number) <= -DURATION_DAYS
    except ValueError:
        return False


# --------------------------------------------------------------------------- shared strings

_UNIQUE_COUNT = re.compile(rb"""(<(?:[\w.\-]+:)?sst\b[^>]*?\suniqueCount\s*=\s*["'])([^"']*)""")
_PREFIXED_SI = re.compile(rb"<[\w.\-]+:si[\s/>]")


def shared_string_count(sst: bytes) -> bytes:
    """The shared-string table with a `uniqueCount` no larger than the strings it holds.

    calamine reserves room for `uniqueCount` strings before it reads one (24 bytes each: a
    count of 10^9 is a 24 GB allocation, and the process aborts). The count is only a hint:
    Excel reads the strings that are there whatever it says, so a wrong one is set to the
    number of strings instead of refusing the file. The table itself when it needs no change.
    """
    found = _UNIQUE_COUNT.search(sst)
    if found is None:
        return sst
    declared = found.group(2)
    if declared.isdigit() and int(declared) <= sst.count(b"<si>"):  # as written: one pass
        return sst
    held = sst.count(b"<si>") + sst.count(b"<si ") + sst.count(b"<si/>")
    if b":si" in sst:
        held += len(_PREFIXED_SI.findall(sst))
    if declared.isdigit() and int(declared) <= held:
        return sst
    return sst[: found.end(1)] + str(held).encode() + sst[found.end() :]


# --------------------------------------------------------------------------- rich text

_SI = re.compile(rb"<(?:[\w.\-]+:)?si\b[^>]*?(?:/>|>(.*?)</(?:[\w.\-]+:)?si>)", re.S)
_RUN_T = re.compile(rb"<(?:[\w.\-]+:)?t\b([^>]*?)(?:/>|>(.*?)</(?:[\w.\-]+:)?t>)", re.S)
_PHONETIC = re.compile(rb"<(?:[\w.\-]+:)?rPh\b.*?</(?:[\w.\-]+:)?rPh>", re.S)
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def rich_strings(sst: bytes) -> dict[int, str]:
    """Shared strings made of rich-text runs in which a run's text starts or ends with
    whitespace without xml:space="preserve": calamine trims each such run ("A", " ", "B"
    reads "AB"), Excel keeps it. Their true text, by index."""
    out: dict[int, str] = {}
    for index, match in enumerate(_SI.finditer(sst)):
        body = match.group(1) or b""
        if b"r>" not in body:
            continue
        runs = _RUN_T.findall(_PHONETIC.sub(b"", body))
        if any(b"preserve" not in attrs and text != text.strip() for attrs, text in runs):
            texts = (_text(text) for _, text in runs)
            out[index] = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), "".join(texts))
    return out
