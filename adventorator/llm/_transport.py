"""What one attempt sends, and the two ways of sending it (litellm, or the fast path).

``LLMClient`` owns the retries, the deadline, the bounds and the metrics; a
transport only turns one ``ChatRequest`` into the reply's content (or raises
whatever its library raises, for ``_failures.classify``). Both transports send
the same OpenAI request body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["ChatRequest", "Transport", "reply_content"]


@dataclass(frozen=True)
class ChatRequest:
    """One chat completion request, as both transports send it."""

    messages: list[dict[str, str]]
    temperature: float
    max_tokens: int
    response_format: dict[str, Any] | None = None

    def body(self, model: str) -> dict[str, Any]:
        """The OpenAI JSON body for ``model`` (the name without a provider prefix)."""
        body: dict[str, Any] = {
            "model": model,
            "messages": self.messages,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
        }
        if self.response_format is not None:
            body["response_format"] = self.response_format
        return body


class Transport(Protocol):
    """Sends one attempt.

    ``load`` (before a request's first attempt, outside its deadline) does the
    slow imports in a worker thread; ``warm`` (``LLMClient.preload``) all the
    one-time work of a first call; ``aclose`` closes what it keeps open.
    """

    name: str

    async def load(self) -> None: ...

    async def warm(self) -> None: ...

    async def complete(self, request: ChatRequest, *, request_timeout: float) -> str | None: ...

    async def aclose(self) -> None: ...


def reply_content(response: Any) -> str | None:
    """The first choice's message content from a response object or its JSON (``None``: none)."""
    try:
        if isinstance(response, dict):
            content = response["choices"][0]["message"]["content"]
        else:
            content = response.choices[0].message.content
    except (AttributeError, IndexError, KeyError, TypeError):
        return None
    return content if isinstance(content, str) else None
