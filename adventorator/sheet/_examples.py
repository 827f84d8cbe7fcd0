"""The example sheets that ship inside the package (``adv sheet example``).

They live in ``adventorator/sheet/examples/`` and are read through
``importlib.resources``, so a pip-installed ``adv`` has them without a checkout
(the repository's ``examples/`` is a link to the same directory).
"""

from __future__ import annotations

from importlib import resources

from adventorator.errors import NotFoundError

__all__ = ["example_names", "example_text"]

_PACKAGE = "adventorator.sheet"
_FOLDER = "examples"


def example_names() -> list[str]:
    """The names of the shipped example sheets, sorted (``["bard", "fighter", "rogue"]``)."""
    folder = resources.files(_PACKAGE).joinpath(_FOLDER)
    return sorted(
        entry.name.removesuffix(".json")
        for entry in folder.iterdir()
        if entry.name.endswith(".json") and entry.is_file()
    )


def example_text(name: str) -> str:
    """The JSON text of the example sheet ``name`` (any case); ``NotFoundError`` lists them."""
    names = example_names()
    key = name.strip().lower().removesuffix(".json")
    if key not in names:
        raise NotFoundError(f"no example sheet {name!r} (examples: {', '.join(names)})")
    entry = resources.files(_PACKAGE).joinpath(_FOLDER, f"{key}.json")
    return entry.read_text(encoding="utf-8")
