"""Command options: frozen dataclass fields that carry an ``OptionMeta``.

The CLI, the Discord registration and dispatcher, the planner and each
client's ``Syntax`` all read these same fields. They are stdlib dataclasses
rather than pydantic models so that ``adv roll`` never pays for pydantic.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

_META_KEY = "adventorator"


@dataclass(frozen=True)
class OptionMeta:
    """How one option is presented by each client."""

    help: str
    positional: bool = False  # a CLI argument rather than --option
    cli_flags: tuple[str, ...] = ()  # default: --field-name
    min: int | None = None
    max: int | None = None
    cli: bool = True
    discord: bool = True
    autocomplete: bool = False  # Discord autocompletes it (character names)
    placeholder: str | None = None  # shown in usage: --json '<sheet>'
    planner: bool = True  # the planner may set it
    max_bytes: int | None = None  # a document's size cap: the CLI reads --file up to it


def option(
    help: str,
    *,
    default: Any = dataclasses.MISSING,
    positional: bool = False,
    cli_flags: tuple[str, ...] = (),
    min: int | None = None,
    max: int | None = None,
    cli: bool = True,
    discord: bool = True,
    autocomplete: bool = False,
    placeholder: str | None = None,
    planner: bool = True,
    max_bytes: int | None = None,
) -> Any:
    """A dataclass field that is a command option."""
    meta = OptionMeta(
        help,
        positional,
        cli_flags,
        min,
        max,
        cli,
        discord,
        autocomplete,
        placeholder,
        planner,
        max_bytes,
    )
    return field(default=default, metadata={_META_KEY: meta})


def option_meta(item: dataclasses.Field[Any]) -> OptionMeta:
    meta = item.metadata.get(_META_KEY)
    if not isinstance(meta, OptionMeta):
        raise TypeError(f"option field {item.name!r} has no OptionMeta; declare it with option()")
    return meta
