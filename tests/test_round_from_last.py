"""The next round starts from the last: `init NEXT --from LAST` without --spec takes LAST's
runde.toml one year on (deadline cleared, said in the file and on the terminal), says per
department what was carried; initiatives renamed by the spec keep their texts, fields whose
label changed are carried marked for review. Each round has an identity of its own: last
year's template is refused in the new round, naming its round."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annex_seed import write_filled
from bilag4xl.cli import app
from bilag4xl.errors import SpecError
from bilag4xl.form.roundtext import DEADLINE_TODO, next_round_text
from bilag4xl.form.spec import default_spec_text, load_spec, parse_spec
from bilag4xl.intake.validate import read_file
from bilag4xl.prefill import carry_over, prefill_layout
from bilag4xl.round.folder import init_round, open_round, round_status
from bilag4xl.round.receive import receive
from bilag4xl.template.writer import template_filename

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
TMF = "Teknik- og Miljøforvaltningen"
TMF_FILE = ROOT / "examples" / "submissions" / "teknik-og-miljoeforvaltningen.xlsx"


def last_round(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Last year's round: a department with a deadline of its own and a contact, TMF's
    example submission received."""
    last = tmp_path / "runde-2008"
    assert runner.invoke(app, ["init", str(last)]).exit_code == 0
    toml = last / "runde.toml"
    text = toml.read_text("utf-8").replace(
        f'name = "{TMF}"\n',
        f'name = "{TMF}"\ndeadline = 2009-04-15\n'
        'contact = { name = "Ida", email = "ida@kk.dk" }\n',
    )
    toml.write_text(text, "utf-8")
    monkeypatch.chdir(last)
    assert runner.invoke(app, ["receive", str(TMF_FILE)]).exit_code == 0
    monkeypatch.chdir(tmp_path)
    return last


def test_init_from_the_last_round_takes_its_runde_toml_one_year_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    last = last_round(tmp_path, monkeypatch)
    nxt = tmp_path / "runde-2009"
    result = runner.invoke(app, ["init", str(nxt), "--from", str(last)])
    assert result.exit_code == 0, result.output
    before, after = load_spec(last / "runde.toml"), load_spec(nxt / "runde.toml")
    assert (after.round.first_year, after.round.last_year) == (2009, 2012)
    assert after.round.title == "Status for integrationsindsatser 2009–2012"
    assert after.round.deadline is None and before.round.deadline is not None
    tmf = after.round.department(TMF)
    assert tmf is not None and tmf.deadline is None  # last year's grant is not this year's
    assert tmf.contact is not None and tmf.contact.email == "ida@kk.dk"
    assert after.round.departments == tuple(
        d.model_copy(update={"deadline": None}) for d in before.round.departments
    )
    assert after.cover == before.cover and after.initiative == before.initiative
    assert after.round.id and after.round.id != before.round.id
    text = (nxt / "runde.toml").read_text("utf-8")
    assert DEADLINE_TODO in text  # a line saying to set it
    assert "Fristen er fjernet: sæt 'deadline'" in result.stderr
    # per department, under its name: what was carried and what not
    lines = result.stderr.splitlines()
    head = next(n for n, line in enumerate(lines) if line.startswith(f"{TMF}: "))
    assert "værdier overført til" in lines[head]
    assert lines[head + 1].startswith("  ")
    fresh = "  Ikke overført: Forside: Dato (2009-03-25), Sagsnr. (2009-38725), Dokumentnr."
    assert sum(line.startswith(fresh) for line in lines) == 1  # one line, not one per field
    blank = "Socialforvaltningen: tom skabelon (ingen gyldig indberetning i sidste runde)"
    assert any(line.startswith(blank) for line in lines)
    made = read_file(nxt / "skabeloner" / template_filename(after, TMF), after)
    assert made.submission is not None
    assert made.submission.initiatives[1].economy.unallocated == 130000


