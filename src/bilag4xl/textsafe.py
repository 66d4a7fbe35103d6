"""Text from a workbook, made safe for where it is written.

A cell may hold any character Excel and LibreOffice accept, control characters included
(stored as _x000B_ and read back as the character): a vertical tab is Word's manual line
break pasted into a cell, an escape character starts an ANSI sequence. A .docx may not hold
them at all (python-docx refuses the whole document), a terminal would obey them. So every
output passes workbook text through one of these functions.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# Not allowed in XML 1.0 (so not in .docx, and not in well-formed HTML either).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_LINE_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})  # vertical tab, form feed
# What a terminal or a page would act on rather than show: C0 controls but tab and newline,
# DEL, C1 controls, and the characters that reorder text (a right-to-left override makes
# "faktura\u202excod.exe" look like "fakturaexe.docx").
_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_BREAKS = str.maketrans({"\t": "\u2409", "\n": "\u240a"})  # ␉ ␊


def for_xml(text: str) -> str:
    """Text a .docx (or any XML) can hold: vertical tabs and form feeds become line breaks,
    other control characters are removed."""
    if not _NOT_XML.search(text):
        return text
    return _NOT_XML.sub("", text.translate(_LINE_BREAKS))


def unsafe_for_xml(text: str) -> int:
    """How many characters `for_xml` changes."""
    return len(_NOT_XML.findall(text))


def for_terminal(text: str) -> str:
    """Text a terminal (or a web page) only shows: each control character as a symbol (ESC
    as ␛), each character that reorders text by its code (⟨U+202E⟩)."""
    if not _TERMINAL.search(text):
        return text
    return _TERMINAL.sub(_picture, text)


def for_file_name(name: str) -> str:
    """A file name as it was sent, to show or to offer for saving (the ledger keeps it as
    sent): `for_terminal`, and a tab or line break shown as a symbol too."""
    return for_terminal(name.translate(_BREAKS))


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control pictures: ␀ ... ␟
    if code == 0x7F:
        return "␡"
    return "\ufffd" if code <= 0x9F else f"⟨U+{code:04X}⟩"


def map_texts(value: T, change: Callable[[str], str]) -> T:
    """`value` (nested frozen dataclasses and tuples, as the annex model) with `change`
    applied to every string in it."""
    if isinstance(value, str):
        return change(value)  # type: ignore[return-value]
    if isinstance(value, tuple):
        return tuple(map_texts(v, change) for v in value)  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        updates = {
            f.name: map_texts(getattr(value, f.name), change) for f in dataclasses.fields(value)
        }
        return dataclasses.replace(value, **updates)  # type: ignore[type-var]
    return value


def count_texts(value: object, count: Callable[[str], int]) -> int:
    """The sum of `count(text)` over every string in `value` (see `map_texts`)."""
    total = 0

    def add(text: str) -> str:
        nonlocal total
        total += count(text)
        return text

    map_texts(value, add)
    return total


def slug(text: str) -> str:
    """A file-name-safe ASCII slug (Danish letters spelt out): a department's folder, file
    names and web address. The spec refuses two departments with the same slug."""
    text = text.casefold().translate(str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"}))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "x"
