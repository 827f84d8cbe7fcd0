"""``init begin|add|roll|next|prev|list|remove|end``: initiative and turns in the scene's encounter.

Each change is one recorded event (``EncounterService``); the initiative
rolls are the rules engine's Dexterity checks (``_init_rolls``). ``init add``
takes a character of the campaign, or an SRD monster, whose numbered sheets
("Goblin 1", "Goblin 2") it creates and ``init remove`` / ``init end``
delete. Heavy modules are imported inside the handlers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from adventorator.commands._types import CommandSpec, Invocation, Reply, option

if TYPE_CHECKING:
    from adventorator.services.encounters import EncounterService

MONSTERS_MAX = 20


@dataclass(frozen=True)
class NoOptions:
    pass


@dataclass(frozen=True)
class AddOptions:
    name: str = option(
        "A character (unique prefix) or an SRD monster (goblin, orc ...).",
        positional=True,
        autocomplete=True,
    )
    init: int | None = option(
        "Set the initiative instead of rolling it.", default=None, min=-10, max=50
    )
    count: int | None = option(
        "How many monsters of the kind to add (numbered: Goblin 1, Goblin 2).",
        default=None,
        min=1,
        max=MONSTERS_MAX,
        cli_flags=("-n", "--count"),
    )
    hp: str = option("Monsters' hit points: avg (the stat block's) or roll.", default="avg")


@dataclass(frozen=True)
class TurnOptions:
    current: str | None = option(
        "The combatant whose turn you mean to end: if the turn moved on meanwhile, "
        "nothing changes (two presses at once advance once).",
        default=None,
    )


@dataclass(frozen=True)
class RemoveOptions:
    name: str = option("The combatant: a unique prefix, any case.", positional=True)


class _Where(TypedDict):
    campaign_id: int
    scene_id: int
    actor_id: int


async def _service(invocation: Invocation) -> tuple[EncounterService, _Where]:
    """The encounter service, and the scene and actor every change names."""
    ids = await invocation.app.resolve(invocation.identity)
    where = _Where(campaign_id=ids.campaign_id, scene_id=ids.scene_id, actor_id=ids.player_id)
    return await invocation.app.encounters(), where


async def begin(invocation: Invocation, options: NoOptions) -> Reply:
    from adventorator.commands._init_rolls import change_reply

    service, where = await _service(invocation)
    change = await service.begin(**where)
    return change_reply(change, show_order=False)


async def add(invocation: Invocation, options: AddOptions) -> Reply:
    """A character by name, else an SRD monster (``-n``, ``--hp``: always a monster)."""
    from adventorator.commands._init_add import add_combatant

    return await add_combatant(invocation, options.name, options.init, options.count, options.hp)


async def roll(invocation: Invocation, options: NoOptions) -> Reply:
    from adventorator.commands._init_rolls import change_reply, roller

    service, where = await _service(invocation)
    change = await service.roll(
        **where,
        roller=roller(invocation),
        rng=invocation.rng,
    )
    return change_reply(change)


async def next_turn(invocation: Invocation, options: TurnOptions) -> Reply:
    from adventorator.commands._init_rolls import change_reply

    service, where = await _service(invocation)
    change = await service.next(
        **where,
        expected=options.current,
        as_gm=invocation.identity.gm,
    )
    return change_reply(change)


async def prev_turn(invocation: Invocation, options: TurnOptions) -> Reply:
    from adventorator.commands._init_rolls import change_reply

    service, where = await _service(invocation)
    change = await service.prev(
        **where,
        expected=options.current,
        as_gm=invocation.identity.gm,
    )
    return change_reply(change)


async def list_order(invocation: Invocation, options: NoOptions) -> Reply:
    from adventorator.commands._init_rolls import encounter_lines

    ids = await invocation.app.lookup(invocation.identity)
    service = await invocation.app.encounters()
    view = await service.active(ids.campaign_id, ids.scene_id)
    if view is None:
        usage = invocation.syntax.usage("init begin", [])
        return Reply(
            text=f"No encounter is running in this scene (`{usage}` starts one).",
            data={"encounter": None},
        )
    return Reply(text="\n".join(encounter_lines(view)), data={"encounter": view.to_json()})


async def remove(invocation: Invocation, options: RemoveOptions) -> Reply:
    from adventorator.commands._init_rolls import change_reply

    service, where = await _service(invocation)
    change = await service.remove(
        **where,
        name=options.name,
        as_gm=invocation.identity.gm,
    )
    return change_reply(change)


async def end(invocation: Invocation, options: NoOptions) -> Reply:
    from adventorator.commands._init_rolls import change_reply

    service, where = await _service(invocation)
    change = await service.end(
        **where,
        as_gm=invocation.identity.gm,
    )
    return change_reply(change, show_order=False)


SPECS = (
    CommandSpec(
        path=("init", "begin"),
        help="Start an encounter in this scene (one at a time): then init add, init next.",
        options=NoOptions,
        handler=begin,
        purpose="start an encounter",
    ),
    CommandSpec(
        path=("init", "add"),
        help="Add a combatant: a character (`adv init add wren`, `--init 15` to set it) "
        "or SRD monsters (`adv init add goblin -n 2 --hp roll`); initiative is rolled.",
        options=AddOptions,
        handler=add,
        uses_rng=True,
        purpose="add a combatant to the encounter",
    ),
    CommandSpec(
        path=("init", "roll"),
        help="Roll initiative for every combatant who has none yet.",
        options=NoOptions,
        handler=roll,
        uses_rng=True,
    ),
    CommandSpec(
        path=("init", "next"),
        help="End the current turn and start the next (the first: round 1). Only the "
        "acting combatant's player or the game master may.",
        options=TurnOptions,
        handler=next_turn,
        purpose="move to the next turn",
    ),
    CommandSpec(
        path=("init", "prev"),
        help="Go back one turn (the acting combatant's player or the game master); effects "
        "that ended are not restored: undo the init next for that.",
        options=TurnOptions,
        handler=prev_turn,
    ),
    CommandSpec(
        path=("init", "list"),
        help="Show the turn order, the current combatant marked with >.",
        options=NoOptions,
        handler=list_order,
    ),
    CommandSpec(
        path=("init", "remove"),
        help="Take a combatant out of the encounter (a monster added by init add is deleted).",
        options=RemoveOptions,
        handler=remove,
    ),
    CommandSpec(
        path=("init", "end"),
        help="End the encounter (the game master): a summary into the transcript, pending "
        "effects ended, and the monsters' sheets deleted.",
        options=NoOptions,
        handler=end,
        purpose="end the encounter",
    ),
)
