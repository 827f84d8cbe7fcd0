"""The active character: explicit switch, else the only one, else the most recent one.

Each branch is shown through CharacterService, then through the command
handlers and the CLI that players use.
"""

from __future__ import annotations

import json
import random

import pytest

from adventorator.commands import Invocation, character, check, sheet
from adventorator.context import AppContext
from adventorator.errors import NotFoundError
from adventorator.rules.engine import Dnd5eRuleset
from adventorator.services.characters import CharacterService
from tests.characters.support import (
    BARD,
    ROGUE,
    Cli,
    Table,
    assert_one_line_error,
    example_path,
    identity,
    make_table,
    sheet_data,
)


async def active_name(table: Table, player: int) -> str | None:
    record = await table.service.get_active_character_for_user(player, table.campaign_id)
    return None if record is None else record.name


# Through the service -----------------------------------------------------------------


async def test_no_character_resolves_to_none(table: Table) -> None:
    await table.create(table.bob, "Bob's Only")
    assert await active_name(table, table.alice) is None


async def test_the_only_character_is_active_even_if_another_player_wrote_later(
    table: Table,
) -> None:
    await table.create(table.alice, "Solo")
    await table.create(table.bob, "Later")
    await table.set_level(table.bob, "Later", 3)
    assert await active_name(table, table.alice) == "Solo"
    assert await active_name(table, table.bob) == "Later"


async def test_of_several_the_most_recently_updated_is_active(table: Table) -> None:
    await table.create(table.alice, "First")
    await table.create(table.alice, "Second")
    assert await active_name(table, table.alice) == "Second"

    await table.set_level(table.alice, "First", 2)
    assert await active_name(table, table.alice) == "First"

    await table.set_level(table.alice, "Second", 2)
    assert await active_name(table, table.alice) == "Second"


async def test_an_explicit_switch_wins_over_a_more_recent_character(table: Table) -> None:
    await table.create(table.alice, "Chosen")
    await table.create(table.alice, "Other")
    switched = await table.service.switch(
        campaign_id=table.campaign_id, actor_id=table.alice, name="chosen"
    )
    assert switched.name == "Chosen"
    assert await active_name(table, table.alice) == "Chosen"

    await table.set_level(table.alice, "Other", 5)  # now clearly the most recent
    assert await active_name(table, table.alice) == "Chosen"

    await table.service.switch(campaign_id=table.campaign_id, actor_id=table.alice, name="Other")
    assert await active_name(table, table.alice) == "Other"


async def test_deleting_the_switched_character_falls_back_to_the_most_recent(
    table: Table,
) -> None:
    await table.create(table.alice, "Old")
    await table.create(table.alice, "Chosen")
    await table.create(table.alice, "Newest")
    await table.service.switch(campaign_id=table.campaign_id, actor_id=table.alice, name="Chosen")

    await table.service.delete(campaign_id=table.campaign_id, actor_id=table.alice, name="Chosen")
    assert await active_name(table, table.alice) == "Newest"

    await table.service.delete(campaign_id=table.campaign_id, actor_id=table.alice, name="Newest")
    assert await active_name(table, table.alice) == "Old"

    await table.service.delete(campaign_id=table.campaign_id, actor_id=table.alice, name="Old")
    assert await active_name(table, table.alice) is None


async def test_a_switch_is_per_campaign(table: Table) -> None:
    other = await make_table(table.database, table.service, campaign="elsewhere")
    await table.create(table.alice, "Here A")
    await table.create(table.alice, "Here B")
    await other.create(other.alice, "There A")
    await other.create(other.alice, "There B")

    await table.service.switch(campaign_id=table.campaign_id, actor_id=table.alice, name="Here A")

    assert await active_name(table, table.alice) == "Here A"
    assert await active_name(other, other.alice) == "There B"
    with pytest.raises(NotFoundError):  # names are looked up in the acting campaign only
        await table.service.switch(
            campaign_id=table.campaign_id, actor_id=table.alice, name="There A"
        )


