"""No acknowledged write is lost, and reads write nothing (SQLite and PostgreSQL).

Concurrent writers are real: tasks on several engines of one database (as
several app instances would be), and a few real ``adv`` processes. Every
write that reports success must be in the final state.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from adventorator.rules.srd import Skill
from adventorator.services.characters import CharacterService
from adventorator.services.identities import IdentityService
from adventorator.sheet import apply_merge_patch, parse_sheet_data
from adventorator.storage.database import Database
from adventorator.storage.models import Campaign, Player, Scene
from tests.characters.support import (
    Cli,
    active_rows,
    assert_one_line_error,
    character_rows,
    identity,
    make_sheet,
    open_database,
    sheet_data,
)
from tests.processes import adv_env, finish, run_adv, start_adv

SKILLS = sorted(skill.value for skill in Skill)  # eighteen of them
INSTANCES = 3


@dataclass
class Fleet:
    """Services on separate engines of one database: several app instances."""

    databases: list[Database]
    services: list[CharacterService]

    @property
    def database(self) -> Database:
        return self.databases[0]

    def __getitem__(self, number: int) -> CharacterService:
        return self.services[number % len(self.services)]


@pytest.fixture
async def instances(migrated_url: str) -> AsyncIterator[Fleet]:
    databases = [open_database(migrated_url) for _ in range(INSTANCES)]
    yield Fleet(databases, [CharacterService(database, cache_size=0) for database in databases])
    for database in databases:
        await database.dispose()


async def _ids(database: Database, user: str) -> tuple[int, int]:
    """Campaign and player ids of ``user`` in the CLI's default campaign."""
    resolved = await IdentityService(database).resolve(identity(user, "default"))
    return resolved.campaign_id, resolved.player_id


async def test_eighteen_concurrent_patches_all_land(instances: Fleet) -> None:
    database = instances.database
    campaign, alice = await _ids(database, "alice")
    await instances[0].create(campaign_id=campaign, owner_id=alice, sheet=make_sheet("Target"))

    async def patch(number: int, skill: str) -> None:
        def change(stored: dict[str, Any]) -> Any:
            return parse_sheet_data(apply_merge_patch(stored, {"skills": {skill: "proficient"}}))

        service = instances[number]
        await service.update(campaign_id=campaign, actor_id=alice, name="Target", change=change)

    await asyncio.gather(*(patch(number, skill) for number, skill in enumerate(SKILLS)))

    [row] = await character_rows(database)
    assert sorted(row["sheet"]["skills"]) == SKILLS
    assert all(level == "proficient" for level in row["sheet"]["skills"].values())


async def test_concurrent_create_replace_of_one_new_name_all_succeed(
    instances: Fleet,
) -> None:
    database = instances.database
    campaign, alice = await _ids(database, "alice")

    async def create(number: int) -> int:
        record = await instances[number].create(
            campaign_id=campaign,
            owner_id=alice,
            sheet=make_sheet("Newcomer", level=number + 1),
            replace=True,
        )
        return record.sheet.level

    levels = await asyncio.gather(*(create(number) for number in range(8)))

    assert sorted(levels) == list(range(1, 9))  # every call reported its own sheet saved
    [row] = await character_rows(database)
    assert row["name"] == "Newcomer"
    assert row["sheet"]["level"] in levels


async def test_concurrent_creates_without_replace_save_exactly_one(
    instances: Fleet,
) -> None:
    database = instances.database
    campaign, alice = await _ids(database, "alice")
    results = await asyncio.gather(
        *(
            instances[n].create(
                campaign_id=campaign, owner_id=alice, sheet=make_sheet("Only", level=n + 1)
            )
            for n in range(6)
        ),
        return_exceptions=True,
    )
    saved = [result for result in results if not isinstance(result, BaseException)]
    refused = [str(result) for result in results if isinstance(result, BaseException)]
    assert len(saved) == 1
    assert refused == ["a character named 'Only' already exists in this campaign"] * 5
    [row] = await character_rows(database)
    assert row["sheet"]["level"] == saved[0].sheet.level


