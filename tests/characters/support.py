"""Helpers shared by these tests (plain code; the fixtures are in conftest.py)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import event, select
from typer.testing import CliRunner, Result

from adventorator.config import load_settings
from adventorator.identity import Identity
from adventorator.services.characters import CharacterRecord, CharacterService
from adventorator.services.identities import IdentityService
from adventorator.sheet import CharacterSheet, parse_sheet_data, parse_sheet_json
from adventorator.storage.database import Database, create_database
from adventorator.storage.models import ActiveCharacter, Character, Player

T = TypeVar("T")


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


ROGUE = "Wren Thistlefoot"


BARD = "Ysolde Vane"


def example_path(name: str) -> Path:
    return EXAMPLES / f"{name}.json"


def example_text(name: str) -> str:
    return example_path(name).read_text(encoding="utf-8")


def example_sheet(name: str) -> CharacterSheet:
    return parse_sheet_json(example_text(name))


def sheet_data(name: str, **changes: Any) -> dict[str, Any]:
    """A minimal valid sheet document, with top-level fields replaced by ``changes``."""
    data: dict[str, Any] = {
        "name": name,
        "class": "Fighter",
        "level": 1,
        "abilities": {"str": 10, "dex": 10, "con": 10, "int": 10, "wis": 10, "cha": 10},
    }
    data.update(changes)
    return data


def make_sheet(name: str, **changes: Any) -> CharacterSheet:
    return parse_sheet_data(sheet_data(name, **changes))


def proficiency_bonus(level: int) -> int:
    """The SRD table, written out independently of the code under test."""
    return 2 + (level - 1) // 4


def modifier(score: int) -> int:
    return (score - 10) // 2


class FakeClock:
    """A monotonic clock that moves only when told to (the cache's injected timer)."""

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class StatementLog:
    """Every SQL statement one engine sends while the log is open."""

    def __init__(self, database: Database) -> None:
        self._engine = database.engine.sync_engine
        self.statements: list[str] = []

    def _record(self, *args: Any) -> None:
        # before_cursor_execute(conn, cursor, statement, parameters, context, executemany)
        self.statements.append(str(args[2]))

    def __enter__(self) -> StatementLog:
        event.listen(self._engine, "before_cursor_execute", self._record)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        event.remove(self._engine, "before_cursor_execute", self._record)

    def selects_from(self, table: str) -> int:
        """How many SELECTs read ``table`` (``characters`` is not ``active_characters``)."""
        pattern = re.compile(rf"^\s*SELECT\b.*\bFROM\s+\"?{table}\b", re.IGNORECASE | re.DOTALL)
        return sum(1 for statement in self.statements if pattern.search(statement))

    def writes(self) -> int:
        pattern = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
        return sum(1 for statement in self.statements if pattern.search(statement))


def run_sync(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine on a private loop: safe from sync tests and under a running loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()


def open_database(url: str) -> Database:
    return create_database(load_settings(database_url=url))


async def character_rows(database: Database) -> list[dict[str, Any]]:
    """Every stored character, oldest first, with its owner's identity."""
    query = (
        select(Character, Player.identity)
        .join(Player, Player.id == Character.owner_id)
        .order_by(Character.id)
    )
    async with database.session_scope() as session:
        return [
            {
                "id": row.id,
                "campaign_id": row.campaign_id,
                "owner_id": row.owner_id,
                "owner": identity,
                "name": row.name,
                "sheet": row.sheet,
                "updated_at": row.updated_at,
            }
            for row, identity in (await session.execute(query)).all()
        ]


async def active_rows(database: Database) -> list[tuple[int, int, int]]:
    """Every explicit selection: (campaign_id, player_id, character_id)."""
    query = select(
        ActiveCharacter.campaign_id, ActiveCharacter.player_id, ActiveCharacter.character_id
    ).order_by(ActiveCharacter.campaign_id, ActiveCharacter.player_id)
    async with database.session_scope() as session:
        rows = (await session.execute(query)).all()
        return [(campaign, player, chosen) for campaign, player, chosen in rows]


def identity(user: str, campaign: str = "table") -> Identity:
    return Identity(
        client="cli", campaign_key=campaign, player_key=f"cli:{user}", display_name=user
    )


@dataclass(frozen=True)
class Table:
    """One campaign with two players, alice and bob, and the service under test."""

    database: Database
    service: CharacterService
    campaign_id: int
    alice: int
    bob: int

    async def create(self, owner: int, name: str, **changes: Any) -> CharacterRecord:
        return await self.service.create(
            campaign_id=self.campaign_id, owner_id=owner, sheet=make_sheet(name, **changes)
        )

    async def set_level(self, actor: int, name: str, level: int) -> CharacterRecord:
        return await self.service.update(
            campaign_id=self.campaign_id,
            actor_id=actor,
            name=name,
            change=lambda stored: parse_sheet_data({**stored, "level": level}),
        )


async def make_table(
    database: Database, service: CharacterService, campaign: str = "table"
) -> Table:
    identities = IdentityService(database)
    alice = await identities.resolve(identity("alice", campaign))
    bob = await identities.resolve(identity("bob", campaign))
    return Table(database, service, alice.campaign_id, alice.player_id, bob.player_id)


@dataclass
class Cli:
    """``adv`` through Typer's runner on one migrated database."""

    url: str
    app: Any

    def __call__(self, *args: str, user: str = "alice", input: str | None = None) -> Result:
        return CliRunner().invoke(self.app, ["--user", user, *args], input=input)

    def json(self, *args: str, user: str = "alice", input: str | None = None) -> Any:
        result = self(*args, "--json", user=user, input=input)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def rows(self) -> list[dict[str, Any]]:
        return run_sync(lambda: self._read(character_rows))

    def selections(self) -> list[tuple[int, int, int]]:
        return run_sync(lambda: self._read(active_rows))

    async def _read(self, read: Callable[[Database], Coroutine[Any, Any, T]]) -> T:
        database = open_database(self.url)
        try:
            return await read(database)
        finally:
            await database.dispose()


def assert_one_line_error(result: Result, *fragments: str) -> str:
    """Exit code 2, nothing on stdout, one ``error: ...`` line holding every fragment."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]
