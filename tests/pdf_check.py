"""What a page rendered by LibreOffice shows: words with their boxes, and words drawn over
each other (the sign of a row too low for its wrapped text)."""

from __future__ import annotations

import re
import subprocess
from html import unescape
from pathlib import Path
from typing import NamedTuple

_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


class Word(NamedTuple):
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def words(pdf: Path) -> list[Word]:
    """Every word of the PDF with its box (pdftotext -bbox)."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    out = []
    for page, body in enumerate(html.split("<page ")[1:], start=1):
        for x0, y0, x1, y1, text in _WORD.findall(body):
            out.append(Word(page, float(x0), float(y0), float(x1), float(y1), unescape(text)))
    return out


def overlapping(pdf: Path) -> list[tuple[Word, Word]]:
    """Pairs of words whose boxes cover each other by more than a third of a line."""
    pairs = []
    by_page: dict[int, list[Word]] = {}
    for w in words(pdf):
        by_page.setdefault(w.page, []).append(w)
    for page_words in by_page.values():
        page_words.sort(key=lambda w: w.x0)
        for i, a in enumerate(page_words):
            for b in page_words[i + 1 :]:
                if b.x0 >= a.x1:
                    break
                across = min(a.x1, b.x1) - max(a.x0, b.x0)
                down = min(a.y1, b.y1) - max(a.y0, b.y0)
                if across > 0.5 and down > min(a.y1 - a.y0, b.y1 - b.y0) / 3:
                    pairs.append((a, b))
    return pairs


def text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def pages(pdf: Path) -> int:
    return text(pdf).count("\f")
