"""What the round hands out names who is not in it: the consolidated workbook's "Oversigt",
the annex and the terminal say which departments are left out and why (mangler, udeladt,
fejl), and none says "alle forvaltninger" unless all are there (issue 22)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from annex_seed import seed_values
from bilag4xl.cli import app
from bilag4xl.consolidate import plan as cp
from bilag4xl.consolidate.decide import LeftOut, coverage, merge
from bilag4xl.consolidate.read import open_consolidated
from bilag4xl.consolidate.write import write_consolidated
from bilag4xl.round.annex import annex_bytes
from bilag4xl.round.consolidated import merge_round
from bilag4xl.round.feedback import feedback_for
from bilag4xl.round.folder import exclude, init_round
from bilag4xl.round.receive import receive
from bilag4xl.template.writer import template_bytes
from merge_helpers import SPEC, departments, result, submission
from support.fill import fill_template

runner = CliRunner()
TMF, BUF, KFF = (d.name for d in SPEC.round.departments[:3])
REST = [d.name for d in SPEC.round.departments[3:]]


def sent(folder: Path, department: str, name: str, **cover: object) -> Path:
    """A department's template filled in (through its input cells) under the name it is sent."""
    spec = SPEC
    names = tuple(spec.round.department(department).initiatives)
    template = folder / f".{name}.template.xlsx"
    template.write_bytes(template_bytes(spec, department))
    out = fill_template(template, seed_values(names, cover or None), folder / name, spec)
    template.unlink()
    return out


@pytest.fixture
def round_dir(tmp_path: Path) -> Path:
    """TMF sent a valid file; BUF's only file was excluded; KFF's current file has errors;
    four departments sent nothing."""
    rnd, _ = init_round(tmp_path / "runde")
    inbox = tmp_path / "indbakke"
    inbox.mkdir()
    files = [
        sent(inbox, TMF, "tmf svar.xlsx"),
        sent(inbox, BUF, "buf svar.xlsx"),
        sent(inbox, KFF, "kff svar.xlsx", email="ikke en adresse"),
    ]
    receipts = receive(rnd, files)
    assert [r.outcome for r in receipts] == ["new"] * 3, receipts
    buf = next(r.entry for r in receipts if r.source.endswith("buf svar.xlsx"))
    assert buf is not None
    exclude(rnd, buf.id, "sendt ved en fejl")
    return rnd.root


def test_the_round_names_who_is_left_out_and_why(round_dir: Path) -> None:
    from bilag4xl.round.folder import open_round

    rnd = open_round(round_dir)
    data, left = annex_bytes(rnd, "md", dt.date(2026, 12, 24))
    reasons = {TMF: None, BUF: "udeladt", KFF: "fejl", **dict.fromkeys(REST, "mangler")}
    assert left == [LeftOut(d, r) for d, r in reasons.items() if r]
    md = data.decode("utf-8").replace("\\", "")
    named = ", ".join(f"{d.department} ({d.reason})" for d in left)
    assert f"**Ikke med:** {named}" in md
    assert "- **Dato:** 24.12.2026" in md  # the day asked for, not the cover's 25.03.2009
    assert "alle forvaltninger" not in md


def test_the_consolidated_workbook_names_who_is_left_out(round_dir: Path) -> None:
    from bilag4xl.round.folder import open_round

    rnd = open_round(round_dir)
    run = merge_round(rnd, allow_invalid=True)  # KFF is in, flagged: not left out
    assert run.written == rnd.consolidated
    ws = openpyxl.load_workbook(run.written)[cp.OVERVIEW]
    title, banner = ws["A1"].value, ws[f"A{cp.BANNER_ROW + 1}"].value
    assert title.endswith(": 2 af 7 forvaltninger") and "alle" not in title
    left = ", ".join(f"{name} (mangler)" for name in REST)
    assert banner.splitlines()[0] == f"Ikke med: {BUF} (udeladt), {left}"
    assert "allow-invalid" in banner.splitlines()[1]
    stored = open_consolidated(run.written).left_out  # for `report samlet.xlsx`
    assert stored == (LeftOut(BUF, "udeladt"), *(LeftOut(n, "mangler") for n in REST))
    # the files by the names they were sent under, not the names they are kept under
    rows = list(openpyxl.load_workbook(run.written)[cp.ISSUES].iter_rows(values_only=True))
    assert {r[0] for r in rows[1:]} == {"kff svar.xlsx"}
    codes = {r[7] for r in rows[1:]}  # the codes last, the Danish message beside the file
    assert "merge.invalid_included" in codes and not any(" " in c for c in codes)
    assert any(r[3].startswith("[Forside!") and "E-mail" in r[3] for r in rows[1:])


def test_merge_says_how_many_of_the_round_are_in(round_dir: Path, monkeypatch) -> None:
    monkeypatch.chdir(round_dir)
    merged = runner.invoke(app, ["merge", "--allow-invalid"])
    assert merged.exit_code == 0, merged.output
    assert "2 af 7 forvaltninger" in merged.stderr
    assert f"Ikke med: {BUF} (udeladt)" in merged.stderr
    reported = runner.invoke(app, ["report", "samlet.xlsx", "-o", "b.md", "--date", "1.2.2027"])
    assert reported.exit_code == 0, reported.output
    assert f"Advarsel: Ikke med: {BUF} (udeladt)" in reported.stderr
    md = (round_dir / "b.md").read_text("utf-8").replace("\\", "")
    assert f"{BUF} (udeladt)" in md and "01.02.2027" in md
    refused = runner.invoke(app, ["report", "--date", "32.13.2026"])
    assert refused.exit_code == 2 and "--date" in refused.stderr


def test_feedback_is_titled_by_the_name_the_file_was_sent_under(round_dir: Path) -> None:
    from bilag4xl.round.folder import history, open_round

    rnd = open_round(round_dir)
    kff = next(e for e in history(rnd) if e.department == KFF)
    assert Path(kff.stored).name != kff.original_name  # kept under a name of its own
    name, data = feedback_for(rnd, kff.id)
    assert name == "kff svar_rettelser.xlsx"
    ws = openpyxl.load_workbook(io.BytesIO(data))[SPEC.sheets.feedback]
    assert ws["A1"].value == "Rettelser til kff svar.xlsx"


def test_alle_only_when_all_are_there() -> None:
    every = [submission(d, n) for n, d in enumerate(departments())]
    assert coverage(SPEC, len(every), []) == "alle 7 forvaltninger"
    merged = merge([result(s) for s in every[:6]], SPEC)
    assert merged.left_out == [LeftOut(departments()[6], "mangler")]
    assert coverage(SPEC, 6, merged.left_out) == "6 af 7 forvaltninger"
    complete = merge([result(s) for s in every], SPEC)
    assert complete.left_out == []
    wb = openpyxl.load_workbook(io.BytesIO(_bytes(complete)))
    assert wb[cp.OVERVIEW]["A1"].value.endswith(": alle 7 forvaltninger")
    assert wb[cp.OVERVIEW][f"A{cp.BANNER_ROW + 1}"].value is None


def _bytes(merged) -> bytes:
    from bilag4xl.consolidate.write import build_consolidated

    return build_consolidated(merged)


def test_a_workbook_without_the_record_leaves_the_annex_to_the_spec(tmp_path: Path) -> None:
    """An older consolidated workbook does not say who was left out: report then names the
    spec's departments without a submission, as for plain files."""
    merged = merge([result(submission(d, n)) for n, d in enumerate(departments()[:2])], SPEC)
    merged.left_out = []
    path = write_consolidated(tmp_path / "samlet.xlsx", merged)
    assert open_consolidated(path).left_out == ()
