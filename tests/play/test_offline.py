"""Offline mode (no ``llm_model``): the offline narrator and planner, end to end."""

from __future__ import annotations

import random

import pytest

from adventorator.commands import Reply
from adventorator.commands.planning import EXIT_AMBIGUOUS, EXIT_REJECTED
from adventorator.errors import InputError
from adventorator.rules import Dnd5eRuleset
from adventorator.sheet import DerivedValues
from tests.play.support import ROGUE, Table, assert_full_turn, data, fighter_json, rogue_sheet

SNEAK = "I sneak past the sleeping guard"
BRUTE = {"str": 18, "dex": 8, "con": 16, "int": 8, "wis": 10, "cha": 10}


def ability_modifier(score: int) -> int:
    return (score - 10) // 2


def proficiency_bonus(level: int) -> int:
    return 2 + (level - 1) // 4


async def test_do_rolls_stealth_with_the_rogues_expertise(offline_table: Table) -> None:
    reply = await offline_table.do(SNEAK)

    turn = data(reply)
    check = turn["check"]
    sheet = rogue_sheet()
    expected = ability_modifier(18) + 2 * proficiency_bonus(5)  # DEX 18, expertise, level 5
    assert expected == DerivedValues(sheet, Dnd5eRuleset()).to_json()["skills"]["stealth"]["bonus"]
    assert expected == 10
    assert (check["kind"], check["skill"], check["ability"]) == ("skill", "stealth", "dex")
    assert check["modifier"] == expected
    assert check["total"] == check["kept"] + expected
    assert check["dc"] == 15
    assert turn["narrator"] == "offline"
    assert turn["notice"] is None  # offline by choice: nothing failed
    assert turn["reason"].startswith('offline narrator: "sneak" suggests')
    assert reply.text.endswith(" (offline narrator)")
    assert ROGUE in turn["narration"]
    assert_full_turn(await offline_table.rows(), reply, player_text=SNEAK)


async def test_the_same_seed_gives_the_same_turn(offline_table: Table) -> None:
    first = data(await offline_table.do(SNEAK, rng=random.Random(42)))
    second = data(await offline_table.do(SNEAK, rng=random.Random(42)))
    assert first["check"] == second["check"]
    assert first["narration"] == second["narration"]
    assert len(await offline_table.rows()) == 6


async def test_transcript_show_reads_the_turn_back(offline_table: Table) -> None:
    reply = await offline_table.do(SNEAK)
    shown = await offline_table.transcript()

    entries = data(shown)["entries"]
    assert [e["id"] for e in entries] == data(reply)["transcript_ids"]
    assert [e["role"] for e in entries] == ["player", "mechanics", "narrator"]
    assert entries[0]["content"] == SNEAK
    assert entries[1]["meta"]["check"] == data(reply)["check"]
    assert entries[2]["content"] == data(reply)["narration"]
    lines = shown.text.splitlines()
    assert len(lines) == 3
    assert lines[0].endswith(f"] Wren Thistlefoot: {SNEAK}")

    limited = data(await offline_table.transcript(limit=2))["entries"]
    assert [e["role"] for e in limited] == ["mechanics", "narrator"]  # the newest, in order


async def test_transcript_marks_error_lines(offline_table: Table) -> None:
    empty = await offline_table.transcript()
    assert empty.text == "Nothing has happened in this scene yet."
    await offline_table.record_lines([("player", "hello")])
    ids = await offline_table.app.resolve(offline_table.invocation().identity)
    service = await offline_table.app.transcripts()
    line = (await service.recent(ids.scene_id))[0]
    await service.mark([line.id], "error")

    shown = await offline_table.transcript()
    assert shown.text.endswith("] alice (error): hello")
    assert data(shown)["entries"][0]["status"] == "error"


async def test_act_create_a_character_guides_the_cli_user(offline_table: Table) -> None:
    reply = await offline_table.act("create a character")

    plan = data(reply)
    assert plan["status"] == "needs_arguments"
    assert plan["command"] == "sheet create"
    assert plan["message"] == (
        "To create a character, use `adv sheet create --json '<sheet>'` (see `adv sheet schema`)."
    )
    assert reply.text == plan["message"]
    assert (plan["planner"], plan["choices"], plan["result"]) == ("offline", [], None)
    assert reply.exit_code == 2  # nothing ran


