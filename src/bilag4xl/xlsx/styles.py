"""Cell formats, declared once by name and shared by every workbook bilag4xl writes."""

from __future__ import annotations

from typing import Any

from bilag4xl.danish.numbers import EXCEL_FORMAT

INPUT_FILL = "#FFF2CC"
FIXED_FILL = "#F2F2F2"
HEADER_FILL = "#D9E1F2"
BORDER_COLOR = "#A6A6A6"
FLAG_FILL = "#FFC7CE"
FLAG_FONT = "#9C0006"
AMOUNT_FORMAT = EXCEL_FORMAT  # "." between thousands, in LibreOffice whatever its locale
DATE_FORMAT = "dd.mm.yyyy"

_BASE: dict[str, Any] = {
    "font_name": "Calibri",
    "font_size": 11,
    "valign": "top",
    "text_wrap": True,
}
_INPUT: dict[str, Any] = {
    "locked": False,
    "bg_color": INPUT_FILL,
    "border": 1,
    "border_color": BORDER_COLOR,
}

STYLES: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 14},
    "subtitle": {"bold": True, "font_size": 12},
    "section": {"bold": True, "bg_color": HEADER_FILL, "bottom": 1},
    "label": {"bold": True},
    "header": {
        "bold": True,
        "bg_color": HEADER_FILL,
        "border": 1,
        "border_color": BORDER_COLOR,
        "align": "center",
    },
    "help": {"italic": True, "font_color": "#595959", "font_size": 9},
    "info": {},
    "fixed": {"bg_color": FIXED_FILL, "border": 1, "border_color": BORDER_COLOR},
    "rowname": {},
    "totallabel": {"bold": True, "top": 1},
    "formula": {"num_format": AMOUNT_FORMAT},
    "total": {"num_format": AMOUNT_FORMAT, "bold": True, "bg_color": FIXED_FILL},
    "grandtotal": {"num_format": AMOUNT_FORMAT, "bold": True, "top": 1, "bottom": 6},
    "status": {"bold": True, "bg_color": FIXED_FILL},
    "input_text": _INPUT,
    "input_amount": {**_INPUT, "num_format": AMOUNT_FORMAT, "text_wrap": False},
    "input_date": {**_INPUT, "num_format": DATE_FORMAT, "align": "left"},
    "input_choice": _INPUT,
    "meta": {"text_wrap": False},
    "cf_missing": {"bg_color": "#FCE4D6"},
    "cf_invalid": {"bg_color": "#F8696B", "font_color": "#FFFFFF"},
    "link": {"font_color": "#0563C1", "underline": 1},
    # the consolidated workbook (merge)
    "cell": {},
    "cell_amount": {"num_format": AMOUNT_FORMAT, "text_wrap": False},
    "cell_date": {"num_format": DATE_FORMAT, "align": "left", "text_wrap": False},
    "cell_code": {"text_wrap": False},
    "subtotal": {"num_format": AMOUNT_FORMAT, "bold": True, "bg_color": FIXED_FILL, "top": 1},
    "sublabel": {"bold": True, "bg_color": FIXED_FILL, "top": 1},
    "flag": {"bold": True, "font_color": FLAG_FONT, "bg_color": FLAG_FILL},
    "cell_mark": {"align": "center", "text_wrap": False},  # "Ca." apart from the amount
}


# Added to an input style (name + "_flagged") for a cell that feedback asks to be fixed.
FLAGGED: dict[str, Any] = {"border": 2, "border_color": "#C00000", "bg_color": "#FCE4D6"}


def properties(name: str) -> dict[str, Any]:
    """xlsxwriter format properties of a named style."""
    base, flagged, _ = name.partition("_flagged")
    return {**_BASE, **STYLES[base], **(FLAGGED if flagged else {})}
