"""The form specification: pydantic models, loading from TOML, and checks against Excel's limits.

The form is data (as in pyxform): cover and initiative fields are listed in the spec, and the
code interprets them. A reporting round (period, unit, deadline, departments) lives in the same
TOML so that one file describes one round.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tomllib
from collections.abc import Callable
from decimal import Decimal
from enum import StrEnum
from functools import cache, cached_property, lru_cache, wraps
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    model_validator,
)

from bilag4xl.danish.numbers import Unit
from bilag4xl.errors import SpecError
from bilag4xl.form.kinds import ECONOMY, KINDS, NO, YES
from bilag4xl.textsafe import slug
from bilag4xl.xlsx import excel

DEFAULT_MAX_KRONER = Decimal(10_000_000_000)  # per amount cell: 10 mia. kr.
NonEmpty = Annotated[str, Field(min_length=1)]


def _label_of(value: object) -> object:
    return value.label if isinstance(value, Unit) else value


# The round's unit is written as its label and is a `Unit` from loading on: checked as any
# text, made a Unit once, and dumped as its label (so the canonical JSON and the digest are as
# before). Type checkers see the Unit it is.
if TYPE_CHECKING:
    UnitLabel = Unit
else:
    UnitLabel = Annotated[
        NonEmpty, AfterValidator(Unit), BeforeValidator(_label_of), PlainSerializer(str)
    ]


class Kind(StrEnum):
    """What a field holds; picks the cell format, the Excel validation and the reader's parser."""

    TEXT = "text"
    LONGTEXT = "longtext"
    CHOICE = "choice"
    YESNO = "yesno"
    EMAIL = "email"
    PHONE = "phone"
    DATE = "date"
    PATTERN = "pattern"
    AMOUNT = "amount"
    ECONOMY = "economy"


# Examples a message gives when the spec names none: neutral, not any municipality's own.
NEUTRAL_EXAMPLES = {
    Kind.EMAIL: "navn@kommune.dk",
    Kind.PHONE: "12 34 56 78",
    Kind.AMOUNT: "1234,5",
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSpec(_Model):
    """One input of the form. `key` is a dotted path into the submission's JSON."""

    key: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")]
    label: NonEmpty
    kind: str = Kind.TEXT  # a kind of `kinds.KINDS` (or "economy", the block of amounts)
    help: str = ""
    title: str | None = None
    required: bool = False
    max_length: int | None = Field(default=None, gt=0, le=excel.CELL_TEXT_MAX)
    choices: tuple[NonEmpty, ...] = ()
    pattern: str | None = None
    pattern_hint: str | None = None
    example: str | None = None  # shown in messages ("fx ..."); a neutral one by kind otherwise
    carry: bool = True  # pre-filled into the next round's template (`template --prefill`)
    review: bool = False  # carried, but marked for review there (it may be stale)

    @model_validator(mode="after")
    def _kind_needs(self) -> FieldSpec:
        if self.kind not in KINDS and self.kind != ECONOMY:
            known = ", ".join([*KINDS, ECONOMY])
            raise ValueError(f"ukendt type '{self.kind}' (kendte typer: {known})")
        if self.kind == Kind.CHOICE and not self.choices:
            raise ValueError("et felt af typen 'choice' skal have 'choices'")
        if self.kind == Kind.PATTERN:
            if not self.pattern:
                raise ValueError("et felt af typen 'pattern' skal have 'pattern'")
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"'pattern' er ikke et gyldigt regulært udtryk: {exc}") from exc
        return self

    @property
    def options(self) -> tuple[str, ...]:
        """The allowed values of a list input (yes/no included)."""
        return (YES, NO) if self.kind == Kind.YESNO else self.choices

    @property
    def prompt_title(self) -> str:
        """Title of the input message; long labels are shortened (Excel allows 32 characters)."""
        return self.title or excel.shorten(self.label, excel.PROMPT_TITLE_MAX)


class Contact(_Model):
    """Whom to write to in a department (reminders are addressed to them)."""

    name: str = ""
    email: str = ""

    @model_validator(mode="after")
    def _address(self) -> Contact:
        if self.email and "@" not in self.email:
            raise ValueError(f"'{self.email}' er ikke en e-mailadresse")
        return self