async def test_act_create_a_character_guides_the_discord_user(offline_table: Table) -> None:
    reply = await offline_table.act("create a character", client="discord", user="dana")

    plan = data(reply)
    assert plan["status"] == "needs_arguments"
    assert plan["message"] == (
        "To create a character, use `/sheet create json:<sheet>` (see `/sheet schema`)."
    )
    assert reply.ephemeral


async def test_act_sheet_is_ambiguous_with_numbered_choices(offline_table: Table) -> None:
    reply = await offline_table.act("sheet")

    plan = data(reply)
    assert plan["status"] == "ambiguous"
    assert reply.exit_code == EXIT_AMBIGUOUS == 3
    assert [(c["number"], c["command"]) for c in plan["choices"]] == [
        (1, "sheet show"),
        (2, "sheet list"),
        (3, "character current"),
    ]
    assert "--choose N" in plan["message"]
    assert reply.text.splitlines()[1:] == [
        "  1. sheet show",
        "  2. sheet list",
        "  3. character current",
    ]
    assert [c.command for c in reply.choices] == ["sheet show", "sheet list", "character current"]
    assert await offline_table.rows() == []  # planning writes nothing


async def test_act_sheet_on_discord_offers_choices_without_a_cli_flag(
    offline_table: Table,
) -> None:
    reply = await offline_table.act("sheet", client="discord", user="dana")
    plan = data(reply)
    assert plan["status"] == "ambiguous"
    assert plan["message"] == "I'm not sure what you meant. Pick one:"
    assert "--choose" not in reply.text


async def test_act_choose_2_runs_the_second_choice(offline_table: Table) -> None:
    reply = await offline_table.act("sheet", choose=2)

    plan = data(reply)
    assert (plan["status"], plan["command"]) == ("executed", "sheet list")
    assert plan["result"] == {
        "characters": [
            {
                "name": ROGUE,
                "class": "Rogue",
                "level": 5,
                "yours": True,
                "active": True,
                "damaged": False,
            }
        ]
    }
    assert reply.exit_code == 0
    assert reply.text == f"* {ROGUE}: level 5 Rogue (yours)"


async def test_act_choose_out_of_range_is_an_input_error(offline_table: Table) -> None:
    with pytest.raises(InputError, match="--choose must be between 1 and 3, got 4"):
        await offline_table.act("sheet", choose=4)


async def test_act_unknown_request_is_rejected(offline_table: Table) -> None:
    reply = await offline_table.act("xyzzy plugh")

    plan = data(reply)
    assert (plan["status"], plan["command"]) == ("rejected", None)
    assert reply.exit_code == EXIT_REJECTED == 2
    intro, listed = plan["message"].split(" Commands I can run: ")
    assert intro == "I don't know how to do that."
    known = listed.rstrip(".").split(", ")
    assert {"adv roll", "adv check", "adv sheet create", "adv do"} <= set(known)
    assert not {"adv act", "adv sheet delete", "adv sheet schema"} & set(known)


async def test_act_runs_do_through_its_handler(offline_table: Table) -> None:
    reply = await offline_table.act(SNEAK)

    plan = data(reply)
    assert (plan["status"], plan["command"], plan["args"]) == (
        "executed",
        "do",
        {"message": SNEAK},
    )
    turn = plan["result"]
    assert turn["check"]["modifier"] == 10
    assert_full_turn(await offline_table.rows(), _inner(reply), player_text=SNEAK)


def _inner(reply: Reply) -> Reply:
    """The ``do`` Reply an executed plan wraps, rebuilt from its data for the row checks."""
    return Reply(text=reply.text, data=data(reply)["result"])


async def test_do_rolls_for_the_active_character_or_the_one_named(offline_table: Table) -> None:
    await offline_table.create(fighter_json("Brute", abilities=BRUTE))  # now the most recent

    brute = data(await offline_table.do(SNEAK))["check"]
    await offline_table.switch(ROGUE)
    rogue = data(await offline_table.do(SNEAK))["check"]
    named = data(await offline_table.do(SNEAK, character_name="brute"))["check"]

    assert (brute["modifier"], rogue["modifier"], named["modifier"]) == (-1, 10, -1)
    rows = await offline_table.rows()
    characters = [row.character_id for row in rows if row.role == "mechanics"]
    assert characters[0] == characters[2] != characters[1]
