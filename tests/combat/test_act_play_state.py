"""``adv act`` runs play state offline: the offline planner's phrases, then the real commands.

The phrase table checks the plans; the CLI tests run ``adv act`` through the
runner on both backends (no model configured: the offline planner) and read
the state back through the library.
"""

from __future__ import annotations

from typing import Any

import pytest

from adventorator.play.offline_planner import offline_plan
from tests.characters.support import Cli
from tests.combat.test_hp_commands import create, hp_of


@pytest.mark.parametrize(
    ("text", "command", "args"),
    [
        ("heal 10 hp", "heal", {"amount": "10"}),
        ("heal wren for 5", "heal", {"name": "wren", "amount": "5"}),
        ("heal me for 2d4 + 2", "heal", {"amount": "2d4+2"}),
        ("heal Wren Thistlefoot by 3 hit points", "heal", {"name": "Wren Thistlefoot", "amount": "3"}),  # noqa: E501
        ("take 7 damage", "damage", {"amount": "7"}),
        ("I take 10 fire damage", "damage", {"amount": "10", "type": "fire"}),
        ("Brom takes 4 points of piercing damage", "damage", {"name": "Brom", "amount": "4", "type": "piercing"}),  # noqa: E501
        ("deal 2d6 damage to brom", "damage", {"name": "brom", "amount": "2d6"}),
        ("stabilize wren", "stabilize", {"name": "wren"}),
        ("undo", "undo", {}),
        ("undo that", "undo", {}),
        ("show history", "history", {}),
        ("I am poisoned", "condition add", {"condition": "poisoned"}),
        ("I'm no longer poisoned", "condition remove", {"condition": "poisoned"}),
        ("add poisoned to wren", "condition add", {"name": "wren", "condition": "poisoned"}),
        ("remove prone from wren", "condition remove", {"name": "wren", "condition": "prone"}),
        ("I am exhausted", "condition add", {"condition": "exhaustion"}),
        # Not play state: the earlier rules and the narrator keep theirs.
        ("I take 10 nasty damage", "do", {"message": "I take 10 nasty damage"}),
        ("I heal myself", "do", {"message": "I heal myself"}),
        ("show me the transcript", "transcript show", {}),
    ],
)  # fmt: skip
def test_the_offline_planner_reads_play_state(
    text: str, command: str, args: dict[str, Any]
) -> None:
    plan = offline_plan(text)
    assert (plan.name, plan.args) == (command, args)


def act(cli: Cli, text: str, user: str = "alice") -> Any:
    out = cli.json("act", text, user=user)
    assert out["status"] == "executed", out
    return out


def test_act_heals_and_damages_the_active_character_offline(cli: Cli) -> None:
    create(cli, "Brom")
    create(cli)  # alice's active character
    assert cli("act", "take 7 damage").stdout.strip() == "Wren: 30 → 23 HP (7)"
    assert cli("act", "heal 10 hp").stdout.strip() == "Wren: 23 → 30 HP (healed 10)"
    fire = act(cli, "I take 10 fire damage")
    assert (fire["command"], fire["args"]) == ("damage", {"amount": "10", "type": "fire"})
    assert act(cli, "heal wren for 5")["result"]["after"]["current"] == 25
    act(cli, "deal 4 damage to brom")
    assert (hp_of(cli)["current"], hp_of(cli, "Brom")["current"]) == (25, 26)


def test_act_conditions_stabilize_history_and_undo_offline(cli: Cli) -> None:
    create(cli)
    assert cli("act", "I am poisoned").stdout.strip() == "Wren is now poisoned"
    act(cli, "add prone to wren")
    act(cli, "take 30 damage")
    assert act(cli, "stabilize wren")["result"]["after"]["stable"] is True
    history = cli("act", "show history").stdout.splitlines()
    assert history[0] == "#4 alice: Wren: 0 → 0 HP; stabilised"
    assert len(history) == 4
    assert cli("act", "undo that").stdout.strip() == "undo: Wren: 0 → 0 HP; stabilised"
    [row] = cli.rows()
    assert row["sheet"]["hp"].get("stable", False) is False
    assert row["sheet"]["conditions"] == ["poisoned", "prone", "unconscious"]
