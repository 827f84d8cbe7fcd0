"""The registry as the planner sees it on one client: commands, options, limits.

``execute`` (in ``planning``) accepts exactly what this catalogue offers.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any

from adventorator.commands._options import option_meta
from adventorator.commands._syntax import Syntax
from adventorator.commands._types import CommandSpec, OptionMeta

__all__ = ["catalogue_text", "is_required", "planner_commands", "planner_fields"]


def planner_commands(commands: Iterable[CommandSpec]) -> dict[str, CommandSpec]:
    """The commands of the registry the planner may choose, by name."""
    return {spec.name: spec for spec in commands if spec.planner}


def catalogue_text(commands: Iterable[CommandSpec], syntax: Syntax) -> str:
    """The registry as the LLM planner sees it on one client: names, purposes, options, limits.

    Only the options the planner may set on that client are listed, exactly
    the ones ``execute`` accepts there.
    """
    lines = []
    for name, spec in planner_commands(commands).items():
        options = ", ".join(
            f"{item.name}{' (required)' if is_required(spec, item) else ''}"
            f"{_range(option_meta(item))}: {option_meta(item).help}"
            for item in planner_fields(spec, syntax).values()
        )
        lines.append(f"- {name}: {_help_for(spec, syntax)} Options: {options or 'none'}")
    # One block per command, separated by blank lines: the prompt builder keeps
    # whole blocks, in order, while they fit the token budget.
    return "\n\n".join(lines)


def _help_for(spec: CommandSpec, syntax: Syntax) -> str:
    """The command's help without the examples using an option the planner lacks there."""
    hidden = [
        flag
        for item in spec.fields()
        if not (option_meta(item).planner and syntax.offers(option_meta(item)))
        for flag in option_meta(item).cli_flags or ("--" + item.name.replace("_", "-"),)
    ]
    text = spec.help
    for example in re.findall(r"`[^`]*`", spec.help):
        if any(re.search(rf"{re.escape(flag)}(?![\w-])", example) for flag in hidden):
            text = text.replace(example, "")
    # Tidy what a removed example leaves: "()", ", ,", ":." and " or manual stats ."
    text = re.sub(r"\s*\(\s*\)", "", text)
    text = re.sub(r"(?:,\s*)+(?=[,.])|:\s*(?=\.)", "", text)
    return re.sub(r"\s+([,.])", r"\1", text)


def planner_fields(spec: CommandSpec, syntax: Syntax) -> dict[str, dataclasses.Field[Any]]:
    """The options of ``spec`` the planner may set for an invocation from ``syntax``'s client.

    An option must allow the planner and be offered by that client, as the
    typed command is: on Discord, ``roll`` has no ``times`` or ``stats``.
    """
    return {
        item.name: item
        for item in spec.fields()
        if option_meta(item).planner and syntax.offers(option_meta(item))
    }


def _range(meta: OptionMeta) -> str:
    if meta.min is not None and meta.max is not None:
        return f" ({meta.min} to {meta.max})"
    if meta.min is not None:
        return f" (at least {meta.min})"
    return f" (at most {meta.max})" if meta.max is not None else ""


def is_required(spec: CommandSpec, item: dataclasses.Field[Any]) -> bool:
    return not _has_default(item) or item.name in spec.planner_requires


def _has_default(item: dataclasses.Field[Any]) -> bool:
    return (
        item.default is not dataclasses.MISSING or item.default_factory is not dataclasses.MISSING
    )
