"""Slash commands: parse, claim the id, then answer now or defer.

Three paths, by what the registry says of the command:

* ``slow`` (may call the LLM): claimed with the deferral as its stored
  response, acknowledged with "thinking…", run in the background;
* ``pure`` (changes nothing): run and answered without the database (a reply
  with buttons is claimed with its choices, in one statement);
* otherwise: claimed, run, and the answer stored for redeliveries.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from adventorator.commands import COMMANDS, CommandSpec
from adventorator.discord_webhook import _render as render
from adventorator.discord_webhook._attachments import attachment_text
from adventorator.discord_webhook._commands import CommandCall, OptionCoercer, parse_command
from adventorator.discord_webhook._handled import Handled
from adventorator.discord_webhook._idempotency import choices_meta
from adventorator.errors import AdventoratorError, InputError

if TYPE_CHECKING:
    from adventorator.discord_webhook._deferred import FollowUps
    from adventorator.discord_webhook._handled import Ran, Runner
    from adventorator.discord_webhook._idempotency import Claims
    from adventorator.discord_webhook._payload import InteractionContext

_TOP_LEVEL = frozenset(spec.path[0] for spec in COMMANDS)


class SlashCommands:
    """Answers APPLICATION_COMMAND interactions."""

    def __init__(self, runner: Runner, claims: Claims, followups: FollowUps) -> None:
        self.runner = runner
        self.claims = claims
        self.followups = followups
        self._coercer = OptionCoercer()

    async def __call__(self, ctx: InteractionContext) -> Handled:
        name = str(ctx.data.get("name", ""))
        name = name if name in _TOP_LEVEL else "unknown"  # bounded metric labels
        try:
            call = parse_command(ctx.data)
            args = await self._with_attachment(ctx, call)
            options = self._coercer.coerce(call.spec, args)
        except AdventoratorError as error:
            return Handled(render.respond(render.error_message(error)), name, "invalid")
        spec = call.spec
        if spec.slow:
            return await self._deferred(ctx, spec, options)
        if spec.pure:
            return await self._pure(ctx, spec, options)
        replayed = await self.claims.claim(ctx, kind="command", command=spec.name)
        if replayed is not None:
            return replayed
        ran = await self.runner.command(ctx, spec, options)
        if ran.files:
            return await self._with_files(ctx, spec, ran)
        response = render.respond(ran.data)
        await self.claims.finish(ctx.id, response=response, meta=choices_meta(ran.reply))
        return Handled(response, spec.name, ran.outcome)

    async def _with_files(self, ctx: InteractionContext, spec: CommandSpec, ran: Ran) -> Handled:
        """A message with a file cannot be the HTTP response (Discord accepts JSON there).

        So it is acknowledged with a deferral of the same ephemeral state,
        which the file's message then edits (multipart), as a follow-up.
        """
        deferral = render.deferral(private=bool(ran.data.get("flags")))
        await self.claims.finish(ctx.id, response=deferral, meta=choices_meta(ran.reply))
        self.followups.send(ctx, spec.name, ran, private_deferral=bool(ran.data.get("flags")))
        return Handled(deferral, spec.name, "deferred")

    async def _with_attachment(self, ctx: InteractionContext, call: CommandCall) -> dict[str, Any]:
        """The options, with an attached file's text as the ``json`` document."""
        if call.attachment is None:
            return call.args
        if call.args.get("json") is not None:
            raise InputError("give either the json option or a file, not both")
        api_base = self.runner.app.settings.discord_api_base
        text = await attachment_text(ctx.data, call.attachment, api_base)
        return {**call.args, "json": text}

    async def _deferred(self, ctx: InteractionContext, spec: CommandSpec, options: Any) -> Handled:
        deferral = render.deferral(private=False)
        replayed = await self.claims.claim(
            ctx, kind="command", command=spec.name, response=deferral
        )
        if replayed is not None:
            return replayed
        run = functools.partial(self.runner.command, ctx, spec, options)
        self.followups.defer(ctx, spec.name, run, edit_component=False)
        return Handled(deferral, spec.name, "deferred")

    async def _pure(self, ctx: InteractionContext, spec: CommandSpec, options: Any) -> Handled:
        """Run and answer with no database round trip: a pure command changes nothing.

        Its answer is not recorded: Discord does not redeliver an interaction it
        got an answer to, and a repeat (a retry after a lost answer) just runs
        again, harmlessly. A reply with buttons is claimed with their choices
        (any instance may serve the click), and one with a file like any command.
        """
        ran = await self.runner.command(ctx, spec, options)
        if ran.files:  # claimed like any command, then sent as a follow-up
            replayed = await self.claims.claim(ctx, kind="command", command=spec.name)
            return replayed if replayed is not None else await self._with_files(ctx, spec, ran)
        response = render.respond(ran.data)
        meta = choices_meta(ran.reply)
        if meta is None:
            return Handled(response, spec.name, ran.outcome)
        replayed = await self.claims.claim(
            ctx, kind="command", command=spec.name, response=response, meta=meta, finished=True
        )
        return replayed if replayed is not None else Handled(response, spec.name, ran.outcome)
