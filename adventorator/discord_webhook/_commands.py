"""The registry as Discord sees it: command JSON for registration, and options back.

Everything here is derived from ``adventorator.commands.COMMANDS``: a command
of one word is a top-level slash command, and the commands of a group
(``sheet create``, ``sheet show``...) become one top-level command with
SUB_COMMAND options. Only options with ``discord=True`` exist on Discord.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from adventorator.commands import (
    COMMANDS,
    GROUP_HELP,
    CommandSpec,
    OptionMeta,
    find_command,
    option_meta,
)
from adventorator.discord_webhook import _attachments as attachments
from adventorator.discord_webhook._payload import BadInteraction
from adventorator.errors import InputError

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, NUMBER = 3, 4, 5, 10
CHAT_INPUT = 1
MAX_DESCRIPTION = 100
MAX_NAME = 32  # Discord's own limit on command and option names
_SCALARS = (str, int, float, bool)  # what an option's value can be, as Discord sends it
_OPTION_TYPES: dict[type, int] = {str: STRING, int: INTEGER, bool: BOOLEAN, float: NUMBER}


@dataclass(frozen=True)
class DiscordOption:
    """One option field of a command, as it appears on Discord."""

    name: str
    type: int
    required: bool
    meta: OptionMeta

    def to_json(self) -> dict[str, Any]:
        option: dict[str, Any] = {
            "type": self.type,
            "name": self.name,
            "description": describe(self.meta.help),
            "required": self.required,
        }
        if self.type in (INTEGER, NUMBER):
            if self.meta.min is not None:
                option["min_value"] = self.meta.min
            if self.meta.max is not None:
                option["max_value"] = self.meta.max
        if self.meta.autocomplete and self.type == STRING:
            option["autocomplete"] = True
        return option


def describe(help_text: str) -> str:
    """A description of at most 100 characters: the help up to its first CLI example."""
    text = help_text.split("`", 1)[0].strip().rstrip(":(,;").strip() or help_text.strip()
    if len(text) > MAX_DESCRIPTION:
        text = text[: MAX_DESCRIPTION - 1].rstrip() + "…"
    return text


def _option_type(annotation: Any) -> int:
    """The Discord option type of a field annotation (``str | None`` counts as str)."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(members) == 1:
            annotation = members[0]
    try:
        return _OPTION_TYPES[annotation]
    except (KeyError, TypeError):
        raise TypeError(f"no Discord option type for {annotation!r}") from None


_CLI_FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def discord_words(help_text: str, spec: CommandSpec) -> str:
    """``help_text`` with the CLI flags as Discord option names: ``--target`` → ``target``."""
    names = {}
    for item in spec.fields():
        meta = option_meta(item)
        for flag in meta.cli_flags or ("--" + item.name.replace("_", "-"),):
            names[flag] = item.name
    return _CLI_FLAG.sub(lambda m: names[m[0]] if m[0] in names else m[0], help_text)


@functools.cache
def discord_options(spec: CommandSpec) -> tuple[DiscordOption, ...]:
    """The command's Discord options, required ones first (as Discord demands)."""
    hints = typing.get_type_hints(spec.options)
    options = []
    for item in spec.fields():
        meta = option_meta(item)
        if not meta.discord:
            continue
        required = (
            item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING
        )
        # The description Discord shows names the other options in its own syntax.
        meta = dataclasses.replace(meta, help=discord_words(meta.help, spec))
        options.append(DiscordOption(item.name, _option_type(hints[item.name]), required, meta))
    return tuple(sorted(options, key=lambda option: not option.required))


def _leaf_json(spec: CommandSpec) -> dict[str, Any]:
    options = [option.to_json() for option in discord_options(spec)]
    file = attachments.option_json(spec.name)
    return {
        "name": spec.path[-1],
        "description": describe(spec.help),
        "options": options if file is None else [*options, file],
    }