async def test_concurrent_switches_leave_one_selection(
    instances: Fleet,
) -> None:
    database = instances.database
    campaign, alice = await _ids(database, "alice")
    names = [f"Hero {n}" for n in range(6)]
    for name in names:
        await instances[0].create(campaign_id=campaign, owner_id=alice, sheet=make_sheet(name))

    chosen = await asyncio.gather(
        *(
            instances[n].switch(campaign_id=campaign, actor_id=alice, name=name)
            for n, name in enumerate(names)
        )
    )

    selections = await active_rows(database)
    assert len(selections) == 1
    assert selections[0][2] in {record.id for record in chosen}


def _adv(url: str, home: Path, *args: str) -> subprocess.Popen[str]:
    return start_adv("--user", "alice", *args, env=adv_env(home=home, DATABASE_URL=url))


def test_concurrent_update_processes_all_land(cli: Cli, tmp_path: Path) -> None:
    created = cli("sheet", "create", "--json", json.dumps(sheet_data("Target")))
    assert created.exit_code == 0, created.output
    skills = SKILLS[:8]
    patches = [json.dumps({"skills": {skill: "proficient"}}) for skill in skills]
    processes = [
        _adv(cli.url, tmp_path, "sheet", "update", "Target", "--json", patch) for patch in patches
    ]
    outcomes = finish(processes)

    assert [code for code, _, _ in outcomes] == [0] * len(skills), outcomes
    assert all(out.strip() == "Updated Target." for _, out, _ in outcomes)
    [row] = cli.rows()
    assert sorted(row["sheet"]["skills"]) == skills


def test_concurrent_create_replace_processes_all_succeed(cli: Cli, tmp_path: Path) -> None:
    documents = [json.dumps(sheet_data("Newcomer", level=n + 1)) for n in range(8)]
    processes = [
        _adv(cli.url, tmp_path, "sheet", "create", "--replace", "--json", document)
        for document in documents
    ]
    outcomes = finish(processes)

    assert [code for code, _, _ in outcomes] == [0] * 8, outcomes
    assert [row["name"] for row in cli.rows()] == ["Newcomer"]


# Reads write nothing -----------------------------------------------------------------


async def _identity_rows(url: str) -> tuple[int, int, int]:
    database = open_database(url)
    try:
        async with database.session_scope() as session:
            counts = [
                (await session.execute(select(func.count()).select_from(model))).scalar_one()
                for model in (Campaign, Player, Scene)
            ]
        return counts[0], counts[1], counts[2]
    finally:
        await database.dispose()


READS = (
    ("sheet", "list"),
    ("sheet", "show", "Somebody"),
    ("sheet", "show"),
    ("character", "current"),
    ("transcript", "show"),
    ("check", "--skill", "stealth", "--character", "Somebody"),
)


@pytest.mark.parametrize("argv", READS, ids=[" ".join(argv) for argv in READS])
async def test_reads_by_a_new_player_in_a_new_campaign_create_no_rows(
    cli: Cli, argv: tuple[str, ...]
) -> None:
    before = await _identity_rows(cli.url)
    result = await asyncio.to_thread(cli, "--campaign", "never-seen", *argv, user="newcomer")
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
    assert await _identity_rows(cli.url) == before


@pytest.mark.parametrize("backend", ["sqlite"])  # SQLite's single writer lock
def test_a_read_is_not_blocked_by_a_sqlite_writer_in_another_process(cli: Cli) -> None:
    url = make_url(cli.url)
    assert cli("sheet", "create", "--json", json.dumps(sheet_data("Target"))).exit_code == 0
    writer = sqlite3.connect(str(url.database), isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # holds the write lock, as a long write would
        env = adv_env(os.environ, DATABASE_URL=cli.url)
        shown = run_adv("--user", "reader", "--campaign", "elsewhere", "sheet", "list", env=env)
        listed = run_adv("--user", "alice", "sheet", "show", "Target", "--json", env=env)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("No characters in this campaign yet")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)["name"] == "Target"


