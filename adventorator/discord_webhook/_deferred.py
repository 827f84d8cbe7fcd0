"""Deferred work and its follow-ups.

A slow command (one that may call the LLM) is acknowledged at once and run in
a tracked background task; it waits while other interactions are being
acknowledged (``AckFirst``), then delivers its result through the follow-up
API. A result that cannot be delivered is logged and its transcript lines are
marked ``delivery_failed``, through the transcripts service.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from adventorator.discord_webhook import _render as render
from adventorator.discord_webhook._idempotency import Claims, choices_meta
from adventorator.discord_webhook._priority import AckFirst
from adventorator.errors import AdventoratorError

if TYPE_CHECKING:
    from adventorator.context import AppContext
    from adventorator.discord_webhook._discord_api import InteractionAPI
    from adventorator.discord_webhook._handled import Ran
    from adventorator.discord_webhook._metrics import Metrics
    from adventorator.discord_webhook._payload import InteractionContext

log = logging.getLogger("adventorator.discord")


class FollowUps:
    """The background work of one process; ``api`` is set once the HTTP client exists."""

    def __init__(self, app: AppContext, metrics: Metrics, claims: Claims) -> None:
        self.app = app
        self.metrics = metrics
        self.claims = claims
        self.api: InteractionAPI | None = None
        self.tasks: set[asyncio.Task[None]] = set()
        self.priority = AckFirst()

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

    def defer(
        self,
        ctx: InteractionContext,
        command: str,
        run: Callable[[], Awaitable[Ran]],
        *,
        edit_component: bool,
    ) -> None:
        """Run ``run`` once acknowledgements allow, then deliver its result.

        ``edit_component`` replaces the message that held a button; otherwise
        the result replaces the deferral, and its outcome (the buttons'
        choices) is stored with the claim first.
        """
        self.spawn(self._later(ctx, command, run, edit_component=edit_component))

    def send(
        self,
        ctx: InteractionContext,
        command: str,
        ran: Ran,
        *,
        edit_component: bool = False,
        private_deferral: bool = False,
    ) -> None:
        """Deliver a result already computed (one with files) in the background."""
        self.spawn(
            self.deliver(
                ctx, command, ran, edit_component=edit_component, private_deferral=private_deferral
            )
        )

    async def _later(
        self,
        ctx: InteractionContext,
        command: str,
        run: Callable[[], Awaitable[Ran]],
        *,
        edit_component: bool,
    ) -> None:
        started = time.monotonic()
        await self.priority.wait_for_acks()
        ran = await run()
        self.metrics.deferred_seconds.labels(command).observe(time.monotonic() - started)
        if not edit_component:
            try:
                # The buttons' choices are stored before anyone can see the buttons.
                await self.claims.finish(ctx.id, meta=choices_meta(ran.reply))
            except AdventoratorError as error:
                log.warning("cannot record the outcome of interaction %s: %s", ctx.id, error)
        await self.deliver(ctx, command, ran, edit_component=edit_component)

    async def deliver(
        self,
        ctx: InteractionContext,
        command: str,
        ran: Ran,
        *,
        edit_component: bool,
        private_deferral: bool = False,
    ) -> None:
        """Send a deferred result; on failure log it and mark its transcript lines.

        A private result of a click is a new ephemeral follow-up: editing the
        public message that held the buttons would show it to everyone.
        """
        api = self.api
        delivered = False
        at = ctx.received_at
        try:
            if api is not None and edit_component and ran.data.get("flags"):
                delivered = await api.follow_up(ctx.token, ran.data, received_at=at)
            elif api is not None and edit_component:
                data = render.update(ran.data)["data"]
                delivered = await api.edit_original(
                    ctx.token, data, received_at=at, files=ran.files
                )
            elif api is not None:
                delivered = await api.deliver(
                    ctx.token,
                    ran.data,
                    received_at=at,
                    files=ran.files,
                    private_deferral=private_deferral,
                )
        except Exception:  # whatever Discord answered, the lines must still be marked
            log.exception("delivering /%s (interaction %s) failed", command, ctx.id)
        self.metrics.followups.labels("delivered" if delivered else "failed").inc()
        if delivered:
            return
        log.warning("the result of /%s (interaction %s) was not delivered", command, ctx.id)
        await self._mark_undelivered(ran)

    async def _mark_undelivered(self, ran: Ran) -> None:
        ids = list(ran.reply.transcript_ids) if ran.reply is not None else []
        if not ids:
            return
        try:
            await (await self.app.transcripts()).mark(ids, "delivery_failed")
        except AdventoratorError as error:
            log.warning("cannot mark transcript entries %s: %s", ids, error)
