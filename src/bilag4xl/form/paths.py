"""Field paths: where a value lives in a submission, as one dotted string.

    cover.<key>                              a cover field ("cover.email")
    initiatives.<n>.<key>                    an initiative's field ("initiatives.0.follow_up.text")
    initiatives.<n>.name                     its name
    initiatives.<n>.economy.years.<year>     an amount for one year
    initiatives.<n>.economy.<part>           unallocated, cofinancing, estimated, note
    overview.extra_rows.<n>.years.<year>     an amount typed on the overview
    overview.extra_rows.<n>.unallocated

The same paths key the template's inputs (layout), the values read back (intake), the
submission's JSON (model) and the consolidated workbook's columns, so they are built and
taken apart here only.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any, Literal, NamedTuple

COVER, INITIATIVES, OVERVIEW, EXTRA_ROWS = "cover", "initiatives", "overview", "extra_rows"
ECONOMY, YEARS = "economy", "years"
NAME, UNALLOCATED, COFINANCING, ESTIMATED, NOTE = (
    "name",
    "unallocated",
    "cofinancing",
    "estimated",
    "note",
)
ECONOMY_PARTS = (UNALLOCATED, COFINANCING, ESTIMATED, NOTE)

Section = Literal["cover", "initiative", "economy", "extra"]


class FieldPath(NamedTuple):
    """A path taken apart: its section, the initiative's or extra row's index, the key within
    (a field key, "name", "years.2024", "unallocated"...)."""

    section: Section
    index: int | None
    key: str

    @property
    def year(self) -> str | None:
        """The year of an amount ("years.2024" -> "2024"), else None."""
        head, _, year = self.key.partition(".")
        return year if head == YEARS and year else None

    def __str__(self) -> str:
        if self.section == "cover":
            return cover(self.key)
        if self.section == "initiative":
            return initiative(self.index or 0, self.key)
        if self.section == "economy":
            return economy(self.index or 0, self.key)
        return extra(self.index or 0, self.key)


def cover(key: str) -> str:
    return f"{COVER}.{key}"


def initiative(n: int, key: str) -> str:
    return f"{INITIATIVES}.{n}.{key}"


def economy_key(part: str) -> str:
    """An economy input's key within its initiative ("economy.years.2024")."""
    return f"{ECONOMY}.{part}"


def economy(n: int, part: str) -> str:
    """An economy input of initiative n: "years.2024" or one of ECONOMY_PARTS."""
    return initiative(n, economy_key(part))


def year(n: int, y: int | str) -> str:
    return economy(n, f"{YEARS}.{y}")


def extra(n: int, part: str) -> str:
    """An input of the overview's extra row n: "years.2024" or "unallocated"."""
    return f"{OVERVIEW}.{EXTRA_ROWS}.{n}.{part}"


def is_amount_part(part: str) -> bool:
    """Whether an economy part sums into the total: a year or "unallocated"."""
    return part == UNALLOCATED or part.startswith(YEARS + ".")


def amount_parts(years: tuple[int, ...] | list[int]) -> list[str]:
    """The amount row of the period: each year, then "unallocated" (as in the template)."""
    return [f"{YEARS}.{y}" for y in years] + [UNALLOCATED]


def parse(path: str) -> FieldPath | None:
    """A path taken apart (None when it is not one of the forms above)."""
    head, _, rest = path.partition(".")
    if head == COVER and rest:
        return FieldPath("cover", None, rest)
    if head == INITIATIVES:
        number, _, key = rest.partition(".")
        if not number.isdigit() or not key:
            return None
        if key.startswith(ECONOMY + "."):
            return FieldPath("economy", int(number), key.removeprefix(ECONOMY + "."))
        return FieldPath("initiative", int(number), key)
    if head == OVERVIEW and rest.startswith(EXTRA_ROWS + "."):
        number, _, key = rest.removeprefix(EXTRA_ROWS + ".").partition(".")
        if number.isdigit() and key:
            return FieldPath("extra", int(number), key)
    return None


def initiative_of(path: str) -> int | None:
    """The initiative a path belongs to (its economy included), else None."""
    parsed = parse(path)
    return parsed.index if parsed and parsed.section in ("initiative", "economy") else None


def within_initiative(path: str) -> str | None:
    """A path relative to its initiative ("follow_up.text", "economy.years.2024", "name")."""
    parsed = parse(path)
    if parsed is None or parsed.section not in ("initiative", "economy"):
        return None
    return parsed.key if parsed.section == "initiative" else economy_key(parsed.key)


def lookup(tree: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of nested dicts (None where the path ends early)."""
    node: Any = tree
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def put(tree: MutableMapping[str, Any], path: str, value: Any) -> None:
    """Set the value at a dotted path, making the dicts on the way."""
    *parents, last = path.split(".")
    node = tree
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
