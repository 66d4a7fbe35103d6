"""Property: a random valid submission, filled into a template and read back, comes out equal."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bilag4xl.form.model import Source, TemplateInfo, assemble
from bilag4xl.form.spec import Kind
from bilag4xl.intake.validate import read_file
from filled import SPEC, layout_for, template
from support.fill import fill_template

LAYOUT = layout_for()
ALPHABET = st.characters(
    whitelist_categories=("L", "N", "P", "Zs"), blacklist_characters="\u2028\u2029\x85\xa0"
)


def text(max_size: int) -> st.SearchStrategy[str]:
    return st.text(ALPHABET, min_size=1, max_size=min(max_size, 60)).map(str.strip).filter(bool)


def value_for(inp) -> st.SearchStrategy[object]:
    f = inp.field
    kind = f.kind
    if kind == Kind.AMOUNT:
        return st.integers(0, 10**8).map(lambda n: n / 100)
    if kind == Kind.DATE:
        return st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31))
    if kind == Kind.YESNO:
        return st.booleans()
    if kind == Kind.CHOICE:
        return st.sampled_from(f.options)
    if kind == Kind.EMAIL:
        return st.from_regex(r"[a-z]{1,8}\.[a-z]{1,8}@[a-z]{2,8}\.dk", fullmatch=True)
    if kind == Kind.PHONE:
        return st.from_regex(r"(\+45 )?[2-9]\d{3} \d{4}", fullmatch=True)
    if kind == Kind.PATTERN:
        return st.from_regex(f.pattern, fullmatch=True).filter(lambda s: s == s.strip())
    return text(f.max_length or 200)


def submission_values() -> st.SearchStrategy[dict[str, object]]:
    """Required inputs always, optional ones sometimes; economy: at least one amount."""
    fields = {}
    for inp in LAYOUT.inputs:
        strategy = value_for(inp)
        required = inp.field.required or inp.path.endswith(".years.2008")
        fields[inp.path] = strategy if required else st.none() | strategy
    return st.fixed_dictionaries(fields).map(_cofinancing_within_total)


def _cofinancing_within_total(values: dict[str, object]) -> dict[str, object]:
    for n in range(len(LAYOUT.initiatives)):
        eco = f"initiatives.{n}.economy"
        total = sum(v for p, v in values.items() if p.startswith(eco) and "years" in p and v)
        total += values.get(f"{eco}.unallocated") or 0
        if (values.get(f"{eco}.cofinancing") or 0) > total:
            values[f"{eco}.cofinancing"] = None
    return values


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=submission_values())
def test_filled_template_reads_back_equal(values: dict[str, object]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = fill_template(
            template(),
            {k: v for k, v in values.items() if v is not None},
            Path(tmp, "x.xlsx"),
            SPEC,
        )
        result = read_file(path)
    assert result.report.valid, [i.message_da for i in result.report]
    assert not [i for i in result.report if i.code != "cached-total-mismatch"]
    info = TemplateInfo(id="", spec="", version="")
    expected = assemble(LAYOUT, values, info, Source(file="", sha256="")).to_json_data()
    got = result.submission.to_json_data()
    for data in (expected, got):
        data.pop("source")
        data.pop("template")
    assert got == expected
