"""The offline narrator reads attack phrasings: weapon named or by verb, target by name.

Pure tests on ``offline_proposal`` with a scene, then whole offline turns on
both backends: the engine resolves the attack, and the template tells it.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from adventorator.play.combat import CombatScene, validate_attack
from adventorator.play.narrator import ProposalRejected
from adventorator.play.offline_narrator import offline_proposal
from tests.play.fight_support import events, fight, hp
from tests.play.support import ROGUE, Table, data, rogue_sheet

GOBLINS = ("Goblin 1", "Goblin 2", "Skeleton")


def scene(*foes: str, actor: str = ROGUE) -> CombatScene:
    names = (ROGUE, *foes) if actor == ROGUE else (actor, ROGUE, *foes)
    monsters = frozenset(n for n in names if n != ROGUE)
    return CombatScene(
        actor=actor,
        running=True,
        started=True,
        current=actor,
        combatants=names,
        monsters=monsters,
        attacks=tuple(rogue_sheet().attacks),
    )


@pytest.mark.parametrize(
    ("text", "weapon", "target"),
    [
        ("I attack the goblin 1", "Shortsword", "Goblin 1"),
        ("I attack goblin 1 with my shortsword", "Shortsword", "Goblin 1"),
        ("I slash at goblin 2 with my shortsword", "Shortsword", "Goblin 2"),
        ("shoot the skeleton", "Shortbow", "Skeleton"),
        ("I fire at Goblin 2", "Shortbow", "Goblin 2"),
        ("I stab goblin 2 with the bow", "Shortbow", "Goblin 2"),
        ("I swing at the skeleton", "Shortsword", "Skeleton"),
    ],
)
def test_attack_phrasings_pick_the_weapon_and_the_target(
    text: str, weapon: str, target: str
) -> None:
    proposal = offline_proposal(text, None, scene(*GOBLINS))
    assert (proposal.action, proposal.weapon, proposal.target) == ("attack", weapon, target)
    assert proposal.reason.startswith("offline narrator: ")
    valid = validate_attack(proposal, scene(*GOBLINS))
    assert (valid.weapon, valid.target) == (weapon, target)


def test_it_is_the_only_foe() -> None:
    proposal = offline_proposal("I stab it", None, scene("Goblin 1"))
    assert (proposal.weapon, proposal.target) == ("Shortsword", "Goblin 1")


def test_it_with_several_foes_names_them() -> None:
    proposal = offline_proposal("I stab it", None, scene("Goblin 1", "Goblin 2"))
    with pytest.raises(
        ProposalRejected, match="names no target; the other side: Goblin 1, Goblin 2"
    ):
        validate_attack(proposal, scene("Goblin 1", "Goblin 2"))


def test_a_shared_name_is_refused_as_ambiguous() -> None:
    proposal = offline_proposal("I slash at the goblin on the left", None, scene(*GOBLINS))
    assert proposal.target == "Goblin"
    with pytest.raises(ProposalRejected, match="could be several combatants: Goblin 1, Goblin 2"):
        validate_attack(proposal, scene(*GOBLINS))


def test_a_monster_lunges_at_a_character_by_first_name() -> None:
    proposal = offline_proposal("it lunges at Wren", None, scene(actor="Goblin 1"))
    assert (proposal.action, proposal.target) == ("attack", ROGUE)


def test_a_check_named_first_stays_a_check() -> None:
    proposal = offline_proposal("I dodge the goblin's attack", None, scene(*GOBLINS))
    assert (proposal.action, proposal.ability) == ("saving_throw", "dex")


def test_outside_an_encounter_an_attack_is_refused_and_hit_is_no_attack() -> None:
    outside = CombatScene(actor=ROGUE, running=False, attacks=tuple(rogue_sheet().attacks))
    proposal = offline_proposal("I attack the goblin", None, outside)
    assert proposal.action == "attack"
    with pytest.raises(ProposalRejected, match="none is running in this scene"):
        validate_attack(proposal, outside)
    assert offline_proposal("I hit the books", None, outside).action == "none"


async def test_an_offline_attack_is_resolved_and_told(offline_table: Table) -> None:
    await fight(offline_table, monster="orc")
    before = await hp(offline_table, "Orc 1")

    reply = await offline_table.do("I attack orc 1 with my shortsword", rng=random.Random(3))

    turn = data(reply)
    attack = turn["attack"]
    assert (turn["narrator"], attack["weapon"], attack["hit"]) == ("offline", "Shortsword", True)
    assert before - await hp(offline_table, "Orc 1") == attack["taken"] > 0
    assert len(await events(offline_table)) == 1
    assert reply.text.endswith("(offline narrator)")
    assert "Orc 1" in turn["narration"]


async def test_an_offline_miss_changes_nothing(offline_table: Table) -> None:
    await fight(offline_table, monster="orc")
    for seed in range(40):  # the first seed whose roll misses: the test reads the engine's verdict
        before = await hp(offline_table, "Orc 2")
        count = len(await events(offline_table))
        reply = await offline_table.do("I attack orc 2", rng=random.Random(seed))
        if data(reply)["attack"]["hit"] is False:
            break
    else:
        pytest.fail("no miss in 40 seeds")
    assert await hp(offline_table, "Orc 2") == before
    assert len(await events(offline_table)) == count
    assert "Orc 2: not hit" in reply.text


def test_it_is_the_only_foe_still_standing() -> None:
    standing = replace(scene("Goblin 1", "Goblin 2"), down=frozenset({"Goblin 1"}))
    assert offline_proposal("I stab it", None, standing).target == "Goblin 2"


async def test_after_one_goblin_falls_it_is_the_other(offline_table: Table) -> None:
    await fight(offline_table)
    first = data(await offline_table.do("I attack goblin 1", rng=random.Random(3)))
    assert await hp(offline_table, "Goblin 1") == 0, first["attack"]

    second = data(await offline_table.do("I stab it", rng=random.Random(3)))

    assert (second["rejected"], second["attack"]["target"]) == (False, "Goblin 2")
