"""`bilag4xl report` and `bilag4xl status` through typer's CliRunner."""

from __future__ import annotations

import io
import json
import shutil
import sys
import types
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from annex_seed import DEPARTMENT, NAMES, TEXTS, seed_submission, write_filled
from bilag4xl.annex import sources
from bilag4xl.cli import app
from bilag4xl.consolidate.read import Consolidated
from bilag4xl.form.spec import Department, Spec, default_spec_text, load_spec
from bilag4xl.issues.report import Report

SPEC = load_spec()
ROUND = [d.name for d in SPEC.round.departments]
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "submissions"
runner = CliRunner()


@pytest.fixture
def seed_source(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A source file whose submissions are the seed department's (reading is tested elsewhere)."""
    path = tmp_path / "samlet.xlsx"
    path.write_bytes(b"")

    def seed(path: Path, spec: Spec | None) -> Consolidated:
        return Consolidated(spec or SPEC, [seed_submission(spec or SPEC)])

    monkeypatch.setattr(sources, "read_submissions", seed)
    return path


@pytest.mark.parametrize(("name", "fmt"), [("bilag4.docx", None), ("b.md", None), ("b", "html")])
def test_report_writes_each_format(seed_source: Path, tmp_path: Path, name: str, fmt: str) -> None:
    out = tmp_path / name
    args = ["report", str(seed_source), "-o", str(out)] + (["--format", fmt] if fmt else [])
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    if out.suffix == ".docx":
        text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
        assert all(n in text for n in NAMES)
    else:
        assert NAMES[2].encode() in data and b"412.000" in data


def test_report_refuses_to_overwrite_without_force(seed_source: Path, tmp_path: Path) -> None:
    out = tmp_path / "bilag4.md"
    out.write_text("keep")
    result = runner.invoke(app, ["report", str(seed_source), "-o", str(out)])
    assert result.exit_code == 2 and "--force" in result.output
    assert out.read_text() == "keep"
    forced = runner.invoke(app, ["report", str(seed_source), "-o", str(out), "--force"])
    assert forced.exit_code == 0 and "412.000" in out.read_text()


def test_report_rejects_an_unknown_format(seed_source: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(seed_source), "-o", str(tmp_path / "b.odt"),
                                 "--format", "odt"])  # fmt: skip
    assert result.exit_code == 2 and "ukendt format" in result.output


