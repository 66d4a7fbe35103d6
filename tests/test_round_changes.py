"""A round is a living thing: editing its administration keeps every file received valid, a
late department joins the others, a change of the form itself is told field by field and
drops nothing, and a file is read by the spec it carries when no round is named."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annex_seed import seed_values
from bilag4xl.cli import app
from bilag4xl.consolidate.read import read_consolidated
from bilag4xl.form.spec import default_spec_text, load_spec
from bilag4xl.intake.validate import read_file
from bilag4xl.round.consolidated import merge_round
from bilag4xl.round.folder import init_round, open_round, round_status
from bilag4xl.round.receive import receive
from bilag4xl.round.templates import write_templates
from bilag4xl.template.writer import template_bytes
from support.fill import fill_template
from support.mutate import edit_sheet, set_cell, text_cell

runner = CliRunner()
TMF = "Teknik- og Miljøforvaltningen"
BUF = "Børne- og Ungdomsforvaltningen"
LATE = "Borgerrådgiveren"


def filled(spec_file: Path, department: str, out: Path, **changes: object) -> Path:
    spec = load_spec(spec_file)
    names = spec.round.department(department).initiatives  # type: ignore[union-attr]
    values = {**seed_values(names), **changes}
    return fill_template(template_bytes(spec, department), values, out, spec)


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_editing_the_rounds_administration_keeps_every_file_valid(tmp_path: Path) -> None:
    rnd, _ = init_round(tmp_path / "runde")
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    sent = [filled(rnd.spec_file, d, inbox / f"{n}.xlsx") for n, d in enumerate((TMF, BUF))]
    assert [r.outcome for r in receive(rnd, sent)] == ["new", "new"]

    text = rnd.spec_file.read_text("utf-8")
    text = edit(text, "deadline = 2009-03-25", "deadline = 2009-04-30")
    text = edit(text, 'contact = "Økonomiforvaltningen', 'contact = "Integrationssekretariatet')
    text = edit(text, 'title = "Status for integrationsindsatser 2008–2011"',
                'title = "Status 2008–2011 (rettet titel)"')  # fmt: skip
    text = edit(text, 'help = "Sagsbehandlerens e-mailadresse."', 'help = "Din e-mail."')
    text = text.replace(
        "[sheets]", f'[[round.departments]]\nname = "{LATE}"\ninitiatives = ["Rådgivning"]\n\n'
        "[sheets]", 1,
    )  # fmt: skip
    rnd.spec_file.write_text(text, "utf-8")
    rnd = open_round(rnd.root)

    status = round_status(rnd)
    states = {d.name: d.state for d in status.departments}
    assert states[TMF] == states[BUF] == "valid", states
    assert states[LATE] == "missing"
    late = [p for p in write_templates(rnd).paths if "borgerraadgiveren" in p.name]
    assert late, "the late department gets its template"
    late_file = filled(rnd.spec_file, LATE, inbox / "late.xlsx")
    (receipt,) = receive(rnd, [late_file])
    assert receipt.outcome == "new" and receipt.report is not None and receipt.report.valid
    run = merge_round(rnd)
    assert run.written is not None, run.merged.report
    merged = {s.department for s in read_consolidated(run.written)}
    assert merged == {TMF, BUF, LATE}


def changed_form(tmp_path: Path) -> Path:
    """The built-in form with the period moved one year on, one field removed, one required
    field added to each initiative and an optional one to the cover."""
    text = default_spec_text()
    text = edit(text, "first_year = 2008", "first_year = 2009")
    text = edit(text, "last_year = 2011", "last_year = 2012")
    goal = text.index('key = "goal"')
    start, end = text.rindex("[[initiative.fields]]", 0, goal), text.index("[[", goal)
    text = text[:start] + text[end:]
    text = text.replace(
        "[economy]",
        '[[initiative.fields]]\nkey = "budget_ref"\nlabel = "Budgetnummer"\nkind = "text"\n'
        "required = true\n\n[economy]",
        1,
    )
    text = text.replace(
        "[initiative]",
        '[[cover.fields]]\nkey = "team"\nlabel = "Team"\nkind = "text"\n\n[initiative]',
        1,
    )
    spec = tmp_path / "aendret.toml"
    spec.write_text(text, "utf-8")
    return spec


def test_a_changed_form_is_told_field_by_field_and_nothing_is_dropped(tmp_path: Path) -> None:
    old = tmp_path / "runde.toml"
    old.write_text(default_spec_text(), "utf-8")
    path = filled(old, TMF, tmp_path / "tmf.xlsx")
    made = read_file(path).submission
    assert made is not None
    new = load_spec(changed_form(tmp_path))
    result = read_file(path, new)
    by_code: dict[str, list] = {}
    for issue in result.report:
        by_code.setdefault(issue.code, []).append(issue)

    (note,) = by_code["form-changed"]
    for said in (
        "perioden er 2008–2011 i filen, 2009–2012 i runden",
        "har mistet feltet 'Indsatsens mål'",
        "har fået feltet 'Budgetnummer'",
    ):
        assert said in note.message_da, note.message_da  # fmt: skip
    gone = by_code["field-gone"]
    assert len(gone) == 3 and all(i.cell and i.sheet for i in gone)  # one goal per initiative
    assert all("goal" in (i.field or "") for i in gone)
    years = [i for i in by_code["year-gone"] if "2008" in i.message_da]
    amounts_2008 = [i for i in made.initiatives if i.economy.years["2008"] is not None]
    assert len(years) == len(amounts_2008) and all(i.cell for i in years)
    required = by_code["field-new-required"]
    assert [i.field for i in required] == [f"initiatives.{n}.budget_ref" for n in range(3)]
    assert [i.field for i in by_code["field-new"]] == ["cover.team"]
    assert not result.report.valid  # a required field the file does not have

    sub = result.submission
    assert sub is not None and list(sub.initiatives[0].economy.years) == [
        "2009", "2010", "2011", "2012",
    ]  # fmt: skip
    for before, after in zip(made.initiatives, sub.initiatives, strict=True):
        for year in ("2009", "2010", "2011"):
            assert after.economy.years[year] == before.economy.years[year]
        assert after.target_group == before.target_group  # type: ignore[attr-defined]


def test_feedback_of_an_old_template_is_the_rounds_new_template(tmp_path: Path) -> None:
    old = tmp_path / "runde.toml"
    old.write_text(default_spec_text(), "utf-8")
    path = filled(old, TMF, tmp_path / "tmf.xlsx")
    spec_file = changed_form(tmp_path)
    out = tmp_path / "rettelser.xlsx"
    done = runner.invoke(app, ["feedback", str(path), "-o", str(out), "--spec", str(spec_file)])
    assert done.exit_code == 0, done.output
    back = read_file(out, load_spec(spec_file))
    assert back.submission is not None
    assert not [i for i in back.report if i.code in ("form-changed", "field-gone")]
    assert {i.field for i in back.report if i.code == "required"} >= {
        f"initiatives.{n}.budget_ref" for n in range(3)
    }


def test_read_without_spec_uses_the_spec_the_file_carries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_kr_round import SOCIAL, aarhus_spec_text, good_values

    spec_file = tmp_path / "aarhus.toml"
    spec_file.write_text(aarhus_spec_text(), "utf-8")
    spec = load_spec(spec_file)
    path = fill_template(template_bytes(spec, SOCIAL), good_values(), tmp_path / "sof.xlsx", spec)
    monkeypatch.chdir(tmp_path)  # no round here
    result = runner.invoke(app, ["read", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["cover"]["department"] == SOCIAL
    assert data["amount_unit"] == "kr."
    assert list(data["initiatives"][0]["economy"]["years"]) == ["2024", "2025", "2026", "2027"]
    validated = runner.invoke(app, ["validate", str(path)])
    assert validated.exit_code == 0, validated.output


@pytest.mark.parametrize(
    ("unit", "code", "factor"),
    [("kr.", "amounts-converted", 1000), ("timer", "amounts-not-converted", 1)],
)
def test_a_changed_unit_converts_the_amounts_or_says_it_cannot(
    tmp_path: Path, unit: str, code: str, factor: int
) -> None:
    old = tmp_path / "runde.toml"
    old.write_text(default_spec_text(), "utf-8")
    path = filled(old, TMF, tmp_path / "tmf.xlsx")
    made = read_file(path).submission
    new = tmp_path / "ny.toml"
    new.write_text(edit(default_spec_text(), 'unit = "1.000 kr."', f'unit = "{unit}"'), "utf-8")
    result = read_file(path, load_spec(new))
    (issue,) = [i for i in result.report if i.code == code]
    assert "1.000 kr." in issue.message_da and unit in issue.message_da
    assert made is not None and result.submission is not None
    assert made.total > 0
    assert result.submission.total == pytest.approx(made.total * factor)


def test_a_template_that_does_not_carry_its_form_must_match_the_rounds(tmp_path: Path) -> None:
    """A template made before templates stored their spec (the `spec_json` rows) cannot be
    carried onto a changed form: there is nothing to carry it from."""
    old = tmp_path / "runde.toml"
    old.write_text(default_spec_text(), "utf-8")
    path = filled(old, TMF, tmp_path / "tmf.xlsx")
    stored = re.compile(rb'<row r="(\d+)"[^>]*>(?:(?!</row>).)*spec_json(?:(?!</row>).)*</row>')
    layout_1 = set_cell("B3", text_cell("B3", "1"))  # the metadata row "layout_version"
    data = edit_sheet(path.read_bytes(), "_bilag4xl", lambda xml: layout_1(stored.sub(b"", xml)))
    path.write_bytes(data)
    result = read_file(path, load_spec(changed_form(tmp_path)))
    (issue,) = [i for i in result.report if i.code == "old-template"]
    assert "layout 1" in issue.message_da and result.submission is None
