"""``init add``: a character of the campaign, or SRD monsters as new numbered sheets.

A name is a character when it names one exactly; else an SRD monster when it
names one exactly (so ``init add goblin`` adds Goblin 3 beside Goblin 1 and
2); else a character by unique prefix, else a monster by prefix. ``-n`` and
``--hp`` always mean monsters.
"""

from __future__ import annotations

from adventorator.commands._init_rolls import change_reply, roller
from adventorator.commands._types import Invocation, Reply
from adventorator.errors import InputError, NotFoundError
from adventorator.rules.monsters import Monster, find_monster, roll_hit_points
from adventorator.rules.srd import RulesError
from adventorator.sheet import CharacterSheet, monster_sheet
from adventorator.text import name_key

__all__ = ["add_combatant"]

HP_MODES = ("avg", "roll")


async def add_combatant(
    invocation: Invocation, name: str, init: int | None, count: int | None, hp: str
) -> Reply:
    if hp not in HP_MODES:
        flag = invocation.syntax.name("hp", command="init add")
        raise InputError(f"{flag} must be avg or roll, got {hp!r}")
    ids = await invocation.app.resolve(invocation.identity)
    wants_monster = count is not None or hp != "avg"
    character = None if wants_monster else await _character(invocation, ids.campaign_id, name)
    if character is not None and name_key(character) == name_key(name):
        return await _add_character(invocation, character, init)
    monster, problem = _monster(name)
    if monster is not None and (wants_monster or character is None or _exact(monster, name)):
        return await _add_monsters(invocation, monster, count or 1, hp, init)
    if character is not None:
        return await _add_character(invocation, character, init)
    if wants_monster:
        raise RulesError(problem)
    raise NotFoundError(f"no character or SRD monster named {name!r} ({problem})")


async def _character(invocation: Invocation, campaign_id: int, name: str) -> str | None:
    """The name of the character ``name`` names (exactly or by unique prefix), if any."""
    service = await invocation.app.characters()
    try:
        return (await service.get_by_name(campaign_id, name)).name
    except NotFoundError:
        return None


def _monster(name: str) -> tuple[Monster | None, str]:
    try:
        return find_monster(name), ""
    except RulesError as error:
        return None, str(error)


def _exact(monster: Monster, name: str) -> bool:
    typed = name_key(name).replace(" ", "-")
    return typed in {monster.index, name_key(monster.name).replace(" ", "-")}


async def _add_character(invocation: Invocation, name: str, init: int | None) -> Reply:
    ids = await invocation.app.resolve(invocation.identity)
    service = await invocation.app.encounters()
    change = await service.add_character(
        campaign_id=ids.campaign_id,
        scene_id=ids.scene_id,
        actor_id=ids.player_id,
        name=name,
        roller=roller(invocation, init),
        rng=invocation.rng,
        as_gm=invocation.identity.gm,
    )
    return change_reply(change)


async def _add_monsters(
    invocation: Invocation, monster: Monster, count: int, hp: str, init: int | None
) -> Reply:
    ids = await invocation.app.resolve(invocation.identity)
    service = await invocation.app.encounters()

    def make_sheet(name: str) -> CharacterSheet:
        points = roll_hit_points(monster, invocation.rng) if hp == "roll" else monster.hit_points
        return monster_sheet(monster, name=name, hit_points=points)

    change = await service.add_monsters(
        campaign_id=ids.campaign_id,
        scene_id=ids.scene_id,
        actor_id=ids.player_id,
        base_name=monster.name,
        count=count,
        make_sheet=make_sheet,
        roller=roller(invocation, init),
        rng=invocation.rng,
    )
    return change_reply(change)
