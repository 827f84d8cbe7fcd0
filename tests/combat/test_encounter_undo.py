"""``adv undo`` of encounter changes (init begin/add/next/prev/remove/end) on both backends.

The guard is the sheets' one: an init event is undone only while the
encounter still equals its ``after``; the sheet events it wrote (expiries)
are undone with it; two undos at once undo once.
"""

from __future__ import annotations

import asyncio
from typing import Any

from adventorator.errors import ConflictError
from adventorator.services.characters import CharacterService
from adventorator.services.play_state import PlayStateService
from tests.characters.support import Cli, Table, assert_one_line_error, open_database
from tests.combat.encounter_support import events_of, make_fight
from tests.combat.test_init_cli import create, ok


def where(cli: Cli) -> tuple[int, str | None, list[str]]:
    encounter = ok(cli, "init", "list")["encounter"]
    return encounter["round"], encounter["current"], [c["name"] for c in encounter["combatants"]]


def fight(cli: Cli) -> None:
    create(cli, "Wren")
    create(cli, "Brom", user="bob")
    ok(cli, "init", "begin")
    ok(cli, "init", "add", "wren", "--init", "15")
    ok(cli, "init", "add", "brom", "--init", "5", user="bob")


def test_undo_of_begin_ends_the_empty_encounter(cli: Cli) -> None:
    begun = ok(cli, "init", "begin")
    undone = ok(cli, "undo")
    assert undone["summary"] == "undo: An encounter begins: add combatants, then next for round 1"
    assert undone["after"] is None
    assert ok(cli, "init", "list") == {"encounter": None}
    history = ok(cli, "history")["events"]
    assert [(e["kind"], e["undoes"]) for e in history] == [
        ("undo", begun["event_id"]),
        ("init", None),
    ]
    assert history[1]["undone_by"] == history[0]["id"]
    assert f"(undone by #{history[0]['id']})" in cli("history").stdout
    ok(cli, "init", "begin")  # the scene is free again


def test_undo_of_next_and_prev_restores_the_turn(cli: Cli) -> None:
    fight(cli)
    ok(cli, "init", "next")
    ok(cli, "init", "next")
    assert where(cli)[:2] == (1, "Brom")
    assert ok(cli, "undo")["summary"] == "undo: Round 1: Brom's turn"
    assert where(cli)[:2] == (1, "Wren")
    ok(cli, "init", "next")
    ok(cli, "init", "prev")
    assert where(cli)[:2] == (1, "Wren")
    ok(cli, "undo")  # the prev
    assert where(cli)[:2] == (1, "Brom")
    ok(cli, "undo")  # the next
    ok(cli, "undo")  # the first next: round 0 again
    assert where(cli)[:2] == (0, None)


def test_undo_of_add_takes_the_combatant_out_and_a_monster_sheet_goes(cli: Cli) -> None:
    fight(cli)
    ok(cli, "init", "add", "goblin", "-n", "2", "--seed", "3")
    assert {row["name"] for row in cli.rows()} == {"Wren", "Brom", "Goblin 1", "Goblin 2"}
    assert ok(cli, "undo")["summary"].startswith("undo: Goblin 1 (")
    assert where(cli)[2] == ["Wren", "Brom"]
    assert {row["name"] for row in cli.rows()} == {"Wren", "Brom"}
    undone = ok(cli, "undo", user="bob")  # bob's own add
    assert undone["summary"] == "undo: Brom joins with initiative 5"
    assert where(cli)[2] == ["Wren"]
    assert {row["name"] for row in cli.rows()} == {"Wren", "Brom"}  # a character stays


def test_a_monster_sheet_that_changed_since_is_kept(cli: Cli) -> None:
    fight(cli)
    ok(cli, "init", "add", "goblin", "--seed", "3", user="bob")
    ok(cli, "damage", "goblin 1", "2")  # the game master's change, not bob's
    undone = ok(cli, "undo", user="bob")
    assert undone["lines"] == ["Goblin 1's sheet is kept: it changed since it joined"]
    assert where(cli)[2] == ["Wren", "Brom"]
    assert "Goblin 1" in {row["name"] for row in cli.rows()}


def test_undo_is_refused_once_the_encounter_changed_since(cli: Cli) -> None:
    fight(cli)
    ok(cli, "init", "next")  # the game master's, after bob's add
    result = cli("undo", user="bob")
    assert_one_line_error(result, "the encounter changed since", "undo the later change first")
    assert where(cli) == (1, "Wren", ["Wren", "Brom"])


def test_undo_of_remove_puts_a_character_back_in_its_place(cli: Cli) -> None:
    fight(cli)
    ok(cli, "init", "next")
    ok(cli, "init", "next")  # Brom's turn
    ok(cli, "condition", "add", "brom", "poisoned", "--rounds", "2")
    ok(cli, "init", "remove", "brom")
    assert where(cli) == (2, "Wren", ["Wren"])
    undone = ok(cli, "undo")
    assert undone["summary"] == "undo: Brom leaves the encounter"
    encounter = ok(cli, "init", "list")["encounter"]
    assert (encounter["round"], encounter["current"]) == (1, "Brom")
    assert [(c["name"], c["initiative"]) for c in encounter["combatants"]] == [
        ("Wren", 15),
        ("Brom", 5),
    ]
    # The effect follows Brom's new combatant row.
    # The undo event records the encounter as it left it.
    assert [c["name"] for c in undone["after"]["combatants"]] == ["Wren", "Brom"]
    assert undone["after"]["current"] == "Brom"
    brom = encounter["combatants"][1]
    assert [(e["name"], e["combatant_id"]) for e in encounter["effects"]] == [("Brom", brom["id"])]
    # Added during Brom's own turn: that turn does not count, the next two do.
    assert ok(cli, "init", "next")["lines"] == []  # round 2, Wren
    assert ok(cli, "init", "next")["lines"] == []  # Brom's turn
    assert ok(cli, "init", "next")["lines"] == []  # its first counted turn ends
    ok(cli, "init", "next")  # round 3, Brom's turn
    ended = ok(cli, "init", "next")  # its second ends
    assert ended["lines"] == [
        "Brom is no longer poisoned (its effect ended at the end of its turn)"
    ]


