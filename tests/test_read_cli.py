"""`bilag4xl read` and `bilag4xl validate` through typer's CliRunner, exit codes included."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bilag4xl.cli import app
from filled import filled, valid_values

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SEED = EXAMPLES / "submissions" / "teknik-og-miljoeforvaltningen.xlsx"
runner = CliRunner()


def test_read_seed_json_total_is_412_million() -> None:
    result = runner.invoke(app, ["read", str(SEED), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "bilag4xl/submission/1"
    assert data["overview"]["total"] == 412000  # 412 mio. kr. in 1.000 kr.
    assert data["source"]["file"] == SEED.name
    assert set(data["cover"]) >= {
        "department",
        "caseworker",
        "email",
        "phone",
        "date",
        "case_number",
        "document_number",
        "unit",
    }
    assert data["cover"]["date"] == "2009-03-25"
    helhed = data["initiatives"][2]
    assert helhed["economy"]["cofinancing"] == 58000 and helhed["economy"]["estimated"] is True
    assert set(helhed) >= {
        "name",
        "target_group",
        "activities",
        "goal",
        "contribution",
        "follow_up",
        "status",
        "economy",
    }


def test_read_summary() -> None:
    result = runner.invoke(app, ["read", str(SEED)])
    assert result.exit_code == 0
    assert "Teknik- og Miljøforvaltningen" in result.stdout
    assert "I alt: 412.000" in result.stdout


def test_validate_exit_codes(tmp_path: Path) -> None:
    good = filled(tmp_path, name="ok.xlsx")
    bad = filled(tmp_path, {**valid_values(), "cover.email": "nej"}, name="bad.xlsx")
    ok = runner.invoke(app, ["validate", str(good)])
    assert ok.exit_code == 0 and "1 fil: 1 i orden" in ok.stdout
    both = runner.invoke(app, ["validate", str(good), str(bad)])
    assert both.exit_code == 1
    assert "bad.xlsx" in both.stdout and "Forside" in both.stdout and "B12" in both.stdout
    assert "cover.email" in both.stdout and "fejl" in both.stdout
    assert both.stdout.strip().splitlines()[-1].startswith("2 filer: 1 i orden, 1 med fejl")
    assert runner.invoke(app, ["validate", str(tmp_path / "nope.xlsx")]).exit_code == 2
    assert runner.invoke(app, ["validate", "--lang", "fr", str(good)]).exit_code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert runner.invoke(app, ["validate", str(empty)]).exit_code == 2


def test_validate_json_and_english(tmp_path: Path) -> None:
    bad = filled(tmp_path, {**valid_values(), "cover.email": "nej"}, name="bad.xlsx")
    (tmp_path / "~$bad.xlsx").write_bytes(b"owner")
    result = runner.invoke(app, ["validate", str(tmp_path), "--json", "--lang", "en"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["schema"] == "bilag4xl/report/1" and data["valid"] is False
    assert data["stats"]["files"] == 1 and data["stats"]["error"] == 1
    assert data["skipped"][0]["file"].endswith("~$bad.xlsx")
    (file,) = data["files"]
    assert file["file"] == str(bad) and file["valid"] is False
    issue = file["issues"][0]
    assert issue["code"] == "email-invalid"
    assert issue["message"].startswith("[Forside!B12] E-mail: 'nej' is not an e-mail address")
    assert {"sheet", "cell", "field", "severity", "file"} <= set(issue)


def test_help_texts() -> None:
    for command in ("read", "validate"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "--json" in result.stdout