class Department(_Model):
    name: NonEmpty
    initiatives: tuple[NonEmpty, ...] = ()
    deadline: dt.date | None = None  # a later deadline granted to this department
    contact: Contact | None = None
    # (new name, name in the last round) of initiatives renamed between rounds, written in
    # the spec as `{ name = "...", renamed_from = "..." }` in `initiatives`
    renamed_from: tuple[tuple[NonEmpty, NonEmpty], ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _initiative_tables(cls, data: Any) -> Any:
        """An initiative is a name, or a table with its name and its name last round."""
        if not isinstance(data, dict) or not isinstance(data.get("initiatives"), list | tuple):
            return data
        names: list[Any] = []
        renamed = list(data.get("renamed_from", ()))
        for item in data["initiatives"]:
            if not isinstance(item, dict):
                names.append(item)
                continue
            unknown = sorted(set(item) - {"name", "renamed_from"})
            if unknown or not isinstance(item.get("name"), str):
                raise ValueError(
                    'en indsats skrives som et navn eller som { name = "…", renamed_from = '
                    f'"…" }}{f" (ukendt nøgle: {unknown[0]})" if unknown else ""}'
                )
            names.append(item["name"])
            if item.get("renamed_from"):
                renamed.append((item["name"], item["renamed_from"]))
        return {**data, "initiatives": names, "renamed_from": renamed}

    def old_name(self, initiative: str) -> str | None:
        """The initiative's name in the last round, when the spec says it was renamed."""
        wanted = initiative.casefold()
        return next((old for new, old in self.renamed_from if new.casefold() == wanted), None)


class RoundSpec(_Model):
    """The spec's `[round]` (`spec.round`): one reporting round's period, unit, deadline and
    departments; they belong here, not to the code. (The round folder is `round.folder.Round`.)"""

    title: NonEmpty
    first_year: int = Field(ge=1900, le=2200)
    last_year: int = Field(ge=1900, le=2200)
    unit: UnitLabel = Unit("1.000 kr.")
    deadline: dt.date | None = None
    contact: str = ""
    contact_email: str = ""  # the secretariat's address: reminders come from it
    base_url: str = ""  # where departments reach `bilag4xl serve` (for links)
    id: str | None = None  # this round's own identity, made by `init` (`identity.same_round`)
    departments: tuple[Department, ...] = ()

    @model_validator(mode="after")
    def _period(self) -> RoundSpec:
        if self.last_year < self.first_year:
            raise ValueError("'last_year' ligger før 'first_year'")
        if self.last_year - self.first_year >= 10:
            raise ValueError("perioden må højst være 10 år")
        names = [d.name.casefold() for d in self.departments]
        if len(names) != len(set(names)):
            raise ValueError("en forvaltning står flere gange i 'departments'")
        return self

    @model_validator(mode="after")
    def _distinct_slugs(self) -> RoundSpec:
        """Each department gets its own folder, template file and web address (its slug)."""
        seen: dict[str, str] = {}
        for d in self.departments:
            other = seen.setdefault(slug(d.name), d.name)
            if other != d.name:
                raise ValueError(
                    f"forvaltningerne '{other}' og '{d.name}' får samme mappe- og filnavn "
                    f"('{slug(d.name)}'); giv dem navne, der adskiller sig i bogstaver eller tal"
                )
        return self

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.first_year, self.last_year + 1))

    @property
    def period(self) -> str:
        """The period as people write it: "2026–2029"."""
        return f"{self.first_year}–{self.last_year}"

    def department(self, name: str) -> Department | None:
        return next((d for d in self.departments if d.name.casefold() == name.casefold()), None)

    def deadline_for(self, name: str) -> dt.date | None:
        """A department's deadline: its own (granted later), else the round's."""
        known = self.department(name)
        return (known.deadline if known else None) or self.deadline


class Sheets(_Model):
    instructions: NonEmpty = "Vejledning"
    cover: NonEmpty = "Forside"
    overview: NonEmpty = "Økonomi"
    metadata: NonEmpty = "_bilag4xl"
    feedback: NonEmpty = "Rettelser"
    blank_initiative: NonEmpty = "Indsats {n}"


class Cover(_Model):
    title: NonEmpty = "Forside"
    fields: tuple[FieldSpec, ...]


class InitiativeForm(_Model):
    title: NonEmpty
    name_label: NonEmpty = "Indsats"
    name_help: str = ""
    name_max_length: int = Field(default=200, gt=0, le=excel.CELL_TEXT_MAX)
    fields: tuple[FieldSpec, ...]


