"""``CommandContext``: what command handlers use of the application.

Handlers are typed against this protocol, not against ``AppContext``
(adventorator/context.py), which builds every layer: a client may hand any
object with these methods, and ``AppContext`` satisfies it structurally.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from adventorator.play import PlayContext

if TYPE_CHECKING:
    from adventorator.identity import Identity
    from adventorator.services.encounters import EncounterService
    from adventorator.services.identities import KnownIdentity, ResolvedIdentity
    from adventorator.services.play_state import PlayStateService


class CommandContext(PlayContext, Protocol):
    """Settings, services and identity resolution, as handlers call them."""

    async def resolve(self, identity: Identity) -> ResolvedIdentity:
        """Campaign, player and scene ids (created on first use): for writes."""
        ...

    async def lookup(self, identity: Identity) -> KnownIdentity:
        """The ids of the rows that exist, creating none: for reads."""
        ...

    async def play_state(self) -> PlayStateService:
        """Recorded changes to HP and conditions (damage, heal, undo ...)."""
        ...

    async def encounters(self) -> EncounterService:
        """Encounters and initiative in the scene (init begin, add, next ...)."""
        ...

    def cli_identity(self) -> Identity:
        """The local player in the local campaign (the CLI's default identity)."""
        ...
