"""bilag4xl's public face: a version, an explicit __all__ of the library API, and a cheap
`import bilag4xl` (the names are imported when first used)."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

import bilag4xl

PUBLIC = {
    "Bilag4xlError", "FileResult", "Issue", "Report", "Round", "Severity", "Spec", "Submission",
    "annex_bytes", "build_annex", "department_links", "export_round", "feedback_bytes",
    "find_round", "folder_status", "history", "init_round", "link_for", "load_spec",
    "make_annex", "make_merge", "make_templates", "open_given",
    "merge_paths", "merge_round", "open_consolidated", "open_round", "parse_spec", "read_file",
    "receive", "remind_round", "reminders", "render_annex", "renew_link", "round_status",
    "template_bytes", "validate_paths", "write_drafts", "write_feedback", "write_prefilled",
    "write_round", "write_template", "write_templates",
}  # fmt: skip


def test_version_is_the_installed_one() -> None:
    assert bilag4xl.__version__ == version("bilag4xl")


def test_all_is_the_library_api_and_every_name_resolves() -> None:
    assert set(bilag4xl.__all__) == PUBLIC | {"__version__"}
    for name in PUBLIC:
        assert getattr(bilag4xl, name) is not None, name
    assert set(dir(bilag4xl)) >= PUBLIC


def test_no_public_name_is_shadowed_by_a_room() -> None:
    """A room (subpackage) of the same name as a public function would replace it on the
    package once imported: `bilag4xl.merge_round` must stay the function after every room."""
    import pkgutil
    from importlib import import_module

    for module in pkgutil.walk_packages(bilag4xl.__path__, "bilag4xl."):
        if not module.name.startswith("bilag4xl.__main__"):
            import_module(module.name)
    for name in PUBLIC:
        assert not isinstance(getattr(bilag4xl, name), type(bilag4xl)), name


def test_import_is_cheap() -> None:
    code = (
        "import sys, bilag4xl; "
        "print(sorted(m for m in ('pydantic', 'xlsxwriter', 'openpyxl') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        bilag4xl.nothing_here  # noqa: B018
    except AttributeError as exc:
        assert "nothing_here" in str(exc)
    else:
        raise AssertionError("no AttributeError")
