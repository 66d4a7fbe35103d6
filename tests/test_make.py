"""What the commands make, asked of the library (issue 24): it answers what was written and
what was left as it was, so the command line only renders it."""

from __future__ import annotations

from pathlib import Path

import pytest

from annex_seed import seed_values
from bilag4xl.errors import NoFilesError, OutputExistsError
from bilag4xl.form.spec import load_spec
from bilag4xl.round.folder import init_round
from bilag4xl.round.make import make_annex, make_merge, make_templates
from bilag4xl.round.receive import receive
from bilag4xl.round.templates import write_templates
from bilag4xl.template.writer import template_bytes
from support.fill import fill_template

TMF = "Teknik- og Miljøforvaltningen"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "submissions"


def test_write_templates_says_what_it_wrote_and_what_was_already_right(tmp_path: Path) -> None:
    rnd, _ = init_round(tmp_path / "runde")
    first = write_templates(rnd)
    count = len(rnd.spec.round.departments)
    assert len(first.paths) == len(first.written) == count and first.unchanged == []
    assert sorted(first.paths) == sorted(rnd.templates.iterdir())
    again = make_templates(rnd.spec, rnd=rnd)
    assert again.written == [] and len(again.unchanged) == count
    first.paths[0].write_bytes(b"changed by hand")
    third = write_templates(rnd)
    assert third.written == [first.paths[0]] and len(third.unchanged) == count - 1


def test_make_templates_writes_one_file_or_a_folder(tmp_path: Path) -> None:
    spec = load_spec()
    one = make_templates(spec, out=tmp_path / "tmf.xlsx", department=TMF)
    assert one.written == [tmp_path / "tmf.xlsx"] and one.carried is None
    folder = make_templates(spec, out_dir=tmp_path / "alle")
    assert len(folder.written) == len(spec.round.departments)
    with pytest.raises(OutputExistsError):
        make_templates(spec, out=tmp_path / "tmf.xlsx", department=TMF)


def test_make_templates_prefilled_from_one_submission_says_what_it_carried(
    tmp_path: Path,
) -> None:
    made = make_templates(
        load_spec(),
        out=tmp_path / "ny.xlsx",
        prefill=EXAMPLES / "teknik-og-miljoeforvaltningen.xlsx",
    )
    assert made.written == [tmp_path / "ny.xlsx"] and made.carried is not None
    assert made.carried.values  # type: ignore[union-attr]


def test_make_merge_and_make_annex_of_a_round_and_of_files(tmp_path: Path) -> None:
    rnd, _ = init_round(tmp_path / "runde")
    with pytest.raises(NoFilesError):
        make_merge([], rnd=rnd)
    names = rnd.spec.round.department(TMF).initiatives  # type: ignore[union-attr]
    sent = fill_template(template_bytes(rnd.spec, TMF), seed_values(names), tmp_path / "t.xlsx")
    receive(rnd, [sent])
    run = make_merge([], rnd=rnd)
    assert run.written == rnd.consolidated
    annex = make_annex(rnd.annex, "md", rnd=rnd, force=True)
    assert annex.written == [rnd.annex] and rnd.annex.is_file()
    assert any("Ikke med" in line for line in annex.warnings)  # six departments missing
    other = make_merge([sent], tmp_path / "samlet.xlsx", spec=rnd.spec)
    assert other.written == tmp_path / "samlet.xlsx"
    of_file = make_annex(tmp_path / "b.md", "md", source=other.written)
    assert of_file.written == [tmp_path / "b.md"] and of_file.removed == 0
    assert TMF in (tmp_path / "b.md").read_text("utf-8")
