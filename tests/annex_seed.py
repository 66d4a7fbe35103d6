"""The seed department (Teknik- og Miljøforvaltningen, 25.03.2009) as a Submission.

Built with `model.assemble`, so annex and status tests do not depend on reading workbooks.
Texts are the seed annex's own (../shared/seed); the Områdeløft status is empty, as there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bilag4xl.layout import plan
from bilag4xl.model import Source, Submission, TemplateInfo, assemble
from bilag4xl.spec import Spec, load_spec
from bilag4xl.testing import seed
from bilag4xl.testing.seed import COVER, DEPARTMENT, NAMES

# The seed annex had no structured choices; these make the annex show them in words.
CHOICES: tuple[dict[str, Any], ...] = (
    {
        "follow_up.evaluation": "intern",
        "follow_up.statistical": True,
        "status.assessment": "opfyldt",
    },
    {"follow_up.evaluation": "ingen", "follow_up.statistical": False},
    {
        "follow_up.evaluation": "begge",
        "follow_up.statistical": True,
        "status.assessment": "delvist opfyldt",
    },
)
TEXTS: tuple[dict[str, Any], ...] = tuple(
    {**fields, **choices} for fields, choices in zip(seed.INITIATIVES, CHOICES, strict=True)
)


def seed_submission(
    spec: Spec | None = None,
    department: str = DEPARTMENT,
    names: tuple[str, ...] = NAMES,
    texts: tuple[dict[str, Any], ...] = TEXTS,
    cover: dict[str, Any] | None = None,
    file: str = "tmf.xlsx",
) -> Submission:
    """A Submission like the seed's; other departments reuse the texts under other names."""
    spec = spec or load_spec()
    layout = plan(spec, department, names)
    values = seed_values(names, cover, texts)
    info = TemplateInfo(id=layout.template_id, spec=spec.name, version=spec.version)
    return assemble(layout, values, info, Source(file=file, sha256="0" * 64))


def seed_values(
    names: tuple[str, ...] = NAMES,
    cover: dict[str, Any] | None = None,
    texts: tuple[dict[str, Any], ...] = TEXTS,
) -> dict[str, Any]:
    """Values by layout path, as a caseworker would type them (texts reused cyclically)."""
    values: dict[str, Any] = {f"cover.{k}": v for k, v in (cover or COVER).items()}
    for n in range(len(names)):
        values.update({f"initiatives.{n}.{k}": v for k, v in texts[n % len(texts)].items()})
    return values


def write_filled(
    folder: Path, spec: Spec, department: str = DEPARTMENT, names: tuple[str, ...] = NAMES
) -> Path:
    """A real filled workbook: the department's template, filled through its input cells."""
    from bilag4xl.template import write_template
    from bilag4xl.testing.fill import fill_template

    slug = "".join(c for c in department.casefold() if c.isalnum())[:20]
    template = write_template(folder / f".{slug}_template.xlsx", spec, department, names, None)
    out = fill_template(template, seed_values(names), folder / f"{slug}.xlsx", spec)
    template.unlink()
    return out
