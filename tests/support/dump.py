"""A workbook as text a person can review: every part of the xlsx, its XML indented.

The golden templates are compared as this dump (beside each .xlsx in templates/ as
NAME.xlsx.txt), so a changed message, validation, formula or row height shows up as a line
in a text diff instead of "binary files differ". Run `PYTHONPATH=tests python -m support.dump FILE`
to print one.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path
from xml.dom import minidom

TEXT_PARTS = (".xml", ".rels")


def dump(data: bytes) -> str:
    """Every zip member in order: a header line, then the XML indented one element a line
    (binary members by size only)."""
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            out.append(f"=== {info.filename}")
            part = archive.read(info)
            if info.filename.endswith(TEXT_PARTS):
                out.append(_indented(part))
            else:
                out.append(f"({len(part)} bytes)")
    return "\n".join(out) + "\n"


def _indented(xml: bytes) -> str:
    text = minidom.parseString(xml).toprettyxml(indent=" ")
    return "\n".join(line for line in text.splitlines()[1:] if line.strip())


if __name__ == "__main__":
    sys.stdout.write(dump(Path(sys.argv[1]).read_bytes()))
