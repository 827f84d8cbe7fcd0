"""What every command is made of: options, an Invocation in, a Reply out.

Options are frozen stdlib dataclasses whose fields carry an ``OptionMeta``
(see ``option()``). The CLI, the Discord registration and dispatcher, and the
planner all read these same fields. They are dataclasses rather than pydantic
models so that ``adv roll`` never pays for importing pydantic.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from adventorator.identity import Identity

if TYPE_CHECKING:
    from adventorator.context import AppContext
    from adventorator.rules.engine import Ruleset

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
) -> Any:
    """A dataclass field that is a command option."""
    meta = OptionMeta(
        help, positional, cli_flags, min, max, cli, discord, autocomplete, placeholder, planner
    )
    return field(default=default, metadata={_META_KEY: meta})


def option_meta(item: dataclasses.Field[Any]) -> OptionMeta:
    meta = item.metadata.get(_META_KEY)
    if not isinstance(meta, OptionMeta):
        raise TypeError(f"option field {item.name!r} has no OptionMeta; declare it with option()")
    return meta


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
    never import rich; ``data`` is what ``--json`` prints.
    """

    text: str
    data: Mapping[str, Any] | None = None
    markdown: str | None = None
    rich: Callable[[], object] | None = None
    ephemeral: bool = False
    choices: tuple[Choice, ...] = ()
    exit_code: int = 0


class Invocation:
    """Everything a handler may use: identity, randomness, rules and services.

    The CLI leaves ``identity`` to be read from the settings on first use, and
    the ruleset defaults to D&D 5e, built on first use: commands that need
    neither (``roll``) never load the settings or the rules engine.
    """

    def __init__(
        self,
        *,
        app: AppContext,
        rng: random.Random,
        ruleset: Ruleset | None = None,
        identity: Identity | None = None,
    ) -> None:
        self.app = app
        self.rng = rng
        self._ruleset = ruleset
        self._identity = identity

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
