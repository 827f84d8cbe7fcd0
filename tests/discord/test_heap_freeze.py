"""The webhook leaves what start-up built out of later garbage collections (``gc.freeze``).

A full collection walked the whole start-up heap (~100,000 objects) every few
thousand requests and held the event loop about 60 ms; ``bench/webhook.py``
shows the p99 it cost. Here the mechanism is checked on the collector itself.
"""

from __future__ import annotations

import gc

from tests.discord.harness import command
from tests.discord.support import StartWebhook


def _tracked(marker: object) -> bool:
    return any(candidate is marker for candidate in gc.get_objects())


async def test_start_up_objects_are_left_out_of_later_collections(
    start_webhook: StartWebhook, fresh_database_url: str
) -> None:
    gc.unfreeze()  # earlier servers in this process froze theirs
    built_before_start = [object()]  # stands for the modules and registry start-up builds
    assert _tracked(built_before_start)

    webhook = await start_webhook(fresh_database_url)

    assert gc.get_freeze_count() > 0
    assert not _tracked(built_before_start)
    response = await webhook.discord.send(command("roll", {"expr": "1d20+5"}))
    assert response.json()["type"] == 4  # and it serves as before
    built_after_start = [object()]
    assert _tracked(built_after_start)  # what requests build is still collected
