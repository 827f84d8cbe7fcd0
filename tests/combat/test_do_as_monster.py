"""``do --as MONSTER``: a monster's turn narrated by the game master (or its owner), never by
a player; the narrator proposes one of the monster's attacks, the engine decides every number.
On SQLite and Postgres, offline and through the fake OpenAI server.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from adventorator.errors import PermissionDeniedError
from tests.fakes.openai_server import FakeLLMServer
from tests.play.conftest import llm_table, make_table, offline_table
from tests.play.fight_support import attack_proposal, events, fight, hp, next_turn
from tests.play.support import ROGUE, Table, data, fighter_json

__all__ = ["llm_table", "make_table", "offline_table"]


async def _lunge(table: Table, seed: int = 1) -> dict[str, Any]:
    """Goblin 1 attacks Wren as the game master narrates it, on Goblin 1's turn."""
    before = await hp(table, ROGUE)
    reply = await table.do("it lunges at Wren", character_name="goblin 1", rng=random.Random(seed))
    turn = data(reply)
    attack = turn["attack"]
    assert (attack["attacker"], attack["target"]) == ("Goblin 1", ROGUE)
    assert before - await hp(table, ROGUE) == (attack["taken"] or 0)
    assert len(await events(table)) == (1 if attack["hit"] else 0)
    return turn


async def test_the_gm_narrates_a_monsters_attack_offline(offline_table: Table) -> None:
    await fight(offline_table)
    await next_turn(offline_table)  # Goblin 1's turn
    turn = await _lunge(offline_table)
    assert turn["attack"]["weapon"] == "Scimitar"  # the goblin's first melee attack (SRD)
    assert turn["narrator"] == "offline"


async def test_the_model_proposes_the_monsters_own_attack(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    await fight(llm_table)
    await next_turn(llm_table)
    fake_llm.reply_json(attack_proposal("scim", "wren"))
    fake_llm.reply_json({"narration": "The goblin's blade flashes."})
    turn = await _lunge(llm_table)
    assert turn["attack"]["weapon"] == "Scimitar"
    prompt = fake_llm.requests[0].prompt_text
    assert "you act for Goblin 1" in prompt
    assert "Your attacks: Scimitar (melee), Shortbow (ranged)" in prompt


async def test_a_monster_may_not_use_a_weapon_it_lacks(
    llm_table: Table, fake_llm: FakeLLMServer
) -> None:
    await fight(llm_table)
    await next_turn(llm_table)
    fake_llm.reply_json(attack_proposal("Shortsword", "Wren"))
    reply = await llm_table.do("it stabs Wren", character_name="goblin 1")
    assert data(reply)["reason"] == (
        "Goblin 1 has no attack 'Shortsword'; attacks: Scimitar, Shortbow"
    )
    assert await events(llm_table) == []


async def test_a_monster_off_its_turn_is_refused(offline_table: Table) -> None:
    await fight(offline_table)
    await next_turn(offline_table)  # Goblin 1's turn, not Goblin 2's
    reply = await offline_table.do("it lunges at Wren", character_name="goblin 2")
    assert (
        data(reply)["reason"]
        == "it is Goblin 1's turn, not Goblin 2's: an attack waits for its turn"
    )
    assert await hp(offline_table, ROGUE) == 38


async def test_a_player_may_not_narrate_a_monster_or_anothers_character(
    offline_table: Table,
) -> None:
    await offline_table.create(fighter_json("Bobby"), user="bob")
    await fight(offline_table)
    await next_turn(offline_table)
    with pytest.raises(PermissionDeniedError, match="'Goblin 1' belongs to another player"):
        await offline_table.do("it lunges at Wren", user="bob", character_name="goblin 1")
    # Not even the game master speaks for a player's character.
    with pytest.raises(PermissionDeniedError, match="belongs to another player"):
        await offline_table.do("I attack goblin 1", character_name="Bobby")
    assert await hp(offline_table, ROGUE) == 38
    assert await events(offline_table) == []
    assert await offline_table.rows() != []  # the encounter's lines only: no do was recorded
    assert all(r.role == "mechanics" for r in await offline_table.rows())
