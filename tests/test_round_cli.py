"""A round folder from the command line, without a single --spec: init, template, receive (a
file filled and saved by LibreOffice), status, merge and report, run inside the folder."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annex_seed import seed_values
from bilag4xl.cli import app
from bilag4xl.consolidate.read import read_consolidated
from bilag4xl.form.layout import plan
from bilag4xl.round.folder import open_round
from bilag4xl.template.writer import resolve_initiatives, template_filename
from support import libreoffice as lo

runner = CliRunner()
BUF = "Børne- og Ungdomsforvaltningen"


def run(*args: object) -> object:
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def round_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "runde"
    made = run("init", folder)
    assert made.exit_code == 0, made.output
    monkeypatch.chdir(folder)
    return folder


def libreoffice_filled(round_dir: Path, out: Path) -> Path:
    """The department's template from the round, typed into and saved by LibreOffice."""
    rnd = open_round(round_dir)
    spec = rnd.spec
    names = spec.round.department(BUF).initiatives
    layout = plan(spec, BUF, resolve_initiatives(spec, BUF))
    values = seed_values(names)
    values.pop("cover.date")
    cells = {}
    for path, value in values.items():
        pos = layout.input(path).pos
        cells[(pos.sheet, pos.ref)] = value
    cells[(layout.input("cover.date").pos.sheet, layout.input("cover.date").pos.ref)] = dt.date(
        2009, 3, 20
    )
    template = rnd.templates / template_filename(spec, BUF)
    result = lo.fill_and_save(template, cells, out)
    assert not result.locked
    return out


@pytest.mark.libreoffice
def test_a_whole_round_without_spec(round_dir: Path, tmp_path: Path) -> None:
    made = run("template")
    assert made.exit_code == 0, made.output
    assert "Runde: " in made.stderr and len(list((round_dir / "skabeloner").glob("*.xlsx"))) == 7
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    sent = libreoffice_filled(round_dir, inbox / "buf_svar.xlsx")

    received = run("receive", inbox)
    assert received.exit_code == 0, received.output
    assert "buf_svar.xlsx" in received.stdout and "1 modtaget" in received.stdout
    again = run("receive", sent)
    assert again.exit_code == 0 and "allerede modtaget" in again.stdout

    status = run("status", "--json")
    assert status.exit_code == 1  # six departments still missing
    data = json.loads(status.stdout)
    buf = next(d for d in data["departments"] if d["department"] == BUF)
    assert buf["state"] == "valid" and buf["received_at"]

    merged = run("merge")
    assert merged.exit_code == 0, merged.output
    (submission,) = read_consolidated(round_dir / "samlet.xlsx")
    assert submission.department == BUF and submission.source.file.endswith("buf_svar.xlsx")

    report = run("report")
    assert report.exit_code == 0, report.output
    assert (round_dir / "bilag4.docx").stat().st_size > 0
    # the missing ones are named, with why
    assert "Ikke med: Teknik- og Miljøforvaltningen (mangler)" in report.stderr


def test_commands_that_need_a_round_say_how_to_make_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for args in (["status"], ["receive", str(tmp_path)], ["template"], ["merge"], ["remind"]):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "bilag4xl init" in result.stderr, args


