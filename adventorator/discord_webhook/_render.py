"""A Reply as a Discord message: content, the ephemeral flag, buttons, no pings.

Content is ``reply.markdown or reply.text`` (rolls and checks come with the
dice engine's Discord markdown), cut to Discord's 2,000 characters with an
ellipsis. Every message sets ``allowed_mentions: {"parse": []}`` so generated
text never pings anyone. Every string Discord shows (content, button labels,
autocomplete choice names) passes through ``text.clean`` here, so no terminal
or bidi control reaches a client.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from adventorator.commands import Choice, Reply
from adventorator.errors import AdventoratorError
from adventorator.text import clean

MAX_CONTENT = 2000
MAX_BUTTONS = 3
MAX_LABEL = 80
MAX_CHOICE_NAME = 100  # an autocomplete choice's name and value
MAX_AUTOCOMPLETE_CHOICES = 25
EPHEMERAL = 1 << 6
NO_MENTIONS: dict[str, Any] = {"parse": []}

# Response types
PONG = 1
CHANNEL_MESSAGE = 4
DEFERRED_CHANNEL_MESSAGE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8

ACTION_ROW, BUTTON, PRIMARY, SECONDARY = 1, 2, 1, 2
# What choice_id makes: ASCII digits only (str.isdigit also passes "²" and U+0661).
_CHOICE_ID = re.compile(r"choice:([0-9]{1,20}):([1-9])")


def truncate(text: str, limit: int = MAX_CONTENT) -> str:
    """``text`` without controls, cut to ``limit`` characters, with an ellipsis when cut."""
    text = clean(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def choice_id(interaction_id: str, number: int) -> str:
    """The ``custom_id`` of a choice's button: ``choice:<interaction id>:<n>``."""
    return f"choice:{interaction_id}:{number}"


def parse_choice_id(custom_id: str) -> tuple[str, int] | None:
    """(interaction id, choice number) from a button's ``custom_id``, or None."""
    matched = _CHOICE_ID.fullmatch(custom_id)
    return (matched[1], int(matched[2])) if matched else None


def buttons(interaction_id: str, choices: Sequence[Choice]) -> list[dict[str, Any]]:
    """One action row with a button per choice (at most three)."""
    return [
        {
            "type": ACTION_ROW,
            "components": [
                {
                    "type": BUTTON,
                    "style": PRIMARY if number == 1 else SECONDARY,
                    "label": truncate(f"{number}. {choice.label}", MAX_LABEL),
                    "custom_id": choice_id(interaction_id, number),
                }
                for number, choice in enumerate(choices[:MAX_BUTTONS], 1)
            ],
        }
    ]


def message(reply: Reply, *, interaction_id: str | None = None) -> dict[str, Any]:
    """The message data for a Reply; choices become buttons when an id is given."""
    data: dict[str, Any] = {
        "content": truncate(reply.markdown or reply.text or "(nothing to show)"),
        "allowed_mentions": NO_MENTIONS,
    }
    if reply.ephemeral:
        data["flags"] = EPHEMERAL
    if reply.choices and interaction_id is not None:
        data["components"] = buttons(interaction_id, reply.choices)
    return data


def autocomplete(names: Sequence[str]) -> dict[str, Any]:
    """An autocomplete result: the first 25 names, as choice name and value."""
    choices = []
    for name in names[:MAX_AUTOCOMPLETE_CHOICES]:
        shown = truncate(name, MAX_CHOICE_NAME)
        # The value comes back as the option's value, so it stays the name as stored.
        choices.append({"name": shown, "value": name[:MAX_CHOICE_NAME]})
    return {"type": AUTOCOMPLETE_RESULT, "data": {"choices": choices}}


def notice(text: str) -> dict[str, Any]:
    """An ephemeral message: guidance, refusals and errors."""
    return {"content": truncate(text), "allowed_mentions": NO_MENTIONS, "flags": EPHEMERAL}


def error_text(error: AdventoratorError) -> str:
    """``error: message``, then the context lines (a caret under an expression) in code."""
    text = f"error: {error.message}"
    lines = error.context_lines()
    if lines:
        body = "\n".join(lines).replace("```", "'''")
        text += f"\n```\n{body}\n```"
    return text


def error_message(error: AdventoratorError) -> dict[str, Any]:
    return notice(error_text(error))


def respond(data: dict[str, Any], kind: int = CHANNEL_MESSAGE) -> dict[str, Any]:
    """An interaction response of ``kind`` carrying ``data``."""
    return {"type": kind, "data": data}


def update(data: dict[str, Any]) -> dict[str, Any]:
    """An UPDATE_MESSAGE response: new content, buttons removed (flags cannot change)."""
    fields = {key: value for key, value in data.items() if key != "flags"}
    return {"type": UPDATE_MESSAGE, "data": {**fields, "components": []}}


def choices_meta(reply: Reply) -> list[dict[str, Any]]:
    """The reply's choices as stored for the buttons (JSON)."""
    return [
        {"label": c.label, "command": c.command, "args": dict(c.args)}
        for c in reply.choices[:MAX_BUTTONS]
    ]


def choice_from_meta(item: dict[str, Any]) -> Choice:
    return Choice(label=str(item["label"]), command=str(item["command"]), args=dict(item["args"]))
