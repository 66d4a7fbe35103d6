"""Next round pre-filled from the last submission (issue 6)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from bilag4xl.cli import app
from bilag4xl.errors import Bilag4xlError
from bilag4xl.form.spec import Spec, default_spec_text, parse_spec
from bilag4xl.intake.validate import layout_of, read_file
from bilag4xl.prefill import write_prefilled
from support import libreoffice as lo

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "submissions" / "teknik-og-miljoeforvaltningen.xlsx"


def round_2010_text() -> str:
    text = default_spec_text()
    assert "first_year = 2008" in text and "last_year = 2011" in text
    return text.replace("first_year = 2008", "first_year = 2010").replace(
        "last_year = 2011", "last_year = 2013"
    )


@pytest.fixture(scope="module")
def prefilled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    folder = tmp_path_factory.mktemp("prefill")
    spec_path = folder / "runde2010.toml"
    spec_path.write_text(round_2010_text(), "utf-8")
    out = folder / "tmf_2010.xlsx"
    carried = write_prefilled(out, parse_spec(round_2010_text()), SEED)
    return out, spec_path, carried.dropped


def test_texts_and_2010_2011_amounts_are_kept(prefilled: tuple[Path, Path, list[str]]) -> None:
    out, spec_path, _ = prefilled
    last = read_file(SEED).submission
    new = read_file(out, parse_spec(spec_path.read_text("utf-8"))).submission
    assert last is not None and new is not None
    assert [i.name for i in new.initiatives] == [i.name for i in last.initiatives]
    for old, now in zip(last.initiatives, new.initiatives, strict=True):
        for key in ("target_group", "activities", "goal", "contribution", "follow_up", "status"):
            assert getattr(now, key) == getattr(old, key), key
        assert list(now.economy.years) == ["2010", "2011", "2012", "2013"]
        for year in ("2010", "2011"):
            assert now.economy.years[year] == old.economy.years[year]
        assert now.economy.years["2012"] is None and now.economy.years["2013"] is None
        assert now.economy.unallocated == old.economy.unallocated
    fleks = new.initiatives[0].economy.years
    assert (fleks["2010"], fleks["2011"]) == (0, 0)
    assert new.cover["caseworker"] == last.cover["caseworker"]
    assert new.cover["date"] is None  # per round: not carried (spec: carry = false)


def test_what_was_not_carried_is_listed(prefilled: tuple[Path, Path, list[str]]) -> None:
    _, _, dropped = prefilled
    text = "\n".join(dropped)
    assert "2008" in text and "2009" in text and "Dato" in text and "Sagsnr." in text
    assert "2010" not in text


def test_cli_prefill(prefilled: tuple[Path, Path, list[str]], tmp_path: Path) -> None:
    _, spec_path, _ = prefilled
    out = tmp_path / "next.xlsx"
    res = CliRunner().invoke(
        app, ["template", "--spec", str(spec_path), "--prefill", str(SEED), "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "Ikke overført" in res.output and out.exists()
    args = ["template", "--prefill", str(SEED), "--department", "x", "-o", str(tmp_path / "y.xlsx")]
    bad = CliRunner().invoke(app, args)
    assert bad.exit_code == 2


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_prefilled_template(
    prefilled: tuple[Path, Path, list[str]], tmp_path: Path, libreoffice: str
) -> None:
    out, spec_path, _ = prefilled
    spec = parse_spec(spec_path.read_text("utf-8"))
    result = read_file(out, spec)
    layout = layout_of(result, spec)
    assert layout is not None
    expected = layout.evaluate(result.values)
    saved = tmp_path / "recalc.xlsx"
    lo.recalc_and_save(out, saved)
    wb = openpyxl.load_workbook(saved, data_only=True)
    checked = [f.pos for f in layout.formulas if f.op in ("missing", "sum")]
    for pos in checked:
        assert wb[pos.sheet][pos.ref].value == expected[pos], pos
    cover_status = next(f.pos for f in layout.formulas if f.op == "missing")
    assert wb[cover_status.sheet][cover_status.ref].value == "Mangler: Dato"


def test_invalid_and_unknown_values_are_listed_not_dropped(tmp_path: Path) -> None:
    """Nothing disappears silently: a value that broke a rule is listed with its cell."""
    faulty = ROOT / "examples" / "faulty" / "tmf_haandudfyldt.xlsx"
    text = default_spec_text().replace('key = "follow_up.text"', 'key = "follow_up.notes"')
    carried = write_prefilled(tmp_path / "next.xlsx", parse_spec(text), faulty)
    listed = "\n".join(carried.dropped)
    assert "«idachr(at)tmf.kk.dk»" in listed and "Forside!B12" in listed
    assert "«hver måned»" in listed
    assert "'follow_up.text' findes ikke i den nye runde" in listed


@pytest.mark.parametrize("last_spec", [None, parse_spec(default_spec_text())])
def test_amounts_are_converted_when_the_round_changes_its_unit(
    tmp_path: Path, last_spec: Spec | None
) -> None:
    """The last round counted in 1.000 kr., the next in kr.: every amount is a thousand times
    larger, the yes/no "estimated" stays a yes/no, and the review sheet says so. Without the
    last spec (one returned file), the file's own unit says what its amounts are in."""
    text = round_2010_text()
    assert 'unit = "1.000 kr."' in text
    spec = parse_spec(text.replace('unit = "1.000 kr."', 'unit = "kr."'))
    out = tmp_path / "tmf_kr.xlsx"
    carried = write_prefilled(out, spec, SEED, last_spec)
    last, new = read_file(SEED).submission, read_file(out, spec).submission
    assert last is not None and new is not None
    unallocated = [i.economy.unallocated for i in last.initiatives]
    assert unallocated == [None, 130_000, 282_000]  # in 1.000 kr.
    assert [i.economy.unallocated for i in new.initiatives] == [None, 130_000_000, 282_000_000]
    estimated = [i.economy.estimated for i in new.initiatives]
    assert estimated == [i.economy.estimated for i in last.initiatives] == [None, True, True]
    assert "Beløbene er omregnet fra 1.000 kr. til kr." in [r.text for r in carried.review]


def test_amounts_in_an_unknown_unit_are_refused_not_guessed(tmp_path: Path) -> None:
    spec = parse_spec(round_2010_text().replace('unit = "1.000 kr."', 'unit = "1.000 EUR"'))
    with pytest.raises(Bilag4xlError) as refused:
        write_prefilled(tmp_path / "eur.xlsx", spec, SEED)
    assert "kan ikke omregnes fra '1.000 kr.' til '1.000 EUR'" in str(refused.value)
    assert not (tmp_path / "eur.xlsx").exists()
