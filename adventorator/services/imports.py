"""Fetching a character document to import: a public D&D Beyond character by URL.

The handler calls ``fetch_ddb_character`` before it opens any database
session, so no session is held across HTTP. The player's URL is only read
for its numeric character id; what is fetched is ``base`` + id, where ``base``
is the ``ADVENTORATOR_DDB_CHARACTER_URL`` setting (the real character service
by default, a loopback fake in the tests). The body is read with a timeout and
at most ``max_bytes`` bytes, and every failure is one ``InputError`` line.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import httpx

from adventorator.errors import InputError

FETCH_TIMEOUT = 15.0  # seconds, connect and each read
DDB_HOSTS = frozenset({"dndbeyond.com", "www.dndbeyond.com"})
_CHARACTER_PATH = re.compile(r"/(?:profile/[^/]+/)?characters/(\d{1,12})(?:/.*)?")
PRIVATE = (
    "D&D Beyond did not share character {id}: make it public "
    "(on D&D Beyond, Character Settings → Privacy: Public) or save its JSON "
    "and import the file with --file"
)


def ddb_character_id(url: str) -> str:
    """The numeric id in a D&D Beyond character URL, or an ``InputError`` saying what to give."""
    parts = urlsplit(url.strip())
    match = _CHARACTER_PATH.fullmatch(parts.path)
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"https", "http"} or host not in DDB_HOSTS or match is None:
        raise InputError(
            f"not a D&D Beyond character URL: {url!r} "
            "(expected https://www.dndbeyond.com/characters/ID)"
        )
    return match.group(1)


async def fetch_ddb_character(
    url: str, *, base: str, max_bytes: int, seconds: float = FETCH_TIMEOUT
) -> str:
    """The character service's JSON for the character at ``url``, as text."""
    character_id = ddb_character_id(url)
    target = f"{base.rstrip('/')}/{character_id}"
    body = await fetch_text(
        target,
        max_bytes=max_bytes,
        seconds=seconds,
        source="D&D Beyond",
        refused=PRIVATE.format(id=character_id),
    )
    if _refused(body):
        raise InputError(PRIVATE.format(id=character_id))
    return body


async def fetch_text(url: str, *, max_bytes: int, seconds: float, source: str, refused: str) -> str:
    """GET ``url``'s body as UTF-8, at most ``max_bytes``; 401/403/404 are ``refused``.

    ``source`` names the server in the error lines ("D&D Beyond", "Discord").
    """
    try:
        async with (
            httpx.AsyncClient(timeout=httpx.Timeout(seconds), follow_redirects=False) as client,
            client.stream("GET", url, headers={"Accept": "application/json"}) as response,
        ):
            if response.status_code in {401, 403, 404}:
                raise InputError(refused)
            if response.status_code != 200:
                raise InputError(f"{source} answered HTTP {response.status_code}; try again later")
            data = await _read_capped(response, max_bytes)
    except httpx.TimeoutException:
        raise InputError(f"{source} did not answer within {seconds:g} s") from None
    except httpx.HTTPError as error:
        raise InputError(f"cannot reach {source}: {type(error).__name__}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{source}'s answer is not UTF-8 text") from None


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    too_big = InputError(f"the document is more than {max_bytes:,} bytes")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


def _refused(body: str) -> bool:
    """True when the service answered ``{"success": false, ...}`` (a private character)."""
    try:
        document = json.loads(body)
    except ValueError:
        return False  # the importer reports the bad JSON itself
    return isinstance(document, dict) and document.get("success") is False
