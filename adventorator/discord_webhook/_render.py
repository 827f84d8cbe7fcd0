"""A Reply as a Discord message: content, the ephemeral flag, buttons, files, no pings.

Content is ``reply.markdown`` (rolls and checks come with the dice engine's
Discord markdown, user text in it escaped where it is built), else
``reply.text``: plain text, so every markdown character in it is escaped
(``text.escape_markdown``) and a name like ``Sir_Reginald *Bold*`` shows as
typed. Long output never loses the answer (``content``): past Discord's 2,000
characters a JSON document is sent as a file attachment, a reply that can
shorten itself (``Reply.fit``: a roll summarises its dice, the transcript keeps
its newest lines) is asked to, and only then is the rest cut.

Every choice gets a button, five to an action row and at most five rows; the
text lists all of them. Every message sets ``allowed_mentions: {"parse": []}``
so generated text never pings anyone. Every string Discord shows passes
through ``text.clean`` here, so no terminal or bidi control reaches a client.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from adventorator.commands import Choice, Reply
from adventorator.errors import AdventoratorError
from adventorator.text import clean, escape_markdown

MAX_CONTENT = 2000
BUTTONS_PER_ROW = 5
MAX_ROWS = 5
MAX_BUTTONS = BUTTONS_PER_ROW * MAX_ROWS
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
_CHOICE_ID = re.compile(r"choice:([0-9]{1,20}):([1-9][0-9]?)")


@dataclass(frozen=True)
class File:
    """A file sent with a message: ``files[n]`` of a multipart request."""

    name: str
    data: bytes
    content_type: str = "application/json"


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
    """A button per choice, five to an action row, at most MAX_BUTTONS (the text lists all)."""
    shown = [
        {
            "type": BUTTON,
            "style": PRIMARY if number == 1 else SECONDARY,
            "label": truncate(f"{number}. {choice.label}", MAX_LABEL),
            "custom_id": choice_id(interaction_id, number),
        }
        for number, choice in enumerate(choices[:MAX_BUTTONS], 1)
    ]
    return [
        {"type": ACTION_ROW, "components": shown[start : start + BUTTONS_PER_ROW]}
        for start in range(0, len(shown), BUTTONS_PER_ROW)
    ]


def document_name(command: str) -> str:
    """The file a long JSON document of ``command`` is sent as: ``sheet-schema.json``."""
    return "-".join(command.split()) + ".json" if command else "document.json"


def _json_document(text: str) -> bool:
    """Whether ``text`` is one whole JSON object or array (a document, never to be cut)."""
    stripped = text.strip()
    if stripped[:1] not in ("{", "["):
        return False
    try:
        json.loads(stripped)
    except (ValueError, RecursionError):
        return False
    return True


def content(reply: Reply, *, command: str = "") -> tuple[str, tuple[File, ...]]:
    """The message content for ``reply``, and the files it needs; the answer is never cut.

    Markdown is used as built; plain text is escaped. Past MAX_CONTENT a JSON
    document becomes a file (the content says so), a reply with ``fit`` is
    asked for a version that fits, and only what still does not fit is cut.
    """
    if reply.markdown is None and _json_document(reply.text):
        fenced = clean(reply.text).replace("```", "`\u200b``")  # cannot close the fence
        shown = f"```json\n{fenced}\n```"
        if len(shown) <= MAX_CONTENT:
            return shown, ()
        name = document_name(command)
        return f"The document is attached as `{name}`.", (File(name, reply.text.encode()),)
    shown = reply.markdown if reply.markdown is not None else escape_markdown(reply.text)
    shown = clean(shown) or "(nothing to show)"
    if len(shown) > MAX_CONTENT and reply.fit is not None:
        shown = clean(reply.fit(MAX_CONTENT))
    return truncate(shown), ()


def message(
    reply: Reply, *, interaction_id: str | None = None, command: str = ""
) -> dict[str, Any]:
    """The message data for a Reply; choices become buttons when an id is given.

    A file the content needs is listed in ``attachments`` and carried, out of
    the JSON, by ``files_of``.
    """
    text, files = content(reply, command=command)
    data: dict[str, Any] = {"content": text, "allowed_mentions": NO_MENTIONS}
    if reply.ephemeral:
        data["flags"] = EPHEMERAL
    if reply.choices and interaction_id is not None:
        data["components"] = buttons(interaction_id, reply.choices)
    if files:
        data["attachments"] = [{"id": n, "filename": f.name} for n, f in enumerate(files)]
    return data


def files_of(reply: Reply | None, *, command: str = "") -> tuple[File, ...]:
    """The files ``message`` listed for ``reply`` (none for a failed run)."""
    return () if reply is None else content(reply, command=command)[1]


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


def deferral(*, private: bool) -> dict[str, Any]:
    """DEFERRED_CHANNEL_MESSAGE: "thinking…", ephemeral when ``private`` (fixed from then on)."""
    if private:
        return {"type": DEFERRED_CHANNEL_MESSAGE, "data": {"flags": EPHEMERAL}}
    return {"type": DEFERRED_CHANNEL_MESSAGE}


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
