"""A whole round for another municipality, counted in kroner, 2024-2027.

Everything a person reads - the template's input and error messages, the feedback workbook,
the merge's summary and workbook, the annex and the next round's prefill - shows amounts in
Danish notation in "kr.", and nothing carries an example from the Copenhagen form the
built-in spec was made from.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilag4xl.cli import app
from bilag4xl.form.spec import default_spec_text, load_spec
from bilag4xl.template.writer import write_template
from support.fill import fill_template

runner = CliRunner()
COPENHAGEN = re.compile(
    r"kk\.dk|3366|25\.03\.2009|2009-38725|174004|Bydesign|Njalsgade|København", re.I
)
# 1234567 (no thousands separators), 4.85e+06, "1,234.5" (English), "kr.." (a doubled stop)
UNDANISH = re.compile(r"(?<![\d.,-])\d{5,}(?![\d-])|\de\+\d|\d,\d{3}\.\d|kr\.\.")

ROUND = """[round]
title = "Status for integrationsindsatser 2024–2027"
first_year = 2024
last_year = 2027
unit = "kr."
deadline = 2025-04-11
contact = "Borgmesterens Afdeling, integrationssekretariatet"

[[round.departments]]
name = "Sociale Forhold og Beskæftigelse"
initiatives = ["Jobcenterets mentorforløb", "Sprogcafé"]

[[round.departments]]
name = "Børn og Unge"
initiatives = ["Lektiehjælp i boligområderne"]

[[round.departments]]
name = "Kultur og Borgerservice"
initiatives = ["Bydelsmødre"]
"""
SOCIAL = "Sociale Forhold og Beskæftigelse"


def aarhus_spec_text(first: int = 2024, last: int = 2027) -> str:
    """The built-in spec with its round replaced, as a secretariat makes its own."""
    text = default_spec_text()
    start = text.index("[round]")
    end = text.index("[sheets]")
    round_ = ROUND.replace("first_year = 2024", f"first_year = {first}")
    round_ = round_.replace("last_year = 2027", f"last_year = {last}")
    return text[:start] + round_ + "\n" + text[end:]


@pytest.fixture(scope="module")
def round_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("aarhus")
    (folder / "runde.toml").write_text(aarhus_spec_text(), "utf-8")
    return folder


def texts_of(xlsx: bytes) -> str:
    """Every text a person can see in a workbook: the visible sheets' text cells, input and
    error messages, comments, chart titles (not the hidden metadata, which holds ids)."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx))
    out = []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and not cell.value.startswith("="):
                    out.append(cell.value)
                if cell.comment is not None:
                    out.append(cell.comment.text)
        for dv in ws.data_validations.dataValidation:
            out += [t for t in (dv.promptTitle, dv.prompt, dv.errorTitle, dv.error) if t]
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/charts/"):
                out += re.findall(r"<a:t>([^<]*)</a:t>", archive.read(name).decode("utf-8"))
    return html.unescape("\n".join(out))


def filled(round_dir: Path, name: str, values: dict[str, object]) -> Path:
    spec = load_spec(round_dir / "runde.toml")
    template = write_template(round_dir / f".{name}_skabelon.xlsx", spec, SOCIAL, force=True)
    return fill_template(template, values, round_dir / f"{name}.xlsx", spec)


def good_values() -> dict[str, object]:
    values: dict[str, object] = {
        "cover.caseworker": "Mette Sørensen",
        "cover.email": "mette.sorensen@aarhus.dk",
        "cover.phone": "8940 2000",
        "cover.date": "3/4-2025",
    }
    for n in range(2):
        p = f"initiatives.{n}"
        for key in ("target_group", "activities", "goal", "contribution", "follow_up.text"):
            values[f"{p}.{key}"] = f"Tekst om {key} for indsats {n + 1}."
        values[f"{p}.economy.years.2024"] = 4_850_000
        values[f"{p}.economy.years.2025"] = 1_250_000.5
        values[f"{p}.economy.cofinancing"] = 500_000
    return values


