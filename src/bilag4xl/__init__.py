"""bilag4xl: Bilag 4 ("Statuskemaer for integrationsindsatser") as a spreadsheet workflow.

The library the command line and the web page are thin over. A round in Python:

    import bilag4xl

    rnd, _ = bilag4xl.init_round("runde")              # runde/runde.toml: the built-in spec
    bilag4xl.write_templates(rnd)                      # one locked template per department
    bilag4xl.receive(rnd, ["indbakke/"])               # validate and keep what came back
    bilag4xl.round_status(rnd).to_dict()               # who is missing, late, with errors
    bilag4xl.merge_round(rnd)                          # runde/samlet.xlsx

Names are imported when first used, so `import bilag4xl` stays quick.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.2.0"

# Each public name and the module it lives in.
_WHERE = {
    "Bilag4xlError": "bilag4xl.errors",
    # the form
    "Spec": "bilag4xl.form.spec",
    "load_spec": "bilag4xl.form.spec",
    "parse_spec": "bilag4xl.form.spec",
    "Submission": "bilag4xl.form.model",
    # problems as data
    "Issue": "bilag4xl.issues.report",
    "Report": "bilag4xl.issues.report",
    "Severity": "bilag4xl.issues.report",
    # templates
    "write_template": "bilag4xl.template.writer",
    "write_round": "bilag4xl.template.writer",
    "template_bytes": "bilag4xl.template.writer",
    # reading and checking returned workbooks
    "read_file": "bilag4xl.intake.validate",
    "validate_paths": "bilag4xl.intake.validate",
    "FileResult": "bilag4xl.intake.validate",
    # consolidating
    "merge_paths": "bilag4xl.consolidate.merge",
    "open_consolidated": "bilag4xl.consolidate.read",
    "open_given": "bilag4xl.consolidate.given",
    # feedback, next round, annex, status, reminders
    "write_feedback": "bilag4xl.feedback",
    "feedback_bytes": "bilag4xl.feedback",
    "write_prefilled": "bilag4xl.prefill",
    "build_annex": "bilag4xl.annex.model",
    "render_annex": "bilag4xl.annex.formats",
    "folder_status": "bilag4xl.status",
    "write_drafts": "bilag4xl.remind",
    # a round folder
    "Round": "bilag4xl.round.folder",
    "init_round": "bilag4xl.round.folder",
    "open_round": "bilag4xl.round.folder",
    "find_round": "bilag4xl.round.folder",
    "receive": "bilag4xl.round.receive",
    "round_status": "bilag4xl.round.folder",
    "history": "bilag4xl.round.folder",
    "write_templates": "bilag4xl.round.templates",
    "merge_round": "bilag4xl.round.consolidated",
    "annex_bytes": "bilag4xl.round.annex",
    # what the commands make, in a round or from the paths given (what was written, unchanged)
    "make_templates": "bilag4xl.round.make",
    "make_merge": "bilag4xl.round.make",
    "make_annex": "bilag4xl.round.make",
    "reminders": "bilag4xl.round.reminders",
    # the data for BI tools
    "export_round": "bilag4xl.export",
    "remind_round": "bilag4xl.round.reminders",
    # each department's private link to its page (bilag4xl links)
    "department_links": "bilag4xl.round.links",
    "link_for": "bilag4xl.round.links",
    "renew_link": "bilag4xl.round.links",
}
_RENAMED = {"render_annex": "render"}

__all__ = ["__version__", *sorted(_WHERE)]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'bilag4xl' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), _RENAMED.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
