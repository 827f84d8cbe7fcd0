"""AckFirst: deferred work waits while interactions are being answered, but not forever."""

from __future__ import annotations

import asyncio

from adventorator.discord_webhook import AckFirst


async def _settle() -> None:
    """Let every ready task run a few steps."""
    for _ in range(5):
        await asyncio.sleep(0)


async def test_nothing_to_wait_for_when_no_interaction_is_being_answered() -> None:
    gate = AckFirst()
    waiter = asyncio.create_task(gate.wait_for_acks())
    await _settle()
    assert waiter.done()


async def test_deferred_work_waits_until_the_last_answer_is_out() -> None:
    gate = AckFirst(max_hold=60)
    first, second = gate.answering(), gate.answering()
    first.__enter__()
    second.__enter__()
    waiter = asyncio.create_task(gate.wait_for_acks())
    await _settle()
    assert not waiter.done()
    first.__exit__(None, None, None)
    await _settle()
    assert not waiter.done()  # one interaction is still being answered
    second.__exit__(None, None, None)
    await asyncio.wait_for(waiter, timeout=5)


async def test_an_answer_that_fails_still_releases_the_gate() -> None:
    gate = AckFirst(max_hold=60)
    try:
        with gate.answering():
            raise RuntimeError("the handler broke")
    except RuntimeError:
        pass
    waiter = asyncio.create_task(gate.wait_for_acks())
    await _settle()
    assert waiter.done()


async def test_steady_traffic_cannot_hold_deferred_work_back_for_ever() -> None:
    gate = AckFirst(max_hold=0.05)
    with gate.answering():  # never ends while the waiter waits
        await asyncio.wait_for(gate.wait_for_acks(), timeout=5)
