"""Who is acting and where, in client-neutral keys (stdlib only: the CLI's
fast paths and every layer may import it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Client = Literal["cli", "discord"]


@dataclass(frozen=True)
class Identity:
    """A player in a campaign and scene, as a client names them."""

    client: Client
    campaign_key: str  # "default", or "discord:guild:<id>"
    player_key: str  # "cli:alice", or "discord:<id>"
    display_name: str
    scene_key: str = "default"  # a Discord channel: "discord:channel:<id>"
    # A game master by the client's word: Discord's Manage Server permission or a
    # configured role. Only the webhook sets it, from a verified interaction; the
    # CLI never does (the campaign's recorded GM is the CLI's only one).
    gm: bool = False
