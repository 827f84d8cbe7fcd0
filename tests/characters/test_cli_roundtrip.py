"""The real ``adv`` console script, as a subprocess, on a fresh database of each backend.

A whole round trip: create (from a file and from stdin), show, list, update
with a merge patch, switch, current, check, delete; the JSON Schema; and the
embedded SQLite default that needs no set-up at all.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from adventorator.sheet import CharacterSheet
from adventorator.storage import migrate
from tests.characters.support import (
    BARD,
    ROGUE,
    active_rows,
    character_rows,
    example_path,
    example_sheet,
    modifier,
    open_database,
    proficiency_bonus,
    run_sync,
)
from tests.processes import run_adv


def adv(
    *args: str, env: dict[str, str], stdin: str | None = None, user: str = "alice"
) -> subprocess.CompletedProcess[str]:
    return run_adv("--user", user, *args, env=env, stdin=stdin)


def adv_json(*args: str, env: dict[str, str], user: str = "alice") -> Any:
    done = adv(*args, "--json", env=env, user=user)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def stored(url: str) -> tuple[list[dict[str, Any]], list[tuple[int, int, int]]]:
    async def read() -> tuple[list[dict[str, Any]], list[tuple[int, int, int]]]:
        database = open_database(url)
        try:
            return await character_rows(database), await active_rows(database)
        finally:
            await database.dispose()

    return run_sync(read)


def test_round_trip_as_a_real_process(isolated_env: Path, fresh_database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": fresh_database_url}
    upgraded = adv("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr

    # create: from a file, and from standard input
    created = adv("sheet", "create", "--file", str(example_path("rogue")), env=env)
    assert (created.returncode, created.stdout) == (0, f"Saved {ROGUE}.\n"), created.stderr
    piped = adv(
        "sheet",
        "create",
        "--file",
        "-",
        env=env,
        stdin=example_path("bard").read_text(encoding="utf-8"),
    )
    playing = f"You are now playing {BARD}: it is your most recent character"
    assert (piped.returncode, piped.stdout) == (
        0,
        f"Saved {BARD}. {playing} (adv character switch NAME to choose).\n",
    ), piped.stderr
    rows, selections = stored(fresh_database_url)
    assert [(row["name"], row["owner"]) for row in rows] == [
        (ROGUE, "cli:alice"),
        (BARD, "cli:alice"),
    ]
    assert rows[0]["sheet"] == example_sheet("rogue").to_data()
    assert selections == []

    # show --json: the stored sheet plus derived values
    shown = adv_json("sheet", "show", "wren thistlefoot", env=env)
    derived = shown.pop("derived")
    updated_at = shown.pop("updated_at")
    assert shown == example_sheet("rogue").to_data()
    assert updated_at == rows[0]["updated_at"].isoformat()
    assert derived["proficiency_bonus"] == proficiency_bonus(5)
    assert derived["abilities"]["dex"] == {"score": 18, "modifier": 4}
    assert derived["skills"]["stealth"]["bonus"] == 4 + 2 * proficiency_bonus(5)
    assert derived["passive"]["perception"] == 10 + modifier(12) + proficiency_bonus(5)

    # list --json: the bard was written last, so it is active
    listed = adv_json("sheet", "list", env=env)["characters"]
    assert [(c["name"], c["class"], c["level"], c["active"]) for c in listed] == [
        (BARD, "Bard", 6, True),
        (ROGUE, "Rogue", 5, False),
    ]

    # update with a merge patch: the level change re-derives the proficiency bonus
    patch = '{"level": 9, "notes": null, "hp": {"current": 30}}'
    updated = adv("sheet", "update", ROGUE, "--json", patch, env=env)
    assert (updated.returncode, updated.stdout) == (0, f"Updated {ROGUE}.\n"), updated.stderr
    shown = adv_json("sheet", "show", ROGUE, env=env)
    assert shown["level"] == 9
    assert shown["notes"] == ""  # null removes it: back to the default
    assert shown["hp"] == {"current": 30, "max": 38, "temp": 0}
    assert shown["derived"]["proficiency_bonus"] == proficiency_bonus(9) == 4
    assert shown["derived"]["skills"]["stealth"]["bonus"] == 4 + 2 * 4

    # the rogue is now the most recent; switch makes the bard active for good
    assert adv_json("character", "current", env=env)["active"] == ROGUE
    switched = adv_json("character", "switch", "ysolde vane", env=env)
    assert switched["active"] == BARD
    assert adv("sheet", "update", ROGUE, "--json", '{"ac": 16}', env=env).returncode == 0
    current = adv_json("character", "current", env=env)
    assert (current["active"], current["class"], current["level"]) == (BARD, "Bard", 6)
    assert stored(fresh_database_url)[1] == [
        (rows[1]["campaign_id"], rows[1]["owner_id"], switched["id"])
    ]

    # check --json: the active bard, and the rogue by name
    save = adv_json("check", "--save", "str", "--dc", "10", "--seed", "4", env=env)
    assert [(t["source"], t["value"]) for t in save["breakdown"]] == [("STR modifier", -1)]
    assert save["total"] == save["kept"] - 1
    stealth = adv_json("check", "--skill", "stealth", "--character", ROGUE, "--seed", "4", env=env)
    assert [(t["source"], t["value"]) for t in stealth["breakdown"]] == [
        ("DEX modifier", 4),
        ("proficiency (expertise)", 8),
    ]

    # delete --yes: the selection goes with it and the rogue is active again
    deleted = adv("sheet", "delete", BARD, "--yes", env=env)
    assert (deleted.returncode, deleted.stdout) == (0, f"Deleted {BARD}.\n"), deleted.stderr
    rows, selections = stored(fresh_database_url)
    assert [row["name"] for row in rows] == [ROGUE]
    assert selections == []
    assert adv_json("character", "current", env=env)["active"] == ROGUE
    assert [c["name"] for c in adv_json("sheet", "list", env=env)["characters"]] == [ROGUE]


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in _refs(item)]
    return []


def _types(node: Any) -> set[str]:
    if isinstance(node, dict):
        kinds = node.get("type")
        found = {kinds} if isinstance(kinds, str) else set(kinds or ())
        for key, value in node.items():
            if key not in ("properties", "$defs"):
                found |= _types(value)
            else:  # property and definition names are not keywords
                found |= {kind for item in value.values() for kind in _types(item)}
        return found
    if isinstance(node, list):
        return {kind for item in node for kind in _types(item)}
    return set()


def test_sheet_schema_prints_a_json_schema(isolated_env: Path) -> None:
    done = adv("sheet", "schema", env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    schema = json.loads(done.stdout)

    assert schema == CharacterSheet.model_json_schema(by_alias=True)
    assert schema["type"] == "object"
    assert schema["title"] == "CharacterSheet"
    assert {"name", "class", "level", "abilities"} <= set(schema["required"])
    assert set(schema["required"]) <= set(schema["properties"])
    assert set(schema["properties"]) >= set(example_sheet("rogue").to_data())
    for ref in _refs(schema):  # every reference resolves inside the document
        assert ref.startswith("#/$defs/"), ref
        assert ref.removeprefix("#/$defs/") in schema["$defs"], ref
    assert _types(schema) <= {"object", "array", "string", "integer", "number", "boolean", "null"}
    dex = schema["properties"]["abilities"]["properties"]["dex"]
    assert (dex["type"], dex["minimum"], dex["maximum"]) == ("integer", 1, 30)


def test_embedded_sqlite_is_created_and_migrated_on_first_use(isolated_env: Path) -> None:
    env = dict(os.environ)
    assert "DATABASE_URL" not in env
    database_file = isolated_env / "xdg-data" / "adventorator" / "adventorator.db"
    assert not database_file.exists()

    listed = adv("sheet", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.strip() == "No characters in this campaign yet: `adv sheet create`."
    assert database_file.is_file()

    async def revisions() -> tuple[str, ...]:
        database = open_database(f"sqlite+aiosqlite:///{database_file}")
        try:
            return await migrate.current_revisions(database)
        finally:
            await database.dispose()

    assert run_sync(revisions) == migrate.head_revisions()

    created = adv("sheet", "create", "--file", str(example_path("fighter")), env=env)
    assert created.returncode == 0, created.stderr
    listed_json = adv_json("sheet", "list", env=env)
    assert listed_json == {
        "characters": [
            {
                "name": "Brannoc Ashvale",
                "class": "Fighter",
                "level": 8,
                "yours": True,
                "active": True,
                "damaged": False,
            }
        ]
    }