class EconomyLabels(_Model):
    years_label: NonEmpty = "Beløb pr. år"
    unallocated_label: NonEmpty = "Ikke fordelt på år"
    total_label: NonEmpty = "I alt"
    cofinancing_label: NonEmpty = "Heraf kommunal medfinansiering"
    estimated_label: NonEmpty = "Beløbet er et skøn"
    note_label: NonEmpty = "Note om økonomi"
    note_max_length: int = Field(default=500, gt=0, le=excel.CELL_TEXT_MAX)
    # The largest amount one cell may hold, in the round's unit; by default 10 mia. kr.
    # converted to the unit (a typo catcher: an amount typed in kroner in a round counted in
    # 1.000 kr. is a thousand times too large).
    max_amount: float | None = Field(default=None, gt=0)


class ExtraRowSpec(_Model):
    key: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    label: NonEmpty
    in_total: bool = True


class OverviewSpec(_Model):
    title: NonEmpty
    row_header: NonEmpty
    total_label: NonEmpty = "I ALT"
    footnote: str = ""
    extra_rows: tuple[ExtraRowSpec, ...] = ()


class Spec(_Model):
    """A whole form specification, including the reporting round it is used for."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")]
    version: NonEmpty
    title: NonEmpty
    round: RoundSpec
    sheets: Sheets = Sheets()
    cover: Cover
    initiative: InitiativeForm
    economy: EconomyLabels = EconomyLabels()
    overview: OverviewSpec

    @cached_property
    def max_amount(self) -> float:
        """The largest amount a cell may hold, in the round's unit (see EconomyLabels)."""
        if self.economy.max_amount is not None:
            return self.economy.max_amount
        factor = self.round.unit.factor
        return float(DEFAULT_MAX_KRONER / factor) if factor else float(DEFAULT_MAX_KRONER)

    def example(self, f: FieldSpec) -> str:
        """The example a message gives for a field: the spec's own, else a neutral one."""
        if f.example:
            return f.example
        if f.kind == Kind.PATTERN and f.pattern_hint:
            return f.pattern_hint
        if f.kind == Kind.DATE:
            return (self.round.deadline or dt.date(self.round.last_year, 12, 31)).strftime(
                "%d.%m.%Y"
            )
        return NEUTRAL_EXAMPLES.get(f.kind, "")

    @cached_property
    def canonical(self) -> str:
        """The spec as canonical JSON: what a workbook stores of it, and what `digest` hashes.

        Keys added later are left out while unused, so a spec without them keeps the digest
        it had (and every template made before them still matches its own metadata)."""
        data = self.model_dump(mode="json")
        for key, unused in LATER_KEYS["round"]:
            if data["round"].get(key) == unused:
                del data["round"][key]
        for department in data["round"]["departments"]:
            for key, unused in LATER_KEYS["department"]:
                if department.get(key) == unused:
                    del department[key]
        return json.dumps(data, sort_keys=True, ensure_ascii=False)

    @cached_property
    def digest(self) -> str:
        """SHA-256 of the canonical spec (all of it, the round's administration included; the
        form alone is `identity.form_digest`)."""
        return hashlib.sha256(self.canonical.encode()).hexdigest()

    def field(self, key: str) -> FieldSpec:
        for f in (*self.cover.fields, *self.initiative.fields):
            if f.key == key:
                return f
        raise KeyError(key)

    @cached_property
    def economy_fields(self) -> dict[str, FieldSpec]:
        """The economy block's inputs as field specs, so they validate like any other field.

        Keys are their places in the block (`paths.economy`): "years.2024" for each year of
        the period, "unallocated", "cofinancing", "estimated", "note"."""
        e, heading = self.economy, self.round.unit.heading
        amount = {"kind": Kind.AMOUNT, "help": f"{heading} – skriv 0, hvis der ingen udgift er."}
        fields = {
            f"years.{y}": FieldSpec(key=f"y{y}", label=str(y), **amount) for y in self.round.years
        }
        fields["unallocated"] = FieldSpec(
            key="unallocated",
            label=e.unallocated_label,
            **{**amount, "help": f"{heading}, som ikke kan fordeles på år."},
        )
        fields["cofinancing"] = FieldSpec(
            key="cofinancing",
            label=e.cofinancing_label,
            **{**amount, "help": "Den del af beløbet i alt, som er kommunal medfinansiering."},
        )
        fields["estimated"] = FieldSpec(
            key="estimated",
            label=e.estimated_label,
            kind=Kind.YESNO,
            help="Vælg Ja, hvis beløbene er skøn (ca.-beløb).",
        )
        fields["note"] = FieldSpec(
            key="note",
            label=e.note_label,
            kind=Kind.TEXT,
            max_length=e.note_max_length,
            help="Fx hvad beløbet dækker, eller hvorfor det ikke kendes.",
        )
        return fields

    @cached_property
    def name_field(self) -> FieldSpec:
        """The initiative name as a field (an input on spare sheets)."""
        i = self.initiative
        return FieldSpec(
            key="name",
            label=i.name_label,
            kind=Kind.TEXT,
            required=True,
            help=i.name_help,
            max_length=i.name_max_length,
        )

    @property
    def initiative_fields(self) -> tuple[FieldSpec, ...]:
        """The initiative's fields other than the economy block."""
        return tuple(f for f in self.initiative.fields if f.kind != Kind.ECONOMY)


