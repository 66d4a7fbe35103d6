"""The seed department (Teknik- og Miljøforvaltningen, 25.03.2009) as a Submission.

Built with `model.assemble`, so annex and status tests do not depend on reading workbooks.
Texts are the seed annex's own (../shared/seed); the Områdeløft status is empty, as there.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from bilag4xl.layout import plan
from bilag4xl.model import Source, Submission, TemplateInfo, assemble
from bilag4xl.spec import Spec, load_spec

DEPARTMENT = "Teknik- og Miljøforvaltningen"
NAMES = (
    "Aftaler om fleksibel udlejning",
    "Områdeløft",
    "Landsbyggefondens pulje til sociale og forebyggende indsatser i udsatte boligområder "
    "(helhedsplaner)",
)
TEXTS: tuple[dict[str, Any], ...] = (
    {
        "target_group": "Den primære målgruppe er boligsøgende, der er i beskæftigelse eller "
        "under uddannelse, og beboere i almene boligafdelinger",
        "activities": "Aftaler om fleksibel udlejning, der bl.a. giver fortrinsret for personer "
        "med fast arbejde, unge uddannelsessøgende, seniorer og skilsmisseramte til almene "
        "familieboliger.",
        "goal": "En bredere beboersammensætning - flere ressourcestærke beboere, der er i "
        "arbejde eller under uddannelse - samt øget trivsel og tryghed i almene boligafdelinger.",
        "contribution": "Understøtter integrationspolitikken målsætning om færre personer uden "
        "tilknytning til arbejdsmarkedet i de udsatte boligområder og medvirker til, at andre "
        "boligområder ikke udvikler sig i en uheldig retning, så der opstår nye udsatte "
        "boligområder.",
        "follow_up.text": "Udviklingen i beboersammensætningen følges tæt ved årlige "
        "evalueringer. Evalueringen for indflytningen i 2007 blev forelagt Borgerrepræsentationen "
        "i mødet den 28. august 2008, hvortil henvises.\n"
        "Undersøgelse af social kapital i 40 københavnske almene boligafdelinger er gennemført i "
        "2007 - 08 som supplement til de registermæssige, sociodemografiske oplysninger.",
        "follow_up.evaluation": "intern",
        "follow_up.statistical": True,
        "status.text": "Erfaringer viser, at de fleksible udlejninger medvirker til en "
        "afbalancering af beboersammensætningen i forhold til ventelisteudlejning og kommunal "
        "anvisning.",
        "status.assessment": "opfyldt",
        "economy.years.2008": 0,
        "economy.years.2009": 0,
        "economy.years.2010": 0,
        "economy.years.2011": 0,
        "economy.estimated": False,
    },
    {
        "target_group": "Alle borgere som bor i området for områdeløftindsatsen uanset alder, "
        "køn, nationalitet m.m.",
        "activities": "I hvert områdeløft igangsættes forskellige aktiviteter. Det kan f.eks. "
        "være: lommepegeprojekter for unge, aktiviteter for børn og unge, sundhedsindsats for "
        "kvinder.",
        "goal": "Integrationsindsatsen i områdeløftprojekter er forskellig fra projekt til "
        "projekt.",
        "contribution": "Ved at forbedre vilkårene for de dårligt stillede beboere i området skal "
        "områdeløftindsatsen være med til at hjælpe et udvalgt område ud af den dårlige spiral.",
        "follow_up.text": "På nuværende tidspunkt evalueres områdeløftindsatser ikke.",
        "follow_up.evaluation": "ingen",
        "follow_up.statistical": False,
        "economy.unallocated": 130000,
        "economy.estimated": True,
    },
    {
        "target_group": "Beboere i udvalgte almene afdelinger, som er udvalgt ud fra kriterier "
        "fastsat af Landsbyggefondens.",
        "activities": "Aktiviteterne er forskellige fra helhedsplan til helhedsplan.",
        "goal": "Det afhænger af projekt til projekt, men bl.a. sørge for at beboere i en "
        "afdeling føler sig trygge, at flere kommer ud på arbejdsmarkedet, mindre hærværk etc.",
        "contribution": "Målet for denne indsats er, at der ikke må komme nye udsatte "
        "boligområder i Københavns Kommune.",
        "follow_up.text": "Der sker halvårlig evalueringer af projekterne.",
        "follow_up.evaluation": "begge",
        "follow_up.statistical": True,
        "status.text": "Da der indtil videre alene er udført en evalueringrunde er det ikke på "
        "nuværende tidspunkt muligt, at sige noget mere konkret om målopfyldelsen.",
        "status.assessment": "delvist opfyldt",
        "economy.unallocated": 282000,
        "economy.cofinancing": 58000,
        "economy.estimated": True,
    },
)
COVER: dict[str, Any] = {
    "unit": "Center for Bydesign",
    "caseworker": "Ida Nepper-Christensen",
    "email": "idachr@tmf.kk.dk",
    "phone": "3366 1773",
    "date": dt.date(2009, 3, 25),
    "case_number": "2009-38725",
    "document_number": "2009-174004",
}


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
