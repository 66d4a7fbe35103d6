"""The round's templates, one per department: written to `skabeloner/`, handed out in one
.zip or one at a time. Making one costs ~0.15 s, so those written are taken as they are while
they are still what the round would make.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bilag4xl.round.folder import Round
from bilag4xl.round.ledger import STATE_DIR
from bilag4xl.round.links import own_links


@dataclass(frozen=True)
class Templates:
    """What `write_templates` did: every department's template (`paths`, in the round's
    order), and those already as runde.toml says (`unchanged`, left untouched)."""

    paths: list[Path]
    unchanged: list[Path]

    @property
    def written(self) -> list[Path]:
        """The templates written: new, or changed with the spec."""
        return [p for p in self.paths if p not in self.unchanged]


def write_templates(rnd: Round, password: str | None = None) -> Templates:
    """The round's templates, one per department, in `skabeloner/`. They are the round's own
    derived files: a template whose content changed (the spec was edited) is rewritten, one
    already right is left as it is (its file time too). Each is made anew here, and a mark in
    `.bilag4xl/skabeloner.json` says what it was made from, so that downloads and reminders
    can take it as it is (`_templates`)."""
    import json

    from bilag4xl.output import atomic_write

    paths, unchanged, marks = [], [], {}
    for filename, data, made in _templates(rnd, password=password, kept=False):
        target = rnd.templates / filename
        if target.is_file() and target.read_bytes() == data:
            unchanged.append(target)
        else:
            atomic_write(target, data, force=True)
        paths.append(target)
        marks[filename] = {"made": made, "sha256": sha256_hex(data)}
    with contextlib.suppress(OSError):  # without marks, they are made again when asked for
        text = json.dumps(marks, indent=1).encode("utf-8")
        atomic_write(rnd.root / STATE_DIR / TEMPLATE_MARKS, text, force=True)
    return Templates(paths, unchanged)


def templates_zip(rnd: Round) -> bytes:
    """Every department's template in one .zip (to hand out in one go), made in memory: the
    round folder is left as it is. Those in `skabeloner/` are taken as they are while they
    are the round's (`_templates`)."""
    import io

    buffer = io.BytesIO()
    # A template is a zip already: stored, not deflated again (that would gain ~1%).
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for filename, data, _ in _templates(rnd):
            archive.writestr(zipfile.ZipInfo(filename, date_time=ZIP_TIME), data)
    return buffer.getvalue()


def department_template(rnd: Round, department: str) -> tuple[str, bytes]:
    """One department's template (file name and bytes): the one in `skabeloner/` while it is
    still what the round would make, else made now (the web page's download)."""
    ((filename, data, _),) = _templates(rnd, [department])
    return filename, data


TEMPLATE_MARKS = "skabeloner.json"  # in .bilag4xl/: what each template written was made from
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the same templates, the same .zip


def _templates(
    rnd: Round,
    departments: Sequence[str] | None = None,
    password: str | None = None,
    kept: bool = True,
) -> list[tuple[str, bytes, str]]:
    """Departments' templates (default: all the round's): file name, bytes, and a digest of
    what it is made from (the spec, department, password, its own link, bilag4xl's code).
    Making one costs ~0.15 s, so with `kept` the one in `skabeloner/` is taken as it is while
    `write_templates`'s mark says it was made from just that and it is still those bytes
    (not changed by hand); else it is made, in memory."""
    import json

    from bilag4xl.errors import SpecError
    from bilag4xl.template.writer import template_bytes, template_filename

    spec = rnd.spec
    if not spec.round.departments:
        raise SpecError(code="round-no-departments")
    try:
        marks = json.loads((rnd.root / STATE_DIR / TEMPLATE_MARKS).read_text("utf-8"))
    except (OSError, ValueError):
        marks = {}
    marks = marks if isinstance(marks, dict) else {}
    link = own_links(rnd)
    out = []
    names = [d.name for d in spec.round.departments] if departments is None else departments
    for name in names:
        filename, own = template_filename(spec, name), link(name)
        key = [spec.digest, name, password, own, code_digest()]
        made = sha256_hex(json.dumps(key).encode())
        mark = marks.get(filename)
        if kept and isinstance(mark, dict) and mark.get("made") == made:
            try:
                data = (rnd.templates / filename).read_bytes()
            except OSError:
                data = b""
            if mark.get("sha256") == sha256_hex(data):
                out.append((filename, data, made))
                continue
        data = template_bytes(spec, name, password=password, link=own)
        out.append((filename, data, made))
    return out


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.cache
def code_digest() -> str:
    """The SHA-256 of bilag4xl's own source: a template kept from other code is made again
    (a version number is not bumped for every change to what a template holds)."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()
