"""What an interaction payload says about who, where and which command.

A guild is a campaign (``discord:guild:<id>``), a channel is a scene
(``discord:channel:<id>``) and a user is a player (``discord:<user id>``).
In a DM there is no guild: the campaign is the user's own, ``discord:dm:<user id>``.
"""

from __future__ import annotations

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
MAX_SNOWFLAKE = 32
MAX_NAME = 100


class BadInteraction(ValueError):
    """A signed payload that lacks what its type needs (answered with 400)."""


def _snowflake(value: Any, what: str) -> str:
    text = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not text.isdigit() or len(text) > MAX_SNOWFLAKE:
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
    def from_payload(cls, payload: Mapping[str, Any]) -> InteractionContext:
        """Parse ids, user and identity; BadInteraction when any is missing."""
        member = payload.get("member")
        user = (member.get("user") if isinstance(member, Mapping) else None) or payload.get("user")
        if not isinstance(user, Mapping):
            raise BadInteraction("the interaction has no user")
        user_id = _snowflake(user.get("id"), "user.id")
        guild = payload.get("guild_id")
        channel = payload.get("channel_id") or _get(payload.get("channel"), "id")
        token = payload.get("token")
        if not isinstance(token, str) or not token:
            raise BadInteraction("the interaction has no token")
        data = payload.get("data")
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
        )
        return cls(
            id=_snowflake(payload.get("id"), "id"),
            token=token,
            user_id=user_id,
            identity=identity,
            data=data if isinstance(data, Mapping) else {},
        )


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, Mapping) else None


def _display_name(member: Any, user: Mapping[str, Any], user_id: str) -> str:
    for name in (_get(member, "nick"), user.get("global_name"), user.get("username")):
        if isinstance(name, str) and name.strip():
            return name.strip()[:MAX_NAME]
    return user_id
