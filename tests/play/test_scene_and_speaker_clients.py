"""Issue 15 on Discord: transcript lines name the speaker; /scene says a scene is a channel."""

from __future__ import annotations

import pytest

from adventorator.commands import play, scene, sheet
from adventorator.errors import InputError
from tests.play.support import Table, fighter_json


async def test_discord_transcript_names_the_character(offline_table: Table) -> None:
    bob = offline_table.invocation("bob", client="discord")
    await sheet.create(bob, sheet.SheetCreateOptions(json=fighter_json("Sir_Bors *the* Bold")))
    await play.do(bob, play.DoOptions(message="I sneak past the guard"))
    shown = await play.transcript_show(bob, play.TranscriptOptions(limit=5))
    assert "] Sir_Bors *the* Bold: I sneak past the guard" in shown.text
    assert shown.markdown is not None
    assert "Sir\\_Bors \\*the\\* Bold: I sneak past the guard" in shown.markdown


@pytest.mark.parametrize(
    ("handler", "options"),
    [
        (scene.scene_new, scene.SceneNewOptions(name="Docks")),
        (scene.scene_list, scene.SceneListOptions()),
    ],
)
async def test_scene_commands_on_discord_say_a_scene_is_a_channel(
    offline_table: Table, handler: object, options: object
) -> None:
    on_discord = offline_table.invocation("bob", client="discord")
    with pytest.raises(InputError, match="on Discord a scene is its channel"):
        await handler(on_discord, options)  # type: ignore[operator]
