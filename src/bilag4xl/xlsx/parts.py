"""Which zip member holds which worksheet, as a workbook's own parts say.

The two-process writer (`split`) checks with it that a sheet it puts into the zip
stands where the workbook names it. Only for workbooks bilag4xl wrote: no size or safety
limits here (the intake reads what others send, under its own limits).
"""

from __future__ import annotations

import io
import posixpath
import zipfile

from defusedxml import ElementTree

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def sheet_members(data: bytes) -> dict[str, str]:
    """Worksheet name -> the zip member holding its XML."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG}Relationship")}
    out = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        out[sheet.get("name", "")] = posixpath.normpath(part)
    return out