def test_init_twice_changes_nothing_and_a_subfolder_finds_its_round(
    round_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = (round_dir / "runde.toml").read_bytes()
    again = run("init", round_dir)
    assert again.exit_code == 0 and "allerede en rundemappe" in again.stderr
    assert (round_dir / "runde.toml").read_bytes() == before
    monkeypatch.chdir(round_dir / "modtaget")
    status = run("status")
    assert f"Runde: {round_dir}" in status.stderr


def test_exclude_and_include_from_the_command_line(round_dir: Path) -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "submissions"
    assert run("receive", example / "boerne-og-ungdomsforvaltningen.xlsx").exit_code == 0
    history = json.loads(run("status", "--history", "--json").stdout)["history"]
    number = history[0]["entry"]
    missing_reason = run("exclude", number)
    assert missing_reason.exit_code == 2
    excluded = run("exclude", number, "--reason", "sendt ved en fejl")
    assert excluded.exit_code == 0 and "sendt ved en fejl" in excluded.stderr
    data = json.loads(run("status", "--json", "--history").stdout)
    assert next(d for d in data["departments"] if d["department"] == BUF)["state"] == "missing"
    assert data["history"][0]["excluded"] == "sendt ved en fejl"
    assert run("include", number).exit_code == 0
    data = json.loads(run("status", "--json").stdout)
    assert next(d for d in data["departments"] if d["department"] == BUF)["state"] == "valid"
    assert run("exclude", 999, "--reason", "x").exit_code == 1


def test_receive_refuses_an_empty_template_and_a_merged_workbook_and_keeps_the_order(
    round_dir: Path, tmp_path: Path
) -> None:
    from bilag4xl.template.writer import template_bytes
    from support.fill import fill_template

    assert run("template").exit_code == 0
    spec = open_round(round_dir).spec
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    tmf = "Teknik- og Miljøforvaltningen"
    (inbox / "a_tom.xlsx").write_bytes(
        (round_dir / "skabeloner" / template_filename(spec, tmf)).read_bytes()
    )
    names = spec.round.department(BUF).initiatives  # type: ignore[union-attr]
    fill_template(template_bytes(spec, BUF), seed_values(names), inbox / "b_buf.xlsx", spec)
    received = run("receive", inbox, "--json")
    assert received.exit_code == 1, received.output  # a file was refused
    said = json.loads(received.stdout)
    assert [(r["file"].rsplit("/", 1)[-1], r["outcome"]) for r in said["files"]] == [
        ("a_tom.xlsx", "refused"),
        ("b_buf.xlsx", "new"),
    ]
    assert "tom skabelon" in said["files"][0]["issues"][0]["message_da"]
    history = json.loads(run("status", "--history", "--json").stdout)
    (kept,) = [e for e in history["history"] if e["department"] == BUF]
    assert kept["original_name"] == "b_buf.xlsx"  # the sender's name, never a path of ours

    assert run("merge").exit_code == 0
    again = run("receive", round_dir / "samlet.xlsx", "--json")
    (merged,) = json.loads(again.stdout)["files"]
    assert merged["outcome"] == "refused"
    assert "samlet projektmappe" in merged["issues"][0]["message_da"]


def test_templates_written_again_only_when_the_round_changed(round_dir: Path) -> None:
    first = run("template")
    assert first.stderr.count("Skrev ") == 7 and "Uændret" not in first.stderr
    again = run("template")
    assert again.exit_code == 0 and "Skrev " not in again.stderr
    assert "Uændret: 7 skabeloner" in again.stderr
    spec_file = round_dir / "runde.toml"
    spec_file.write_text(
        spec_file.read_text("utf-8").replace("deadline = 2009-03-25", "deadline = 2009-04-30"),
        "utf-8",
    )
    moved = run("template")
    assert moved.stderr.count("Skrev ") == 7  # the deadline stands on every template


def test_feedback_in_a_round_by_number_or_department_into_rettelser(round_dir: Path) -> None:
    faulty = Path(__file__).resolve().parents[1] / "examples" / "faulty" / "tmf_haandudfyldt.xlsx"
    assert run("receive", faulty).exit_code == 1  # received, with errors
    by_number = run("feedback", "1")
    assert by_number.exit_code == 0, by_number.output
    made = round_dir / "rettelser" / "tmf_haandudfyldt_rettelser.xlsx"
    assert made.is_file() and "nr. 1, tmf_haandudfyldt.xlsx" in by_number.stderr
    made.unlink()
    by_name = run("feedback", "teknik- og miljøforvaltningen")
    assert by_name.exit_code == 0, by_name.output
    assert made.is_file()
    from bilag4xl.intake.validate import read_file

    assert read_file(made).submission is not None  # a workbook the caseworker can correct
    missing = run("feedback", "Socialforvaltningen")
    assert missing.exit_code == 1 and "har ikke indberettet endnu" in missing.stderr
    unknown = run("feedback", "Borgerrådgiveren")
    assert unknown.exit_code == 1 and "hverken et filnummer eller en forvaltning" in unknown.stderr
    assert run("feedback", "99").exit_code == 1


def test_read_of_a_consolidated_workbook_asks_no_round(round_dir: Path, tmp_path: Path) -> None:
    """A consolidated workbook is read by the spec stored in it: inside a round folder whose
    runde.toml is broken it still reads, and no round is named."""
    examples = Path(__file__).resolve().parent.parent / "examples" / "submissions"
    book = tmp_path / "samlet.xlsx"
    merged = run("merge", examples, "-o", book, "--spec", round_dir / "runde.toml")
    assert merged.exit_code == 0, merged.output
    (round_dir / "runde.toml").write_text("[round\nikke toml", "utf-8")
    answer = run("read", book, "--json")
    assert answer.exit_code == 0, answer.output
    assert "Runde:" not in answer.output
    assert json.loads(answer.stdout)["schema"] == "bilag4xl/consolidated/1"
