"""`bilag4xl merge` end to end: real returned files through the reader, validator and writer."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bilag4xl import output as files
from bilag4xl.cli import app
from bilag4xl.consolidate import write as consolidated
from bilag4xl.consolidate.read import read_consolidated
from bilag4xl.intake.validate import validate_paths
from merge_helpers import SPEC, departments, write_file

runner = CliRunner()
EXAMPLES = Path(__file__).parent.parent / "examples" / "submissions"


@pytest.fixture(scope="module")
def returned(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("returned")
    for n, dept in enumerate(departments()):
        write_file(folder, f"indberetning_{n}.xlsx", dept, n)
    return folder


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def by_hash(subs) -> list[dict]:
    """Submissions as JSON data, in a fixed order."""
    return [s.to_json_data() for s in sorted(subs, key=lambda s: s.source.sha256)]


def merge(*args: object):
    return runner.invoke(app, ["merge", *map(str, args)])


def test_merge_writes_the_workbook_and_a_summary(returned: Path, tmp_path: Path) -> None:
    before = digests(returned)
    out = tmp_path / "samlet.xlsx"
    res = merge(returned, "-o", out)
    assert res.exit_code == 0, res.output
    line = res.output.strip().splitlines()[-1]
    assert line.startswith(f"Skrev {out}: alle 7 forvaltninger,") and "(1.000 kr.)" in line
    assert "0 advarsler" in line
    assert digests(returned) == before  # inputs never modified
    inputs = [r.submission for r in validate_paths([returned], SPEC).results]
    key = lambda s: s.source.sha256  # noqa: E731
    got = sorted(
        (s.to_json_data() for s in read_consolidated(out)), key=lambda d: d["source"]["sha256"]
    )
    assert got == [s.to_json_data() for s in sorted(inputs, key=key)]


def test_errors_print_the_report_and_write_nothing(returned: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(returned, folder)
    write_file(folder, "zz_bad.xlsx", departments()[0], 9, {"cover.caseworker": None})
    out = tmp_path / "samlet.xlsx"
    res = merge(folder, "-o", out, "--on-duplicate", "latest")
    assert res.exit_code == 1
    assert "zz_bad.xlsx" in res.output and "Intet skrevet" in res.output
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_allow_invalid_includes_the_invalid_file(returned: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_file(folder, "bad.xlsx", departments()[0], 9, {"cover.caseworker": None})
    shutil.copy(returned / "indberetning_1.xlsx", folder)
    out = tmp_path / "samlet.xlsx"
    res = merge(folder, "-o", out, "--allow-invalid")
    assert res.exit_code == 0, res.output
    assert len(read_consolidated(out)) == 2


def test_duplicates_error_then_latest(returned: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(returned, folder)
    write_file(folder, "tmf_ny.xlsx", departments()[0], 5)
    out = tmp_path / "samlet.xlsx"
    res = merge(folder, "-o", out)
    assert (
        res.exit_code == 1 and "tmf_ny.xlsx" in res.output and "indberetning_0.xlsx" in res.output
    )
    assert not out.exists()
    once = sum(len(r.submission.initiatives) for r in validate_paths([returned], SPEC).results)
    summary = res.output.strip().splitlines()[-1]
    assert summary.startswith("Intet skrevet: 1 fejl")
    assert f"7 forvaltninger, {once} indsatser" in summary and "ikke 1 ældre" in summary
    res = merge(folder, "-o", out, "--on-duplicate", "latest", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["written"] == str(out) and len(data["dropped"]) == 1
    assert data["stats"]["departments"] == 7


def test_a_byte_identical_copy_is_skipped(returned: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(returned, folder)
    shutil.copy(folder / "indberetning_2.xlsx", folder / "kopi.xlsx")
    res = merge(folder, "-o", tmp_path / "samlet.xlsx")
    assert res.exit_code == 0 and "byte for byte" in res.output


def test_existing_output_needs_force(returned: Path, tmp_path: Path) -> None:
    out = tmp_path / "samlet.xlsx"
    out.write_bytes(b"old")
    res = merge(returned, "-o", out)
    assert res.exit_code == 2 and out.read_bytes() == b"old"
    assert merge(returned, "-o", out, "--force").exit_code == 0
    assert out.read_bytes() != b"old"


def test_output_may_not_be_an_input(returned: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(returned, folder)
    target = folder / "indberetning_0.xlsx"
    before = target.read_bytes()
    res = merge(folder / "indberetning_1.xlsx", target, "-o", target, "--force")
    assert res.exit_code == 1 and "inputfilerne" in res.output
    assert target.read_bytes() == before


def test_an_output_inside_the_input_folder_is_not_read_back(returned, tmp_path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(returned, folder)
    out = folder / "samlet.xlsx"
    assert merge(folder, "-o", out).exit_code == 0
    res = merge(folder, "-o", out, "--force")
    assert res.exit_code == 0, res.output
    assert len(read_consolidated(out)) == 7


@pytest.mark.parametrize("workers", [1, 2])
def test_an_earlier_consolidated_workbook_is_passed_over(returned, tmp_path, workers) -> None:
    """Found in an input folder under another name: noted, not read (also by worker processes)."""
    folder = tmp_path / "in"
    shutil.copytree(returned, folder)
    assert merge(returned, "-o", folder / "0_gammel.xlsx").exit_code == 0
    run = validate_paths([folder], SPEC, workers=workers, skip=consolidated.is_consolidated)
    assert [p.name for p in run.passed_over] == ["0_gammel.xlsx"]
    assert len(run.results) == 7 and run.valid
    done = consolidated.merge_paths([folder], tmp_path / "ny.xlsx", SPEC)
    assert [(i.code, i.file) for i in done.merged.report if "skipped" in i.code] == [
        ("merge.consolidated_skipped", str(folder / "0_gammel.xlsx"))
    ]
    assert len(read_consolidated(tmp_path / "ny.xlsx")) == 7


def test_the_output_in_an_input_folder_is_not_read_as_a_submission(returned, tmp_path) -> None:
    """Merged again into the same folder (--force): the last result is noted, not merged."""
    folder = tmp_path / "in"
    shutil.copytree(returned, folder)
    out = folder / "samlet.xlsx"
    assert merge(folder, "-o", out).exit_code == 0
    done = consolidated.merge_paths([folder], out, SPEC, force=True)
    assert [(i.code, i.file) for i in done.merged.report if "skipped" in i.code] == [
        ("merge.output_skipped", str(out))
    ]
    assert len(read_consolidated(out)) == 7


def test_a_submission_in_an_input_folder_is_never_the_output(returned, tmp_path) -> None:
    """--force must not let the consolidated workbook replace a caseworker's file."""
    folder = tmp_path / "in"
    shutil.copytree(returned, folder)
    victim = sorted(folder.glob("*.xlsx"))[0]
    before = digests(folder)
    res = merge(folder, "-o", victim, "--force")
    assert res.exit_code != 0 and "inputfilerne" in res.output
    assert digests(folder) == before


