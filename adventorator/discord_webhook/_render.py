"""A Reply as a Discord message: content, the ephemeral flag, buttons, no pings.

Content is ``reply.markdown or reply.text`` (rolls and checks come with the
dice engine's Discord markdown), cut to Discord's 2,000 characters with an
ellipsis. Every message sets ``allowed_mentions: {"parse": []}`` so generated
text never pings anyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adventorator.commands import Choice, Reply
from adventorator.errors import AdventoratorError

MAX_CONTENT = 2000
MAX_BUTTONS = 3
MAX_LABEL = 80
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


def truncate(text: str, limit: int = MAX_CONTENT) -> str:
    """``text`` cut to ``limit`` characters, ending with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def choice_id(interaction_id: str, number: int) -> str:
    """The ``custom_id`` of a choice's button: ``choice:<interaction id>:<n>``."""
    return f"choice:{interaction_id}:{number}"


def parse_choice_id(custom_id: str) -> tuple[str, int] | None:
    """(interaction id, choice number) from a button's ``custom_id``, or None."""
    parts = custom_id.split(":")
    if len(parts) != 3 or parts[0] != "choice" or not parts[1].isdigit():
        return None
    try:
        return parts[1], int(parts[2])
    except ValueError:
        return None


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
