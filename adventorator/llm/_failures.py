"""Turning whatever a model call raised into one short, user-readable cause.

litellm's exception mapping is loose: a refused connection and a dropped
connection both arrive as ``InternalServerError`` with status 500. So the cause
chain (``__cause__``/``__context__``) is walked, and transport failures are
recognised before HTTP statuses. Classes are matched by name along each
exception's MRO, which needs no import of openai, httpx or aiohttp here.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["ClientConfigError", "ConnectionFailed", "Failure", "StatusError", "classify"]


class ClientConfigError(Exception):
    """The fast path refused to send a request (no API key), as the SDK's ``OpenAIError`` does."""


class ConnectionFailed(Exception):
    """A transport failure on the fast path, raised from aiohttp's error (the SDK's way)."""


class StatusError(Exception):
    """An HTTP error status on the fast path, with the response (and its headers)."""

    def __init__(self, status_code: int, response: Any) -> None:
        super().__init__(f"HTTP {status_code}")
        self.status_code = status_code
        self.response = response


_TIMEOUT_CLASSES = frozenset(
    {"TimeoutError", "APITimeoutError", "Timeout", "TimeoutException", "SocketTimeoutError"}
)
_CONNECTION_CLASSES = frozenset(
    {
        "APIConnectionError",
        "ConnectionFailed",
        "ConnectError",
        "ConnectionError",
        "ClientConnectionError",
        "ReadError",
    }
)
_CERTIFICATE_CLASSES = frozenset({"SSLCertVerificationError", "ClientConnectorCertificateError"})
_TRANSIENT_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 529})


@dataclass(frozen=True)
class Failure:
    """A classified failure: ``kind`` (for stats), ``cause`` (for people), retry advice."""

    kind: str
    cause: str
    transient: bool
    status_code: int | None = None
    retry_after: float | None = None


def classify(error: BaseException, *, timeout: float) -> Failure:
    """Classify an exception from ``litellm.acompletion`` or ``asyncio.wait_for``."""
    chain = list(_chain(error))
    if any(_is(e, _TIMEOUT_CLASSES) for e in chain):
        return Failure("timeout", f"the model timed out after {timeout:.3g} s", transient=True)
    if any(_is(e, _CONNECTION_CLASSES) for e in chain):
        return Failure("connection", _connection_cause(chain), transient=True)
    root = chain[-1]
    if isinstance(root, ClientConfigError) or (
        type(root).__name__ == "OpenAIError" and type(root).__module__.startswith("openai")
    ):
        # Raised by the client before any request; litellm relabels it as a 500.
        return Failure("config", _client_cause(root), transient=False)
    status = _status_code(chain)
    if status == 429:
        retry_after = _retry_after(chain)
        return Failure(
            "rate_limited", "rate limited (429)", True, status_code=429, retry_after=retry_after
        )
    if status is not None:
        return Failure(
            "http_error",
            _http_cause(status),
            transient=status in _TRANSIENT_STATUS,
            status_code=status,
        )
    return Failure("other", f"the model call failed ({type(error).__name__})", transient=False)


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _is(error: BaseException, names: frozenset[str]) -> bool:
    return any(cls.__name__ in names for cls in type(error).__mro__)


def _connection_cause(chain: list[BaseException]) -> str:
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "connection refused"
    if any(_is(e, _CERTIFICATE_CLASSES) for e in chain):
        return (
            "the model server's TLS certificate is not trusted "
            "(SSL_CERT_FILE can name the CA bundle that signed it)"
        )
    if any(_is(e, frozenset({"ServerDisconnectedError", "RemoteProtocolError"})) for e in chain):
        return "the model server closed the connection without a reply"
    if any(_is(e, frozenset({"gaierror", "ClientConnectorDNSError"})) for e in chain):
        return "the model server's host name did not resolve"
    return "could not connect to the model server"


def _client_cause(error: BaseException) -> str:
    text = str(error)
    if "api_key" in text or "credentials" in text.lower():
        return (
            "no API key for the model (set ADVENTORATOR_LLM_API_KEY; any value for a local server)"
        )
    first = text.split(". ")[0].strip()
    return f"the model client refused the request: {first[:120]}"


def _http_cause(status: int) -> str:
    if status in (401, 403):
        return f"HTTP {status} from the model server (check the API key)"
    if status == 404:
        return "HTTP 404 from the model server (check the model name and API base)"
    return f"HTTP {status} from the model server"


def _status_code(chain: list[BaseException]) -> int | None:
    for error in chain:
        status = getattr(error, "status_code", None)
        if isinstance(status, int) and 100 <= status <= 599:
            return status
    return None


def _retry_after(chain: list[BaseException]) -> float | None:
    """Seconds from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date)."""
    for error in chain:
        for headers in (
            getattr(getattr(error, "response", None), "headers", None),
            getattr(error, "litellm_response_headers", None),
        ):
            seconds = _parse_retry_headers(headers)
            if seconds is not None:
                return seconds
    return None


def _parse_retry_headers(headers: Any) -> float | None:
    if headers is None or not hasattr(headers, "get"):
        return None
    milliseconds = headers.get("retry-after-ms")
    if milliseconds is not None:
        try:
            return max(0.0, float(milliseconds) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
