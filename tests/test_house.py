"""The house: one room per stage of a round, and no room imports a room of a later stage.

The stages, in the order a round goes through them; a room may use the rooms before it (and
itself), never one after it, so a newcomer can read the tree from the bottom up.
"""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "src" / "bilag4xl"
STAGES: tuple[tuple[str, ...], ...] = (
    ("errors",),
    # Danish numbers, amounts, units, dates; text safe for any output; worker processes
    ("danish", "textsafe", "processes"),
    ("issues", "xlsx", "output", "office"),  # problems as data; writing workbooks and files
    ("record",),  # what a round keeps: a received file, its verdict, a draft written
    ("form",),  # the form as data: spec, kinds, field paths, layout, submission model
    ("template",),
    ("intake",),  # find, read safely (contained) and check returned workbooks
    ("consolidate",),
    ("feedback", "prefill", "status", "annex"),
    ("remind",),
    ("round",),
    ("export",),  # every value entered as one table, for BI tools
    ("web",),  # the page for the secretariat
    ("cli",),  # the command line (serve starts the web page)
    ("__main__",),
)
RANK = {room: n for n, rooms in enumerate(STAGES) for room in rooms}


def room_of(module: str) -> str:
    return module.split(".")[1] if module.startswith("bilag4xl.") else ""


def imports() -> list[tuple[str, str]]:
    """(importing file's room, imported room) for every import of a bilag4xl module."""
    found = []
    for path in SOURCE.rglob("*.py"):
        parts = path.relative_to(SOURCE).with_suffix("").parts
        room = parts[0]
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                target = room_of(names[0]) or (
                    room_of(names[1]) if node.module == "bilag4xl" else ""
                )
                if target:
                    found.append((f"{room} ({'/'.join(parts)})", target))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if room_of(alias.name):
                        found.append((f"{room} ({'/'.join(parts)})", room_of(alias.name)))
    return found


def test_every_room_has_a_stage() -> None:
    rooms = {p.relative_to(SOURCE).parts[0].removesuffix(".py") for p in SOURCE.iterdir()}
    rooms -= {"__pycache__", "__init__", "py.typed"}
    assert rooms <= set(RANK), f"rooms without a stage: {rooms - set(RANK)}"


def test_no_room_imports_a_later_stage() -> None:
    upward = [
        f"{where} imports {target}"
        for where, target in imports()
        if RANK[target] > RANK[where.split()[0]]
        or (RANK[target] == RANK[where.split()[0]] and target != where.split()[0])
    ]
    assert not upward, "\n".join(upward)


def test_the_library_never_imports_the_command_line() -> None:
    assert not [
        w
        for w, t in imports()
        if t in ("cli", "web") and w.split()[0] not in ("cli", "web", "__main__")
    ]


def module_imports() -> dict[str, set[str]]:
    """Each module's imports of other bilag4xl modules at load time (not those inside a
    function, which run later, nor those only for type checkers)."""
    graph: dict[str, set[str]] = {}
    for path in SOURCE.rglob("*.py"):
        parts = path.relative_to(SOURCE).with_suffix("").parts
        name = ".".join(("bilag4xl", *parts)).removesuffix(".__init__")
        graph[name] = set()
        for node in ast.parse(path.read_text("utf-8")).body:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            graph[name] |= {t for t in targets if t.startswith("bilag4xl.")}
    return {m: {t for t in ts if t in graph and t != m} for m, ts in graph.items()}


def test_no_module_imports_itself_through_others() -> None:
    graph = module_imports()
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done
    cycles: list[str] = []

    def walk(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                walk(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module, [module])
    assert not cycles, "\n".join(cycles)
