"""The type of every workbook bilag4xl writes: how wide a character is, how high a line, and
so how high a row of wrapped text and how wide a column must be (templates, feedback and the
consolidated workbook alike; the cell formats themselves are in `styles`).

LibreOffice does not autofit the rows of an xlsx it opens and Excel never grows a merged cell:
a row whose height is not written shows one line, and the rest overlaps the next row or is
cut off. So every writer asks here for the height a text needs.
"""

from __future__ import annotations

import functools
import math

from bilag4xl.xlsx import styles

LINE_HEIGHT = 15.0  # points, for a line of the workbooks' 11-point font
FONT_SIZE = 11.0
# Column-width units that a character takes, measured in LibreOffice with DejaVu Sans (its
# stand-in for Calibri where Carlito is missing, and the widest of them): a 40 wide column holds
# ~36-42 characters of 11-point text, ~33-40 bold. A little generous, since a row too high
# only wastes space and a row too low hides text.
CHAR_WIDTH, BOLD_CHAR_WIDTH = 1.1, 1.2
ROW_HEIGHT_MAX = 409.0  # Excel's limit
DEFAULT_COL_WIDTH = 8.43  # Excel's, for a column without a width


def wrapped_lines(chars: int, width: float, size: float = FONT_SIZE, bold: bool = False) -> int:
    """Lines that one paragraph of `chars` characters wraps to in a cell `width` wide
    (Excel's column-width units; for a merged cell the sum of its columns)."""
    per_char = (BOLD_CHAR_WIDTH if bold else CHAR_WIDTH) * size / FONT_SIZE
    return max(1, math.ceil(chars * per_char / width))


def text_lines(text: str, width: float, size: float = FONT_SIZE, bold: bool = False) -> int:
    """Lines that `text` takes in a wrapping cell `width` wide; each paragraph starts a line."""
    return sum(wrapped_lines(len(part), width, size, bold) for part in text.split("\n"))


def line_height(size: float = FONT_SIZE) -> float:
    return LINE_HEIGHT * size / FONT_SIZE


def text_height(text: str, width: float, style: str = "info", max_lines: int = 0) -> float:
    """The row height (points) that shows `text` in a cell of `style`; `max_lines` caps it."""
    size, bold = font(style)
    lines = text_lines(text, width, size, bold)
    return min(line_height(size) * (min(lines, max_lines) if max_lines else lines), ROW_HEIGHT_MAX)


@functools.cache
def font(style: str) -> tuple[float, bool]:
    """Font size and boldness of a named style (styles.STYLES)."""
    props = styles.properties(style)
    return float(props["font_size"]), bool(props.get("bold"))


def fit_width(text: str, minimum: float, bold: bool = True) -> float:
    """A column width at least `minimum` in which no word of `text` is broken (a spreadsheet
    breaks a word longer than its column in the middle: "medfinansierin|g")."""
    longest = max((len(word) for word in text.split()), default=0)
    return max(minimum, math.ceil(longest * (BOLD_CHAR_WIDTH if bold else CHAR_WIDTH)) + 1)


def span_width(widths: tuple[float, ...], col: int, span: int = 1) -> float:
    """Width of `span` columns from `col` (a column without a width has Excel's 8.43)."""
    return sum(widths[c] if c < len(widths) else DEFAULT_COL_WIDTH for c in range(col, col + span))
