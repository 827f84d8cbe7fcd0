"""``LLMClient``: chat completions, bounded, retried and mapped to ``LLMError``.

Requests go through a transport: litellm for every provider, or, for
``openai/<model>`` with an API base, the fast path: one plain aiohttp POST, as
the ``openai`` SDK would send it (``_openai_http``; ``fast_path=False`` or
``ADVENTORATOR_LLM_FAST_PATH=false`` turns it off). Both send the same body and fail the same ways.

Each public call (``complete_text``, ``complete_structured``) sends one request,
plus at most one repair request for invalid structured output. A call belongs to
a ``ModelTurn`` (``llm.turn``; a private one when the caller passes none): all
the turn's requests share one deadline, ``turn_budget`` = ``timeout *
(max_retries + 1) + 2 * max_retries`` seconds from its first request, and
``max_retries`` retries; after one failure the turn's later calls fail at once.
What the model returns is bounded too: ``max_tokens=LLM_REPLY_TOKENS`` is
asked, and a reply over ``LLM_REPLY_CHARS`` is refused before it is parsed.

* every attempt is one request with the library's own retries off, inside
  ``asyncio.wait_for(..., t)``, where ``t`` is the per-attempt timeout,
  shortened to what is left of the budget;
* transient failures (timeouts, 429, 5xx, connection errors) are retried while
  the turn has retries left, after a short backoff (0.25 s, doubling, at most 2 s); a
  429's ``Retry-After`` is honoured when it is at most ``RETRY_AFTER_CAP``
  seconds, and a longer one ends the call at once;
* a retry only happens when its wait still leaves time for an attempt;
* every failure ends as one ``LLMError`` with a short cause, such as "the model
  timed out after 20 s" (the time the caller waited, all attempts together),
  "rate limited (429)" or "connection refused", plus "(N attempts)" after retries.

Each attempt is logged on ``adventorator.llm`` (name, model, attempt, outcome,
latency; never the prompt or the API key) and counted in an ``LLMStats``.
One event loop per process is assumed: litellm keeps HTTP clients per loop,
and the fast path one ``aiohttp.ClientSession`` per client (``aclose`` closes it).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from adventorator.errors import LLMError
from adventorator.limits import LLM_MAX_CONNECTIONS, LLM_REPLY_CHARS, LLM_REPLY_TOKENS
from adventorator.llm._failures import Failure, classify
from adventorator.llm._litellm import LitellmTransport
from adventorator.llm._openai_http import OpenAIHTTPTransport, ReplyTooLarge, is_fast_path_model
from adventorator.llm._structured import (
    InvalidOutputError,
    parse_structured,
    repair_messages,
    response_format_for,
)
from adventorator.llm._transport import ChatRequest, Transport
from adventorator.llm.stats import CallRecord, LLMStats, default_stats
from adventorator.llm.tokens import count_tokens
from adventorator.llm.turn import ModelTurn

if TYPE_CHECKING:
    from adventorator.config import Settings

__all__ = ["RETRY_AFTER_CAP", "LLMClient"]

M = TypeVar("M", bound=BaseModel)

RETRY_AFTER_CAP = 5.0
"""The longest Retry-After (seconds) that is waited for; a longer one fails the call."""

_REDACT_MIN = 8  # shorter keys are test placeholders: redacting "k" would mangle the text
_BACKOFF_FIRST = 0.25
_BACKOFF_MAX = 2.0
logger = logging.getLogger("adventorator.llm")


class LLMClient:
    """A configured model: ``complete_text`` and ``complete_structured``.

    Build it with ``LLMClient.from_settings`` (``None`` means offline) or
    directly. ``stats`` defaults to the process-wide ``default_stats``;
    ``on_call`` receives a ``CallRecord`` after every attempt.
    """

    def __init__(
        self,
        *,
        model: str,
        api_base: str | None = None,
        api_key: str | None = None,
        temperature: float = 0.7,
        timeout: float = 20.0,
        max_retries: int = 1,
        max_prompt_tokens: int = 4096,
        fast_path: bool = True,
        max_connections: int = LLM_MAX_CONNECTIONS,
        stats: LLMStats | None = None,
        on_call: Callable[[CallRecord], None] | None = None,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        self.model = model
        self.api_base = api_base
        self._api_key = api_key
        self.temperature = temperature
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_prompt_tokens = max_prompt_tokens
        self.stats = stats if stats is not None else default_stats
        self._on_call = on_call
        self._transport: Transport
        if fast_path and api_base and is_fast_path_model(model, api_base):
            self._transport = OpenAIHTTPTransport(
                model=model, api_base=api_base, api_key=api_key, max_connections=max_connections
            )
        else:
            self._transport = LitellmTransport(model=model, api_base=api_base, api_key=api_key)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        stats: LLMStats | None = None,
        on_call: Callable[[CallRecord], None] | None = None,
    ) -> LLMClient | None:
        """The client the settings describe, or ``None`` when ``llm_model`` is unset (offline)."""
        model = (settings.llm_model or "").strip()
        if not model:
            return None
        return cls(
            model=model,
            api_base=settings.llm_api_base or None,
            api_key=settings.llm_api_key or None,
            temperature=settings.llm_temperature,
            timeout=settings.llm_timeout,
            max_retries=settings.llm_max_retries,
            max_prompt_tokens=settings.llm_max_prompt_tokens,
            fast_path=settings.llm_fast_path,
            max_connections=settings.llm_max_connections,
            stats=stats,
            on_call=on_call,
        )

    def __repr__(self) -> str:  # never shows the API key
        return (
            f"LLMClient(model={self.model!r}, timeout={self.timeout:g}, retries={self.max_retries})"
        )

    @property
    def transport(self) -> str:
        """``"openai"`` on the fast path, else ``"litellm"``."""
        return self._transport.name

    @property
    def request_budget(self) -> float:
        """Seconds one call may take, retries, waits and its repair included (a hard bound)."""
        return self.timeout * (self.max_retries + 1) + _BACKOFF_MAX * self.max_retries

    @property
    def turn_budget(self) -> float:
        """Seconds all of one turn's model calls may take together (see ``llm.turn``)."""
        return self.request_budget

    async def preload(self) -> None:
        """Do the first call's one-time work in worker threads now, off the event loop.

        The transport's imports and client (litellm: about 3 s and a mocked
        call; the fast path: aiohttp, its TLS context and the session) and
        the model's tokenizer (0.1-0.7 s) would otherwise run on the event loop
        during the first requests: about 220 ms of CPU through litellm, 17 ms
        left after ``preload`` (measured before the fast path moved to aiohttp).
        """
        await self._transport.warm()
        await asyncio.to_thread(count_tokens, [{"role": "user", "content": "-"}], model=self.model)

    async def aclose(self) -> None:
        """Close the transport's connections (a later call opens new ones)."""
        await self._transport.aclose()

    async def complete_text(
        self,
        messages: Sequence[Mapping[str, str]],
        *,
        name: str = "text",
        turn: ModelTurn | None = None,
    ) -> str:
        """The assistant's reply text; ``LLMError`` on any failure."""
        turn = turn if turn is not None else ModelTurn()
        prompt = [dict(message) for message in messages]
        try:
            content = await self._request(prompt, name=name, response_format=None, turn=turn)
            if content is None or not content.strip():
                self.stats.count_invalid_output()
                raise LLMError("the model returned invalid output: the reply was empty")
        except LLMError as error:
            turn.fail(error)
            raise
        return content

    async def complete_structured(
        self,
        messages: Sequence[Mapping[str, str]],
        model_type: type[M],
        *,
        name: str,
        turn: ModelTurn | None = None,
    ) -> M:
        """A validated ``model_type`` built from the model's JSON reply.

        Sends ``response_format`` with the model's JSON Schema (named ``name``)
        and ``max_tokens``. An invalid reply is retried once with the validation
        error appended as a user message; a second invalid reply, or a reply
        over ``LLM_REPLY_CHARS``, raises ``LLMError("the model returned invalid
        output: …")``. ``turn`` shares a deadline and a retry allowance with the
        turn's other calls (a private one when omitted); after a failure in it,
        this raises that failure without a request.
        """
        turn = turn if turn is not None else ModelTurn()
        try:
            return await self._structured(messages, model_type, name=name, turn=turn)
        except LLMError as error:
            turn.fail(error)
            raise

    async def _structured(
        self,
        messages: Sequence[Mapping[str, str]],
        model_type: type[M],
        *,
        name: str,
        turn: ModelTurn,
    ) -> M:
        prompt = [dict(message) for message in messages]
        response_format = response_format_for(model_type, name=name)
        content = await self._request(prompt, name=name, response_format=response_format, turn=turn)
        try:
            return parse_structured(content, model_type)
        except InvalidOutputError as first:
            self.stats.count_invalid_output()
            logger.warning("llm %s: invalid output, asking once more: %s", name, first.summary)
            repair = repair_messages(prompt, invalid_reply=content, error=first)
        content = await self._request(repair, name=name, response_format=response_format, turn=turn)
        try:
            return parse_structured(content, model_type)
        except InvalidOutputError as second:
            self.stats.count_invalid_output()
            logger.warning("llm %s: invalid output again: %s", name, second.summary)
            raise LLMError(f"the model returned invalid output: {second.summary}") from None

    async def _request(
        self,
        messages: list[dict[str, str]],
        *,
        name: str,
        response_format: dict[str, Any] | None,
        turn: ModelTurn,
    ) -> str | None:
        """One request with retries, within the turn's deadline; the content, or ``LLMError``."""
        if turn.failure is not None:  # the turn already failed: no request
            raise LLMError(str(turn.failure))
        request = ChatRequest(messages, self.temperature, LLM_REPLY_TOKENS, response_format)
        await self._transport.load()  # the first import is slow: not on the turn's clock
        loop = asyncio.get_running_loop()
        begun = loop.time()
        turn.begin(now=begun, budget=self.turn_budget, retries=self.max_retries)
        assert turn.deadline is not None
        deadline = min(turn.deadline, begun + self.request_budget)
        if deadline - begun < self._least_attempt:
            raise LLMError("no time was left for the model in this turn")
        attempt = 0
        while True:
            attempt += 1
            attempt_timeout = min(self.timeout, deadline - loop.time())
            started = time.perf_counter()
            try:
                content = await asyncio.wait_for(
                    self._transport.complete(request, request_timeout=attempt_timeout),
                    attempt_timeout,
                )
            except LLMError as error:  # the transport refused: no library, or a reply too large
                if isinstance(error, ReplyTooLarge):
                    self.stats.count_invalid_output()
                raise
            except Exception as error:  # every litellm/openai/transport error and timeouts
                failure = classify(error, timeout=attempt_timeout)
                self._observe(name, attempt, failure.kind, started, failure.status_code)
                wait = self._retry_wait(failure, attempt, deadline - loop.time())
                if wait is None or not turn.take_retry():
                    elapsed = loop.time() - begun
                    raise LLMError(self._final_message(failure, attempt, elapsed)) from error
                self.stats.retries += 1
                logger.info("llm %s: retrying in %.2f s after: %s", name, wait, failure.cause)
                await asyncio.sleep(wait)
                continue
            self._observe(name, attempt, "ok", started, None)
            return self._bounded(content)

    @property
    def _least_attempt(self) -> float:
        """The shortest time worth an attempt (or a retry)."""
        return min(1.0, self.timeout / 4)

    def _bounded(self, content: str | None) -> str | None:
        """``content``, or ``LLMError`` when it is too long to be worth parsing."""
        if content is not None and len(content) > LLM_REPLY_CHARS:
            self.stats.count_invalid_output()
            raise LLMError(
                f"the model returned invalid output: the reply was {len(content):,} characters, "
                f"over the limit of {LLM_REPLY_CHARS:,}"
            )
        return content

    def _retry_wait(self, failure: Failure, attempt: int, remaining: float) -> float | None:
        """Seconds to wait before retrying, or ``None`` to give up now."""
        if not failure.transient or attempt > self.max_retries:
            return None
        wait: float = min(_BACKOFF_FIRST * 2.0 ** (attempt - 1), _BACKOFF_MAX)
        if failure.retry_after is not None:
            if failure.retry_after > RETRY_AFTER_CAP:
                return None
            wait = failure.retry_after
        # Leave the next attempt a useful slice of the budget.
        if remaining - wait < self._least_attempt:
            return None
        return wait

    def _final_message(self, failure: Failure, attempts: int, elapsed: float) -> str:
        message = failure.cause
        if failure.kind == "timeout":  # the time the caller waited, all attempts together
            message = f"the model timed out after {_seconds(elapsed)} s"
        if failure.kind == "rate_limited" and failure.retry_after is not None:
            message += f", retry after {failure.retry_after:.3g} s"
        if attempts > 1:
            message += f" ({attempts} attempts)"
        if self._api_key and len(self._api_key) >= _REDACT_MIN:
            message = message.replace(self._api_key, "***")
        return message

    def _observe(
        self, name: str, attempt: int, outcome: str, started: float, status: int | None
    ) -> None:
        latency = time.perf_counter() - started
        record = CallRecord(name, self.model, attempt, outcome, latency, status)
        self.stats.observe(record)
        level = logging.INFO if outcome == "ok" else logging.WARNING
        logger.log(
            level,
            "llm %s model=%s attempt=%d outcome=%s%s latency_ms=%.0f",
            name,
            self.model,
            attempt,
            outcome,
            f" status={status}" if status is not None else "",
            latency * 1000,
        )
        if self._on_call is not None:
            try:
                self._on_call(record)
            except Exception:  # a metrics hook must not fail the call
                logger.exception("llm on_call hook failed")


def _seconds(value: float) -> str:
    """``20``, ``0.5``, ``1.2``: seconds to one decimal, without a trailing ``.0``."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text
