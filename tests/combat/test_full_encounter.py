"""A full encounter from the terminal (issue 17's "Done when"), on SQLite and PostgreSQL.

Three example characters (alice's bard, who is the game master; bob's
fighter; carol's rogue) against three goblins and a bugbear, through the
in-process CLI runner with fixed seeds: begin, add, list, attacks both ways
(monsters act with --as), a goblin dropping, a timed condition expiring,
concentration kept and then lost on a hit, next/prev, undo, and the end's
summary in the transcript. Every step checks HP, the recorded event, whose
turn it is and the transcript's newest line.
"""

from __future__ import annotations

import json
from typing import Any

from tests.characters.support import Cli

YSOLDE, BRANNOC, WREN = "Ysolde Vane", "Brannoc Ashvale", "Wren Thistlefoot"
ORDER = ["Goblin 1", "Bugbear 1", YSOLDE, "Goblin 3", WREN, BRANNOC, "Goblin 2"]


def ok(cli: Cli, *args: str, user: str = "alice") -> Any:
    return cli.json(*args, user=user)


def transcript(cli: Cli) -> list[str]:
    """The scene's transcript lines, oldest first (every line of each entry)."""
    document = cli("transcript", "export", "--format", "jsonl").stdout
    return [
        line
        for entry in document.splitlines()
        for line in json.loads(entry)["content"].splitlines()
    ]


def last_event(cli: Cli) -> dict[str, Any]:
    event: dict[str, Any] = ok(cli, "history", "--limit", "1")["events"][0]
    return event


def hp(cli: Cli, name: str) -> int:
    return int(ok(cli, "sheet", "show", name)["hp"]["current"])


def turn(cli: Cli) -> tuple[int, str | None]:
    encounter = ok(cli, "init", "list")["encounter"]
    return encounter["round"], encounter["current"]


def next_turn(cli: Cli, user: str, expected: tuple[int, str]) -> dict[str, Any]:
    moved: dict[str, Any] = ok(cli, "init", "next", user=user)
    assert turn(cli) == expected
    assert moved["summary"] == f"Round {expected[0]}: {expected[1]}'s turn"
    assert last_event(cli)["kind"] == "init"
    assert moved["summary"] in transcript(cli)
    return moved


def attack(
    cli: Cli, weapon: str, attacker: str, target: str, seed: int, user: str = "alice"
) -> dict[str, Any]:
    """One attack; on a hit the target's HP fell by what it took, as one recorded event."""
    before, said = hp(cli, target), transcript(cli)
    out: dict[str, Any] = ok(
        cli, "attack", weapon, "--as", attacker, "--target", target, "--seed", str(seed), user=user
    )
    assert out["attacker"].casefold().startswith(attacker.casefold())
    after = hp(cli, target)
    assert after == max(0, before - out["taken"])
    assert out["target_after"]["hp"]["current"] == after
    if out["hit"]:
        event = last_event(cli)
        assert (event["id"], event["kind"]) == (out["event_id"], "attack")
        assert event["after"]["hp"]["current"] == after
        assert transcript(cli)[len(said) :] == [out["summary"]]
    else:  # a miss changes nothing: no event, no transcript line
        assert transcript(cli) == said
    return out


def setup(cli: Cli) -> None:
    for example, user in (("bard", "alice"), ("fighter", "bob"), ("rogue", "carol")):
        assert cli("sheet", "create", "--example", example, user=user).exit_code == 0
    begun = ok(cli, "init", "begin")
    assert begun["encounter"]["round"] == 0
    ok(cli, "init", "add", "ysolde", "--init", "14")
    ok(cli, "init", "add", "brannoc", "--init", "12", user="bob")
    wren = ok(cli, "init", "add", "wren", "--seed", "4", user="carol")  # rolled: 8 + 4
    assert wren["lines"] == ["Wren Thistlefoot: 1d20ro1 (8) + 4 [DEX modifier] = 12"]
    goblins = ok(cli, "init", "add", "goblin", "-n", "3", "--seed", "5")
    assert goblins["summary"] == "Goblin 1 (22), Goblin 2 (11) and Goblin 3 (14) join"
    assert (
        "tie at initiative 14 and Dexterity 14: roll-off Ysolde Vane 17, Goblin 3 1"
        in (goblins["lines"])
    )
    ok(cli, "init", "add", "bugbear", "--seed", "6")
    assert {row["name"] for row in cli.rows()} >= {"Goblin 1", "Goblin 2", "Goblin 3", "Bugbear 1"}


