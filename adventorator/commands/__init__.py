"""The command registry: the one catalogue of what players can do.

The CLI, the Discord registration and dispatcher, and the planner all derive
their commands from ``COMMANDS``. Command modules import only light modules
at the top; heavy ones (database, LLM) are imported inside handlers.

This module is the package's public API: clients and tests import from here
(or from the public command modules and ``commands.planning``), never from the
private ``_`` modules. Handlers are typed against ``CommandContext``, and
word their hints through ``Invocation.syntax``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adventorator.commands import (
    attack,
    character,
    check,
    concentration,
    conditions,
    history,
    hp,
    init,
    monster,
    play,
    roll,
    scene,
    sheet,
)
from adventorator.commands._context import CommandContext
from adventorator.commands._sheet_view import sheet_panel, sheet_text
from adventorator.commands._syntax import Syntax
from adventorator.commands._types import (
    Choice,
    CommandSpec,
    Handler,
    Invocation,
    OptionMeta,
    Reply,
    option,
    option_meta,
)
from adventorator.identity import Identity

if TYPE_CHECKING:
    from adventorator.commands._checks import off_loop

COMMANDS: tuple[CommandSpec, ...] = (
    roll.SPEC,
    check.SPEC,
    attack.SPEC,
    *hp.SPECS,
    *conditions.SPECS,
    *concentration.SPECS,
    *history.SPECS,
    *init.SPECS,
    *monster.SPECS,
    *sheet.SPECS,
    *character.SPECS,
    *play.SPECS,
    *scene.SPECS,
)

GROUP_HELP: dict[str, str] = {
    "sheet": "Character sheets: create, show, list, update, delete.",
    "character": "Choose the character you play in this campaign.",
    "transcript": "The record of play: what was said, rolled and narrated.",
    "scene": "Scenes of the campaign: start a new one, list them (the CLI plays in the newest).",
    "condition": "SRD conditions and exhaustion on a character: add, remove, list.",
    "concentration": "The spell a character concentrates on: start, end, show.",
    "save": "Saving throws the rules track: death saves at 0 HP.",
    "campaign": "The campaign: its game master.",
    "init": "Encounters: initiative, turn order and rounds in this scene.",
    "monster": "SRD 5.1 monsters: stat blocks and names.",
}


def find_command(name: str) -> CommandSpec | None:
    """The command called ``name`` ("roll", "sheet create"), if any."""
    return next((spec for spec in COMMANDS if spec.name == name), None)


def __getattr__(name: str) -> Any:
    # ``off_loop`` lives with the check helpers, which load the rules engine:
    # imported on first use, so ``adv roll`` and ``adv --help`` stay light.
    if name == "off_loop":
        from adventorator.commands._checks import off_loop

        return off_loop
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "COMMANDS",
    "GROUP_HELP",
    "Choice",
    "CommandContext",
    "CommandSpec",
    "Handler",
    "Identity",
    "Invocation",
    "OptionMeta",
    "Reply",
    "Syntax",
    "find_command",
    "off_loop",
    "option",
    "option_meta",
    "sheet_panel",
    "sheet_text",
]
