"""What an interaction payload says about who, where and which command.

A guild is a campaign (``discord:guild:<id>``), a channel is a scene
(``discord:channel:<id>``) and a user is a player (``discord:<user id>``).
In a DM there is no guild: the campaign is the user's own, ``discord:dm:<user id>``.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from adventorator.identity import Identity

# Request types
PING = 1
APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
AUTOCOMPLETE = 4
TYPE_NAMES = {
    PING: "ping",
    APPLICATION_COMMAND: "command",
    MESSAGE_COMPONENT: "component",
    AUTOCOMPLETE: "autocomplete",
    5: "modal",
}
MAX_NAME = 100
# Permission bits of member.permissions (Discord sends the member's total in the channel).
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
MAX_JSON_DEPTH = 32
"""Nesting a payload may have; Discord's are under 10 deep, and json recurses per level."""

# A snowflake is an unsigned 64-bit integer: at most 20 ASCII digits (str.isdigit
# would also pass superscripts and Arabic-Indic digits).
_SNOWFLAKE = re.compile(r"[0-9]{1,20}")
# The token goes into follow-up URLs as one path segment: no "/", "?", "%" or "..".
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~=-]{0,499}")
# Possessive, with an optional closing quote: linear even on an unterminated string.
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*+"?', re.DOTALL)
_PERMISSIONS = re.compile(r"[0-9]{1,40}")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


class BadInteraction(ValueError):
    """A signed payload that lacks what its type needs (answered with 400)."""


def parse_payload(body: bytes) -> dict[str, Any]:
    """The interaction object of a verified body; BadInteraction for anything else.

    Nesting is bounded before parsing (json recurses per level, so 10,000
    brackets are a RecursionError), and NaN, Infinity and overflowing numbers
    are refused rather than passed on as floats no option can hold.
    """
    if body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH and _depth(body) > MAX_JSON_DEPTH:
        raise BadInteraction("the interaction is nested too deeply")
    try:
        payload = json.loads(body, parse_constant=_no_constant, parse_float=_finite)
    except ValueError:  # UnicodeDecodeError and JSONDecodeError included
        raise BadInteraction("malformed interaction") from None
    kind = payload.get("type") if isinstance(payload, dict) else None
    if not isinstance(kind, int) or isinstance(kind, bool):
        raise BadInteraction("malformed interaction")
    if kind not in TYPE_NAMES:
        raise BadInteraction("unsupported interaction type")
    return dict(payload)


def _depth(body: bytes) -> int:
    """The deepest bracket nesting of ``body`` outside JSON strings."""
    brackets = _STRINGS.sub(b"", body).translate(None, _NOT_BRACKETS)
    depth = deepest = 0
    for byte in brackets:
        depth += 1 if byte in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _snowflake(value: Any, what: str) -> str:
    text = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not _SNOWFLAKE.fullmatch(text) or int(text) >= 2**64:
        raise BadInteraction(f"{what} is missing or not a snowflake")
    return text


@dataclass(frozen=True)
class InteractionContext:
    """The parts of an interaction every handler needs."""

    id: str
    token: str
    user_id: str
    identity: Identity
    data: Mapping[str, Any]
    received_at: float = field(default_factory=time.monotonic, compare=False)

    @classmethod
    def from_payload(
        cls, payload: Mapping[str, Any], *, gm_roles: frozenset[str] = frozenset()
    ) -> InteractionContext:
        """Parse ids, user and identity; BadInteraction when any is missing.

        A guild member with Manage Server (or Administrator), or with one of
        ``gm_roles``, is a game master (``Identity.gm``).
        """
        member = payload.get("member")
        user = (member.get("user") if isinstance(member, Mapping) else None) or payload.get("user")
        if not isinstance(user, Mapping):
            raise BadInteraction("the interaction has no user")
        user_id = _snowflake(user.get("id"), "user.id")
        guild = payload.get("guild_id")
        channel = payload.get("channel_id") or _get(payload.get("channel"), "id")
        token = payload.get("token")
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            raise BadInteraction("the interaction has no token, or a malformed one")
        data = payload.get("data")
        if not isinstance(data, Mapping):
            raise BadInteraction("the interaction has no data")
        campaign = (
            f"discord:guild:{_snowflake(guild, 'guild_id')}" if guild else f"discord:dm:{user_id}"
        )
        scene = f"discord:channel:{_snowflake(channel, 'channel_id')}" if channel else "default"
        identity = Identity(
            client="discord",
            campaign_key=campaign,
            player_key=f"discord:{user_id}",
            display_name=_display_name(member, user, user_id),
            scene_key=scene,
            gm=bool(guild) and _grants_gm(member, gm_roles),
        )
        return cls(
            id=_snowflake(payload.get("id"), "id"),
            token=token,
            user_id=user_id,
            identity=identity,
            data=data,
        )


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, Mapping) else None


def gm_roles(setting: str) -> frozenset[str]:
    """The role ids of ``ADVENTORATOR_DISCORD_GM_ROLE`` ("123, 456")."""
    return frozenset(part.strip() for part in setting.split(",") if part.strip())


def _grants_gm(member: Any, roles: frozenset[str]) -> bool:
    """Manage Server, Administrator or a configured role (a bad field grants nothing)."""
    permissions = _get(member, "permissions")
    # A string of ASCII digits (a 64-bit-plus bitfield); anything else grants nothing.
    digits = isinstance(permissions, str) and _PERMISSIONS.fullmatch(permissions) is not None
    bits = int(permissions) if digits else 0
    if bits & (MANAGE_GUILD | ADMINISTRATOR):
        return True
    held = _get(member, "roles")
    return isinstance(held, list) and any(str(role) in roles for role in held)


def _display_name(member: Any, user: Mapping[str, Any], user_id: str) -> str:
    for name in (_get(member, "nick"), user.get("global_name"), user.get("username")):
        if isinstance(name, str) and name.strip():
            return name.strip()[:MAX_NAME]
    return user_id
