"""``character``: choose and show the active character."""

from __future__ import annotations

from dataclasses import dataclass

from adventorator.commands._characters import character_for
from adventorator.commands._types import CommandSpec, Invocation, Reply, option


@dataclass(frozen=True)
class SwitchOptions:
    name: str = option("Your character to play.", positional=True, autocomplete=True)


@dataclass(frozen=True)
class CurrentOptions:
    pass


async def switch(invocation: Invocation, options: SwitchOptions) -> Reply:
    ids = await invocation.app.resolve(invocation.identity)
    service = await invocation.app.characters()
    record = await service.switch(
        campaign_id=ids.campaign_id, actor_id=ids.player_id, name=options.name
    )
    return Reply(
        text=f"You are now playing {record.name}.",
        data={"active": record.name, "id": record.id},
    )


async def current(invocation: Invocation, options: CurrentOptions) -> Reply:
    record = await character_for(invocation, None)
    sheet = record.sheet
    return Reply(
        text=f"{record.name}: level {sheet.level} {sheet.class_name}",
        data={
            "active": record.name,
            "id": record.id,
            "class": sheet.class_name,
            "level": sheet.level,
        },
    )


SPECS = (
    CommandSpec(
        path=("character", "switch"),
        help="Play one of your characters in this campaign: `adv character switch Vex`.",
        options=SwitchOptions,
        handler=switch,
    ),
    CommandSpec(
        path=("character", "current"),
        help="Show which character you are playing (see README: active character).",
        options=CurrentOptions,
        handler=current,
    ),
)
