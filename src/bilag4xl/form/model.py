"""A submission as validated data (the JSON contract `bilag4xl/submission/1`).

Initiative and cover fields are spec-driven: their dotted keys ("follow_up.evaluation")
become nested JSON, so a field added to the spec appears here without code changes. Only
the economy has fixed semantics (sums, co-financing), so only it is typed field by field.

`assemble` builds a Submission from values by layout path; `flatten` is its inverse, used to
pre-fill a template (feedback, next round) or compare what a merge kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from bilag4xl.form import paths
from bilag4xl.form.identity import form_digest
from bilag4xl.form.layout import Layout, Value
from bilag4xl.form.spec import Kind, Spec

SCHEMA = "bilag4xl/submission/1"


def _number(value: float) -> int | float:
    """Amounts print as JSON integers when they are whole (130000, not 130000.0)."""
    return int(value) if float(value).is_integer() else value


Amount = Annotated[float, Field(ge=0), PlainSerializer(_number, return_type=int | float)]
Total = Annotated[float, PlainSerializer(_number, return_type=int | float)]


class _Model(BaseModel):
    # defer_build: `validate` builds no submission, and starts ~5 ms sooner without these
    model_config = ConfigDict(frozen=False, populate_by_name=True, defer_build=True)


class TemplateInfo(_Model):
    """Which template a submission came from: its id, the spec it was made with (name,
    version, SHA-256) and the form its values are expressed in (`identity.form_digest`)."""

    id: str
    spec: str
    version: str
    spec_hash: str = ""
    form_hash: str = ""

    @classmethod
    def made(cls, template_id: str, made_with: Spec, form: Spec) -> TemplateInfo:
        """A template made from `made_with` whose values are read onto `form`'s."""
        return cls(
            id=template_id,
            spec=made_with.name,
            version=made_with.version,
            spec_hash=made_with.digest,
            form_hash=form_digest(form),
        )


class Source(_Model):
    file: str
    sha256: str


class Economy(_Model):
    years: dict[str, Amount | None]
    unallocated: Amount | None = None
    cofinancing: Amount | None = None
    estimated: bool | None = None
    note: str | None = None
    total: Total = 0.0


class Initiative(_Model):
    """One status form. Spec fields other than name and economy are extra (nested) keys."""

    model_config = ConfigDict(extra="allow")
    name: str
    economy: Economy


class ExtraRow(_Model):
    key: str
    label: str
    years: dict[str, Amount | None]
    unallocated: Amount | None = None
    total: Total = 0.0


class Overview(_Model):
    extra_rows: list[ExtraRow]
    years: dict[str, Total]
    unallocated: Total = 0.0
    cofinancing: Total = 0.0
    total: Total = 0.0


class Submission(_Model):
    schema_: str = Field(default=SCHEMA, alias="schema")
    # The unit every amount of the submission is in ("1.000 kr."): what 412000 means. The
    # cover's "unit" field, if the form has one, is the sender's own unit (enhed/center).
    amount_unit: str = ""
    template: TemplateInfo
    source: Source
    cover: dict[str, Any]
    initiatives: list[Initiative]
    overview: Overview

    def to_json_data(self) -> dict[str, Any]:
        """The submission as JSON-ready data (snake_case keys, ISO dates, numeric amounts)."""
        return self.model_dump(mode="json", by_alias=True)

    @classmethod
    def from_json(cls, text: str | bytes, spec: Spec) -> Submission:
        """A submission back from `to_json_data` as JSON text (the round's ledger keeps it
        so): the dates of `spec`'s date fields, which JSON holds as text, are dates again."""
        submission = cls.model_validate_json(text)
        dated = [f.key for f in spec.cover.fields if f.kind == Kind.DATE]
        _dates(submission.cover, dated)
        dated = [f.key for f in spec.initiative.fields if f.kind == Kind.DATE]
        for initiative in submission.initiatives:
            _dates(initiative.model_extra or {}, dated)
        return submission

    @property
    def department(self) -> str:
        return str(self.cover.get("department") or "")

    @property
    def date(self) -> dt.date | None:
        value = self.cover.get("date")
        return value if isinstance(value, dt.date) else None

    @property
    def total(self) -> float:
        return self.overview.total


def _dates(tree: dict[str, Any], keys: Sequence[str]) -> None:
    for key in keys:
        value = paths.lookup(tree, key)
        if isinstance(value, str):
            paths.put(tree, key, dt.date.fromisoformat(value))


