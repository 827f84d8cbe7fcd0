"""Autocomplete: character names, from the campaign's characters, as the user types.

The ``monster`` commands' names come from the SRD monster data instead.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from adventorator.commands import monster
from adventorator.discord_webhook import _render as render
from adventorator.discord_webhook._commands import discord_options, parse_command
from adventorator.discord_webhook._handled import Handled
from adventorator.errors import AdventoratorError

if TYPE_CHECKING:
    from adventorator.context import AppContext
    from adventorator.discord_webhook._payload import InteractionContext

log = logging.getLogger("adventorator.discord")

MAX_AUTOCOMPLETE_TYPED = 100  # what a name can be; more cannot match anything


class Autocomplete:
    """Answers APPLICATION_COMMAND_AUTOCOMPLETE interactions (never claimed: nothing changes)."""

    def __init__(self, app: AppContext) -> None:
        self.app = app

    async def __call__(self, ctx: InteractionContext) -> Handled:
        try:
            call = parse_command(ctx.data)
        except AdventoratorError:
            return Handled(render.autocomplete([]), "unknown", "invalid")
        option = next((o for o in discord_options(call.spec) if o.name == call.focused), None)
        if option is None or not option.meta.autocomplete:
            return Handled(render.autocomplete([]), call.spec.name)
        typed = str(call.args.get(option.name) or "")[:MAX_AUTOCOMPLETE_TYPED]
        if call.spec.path[0] == "monster":  # SRD monster names, from the package's data
            return Handled(render.autocomplete(monster.autocomplete(typed)), call.spec.name)
        try:
            # Names only, one bounded query (or the cache) per keystroke; creates no rows.
            ids = await self.app.lookup(ctx.identity)
            names = await (await self.app.characters()).names(ids.campaign_id, typed)
        except AdventoratorError as error:
            log.warning("autocomplete for /%s failed: %s", call.spec.name, error)
            return Handled(render.autocomplete([]), call.spec.name, "error")
        return Handled(render.autocomplete(names), call.spec.name)