def test_template_messages_are_in_kroner_and_neutral(round_dir: Path) -> None:
    spec = load_spec(round_dir / "runde.toml")
    path = write_template(round_dir / "skabelon.xlsx", spec, SOCIAL, force=True)
    text = texts_of(path.read_bytes())
    assert "Skriv et tal mellem 0 og 10.000.000.000 (beløb i kr.), uden tekst." in text
    assert "Beløb i kr." in text and "1.000 kr." not in text
    assert "fx 11.04.2025" in text  # the round's own deadline as the date example
    assert not COPENHAGEN.search(text), COPENHAGEN.search(text)
    assert not UNDANISH.search(text), UNDANISH.search(text)


def test_messy_submission_feedback_is_danish_in_kroner(round_dir: Path) -> None:
    values = good_values()
    values["cover.email"] = "mette.sorensen(at)aarhus.dk"
    values["cover.caseworker"] = None  # a required field left empty
    values["initiatives.0.economy.years.2026"] = "1.234.567,50 kr."  # Danish text amount
    values["initiatives.0.economy.years.2027"] = 25_000_000_000  # above the limit
    values["initiatives.1.economy.cofinancing"] = 7_000_000  # above the initiative's total
    path = filled(round_dir, "rodet", {k: v for k, v in values.items() if v is not None})
    out = round_dir / "rodet_rettelser.xlsx"
    result = runner.invoke(
        app, ["feedback", str(path), "-o", str(out), "--spec", str(round_dir / "runde.toml")]
    )
    assert result.exit_code == 0, result.output
    text = texts_of(out.read_bytes())
    assert "læst som 1.234.567,5 (i kr.)" in text
    assert (
        "beløbet 25.000.000.000 er større end 10.000.000.000 kr. Husk, at beløb skrives i kr."
        in text
    )
    assert "medfinansieringen 7.000.000 er større end indsatsens beløb i alt 6.100.000,5" in text
    assert "Indtastet værdi: «25.000.000.000»" in text
    assert "fx navn@kommune.dk" in text
    assert not COPENHAGEN.search(text), COPENHAGEN.search(text)
    messages = "\n".join(line for line in text.splitlines() if "[" in line)
    assert messages.count("\n") >= 5  # the messages are there to be judged
    assert not UNDANISH.search(messages), UNDANISH.search(messages)


def test_merge_annex_and_prefill_are_danish_in_kroner(round_dir: Path, tmp_path: Path) -> None:
    spec_file = round_dir / "runde.toml"
    path = filled(round_dir, "sof", good_values())
    out = tmp_path / "samlet.xlsx"
    merged = runner.invoke(app, ["merge", str(path), "-o", str(out), "--spec", str(spec_file)])
    assert merged.exit_code == 0, merged.output
    assert "i alt 12.200.001 (kr.)" in merged.stderr
    workbook = texts_of(out.read_bytes())
    assert "Beløb i kr." in workbook and "Beløb pr. forvaltning (kr.)" in workbook
    assert not COPENHAGEN.search(workbook)

    annex = tmp_path / "bilag4.md"
    report = runner.invoke(app, ["report", str(out), "-o", str(annex)])
    assert report.exit_code == 0, report.output
    md = annex.read_text("utf-8")
    assert "12.200.001" in md and "12,200001 mio. kr." not in md
    assert "Beløb i kr." in md and not COPENHAGEN.search(md)
    assert not UNDANISH.search(md), UNDANISH.search(md)

    nxt = tmp_path / "naeste.toml"
    nxt.write_text(aarhus_spec_text(2025, 2028), "utf-8")
    new = tmp_path / "sof_2025.xlsx"
    args = ["template", "--spec", str(nxt), "--prefill", str(path), "-o", str(new)]
    prefill = runner.invoke(app, [*args, "--prefill-spec", str(spec_file)])
    assert prefill.exit_code == 0, prefill.output
    assert "beløbet for 2024 (4.850.000 kr.)" in prefill.stderr
    assert not UNDANISH.search(prefill.stderr) and not COPENHAGEN.search(prefill.stderr)
