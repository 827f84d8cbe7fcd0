"""The command registry: the one catalogue of what players can do.

The CLI, the Discord registration and dispatcher, and the planner all derive
their commands from ``COMMANDS``. Command modules import only light modules
at the top; heavy ones (database, LLM) are imported inside handlers.
"""

from __future__ import annotations

from adventorator.commands import character, check, play, roll, sheet
from adventorator.commands._types import (
    Choice,
    CommandSpec,
    Invocation,
    OptionMeta,
    Reply,
    option,
    option_meta,
)
from adventorator.identity import Identity

COMMANDS: tuple[CommandSpec, ...] = (
    roll.SPEC,
    check.SPEC,
    *sheet.SPECS,
    *character.SPECS,
    *play.SPECS,
)

GROUP_HELP: dict[str, str] = {
    "sheet": "Character sheets: create, show, list, update, delete.",
    "character": "Choose the character you play in this campaign.",
    "transcript": "The record of play: what was said, rolled and narrated.",
}


def find_command(name: str) -> CommandSpec | None:
    """The command called ``name`` ("roll", "sheet create"), if any."""
    return next((spec for spec in COMMANDS if spec.name == name), None)


__all__ = [
    "COMMANDS",
    "GROUP_HELP",
    "Choice",
    "CommandSpec",
    "Identity",
    "Invocation",
    "OptionMeta",
    "Reply",
    "find_command",
    "option",
    "option_meta",
]
