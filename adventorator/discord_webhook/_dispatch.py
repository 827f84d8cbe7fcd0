"""From a verified interaction to a response: commands, buttons and autocomplete.

No game logic lives here: a command runs through its registry handler, a button
through ``commands.planning.run_choice``. This module claims interaction ids (so a
redelivered interaction is answered with the stored response and never runs
twice), defers slow commands and delivers their results in tracked background
tasks.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adventorator.commands import COMMANDS, Choice, CommandSpec, Invocation, Reply, find_command
from adventorator.discord_webhook import _render as render
from adventorator.discord_webhook._commands import OptionCoercer, discord_options, parse_command
from adventorator.discord_webhook._payload import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    PING,
    BadInteraction,
    InteractionContext,
)
from adventorator.discord_webhook._priority import AckFirst
from adventorator.errors import AdventoratorError, PoolExhaustedError
from adventorator.rules.engine import Dnd5eRuleset

if TYPE_CHECKING:
    from adventorator.context import AppContext
    from adventorator.discord_webhook._discord_api import InteractionAPI
    from adventorator.discord_webhook._metrics import Metrics
    from adventorator.services.interactions import InteractionService, StoredInteraction

log = logging.getLogger("adventorator.discord")

REPLAY_WAIT_S = 2.0  # how long a redelivery waits for the first delivery's response
MAX_AUTOCOMPLETE_TYPED = 100  # what a name can be; more cannot match anything
INTERNAL_ERROR = "error: something went wrong on our side; it has been logged"
_TOP_LEVEL = frozenset(spec.path[0] for spec in COMMANDS)


@dataclass(frozen=True)
class Handled:
    """The response to send, and how to count it."""

    response: dict[str, Any]
    command: str = "-"
    outcome: str = "ok"


@dataclass(frozen=True)
class _Ran:
    data: dict[str, Any]
    outcome: str
    reply: Reply | None = None


class Dispatcher:
    """Answers interactions for one process; ``api`` is set once the HTTP client exists."""

    def __init__(self, app: AppContext, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self.api: InteractionAPI | None = None
        self.tasks: set[asyncio.Task[None]] = set()
        self.priority = AckFirst()
        self._coercer = OptionCoercer()
        self._ruleset = Dnd5eRuleset()
        self._interactions: InteractionService | None = None

    async def interactions(self) -> InteractionService:
        if self._interactions is None:
            from adventorator.services.interactions import InteractionService

            self._interactions = InteractionService(await self.app.database())
        return self._interactions

    def forget_database(self) -> None:
        """Drop the service built on the database (the context closed it)."""
        self._interactions = None

    async def handle(self, kind: int, payload: Mapping[str, Any]) -> Handled:
        """The response to a verified interaction; BadInteraction for a malformed one."""
        if kind == PING:
            return Handled({"type": render.PONG})
        ctx = InteractionContext.from_payload(payload)
        if kind == APPLICATION_COMMAND:
            return await self._command(ctx)
        if kind == MESSAGE_COMPONENT:
            return await self._component(ctx)
        if kind == AUTOCOMPLETE:
            return await self._autocomplete(ctx)
        raise BadInteraction(f"unsupported interaction type {kind}")

    # Background tasks -------------------------------------------------------

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` in the background, tracked until it ends."""
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def drain(self, grace: float) -> int:
        """Wait up to ``grace`` seconds for background tasks; cancel the rest; return how many."""
        if not self.tasks:
            return 0
        _done, pending = await asyncio.wait(set(self.tasks), timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            log.warning("shutdown: cancelled %d unfinished follow-ups", len(pending))
            await asyncio.wait(pending, timeout=1.0)
        return len(pending)

    # Commands ---------------------------------------------------------------

    async def _command(self, ctx: InteractionContext) -> Handled:
        name = str(ctx.data.get("name", ""))
        name = name if name in _TOP_LEVEL else "unknown"  # bounded metric labels
        try:
            call = parse_command(ctx.data)
            options = self._coercer.coerce(call.spec, call.args)
        except AdventoratorError as error:
            return Handled(render.respond(render.error_message(error)), name, "invalid")
        spec = call.spec
        service = await self.interactions()
        if spec.slow:
            deferral = {"type": render.DEFERRED_CHANNEL_MESSAGE}
            seen = await service.claim(
                ctx.id, kind="command", user_id=ctx.user_id, command=spec.name, response=deferral
            )
            if seen is not None:
                return await self._replay(seen, spec.name)
            self.spawn(self._run_deferred(ctx, spec, options))
            return Handled(deferral, spec.name, "deferred")
        if spec.pure:
            return await self._pure(ctx, spec, options, service)
        seen = await service.claim(ctx.id, kind="command", user_id=ctx.user_id, command=spec.name)
        if seen is not None:
            return await self._replay(seen, spec.name)
        ran = await self._run(ctx, spec, options)
        response = render.respond(ran.data)
        await service.finish(ctx.id, response=response, meta=_choices_meta(ran.reply))
        return Handled(response, spec.name, ran.outcome)

    async def _pure(
        self, ctx: InteractionContext, spec: CommandSpec, options: Any, service: InteractionService
    ) -> Handled:
        """Run first, then claim with the response: one statement instead of two.

        Safe because a pure command changes nothing: when a redelivery races
        this one, both compute, one claim wins, and both answer with its result.
        """
        ran = await self._run(ctx, spec, options)
        response = render.respond(ran.data)
        seen = await service.claim(
            ctx.id,
            kind="command",
            user_id=ctx.user_id,
            command=spec.name,
            response=response,
            meta=_choices_meta(ran.reply),
            finished=True,
        )
        if seen is not None:
            return await self._replay(seen, spec.name)
        return Handled(response, spec.name, ran.outcome)

    def _invocation(self, ctx: InteractionContext) -> Invocation:
        return Invocation(
            app=self.app, rng=random.Random(), ruleset=self._ruleset, identity=ctx.identity
        )

    async def _run(self, ctx: InteractionContext, spec: CommandSpec, options: Any) -> _Ran:
        """Run the handler; user errors become ephemeral messages, bugs are logged."""
        try:
            reply = await spec.handler(self._invocation(ctx), options)
        except AdventoratorError as error:
            if isinstance(error, PoolExhaustedError):
                self.metrics.pool_exhausted.inc()
            return _Ran(render.error_message(error), "error")
        except Exception:
            log.exception("/%s failed (interaction %s)", spec.name, ctx.id)
            return _Ran(render.notice(INTERNAL_ERROR), "failed")
        return _Ran(render.message(reply, interaction_id=ctx.id), "ok", reply)

    async def _run_deferred(self, ctx: InteractionContext, spec: CommandSpec, options: Any) -> None:
        started = time.monotonic()
        await self.priority.wait_for_acks()
        ran = await self._run(ctx, spec, options)
        self.metrics.deferred_seconds.labels(spec.name).observe(time.monotonic() - started)
        try:
            # The buttons' choices are stored before anyone can see the buttons.
            await (await self.interactions()).finish(ctx.id, meta=_choices_meta(ran.reply))
        except AdventoratorError as error:
            log.warning("cannot record the outcome of interaction %s: %s", ctx.id, error)
        await self._deliver(ctx, spec.name, ran, edit_component=False)

    async def _deliver(
        self, ctx: InteractionContext, command: str, ran: _Ran, *, edit_component: bool
    ) -> None:
        """Send a deferred result; on failure log it and mark its transcript lines."""
        api = self.api
        delivered = False
        try:
            if api is not None and edit_component:
                data = render.update(ran.data)["data"]
                delivered = await api.edit_original(ctx.token, data, received_at=ctx.received_at)
            elif api is not None:
                delivered = await api.deliver(ctx.token, ran.data, received_at=ctx.received_at)
        except Exception:  # whatever Discord answered, the lines must still be marked
            log.exception("delivering /%s (interaction %s) failed", command, ctx.id)
        self.metrics.followups.labels("delivered" if delivered else "failed").inc()
        if delivered:
            return
        log.warning("the result of /%s (interaction %s) was not delivered", command, ctx.id)
        ids = _transcript_ids(ran.reply)
        if ids:
            try:
                await (await self.app.transcripts()).mark(ids, "delivery_failed")
            except AdventoratorError as error:
                log.warning("cannot mark transcript entries %s: %s", ids, error)

    async def _replay(self, seen: StoredInteraction, command: str) -> Handled:
        """The stored response of an interaction seen before (waiting briefly if running)."""
        response = seen.response
        if response is None:
            service = await self.interactions()
            response = await service.wait_for_response(seen.id, within=REPLAY_WAIT_S)
        if response is None:
            busy = render.notice("This interaction is already being handled.")
            return Handled(render.respond(busy), command, "duplicate")
        return Handled(response, command, "duplicate")

    # Buttons ----------------------------------------------------------------

    async def _component(self, ctx: InteractionContext) -> Handled:
        parsed = render.parse_choice_id(str(ctx.data.get("custom_id", "")))
        if parsed is None:
            unknown = render.notice("This button is not one of mine.")
            return Handled(render.respond(unknown), "choice", "invalid")
        service = await self.interactions()
        seen = await service.claim(ctx.id, kind="component", user_id=ctx.user_id, command="choice")
        if seen is not None:
            return await self._replay(seen, "choice")
        handled = await self._choose(ctx, *parsed)
        await service.finish(ctx.id, response=handled.response)
        return handled

    async def _choose(self, ctx: InteractionContext, origin_id: str, number: int) -> Handled:
        service = await self.interactions()
        origin = await service.get(origin_id)
        choices = (origin.meta or {}).get("choices") if origin is not None else None
        if origin is None or not choices:
            expired = render.notice("This choice has expired.")
            return Handled(render.respond(expired), "choice", "expired")
        if origin.user_id != ctx.user_id:
            refusal = render.notice(f"Only <@{origin.user_id}>, who asked, can choose here.")
            return Handled(render.respond(refusal), "choice", "refused")
        if not 1 <= number <= len(choices):
            return Handled(render.respond(render.notice("No such choice.")), "choice", "invalid")
        if not await service.consume(origin_id):
            made = render.notice("That choice was already made.")
            return Handled(render.respond(made), "choice", "duplicate")
        choice = render.choice_from_meta(choices[number - 1])
        spec = find_command(choice.command)
        if spec is not None and spec.slow:
            self.spawn(self._run_choice_deferred(ctx, choice))
            return Handled({"type": render.DEFERRED_UPDATE_MESSAGE}, spec.name, "deferred")
        ran = await self._run_choice(ctx, choice)
        return Handled(render.update(ran.data), choice.command, ran.outcome)

    async def _run_choice(self, ctx: InteractionContext, choice: Choice) -> _Ran:
        from adventorator.commands.planning import run_choice

        try:
            reply = await run_choice(self._invocation(ctx), choice)
        except AdventoratorError as error:
            return _Ran(render.error_message(error), "error")
        except Exception:
            log.exception("choice %s failed (interaction %s)", choice.command, ctx.id)
            return _Ran(render.notice(INTERNAL_ERROR), "failed")
        return _Ran(render.message(reply), "ok", reply)

    async def _run_choice_deferred(self, ctx: InteractionContext, choice: Choice) -> None:
        started = time.monotonic()
        await self.priority.wait_for_acks()
        ran = await self._run_choice(ctx, choice)
        self.metrics.deferred_seconds.labels(choice.command).observe(time.monotonic() - started)
        await self._deliver(ctx, choice.command, ran, edit_component=True)

    # Autocomplete -----------------------------------------------------------

    async def _autocomplete(self, ctx: InteractionContext) -> Handled:
        try:
            call = parse_command(ctx.data)
        except AdventoratorError:
            return Handled(_suggestions([]), "unknown", "invalid")
        option = next((o for o in discord_options(call.spec) if o.name == call.focused), None)
        if option is None or not option.meta.autocomplete:
            return Handled(_suggestions([]), call.spec.name)
        typed = str(call.args.get(option.name) or "")[:MAX_AUTOCOMPLETE_TYPED]
        try:
            # Names only, one bounded query (or the cache) per keystroke; creates no rows.
            ids = await self.app.lookup(ctx.identity)
            names = await (await self.app.characters()).names(ids.campaign_id, typed)
        except AdventoratorError as error:
            log.warning("autocomplete for /%s failed: %s", call.spec.name, error)
            return Handled(_suggestions([]), call.spec.name, "error")
        return Handled(_suggestions(names), call.spec.name)


def _suggestions(names: list[str]) -> dict[str, Any]:
    return render.autocomplete(names)


def _choices_meta(reply: Reply | None) -> dict[str, Any] | None:
    if reply is None or not reply.choices:
        return None
    return {"choices": render.choices_meta(reply)}


def _transcript_ids(reply: Reply | None) -> list[int]:
    """The transcript entries a reply wrote: ``do`` directly, ``act`` inside its result."""
    if reply is None or reply.data is None:
        return []
    data: Any = reply.data
    ids = data.get("transcript_ids")
    if ids is None and isinstance(data.get("result"), Mapping):
        ids = data["result"].get("transcript_ids")
    return [int(i) for i in ids] if isinstance(ids, list) else []
