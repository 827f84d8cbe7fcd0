"""Long output never loses the answer: documents as files, totals first, newest lines kept."""

from __future__ import annotations

import json
import re

from adventorator.commands import Reply
from adventorator.discord_webhook import _render as render
from adventorator.sheet import CharacterSheet
from tests.discord.harness import command
from tests.discord.helpers import content, create_sheet, for_token
from tests.discord.support import Webhook

LONG_ROLL = "+".join(["2d100kh1"] * 100)  # 2,412 characters of markdown in full


async def test_a_long_json_document_is_sent_whole_as_a_file(webhook: Webhook) -> None:
    schema = command("sheet", sub="schema")
    response = (await webhook.discord.send(schema)).json()
    assert response == {"type": 5}  # a file cannot ride on the HTTP response
    (edit,) = webhook.api.wait_for(1, where=for_token(schema))
    assert edit.method == "PATCH"
    assert edit.path.endswith("/messages/@original")
    assert edit.headers["content-type"].startswith("multipart/form-data")
    assert edit.body["attachments"] == [{"id": 0, "filename": "sheet-schema.json"}]
    assert edit.body["content"] == "The document is attached as `sheet-schema.json`."
    (upload,) = edit.files
    assert upload.field == "files[0]"
    assert json.loads(upload.data) == CharacterSheet.model_json_schema(by_alias=True)
    (shown,) = webhook.api.messages(schema, response)
    assert shown.files == ("sheet-schema.json",)
    assert not shown.ephemeral
    assert not shown.loading


async def test_a_roll_too_long_for_a_message_shows_its_total_first(webhook: Webhook) -> None:
    answer = (await webhook.discord.send(command("roll", {"expr": LONG_ROLL}))).json()
    shown = content(answer)
    assert len(shown) <= render.MAX_CONTENT
    head = re.match(r"\*\*Total\*\*: `([0-9]+)`\n", shown)
    assert head is not None, shown[:100]
    assert shown.split("\n")[1].endswith(f"= `{head[1]}`")  # the same total closes the roll
    assert re.search(r"… [0-9]+ more dice not shown$", shown)


async def test_a_short_roll_is_unchanged(webhook: Webhook) -> None:
    shown = content((await webhook.discord.send(command("roll", {"expr": "1000d6"}))).json())
    assert not shown.startswith("**Total**")
    assert re.search(r"… 800 more dice\) = `[0-9]+`\n", shown)


async def test_the_transcript_keeps_its_newest_lines(webhook: Webhook) -> None:
    await create_sheet(webhook)
    for n in range(1, 5):
        said = f"I hum verse {n} " + "la " * 400 + f"end of verse {n}"
        do = command("do", {"message": said})
        assert (await webhook.discord.send(do)).json() == {"type": 5}
        webhook.api.wait_for(1, where=for_token(do))
    shown = content(
        (await webhook.discord.send(command("transcript", {"limit": 20}, sub="show"))).json()
    )
    assert len(shown) <= render.MAX_CONTENT
    assert re.match(r"… [0-9]+ earlier lines not shown\n", shown)
    assert "end of verse 4" in shown
    assert "end of verse 1" not in shown


def test_a_short_json_document_is_a_code_block_not_markdown() -> None:
    reply = Reply(text='{"name": "Sir_Reginald *Bold*"}')
    shown, files = render.content(reply, command="sheet export")
    assert files == ()
    assert shown == '```json\n{"name": "Sir_Reginald *Bold*"}\n```'


def test_text_that_only_looks_like_json_is_cut_not_attached() -> None:
    reply = Reply(text="{" + "x" * 3000)
    shown, files = render.content(reply)
    assert files == ()
    assert len(shown) == render.MAX_CONTENT
    assert shown.endswith("…")
