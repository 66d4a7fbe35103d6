"""The next round in one go: every department's template of the next round, pre-filled from
the consolidated workbook (or the round folder) of the last, read back equal on every field
that was carried; what may be stale is listed for review, new departments get blank templates
and departments gone are named."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from bilag4xl.cli import app
from bilag4xl.consolidate.read import read_consolidated
from bilag4xl.form import paths
from bilag4xl.form.layout import REVIEW_TITLE
from bilag4xl.form.spec import default_spec_text, load_spec
from bilag4xl.intake.validate import read_file
from bilag4xl.template.writer import template_filename
from support import libreoffice as lo

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
GONE = "Kultur- og Fritidsforvaltningen"
NEW = "Borgerrådgiveren"


def next_spec_text() -> str:
    """The next round: the period moved two years on, one department gone, one new."""
    text = default_spec_text()
    text = text.replace("first_year = 2008", "first_year = 2010").replace(
        "last_year = 2011", "last_year = 2013"
    )
    gone = text.index(f'[[round.departments]]\nname = "{GONE}"')
    end = text.index("[[round.departments]]", gone + 10)
    text = text[:gone] + text[end:]
    return text.replace("[sheets]", f'[[round.departments]]\nname = "{NEW}"\n\n[sheets]', 1)


@pytest.fixture(scope="module")
def consolidated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sidste") / "samlet.xlsx"
    result = runner.invoke(app, ["merge", str(ROOT / "examples" / "submissions"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def made(consolidated: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    folder = tmp_path_factory.mktemp("naeste")
    spec_file = folder / "naeste.toml"
    spec_file.write_text(next_spec_text(), "utf-8")
    out = folder / "skabeloner"
    args = ["template", "--spec", spec_file, "--prefill", consolidated, "--out-dir", out]
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return out, spec_file, result.stderr


def test_one_template_per_department_new_ones_blank_gone_ones_named(
    made: tuple[Path, Path, str],
) -> None:
    out, spec_file, said = made
    spec = load_spec(spec_file)
    assert {p.name for p in out.glob("*.xlsx")} == {
        template_filename(spec, d.name) for d in spec.round.departments
    }
    assert f"{NEW}: tom skabelon (ny i runden)" in said
    assert f"Ikke med i den nye runde: {GONE}" in said
    new = read_file(out / template_filename(spec, NEW), spec)
    assert new.submission is not None and not new.raw  # blank: nothing carried


def test_every_carried_field_reads_back_equal(
    made: tuple[Path, Path, str], consolidated: Path
) -> None:
    out, spec_file, _ = made
    spec = load_spec(spec_file)
    last = {s.department: s for s in read_consolidated(consolidated)}
    checked = 0
    for department, old in last.items():
        if department == GONE:
            continue
        result = read_file(out / template_filename(spec, department), spec)
        now = result.submission
        assert now is not None, department
        # the review list on the instructions is the secretariat's, not a value left outside
        assert not [i for i in result.report.issues if i.code == "value-outside-inputs"]
        for f in spec.cover.fields:
            expected = old.cover.get(f.key) if f.carry else None
            assert now.cover.get(f.key) == expected, (department, f.key)
        for old_ini, new_ini in zip(old.initiatives, now.initiatives, strict=True):
            assert new_ini.name == old_ini.name
            for f in spec.initiative_fields:
                key = f.key
                assert paths.lookup(new_ini.model_dump(), key) == paths.lookup(
                    old_ini.model_dump(), key
                ), (department, key)
                checked += 1
            for year in ("2010", "2011"):
                assert new_ini.economy.years[year] == old_ini.economy.years[year]
            assert new_ini.economy.years["2012"] is None
            assert new_ini.economy.unallocated == old_ini.economy.unallocated
            assert new_ini.economy.cofinancing == old_ini.economy.cofinancing
    assert checked > 50


def test_what_may_be_stale_is_listed_at_the_cells_and_on_the_instructions(
    made: tuple[Path, Path, str],
) -> None:
    out, spec_file, said = made
    spec = load_spec(spec_file)
    assert "Til kontrol:" in said and "Status ift. målopfyldelse" in said
    assert "beløbet for 2008" in said and "ligger uden for den nye periode" in said
    tmf = "Teknik- og Miljøforvaltningen"
    wb = load_workbook(out / template_filename(spec, tmf))
    texts = [
        str(c.value) for row in wb[spec.sheets.instructions].iter_rows() for c in row if c.value
    ]
    assert REVIEW_TITLE in texts
    assert any("ikke fordelt på år i perioden 2008–2011" in t for t in texts)
    comments = [
        c.comment.text for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.comment
    ]
    assert any("kontrollér, at det stadig gælder" in c for c in comments)


def test_only_the_review_list_is_passed_over_on_the_instructions(
    made: tuple[Path, Path, str], tmp_path: Path
) -> None:
    out, spec_file, _ = made
    spec = load_spec(spec_file)
    tmf = "Teknik- og Miljøforvaltningen"
    wb = load_workbook(out / template_filename(spec, tmf))
    ws = wb[spec.sheets.instructions]
    title = next(c for row in ws.iter_rows() for c in row if c.value == REVIEW_TITLE)
    ws.cell(title.row - 1, 4, "en note over listen")  # typed above the list: still told
    wb.save(tmp_path / "note.xlsx")
    ws.cell(title.row, 1, "Min egen overskrift")  # the list no longer recognised: all told
    wb.save(tmp_path / "no_title.xlsx")

    def outside(name: str) -> list[str]:
        issues = read_file(tmp_path / name, spec).report.issues
        return [i.cell or "" for i in issues if i.code == "value-outside-inputs"]

    assert outside("note.xlsx") == [f"D{title.row - 1}"]
    assert f"A{title.row}" in outside("no_title.xlsx") and len(outside("no_title.xlsx")) > 3


def test_init_from_the_last_round_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    last = tmp_path / "runde-2008"
    assert runner.invoke(app, ["init", str(last)]).exit_code == 0
    example = ROOT / "examples" / "submissions" / "teknik-og-miljoeforvaltningen.xlsx"
    monkeypatch.chdir(last)
    assert runner.invoke(app, ["receive", str(example)]).exit_code == 0
    monkeypatch.chdir(tmp_path)
    spec_file = tmp_path / "naeste.toml"
    spec_file.write_text(next_spec_text(), "utf-8")
    nxt = tmp_path / "runde-2010"
    result = runner.invoke(app, ["init", str(nxt), "--spec", str(spec_file), "--from", str(last)])
    assert result.exit_code == 0, result.output
    spec = load_spec(nxt / "runde.toml")
    tmf = read_file(
        nxt / "skabeloner" / template_filename(spec, "Teknik- og Miljøforvaltningen"), spec
    )
    assert (
        tmf.submission is not None and tmf.submission.initiatives[1].economy.unallocated == 130000
    )


@pytest.mark.libreoffice
def test_libreoffice_opens_and_recalculates_a_prefilled_template(
    made: tuple[Path, Path, str], tmp_path: Path
) -> None:
    out, spec_file, _ = made
    spec = load_spec(spec_file)
    source = out / template_filename(spec, "Teknik- og Miljøforvaltningen")
    saved = tmp_path / "gemt.xlsx"
    lo.recalc_and_save(source, saved)
    before = read_file(source, spec).submission
    after = read_file(saved, spec).submission
    assert before is not None and after is not None
    assert after.overview.total == before.overview.total == 412000
    values = load_workbook(io.BytesIO(saved.read_bytes()), data_only=True)
    total = values[spec.sheets.overview]
    assert 412000 in [c.value for row in total.iter_rows() for c in row]