# Through the handlers ----------------------------------------------------------------


async def test_handlers_use_the_active_character(migrated_url: str) -> None:
    app = AppContext({"database_url": migrated_url})
    try:
        alice = Invocation(
            app=app, rng=random.Random(7), ruleset=Dnd5eRuleset(), identity=identity("alice")
        )
        none = check.CheckOptions(skill="stealth")
        with pytest.raises(NotFoundError, match="create one with `adv sheet create"):
            await check.check(alice, none)

        for name, strength_score in (("Strong", 18), ("Weak", 6)):
            abilities = {**sheet_data(name)["abilities"], "str": strength_score}
            document = json.dumps(sheet_data(name, abilities=abilities))
            await sheet.create(alice, sheet.SheetCreateOptions(json=document))

        strength = check.CheckOptions(ability="str")
        current = await character.current(alice, character.CurrentOptions())
        assert current.data is not None
        assert current.data["active"] == "Weak"
        rolled = await check.check(alice, strength)
        assert rolled.data is not None
        assert rolled.data["modifier"] == -2

        await character.switch(alice, character.SwitchOptions(name="strong"))
        rolled = await check.check(alice, strength)
        assert rolled.data is not None
        assert rolled.data["modifier"] == 4
        listed = await sheet.list_sheets(alice, sheet.NoOptions())
        assert listed.data is not None
        assert {c["name"]: c["active"] for c in listed.data["characters"]} == {
            "Strong": True,
            "Weak": False,
        }
    finally:
        await app.aclose()


# Through the CLI ---------------------------------------------------------------------


def test_cli_check_without_a_character_says_how_to_create_one(cli: Cli) -> None:
    result = cli("check", "--skill", "stealth", "--dc", "15")
    assert_one_line_error(result, "you have no character", "create one with `adv sheet create")
    manual = cli("check", "--skill", "stealth", "--score", "18", "--proficient", "--seed", "1")
    assert manual.exit_code == 0, manual.output


def test_cli_switch_current_and_list_follow_the_rule(cli: Cli) -> None:
    assert cli("sheet", "create", "--file", str(example_path("rogue"))).exit_code == 0
    assert cli.json("character", "current")["active"] == ROGUE  # the only one

    assert cli("sheet", "create", "--file", str(example_path("bard"))).exit_code == 0
    assert cli.json("character", "current")["active"] == BARD  # the most recent

    switched = cli("character", "switch", "wren thistlefoot")
    assert switched.exit_code == 0, switched.output
    assert switched.stdout.strip() == f"You are now playing {ROGUE}."
    assert cli("sheet", "update", BARD, "--json", '{"level": 7}').exit_code == 0
    assert cli.json("character", "current")["active"] == ROGUE  # the switch still wins

    listed = cli.json("sheet", "list")["characters"]
    assert [(c["name"], c["active"], c["yours"]) for c in listed] == [
        (BARD, False, True),
        (ROGUE, True, True),
    ]
    plain = cli("sheet", "list").stdout.splitlines()
    assert plain == ["  Ysolde Vane: level 7 Bard (yours)", f"* {ROGUE}: level 5 Rogue (yours)"]

    for_bob = cli.json("sheet", "list", user="bob")["characters"]
    assert [(c["name"], c["active"], c["yours"]) for c in for_bob] == [
        (BARD, False, False),
        (ROGUE, False, False),
    ]
    assert_one_line_error(cli("character", "current", user="bob"), "no character")


async def test_a_fresh_service_sees_the_persisted_switch(table: Table) -> None:
    await table.create(table.alice, "Chosen")
    await table.create(table.alice, "Other")
    await table.service.switch(campaign_id=table.campaign_id, actor_id=table.alice, name="Chosen")
    another_process = CharacterService(table.database)
    record = await another_process.get_active_character_for_user(table.alice, table.campaign_id)
    assert record is not None
    assert record.name == "Chosen"