def test_the_undo_event_records_the_order_it_restored(cli: Cli) -> None:
    fight(cli)
    ok(cli, "init", "remove", "wren")
    undone = ok(cli, "undo")
    assert [(c["name"], c["initiative"]) for c in undone["after"]["combatants"]] == [
        ("Wren", 15),
        ("Brom", 5),
    ]
    assert undone["after"]["order"] == [["Wren", 15], ["Brom", 5]]


def test_undo_of_a_monster_removed_is_refused_its_sheet_is_gone(cli: Cli) -> None:
    fight(cli)
    ok(cli, "init", "add", "goblin", "--seed", "3")
    ok(cli, "init", "remove", "goblin 1")
    assert_one_line_error(cli("undo"), "Goblin 1's sheet was deleted when it left", "init add")
    assert where(cli)[2] == ["Wren", "Brom"]


def test_undo_of_a_timed_condition_takes_the_effect_and_the_condition(cli: Cli) -> None:
    fight(cli)
    ok(cli, "init", "next")
    ok(cli, "condition", "add", "brom", "prone", "--rounds", "1")
    undone = ok(cli, "undo")
    assert undone["lines"] == ["undo: Brom is now prone"]
    assert ok(cli, "condition", "list", "brom")["conditions"] == []
    assert ok(cli, "init", "list")["encounter"]["effects"] == []


def test_end_ends_pending_effects_and_is_not_undone(cli: Cli) -> None:
    fight(cli)
    ok(cli, "init", "next")
    ok(cli, "condition", "add", "brom", "restrained", "--rounds", "3")
    ok(cli, "condition", "add", "wren", "blinded")  # no duration: the fight's end keeps it
    ended = ok(cli, "init", "end")
    assert ended["lines"] == ["Brom is no longer restrained (the encounter ended)"]
    assert ok(cli, "condition", "list", "brom")["conditions"] == []
    assert ok(cli, "condition", "list", "wren")["conditions"] == ["blinded"]
    kinds = [(e["kind"], e["character"]) for e in ok(cli, "history", "--limit", "2")["events"]]
    assert kinds == [("init", None), ("condition", "Brom")]
    assert_one_line_error(cli("undo"), "an ended encounter is not reopened", "begin a new one")


def test_prev_says_the_effects_that_ended_are_not_restored(cli: Cli) -> None:
    fight(cli)
    ok(cli, "init", "next")
    ok(cli, "init", "next")  # Brom's turn
    ok(cli, "condition", "add", "wren", "poisoned", "--rounds", "1")
    ok(cli, "init", "next")  # round 2, Wren: starts her turn
    ended = ok(cli, "init", "next")  # Wren's turn ends: the effect ends
    assert ended["lines"] == [
        "Wren is no longer poisoned (its effect ended at the end of its turn)"
    ]
    back = ok(cli, "init", "prev")
    assert back["lines"] == [
        "not restored by prev: Wren's poisoned (ended at that turn; undo restores it)"
    ]
    assert ok(cli, "condition", "list", "wren")["conditions"] == []
    ok(cli, "undo")  # the prev
    ok(cli, "undo")  # the next, with its expiry
    assert ok(cli, "condition", "list", "wren")["conditions"] == ["poisoned"]
    assert where(cli)[:2] == (2, "Wren")


async def test_two_undos_at_once_undo_once(table: Table, migrated_url: str) -> None:
    databases = [open_database(migrated_url) for _ in range(2)]
    try:
        fight_ = await make_fight(table)
        await fight_.character(table.alice, "A")
        await fight_.character(table.alice, "B")
        await fight_.begin()
        await fight_.add("A", 3)
        await fight_.add("B", 2)
        await fight_.next()
        await fight_.next()
        services = [PlayStateService(d, CharacterService(d, cache_size=0)) for d in databases]
        ids: dict[str, Any] = {"campaign_id": table.campaign_id, "scene_id": fight_.scene_id}
        results = await asyncio.gather(
            *(s.undo(**ids, actor_id=table.alice) for s in services), return_exceptions=True
        )
        errors = [r for r in results if isinstance(r, BaseException)]
        assert all(isinstance(e, ConflictError) for e in errors)
        # Each undo that succeeded reverted a different event, one turn each.
        undone = [e.undoes_id for e in await events_of(table.database, "undo")]
        assert len(undone) == len(set(undone)) == len(results) - len(errors) >= 1
        assert await fight_.where() == [(1, "B"), (1, "A"), (0, None)][len(undone)]
    finally:
        for database in databases:
            await database.dispose()
