"""Imports point downward only, and a package's ``_private`` modules stay its own.

Every import in the package is read with ``ast`` (module level, inside
functions and under ``TYPE_CHECKING`` alike: a type-only import is still a
dependency), and checked against the layer order of DESIGN.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "adventorator"

# Top to bottom; a module may import its own layer and any layer below it.
# ``context`` is the composition root the clients build; the base modules
# (config, errors, identity, text, limits) are importable from anywhere.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"cli", "discord_webhook", "context"}),
    frozenset({"commands"}),
    frozenset({"play"}),
    frozenset({"services"}),
    frozenset({"llm", "storage"}),
    frozenset({"sheet"}),
    frozenset({"rules"}),
    frozenset({"config", "errors", "identity", "text", "limits", "__init__"}),
)
CLIENTS = frozenset({"cli", "discord_webhook"})


def _imports(path: Path) -> set[str]:
    """Every adventorator module ``path`` imports, as a dotted name."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # ``from adventorator.storage import migrate`` imports a module too.
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("adventorator.")}


def _room(dotted: str) -> str:
    return dotted.split(".")[1]


def _rank(room: str) -> int:
    return next(index for index, layer in enumerate(LAYERS) if room in layer)


def _modules() -> dict[str, set[str]]:
    known = {p.relative_to(PACKAGE.parent).with_suffix("") for p in PACKAGE.rglob("*.py")}
    dotted = {".".join(p.parts) for p in known} | {".".join(p.parts[:-1]) for p in known}
    return {
        path.relative_to(PACKAGE.parent).as_posix(): {
            name for name in _imports(path) if name in dotted
        }
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts  # Alembic's scripts are run by Alembic
    }


def violations(modules: dict[str, set[str]]) -> set[tuple[str, str, str]]:
    """(file, imported module, why) for every import that breaks a rule."""
    found = set()
    for path, imported in modules.items():
        room = Path(path).parts[1].removesuffix(".py")
        for name in imported:
            target = _room(name)
            if target == room:
                continue
            if _rank(target) < _rank(room):
                found.add((path, name, f"{room} imports the higher layer {target}"))
            if room in CLIENTS and target == "storage":
                found.add((path, name, "a client imports storage"))
            private = [part for part in name.split(".")[2:] if part.startswith("_")]
            if private and not private[0].startswith("__"):
                found.add((path, name, f"private module of {target}"))
    return found


def test_every_room_has_a_layer() -> None:
    rooms = {Path(path).parts[1].removesuffix(".py") for path in _modules()}
    assert rooms <= set().union(*LAYERS)


def test_imports_point_downward_and_private_modules_stay_private() -> None:
    found = violations(_modules())
    assert found == set(), sorted(found)


def test_the_check_catches_each_kind_of_violation() -> None:
    modules = {
        "adventorator/rules/srd.py": {"adventorator.sheet"},
        "adventorator/cli/_run.py": {"adventorator.storage.models"},
        "adventorator/commands/roll.py": {"adventorator.llm._structured"},
        "adventorator/play/planner.py": {"adventorator.commands"},
        "adventorator/commands/check.py": {"adventorator.commands._types", "adventorator.rules"},
    }
    reasons = {(path, why) for path, _, why in violations(modules)}
    assert reasons == {
        ("adventorator/rules/srd.py", "rules imports the higher layer sheet"),
        ("adventorator/cli/_run.py", "a client imports storage"),
        ("adventorator/commands/roll.py", "private module of llm"),
        ("adventorator/play/planner.py", "play imports the higher layer commands"),
    }
