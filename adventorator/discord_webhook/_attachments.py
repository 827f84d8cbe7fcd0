"""File attachments on slash commands: ``/sheet import file:<attachment>``.

Discord sends an ATTACHMENT option's value as an attachment id and the file's
metadata (its CDN ``url`` and ``size``) in ``data.resolved.attachments``. The
webhook reads the file, as the CLI reads ``--file``, and the command gets its
text as its ``json`` option: handlers never see a file. Only Discord's CDN is
fetched (https), plus the origin of ``DISCORD_API_BASE`` when that is not
discord.com (a test's loopback fake or a proxy), with a timeout and the
command's size cap.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from adventorator.errors import InputError
from adventorator.limits import IMPORT_DOCUMENT_BYTES

ATTACHMENT = 11  # Discord's option type
OPTION = "file"
COMMANDS: Mapping[str, str] = {
    "sheet import": "The D&D Beyond or Foundry character as a JSON file.",
}
CDN_HOSTS = frozenset({"cdn.discordapp.com", "media.discordapp.net"})
FETCH_SECONDS = 10.0


def option_json(command: str) -> dict[str, Any] | None:
    """The ``file`` option of ``command`` for registration, or None if it has none."""
    description = COMMANDS.get(command)
    if description is None:
        return None
    return {"type": ATTACHMENT, "name": OPTION, "description": description, "required": False}


def allowed(url: str, api_base: str) -> bool:
    """True for Discord's CDN over https, or the origin of a non-discord.com API base."""
    parts = urlsplit(url)
    if parts.scheme == "https" and (parts.hostname or "").lower() in CDN_HOSTS:
        return parts.port in (None, 443)
    base = urlsplit(api_base)
    if (base.hostname or "").lower() in {"discord.com", "discordapp.com"}:
        return False
    return (parts.scheme, parts.netloc) == (base.scheme, base.netloc)


def attachment_url(data: Mapping[str, Any], attachment_id: str, api_base: str) -> str:
    """The checked CDN URL of the attachment ``attachment_id`` resolved in ``data``."""
    resolved = data.get("resolved")
    attachments = resolved.get("attachments") if isinstance(resolved, Mapping) else None
    item = attachments.get(attachment_id) if isinstance(attachments, Mapping) else None
    url = item.get("url") if isinstance(item, Mapping) else None
    if not isinstance(url, str):
        raise InputError("the attached file did not arrive: attach it again")
    size = item.get("size") if isinstance(item, Mapping) else None
    if isinstance(size, int) and size > IMPORT_DOCUMENT_BYTES:
        raise InputError(f"the file is {size:,} bytes; the limit is {IMPORT_DOCUMENT_BYTES:,}")
    if not allowed(url, api_base):
        raise InputError("the attached file is not on Discord's CDN")
    return url


async def attachment_text(data: Mapping[str, Any], attachment_id: str, api_base: str) -> str:
    """The attached file's UTF-8 text, at most the import cap."""
    from adventorator.services.imports import fetch_text

    return await fetch_text(
        attachment_url(data, attachment_id, api_base),
        max_bytes=IMPORT_DOCUMENT_BYTES,
        seconds=FETCH_SECONDS,
        source="Discord",
        refused="the attached file has expired on Discord: attach it again",
    )