def application_commands(specs: Sequence[CommandSpec] = COMMANDS) -> list[dict[str, Any]]:
    """The body of a bulk PUT of application commands, built from the registry."""
    commands: dict[str, dict[str, Any]] = {}
    for spec in specs:
        top = spec.path[0]
        if len(spec.path) == 1:
            commands[top] = {"type": CHAT_INPUT, **_leaf_json(spec)}
            continue
        if len(spec.path) != 2:
            raise ValueError(f"Discord nests commands two deep at most: {spec.name!r}")
        group = commands.setdefault(
            top,
            {
                "type": CHAT_INPUT,
                "name": top,
                "description": describe(GROUP_HELP.get(top, top)),
                "options": [],
            },
        )
        group["options"].append({"type": SUB_COMMAND, **_leaf_json(spec)})
    return list(commands.values())


@dataclass(frozen=True)
class CommandCall:
    """A slash command as it arrived: the registry command, its raw options, the focused one."""

    spec: CommandSpec
    args: dict[str, Any]
    focused: str | None = None
    attachment: str | None = None  # the id of the ``file`` option's attachment


def parse_command(data: Mapping[str, Any]) -> CommandCall:
    """Map ``data`` of an APPLICATION_COMMAND (or autocomplete) onto a registry command.

    Subcommands arrive as one option of type 1 (or 2 for a group) holding the
    real options. InputError for an unknown command or option; BadInteraction
    when ``data`` is not shaped as Discord sends it.
    """
    path = [_name(data)]
    options = _options(data)
    while len(options) == 1 and options[0].get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP):
        path.append(_name(options[0]))
        options = _options(options[0])
    spec = find_command(" ".join(path))
    if spec is None:
        raise InputError(f"unknown command /{' '.join(path)}")
    known = {option.name for option in discord_options(spec)}
    args: dict[str, Any] = {}
    focused = attachment = None
    for option in options:
        name = _name(option)
        if name == attachments.OPTION and spec.name in attachments.COMMANDS:
            attachment = _attachment_id(option)
            continue
        if name not in known:
            raise InputError(f"/{spec.name} has no option {name!r}")
        value = option.get("value")
        if value is not None and not isinstance(value, _SCALARS):
            raise BadInteraction(f"option {name} has a value of the wrong type")
        args[name] = value
        if option.get("focused"):
            focused = name
    return CommandCall(spec, args, focused, attachment)


def _attachment_id(option: Mapping[str, Any]) -> str:
    value = option.get("value")
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise BadInteraction("an attachment option's value is not an id")
    return str(value)[:MAX_NAME]


def _name(item: Mapping[str, Any]) -> str:
    """A command or option name, cut so no error message echoes a long one."""
    name = item.get("name", "")
    if not isinstance(name, str):
        raise BadInteraction("a command or option name is not a string")
    return name[:MAX_NAME]


def _options(item: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The ``options`` of a command or subcommand: a list of objects, or BadInteraction."""
    options = item.get("options") or []
    if not isinstance(options, list) or not all(isinstance(o, Mapping) for o in options):
        raise BadInteraction("options are not a list of objects")
    return options


class OptionCoercer:
    """Builds a command's options dataclass from Discord values, with pydantic.

    One ``TypeAdapter`` per command, built on first use (building one costs far
    more than validating with it).
    """

    def __init__(self) -> None:
        self._adapters: dict[str, Any] = {}

    def coerce(self, spec: CommandSpec, args: Mapping[str, Any]) -> Any:
        """The options dataclass; InputError naming each bad option."""
        from pydantic import TypeAdapter, ValidationError

        adapter = self._adapters.get(spec.name)
        if adapter is None:
            adapter = self._adapters[spec.name] = TypeAdapter(spec.options)
        try:
            options = adapter.validate_python(dict(args))
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'options'}: {e['msg']}" for e in error.errors()
            )
            raise InputError(f"invalid options for /{spec.name}: {problems}") from None
        _check_ranges(spec, options)
        return options


def _check_ranges(spec: CommandSpec, options: Any) -> None:
    for option in discord_options(spec):
        value = getattr(options, option.name)
        if not isinstance(value, int | float) or isinstance(value, bool):
            continue
        low, high = option.meta.min, option.meta.max
        if (low is not None and value < low) or (high is not None and value > high):
            raise InputError(
                f"{option.name} must be between {low if low is not None else '-∞'} and "
                f"{high if high is not None else '∞'}, got {value}"
            )
