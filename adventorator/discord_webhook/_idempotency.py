"""Claiming interaction ids, so a redelivered interaction never runs twice.

Every instance claims an id in the ``interactions`` table before running it;
the loser of a race (or a later redelivery) answers with the stored response,
waiting briefly for it while the first delivery is still running.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adventorator.discord_webhook import _render as render
from adventorator.discord_webhook._handled import Handled

if TYPE_CHECKING:
    from adventorator.commands import Reply
    from adventorator.context import AppContext
    from adventorator.discord_webhook._payload import InteractionContext
    from adventorator.services.interactions import InteractionService, StoredInteraction

REPLAY_WAIT_S = 2.0  # how long a redelivery waits for the first delivery's response


class Claims:
    """The interactions service of one process, built on first use."""

    def __init__(self, app: AppContext) -> None:
        self.app = app
        self._service: InteractionService | None = None

    async def service(self) -> InteractionService:
        if self._service is None:
            from adventorator.services.interactions import InteractionService

            self._service = InteractionService(await self.app.database())
        return self._service

    def forget(self) -> None:
        """Drop the service built on the database (the context closed it)."""
        self._service = None

    async def claim(
        self,
        ctx: InteractionContext,
        *,
        kind: str,
        command: str,
        response: dict[str, Any] | None = None,
        meta: dict[str, Any] | None = None,
        finished: bool = False,
    ) -> Handled | None:
        """Claim ``ctx``'s id: None when this call won it (so run it), else the replayed answer.

        ``response`` is stored with the claim when it is known before running
        (a deferral); ``finished`` claims an outcome already computed (a pure command).
        """
        seen = await (await self.service()).claim(
            ctx.id,
            kind=kind,
            user_id=ctx.user_id,
            command=command,
            response=response,
            meta=meta,
            finished=finished,
        )
        return None if seen is None else await self.replay(seen, command)

    async def finish(
        self,
        interaction_id: str,
        *,
        response: dict[str, Any] | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        """Store the response (for redeliveries) and the buttons' choices of a claim."""
        await (await self.service()).finish(interaction_id, response=response, meta=meta)

    async def replay(self, seen: StoredInteraction, command: str) -> Handled:
        """The stored response of an interaction seen before (waiting briefly if running)."""
        response = seen.response
        if response is None:
            service = await self.service()
            response = await service.wait_for_response(seen.id, within=REPLAY_WAIT_S)
        if response is None:
            busy = render.notice("This interaction is already being handled.")
            return Handled(render.respond(busy), command, "duplicate")
        return Handled(response, command, "duplicate")


def choices_meta(reply: Reply | None) -> dict[str, Any] | None:
    """What a claim keeps of a reply's buttons, so any instance can serve the click."""
    if reply is None or not reply.choices:
        return None
    return {"choices": render.choices_meta(reply)}
