"""The form spec: the built-in one loads and round-trips; bad specs name the offending key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilag4xl.cli import app
from bilag4xl.errors import SpecError
from bilag4xl.form.spec import Kind, default_spec_text, load_spec, parse_spec

runner = CliRunner()
DEFAULT = default_spec_text()


def edit(old: str, new: str, text: str = DEFAULT) -> str:
    """The default spec with one exact, unique piece of text replaced (fails if it moved)."""
    assert text.count(old) == 1, f"{old!r} is not unique in the default spec"
    return text.replace(old, new)


def test_builtin_spec_loads_with_the_seed_form() -> None:
    spec = load_spec()
    assert spec.name == "bilag4"
    assert spec.round.years == (2008, 2009, 2010, 2011)
    assert [f.label for f in spec.initiative_fields][:2] == ["Målgruppe", "Beskriv aktiviteterne"]
    assert sum(f.kind == Kind.ECONOMY for f in spec.initiative.fields) == 1
    tmf = spec.round.department("teknik- og miljøforvaltningen")
    assert tmf is not None and len(tmf.initiatives) == 3


def test_spec_command_prints_a_spec_that_parses_back_equal() -> None:
    result = runner.invoke(app, ["spec"])
    assert result.exit_code == 0, result.output
    again = parse_spec(result.stdout)
    assert again == load_spec()
    assert again.digest == load_spec().digest


def test_spec_command_shows_every_optional_key_the_readme_documents() -> None:
    """Each optional key is there, commented: uncommented, the spec takes it as written."""
    printed = runner.invoke(app, ["spec"]).stdout
    keys = ("contact_email", "base_url", "deadline", "contact")
    uncommented = re.sub(rf"(?m)^# ({'|'.join(keys)}) = ", r"\1 = ", printed)
    spec = parse_spec(uncommented)
    assert spec.round.contact_email == "integration@kk.dk"
    assert spec.round.base_url.startswith("http://")
    tmf = spec.round.department("Teknik- og Miljøforvaltningen")
    assert tmf is not None and tmf.deadline is not None
    assert tmf.contact is not None and tmf.contact.email
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    documented = readme[readme.index("## The spec format") :]
    assert all(f"{key} = " in documented for key in (*keys, "renamed_from"))
    assert "renamed_from" in printed
    new = edit('  "Områdeløft",\n', '  { name = "Områdeløft", renamed_from = "Områdeløftet" },\n')
    renamed = parse_spec(new).round.department("Teknik- og Miljøforvaltningen")
    assert renamed is not None and renamed.old_name("Områdeløft") == "Områdeløftet"
    assert (
        load_spec().digest
        == parse_spec(DEFAULT.replace("[round]\n", '[round]\nbase_url = ""\n', 1)).digest
    )


def test_load_spec_from_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "runde.toml"
    path.write_text(edit("[sheets]\n", '[sheets]\ncolour = "red"\n'), "utf-8")
    with pytest.raises(SpecError, match=r"runde\.toml: sheets\.colour: ukendt nøgle"):
        load_spec(path)


FORBIDDEN = list("[]:*?/\\")

BAD_SPECS = {
    "unknown key": (
        edit("[sheets]\n", '[sheets]\ncolour = "red"\n'),
        r"sheets\.colour: ukendt nøgle",
    ),
    "sheet name too long": (
        edit('cover = "Forside"', 'cover = "' + "F" * 32 + '"'),
        r"sheets\.cover: arkets navn har 32 tegn.*højst 31",
    ),
    "duplicate sheet names ignoring case": (
        edit('cover = "Forside"', 'cover = "VEJLEDNING"'),
        r"sheets: to ark har samme navn",
    ),
    "input message title too long": (
        edit('title = "Bidrag til integrationspolitik"', 'title = "' + "T" * 33 + '"'),
        r"initiative\.fields\[4\] \(contribution\)\.title: 33 tegn.*32",
    ),
    "choice list too long": (
        edit(
            'choices = ["intern", "ekstern", "begge", "ingen"]',
            "choices = ["
            + ", ".join(f'"valg {i:03d} med en lang forklaring"' for i in range(10))
            + "]",
        ),
        r"\(follow_up\.evaluation\)\.choices: listen fylder \d+ tegn.*255",
    ),
    "missing economy field": (
        edit('kind = "economy"\n', 'kind = "text"\n'),
        r"initiative\.fields: skal have præcis ét felt af typen 'economy'",
    ),
    "missing required key": (
        edit(
            'row_header = "Integrationsindsatser i relation til mål i integrationspolitikken"\n', ""
        ),
        r"overview\.row_header: mangler",
    ),
    "bad TOML": (DEFAULT + "\n[[[broken\n", r"linje \d+, kolonne \d+: ugyldig TOML"),
    "a date in Danish notation": (
        edit("deadline = 2009-03-25", 'deadline = "11.04.2025"'),
        r"round\.deadline: skal være en dato skrevet som ÅÅÅÅ-MM-DD, fx 2025-04-11, ikke "
        r"'11\.04\.2025'",
    ),
    "a date without quotes in Danish notation": (
        edit("deadline = 2009-03-25", "deadline = 11.04.2025"),
        r"linje \d+, kolonne \d+: linjen kan ikke læses som nøgle = værdi",
    ),
    "a year as text": (
        edit("first_year = 2008", 'first_year = "2008x"'),
        r"round\.first_year: skal være et helt tal, ikke '2008x'",
    ),
    "a year out of range": (
        edit("first_year = 2008", "first_year = 1800"),
        r"round\.first_year: skal være mindst 1900, ikke 1800",
    ),
    "two departments with the same folder": (
        edit(
            'name = "Teknik- og Miljøforvaltningen"',
            'name = "Teknik- og Miljøforvaltningen"\n'
            "[[round.departments]]\n"
            'name = "Teknik og miljøforvaltningen"',
        ),
        r"round: .*'Teknik- og Miljøforvaltningen' og 'Teknik og miljøforvaltningen' får samme "
        r"mappe- og filnavn \('teknik-og-miljoeforvaltningen'\)",
    ),
    "a flag that is not true or false": (
        edit('key = "date"\ncarry = false', 'key = "date"\ncarry = "måske"'),
        r"cover\.fields\[5\]\.carry: skal være true eller false",
    ),
}


def test_spec_messages_are_danish() -> None:
    """No pydantic English reaches the user: every bad spec above is reported in Danish."""
    for text, _ in BAD_SPECS.values():
        with pytest.raises(SpecError) as caught:
            parse_spec(text)
        english = r"Input should|valid (integer|date|boolean)|Expected"
        assert not re.search(english, str(caught.value))


@pytest.mark.parametrize(
    ("unit", "limit"),
    [("kr.", 10_000_000_000), ("1.000 kr.", 10_000_000), ("mio. kr.", 10_000)],
)
def test_amount_limit_defaults_to_ten_billion_kroner_in_the_unit(unit: str, limit: int) -> None:
    spec = parse_spec(edit('unit = "1.000 kr."', f'unit = "{unit}"'))
    assert spec.max_amount == limit


def test_amount_limit_can_be_set_in_the_spec() -> None:
    text = edit("# max_amount = 10000000", "max_amount = 500")
    assert parse_spec(text).max_amount == 500


@pytest.mark.parametrize(("text", "message"), BAD_SPECS.values(), ids=BAD_SPECS.keys())
def test_bad_spec_names_the_key(text: str, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        parse_spec(text)


@pytest.mark.parametrize("char", FORBIDDEN)
def test_sheet_name_with_forbidden_character(char: str) -> None:
    # A TOML literal string, so a backslash stays a backslash.
    text = edit('overview = "Økonomi"', f"overview = 'Øko{char}nomi'")
    with pytest.raises(
        SpecError, match=r"sheets\.overview: arkets navn indeholder .*" + re.escape(char)
    ):
        parse_spec(text)


@pytest.mark.parametrize(("text", "message"), BAD_SPECS.values(), ids=BAD_SPECS.keys())
def test_bad_spec_through_cli_is_one_line_with_exit_2(
    tmp_path: Path, text: str, message: str
) -> None:
    spec = tmp_path / "bad.toml"
    spec.write_text(text, "utf-8")
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["template", "--spec", str(spec), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Fejl: "), result.stderr
    assert "Traceback" not in result.output
    assert re.search(message, lines[0]), lines[0]
    assert not out.exists()
