"""Helpers shared by these tests (plain code; the fixtures are in conftest.py)."""

from __future__ import annotations

import json
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from adventorator.commands import Invocation, Reply, character, play, sheet
from adventorator.context import AppContext
from adventorator.identity import Client, Identity
from adventorator.rules.engine import Dnd5eRuleset
from adventorator.services.transcripts import NewEntry
from adventorator.sheet import CharacterSheet, parse_sheet_json
from adventorator.storage.models import ActiveCharacter, Character, TranscriptEntry
from tests.fakes.openai_server import FakeLLMServer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


MODEL = "openai/fake-model"


ROGUE = "Wren Thistlefoot"


CAMPAIGN = "table"


def rogue_json() -> str:
    return (EXAMPLES / "rogue.json").read_text(encoding="utf-8")


def rogue_sheet() -> CharacterSheet:
    return parse_sheet_json(rogue_json())


def fighter_json(name: str, **changes: Any) -> str:
    """A minimal valid sheet: a level 1 Fighter with all tens."""
    data: dict[str, Any] = {
        "name": name,
        "class": "Fighter",
        "level": 1,
        "abilities": {"str": 10, "dex": 10, "con": 10, "int": 10, "wis": 10, "cha": 10},
        "hp": {"current": 12, "max": 12},
    }
    data.update(changes)
    return json.dumps(data)


def identity(user: str, *, client: Client = "cli") -> Identity:
    """``user`` at the table, as the CLI or Discord names them."""
    if client == "discord":
        return Identity(
            client="discord",
            campaign_key="discord:guild:1",
            player_key=f"discord:{user}",
            display_name=user,
            scene_key="discord:channel:1",
        )
    return Identity(
        client="cli", campaign_key=CAMPAIGN, player_key=f"cli:{user}", display_name=user
    )


def llm_settings(fake: FakeLLMServer, **more: Any) -> dict[str, Any]:
    """Settings that point the narrator and the planner at the fake server."""
    return {
        "llm_model": MODEL,
        "llm_api_base": fake.base_url,
        "llm_api_key": "test-key",
        **more,
    }


def proposal(
    skill: str | None = "stealth", *, dc: int | None = 15, action: str = "skill_check", **extra: Any
) -> dict[str, Any]:
    """A NarratorProposal JSON object as the fake LLM sends it."""
    return {
        "action": action,
        "ability": None,
        "skill": skill,
        "dc": dc,
        "reason": "Slipping past unseen is a matter of stealth.",
        **extra,
    }


def data(reply: Reply) -> dict[str, Any]:
    """A Reply's structured data (what --json prints)."""
    assert reply.data is not None, reply.text
    return dict(reply.data)


@dataclass(frozen=True)
class Row:
    """A stored transcript line."""

    id: int
    role: str
    status: str
    content: str
    meta: dict[str, Any] | None
    player_id: int | None
    character_id: int | None


@dataclass
class Table:
    """Players at one table, sharing one AppContext (one process) on one database."""

    app: AppContext
    url: str

    def invocation(
        self, user: str = "alice", *, client: Client = "cli", rng: random.Random | None = None
    ) -> Invocation:
        return Invocation(
            app=self.app,
            rng=rng or random.Random(7),
            ruleset=Dnd5eRuleset(),
            identity=identity(user, client=client),
        )

    async def create(self, document: str, *, user: str = "alice") -> None:
        await sheet.create(self.invocation(user), sheet.SheetCreateOptions(json=document))

    async def do(
        self,
        text: str,
        *,
        user: str = "alice",
        character_name: str | None = None,
        rng: random.Random | None = None,
    ) -> Reply:
        options = play.DoOptions(message=text, character=character_name)
        return await play.do(self.invocation(user, rng=rng), options)

    async def act(
        self, text: str, *, user: str = "alice", choose: int | None = None, client: Client = "cli"
    ) -> Reply:
        options = play.ActOptions(message=text, choose=choose)
        return await play.act(self.invocation(user, client=client), options)

    async def transcript(self, *, user: str = "alice", limit: int = 20) -> Reply:
        options = play.TranscriptOptions(limit=limit)
        return await play.transcript_show(self.invocation(user), options)

    async def switch(self, name: str, *, user: str = "alice") -> None:
        await character.switch(self.invocation(user), character.SwitchOptions(name=name))

    async def record_lines(self, lines: list[tuple[str, str]], *, user: str = "alice") -> None:
        """Write earlier play straight through the TranscriptService."""
        ids = await self.app.resolve(identity(user))
        service = await self.app.transcripts()
        await service.record(
            [NewEntry(role, content) for role, content in lines],
            campaign_id=ids.campaign_id,
            scene_id=ids.scene_id,
            player_id=ids.player_id,
            character_id=None,
        )

    async def rows(self) -> list[Row]:
        """Every transcript line in the database, oldest first."""
        database = await self.app.database()
        async with database.session_scope() as session:
            found = await session.scalars(select(TranscriptEntry).order_by(TranscriptEntry.id))
            return [
                Row(r.id, r.role, r.status, r.content, r.meta, r.player_id, r.character_id)
                for r in found
            ]

    async def stored_sheet(self, name: str) -> dict[str, Any]:
        """The sheet JSON as stored (not through the character cache)."""
        database = await self.app.database()
        async with database.session_scope() as session:
            query = select(Character.sheet).where(Character.name == name)
            return dict((await session.execute(query)).scalar_one())

    async def active_selections(self) -> list[tuple[int, int]]:
        """(player_id, character_id) of every explicit ``character switch``."""
        database = await self.app.database()
        async with database.session_scope() as session:
            query = select(ActiveCharacter.player_id, ActiveCharacter.character_id)
            return [(p, c) for p, c in (await session.execute(query)).all()]


MakeTable = Callable[..., Awaitable[Table]]


def assert_full_turn(rows: list[Row], reply: Reply, *, player_text: str) -> None:
    """The whole turn, and only it: the player's line, the mechanics, the narration."""
    turn = data(reply)
    assert not turn["rejected"]
    assert [r.role for r in rows] == ["player", "mechanics", "narrator"]
    assert [r.status for r in rows] == ["ok", "ok", "ok"]
    assert [r.id for r in rows] == turn["transcript_ids"]
    player, mechanics, narrator = rows
    assert player.content == player_text
    assert mechanics.meta is not None
    assert mechanics.meta["check"] == turn["check"]
    assert mechanics.content in reply.text.splitlines()  # the check line, as shown
    assert narrator.content == turn["narration"]
    assert narrator.meta is not None
    assert narrator.meta["narrator"] == turn["narrator"]
    if turn["notice"] is None:  # an LLM failure is kept with the narration
        assert "llm_failure" not in narrator.meta
    else:
        assert narrator.meta["llm_failure"] in turn["notice"]


def assert_rejected_pair(rows: list[Row], reply: Reply, *, player_text: str, why: str) -> None:
    """A rejected turn: the player's line and one error-marked system line, nothing rolled."""
    turn = data(reply)
    assert turn["rejected"] is True
    assert turn["check"] is None
    assert turn["narration"] == ""
    assert why in turn["reason"]
    assert reply.ephemeral
    assert reply.text.endswith(f"rejected: {turn['reason']}. Nothing was rolled.")
    assert [(r.role, r.status) for r in rows] == [("player", "ok"), ("system", "error")]
    assert [r.id for r in rows] == turn["transcript_ids"]
    assert rows[0].content == player_text
    assert rows[1].content == f"Rejected: {turn['reason']}"
    assert rows[1].meta is not None
    assert rows[1].meta["reason"] == turn["reason"]
