"""Build the example submissions in this folder by filling generated templates.

Each example is made the way a caseworker makes one: a template is generated for the
department, and only its input cells are filled (`bilag4xl.testing.fill`, or LibreOffice
headless through `bilag4xl.testing.libreoffice` for the example saved by LibreOffice).

    python examples/make_examples.py            # all examples (LibreOffice if installed)
    python examples/make_examples.py --no-libreoffice

The Teknik- og Miljøforvaltningen example carries the texts and amounts of the real 2009
annex; the other departments' contents are fictitious.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

from bilag4xl.layout import plan
from bilag4xl.render import report_data, to_json
from bilag4xl.spec import load_spec
from bilag4xl.template import build, canonical_department, resolve_initiatives, slug
from bilag4xl.testing.fill import fill_template
from bilag4xl.validate import read_file

HERE = Path(__file__).resolve().parent
SUBMISSIONS = HERE / "submissions"
FAULTY = HERE / "faulty"

TMF = "Teknik- og Miljøforvaltningen"
BUF = "Børne- og Ungdomsforvaltningen"
KFF = "Kultur- og Fritidsforvaltningen"
BIF = "Beskæftigelses- og Integrationsforvaltningen"  # filled and saved through LibreOffice


# --- the seed: Bilag 4 of 25.03.2009, Center for Bydesign (texts as in the original annex)
SEED_COVER = {
    "caseworker": "Ida Nepper-Christensen",
    "date": dt.date(2009, 3, 25),
    "case_number": "2009-38725",
    "document_number": "2009-174004",
    "unit": "Center for Bydesign",
    "phone": "3366 1773",
    "email": "idachr@tmf.kk.dk",
}
SEED_INITIATIVES = [
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


def _fictitious(topic: str, years: list[float], evaluation: str, assessment: str) -> dict:
    """A plausible, clearly made-up status form (EKSEMPEL marks it as fictitious)."""
    return {
        "target_group": f"EKSEMPEL: {topic} – ca. 120 børn og unge i alderen 3-16 år, heraf "
        "omkring halvdelen med anden etnisk baggrund end dansk.",
        "activities": f"EKSEMPEL: {topic} i samarbejde med lokale institutioner og foreninger.",
        "goal": "EKSEMPEL: Flere deltager aktivt, og færre falder fra undervejs.",
        "contribution": "EKSEMPEL: Bidrager til målet om lige muligheder i uddannelse og "
        "fritidsliv.",
        "follow_up.text": "EKSEMPEL: Årlig intern opfølgning på deltagertal og frafald.",
        "follow_up.evaluation": evaluation,
        "follow_up.statistical": True,
        "status.text": "EKSEMPEL: Indsatsen er i gang som planlagt.",
        "status.assessment": assessment,
        **{f"economy.years.{2008 + i}": v for i, v in enumerate(years)},
        "economy.cofinancing": round(sum(years) * 0.25, 1),
        "economy.estimated": False,
    }


def _cover(name: str, email: str, phone: str, unit: str) -> dict:
    return {
        "caseworker": name,
        "email": email,
        "phone": phone,
        "date": dt.date(2009, 3, 20),
        "case_number": "2009-12345",
        "document_number": "2009-123456",
        "unit": unit,
    }


EXAMPLES = {
    TMF: (SEED_COVER, SEED_INITIATIVES),
    BUF: (
        _cover("Eksempel Eksempelsen", "eksempel@buf.example.dk", "+45 1234 5678", "Fiktiv enhed"),
        [
            _fictitious("Sprogstimulering", [1200, 1350, 1400, 1400], "intern", "delvist opfyldt"),
            _fictitious("Lektiecaféer", [300, 320.5, 340, 0], "ekstern", "for tidligt at vurdere"),
        ],
    ),
    KFF: (
        _cover("Prøve Testesen", "proeve@kff.example.dk", "8765 4321", "Fiktivt center"),
        [
            _fictitious("Foreningsguider", [150, 150, 175, 175], "begge", "opfyldt"),
            _fictitious("Læringsrum på biblioteket", [80, 95, 95, 95], "ingen", "ikke opfyldt"),
        ],
    ),
    BIF: (
        _cover("Fiktiv Fiktivsen", "fiktiv@bif.example.dk", "3366 0000", "Fiktiv jobenhed"),
        [
            _fictitious("Virksomhedspraktik", [2500, 2600, 2600, 2700], "ekstern", "opfyldt"),
            _fictitious("Mentorforløb", [400, 420, 0, 0], "intern", "delvist opfyldt"),
            _fictitious("Dansk på jobbet", [250.5, 260, 270, 280], "begge", "opfyldt"),
        ],
    ),
}


def values_by_path(cover: dict, initiatives: list[dict]) -> dict[str, object]:
    values: dict[str, object] = {f"cover.{k}": v for k, v in cover.items()}
    for n, fields in enumerate(initiatives):
        values.update({f"initiatives.{n}.{k}": v for k, v in fields.items()})
    return values


def template_bytes(department: str) -> bytes:
    spec = load_spec()
    department = canonical_department(spec, department) or department
    return build(plan(spec, department, resolve_initiatives(spec, department)))


def make(department: str, out: Path, libreoffice: bool = False) -> Path:
    cover, initiatives = EXAMPLES[department]
    values = values_by_path(cover, initiatives)
    if not libreoffice:
        return fill_template(template_bytes(department), values, out)
    from bilag4xl.testing import libreoffice as lo

    spec = load_spec()
    layout = plan(spec, department, resolve_initiatives(spec, department))
    cells = {}
    for path, value in values.items():
        pos = layout.input(path).pos
        cells[(pos.sheet, pos.ref)] = (
            ("Ja" if value else "Nej") if isinstance(value, bool) else value
        )
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "template.xlsx")
        src.write_bytes(template_bytes(department))
        result = lo.fill_and_save(src, cells, out)
    if result.locked:
        raise SystemExit(f"LibreOffice: locked cells {result.locked}")
    return out


def make_faulty(out: Path) -> Path:
    """The seed department, with the mistakes that hand-filling made and a few more."""
    values = values_by_path(SEED_COVER, SEED_INITIATIVES)
    values.update(
        {
            "initiatives.1.economy.unallocated": "ca. 130 mio. kr.",  # text: read, with a warning
            "initiatives.2.economy.unallocated": "Ca. 282 mio. kr. heraf ca. 58 mio. kr.",
            "initiatives.2.economy.cofinancing": 58000,
            "cover.email": "idachr(at)tmf.kk.dk",
            "cover.date": "25.13.2009",
            "cover.case_number": "38725/2009",
            "initiatives.0.follow_up.evaluation": "hver måned",
        }
    )
    return fill_template(template_bytes(TMF), values, out)


def expected_report(path: Path) -> dict:
    """The report a test compares with (file names only, so it does not depend on folders)."""
    data = report_data([(path.name, read_file(path).report)])
    return _names_only(data)


def _names_only(data: dict) -> dict:
    for file in data["files"]:
        for issue in file["issues"]:
            issue["file"] = Path(issue["file"]).name
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-libreoffice", action="store_true")
    args = parser.parse_args(argv)
    SUBMISSIONS.mkdir(parents=True, exist_ok=True)
    FAULTY.mkdir(parents=True, exist_ok=True)
    for department in EXAMPLES:
        if department != BIF:
            out = make(department, SUBMISSIONS / f"{slug(department)}.xlsx")
            print(f"Skrev {out.relative_to(HERE)}", file=sys.stderr)
    if not args.no_libreoffice:
        out = make(BIF, SUBMISSIONS / f"{slug(BIF)}_libreoffice.xlsx", libreoffice=True)
        print(f"Skrev {out.relative_to(HERE)} (LibreOffice)", file=sys.stderr)
    faulty = make_faulty(FAULTY / "tmf_haandudfyldt.xlsx")
    expected = faulty.with_name(faulty.stem + ".expected.json")
    expected.write_text(to_json(expected_report(faulty)), encoding="utf-8")
    print(f"Skrev {faulty.relative_to(HERE)} og {expected.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
