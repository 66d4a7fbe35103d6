"""UNO side of the LibreOffice harness; run by `libreoffice.py` with Debian's /usr/bin/python3.

python3-uno exists only for the system Python, so this file must not import bilag4xl (or
anything outside the standard library and uno). It talks to a running headless soffice over
a named pipe, performs one job described in JSON and writes the outcome as JSON:

    argv: PIPE_NAME JOB.json RESULT.json

job: {"src", "dst" (xlsx path or null), "writes": [{"sheet", "ref", "kind", "value"}],
      "probe": [[sheet, ref]], "read": [[sheet, ref]], "recalc": bool, "connect_timeout": s}
result: {"locked": [[sheet, ref]], "probe": [[sheet, ref, bool]], "values": [[sheet, ref, v]]}
        or {"error": "..."}
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

XLSX_FILTER = "Calc MS Excel 2007 XML"
# com.sun.star.sheet.CellFlags: VALUE | DATETIME | STRING | FORMULA
CLEAR_CONTENT = 1 | 2 | 4 | 16
# com.sun.star.sheet.FormulaResult
RESULT_VALUE, RESULT_STRING, RESULT_ERROR = 1, 2, 4


def _props(**values: Any) -> tuple[PropertyValue, ...]:
    out = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        out.append(prop)
    return tuple(out)


def _connect(pipe: str, timeout: float) -> Any:
    """The soffice ComponentContext, retried while soffice is still starting up."""
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + timeout
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


def _cell(doc: Any, sheet: str, ref: str) -> tuple[Any, Any]:
    sheets = doc.Sheets
    if not sheets.hasByName(sheet):
        raise KeyError(f"no sheet {sheet!r} (sheets: {list(sheets.ElementNames)})")
    ws = sheets.getByName(sheet)
    return ws, ws.getCellRangeByName(ref)


def _locked(ws: Any, cell: Any) -> bool:
    """What stops a user typing: a locked cell on a protected sheet (UNO itself ignores it)."""
    return bool(ws.isProtected() and cell.CellProtection.IsLocked)


def _write(cell: Any, kind: str, value: Any) -> None:
    # setValue/setString, never setFormula: nothing here is parsed with en-US rules.
    if kind == "number":
        cell.setValue(float(value))
    elif kind == "string":
        cell.setString(str(value))
    elif kind == "clear":
        cell.clearContents(CLEAR_CONTENT)
    else:
        raise ValueError(f"unknown write kind {kind!r}")


def _value(cell: Any) -> Any:
    """The value a user sees: number, text, None when empty, '#ERR' text for errors."""
    kind = cell.Type.value  # EMPTY, VALUE, TEXT, FORMULA
    if kind == "EMPTY":
        return None
    if kind == "VALUE":
        return cell.getValue()
    if kind == "TEXT":
        return cell.getString()
    result = cell.FormulaResultType2
    if result == RESULT_VALUE:
        return cell.getValue()
    return cell.getString()


def run(job: dict[str, Any], pipe: str) -> dict[str, Any]:
    ctx = _connect(pipe, float(job.get("connect_timeout", 60)))
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    try:
        doc = desktop.loadComponentFromURL(
            Path(job["src"]).resolve().as_uri(), "_blank", 0, _props(Hidden=True)
        )
        if doc is None:
            raise RuntimeError(f"LibreOffice could not open {job['src']}")
        try:
            return _job(doc, job)
        finally:
            doc.close(True)
    finally:
        # The bridge dies with soffice, which may raise; the harness kills leftovers anyway.
        with contextlib.suppress(Exception):
            desktop.terminate()


def _job(doc: Any, job: dict[str, Any]) -> dict[str, Any]:
    probe = []
    for sheet, ref in job.get("probe", []):
        ws, cell = _cell(doc, sheet, ref)
        probe.append([sheet, ref, _locked(ws, cell)])
    locked = []
    for w in job.get("writes", []):
        ws, cell = _cell(doc, w["sheet"], w["ref"])
        if _locked(ws, cell):
            locked.append([w["sheet"], w["ref"]])
            continue
        _write(cell, w["kind"], w.get("value"))
    if job.get("recalc"):
        doc.calculateAll()
    values = []
    for sheet, ref in job.get("read", []):
        values.append([sheet, ref, _value(_cell(doc, sheet, ref)[1])])
    if job.get("dst"):
        doc.storeToURL(Path(job["dst"]).resolve().as_uri(), _props(FilterName=XLSX_FILTER))
    return {"locked": locked, "probe": probe, "values": values}


def main(argv: list[str]) -> int:
    pipe, job_path, result_path = argv[1:4]
    job = json.loads(Path(job_path).read_text("utf-8"))
    try:
        result = run(job, pipe)
    except Exception as exc:
        result = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
    Path(result_path).write_text(json.dumps(result, ensure_ascii=False), "utf-8")
    return 0 if "error" not in result else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
