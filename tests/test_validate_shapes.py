"""The validator plans once per template shape and binds each file's names: the bound shape
must equal the template's own plan, cell for cell (else a label or formula check would lie)."""

from __future__ import annotations

import pytest

from bilag4xl.form.layout import plan
from bilag4xl.form.spec import load_spec
from bilag4xl.intake import expected, validate

SPEC = load_spec()
CASES = [
    ("Teknik- og Miljøforvaltningen", None),  # the round's three initiatives
    ("Socialforvaltningen", ["Én indsats", None, "Bo'ligsocial / indsats: [fase 2]?"]),
    (None, [None, None]),
    ("Økonomiforvaltningen", ["A" * 80, "A" * 81, None]),
]


@pytest.mark.parametrize("feedback", [False, True])
@pytest.mark.parametrize(("department", "names"), CASES)
def test_bound_shape_equals_the_real_plan(department, names, feedback) -> None:
    if names is None:
        names = list(SPEC.round.department(department).initiatives)
    real = plan(SPEC, department, names, feedback)
    shape = expected.shape_for(SPEC, department is not None, tuple(names), feedback).layout
    bound = expected.bind(SPEC, shape, department, names)
    assert [bound.sheet(s.name) for s in shape.sheets] == [s.name for s in real.sheets]

    def cells(layout, text):
        return {
            (bound.sheet(t.pos.sheet) if text else t.pos.sheet, t.pos.row, t.pos.col): t
            for t in layout
        }

    real_texts, shape_texts = cells(real.texts, False), cells(shape.texts, True)
    assert real_texts.keys() == shape_texts.keys()
    for key, t in real_texts.items():
        assert bound.text(shape_texts[key].text) == t.text, key
        assert shape_texts[key].path == t.path
    real_f, shape_f = cells(real.formulas, False), cells(shape.formulas, True)
    assert real_f.keys() == shape_f.keys()
    for key, f in real_f.items():
        assert bound.text(shape_f[key].excel()) == f.excel(), key
    assert [(bound.sheet(i.pos.sheet), i.pos[1:], i.path) for i in shape.inputs] == [
        (i.pos.sheet, i.pos[1:], i.path) for i in real.inputs
    ]


def test_one_plan_serves_every_department_of_a_shape() -> None:
    expected._shape.cache_clear()
    for d in ("Børne- og Ungdomsforvaltningen", "Kultur- og Fritidsforvaltningen"):
        names = tuple(SPEC.round.department(d).initiatives)
        expected.shape_for(SPEC, True, names, False)
    assert expected._shape.cache_info().currsize == 1


def test_worker_processes_return_the_same_results(tmp_path) -> None:
    """Results from worker processes equal in-process ones; values only when asked for."""
    from pathlib import Path

    examples = Path(__file__).resolve().parents[1] / "examples" / "submissions"
    one = validate.validate_paths([examples], SPEC, workers=1, keep_values=True)
    two = validate.validate_paths([examples], SPEC, workers=2, keep_values=True)
    lean = validate.validate_paths([examples], SPEC, workers=2)
    for a, b, c in zip(one.results, two.results, lean.results, strict=True):
        assert a.submission == b.submission == c.submission
        assert a.report.issues == b.report.issues == c.report.issues
        assert a.values == b.values and a.values and a.raw == b.raw
        assert c.values == {} and c.raw == {}