def test_three_characters_against_goblins_and_a_bugbear(cli: Cli) -> None:
    setup(cli)
    listed = ok(cli, "init", "list")["encounter"]
    assert [c["name"] for c in listed["combatants"]] == ORDER
    assert [c["initiative"] for c in listed["combatants"]] == [22, 21, 14, 14, 12, 12, 11]
    text = cli("init", "list").stdout
    assert "12  Wren Thistlefoot (tie: Dex 18)" in text  # Dexterity breaks the tie
    held = ok(cli, "concentration", "start", "hold person", "--character", "ysolde")
    assert held["concentration"] == "hold person"

    # Round 1. Goblin 1 hits Ysolde: she keeps concentration (CON save 14 vs DC 10).
    next_turn(cli, "alice", (1, "Goblin 1"))
    hit = attack(cli, "scimitar", "goblin 1", "ysolde", seed=5)
    assert (hit["hit"], hit["taken"], hp(cli, YSOLDE)) == (True, 11, 34)
    assert (hit["concentration"]["dc"], hit["concentration"]["kept"]) == (10, True)
    assert ok(cli, "concentration", "show", "ysolde")["concentration"] == "hold person"

    next_turn(cli, "alice", (1, "Bugbear 1"))
    assert attack(cli, "morningstar", "bugbear 1", "brannoc", seed=5)["taken"] == 22
    assert hp(cli, BRANNOC) == 54

    # Ysolde wounds Goblin 1, and holds Goblin 3 until the end of its next turn.
    next_turn(cli, "alice", (1, YSOLDE))
    assert attack(cli, "rapier", "ysolde", "goblin 1", seed=6)["taken"] == 4
    assert hp(cli, "goblin 1") == 3
    held_fast = ok(cli, "condition", "add", "goblin 3", "restrained", "--rounds", "1")
    assert held_fast["lines"] == ["Goblin 3 is now restrained"]
    assert (held_fast["effect"]["until"], held_fast["effect"]["remaining"]) == ("end", 1)
    assert "Goblin 3 is restrained until the end of its next turn" in transcript(cli)
    assert ok(cli, "condition", "list", "goblin 3")["conditions"] == ["restrained"]

    # Goblin 3 attacks restrained (disadvantage) and misses; its turn's end frees it.
    next_turn(cli, "alice", (1, "Goblin 3"))
    missed = attack(cli, "scimitar", "goblin 3", "wren", seed=3)
    assert missed["hit"] is False
    assert missed["attack"]["advantage"] == "disadvantage"
    freed = next_turn(cli, "alice", (1, WREN))
    expiry = "Goblin 3 is no longer restrained (its effect ended at the end of its turn)"
    assert freed["lines"] == [expiry]
    assert ok(cli, "condition", "list", "goblin 3")["conditions"] == []
    assert expiry in transcript(cli)

    # Carol's Wren drops Goblin 1; only the acting player (or the GM) moves the turn.
    assert attack(cli, "shortsword", "wren", "goblin 1", seed=0, user="carol")["taken"] == 8
    assert hp(cli, "goblin 1") == 0
    assert cli("init", "next", user="bob").exit_code == 2  # not bob's turn
    next_turn(cli, "carol", (1, BRANNOC))
    assert attack(cli, "longsword", "brannoc", "goblin 2", seed=23, user="bob")["taken"] == 6
    next_turn(cli, "bob", (1, "Goblin 2"))

    # Goblin 2 hits Ysolde: the save fails and concentration ends in the same event.
    lost = attack(cli, "scimitar", "goblin 2", "ysolde", seed=0)
    assert (lost["taken"], hp(cli, YSOLDE)) == (6, 28)
    assert (lost["concentration"]["total"], lost["concentration"]["kept"]) == (4, False)
    assert ok(cli, "concentration", "show", "ysolde")["concentration"] is None
    assert "concentration" not in last_event(cli)["after"]

    # Round 2, then back a turn with prev, and forward again by undoing the prev.
    next_turn(cli, "alice", (2, "Goblin 1"))
    back = ok(cli, "init", "prev")
    assert back["summary"] == "Back to round 1: Goblin 2's turn"
    assert turn(cli) == (1, "Goblin 2")
    assert ok(cli, "undo")["summary"] == "undo: Back to round 1: Goblin 2's turn"
    assert turn(cli) == (2, "Goblin 1")
    assert transcript(cli)[-1] == "undo: Back to round 1: Goblin 2's turn"

    # A bugbear hit undone: Brannoc's HP comes back, the turn stays.
    next_turn(cli, "alice", (2, "Bugbear 1"))
    assert attack(cli, "morningstar", "bugbear 1", "brannoc", seed=5)["taken"] == 22
    assert hp(cli, BRANNOC) == 32
    undone = ok(cli, "undo")
    assert undone["summary"] == "undo: Brannoc Ashvale: 54 → 32 HP (22 piercing)"
    assert hp(cli, BRANNOC) == 54
    assert turn(cli) == (2, "Bugbear 1")

    # The end: the summary into the transcript, the monsters' sheets gone.
    ended = ok(cli, "init", "end")
    summary = "The encounter ends after 2 rounds: Goblin 1 fell"
    assert ended["summary"] == summary
    assert transcript(cli)[-1] == summary
    assert ok(cli, "init", "list") == {"encounter": None}
    assert {row["name"] for row in cli.rows()} == {YSOLDE, BRANNOC, WREN}
    assert (hp(cli, YSOLDE), hp(cli, BRANNOC), hp(cli, WREN)) == (28, 54, 38)
    history = cli("history", "--limit", "3").stdout.splitlines()
    assert history[0].endswith(f"alice: {summary}")
    assert "(undone by #" in history[2]  # the bugbear's hit
