"""Every choice of an ambiguous /act gets a button: five to a row, five rows, the rest in text."""

from __future__ import annotations

from typing import Any

import pytest

from adventorator.commands import Choice, Reply
from adventorator.discord_webhook import _render as render
from tests.discord.harness import command, component
from tests.discord.helpers import content, create_sheet, for_token
from tests.discord.support import StartWebhook
from tests.fakes.openai_server import FakeLLMServer

EXPRESSIONS = ("1d4", "1d6", "1d8", "1d10")


def _plan() -> dict[str, Any]:
    """A planner answer unsure between four rolls."""
    alternatives = [
        {"command": "roll", "args": {"expr": expr}, "confidence": 0.2} for expr in EXPRESSIONS[1:]
    ]
    return {
        "command": "roll",
        "subcommand": None,
        "args": {"expr": EXPRESSIONS[0]},
        "confidence": 0.3,
        "alternatives": alternatives,
    }


async def test_four_choices_get_four_buttons_and_the_fourth_runs(
    start_webhook: StartWebhook, fresh_database_url: str, fake_llm: FakeLLMServer
) -> None:
    webhook = await start_webhook(
        fresh_database_url,
        llm_model="openai/fake",
        llm_api_base=fake_llm.base_url,
        llm_api_key="test-key",
    )
    await create_sheet(webhook)
    fake_llm.reply_json(_plan())
    act = command("act", {"message": "roll something small"})
    assert (await webhook.discord.send(act)).json() == {"type": 5}
    _delete, followup = webhook.api.wait_for(2, where=for_token(act))
    (row,) = followup.body["components"]
    ids = [button["custom_id"] for button in row["components"]]
    assert ids == [f"choice:{act['id']}:{n}" for n in (1, 2, 3, 4)]
    chosen = (await webhook.discord.send(component(ids[3]))).json()
    assert chosen["type"] == 7
    assert content(chosen).startswith("1d10 (")


def _reply(count: int) -> Reply:
    choices = tuple(
        Choice(label=f"roll expr='1d{n}'", command="roll", args={"expr": f"1d{n}"})
        for n in range(1, count + 1)
    )
    listed = "\n".join(f"  {n}. {c.label}" for n, c in enumerate(choices, 1))
    return Reply(text=f"I'm not sure what you meant. Pick one:\n{listed}", choices=choices)


@pytest.mark.parametrize(("count", "rows"), [(4, [4]), (6, [5, 1]), (25, [5] * 5), (26, [5] * 5)])
def test_buttons_fill_rows_of_five_up_to_twenty_five(count: int, rows: list[int]) -> None:
    data = render.message(_reply(count), interaction_id="42")
    assert [len(row["components"]) for row in data["components"]] == rows
    ids = [b["custom_id"] for row in data["components"] for b in row["components"]]
    assert ids == [f"choice:42:{n}" for n in range(1, min(count, 25) + 1)]
    assert all(render.parse_choice_id(i) == ("42", n) for n, i in enumerate(ids, 1))
    assert f"  {count}. roll expr='1d{count}'" in data["content"]  # the text lists every one
    assert len(render.choices_meta(_reply(count))) == min(count, 25)


def test_a_choice_number_past_the_buttons_is_not_one_of_mine() -> None:
    assert render.parse_choice_id("choice:42:25") == ("42", 25)
    assert render.parse_choice_id("choice:42:0") is None
    assert render.parse_choice_id("choice:42:100") is None
