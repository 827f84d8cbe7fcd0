"""What handling an interaction produces, and running a handler so nothing escapes.

A user error becomes an ephemeral message, a bug is logged and answered with
a generic one: whatever the handler does, the interaction gets an answer.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adventorator.commands import COMMANDS, Choice, CommandSpec, Invocation, Reply
from adventorator.discord_webhook import _hidden as hidden
from adventorator.discord_webhook import _render as render
from adventorator.discord_webhook import _tracker as tracker
from adventorator.errors import AdventoratorError, PoolExhaustedError
from adventorator.rules.engine import Dnd5eRuleset

if TYPE_CHECKING:
    from adventorator.context import AppContext
    from adventorator.discord_webhook._metrics import Metrics
    from adventorator.discord_webhook._payload import InteractionContext

log = logging.getLogger("adventorator.discord")

INTERNAL_ERROR = "error: something went wrong on our side; it has been logged"


@dataclass(frozen=True)
class Handled:
    """The response to send, and how to count it."""

    response: dict[str, Any]
    command: str = "-"
    outcome: str = "ok"


@dataclass(frozen=True)
class Ran:
    """A handler's result as Discord message data; ``reply`` is None when it failed."""

    data: dict[str, Any]
    outcome: str
    reply: Reply | None = None
    files: tuple[render.File, ...] = ()  # sent with the message, so never inline (multipart)


class Runner:
    """Runs registry handlers (and planner choices) for interactions."""

    def __init__(self, app: AppContext, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self._ruleset = Dnd5eRuleset()

    def invocation(self, ctx: InteractionContext) -> Invocation:
        return Invocation(
            app=self.app,
            rng=random.Random(),
            ruleset=self._ruleset,
            identity=ctx.identity,
            commands=COMMANDS,
        )

    async def command(self, ctx: InteractionContext, spec: CommandSpec, options: Any) -> Ran:
        """Run a slash command; its buttons (if any) point back at this interaction."""
        invocation = self.invocation(ctx)
        ran = await self._guarded(
            spec.name, ctx, lambda: spec.handler(invocation, options), buttons_for=ctx.id
        )
        if ran.reply is not None and spec.name in tracker.TRACKED:
            return await self._tracker(ctx, ran, ran.reply)
        if spec.name in hidden.HIDING or spec.name in hidden.PLANNED:
            return await self._hidden(ctx, spec.name, ran)
        return ran

    async def _hidden(self, ctx: InteractionContext, command: str, ran: Ran) -> Ran:
        """``ran`` without a monster's numbers (``_hidden``)."""
        if ran.reply is None:
            return ran
        try:
            return await hidden.hidden(self.app, ctx, command, ran)
        except AdventoratorError:  # the subject is gone meanwhile: say nothing of it
            return Ran(render.notice("Done; the creature is no longer there."), ran.outcome)

    async def _tracker(self, ctx: InteractionContext, ran: Ran, reply: Reply) -> Ran:
        """An init command's reply as the tracker (its plain reply if the sheets cannot be read)."""
        try:
            data = await tracker.tracker_message(self.app, ctx.identity, reply.data or {})
        except AdventoratorError as error:
            log.warning("the tracker for %s could not be drawn: %s", ctx.id, error)
            return ran
        return ran if data is None else Ran(data, ran.outcome, reply)

    async def choice(self, ctx: InteractionContext, choice: Choice) -> Ran:
        """Run the command behind a clicked button."""
        from adventorator.commands.planning import run_choice

        invocation = self.invocation(ctx)
        ran = await self._guarded(choice.command, ctx, lambda: run_choice(invocation, choice))
        return await self._hidden(ctx, choice.command, ran)

    async def _guarded(
        self,
        command: str,
        ctx: InteractionContext,
        work: Callable[[], Awaitable[Reply]],
        *,
        buttons_for: str | None = None,
    ) -> Ran:
        try:
            reply = await work()
        except AdventoratorError as error:
            if isinstance(error, PoolExhaustedError):
                self.metrics.pool_exhausted.inc()
            return Ran(render.error_message(error), "error")
        except Exception:
            log.exception("/%s failed (interaction %s)", command, ctx.id)
            return Ran(render.notice(INTERNAL_ERROR), "failed")
        data = render.message(reply, interaction_id=buttons_for, command=command)
        return Ran(data, "ok", reply, render.files_of(reply, command=command))
