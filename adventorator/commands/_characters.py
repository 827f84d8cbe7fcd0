"""Finding the character a command is about: named, or the active one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adventorator.commands._types import Invocation
from adventorator.errors import NotFoundError

if TYPE_CHECKING:
    from adventorator.services.characters import CharacterRecord


async def character_for(
    invocation: Invocation, name: str | None, *, own: bool = False
) -> CharacterRecord:
    """The character called ``name`` in the campaign, else the player's active one.

    With ``own``, a named character must be the player's (the service refuses
    another player's with PermissionDeniedError); the active one always is.
    """
    ids = await invocation.app.lookup(invocation.identity)  # a read: creates no rows
    service = await invocation.app.characters()
    if name and own:
        return await service.own_character(
            campaign_id=ids.campaign_id, actor_id=ids.player_id, name=name
        )
    if name:
        return await service.get_by_name(ids.campaign_id, name)
    record = await service.get_active_character_for_user(ids.player_id, ids.campaign_id)
    if record is None:
        campaign = invocation.identity.campaign_key
        raise NotFoundError(
            f"you have no character in campaign {campaign!r}: "
            f"create one with `{_create_hint(invocation)}`"
        )
    return record


def _create_hint(invocation: Invocation) -> str:
    """How to create a sheet, in the client's own syntax (from the registry)."""
    return invocation.syntax.usage("sheet create", ["json"])