# Limits and damaged rows ------------------------------------------------------------


def test_a_player_may_not_create_past_the_sheet_limit(cli: Cli) -> None:
    from adventorator.limits import SHEETS_PER_PLAYER

    async def fill() -> None:
        database = open_database(cli.url)
        try:
            campaign, alice = await _ids(database, "alice")
            service = CharacterService(database)
            for number in range(SHEETS_PER_PLAYER):
                await service.create(
                    campaign_id=campaign, owner_id=alice, sheet=make_sheet(f"Hero {number}")
                )
        finally:
            await database.dispose()

    asyncio.run(fill())
    result = cli("sheet", "create", "--json", json.dumps(sheet_data("One Too Many")))
    assert_one_line_error(
        result,
        f"you have {SHEETS_PER_PLAYER} characters in this campaign, the limit "
        f"({SHEETS_PER_PLAYER}); delete one first",
    )
    assert len(cli.rows()) == SHEETS_PER_PLAYER
    # Replacing one you have is not a new character.
    replaced = cli("sheet", "create", "--replace", "--json", json.dumps(sheet_data("Hero 0")))
    assert replaced.exit_code == 0, replaced.output
    # Another player still has room.
    assert (
        cli("sheet", "create", "--json", json.dumps(sheet_data("Bob's")), user="bob").exit_code == 0
    )


def _damage(url: str, name: str, sheet: dict[str, Any]) -> None:
    """Store a sheet that no longer validates, as an old version or a manual edit could."""
    from adventorator.storage import repos

    async def write() -> None:
        database = open_database(url)
        try:
            async with database.session_scope() as session:
                campaign, alice = await _ids(database, "alice")
                await repos.insert_character(
                    session, campaign_id=campaign, owner_id=alice, name=name, sheet=sheet
                )
        finally:
            await database.dispose()

    asyncio.run(write())


def test_one_damaged_row_does_not_hide_the_others(cli: Cli) -> None:
    assert cli("sheet", "create", "--json", json.dumps(sheet_data("Healthy"))).exit_code == 0
    _damage(cli.url, "Broken", {**sheet_data("Broken"), "level": "lots"})

    listed = cli("sheet", "list")
    assert listed.exit_code == 0, listed.output
    assert "Healthy: level 1 Fighter" in listed.stdout
    assert "Broken: stored sheet is damaged (repair it with sheet update)" in listed.stdout
    as_json = cli.json("sheet", "list")["characters"]
    assert {c["name"]: c["damaged"] for c in as_json} == {"Healthy": False, "Broken": True}

    shown = cli("sheet", "show", "Broken")
    assert_one_line_error(shown, "the stored sheet of 'Broken' no longer validates")
    # A patch applies to the stored document, so it can repair it.
    repaired = cli("sheet", "update", "Broken", "--json", '{"level": 3}')
    assert repaired.exit_code == 0, repaired.output
    assert cli.json("sheet", "show", "Broken")["level"] == 3


# Autocomplete reads names only ------------------------------------------------------


async def test_names_are_prefix_first_then_contained_and_bounded(
    instances: Fleet,
) -> None:
    service = instances[0]
    database = instances.database
    campaign, alice = await _ids(database, "alice")
    for name in ("Wren", "Wrenna", "Awren", "Bob", "100% Pure", "Under_score", "Zoë"):
        await service.create(campaign_id=campaign, owner_id=alice, sheet=make_sheet(name))

    assert await service.names(campaign, "wren") == ["Wren", "Wrenna", "Awren"]
    assert await service.names(campaign, "WR", limit=1) == ["Wren"]
    assert await service.names(campaign, "%") == ["100% Pure"]  # not a wildcard
    assert await service.names(campaign, "_") == ["Under_score"]
    assert await service.names(campaign, "zoe\u0308") == ["Zoë"]
    assert len(await service.names(campaign, "")) == 7
    assert await service.names(None, "wren") == []
