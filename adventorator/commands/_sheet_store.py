"""What the sheet commands share: the document option, storing a sheet, and its --json."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from adventorator.commands._types import Invocation
from adventorator.errors import InputError
from adventorator.identity import Client

if TYPE_CHECKING:
    from adventorator.rules import Ruleset
    from adventorator.services.characters import CharacterRecord
    from adventorator.sheet import CharacterSheet


class HasDocument(Protocol):
    """Options with a ``json`` document (the CLI reads ``--file`` into it)."""

    @property
    def json(self) -> str | None: ...


def read_document(options: HasDocument, client: Client) -> str:
    """The JSON text of the json option; the CLI reads ``--file`` into it."""
    if options.json is None:
        if client == "discord":
            raise InputError("give the document in the json option")
        raise InputError("give exactly one of --json TEXT or --file PATH ('-' for stdin)")
    return options.json


async def store(
    invocation: Invocation, sheet: CharacterSheet, *, replace: bool
) -> tuple[CharacterRecord, list[str]]:
    """Store ``sheet`` as the player's; and the "now playing" line if that changed who they play.

    Without a ``character switch`` selection a player plays their most recent
    character, so a new (or replaced) sheet silently becomes it: say so, but
    only when the active character was another one before.
    """
    ids = await invocation.app.resolve(invocation.identity)
    service = await invocation.app.characters()
    before = await service.active_character_id(ids.player_id, ids.campaign_id)
    record = await service.create(
        campaign_id=ids.campaign_id, owner_id=ids.player_id, sheet=sheet, replace=replace
    )
    after = await service.active_character_id(ids.player_id, ids.campaign_id)
    if before is None or before == after or after != record.id:
        return record, []
    syntax = invocation.syntax
    switch = syntax.command("character switch")
    name = syntax.option("name", "NAME", command="character switch")
    return record, [
        f"You are now playing {record.name}: it is your most recent character "
        f"({switch} {name} to choose)."
    ]


def record_json(record: CharacterRecord, ruleset: Ruleset) -> dict[str, Any]:
    """A stored sheet plus the values ``ruleset`` derives from it, for --json."""
    from adventorator.sheet import DerivedValues

    return {
        **record.sheet.to_data(),
        "derived": DerivedValues(record.sheet, ruleset).to_json(),
        "updated_at": record.updated_at.isoformat(),
    }