def _raise(*args: object) -> None:
    raise OSError("disk full (injected)")


@pytest.mark.parametrize(
    ("owner", "name"),
    [
        (consolidated._Writer, "_overview_summary"),  # mid-way through the sheets
        (files.os, "replace"),  # after the temporary file is written, at the rename
    ],
)
def test_injected_failure_leaves_target_untouched(
    returned, tmp_path, monkeypatch, owner, name
) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))  # xlsxwriter's streamed row files
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "samlet.xlsx"
    out.write_bytes(b"previous")
    monkeypatch.setattr(owner, name, _raise)
    res = merge(returned, "-o", out, "--force")
    assert res.exit_code != 0
    assert out.read_bytes() == b"previous"
    assert [p.name for p in out_dir.iterdir()] == ["samlet.xlsx"]
    assert list(temp.iterdir()) == []


def test_bad_on_duplicate_value_is_a_usage_error(returned, tmp_path) -> None:
    assert merge(returned, "-o", tmp_path / "x.xlsx", "--on-duplicate", "first").exit_code == 2


def test_merge_of_the_examples(tmp_path: Path) -> None:
    files = sorted(EXAMPLES.glob("*.xlsx")) if EXAMPLES.is_dir() else []
    assert files, "the examples are committed (examples/make_examples.py)"
    before = digests(EXAMPLES)
    out = tmp_path / "samlet.xlsx"
    res = merge(EXAMPLES, "-o", out, "--json")
    assert res.exit_code == 0, res.output
    assert digests(EXAMPLES) == before
    included = json.loads(res.output)["included"]
    inputs = {r.path: r.submission for r in validate_paths([EXAMPLES], SPEC).results}
    expected = sorted(
        (inputs[Path(p)].to_json_data() for p in included), key=lambda d: d["source"]["sha256"]
    )
    got = sorted(
        (s.to_json_data() for s in read_consolidated(out)), key=lambda d: d["source"]["sha256"]
    )
    assert got == expected


def test_read_of_the_consolidated_workbook_returns_every_submission(
    returned: Path, tmp_path: Path
) -> None:
    """`bilag4xl read OUT.xlsx --json` gives back what `bilag4xl read` gave for each input."""
    out = tmp_path / "samlet.xlsx"
    assert merge(returned, "-o", out).exit_code == 0
    res = runner.invoke(app, ["read", str(out), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["schema"] == "bilag4xl/consolidated/1"
    singles = []
    for path in sorted(returned.glob("*.xlsx")):
        one = runner.invoke(app, ["read", str(path), "--json"])
        assert one.exit_code == 0, one.output
        singles.append(json.loads(one.output))
    key = lambda d: d["source"]["sha256"]  # noqa: E731
    assert sorted(data["submissions"], key=key) == sorted(singles, key=key)


def test_read_refuses_a_zip_bomb_dressed_as_a_consolidated_workbook(returned, tmp_path) -> None:
    """The consolidated reader goes through the same size and ratio checks as validate."""
    import zipfile

    out = tmp_path / "samlet.xlsx"
    assert merge(returned, "-o", out).exit_code == 0
    bomb = tmp_path / "bombe.xlsx"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("xl/media/padding.xml", b"\0" * (60 * 2**20))
    res = runner.invoke(app, ["read", str(bomb), "--json"])
    assert res.exit_code == 1 and "Fejl:" in res.output
    assert "Traceback" not in res.output
