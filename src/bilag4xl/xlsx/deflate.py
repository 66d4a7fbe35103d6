"""Deflate, from ISA-L where its wheel is installed, else the standard library's zlib.

Inflating every part of a returned workbook is a tenth of reading it, and deflating a
national merge's parts a tenth of writing it: ISA-L inflates in less than half zlib's time,
deflates at level 1 in a quarter (and a little smaller), and checks a CRC-32 in a tenth
(measured on the benchmark's files). Same interface as zlib for what bilag4xl uses:
`decompressobj`, `compressobj`, `crc32` and `error`."""

from __future__ import annotations

import zlib
from types import ModuleType

try:
    from isal import isal_zlib

    deflate: ModuleType = isal_zlib
except ImportError:  # a platform without its wheels
    deflate = zlib

__all__ = ["deflate"]