def test_report_pdf_without_libreoffice_is_refused_and_writes_nothing(
    seed_source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`-o bilag4.pdf` wrote a Word file named .pdf."""
    from bilag4xl import office

    monkeypatch.setattr(office, "soffice_path", lambda: None)
    out = tmp_path / "bilag4.pdf"
    result = runner.invoke(app, ["report", str(seed_source), "-o", str(out)])
    assert result.exit_code == 1
    assert "PDF kræver LibreOffice" in result.output and "-o bilag4.docx" in result.output
    assert not out.exists()


@pytest.mark.libreoffice
def test_report_pdf_is_a_pdf_of_the_annex(seed_source: Path, tmp_path: Path) -> None:
    from pdf_check import text

    out = tmp_path / "bilag4.pdf"
    result = runner.invoke(app, ["report", str(seed_source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    printed = text(out)
    assert DEPARTMENT in printed and NAMES[1] in printed and "412.000" in printed


def test_report_after_allow_invalid_says_so_on_the_terminal_and_in_the_annex(
    tmp_path: Path,
) -> None:
    """A consolidated workbook made with --allow-invalid knows which submissions had errors
    ("Ugyldig" in Kilder); report names them on stderr and in the document."""
    from bilag4xl.consolidate.decide import merge
    from bilag4xl.consolidate.read import open_consolidated
    from bilag4xl.consolidate.write import write_consolidated
    from bilag4xl.issues.report import Issue, Severity
    from merge_helpers import departments, result, submission

    subs = [submission(d, n) for n, d in enumerate(departments()[:3])]
    error = Issue("required", Severity.ERROR, "Feltet mangler", "missing", file="x")
    results = [result(s, report=Report([error]) if n == 1 else None) for n, s in enumerate(subs)]
    merged = merge(results, SPEC, allow_invalid=True)
    source = write_consolidated(tmp_path / "samlet.xlsx", merged)
    assert open_consolidated(source).invalid == (1,)
    out = tmp_path / "bilag4.md"
    reported = runner.invoke(app, ["report", str(source), "-o", str(out)])
    assert reported.exit_code == 0, reported.output
    named = f"{subs[1].department} ({subs[1].source.file})"
    warnings = [line for line in reported.output.splitlines() if line.startswith("Advarsel")]
    assert any(named in line and "--allow-invalid" in line for line in warnings)
    document = out.read_text("utf-8").replace("\\", "")
    assert named in document and document.count("taget med uden at være godkendt") == 2
    clean = write_consolidated(tmp_path / "ren.xlsx", merge([result(s) for s in subs], SPEC))
    assert open_consolidated(clean).invalid == ()
    quiet = runner.invoke(app, ["report", str(clean), "-o", str(tmp_path / "ren.md")])
    assert quiet.exit_code == 0 and "allow-invalid" not in quiet.output


def _stub_run(monkeypatch: pytest.MonkeyPatch, departments: list[str]) -> None:
    """validate_paths returning one valid submission per department."""
    results = [
        types.SimpleNamespace(
            path=Path(f"{n}.xlsx"),
            submission=seed_submission(SPEC, department=n, names=()),
            report=Report(),
        )
        for n in departments
    ]
    run = types.SimpleNamespace(results=results, skipped=[])
    fake = types.ModuleType("bilag4xl.intake.validate")
    fake.validate_paths = lambda paths, spec: run  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bilag4xl.intake.validate", fake)


def test_status_exit_codes_and_json(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _stub_run(monkeypatch, ROUND)
    complete = runner.invoke(app, ["status", str(tmp_path)])
    assert complete.exit_code == 0, complete.output
    assert "i orden" in complete.output
    _stub_run(monkeypatch, ROUND[1:])
    missing = runner.invoke(app, ["status", str(tmp_path), "--json"])
    assert missing.exit_code == 1
    data = json.loads(missing.output)
    assert data["complete"] is False
    assert [d["department"] for d in data["departments"] if d["state"] == "missing"] == ROUND[:1]


def test_status_usage_errors_exit_2(tmp_path: Path) -> None:
    assert runner.invoke(app, ["status", str(tmp_path / "nowhere")]).exit_code == 2
    assert runner.invoke(app, ["status"]).exit_code == 2


# --------------------------------------------------------------------------- real files


def test_report_from_a_filled_submission_file(tmp_path: Path) -> None:
    source = write_filled(tmp_path, SPEC)
    out = tmp_path / "bilag4.docx"
    result = runner.invoke(app, ["report", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    doc = Document(io.BytesIO(out.read_bytes()))
    text = "\n".join(
        [p.text for p in doc.paragraphs]
        + [c.text for t in doc.tables for row in t.rows for c in row.cells]
    )
    assert DEPARTMENT in text and all(n in text for n in NAMES)
    assert TEXTS[2]["goal"] in text
    assert "412.000" in text and "412 mio. kr." in text


def test_report_from_a_consolidated_workbook(tmp_path: Path) -> None:
    from bilag4xl.consolidate.decide import merge
    from bilag4xl.consolidate.write import write_consolidated
    from bilag4xl.intake.validate import validate_paths

    other = SPEC.round.departments[2]
    write_filled(tmp_path, SPEC)
    write_filled(tmp_path, SPEC, other.name, other.initiatives)
    merged = merge(validate_paths([tmp_path], SPEC).results, SPEC)
    source = write_consolidated(tmp_path / "samlet.xlsx", merged)
    out = tmp_path / "bilag4.md"
    result = runner.invoke(app, ["report", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    md = out.read_text("utf-8")
    assert f"## {DEPARTMENT}" in md and f"## {other.name}" in md
    # two of the round's seven: the annex says so, and names the others with why
    assert "## Samlet økonomisk oversigt for 2 af 7 forvaltninger" in md
    assert "alle forvaltninger" not in md and "alle 7" not in md
    missing = [d.name for d in SPEC.round.departments if d.name not in (DEPARTMENT, other.name)]
    assert "**Ikke med:** " + ", ".join(f"{n} (mangler)" for n in missing) in md
    assert "Advarsel: Ikke med: " + missing[0] in result.output
    assert all(f"### {n}" in md for n in (*NAMES, *other.initiatives))


def test_report_refuses_a_file_that_is_not_a_submission(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.xlsx"
    bogus.write_bytes(b"not a workbook")
    result = runner.invoke(app, ["report", str(bogus), "-o", str(tmp_path / "b.docx")])
    assert result.exit_code == 1
    assert "hverken en samlet projektmappe eller en gyldig indberetning" in result.output
    assert not (tmp_path / "b.docx").exists()


def test_status_of_generated_round_with_one_department_removed(tmp_path: Path) -> None:
    departments = SPEC.round.departments[:3]
    spec_file = tmp_path / "round.toml"
    spec_file.write_text(_toml(departments), "utf-8")
    spec = load_spec(spec_file)
    folder = tmp_path / "ind"
    folder.mkdir()
    files = {d.name: write_filled(folder, spec, d.name, d.initiatives) for d in departments}
    with_spec = ["--spec", str(spec_file)]
    complete = runner.invoke(app, ["status", str(folder), *with_spec])
    assert complete.exit_code == 0, complete.output
    files[departments[1].name].unlink()
    result = runner.invoke(app, ["status", str(folder), *with_spec, "--json"])
    assert result.exit_code == 1, result.output
    states = {d["department"]: d["state"] for d in json.loads(result.output)["departments"]}
    assert states == {departments[0].name: "valid", departments[1].name: "missing",
                      departments[2].name: "valid"}  # fmt: skip
    table = runner.invoke(app, ["status", str(folder), *with_spec])
    assert table.exit_code == 1 and "mangler" in table.output


def test_report_and_read_of_a_custom_round_use_the_spec_stored_in_the_workbook(
    tmp_path: Path,
) -> None:
    """A consolidated workbook carries its spec: report and read need no --spec for it."""
    departments = SPEC.round.departments[:2]
    spec_file = tmp_path / "round.toml"
    text = _toml(departments).replace('unit = "1.000 kr."', 'unit = "kr."', 1)
    spec_file.write_text(text, "utf-8")
    spec = load_spec(spec_file)
    assert spec.round.unit.label == "kr." and spec.digest != SPEC.digest
    folder = tmp_path / "ind"
    folder.mkdir()
    for d in departments:
        write_filled(folder, spec, d.name, d.initiatives)
    out = tmp_path / "samlet.xlsx"
    merged = runner.invoke(app, ["merge", str(folder), "-o", str(out), "--spec", str(spec_file)])
    assert merged.exit_code == 0, merged.output
    md = tmp_path / "bilag.md"
    result = runner.invoke(app, ["report", str(out), "-o", str(md)])
    assert result.exit_code == 0, result.output
    assert "Beløb i kr." in md.read_text("utf-8") and "1.000 kr." not in md.read_text("utf-8")
    shown = runner.invoke(app, ["read", str(out)])
    assert shown.exit_code == 0 and "beløb i kr." in shown.output
    standard = tmp_path / "standard.toml"
    standard.write_text(default_spec_text(), "utf-8")
    args = ["report", str(out), "-o", str(md), "--force", "--spec", str(standard)]
    wrong = runner.invoke(app, args)
    assert wrong.exit_code != 0 and "uden --spec" in wrong.output


def _toml(departments: tuple[Department, ...]) -> str:
    """The built-in spec's TOML with the round cut to these departments."""
    from bilag4xl.form.spec import default_spec_text

    head, _, rest = default_spec_text().partition("[[round.departments]]")
    tail = rest[rest.index("[sheets]") :]
    blocks = [
        f"[[round.departments]]\nname = {json.dumps(d.name, ensure_ascii=False)}\n"
        f"initiatives = {json.dumps(list(d.initiatives), ensure_ascii=False)}\n\n"
        for d in departments
    ]
    return head + "".join(blocks) + tail


SEED_EXAMPLE = EXAMPLES / "teknik-og-miljoeforvaltningen.xlsx"


@pytest.mark.parametrize("suffix", [".docx", ".md"])
def test_report_of_the_seed_example(tmp_path: Path, suffix: str) -> None:
    assert SEED_EXAMPLE.is_file(), "the seed example is committed (examples/make_examples.py)"
    out = tmp_path / f"bilag4{suffix}"
    result = runner.invoke(app, ["report", str(SEED_EXAMPLE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    if suffix == ".docx":
        doc = Document(io.BytesIO(out.read_bytes()))
        cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
        text = "\n".join([p.text for p in doc.paragraphs] + cells)
    else:
        text = out.read_text("utf-8").replace("\\", "")
    assert all(n in text for n in NAMES)
    assert "Alle borgere som bor i området for områdeløftindsatsen" in text
    assert "Målet for denne indsats er, at der ikke må komme nye udsatte boligområder" in text
    assert "412.000" in text and "412 mio. kr." in text


def _examples() -> list[Path]:
    return sorted(EXAMPLES.glob("*.xlsx")) if EXAMPLES.is_dir() else []


def test_status_of_examples_with_one_department_removed(tmp_path: Path) -> None:
    from bilag4xl.intake.validate import read_file

    assert _examples(), "the examples are committed (examples/make_examples.py)"
    by_department = {}
    for path in _examples():
        sub = read_file(path, SPEC).submission
        if sub is not None:
            by_department.setdefault(sub.department, path)
    removed = next(n for n in ROUND if n in by_department)
    for name, path in by_department.items():
        if name != removed:
            shutil.copy(path, tmp_path / path.name)
    result = runner.invoke(app, ["status", str(tmp_path), "--json"])
    assert result.exit_code == 1
    states = {d["department"]: d["state"] for d in json.loads(result.output)["departments"]}
    assert states[removed] == "missing"
    assert all(states[n] != "missing" for n in by_department if n != removed)
