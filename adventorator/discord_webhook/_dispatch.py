"""From a verified interaction to a response: the router.

No game logic lives here, nor below: a command runs through its registry
handler, a button through the planner's ``run_choice``. Each job has its
module: ``_slash`` (commands), ``_components`` (buttons), ``_autocomplete``,
``_idempotency`` (claiming ids, replaying stored answers), ``_deferred``
(background work and follow-ups) and ``_handled`` (running a handler safely).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from adventorator.discord_webhook import _render as render
from adventorator.discord_webhook._autocomplete import Autocomplete
from adventorator.discord_webhook._components import Buttons
from adventorator.discord_webhook._deferred import FollowUps
from adventorator.discord_webhook._handled import Handled, Runner
from adventorator.discord_webhook._idempotency import Claims
from adventorator.discord_webhook._payload import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    PING,
    BadInteraction,
    InteractionContext,
    gm_roles,
)
from adventorator.discord_webhook._slash import SlashCommands

if TYPE_CHECKING:
    from adventorator.context import AppContext
    from adventorator.discord_webhook._discord_api import InteractionAPI
    from adventorator.discord_webhook._metrics import Metrics
    from adventorator.discord_webhook._priority import AckFirst
    from adventorator.services.interactions import InteractionService

__all__ = ["Dispatcher", "Handled"]

Route = Callable[[InteractionContext], Awaitable[Handled]]


class Dispatcher:
    """Answers interactions for one process; ``api`` is set once the HTTP client exists."""

    def __init__(self, app: AppContext, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self.claims = Claims(app)
        self.followups = FollowUps(app, metrics, self.claims)
        runner = Runner(app, metrics)
        self._gm_roles = gm_roles(app.settings.discord_gm_role or "")
        self._routes: dict[int, Route] = {
            APPLICATION_COMMAND: SlashCommands(runner, self.claims, self.followups),
            MESSAGE_COMPONENT: Buttons(runner, self.claims, self.followups),
            AUTOCOMPLETE: Autocomplete(app),
        }

    @property
    def api(self) -> InteractionAPI | None:
        return self.followups.api

    @api.setter
    def api(self, api: InteractionAPI | None) -> None:
        self.followups.api = api

    @property
    def priority(self) -> AckFirst:
        return self.followups.priority

    async def interactions(self) -> InteractionService:
        return await self.claims.service()

    def forget_database(self) -> None:
        """Drop the service built on the database (the context closed it)."""
        self.claims.forget()

    async def drain(self, grace: float) -> int:
        """Wait up to ``grace`` seconds for follow-ups; cancel the rest; return how many."""
        return await self.followups.drain(grace)

    async def handle(self, kind: int, payload: Mapping[str, Any]) -> Handled:
        """The response to a verified interaction; BadInteraction for a malformed one."""
        if kind == PING:
            return Handled({"type": render.PONG})
        ctx = InteractionContext.from_payload(payload, gm_roles=self._gm_roles)
        route = self._routes.get(kind)
        if route is None:
            raise BadInteraction(f"unsupported interaction type {kind}")
        return await route(ctx)
