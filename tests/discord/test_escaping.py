"""User text shows as typed on Discord: markdown characters in it are escaped; ours stay markup."""

from __future__ import annotations

import json
import re

import pytest

from adventorator.text import escape_markdown
from tests.discord.harness import command
from tests.discord.helpers import content, create_sheet, for_token, sheet_json
from tests.discord.support import Webhook

NAMES = (
    "Sir_Reginald ~the~ *Bold*",
    "`Tick` | ||Spoiler|| > [link](https://example.com)",
    "# Head -# sub \\ back\\slash **",
)
# What Discord's markdown would restyle: a marker not preceded by an escaping backslash.
_UNESCAPED = re.compile(r"(?<!\\)(?:\\\\)*[*_~`|\[\]]")


def _literal(shown: str) -> str:
    """What Discord displays for escaped text: each backslash-escape is its character."""
    return re.sub(r"\\([^0-9A-Za-z\s])", r"\1", shown)


@pytest.mark.parametrize("name", NAMES)
def test_escaped_text_has_no_live_markdown_and_reads_as_typed(name: str) -> None:
    shown = escape_markdown(name)
    assert _UNESCAPED.search(shown) is None, shown
    assert _literal(shown) == name


def test_line_starts_are_escaped_only_where_they_mean_something() -> None:
    assert escape_markdown("> quote\n# head\n-# small\n- item") == (
        "\\> quote\n\\# head\n\\-# small\n\\- item"
    )
    assert escape_markdown("HP 3 -> 5 # 2") == "HP 3 -> 5 # 2"


async def test_sheet_show_renders_names_and_markers_literally(webhook: Webhook) -> None:
    for name in NAMES:
        sheet = json.loads(sheet_json())
        sheet["name"] = name
        created = command("sheet", {"json": json.dumps(sheet)}, sub="create")
        saved = content((await webhook.discord.send(created)).json())
        assert _literal(saved).startswith(f"Saved {name}"), saved
        shown = content(
            (await webhook.discord.send(command("sheet", {"name": name}, sub="show"))).json()
        )
        assert shown.startswith(escape_markdown(name) + ": level 5 Rogue")
        assert _UNESCAPED.search(shown) is None, shown  # the * and ** markers too
        assert "stealth\\*\\* +" in shown  # expertise, shown as the two stars it is


async def test_the_transcript_and_narration_escape_what_was_said(webhook: Webhook) -> None:
    await create_sheet(webhook)
    said = "I sneak past the guard, humming *Huzzah* ~~softly~~ __now__"
    do = command("do", {"message": said})
    assert (await webhook.discord.send(do)).json() == {"type": 5}
    (edit,) = webhook.api.wait_for(1, where=for_token(do))
    assert "**" in edit.body["content"]  # the check's own emphasis stays markdown
    narration = edit.body["content"].split("\n", 1)[1]
    assert _UNESCAPED.search(narration) is None, narration
    shown = content(
        (await webhook.discord.send(command("transcript", {"limit": 5}, sub="show"))).json()
    )
    assert escape_markdown(said) in shown
    assert _UNESCAPED.search(shown) is None, shown


async def test_an_attack_escapes_the_attacker_and_keeps_its_own_bold(webhook: Webhook) -> None:
    sheet = json.loads(sheet_json())
    sheet["name"] = NAMES[0]
    created = command("sheet", {"json": json.dumps(sheet)}, sub="create")
    assert (await webhook.discord.send(created)).status_code == 200
    attack = command("attack", {"weapon": "shortsword", "ac": 5})
    shown = content((await webhook.discord.send(attack)).json())
    assert shown.startswith(f"**{escape_markdown(NAMES[0])} attacks with Shortsword**: ")