# Keys added after specs were first stored in templates, with their value when unused.
LATER_KEYS: dict[str, tuple[tuple[str, Any], ...]] = {
    "round": (("base_url", ""), ("id", None)),
    "department": (("renamed_from", []),),
}

DEFAULT_SPEC_RESOURCE = "default_spec.toml"


def default_spec_text() -> str:
    """The built-in spec as TOML text, to print, copy and edit."""
    return resources.files(__package__).joinpath(DEFAULT_SPEC_RESOURCE).read_text("utf-8")


def load_spec(path: str | Path | None = None) -> Spec:
    """Load a spec from a TOML file, or the built-in default when path is None."""
    if path is None:
        return _builtin_spec()
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(code="spec-unreadable", path=path, reason=exc) from exc
    return parse_spec(text, source=str(path))


@cache
def _builtin_spec() -> Spec:
    # Parsed once per process: a Spec is frozen, so every caller can share it.
    return parse_spec(default_spec_text(), source="indbygget spec")


def parse_spec(text: str, source: str = "spec") -> Spec:
    """Parse and check a spec; every problem names its key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(
            code="spec-toml", source=source, reason=toml_error(exc), reason_en=str(exc)
        ) from exc
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        lines = [f"{source}: {_loc(e['loc'])}: {_pydantic_message(e)}" for e in exc.errors()]
        lines_en = [f"{source}: {_loc(e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise SpecError(
            code="spec-invalid", problems="\n".join(lines), problems_en="\n".join(lines_en)
        ) from None
    problems = check_limits(spec)
    if problems:
        raise SpecError(code="spec-limits", problems="\n".join(f"{source}: {p}" for p in problems))
    return spec


_UNREADABLE_LINE = (
    "linjen kan ikke læses som nøgle = værdi (tekst skal stå i anførselstegn, datoer som "
    "2025-04-11)"
)
_TOML_DA = (
    ("Invalid value", "ugyldig værdi (tekst skal stå i anførselstegn, datoer som 2025-04-11)"),
    ("Invalid date or datetime", "ugyldig dato (skriv den som 2025-04-11)"),
    ("Expected '=' after a key", "der mangler '=' efter nøglen"),
    ("Cannot overwrite a value", "nøglen står to gange"),
    ("Cannot declare", "tabellen står to gange"),
    ("Unterminated string", "en tekst mangler sit afsluttende anførselstegn"),
    ("Unclosed array", "en liste mangler sin afsluttende ]"),
    ("Expected ']'", "en tabeloverskrift mangler sin afsluttende ]"),
    ("Expected newline or end of document", _UNREADABLE_LINE),
    ("Invalid statement", _UNREADABLE_LINE),
)
_TOML_AT = re.compile(r"^(.*?)(?: \(at line (\d+), column (\d+)\))?$", re.DOTALL)


def toml_error(exc: tomllib.TOMLDecodeError) -> str:
    """A TOML syntax error in Danish, with its line and column."""
    match = _TOML_AT.match(str(exc))
    detail, line, column = match.groups() if match else (str(exc), None, None)
    said = next((da for en, da in _TOML_DA if detail.startswith(en)), f"ugyldig TOML ({detail})")
    where = f"linje {line}, kolonne {column}: " if line else ""
    return f"{where}{said}"


def _loc(loc: tuple[object, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(rod)"


# Each kind of validation error in Danish, saying what form the key expects.
_MESSAGES_DA = {
    "missing": "mangler",
    "extra_forbidden": "ukendt nøgle (stavefejl?)",
    "string_too_short": "må ikke være tom",
    "string_type": "skal være en tekst i anførselstegn",
    "string_pattern_mismatch": "har ikke den tilladte form ({pattern})",
    "int_parsing": "skal være et helt tal",
    "int_type": "skal være et helt tal",
    "int_from_float": "skal være et helt tal",
    "float_parsing": "skal være et tal",
    "float_type": "skal være et tal",
    "bool_parsing": "skal være true eller false",
    "bool_type": "skal være true eller false",
    "greater_than": "skal være større end {gt}",
    "greater_than_equal": "skal være mindst {ge}",
    "less_than": "skal være mindre end {lt}",
    "less_than_equal": "må højst være {le}",
    "date_parsing": "skal være en dato skrevet som ÅÅÅÅ-MM-DD, fx 2025-04-11",
    "date_from_datetime_parsing": "skal være en dato skrevet som ÅÅÅÅ-MM-DD, fx 2025-04-11",
    "date_from_datetime_inexact": "skal være en dato uden klokkeslæt, fx 2025-04-11",
    "date_type": "skal være en dato skrevet som ÅÅÅÅ-MM-DD, fx 2025-04-11",
    "enum": "skal være en af: {expected}",
    "tuple_type": 'skal være en liste i firkantede parenteser, fx ["a", "b"]',
    "list_type": 'skal være en liste i firkantede parenteser, fx ["a", "b"]',
    "model_type": "skal være en tabel (fx [round])",
    "model_attributes_type": "skal være en tabel (fx [round])",
    "dict_type": "skal være en tabel",
}


def _pydantic_message(error: dict) -> str:
    """A validation error in Danish: what the key expects, and the value it got."""
    kind = error["type"]
    if kind == "value_error":  # raised by our own validators, already in Danish
        return str(error["msg"]).removeprefix("Value error, ")
    template = _MESSAGES_DA.get(kind)
    if template is None:
        return f"ugyldig værdi ({error['msg']})"
    context = {k: _shown(v) for k, v in (error.get("ctx") or {}).items()}
    message = template.format_map(_Default(context))
    value = error.get("input")
    if kind not in ("missing", "extra_forbidden") and isinstance(value, str | int | float):
        message += f", ikke {value!r}" if isinstance(value, str) else f", ikke {value}"
    return message


class _Default(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def _shown(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_limits(spec: Spec) -> list[str]:
    """Everything in the spec that Excel would refuse or silently drop."""
    problems: list[str] = []
    sheet_keys = ("instructions", "cover", "overview", "metadata", "feedback")
    fixed = {k: getattr(spec.sheets, k) for k in sheet_keys}
    sample_blank = spec.sheets.blank_initiative.replace("{n}", "99")
    for key, name in {**fixed, "blank_initiative": sample_blank}.items():
        problem = excel.sheet_name_problem(name)
        if problem:
            problems.append(f"sheets.{key}: {problem}")
    seen = [n.casefold() for n in fixed.values()]
    if len(seen) != len(set(seen)):
        problems.append("sheets: to ark har samme navn (store og små bogstaver tæller ikke)")
    if "{n}" not in spec.sheets.blank_initiative:
        problems.append("sheets.blank_initiative: skal indeholde {n}")
    for section, fields in (("cover", spec.cover.fields), ("initiative", spec.initiative.fields)):
        problems += _check_fields(section, fields)
    if not any(f.key == "department" for f in spec.cover.fields):
        problems.append("cover.fields: feltet 'department' mangler (indberetningens forvaltning)")
    economy = [f for f in spec.initiative.fields if f.kind == Kind.ECONOMY]
    if len(economy) != 1:
        problems.append("initiative.fields: skal have præcis ét felt af typen 'economy'")
    elif economy[0].key != "economy":
        problems.append(
            f"initiative.fields ({economy[0].key}): økonomifeltet skal have key = 'economy'"
        )
    if any(f.kind == Kind.ECONOMY for f in spec.cover.fields):
        problems.append("cover.fields: typen 'economy' hører til initiative.fields")
    extra = [r.key for r in spec.overview.extra_rows]
    if len(extra) != len(set(extra)):
        problems.append("overview.extra_rows: to rækker har samme 'key'")
    return problems


def _check_fields(section: str, fields: tuple[FieldSpec, ...]) -> list[str]:
    problems: list[str] = []
    keys = [f.key for f in fields]
    for i, f in enumerate(fields):
        where = f"{section}.fields[{i}] ({f.key})"
        if keys.count(f.key) > 1:
            problems.append(f"{where}: nøglen står flere gange")
        if any(k.startswith(f.key + ".") for k in keys):
            problems.append(f"{where}: nøglen er også begyndelsen på en anden nøgle")
        if f.title and len(f.title) > excel.PROMPT_TITLE_MAX:
            problems.append(
                f"{where}.title: {len(f.title)} tegn, en inputbesked-titel må højst have "
                f"{excel.PROMPT_TITLE_MAX}"
            )
        source = ",".join(f.options)
        if len(source) > excel.LIST_SOURCE_MAX:
            problems.append(
                f"{where}.choices: listen fylder {len(source)} tegn, Excel tillader højst "
                f"{excel.LIST_SOURCE_MAX}"
            )
        if any("," in c for c in f.options):
            problems.append(f"{where}.choices: et valg må ikke indeholde komma")
    return problems


# --------------------------------------------------------------------------- stored in a workbook

SPEC_CHUNK = "spec_json."  # metadata keys: the canonical JSON in cell-sized pieces


def spec_chunks(spec: Spec) -> dict[str, str]:
    """The spec as metadata rows ("spec_json.1" ...), each within a cell's 32,767 characters.

    A workbook that carries its spec can be read without the round's spec file, and checked
    exactly against the template it was made from."""
    text, size = spec.canonical, excel.CELL_TEXT_MAX
    return {
        f"{SPEC_CHUNK}{n}": text[i : i + size] for n, i in enumerate(range(0, len(text), size), 1)
    }


R = TypeVar("R")


class _ByDigest:
    """A spec as a cache key: equal when the digests are (hashing the model itself is slow)."""

    __slots__ = ("spec",)

    def __init__(self, spec: Spec) -> None:
        self.spec = spec

    def __hash__(self) -> int:
        return hash(self.spec.digest)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ByDigest) and other.spec.digest == self.spec.digest


def per_spec(maxsize: int) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Cache a function of a spec (and hashable arguments) by the spec's digest, keeping the
    `maxsize` results used last: what every file of a round asks again (its plan, its form's
    digest) is worked out once."""

    def wrap(fn: Callable[..., R]) -> Callable[..., R]:
        cached = lru_cache(maxsize=maxsize)(lambda key, *args: fn(key.spec, *args))

        @wraps(fn)
        def call(spec: Spec, *args: Any) -> R:
            return cached(_ByDigest(spec), *args)

        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        call.cache_info = cached.cache_info  # type: ignore[attr-defined]
        return call

    return wrap


