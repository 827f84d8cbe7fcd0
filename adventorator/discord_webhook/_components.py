"""Buttons: the choices ``/act`` offers when it is unsure, and the tracker's (``_tracker_buttons``).

A button's ``custom_id`` names the interaction that offered it and the
choice's number; the choices themselves are stored with that interaction's
claim, so any instance can serve the click. Only the player who asked may
choose, and only once.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from adventorator.commands import Choice, find_command
from adventorator.discord_webhook import _render as render
from adventorator.discord_webhook import _tracker as tracker
from adventorator.discord_webhook import _tracker_buttons as tracker_buttons
from adventorator.discord_webhook._handled import Handled

if TYPE_CHECKING:
    from adventorator.discord_webhook._deferred import FollowUps
    from adventorator.discord_webhook._handled import Runner
    from adventorator.discord_webhook._idempotency import Claims
    from adventorator.discord_webhook._payload import InteractionContext

COMMAND = "choice"  # the metric label of every click


class Buttons:
    """Answers MESSAGE_COMPONENT interactions."""

    def __init__(self, runner: Runner, claims: Claims, followups: FollowUps) -> None:
        self.runner = runner
        self.claims = claims
        self.followups = followups

    async def __call__(self, ctx: InteractionContext) -> Handled:
        custom_id = str(ctx.data.get("custom_id", ""))
        pressed = tracker.parse_press(custom_id)
        if pressed is not None:
            return await self._tracker(ctx, pressed)
        parsed = render.parse_choice_id(custom_id)
        if parsed is None:
            unknown = render.notice("This button is not one of mine.")
            return Handled(render.respond(unknown), COMMAND, "invalid")
        replayed = await self.claims.claim(ctx, kind="component", command=COMMAND)
        if replayed is not None:
            return replayed
        handled = await self._choose(ctx, *parsed)
        await self.claims.finish(ctx.id, response=handled.response)
        return handled

    async def _tracker(self, ctx: InteractionContext, pressed: tracker.Press) -> Handled:
        """A tracker button: claimed like a choice, so a redelivery replays the answer."""
        replayed = await self.claims.claim(ctx, kind="component", command=tracker_buttons.COMMAND)
        if replayed is not None:
            return replayed
        handled = await tracker_buttons.press(self.runner, ctx, pressed)
        await self.claims.finish(ctx.id, response=handled.response)
        return handled

    async def _choose(self, ctx: InteractionContext, origin_id: str, number: int) -> Handled:
        choice_or_refusal = await self._pick(ctx, origin_id, number)
        if isinstance(choice_or_refusal, Handled):
            return choice_or_refusal
        choice = choice_or_refusal
        spec = find_command(choice.command)
        if spec is not None and spec.slow:
            run = functools.partial(self.runner.choice, ctx, choice)
            self.followups.defer(ctx, choice.command, run, edit_component=True)
            return Handled({"type": render.DEFERRED_UPDATE_MESSAGE}, spec.name, "deferred")
        ran = await self.runner.choice(ctx, choice)
        if ran.data.get("flags"):  # private: a new ephemeral message, not an edit of a public one
            return Handled(render.respond(ran.data), choice.command, ran.outcome)
        if ran.files:  # a file cannot ride on the HTTP response: edit the message after
            self.followups.send(ctx, choice.command, ran, edit_component=True)
            return Handled({"type": render.DEFERRED_UPDATE_MESSAGE}, choice.command, "deferred")
        return Handled(render.update(ran.data), choice.command, ran.outcome)

    async def _pick(self, ctx: InteractionContext, origin_id: str, number: int) -> Choice | Handled:
        """The choice clicked, consumed; or the refusal to send."""
        service = await self.claims.service()
        origin = await service.get(origin_id)
        choices = (origin.meta or {}).get("choices") if origin is not None else None
        if origin is None or not choices:
            return _refuse("This choice has expired.", "expired")
        if origin.user_id != ctx.user_id:
            return _refuse(f"Only <@{origin.user_id}>, who asked, can choose here.", "refused")
        if not 1 <= number <= len(choices):
            return _refuse("No such choice.", "invalid")
        if not await service.consume(origin_id):
            return _refuse("That choice was already made.", "duplicate")
        return render.choice_from_meta(choices[number - 1])


def _refuse(text: str, outcome: str) -> Handled:
    return Handled(render.respond(render.notice(text)), COMMAND, outcome)
