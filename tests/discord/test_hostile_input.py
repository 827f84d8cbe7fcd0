"""Hostile or malformed requests: each is a 400 or a 401, with at most one log line.

Unsigned requests are anyone's; signed but malformed payloads stand for a
Discord bug or a leaked key. Neither may cost a traceback, a 500 or a row.
Log records are captured from our loggers and from uvicorn's (which does not
propagate to the root logger, so the capture handler is attached to it too).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.discord.harness import command, component, row_counts
from tests.discord.support import Webhook

UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


@pytest.fixture
def records(caplog: pytest.LogCaptureFixture) -> Iterator[list[logging.LogRecord]]:
    """Every log record at DEBUG and up, our loggers' and uvicorn's."""
    caplog.set_level(logging.DEBUG)
    attached = [logging.getLogger(name) for name in UVICORN_LOGGERS]
    for logger in attached:
        logger.addHandler(caplog.handler)
    try:
        yield caplog.records
    finally:
        for logger in attached:
            logger.removeHandler(caplog.handler)


def _quiet(records: list[logging.LogRecord], before: int, what: str) -> None:
    """At most one record since ``before``, none of them with a traceback."""
    new = [r for r in records[before:] if r.name.startswith(("adventorator", "uvicorn"))]
    assert len(new) <= 1, (what, [r.getMessage() for r in new])
    assert not [r for r in new if r.exc_info], (what, [r.getMessage() for r in new])


def _with(payload: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """A deep copy of ``payload`` with the item at ``path`` set (or deleted for ...)."""
    copy: Any = json.loads(json.dumps(payload))
    node = copy
    for key in path[:-1]:
        node = node[key]
    if value is Ellipsis:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return dict(copy)


async def _post(webhook: Webhook, body: bytes, headers: dict[str, str]) -> httpx.Response:
    """POST with header values sent as UTF-8 (httpx would refuse non-ASCII str)."""
    raw = {name.encode(): value.encode() for name, value in headers.items()}
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(
            f"{webhook.server.base_url}/interactions", content=body, headers=raw
        )


async def test_hostile_signature_headers_are_401_without_a_traceback(
    webhook: Webhook, records: list[logging.LogRecord]
) -> None:
    body = json.dumps(command("roll", {"expr": "1d4"})).encode()
    good = webhook.discord.headers(body)
    cases = {
        "309 digits": "9" * 309,
        "negative 309 digits": "-" + "9" * 309,
        "4,000 digits": "1" * 4000,
        "arabic-indic digits": "\u0661\u0667" + "\u0660" * 8,
        "float": f"{time.time():.3f}",
        "inf": "inf",
        "nan": "nan",
        "signed": f"+{int(time.time())}",
        "underscores": f"{int(time.time()):_}",
        "hex": hex(int(time.time())),
        "leading zeros": "0" * 300 + str(int(time.time())),
    }
    for name, stamp in cases.items():
        before = len(records)
        response = await _post(webhook, body, {**good, "X-Signature-Timestamp": stamp})
        assert response.status_code == 401, (name, response.text)
        _quiet(records, before, name)
    for name, signature in {"long": "ab" * 5000, "odd": "a" * 127, "unicode": "é" * 64}.items():
        before = len(records)
        response = await _post(webhook, body, {**good, "X-Signature-Ed25519": signature})
        assert response.status_code == 401, (name, response.text)
        _quiet(records, before, name)


def _malformed() -> dict[str, Any]:
    """Signed payloads a handler must refuse (raw bytes where JSON cannot say it)."""
    roll = command("roll", {"expr": "1d4"})
    deep = b"[" * 10_000 + b"]" * 10_000
    return {
        "options a string": _with(roll, ("data", "options"), "expr"),
        "options an object": _with(roll, ("data", "options"), {"name": "expr"}),
        "options a number": _with(roll, ("data", "options"), 7),
        "option a string": _with(roll, ("data", "options"), ["expr"]),
        "option a list": _with(roll, ("data", "options", 0), [1, 2]),
        "option value an object": _with(roll, ("data", "options", 0, "value"), {"a": 1}),
        "option value a list": _with(roll, ("data", "options", 0, "value"), [1]),
        "option name a list": _with(roll, ("data", "options", 0, "name"), ["expr"]),
        "subcommand options a string": _with(
            command("sheet", {"name": "x"}, sub="show"), ("data", "options", 0, "options"), "x"
        ),
        "subcommand a string": _with(command("sheet", sub="list"), ("data", "options"), ["list"]),
        "name a list": _with(roll, ("data", "name"), ["roll"]),
        "data a list": _with(roll, ("data",), ["roll"]),
        "deep nesting": b'{"type": 2, "data": ' + deep + b"}",
        "deep objects": b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
        "arabic-indic user id": _with(roll, ("member", "user", "id"), "\u0661\u0662\u0663"),
        "superscript user id": _with(roll, ("member", "user", "id"), "²³"),
        "arabic-indic guild": _with(roll, ("guild_id",), "\u0661\u0662\u0663"),
        "arabic-indic interaction id": _with(roll, ("id",), "\u0661\u0662\u0663\u0664"),
        "user id too long": _with(roll, ("member", "user", "id"), "1" * 21),
        "user id beyond 64 bits": _with(roll, ("member", "user", "id"), "99999999999999999999"),
        "interaction id too long": _with(roll, ("id",), "1" * 33),
        "interaction id negative": _with(roll, ("id",), -5),
        "id a float": _with(roll, ("id",), 1.5),
        "no id": _with(roll, ("id",), ...),
        "no token": _with(roll, ("token",), ...),
        "token a number": _with(roll, ("token",), 5),
        "token with a slash": _with(roll, ("token",), "../../applications/1/commands"),
        "token too long": _with(roll, ("token",), "t" * 5000),
        "no user": _with(roll, ("member",), ...),
        "member a list": _with(roll, ("member",), [1]),
        "user a string": _with(roll, ("member", "user"), "alice"),
        "channel an object": _with(roll, ("channel_id",), {"id": 1}),
        "type a boolean": _with(roll, ("type",), True),
        "type huge": _with(roll, ("type",), 10**300),
        "type a float": _with(roll, ("type",), 2.0),
        "unsupported type": _with(roll, ("type",), 9),
        "NaN value": json.dumps(command("check", {"skill": "stealth", "dc": float("nan")})),
        "Infinity value": json.dumps(command("check", {"skill": "stealth", "dc": float("inf")})),
        "huge exponent": json.dumps({**roll, "x": 0}).replace('"x": 0', '"x": 1e999'),
        "5,000-digit number": json.dumps({**roll, "x": 0}).replace('"x": 0', '"x": ' + "9" * 5000),
    }


async def test_malformed_signed_payloads_are_400_without_a_traceback(
    webhook: Webhook, records: list[logging.LogRecord]
) -> None:
    before_rows = await row_counts(webhook.database_url)
    for name, payload in _malformed().items():
        raw = payload if isinstance(payload, bytes) else None
        if raw is None:
            raw = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
        before = len(records)
        response = await webhook.discord.send(raw)
        assert response.status_code == 400, (name, response.status_code, response.text[:300])
        assert len(response.content) < 200, name  # nothing of the payload echoed back
        _quiet(records, before, name)
    assert await row_counts(webhook.database_url) == before_rows
    assert webhook.api.requests == []
    # The same webhook still answers a well-formed command.
    fine = await webhook.discord.send(command("roll", {"expr": "1d4"}))
    assert fine.status_code == 200
    assert fine.json()["type"] == 4


async def test_foreign_button_ids_are_not_ours(
    webhook: Webhook, records: list[logging.LogRecord]
) -> None:
    cases = {
        "an object": _with(component("choice:1:1"), ("data", "custom_id"), {"a": 1}),
        "foreign digits": component("choice:\u0661\u0662\u0663:\u0661"),
        "superscript number": component("choice:800000000000000001:²"),
        "too long": component("choice:" + "1" * 500 + ":1"),
        "number too long": component("choice:800000000000000001:" + "1" * 5000),
    }
    for name, payload in cases.items():
        before = len(records)
        response = await webhook.discord.send(payload)
        assert response.status_code == 200, (name, response.text[:300])
        assert response.json()["data"]["content"] == "This button is not one of mine.", name
        _quiet(records, before, name)
