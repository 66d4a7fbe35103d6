"""The seed: the real Bilag 4 of 25.03.2009 (Teknik- og Miljøforvaltningen, Center for Bydesign)
as input values. One copy, used by the examples, the tests and the README pictures.

Texts are the annex's own; amounts in 1.000 kr.: Områdeløft ca. 130 mio. kr. not allocated to
years, the helhedsplaner ca. 282 mio. kr. of which ca. 58 mio. kr. municipal co-financing,
fleksibel udlejning 0 in every year. The Områdeløft status is empty, as in the annex.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

DEPARTMENT = "Teknik- og Miljøforvaltningen"
NAMES = (
    "Aftaler om fleksibel udlejning",
    "Områdeløft",
    "Landsbyggefondens pulje til sociale og forebyggende indsatser i udsatte boligområder "
    "(helhedsplaner)",
)
COVER: dict[str, Any] = {
    "caseworker": "Ida Nepper-Christensen",
    "date": dt.date(2009, 3, 25),
    "case_number": "2009-38725",
    "document_number": "2009-174004",
    "unit": "Center for Bydesign",
    "phone": "3366 1773",
    "email": "idachr@tmf.kk.dk",
}
INITIATIVES: list[dict[str, Any]] = [
    {
        "target_group": "Den primære målgruppe er boligsøgende, der er i beskæftigelse eller under "
        "uddannelse, og beboere i almene boligafdelinger",
        "activities": "Aftaler om fleksibel udlejning, der bl.a. giver fortrinsret for personer "
        "med fast arbejde, unge uddannelsessøgende, seniorer og skilsmisseramte til almene "
        "familieboliger.",
        "goal": "En bredere beboersammensætning - flere ressourcestærke beboere, der er i arbejde "
        "eller under uddannelse - samt øget trivsel og tryghed i almene boligafdelinger.",
        "contribution": "Understøtter integrationspolitikken målsætning om færre personer uden "
        "tilknytning til arbejdsmarkedet i de udsatte boligområder og medvirker til, at andre "
        "boligområder ikke udvikler sig i en uheldig retning, så der opstår nye udsatte "
        "boligområder.",
        "follow_up.text": "Udviklingen i beboersammensætningen følges tæt ved årlige "
        "evalueringer. Evalueringen for indflytningen i 2007 blev forelagt Borgerrepræsentationen "
        "i mødet den 28. august 2008, hvortil henvises. Næste evaluering omfattende perioden "
        "31.12.2006 - 31.12.2008 forelægges de relevante udvalg i juni 2009 og "
        "Borgerrepræsentationen efter sommerferien.\n\nUndersøgelse af social kapital i 40 "
        "københavnske almene boligafdelinger er gennemført i 2007 - 08 som supplement til de "
        "registermæssige, sociodemografiske oplysninger for at belyse beboernes trivsel og "
        "netværksopbygning - i og udenfor boligområderne. Undersøgelsen gentages i 2010 og vil "
        "indgå i den endelige evaluering af aftalerne, som udløber med udgangen af 2010.",
        "status.text": "Erfaringer viser, at de fleksible udlejninger medvirker til en "
        "afbalancering af beboersammensætningen i forhold til ventelisteudlejning og kommunal "
        "anvisning, samt bidrager til at begrænse indflytningen af personer på "
        "overførselsindkomst i de belastede boligafdelinger.",
        "economy.note": "Ingen",
        **{f"economy.years.{y}": 0 for y in range(2008, 2012)},
    },
    {
        "target_group": "Alle borgere som bor i området for områdeløftindsatsen uanset alder, "
        "køn, nationalitet m.m.",
        "activities": "I hvert områdeløft igangsættes forskellige aktiviteter. Det kan f.eks. "
        "være: lommepegeprojekter for unge, aktiviteter for børn og unge, sundhedsindsats for "
        "kvinder.",
        "goal": "Integrationsindsatsen i områdeløftprojekter er forskellig fra projekt til "
        "projekt. Men det handler generelt om, at få øget beskæftigelsesfrekvensen, reduceret "
        "kriminaliteten ved opsøgende gadeplansarbejde, etablering af og forbedring af tilbud for "
        "de unge, lektiecafeer, sprogundervisning osv. Kvinder, børn og unge har generelt størst "
        "fokus.",
        "contribution": "Ved at forbedre vilkårene for de dårligt stillede beboere i området "
        "skal områdeløftindsatsen være med til at hjælpe et udvalgt område ud af den dårlige "
        "spiral, som det befinder sig i.",
        "follow_up.text": "På nuværende tidspunkt evalueres områdeløftindsatser ikke, men "
        "Teknik- og Miljøforvaltningen vil inden årets udløb påbegynde evaluering af "
        "områdeløftindsatserne, som så skal ske løbende indtil afslutningen af et områdeløft.",
        "economy.unallocated": 130000,
        "economy.estimated": True,
    },
    {
        "target_group": "Beboere i udvalgte almene afdelinger, som er udvalgt ud fra kriterier "
        "fastsat af Landsbyggefondens. Der ses bl.a. på antallet af børn og unge under 18 år, "
        "antallet af beboere uden for arbejdsmarkedet, antallet af beboere fra ikke-vestlige "
        "lande.",
        "activities": "Aktiviteterne er forskellige fra helhedsplan til helhedsplan. Det kan "
        "bl.a. være miljøambassadører, børne- ungeklub, sundhedsfremmende aktiviteter, "
        "aktiviteter for at få kvinder med anden etnisk baggrund end dansk uden for "
        "arbejdsmarkedet til at komme i arbejde.",
        "goal": "Det afhænger af projekt til projekt, men bl.a. sørge for at beboere i en "
        "afdeling føler sig trygge, at flere kommer ud på arbejdsmarkedet, mindre hærværk etc.",
        "contribution": "Målet for denne indsats er, at der ikke må komme nye udsatte "
        "boligområder i Københavns Kommune.",
        "follow_up.text": "Der sker halvårlig evalueringer af projekterne. Disse udføres af "
        "Teknik- og Miljøforvaltningen, Socialforvaltningen og Beskæftigelses- og "
        "Integrationsforvaltningen.",
        "status.text": "Da der indtil videre alene er udført en evalueringrunde er det ikke på "
        "nuværende tidspunkt muligt, at sige noget mere konkret om målopfyldelsen af "
        "indsatserne.",
        "economy.unallocated": 282000,
        "economy.cofinancing": 58000,
        "economy.estimated": True,
    },
]


def values_by_path(
    cover: Mapping[str, Any] = COVER, initiatives: Iterable[Mapping[str, Any]] = INITIATIVES
) -> dict[str, Any]:
    """Values by layout path ("cover.email", "initiatives.1.economy.unallocated")."""
    values: dict[str, Any] = {f"cover.{k}": v for k, v in cover.items()}
    for n, fields in enumerate(initiatives):
        values.update({f"initiatives.{n}.{k}": v for k, v in fields.items()})
    return values
