"""Property: whatever the submissions hold, reading the consolidated workbook gives them back."""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bilag4xl.consolidate.decide import merge
from bilag4xl.consolidate.read import read_consolidated
from bilag4xl.consolidate.write import write_consolidated
from bilag4xl.form.model import Source, TemplateInfo, assemble
from bilag4xl.form.spec import Kind
from merge_helpers import SPEC, departments, layout_for, result

# Text as caseworkers type it: Danish letters, punctuation, formula-like starts, line breaks.
# (Control characters and carriage returns are left out: xlsx cannot hold them as typed.)
ALPHABET = st.characters(
    codec="utf-8", categories=("L", "N", "P", "S", "Zs"), include_characters="\n"
)
TEXT = st.one_of(
    st.text(ALPHABET, min_size=1, max_size=60),
    st.sampled_from(["=SUM(A1)", "+45 3366 1773", "@x", "-1", "http://x.dk", "2009-38725"]),
)
# Amounts as they come out of a cell: whole or with two decimals, within the spec's limit.
AMOUNT = st.one_of(
    st.none(),
    st.integers(0, 10**8).map(float),
    st.decimals(0, 10**6, places=2, allow_nan=False).map(float),
)


def value(kind: Kind, options: tuple[str, ...]) -> st.SearchStrategy:
    if kind == Kind.AMOUNT:
        return AMOUNT
    if kind == Kind.DATE:
        return st.none() | st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31))
    if kind == Kind.YESNO:
        return st.none() | st.booleans()
    if kind == Kind.CHOICE:
        return st.none() | st.sampled_from(options)
    return st.none() | TEXT


@st.composite
def submissions(draw):
    chosen = draw(st.lists(st.sampled_from(departments()), min_size=1, max_size=4, unique=True))
    out = []
    for n, department in enumerate(chosen):
        layout = layout_for(SPEC, department)
        values = {
            i.path: draw(value(i.field.kind, i.field.options))
            for i in layout.inputs
            if i.path != "cover.department"
        }
        template = TemplateInfo(
            id=layout.template_id, spec=SPEC.name, version=SPEC.version, spec_hash=SPEC.digest
        )
        digest = hashlib.sha256(f"{n}{department}".encode()).hexdigest()
        out.append(assemble(layout, values, template, Source(file=f"{n}.xlsx", sha256=digest)))
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(submissions())
def test_read_of_merge_equals_the_submissions(subs) -> None:
    merged = merge([result(s) for s in subs], SPEC)
    assert merged.ok
    with tempfile.TemporaryDirectory() as tmp:
        path = write_consolidated(Path(tmp) / "samlet.xlsx", merged)
        back = read_consolidated(path)
    expected = [e.submission.to_json_data() for e in merged.entries]
    assert [s.to_json_data() for s in back] == expected
