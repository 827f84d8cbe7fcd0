"""What every command is made of: options, an Invocation in, a Reply out.

Options are frozen dataclasses of ``option()`` fields (see ``_options``).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adventorator.commands._options import OptionMeta, option, option_meta
from adventorator.commands._syntax import Syntax
from adventorator.identity import Identity

if TYPE_CHECKING:
    from adventorator.commands._context import CommandContext
    from adventorator.rules.engine import Ruleset

__all__ = [
    "Choice",
    "CommandSpec",
    "Handler",
    "Invocation",
    "OptionMeta",
    "Reply",
    "option",
    "option_meta",
]


@dataclass(frozen=True)
class Choice:
    """One option offered when the planner is unsure."""

    label: str
    command: str
    args: Mapping[str, Any]


@dataclass(frozen=True)
class Reply:
    """What a handler returns; each client renders it its own way.

    ``text`` is always present and plain. ``markdown`` is the Discord rendering
    when it differs; ``rich`` builds a terminal renderable lazily, so handlers
    never import rich; ``data`` is what ``--json`` prints. ``transcript_ids``
    are the transcript lines the command wrote (marked if a client cannot
    deliver the reply). ``fit`` renders the markdown again within a number of
    characters, answer first (a client with a message limit calls it when the
    markdown is longer).
    """

    text: str
    data: Mapping[str, Any] | None = None
    markdown: str | None = None
    rich: Callable[[], object] | None = None
    ephemeral: bool = False
    choices: tuple[Choice, ...] = ()
    exit_code: int = 0
    transcript_ids: tuple[int, ...] = ()
    fit: Callable[[int], str] | None = None


class Invocation:
    """Everything a handler may use: identity, randomness, rules, services, syntax.

    The CLI leaves ``identity`` to be read from the settings on first use, and
    the ruleset defaults to D&D 5e, built on first use: commands that need
    neither (``roll``) never load the settings or the rules engine.
    ``commands`` is the registry the invocation came from (``act`` plans over
    it, and ``syntax`` words hints from it); clients pass ``COMMANDS``.
    """

    def __init__(
        self,
        *,
        app: CommandContext,
        rng: random.Random,
        ruleset: Ruleset | None = None,
        identity: Identity | None = None,
        commands: Iterable[CommandSpec] | None = None,
    ) -> None:
        self.app = app
        self.rng = rng
        self._ruleset = ruleset
        self._identity = identity
        self._commands = None if commands is None else tuple(commands)
        self._syntax: Syntax | None = None

    @property
    def ruleset(self) -> Ruleset:
        if self._ruleset is None:
            from adventorator.rules.engine import Dnd5eRuleset

            self._ruleset = Dnd5eRuleset()
        return self._ruleset

    @property
    def identity(self) -> Identity:
        if self._identity is None:
            self._identity = self.app.cli_identity()
        return self._identity

    @property
    def commands(self) -> tuple[CommandSpec, ...]:
        """The registry: the one given, else the package's ``COMMANDS``."""
        if self._commands is None:
            # Read at call time: this module is part of the package that builds COMMANDS.
            from adventorator.commands import COMMANDS

            self._commands = COMMANDS
        return self._commands

    @property
    def syntax(self) -> Syntax:
        """How this invocation's client writes commands and options."""
        if self._syntax is None:
            # No identity given means the CLI (it reads its identity from the settings):
            # wording a hint must not load the settings, so ``check --score`` stays light.
            client = "cli" if self._identity is None else self._identity.client
            self._syntax = Syntax(client, self.commands)
        return self._syntax


Handler = Callable[[Invocation, Any], Coroutine[Any, Any, Reply]]


@dataclass(frozen=True)
class CommandSpec:
    """One command, as every client sees it."""

    path: tuple[str, ...]  # ("roll",) or ("sheet", "create")
    help: str
    options: type[Any]  # a frozen dataclass of option() fields
    handler: Handler
    uses_rng: bool = False  # the CLI offers --seed
    pure: bool = False  # the handler never awaits (no I/O): the CLI runs it without a loop
    slow: bool = False  # may call the LLM: Discord defers it
    planner: bool = True  # the planner may choose it
    json_output: bool = True  # the CLI offers --json (not where --json is an input)
    confirm: str | None = None  # a bool option the CLI asks for on a terminal
    purpose: str = ""  # "create a character": used in guidance messages
    planner_requires: tuple[str, ...] = ()  # options the planner must supply
    see_also: str | None = None  # a command that helps, e.g. "sheet schema"

    @property
    def name(self) -> str:
        return " ".join(self.path)

    def fields(self) -> tuple[dataclasses.Field[Any], ...]:
        return dataclasses.fields(self.options)
