"""Feedback workbooks (rettelsesark) of received files: every value back in its cell, the
problems marked; made once from the stored file and kept by its SHA-256.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from bilag4xl.errors import Bilag4xlError
from bilag4xl.record import Entry
from bilag4xl.round.folder import Round, check_stored, received
from bilag4xl.round.ledger import STATE_DIR
from bilag4xl.round.links import own_links
from bilag4xl.round.templates import code_digest, sha256_hex

FEEDBACK_KEPT = "rettelser"  # in .bilag4xl/: feedback workbooks made, by spec and code


def feedback_workbooks(
    rnd: Round, entries: Sequence[Entry], links: Mapping[int, str | None] | None = None
) -> dict[int, bytes | Bilag4xlError]:
    """Each received file's feedback workbook (or why it has none), by entry, with the upload
    link `links` gives it. Making one costs ~0.15 s (a template is built), so each is kept in
    `.bilag4xl/rettelser/` once made, by the file's SHA-256 (and link) in a folder of the
    round's spec and bilag4xl's code (a change of either makes them anew). A feedback
    workbook puts every value back in the cell it was typed in, so it is made from the file
    itself: the files to make it for are read through the ledger, in one pool
    (`check_stored`)."""
    import json

    from bilag4xl.feedback import feedback_bytes

    spec = rnd.spec
    made_by = sha256_hex(json.dumps([spec.digest, code_digest()]).encode())[:16]
    kept = rnd.root / STATE_DIR / FEEDBACK_KEPT / made_by
    out: dict[int, bytes | Bilag4xlError] = {}
    missing = []
    links = links or {}
    names = {}
    for entry in entries:
        link = links.get(entry.id)
        names[entry.id] = f"{entry.sha256}{'-' + sha256_hex(link.encode()) if link else ''}.xlsx"
        try:
            out[entry.id] = (kept / names[entry.id]).read_bytes()
        except OSError:
            missing.append(entry)
    if not missing:
        return out
    with rnd.ledger() as ledger:
        for entry, result in check_stored(rnd, ledger, missing, keep_values=True):
            try:
                data = feedback_bytes(
                    result, spec, name=entry.original_name, entry=entry.id, link=links.get(entry.id)
                )
            except Bilag4xlError as exc:
                out[entry.id] = exc
                continue
            out[entry.id] = data
            _keep(kept, names[entry.id], data)
    return out


def _keep(folder: Path, name: str, data: bytes) -> None:
    """Keep a made file for next time, in `folder`, the only one beside it (others were made
    by another spec or code); a file that cannot be kept is made again next time."""
    import shutil

    from bilag4xl.output import atomic_write

    with contextlib.suppress(OSError):
        if not folder.is_dir():
            for other in folder.parent.glob("*"):
                shutil.rmtree(other, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)
        atomic_write(folder / name, data, force=True)


def feedback_for(rnd: Round, entry_id: int) -> tuple[str, bytes]:
    """The feedback workbook of one received file: its name and bytes."""
    entry = received(rnd, entry_id)
    link = own_links(rnd)(entry.department) if entry.department else None
    data = feedback_workbooks(rnd, [entry], {entry.id: link})[entry.id]
    if isinstance(data, Bilag4xlError):
        raise data
    return f"{Path(entry.original_name).stem}_rettelser.xlsx", data
