"""Transcripts of play: what players said, the mechanics, the narration.

A line read back names its speaker (``TranscriptLine.label``): the character's
name, else the player's display name, for a player's line; the role for the
narrator, mechanics and system lines. ``export_markdown`` and ``export_jsonl``
write a campaign's lines as a document.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from adventorator.identity import Identity
from adventorator.services.identities import SceneInfo, list_scenes, start_scene
from adventorator.storage import repos
from adventorator.storage.database import Database
from adventorator.storage.models import TranscriptEntry
from adventorator.storage.repos.transcripts import (
    SpokenLine,
    campaign_spoken_lines,
    recent_spoken_lines,
)
from adventorator.text import escape_markdown


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
    player_id: int | None = None
    speaker: str | None = None  # the character's name, else the player's display name
    scene: str | None = None  # the scene's key

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
            player_id=row.player_id,
        )

    @classmethod
    def from_spoken(cls, spoken: SpokenLine) -> TranscriptLine:
        line = cls.from_row(spoken.entry)
        speaker = spoken.character_name or spoken.player_name
        return dataclasses.replace(line, speaker=speaker, scene=spoken.scene_key)

    @property
    def label(self) -> str:
        """Who the line is from, as a reader names them: ``Pip``, ``narrator``."""
        if self.role == "player" and self.speaker:
            return self.speaker
        return self.role

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "role": self.role,
            "speaker": self.label,
            "content": self.content,
            "status": self.status,
            "created_at": self.created_at.isoformat(),
            "scene": self.scene,
            "player_id": self.player_id,
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
            rows = await recent_spoken_lines(session, scene_id, limit=limit)
            return [TranscriptLine.from_spoken(row) for row in rows]

    async def campaign(self, campaign_id: int) -> list[TranscriptLine]:
        """Every line of a campaign, scene by scene (oldest scene first), each in order."""
        async with self._database.session_scope() as session:
            rows = await campaign_spoken_lines(session, campaign_id)
            return [TranscriptLine.from_spoken(row) for row in rows]

    async def start_scene(self, identity: Identity, name: str) -> str:
        """A new scene for the campaign's CLI players (``services.identities.start_scene``)."""
        return await start_scene(self._database, identity, name)

    async def scenes(self, identity: Identity) -> list[SceneInfo]:
        """The campaign's scenes outside Discord, oldest first, the current one marked."""
        return await list_scenes(self._database, identity)

    async def mark(self, entry_ids: Sequence[int], status: str) -> None:
        """Change the status of lines (e.g. to ``delivery_failed``) in one transaction."""
        async with self._database.session_scope() as session:
            await repos.set_transcript_status(session, entry_ids, status)


def export_markdown(lines: Iterable[TranscriptLine], *, campaign: str) -> str:
    """A readable log: a heading per scene, one bullet per line; user text escaped."""
    out = [f"# Transcript: {escape_markdown(campaign)}"]
    scene: str | None = None
    for line in lines:
        if line.scene != scene or len(out) == 1:
            scene = line.scene
            out += ["", f"## Scene: {escape_markdown(scene or '?')}", ""]
        status = "" if line.status == "ok" else f" ({line.status})"
        said = escape_markdown(line.content).replace("\n", " ")
        out.append(
            f"- {line.created_at:%Y-%m-%d %H:%M} **{escape_markdown(line.label)}**{status}: {said}"
        )
    if len(out) == 1:
        out += ["", "Nothing has happened in this campaign yet."]
    return "\n".join(out) + "\n"


def export_jsonl(lines: Iterable[TranscriptLine]) -> str:
    """One JSON object per line: ids, time, scene, role, speaker, content (status if not ok)."""
    keys = ("id", "scene", "created_at", "role", "speaker", "player_id", "character_id", "content")
    rows = (line.to_json() for line in lines)
    out = []
    for row in rows:
        picked = {key: row[key] for key in keys}
        if row["status"] != "ok":
            picked["status"] = row["status"]
        out.append(json.dumps(picked, ensure_ascii=False) + "\n")
    return "".join(out)


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
