"""Excel's hard limits and cell-address helpers, shared by spec checks, writer and reader."""

from __future__ import annotations

import re

SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = set("[]:*?/\\")
PROMPT_TITLE_MAX = 32
PROMPT_MESSAGE_MAX = 255
ERROR_MESSAGE_MAX = 224
LIST_SOURCE_MAX = 255
CELL_TEXT_MAX = 32_767

_CELL_RE = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def col_letter(col: int) -> str:
    """0-based column index to Excel letters (0 -> A)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int, absolute: bool = False) -> str:
    """0-based (row, col) to an A1 reference."""
    dollar = "$" if absolute else ""
    return f"{dollar}{col_letter(col)}{dollar}{row + 1}"


def parse_ref(ref: str) -> tuple[int, int]:
    """An A1 reference to 0-based (row, col)."""
    match = _CELL_RE.match(ref.upper())
    if not match:
        raise ValueError(f"not a cell reference: {ref!r}")
    letters, digits = match.groups()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(digits) - 1, col - 1


def quote_sheet(name: str) -> str:
    """A sheet name as it must appear in a formula."""
    return "'" + name.replace("'", "''") + "'"


def sheet_name_problem(name: str) -> str | None:
    """Why Excel would refuse this sheet name, or None."""
    if not name.strip():
        return "arkets navn er tomt"
    if len(name) > SHEET_NAME_MAX:
        return f"arkets navn har {len(name)} tegn, Excel tillader højst {SHEET_NAME_MAX}"
    bad = sorted(SHEET_NAME_FORBIDDEN & set(name))
    if bad:
        return f"arkets navn indeholder {' '.join(bad)}, som Excel ikke tillader"
    if name.startswith("'") or name.endswith("'"):
        return "arkets navn må ikke begynde eller slutte med '"
    return None


def safe_sheet_name(text: str, taken: set[str]) -> str:
    """A valid, unique (ignoring case) sheet name derived from free text such as an initiative.

    Real initiative names are longer than 31 characters and may contain '/', so they are
    cleaned and shortened rather than rejected; a counter keeps shortened names unique.
    """
    # "Mål: sprog" keeps its meaning as "Mål – sprog"; the other forbidden characters
    # ([]*?/\) are paths and wildcards, read as a hyphen.
    text = re.sub(r"\s*:\s*", " – ", text.strip())
    cleaned = "".join("-" if ch in SHEET_NAME_FORBIDDEN else ch for ch in text).strip().strip("'")
    cleaned = " ".join(cleaned.split()).strip(" –") or "Ark"
    candidate = shorten(cleaned, SHEET_NAME_MAX)
    n = 2
    while candidate.casefold() in taken:
        suffix = f" ({n})"
        candidate = shorten(cleaned, SHEET_NAME_MAX - len(suffix)) + suffix
        n += 1
    taken.add(candidate.casefold())
    return candidate


def shorten(text: str, limit: int) -> str:
    """Shorten text to a limit, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"
