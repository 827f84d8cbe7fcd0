"""Parsing a model's JSON reply into a pydantic model, and the repair prompt.

The reply's content is a JSON string. Models sometimes wrap it in a Markdown
fence (```json ... ```); that is tolerated, anything else is invalid output.
"""

from __future__ import annotations

import copy
import functools
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

__all__ = [
    "InvalidOutputError",
    "parse_structured",
    "repair_messages",
    "response_format_for",
]

M = TypeVar("M", bound=BaseModel)

_FENCE = re.compile(r"```[ \t]*(?:json|JSON)?[ \t]*\r?\n?(.*?)```", re.DOTALL)
_MAX_ERRORS = 4
_MAX_SUMMARY = 300
_MAX_ECHO = 600  # characters of the invalid reply shown back to the model


class InvalidOutputError(Exception):
    """The reply did not validate; ``summary`` is one short line about why."""

    def __init__(self, summary: str) -> None:
        super().__init__(summary)
        self.summary = summary


def response_format_for(model_type: type[BaseModel], *, name: str) -> dict[str, Any]:
    """OpenAI's ``response_format`` carrying the model's JSON Schema (not strict)."""
    # A copy: litellm may adjust the schema it is given, and the cached one is shared.
    schema = copy.deepcopy(_json_schema(model_type))
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": False}}


@functools.cache
def _json_schema(model_type: type[BaseModel]) -> dict[str, Any]:
    # Generating a schema takes ~0.4 ms; a busy server asks for the same two per turn.
    return model_type.model_json_schema()


def parse_structured(content: str | None, model_type: type[M]) -> M:
    """Validate ``content`` as JSON for ``model_type``; ``InvalidOutputError`` otherwise."""
    if content is None or not content.strip():
        raise InvalidOutputError("the reply was empty")
    fenced = _FENCE.search(content)
    text = fenced.group(1) if fenced else content
    try:
        return model_type.model_validate_json(text.strip())
    except ValidationError as error:
        raise InvalidOutputError(_summarise(error)) from error


def _summarise(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_url=False)[:_MAX_ERRORS]:
        location = ".".join(str(part) for part in item["loc"])
        message = item["msg"]
        parts.append(f"{location}: {message}" if location else message)
    extra = len(error.errors()) - _MAX_ERRORS
    if extra > 0:
        parts.append(f"and {extra} more")
    summary = "; ".join(parts)
    return summary if len(summary) <= _MAX_SUMMARY else summary[: _MAX_SUMMARY - 1] + "…"


def repair_messages(
    messages: list[dict[str, str]], *, invalid_reply: str | None, error: InvalidOutputError
) -> list[dict[str, str]]:
    """The original prompt, the invalid reply (shortened) and a user message naming the error."""
    echo = (invalid_reply or "")[:_MAX_ECHO]
    return [
        *messages,
        {"role": "assistant", "content": echo},
        {
            "role": "user",
            "content": (
                f"Your reply was not valid: {error.summary}. Reply again with only one JSON "
                "object that matches the required schema, with no other text."
            ),
        },
    ]
