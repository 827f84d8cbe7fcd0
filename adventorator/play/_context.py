"""What a ``do`` turn uses of the application: settings, characters, transcripts, LLM, encounters.

``AppContext`` (adventorator/context.py) satisfies it structurally; play never
imports the context, which imports every layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from adventorator.config import Settings
    from adventorator.llm import LLMClient
    from adventorator.services.characters import CharacterService
    from adventorator.services.encounters import EncounterService
    from adventorator.services.transcripts import TranscriptService


class PlayContext(Protocol):
    """The services a narrator turn reads and writes through."""

    @property
    def settings(self) -> Settings: ...

    async def characters(self) -> CharacterService: ...

    async def transcripts(self) -> TranscriptService: ...

    async def encounters(self) -> EncounterService: ...

    def llm(self) -> LLMClient | None: ...
