"""The seed department (Teknik- og Miljøforvaltningen, 25.03.2009) as a Submission.

Built with `model.assemble`, so annex and status tests do not depend on reading workbooks.
Texts are the seed annex's own (../shared/seed); the Områdeløft status is empty, as there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bilag4xl.form.layout import plan
from bilag4xl.form.model import Source, Submission, TemplateInfo, assemble
from bilag4xl.form.spec import Spec, load_spec
from support import seed
from support.seed import COVER, DEPARTMENT, NAMES

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
    from bilag4xl.template.writer import write_template
    from support.fill import fill_template

    slug = "".join(c for c in department.casefold() if c.isalnum())[:20]
    template = write_template(folder / f".{slug}_template.xlsx", spec, department, names, None)
    out = fill_template(template, seed_values(names), folder / f"{slug}.xlsx", spec)
    template.unlink()
    return out


# --------------------------------------------------------------------------- a round in kr.

AARHUS = {
    "Sociale Forhold og Beskæftigelse": {
        "Jobcenterets virksomhedsrettede forløb for nyankomne": {
            "economy.years.2024": 5_000_000,
            "economy.years.2025": 6_000_000,
            "economy.years.2026": 6_250_000,
            "economy.years.2027": 6_300_000,  # I alt 23.550.000
        },
        "Helhedsorienteret indsats i Gellerup og Toveshøj": {
            "economy.unallocated": 12_600_000,
            "economy.estimated": True,  # "Ca. 12,6 mio. kr.", never "ca. 13 mio. kr."
            "economy.cofinancing": 4_150_000,
        },
    },
    "Børn og Unge": {
        "Sprogstøtte i dagtilbud": {
            **{f"economy.years.{y}": 1_875_500 for y in range(2024, 2028)},
        },
    },
    "Kultur og Borgerservice": {
        "Bydelsmødre og foreningsguider": {
            "economy.years.2024": 450_000,
            "economy.unallocated": 1_200_000,
            "economy.estimated": True,
        },
    },
}


def aarhus_spec() -> Spec:
    """Aarhus's round as the issue tried it: three departments, 2024–2027, amounts in kr."""
    data = load_spec().model_dump(mode="json")
    data["round"].update(
        title="Status for integrationsindsatser 2024–2027",
        first_year=2024,
        last_year=2027,
        unit="kr.",
        departments=[{"name": d, "initiatives": list(i)} for d, i in AARHUS.items()],
    )
    return Spec.model_validate(data)


def aarhus_submissions(spec: Spec) -> list[Submission]:
    """One submission per department, with the seed's texts and the amounts above."""
    subs = []
    for n, (department, initiatives) in enumerate(AARHUS.items()):
        names = tuple(initiatives)
        layout = plan(spec, department, names)
        values = seed_values(names)
        for i, amounts in enumerate(initiatives.values()):
            values |= {f"initiatives.{i}.economy.{k}": v for k, v in _economy(amounts).items()}
        info = TemplateInfo(id=layout.template_id, spec=spec.name, version=spec.version)
        source = Source(file=f"aarhus_{n}.xlsx", sha256=f"{n}" * 64)
        subs.append(assemble(layout, values, info, source))
    return subs


def _economy(amounts: dict[str, Any]) -> dict[str, Any]:
    """Only the given amounts: the seed's economy (for 2008–2011) is cleared."""
    keys = ("unallocated", "cofinancing", "estimated", "note")
    return {k: None for k in keys} | {k.removeprefix("economy."): v for k, v in amounts.items()}
