"""Build the example submissions in this folder by filling generated templates.

Each example is made the way a caseworker makes one: a template is generated for the
department, and only its input cells are filled (`tests/support/fill.py`, or LibreOffice
headless through `tests/support/libreoffice.py` for the example saved by LibreOffice).

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

from bilag4xl.cli.render import to_json
from bilag4xl.form.layout import plan
from bilag4xl.form.spec import load_spec
from bilag4xl.intake.validate import read_file
from bilag4xl.issues.report import report_data
from bilag4xl.template.writer import build, canonical_department, resolve_initiatives, slug

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the test helpers (tests/support), not installed

from support import seed  # noqa: E402
from support.fill import fill_template  # noqa: E402
from support.seed import values_by_path  # noqa: E402

SUBMISSIONS = HERE / "submissions"
FAULTY = HERE / "faulty"

TMF = "Teknik- og Miljøforvaltningen"
BUF = "Børne- og Ungdomsforvaltningen"
KFF = "Kultur- og Fritidsforvaltningen"
BIF = "Beskæftigelses- og Integrationsforvaltningen"  # filled and saved through LibreOffice


# --- the seed: Bilag 4 of 25.03.2009, Center for Bydesign (texts as in the original annex)
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
    TMF: (seed.COVER, seed.INITIATIVES),
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


def template_bytes(department: str) -> bytes:
    spec = load_spec()
    department = canonical_department(spec, department) or department
    return build(plan(spec, department, resolve_initiatives(spec, department)))


def make(department: str, out: Path, libreoffice: bool = False) -> Path:
    cover, initiatives = EXAMPLES[department]
    values = values_by_path(cover, initiatives)
    if not libreoffice:
        return fill_template(template_bytes(department), values, out)
    from support import libreoffice as lo

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
    values = values_by_path()
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