def _sum(values: Mapping[str, float | None] | list[float | None]) -> float:
    items = values.values() if isinstance(values, Mapping) else values
    return float(sum(v for v in items if v is not None))


def assemble(
    layout: Layout, values: Mapping[str, Value | dt.date], template: TemplateInfo, source: Source
) -> Submission:
    """Build a Submission from parsed values by path; totals are computed here, never read."""
    spec = layout.spec
    data: dict[str, Any] = {}
    for path, parts, fixed in layout.slots():  # paths.put, with the paths split once
        node = data
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = values.get(path, fixed)
    cover = data.get(paths.COVER, {})
    initiatives = []
    years = [str(y) for y in spec.round.years]
    for index in range(len(layout.initiatives)):
        raw = data.get(paths.INITIATIVES, {}).get(str(index), {})
        eco = raw.pop(paths.ECONOMY, {})
        eco_years = {y: eco.get(paths.YEARS, {}).get(y) for y in years}
        economy = Economy(
            years=eco_years,
            **{part: eco.get(part) for part in paths.ECONOMY_PARTS},
            total=_sum([*eco_years.values(), eco.get(paths.UNALLOCATED)]),
        )
        name = raw.pop(paths.NAME, None) or ""
        initiatives.append(Initiative(name=name, economy=economy, **raw))
    extra_rows = []
    for n, row in enumerate(spec.overview.extra_rows):
        raw = paths.lookup(data, f"{paths.OVERVIEW}.{paths.EXTRA_ROWS}.{n}") or {}
        row_years = {y: raw.get(paths.YEARS, {}).get(y) for y in years}
        extra_rows.append(
            ExtraRow(
                key=row.key,
                label=row.label,
                years=row_years,
                unallocated=raw.get(paths.UNALLOCATED),
                total=_sum([*row_years.values(), raw.get(paths.UNALLOCATED)]),
            )
        )
    return Submission(
        amount_unit=spec.round.unit.label,
        template=template,
        source=source,
        cover=cover,
        initiatives=initiatives,
        overview=overview_totals(layout, initiatives, extra_rows),
    )


def overview_totals(
    layout: Layout, initiatives: list[Initiative], extra_rows: list[ExtraRow]
) -> Overview:
    """Column sums of the overview, as the template's formulas compute them."""
    spec = layout.spec
    counted = [r for r, s in zip(extra_rows, spec.overview.extra_rows, strict=True) if s.in_total]
    rows: list[Economy | ExtraRow] = [*(i.economy for i in initiatives), *counted]
    years = {str(y): _sum([r.years.get(str(y)) for r in rows]) for y in spec.round.years}
    unallocated = _sum([r.unallocated for r in rows])
    return Overview(
        extra_rows=extra_rows,
        years=years,
        unallocated=unallocated,
        cofinancing=_sum([i.economy.cofinancing for i in initiatives]),
        total=_sum([*years.values(), unallocated]),
    )


def flatten(submission: Submission, layout: Layout) -> dict[str, Value | dt.date]:
    """Values by layout path (the inverse of `assemble`), for pre-filling a template."""
    # A layout without initiative sheets (the merge's cover and extra rows) needs no dump of
    # the initiatives: most of a submission, and of a national merge's time in this function.
    sections = {"cover", "overview"} | ({"initiatives"} if layout.initiatives else set())
    data = submission.model_dump(by_alias=True, include=sections)
    rows = data["overview"]["extra_rows"]
    tree: dict[str, Any] = {
        paths.COVER: data["cover"],
        paths.INITIATIVES: {str(i): ini for i, ini in enumerate(data.get("initiatives", []))},
        paths.OVERVIEW: {paths.EXTRA_ROWS: {str(i): r for i, r in enumerate(rows)}},
    }
    wanted = [i.path for i in layout.inputs] + [t.path for t in layout.texts if t.path]
    return {path: paths.lookup(tree, path) for path in wanted}


def initiative_values(submission: Submission, keys: Sequence[str]) -> list[dict[str, Any]]:
    """Each initiative's values by key ("economy.years.2009"...): what `flatten` gives under
    "initiatives.N.", without the rest of the submission (the merge writes these apart)."""
    data = submission.model_dump(by_alias=True, include={"initiatives"})
    return [{key: paths.lookup(ini, key) for key in keys} for ini in data["initiatives"]]
