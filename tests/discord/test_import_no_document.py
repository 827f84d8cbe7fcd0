"""`/sheet import` with neither a ``json`` text nor a ``file`` attachment, over real HTTP.

The answer names both Discord options (not the CLI's ``--file``), privately,
and nothing is written.
"""

from __future__ import annotations

from tests.discord.harness import command, fetch
from tests.discord.helpers import EPHEMERAL, content
from tests.discord.support import StartWebhook


async def test_import_without_json_or_file_names_both_options(
    start_webhook: StartWebhook, fresh_database_url: str
) -> None:
    hook = await start_webhook(fresh_database_url)
    response = await hook.discord.send(command("sheet", [], sub="import"))
    assert response.status_code == 200, response.text
    body = response.json()
    text = content(body)
    assert "json option" in text, text
    assert "file option" in text, text
    assert "--file" not in text, text
    assert body["data"]["flags"] & EPHEMERAL, body
    assert await fetch(hook.database_url, "SELECT name FROM characters") == []