def stored_spec(meta: dict[str, str], digest: str | None, known: Spec | None = None) -> Spec | None:
    """The spec stored by `spec_chunks` (None when there is none), checked against `digest`;
    a changed or damaged one raises SpecError. `known`: a spec the caller holds (the
    round's), taken as it is when the stored text is its canonical text, unparsed."""
    keys = sorted((k for k in meta if k.startswith(SPEC_CHUNK)), key=_chunk_number)
    if not keys:
        return None
    text = "".join(str(meta[k]) for k in keys)
    if known is not None and known.digest == digest and known.canonical == text:
        return known  # its own text: what parsing it would give (a national round's: 40 ms)
    # The text is compared with the one checked before under its digest (a national round's
    # is ~300 kB: comparing is a memcmp, hashing it as a cache key for every file is not).
    seen = _STORED.get(str(digest))
    if seen is None or seen[0] != text:
        seen = (text, _parse_stored(text, digest))
        if len(_STORED) >= 16:
            _STORED.clear()
        _STORED[str(digest)] = seen
    return seen[1]


_STORED: dict[str, tuple[str, Spec]] = {}  # digest -> the stored text checked, its spec


def _chunk_number(key: str) -> int:
    number = key.removeprefix(SPEC_CHUNK)
    return int(number) if number.isdigit() else 0


def _parse_stored(text: str, digest: str | None) -> Spec:
    # Checked and parsed once per process and spec (`stored_spec` keeps it under its digest).
    if hashlib.sha256(text.encode()).hexdigest() != digest:
        raise SpecError(code="stored-spec-changed")
    try:
        return Spec.model_validate(json.loads(text))
    except (ValueError, RecursionError) as exc:
        raise SpecError(
            code="stored-spec-unreadable", reason=str(exc).splitlines()[0][:80]
        ) from exc
