"""Finding the character a command is about: named, or the active one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adventorator.commands._types import Invocation
from adventorator.errors import NotFoundError

if TYPE_CHECKING:
    from adventorator.services.characters import CharacterRecord


async def character_for(invocation: Invocation, name: str | None) -> CharacterRecord:
    """The character called ``name`` in the campaign, else the player's active one."""
    ids = await invocation.app.lookup(invocation.identity)  # a read: creates no rows
    service = await invocation.app.characters()
    if name:
        return await service.get_by_name(ids.campaign_id, name)
    record = await service.get_active_character_for_user(ids.player_id, ids.campaign_id)
    if record is None:
        campaign = invocation.identity.campaign_key
        raise NotFoundError(
            f"you have no character in campaign {campaign!r}: "
            f"create one with {_create_hint(invocation)}"
        )
    return record


def _create_hint(invocation: Invocation) -> str:
    """How to create a sheet, in the client's own syntax."""
    if invocation.identity.client == "cli":
        return "`adv sheet create --file SHEET.json`"
    from adventorator.commands import find_command
    from adventorator.commands._usage import usage

    spec = find_command("sheet create")
    return f"`{usage(spec, 'discord', ['json'])}`" if spec else "`/sheet create`"
