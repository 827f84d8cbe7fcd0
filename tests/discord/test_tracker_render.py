"""The tracker's text and who is a game master, from values (no server needed).

The HTTP behaviour is in test_tracker.py; here, the edges: names as long as a
sheet allows, where the order is cut, and permission fields Discord might send.
"""

from __future__ import annotations

from typing import Any

import pytest

from adventorator.context import AppContext
from adventorator.discord_webhook._payload import InteractionContext, gm_roles
from adventorator.discord_webhook._tracker import hidden_state, order_lines, tracker_text


def _encounter(count: int, turn: int, name: str = "Combatant") -> dict[str, Any]:
    combatants = [
        {"id": n, "name": f"{name} {n}", "initiative": 30 - n, "character_id": n}
        for n in range(count)
    ]
    return {
        "id": 1,
        "round": 2,
        "turn": turn,
        "current": combatants[turn]["name"],
        "combatants": combatants,
        "effects": [],
    }


@pytest.mark.parametrize("turn", [0, 12, 24])
def test_long_names_and_many_combatants_fit_in_one_message(turn: int) -> None:
    encounter = _encounter(25, turn, name="N" * 95)
    text = tracker_text(encounter, {n: "bloodied" for n in range(25)}, ["x" * 300])
    assert len(text) <= 2000
    assert f"▶ **`{30 - turn:>3}` {'N' * 95} {turn}" in text  # the current one is always shown
    assert "more" in text


def test_the_window_shows_a_few_before_the_current_turn_and_counts_the_rest() -> None:
    lines = order_lines(_encounter(30, 10), {})
    assert lines[0] == "… 7 more before"
    assert lines[1].endswith("Combatant 7")
    assert lines[4].startswith("▶ ")
    assert lines[-1] == "… 8 more"
    assert len(lines) == 17  # 15 combatants and two counts


def test_a_short_order_is_shown_whole() -> None:
    assert len(order_lines(_encounter(4, 3), {})) == 4


@pytest.mark.parametrize(
    ("current", "maximum", "word"), [(7, 7, ""), (4, 7, ""), (3, 7, "bloodied"), (0, 7, "down")]
)
def test_hidden_state(current: int, maximum: int, word: str) -> None:
    assert hidden_state(current, maximum) == word


def _payload(member: dict[str, Any] | None, guild: bool = True) -> dict[str, Any]:
    person = {"id": "730000000000000003", "username": "carol"}
    payload: dict[str, Any] = {"id": "1", "token": "t-1", "channel_id": "2", "data": {}}
    if guild:
        payload["guild_id"] = "3"
        payload["member"] = {"user": person, **(member or {})}
    else:
        payload["user"] = person
    return payload


@pytest.mark.parametrize(
    ("member", "gm"),
    [
        ({"permissions": "32"}, True),  # Manage Server
        ({"permissions": "8"}, True),  # Administrator
        ({"permissions": str((1 << 40) | 32)}, True),
        ({"permissions": "2048"}, False),
        ({"permissions": 32}, False),  # Discord sends a string; anything else grants nothing
        ({"permissions": "32x"}, False),
        ({"permissions": "\uff13\uff12"}, False),  # fullwidth digits
        ({"roles": ["99"]}, True),
        ({"roles": ["98"]}, False),
        ({}, False),
    ],
)
def test_who_is_a_game_master_on_discord(member: dict[str, Any], gm: bool) -> None:
    ctx = InteractionContext.from_payload(_payload(member), gm_roles=gm_roles(" 99, 100"))
    assert ctx.identity.gm is gm


def test_a_direct_message_grants_nothing() -> None:
    assert not InteractionContext.from_payload(_payload(None, guild=False)).identity.gm


def test_the_cli_cannot_be_a_discord_game_master(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVENTORATOR_DISCORD_GM_ROLE", "99")
    assert AppContext({"user": "99"}).cli_identity().gm is False
