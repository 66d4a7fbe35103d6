"""A merge as the terminal shows it: the summary line, the `--json` shape, a progress bar.

Kept out of the library's merge (which never prints) and beside `render`, whose issue table
the command shares with validate.
"""

from __future__ import annotations

from typing import Any

from bilag4xl.consolidate.plan import SCHEMA as CONSOLIDATED_SCHEMA
from bilag4xl.consolidate.write import MergeRun
from bilag4xl.danish.numbers import format_number
from bilag4xl.form.model import Submission

MERGE_SCHEMA = "bilag4xl/merge/1"


def merge_summary(run: MergeRun) -> str:
    """One line: what was written (or why not), departments, initiatives, total, warnings.

    A refused merge says what would have gone in: each department once, however many
    submissions it sent (the others are named in the errors above)."""
    m, unit = run.merged, run.merged.spec.round.unit
    s = m.report.stats()
    counts = (
        f"{m.departments} {'forvaltning' if m.departments == 1 else 'forvaltninger'}, "
        f"{m.initiatives} {'indsats' if m.initiatives == 1 else 'indsatser'}, "
        f"i alt {format_number(m.total)} ({unit}), {s['warning']} "
        f"{'advarsel' if s['warning'] == 1 else 'advarsler'}"
    )
    if run.written is not None:
        return f"Skrev {run.written}: {counts}"
    extra = len(m.duplicates)
    if extra:
        counts += f" (kun den nyeste indberetning pr. forvaltning er talt med, ikke {extra} ældre)"
    return f"Intet skrevet: {s['error']} fejl (se ovenfor). {counts}"


def merge_data(run: MergeRun) -> dict[str, Any]:
    """The `--json` output of `bilag4xl merge`."""
    m = run.merged
    return {
        "schema": MERGE_SCHEMA,
        "written": str(run.written) if run.written else None,
        "stats": {
            "submissions": len(m.entries),
            "departments": m.departments,
            "initiatives": m.initiatives,
            "total": m.total,
            "unit": m.spec.round.unit,
            **m.report.stats(),
        },
        "included": [str(e.path) for e in m.entries],
        "dropped": [str(e.path) for e in m.dropped],
        "duplicates": [str(e.path) for e in m.duplicates],
        "report": m.report.to_dict(),
    }


def consolidated_data(submissions: list[Submission]) -> dict[str, Any]:
    """`bilag4xl read OUT.xlsx --json` on a consolidated workbook: every submission in it."""
    return {
        "schema": CONSOLIDATED_SCHEMA,
        "submissions": [s.to_json_data() for s in submissions],
    }
