"""The narrator in combat, with a model: attack proposals through the fake OpenAI server.

An accepted attack is resolved by ``adv attack``'s path (one ``attack`` event,
the target's HP down by exactly the rolled damage); the model is told the
outcome and narrates it. Every other attack proposal is refused with its
reason, nothing rolled and nothing changed. On SQLite and Postgres.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from adventorator.errors import PermissionDeniedError
from tests.fakes.openai_server import FakeLLMServer
from tests.play.fight_support import attack_proposal, events, fight, hp, next_turn
from tests.play.support import ROGUE, Table, assert_rejected_pair, data, fighter_json

HIT_SEED = 3  # Random(3): Wren's shortsword hits Goblin 1 (AC 15)


async def test_an_attack_proposal_is_resolved_by_the_engine(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    await fight(llm_table, monster="orc")  # 15 HP: a hit leaves it standing
    fake_llm.reply_json(attack_proposal("shorts", "orc 1"))  # prefixes, any case
    fake_llm.reply_json({"narration": "Your blade bites into the orc."})
    before = await hp(llm_table, "Orc 1")

    reply = await llm_table.do("I slash at the orc on the left", rng=random.Random(HIT_SEED))

    turn = data(reply)
    attack = turn["attack"]
    assert (turn["rejected"], attack["weapon"], attack["target"]) == (False, "Shortsword", "Orc 1")
    assert attack["hit"] is True
    assert attack["taken"] == attack["damage"]["total"] > 0  # an orc resists nothing
    after = await hp(llm_table, "Orc 1")
    assert before - after == attack["taken"]  # exactly the rolled damage
    [event] = await events(llm_table)  # one recorded event
    assert (event["before"]["hp"]["current"], event["after"]["hp"]["current"]) == (before, after)
    assert turn["narration"] == "Your blade bites into the orc."
    assert reply.text.splitlines()[0].startswith("Wren Thistlefoot attacks Orc 1 with Shortsword")
    assert reply.text.endswith("Your blade bites into the orc.")
    # The prompt named the attacks and the combatants, not the monsters' numbers.
    asked, told = fake_llm.requests[-2], fake_llm.requests[-1]
    prompt = asked.prompt_text
    assert "Your attacks: Shortsword (melee), Shortbow (ranged)" in prompt
    assert "Orc 1 (monster)" in prompt
    assert "Wren Thistlefoot (you)" in prompt
    assert "15/15" not in prompt
    assert "AC 13" not in prompt
    assert f"HIT: {attack['taken']} damage to Orc 1" in told.prompt_text
    rows = await llm_table.rows()
    said = [r for r in rows if r.id in turn["transcript_ids"]]
    assert [r.role for r in said] == ["player", "mechanics", "narrator"]
    assert said[1].meta is not None
    assert said[1].meta["attack"]["taken"] == attack["taken"]


async def _refused(table: Table, fake: FakeLLMServer, proposal: dict[str, Any], why: str) -> None:
    """The proposal is refused with ``why``: no roll, no event, every HP as it was."""
    fake.reply_json(proposal)
    before = {name: await hp(table, name) for name in (ROGUE, "Goblin 1", "Goblin 2")}
    rows_before = len(await table.rows())

    reply = await table.do("I attack", rng=random.Random(HIT_SEED))

    rows = (await table.rows())[rows_before:]
    assert_rejected_pair(rows, reply, player_text="I attack", why=why)
    assert {name: await hp(table, name) for name in before} == before
    assert await events(table) == []
    assert len(fake.requests) == 1  # nothing to narrate


async def test_an_unknown_weapon_is_refused(llm_table: Table, fake_llm: FakeLLMServer) -> None:
    await fight(llm_table)
    await _refused(
        llm_table,
        fake_llm,
        attack_proposal("Greataxe"),
        "Wren Thistlefoot has no attack 'Greataxe'; attacks: Shortsword, Shortbow",
    )


async def test_a_target_outside_the_encounter_is_refused(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    await llm_table.create(fighter_json("Bobby"), user="bob")
    await fight(llm_table)
    await _refused(
        llm_table, fake_llm, attack_proposal(target="Bobby"), "'Bobby' is not in the encounter"
    )


async def test_an_ambiguous_target_is_refused(llm_table: Table, fake_llm: FakeLLMServer) -> None:
    await fight(llm_table)
    await _refused(
        llm_table, fake_llm, attack_proposal(target="gob"), "'gob' could be several combatants"
    )


async def test_not_on_your_turn_is_refused(llm_table: Table, fake_llm: FakeLLMServer) -> None:
    await fight(llm_table)
    await next_turn(llm_table)  # Goblin 1's turn
    await _refused(
        llm_table, fake_llm, attack_proposal(), "it is Goblin 1's turn, not Wren Thistlefoot's"
    )


async def test_outside_an_encounter_is_refused(llm_table: Table, fake_llm: FakeLLMServer) -> None:
    fake_llm.reply_json(attack_proposal())
    reply = await llm_table.do("I attack", rng=random.Random(HIT_SEED))
    assert_rejected_pair(
        await llm_table.rows(),
        reply,
        player_text="I attack",
        why="the narrator proposes attacks only in an encounter, and none is running",
    )
    assert "`adv init begin`" in data(reply)["reason"]
    assert "ENCOUNTER" not in fake_llm.requests[0].prompt_text


@pytest.mark.parametrize(
    ("extra", "why"),
    [
        ({"damage": 50}, "not change state (damage)"),
        ({"hp": 0}, "not change state (hp)"),
        ({"target_ac": 5}, "not change state (target_ac)"),
        ({"items": ["goblin's purse"]}, "not change state (items)"),
        ({"dc": 5}, "names only a weapon and a target, not dc"),
        ({"ability": "str"}, "names only a weapon and a target, not ability"),
        ({"target": None}, "the attack names no target; the other side: Goblin 1, Goblin 2"),
        ({"weapon": None}, "the attack names no weapon of Wren Thistlefoot's"),
    ],
)
async def test_an_attack_that_changes_or_picks_anything_else_is_refused(
    llm_table: Table, fake_llm: FakeLLMServer, extra: dict[str, Any], why: str
) -> None:
    await fight(llm_table)
    await _refused(llm_table, fake_llm, {**attack_proposal(), **extra}, why)


async def test_a_player_may_not_narrate_a_monster(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    await llm_table.create(fighter_json("Bobby"), user="bob")
    await fight(llm_table)
    with pytest.raises(PermissionDeniedError, match="'Goblin 1' belongs to another player"):
        await llm_table.do("it lunges", user="bob", character_name="goblin 1")
    assert fake_llm.requests == []


async def test_a_hit_on_a_concentrating_target_rolls_its_save_and_the_model_is_told(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    from adventorator.commands import concentration

    await fight(llm_table, monster="orc")
    start = concentration.StartOptions(spell="Bless", character="orc 1")
    await concentration.start(llm_table.invocation("alice"), start)
    fake_llm.reply_json(attack_proposal("Shortsword", "Orc 1"))
    fake_llm.reply_json({"narration": "The orc's prayer falters."})

    turn = data(await llm_table.do("I slash at the orc", rng=random.Random(HIT_SEED)))

    save = turn["attack"]["concentration"]
    assert save is not None  # adv attack's own save, in the one attack event
    assert save["spell"] == "Bless"
    kept = "keeps" if save["kept"] else "loses"
    assert f"Orc 1 {kept} concentration on Bless" in fake_llm.requests[-1].prompt_text
    [event] = await events(llm_table)
    assert ("concentration" in event["after"]) is save["kept"]
