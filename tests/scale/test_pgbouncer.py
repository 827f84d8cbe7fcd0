"""Behind a real PgBouncer in transaction mode: ADVENTORATOR_DB_PGBOUNCER=true.

With the setting on, 50 concurrent mixed commands run with zero errors. With
it off, asyncpg's named prepared statements meet on shared server
connections and commands fail: the failure the setting exists for.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from adventorator.commands import Invocation, check, play, roll, sheet
from adventorator.context import AppContext
from adventorator.identity import Identity
from adventorator.storage import migrate
from tests.scale.pgbouncer import pgbouncer_binary, running_pgbouncer
from tests.support import PostgresServer

# CI installs PgBouncer (.ci/run), so there a missing binary fails rather than skips.
pytestmark = pytest.mark.skipif(
    pgbouncer_binary() is None and not os.environ.get("CI"),
    reason="pgbouncer is not installed (Debian package pgbouncer)",
)
PLAYERS = 5
COMMANDS = 50


def _sheet(name: str) -> str:
    return json.dumps(
        {
            "name": name,
            "class": "Rogue",
            "level": 3,
            "abilities": {"str": 8, "dex": 16, "con": 12, "int": 10, "wis": 12, "cha": 10},
            "skills": {"stealth": "expertise"},
        }
    )


def _invocation(app: AppContext, player: int, seed: int) -> Invocation:
    identity = Identity(
        client="cli", campaign_key="bouncer", player_key=f"cli:p{player}", display_name=f"p{player}"
    )
    return Invocation(app=app, rng=random.Random(seed), identity=identity)


async def _mixed_command(app: AppContext, n: int) -> Any:
    invocation = _invocation(app, n % PLAYERS, n)
    match n % 5:
        case 0:
            return await sheet.create(
                invocation, sheet.SheetCreateOptions(json=_sheet(f"Extra {n}"))
            )
        case 1:
            return await check.check(invocation, check.CheckOptions(skill="stealth", dc=15))
        case 2:
            return await play.do(invocation, play.DoOptions(message="I sneak past the guard"))
        case 3:
            return await sheet.list_sheets(invocation, sheet.NoOptions())
        case _:
            return await roll.roll(invocation, roll.RollOptions(expr="2d20kh1"))


@pytest.fixture
def bouncer_urls(postgres_server: PostgresServer) -> Iterator[tuple[str, str]]:
    """(direct URL, URL through PgBouncer) of a fresh database."""
    direct = postgres_server.create()
    with running_pgbouncer(direct) as port:
        yield direct, make_url(direct).set(port=port).render_as_string(hide_password=False)


async def _prepare(direct: str) -> None:
    app = AppContext({"database_url": direct})
    try:
        await migrate.upgrade(await app.database(check_schema=False))
        for player in range(PLAYERS):
            invocation = _invocation(app, player, player)
            await sheet.create(invocation, sheet.SheetCreateOptions(json=_sheet(f"Rogue {player}")))
    finally:
        await app.aclose()


async def _run_load(url: str, *, pgbouncer: bool) -> list[BaseException]:
    app = AppContext({"database_url": url, "db_pgbouncer": pgbouncer})
    try:
        results = await asyncio.gather(
            *(_mixed_command(app, n) for n in range(COMMANDS)), return_exceptions=True
        )
    finally:
        await app.aclose()
    return [r for r in results if isinstance(r, BaseException)]


async def test_fifty_mixed_commands_through_pgbouncer_with_the_setting(
    bouncer_urls: tuple[str, str],
) -> None:
    direct, through = bouncer_urls
    await _prepare(direct)
    errors = await _run_load(through, pgbouncer=True)
    assert errors == []


async def test_without_the_setting_prepared_statements_collide(
    bouncer_urls: tuple[str, str],
) -> None:
    direct, through = bouncer_urls
    await _prepare(direct)
    errors = []
    for _ in range(3):  # collisions depend on scheduling; a few rounds make them certain
        errors += await _run_load(through, pgbouncer=False)
        if errors:
            break
    assert errors, "expected prepared statement collisions without ADVENTORATOR_DB_PGBOUNCER"
    assert any("prepared statement" in str(error).lower() for error in errors), errors[:3]