def test_init_from_names_the_departments_no_longer_in_the_round(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    last = last_round(tmp_path, monkeypatch)
    text = (last / "runde.toml").read_text("utf-8")
    gone = text.index('[[round.departments]]\nname = "Socialforvaltningen"')
    end = text.index("[[round.departments]]", gone + 10)
    spec = tmp_path / "naeste.toml"
    spec.write_text(text[:gone] + text[end:], "utf-8")
    result = runner.invoke(app, ["init", "ny", "--spec", str(spec), "--from", str(last)])
    assert result.exit_code == 0, result.output
    assert "Ikke med i den nye runde: Socialforvaltningen" in result.stderr  # it sent nothing


def test_the_next_rounds_text_keeps_comments_and_refuses_what_it_cannot_move() -> None:
    text = "# vores runde\n" + default_spec_text()
    last = parse_spec(text)
    made = next_round_text(text, last)
    assert made.startswith("# vores runde\n")
    assert parse_spec(made).round.first_year == 2009
    inline = text.replace("first_year = 2008\nlast_year = 2011\n", "").replace(
        "[round]\n", "round.first_year = 2008\n[round]\nlast_year = 2011\n", 1
    )
    with pytest.raises(SpecError):
        next_round_text(inline, parse_spec(inline))


def renamed_spec(tmp_path: Path) -> Path:
    """A next round where TMF's "Områdeløft" is renamed and the target group's label changed."""
    text = default_spec_text()
    text = text.replace(
        '  "Områdeløft",\n',
        '  { name = "Områdeløft i udsatte kvarterer", renamed_from = "Områdeløft" },\n',
    )
    assert 'label = "Målgruppe"' in text
    text = text.replace('label = "Målgruppe"', 'label = "Målgruppe og omfang"')
    path = tmp_path / "naeste.toml"
    path.write_text(text, "utf-8")
    return path


def test_a_renamed_initiative_keeps_its_texts_and_a_relabelled_field_is_marked(
    tmp_path: Path,
) -> None:
    spec = load_spec(renamed_spec(tmp_path))
    tmf = spec.round.department(TMF)
    assert tmf is not None and tmf.initiatives[1] == "Områdeløft i udsatte kvarterer"
    assert tmf.old_name("områdeløft i udsatte kvarterer") == "Områdeløft"
    last = read_file(TMF_FILE).submission
    assert last is not None
    layout = prefill_layout(spec, last)
    carried = carry_over(last, layout, load_spec())
    target = layout.input("initiatives.1.target_group")
    assert carried.values[target.path] == last.initiatives[1].target_group
    assert any("'Områdeløft' hedder nu" in line for line in carried.lines())
    assert not any("Indsatsen 'Områdeløft'" in line for line in carried.dropped)
    marked = [r for r in carried.review if r.pos == target.pos]
    assert marked and "Feltet hed 'Målgruppe'" in marked[0].text
    unchanged = layout.input("initiatives.1.activities")
    assert not [r for r in carried.review if r.pos == unchanged.pos]


def test_an_initiative_table_with_an_unknown_key_is_refused() -> None:
    text = default_spec_text()
    text = text.replace('  "Områdeløft",\n', '  { name = "Områdeløft", renamed = "X" },\n')
    with pytest.raises(SpecError, match="ukendt nøgle: renamed"):
        parse_spec(text)


# --------------------------------------------------------------------------- round identity


def test_last_years_template_is_refused_in_the_new_round(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    last = last_round(tmp_path, monkeypatch)
    old = write_filled(
        tmp_path / "indbakke",
        open_round(last).spec,
        TMF,
        open_round(last).spec.round.department(TMF).initiatives,  # type: ignore[union-attr]
    )
    assert runner.invoke(app, ["init", "runde-2009", "--from", str(last)]).exit_code == 0
    rnd = open_round(tmp_path / "runde-2009")
    (receipt,) = receive(rnd, [old])
    assert receipt.outcome == "refused"
    assert receipt.reason.startswith("Filen er fra runden 2008–2011")
    assert TMF in round_status(rnd).missing  # still chased
    result = runner.invoke(app, ["validate", str(old), "--spec", str(rnd.spec_file), "--json"])
    assert result.exit_code == 1
    assert '"other-round"' in result.stdout


def test_a_round_copied_from_another_gets_an_identity_of_its_own(tmp_path: Path) -> None:
    first, _ = init_round(tmp_path / "a")
    second, _ = init_round(tmp_path / "b", first.spec_file)
    assert first.spec.round.id and second.spec.round.id
    assert first.spec.round.id != second.spec.round.id
    again, made = init_round(tmp_path / "b", first.spec_file)  # the same spec: kept
    assert not made and again.spec.round.id == second.spec.round.id
    data = tomllib.loads((tmp_path / "b" / "runde.toml").read_text("utf-8"))
    assert next(iter(data["round"])) == "id"


def test_a_form_change_within_the_round_keeps_its_files(tmp_path: Path) -> None:
    rnd, _ = init_round(tmp_path / "runde")
    names = rnd.spec.round.department(TMF).initiatives  # type: ignore[union-attr]
    made = write_filled(tmp_path / "indbakke", rnd.spec, TMF, names)
    text = rnd.spec_file.read_text("utf-8")
    rnd.spec_file.write_text(text.replace("last_year = 2011", "last_year = 2012"), "utf-8")
    moved = open_round(rnd.root)
    (receipt,) = receive(moved, [made])
    assert receipt.outcome == "new"
    assert receipt.report is not None and "form-changed" in {i.code for i in receipt.report}
    assert "other-round" not in {i.code for i in receipt.report}
