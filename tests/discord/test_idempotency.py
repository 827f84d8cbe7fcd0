"""A redelivered interaction gets the same response and never runs twice."""

from __future__ import annotations

import asyncio

from tests.discord.harness import command, fetch, row_counts
from tests.discord.helpers import content, create_sheet, for_token
from tests.discord.support import Webhook


async def test_duplicate_slow_command_runs_once(webhook: Webhook) -> None:
    await create_sheet(webhook)
    before = (await row_counts(webhook.database_url))["transcript_entries"]
    do = command("do", {"message": "I pick the lock"})
    first, second = await asyncio.gather(webhook.discord.send(do), webhook.discord.send(do))
    assert first.json() == second.json() == {"type": 5}
    webhook.api.wait_for(1, where=for_token(do))
    one_turn = (await row_counts(webhook.database_url))["transcript_entries"] - before
    assert one_turn in (2, 3)  # player and narrator, and the mechanics when a check was rolled

    late = await webhook.discord.send(do)  # after it finished
    assert late.json() == {"type": 5}
    # Every run is spawned with outcome "deferred", so one deferral means one run
    # (and the two redeliveries were answered from the stored response).
    metrics = (await webhook.discord.get("/metrics")).text
    counted = "adventorator_discord_interactions_total"
    assert f'{counted}{{command="do",outcome="deferred",type="command"}} 1.0' in metrics
    assert f'{counted}{{command="do",outcome="duplicate",type="command"}} 2.0' in metrics
    assert (await row_counts(webhook.database_url))["transcript_entries"] - before == one_turn
    assert len(webhook.api.matching(for_token(do))) == 1
    rows = await fetch(
        webhook.database_url, "SELECT COUNT(*) FROM interactions WHERE id = :id", id=do["id"]
    )
    assert rows == [(1,)]


async def test_duplicate_fast_command_gets_the_same_response(webhook: Webhook) -> None:
    await create_sheet(webhook)
    check = command("check", {"skill": "stealth", "dc": 10})  # rolls: a rerun would differ
    responses = await asyncio.gather(*(webhook.discord.send(check) for _ in range(3)))
    bodies = [response.json() for response in responses]
    assert bodies[0]["type"] == 4
    assert bodies[1] == bodies[0]  # the same die, though each run would roll anew
    assert bodies[2] == bodies[0]
    again = (await webhook.discord.send(check)).json()
    assert again == bodies[0]
    assert "Stealth" in content(again)

    create = command("sheet", {"json": '{"name": "x"}'}, sub="create")
    first = (await webhook.discord.send(create)).json()
    assert (await webhook.discord.send(create)).json() == first
