"""Editing a round's `runde.toml` as text, so that its comments and layout stay as the
secretariat wrote them: the round's own id (made by `init`), and the next round's file made
from the last one's (the period moved one year on, the deadlines cleared).

Only lines of the `[round]` table and its `[[round.departments]]` are touched; the result is
parsed again and checked, so an edit that did not take (a key written some other way) is an
error, never a silently wrong round.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from bilag4xl.errors import SpecError
from bilag4xl.form.spec import Spec, parse_spec

_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-\" ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^(\s*)([A-Za-z0-9_]+)(\s*=\s*)(.*?)\s*$")
ID_COMMENT = "# rundens egen identitet (bilag4xl init): ret den ikke"
DEADLINE_TODO = "# deadline = ÅÅÅÅ-MM-DD   # TODO: sæt fristen for den nye runde"


def new_round_id() -> str:
    """A new round's identity: random, short enough to read in a file."""
    return secrets.token_hex(8)


def _edit(text: str, edit: Callable[[str, str, str], str | None]) -> str:
    """Each `key = value` line of `[round]` (table "round") and of its departments (table
    "round.departments") through `edit(table, key, line)`: the line to keep, or None."""
    table, out = "", []
    for line in text.splitlines(keepends=True):
        header = _HEADER.match(line)
        if header:
            table = header.group(1).replace('"', "").replace(" ", "")
        key = _KEY.match(line) if table in ("round", "round.departments") else None
        changed = edit(table, key.group(2), line) if key else line
        if changed is not None:
            out.append(changed)
    return "".join(out)


def _set(line: str, value: str) -> str:
    indent, key, eq, _ = _KEY.match(line).groups()  # type: ignore[union-attr]
    end = "\n" if line.endswith("\n") else ""
    return f"{indent}{key}{eq}{value}{end}"


def with_round_id(text: str, round_id: str) -> str:
    """The spec text with `id = "…"` as the `[round]` table's first key (replacing any id
    there: a round copied from another gets an identity of its own)."""
    text = _edit(text, lambda table, key, line: None if (table, key) == ("round", "id") else line)
    lines = text.splitlines(keepends=True)
    at = next((n for n, line in enumerate(lines) if _table(line) == "round"), None)
    if at is None:
        raise SpecError(code="round-id-no-table")
    lines.insert(at + 1, f'id = "{round_id}"  {ID_COMMENT}\n')
    made = "".join(lines)
    if parse_spec(made, "runde.toml").round.id != round_id:
        raise SpecError(code="round-id-not-written")
    return made


def _table(line: str) -> str | None:
    header = _HEADER.match(line)
    return header.group(1).replace('"', "").replace(" ", "") if header else None


def next_round_text(text: str, last: Spec) -> str:
    """The last round's spec text for the next round: the period one year on (also where
    the title names it), the round's and every department's deadline cleared, the round's
    deadline left as a comment line saying to set it."""
    r = last.round
    first, final = r.first_year + 1, r.last_year + 1
    period = f"{first}–{final}"
    todo_written = False

    def edit(table: str, key: str, line: str) -> str | None:
        nonlocal todo_written
        if table == "round" and key == "first_year":
            return _set(line, str(first))
        if table == "round" and key == "last_year":
            return _set(line, str(final))
        if table == "round" and key == "title":
            return line.replace(r.period, period).replace(r.period.replace("–", "-"), period)
        if key == "deadline":
            if table == "round.departments":
                return None
            todo_written = True
            return DEADLINE_TODO + "\n"
        return line

    made = _edit(text, edit)
    if not todo_written:
        lines = made.splitlines(keepends=True)
        at = next(n for n, line in enumerate(lines) if _table(line) == "round")
        lines.insert(at + 1, DEADLINE_TODO + "\n")
        made = "".join(lines)
    return _checked(made, last, first, final)


def _checked(made: str, last: Spec, first: int, final: int) -> str:
    """The edited text, once it is seen to say what it should."""
    spec = parse_spec(made, "runde.toml (næste runde)")
    r = spec.round
    if (r.first_year, r.last_year) != (first, final) or r.deadline is not None:
        raise SpecError(code="round-not-moved")
    if any(d.deadline is not None for d in r.departments):
        raise SpecError(code="round-deadline-kept")
    if [d.name for d in r.departments] != [d.name for d in last.round.departments]:
        raise SpecError(code="round-departments-not-carried")
    return made
