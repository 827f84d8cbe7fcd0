"""Transcripts of play: what players said, the mechanics, the narration."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from adventorator.storage import repos
from adventorator.storage.database import Database
from adventorator.storage.models import TranscriptEntry


@dataclass(frozen=True)
class NewEntry:
    """A line to record; ``meta`` holds structured data such as a CheckResult."""

    role: str  # player, narrator, mechanics or system
    content: str
    meta: dict[str, Any] | None = None
    status: str = "ok"


@dataclass(frozen=True)
class TranscriptLine:
    """A recorded line, detached from any session."""

    id: int
    role: str
    content: str
    status: str
    created_at: datetime
    character_id: int | None = None
    meta: dict[str, Any] | None = field(default=None, compare=False)

    @classmethod
    def from_row(cls, row: TranscriptEntry) -> TranscriptLine:
        return cls(
            id=row.id,
            role=row.role,
            content=row.content,
            status=row.status,
            created_at=row.created_at,
            character_id=row.character_id,
            meta=row.meta,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "role": self.role,
            "content": self.content,
            "status": self.status,
            "created_at": self.created_at.isoformat(),
            "character_id": self.character_id,
            "meta": self.meta,
        }


class TranscriptService:
    """Writes a turn's lines in one transaction and reads recent ones."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def record(
        self,
        entries: Sequence[NewEntry],
        *,
        campaign_id: int,
        scene_id: int,
        player_id: int | None,
        character_id: int | None,
    ) -> list[int]:
        """Store every entry or none of them; returns their ids in order."""
        lines = [
            {
                "role": entry.role,
                "content": _without_nul(entry.content),
                "meta": _without_nul(entry.meta),
                "status": entry.status,
            }
            for entry in entries
        ]
        async with self._database.session_scope() as session:
            return await repos.add_transcript_entries(
                session,
                lines,
                campaign_id=campaign_id,
                scene_id=scene_id,
                player_id=player_id,
                character_id=character_id,
            )

    async def recent(self, scene_id: int, *, limit: int = 20) -> list[TranscriptLine]:
        """The scene's last ``limit`` lines, oldest first."""
        async with self._database.session_scope() as session:
            rows = await repos.recent_transcript(session, scene_id, limit=limit)
            return [TranscriptLine.from_row(row) for row in rows]

    async def mark(self, entry_ids: Sequence[int], status: str) -> None:
        """Change the status of lines (e.g. to ``delivery_failed``) in one transaction."""
        async with self._database.session_scope() as session:
            await repos.set_transcript_status(session, entry_ids, status)


def _without_nul(value: Any) -> Any:
    """``value`` with NUL characters dropped from every string in it.

    PostgreSQL text and jsonb cannot hold U+0000 (SQLite can), and lines such
    as the narration come from a model, so a stray NUL must not lose a turn.
    """
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_without_nul(item) for item in value]
    return value
