"""A private result of a deferred command stays private, by Discord's documented rules.

Discord: a deferral's flags decide whether the "thinking…" message is
ephemeral, and an existing message's ephemeral state cannot change; a
follow-up posted while the deferral still loads edits it, its EPHEMERAL flag
ignored. So the webhook deletes a public deferral and posts the private result
as a new ephemeral follow-up, and never posts it when the deletion failed. The
fake Discord replays the requests by those rules (``FakeDiscord.messages``).
"""

from __future__ import annotations

import httpx

from tests.discord.fake_discord import FakeDiscord
from tests.discord.harness import APPLICATION_ID, command
from tests.discord.helpers import EPHEMERAL, create_sheet, for_token
from tests.discord.support import Webhook

REJECTED = "The narrator's proposal was rejected"
UNDELIVERED = "The answer is private and could not be delivered privately; please try again."


async def test_a_private_result_of_a_public_deferral_is_seen_only_privately(
    webhook: Webhook,
) -> None:
    await create_sheet(webhook)
    do = command("do", {"message": "I heal myself"})
    response = (await webhook.discord.send(do)).json()
    assert response == {"type": 5}
    delete, post = webhook.api.wait_for(2, where=for_token(do))
    assert (delete.method, post.method, post.body["flags"]) == ("DELETE", "POST", EPHEMERAL)
    (seen,) = webhook.api.messages(do, response)
    assert seen.ephemeral
    assert seen.content.startswith(REJECTED)
    assert seen.ignored_flags == []


async def test_when_the_deferral_cannot_be_deleted_the_private_result_is_not_posted(
    webhook: Webhook,
) -> None:
    await create_sheet(webhook)
    webhook.api.reply_status(403, {"message": "Missing Access", "code": 50001})  # the DELETE
    do = command("do", {"message": "I heal myself"})
    response = (await webhook.discord.send(do)).json()
    delete, note = webhook.api.wait_for(2, where=for_token(do))
    assert (delete.method, note.method) == ("DELETE", "PATCH")
    (seen,) = webhook.api.messages(do, response)
    assert not seen.ephemeral
    assert seen.content == UNDELIVERED  # says why, and nothing of the private answer
    assert all(not r.body or REJECTED not in str(r.body) for r in webhook.api.requests)


async def test_the_fake_refuses_to_make_a_public_message_private(
    fake_discord: FakeDiscord,
) -> None:
    """The rule the webhook relies on, as the fake models it: flags never change a message."""
    interaction = command("do", {"message": "x"})
    url = f"{fake_discord.base_url}/webhooks/{APPLICATION_ID}/{interaction['token']}"
    async with httpx.AsyncClient() as client:
        # Posting into a loading public deferral edits it: the flag is ignored.
        await client.post(url, json={"content": "secret", "flags": EPHEMERAL})
        await client.patch(f"{url}/messages/@original", json={"content": "x", "flags": 64})
        (public,) = fake_discord.messages(interaction, {"type": 5})
        assert not public.ephemeral
        assert public.content == "x"
        assert public.ignored_flags == ["POST flags=64", "PATCH flags=64"]
        # After the deletion a follow-up is a new message with its own flags.
        assert (await client.delete(f"{url}/messages/@original")).status_code == 204
        assert (await client.patch(f"{url}/messages/@original", json={})).status_code == 404
        await client.post(url, json={"content": "private", "flags": EPHEMERAL})
    (private,) = fake_discord.messages(interaction, {"type": 5})
    assert private.ephemeral
    assert private.content == "private"
