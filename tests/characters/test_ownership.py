"""Anyone in a campaign may view a sheet; only its owner may change, delete or play it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from adventorator.errors import PermissionDeniedError
from tests.characters.support import (
    ROGUE,
    Cli,
    Table,
    active_rows,
    assert_one_line_error,
    character_rows,
    example_path,
    make_sheet,
)


async def _update(t: Table) -> Any:
    return await t.set_level(t.bob, "alice's own", 9)


async def _delete(t: Table) -> Any:
    return await t.service.delete(campaign_id=t.campaign_id, actor_id=t.bob, name="Alice's Own")


async def _switch(t: Table) -> Any:
    return await t.service.switch(campaign_id=t.campaign_id, actor_id=t.bob, name="Alice's Own")


async def _replace(t: Table) -> Any:
    return await t.service.create(
        campaign_id=t.campaign_id,
        owner_id=t.bob,
        sheet=make_sheet("ALICE'S OWN", level=20),
        replace=True,
    )


@pytest.mark.parametrize(
    ("act", "verb"),
    [(_update, "update"), (_delete, "delete"), (_switch, "switch to"), (_replace, "replace")],
    ids=["update", "delete", "switch", "replace"],
)
async def test_another_player_may_not_change_a_character(
    table: Table, act: Callable[[Table], Awaitable[Any]], verb: str
) -> None:
    await table.create(table.alice, "Alice's Own", level=2)
    before = await character_rows(table.database)

    with pytest.raises(PermissionDeniedError) as raised:
        await act(table)

    assert raised.value.message == (
        f'"Alice\'s Own" belongs to another player; you may only {verb} your own characters'
    )
    assert await character_rows(table.database) == before
    assert await active_rows(table.database) == []
    viewed = await table.service.get_by_name(table.campaign_id, "alice's own")
    assert (viewed.owner_id, viewed.sheet.level) == (table.alice, 2)
    assert await table.service.get_active_character_for_user(table.bob, table.campaign_id) is None


def test_cli_another_player_may_view_but_not_change(cli: Cli) -> None:
    assert cli("sheet", "create", "--file", str(example_path("rogue"))).exit_code == 0
    before = cli.rows()

    shown = cli.json("sheet", "show", "wren thistlefoot", user="bob")
    assert shown["name"] == ROGUE
    assert shown["derived"]["skills"]["stealth"]["bonus"] == 10
    plain = cli("sheet", "show", ROGUE, user="bob")
    assert plain.exit_code == 0, plain.output
    assert plain.stdout.startswith(f"{ROGUE}: level 5 Rogue (Thief)\n")

    refusals = {
        "update": ("sheet", "update", ROGUE, "--json", '{"level": 20}'),
        "delete": ("sheet", "delete", ROGUE, "--yes"),
        "switch to": ("character", "switch", ROGUE),
        "replace": ("sheet", "create", "--replace", "--file", str(example_path("rogue"))),
    }
    for verb, argv in refusals.items():
        assert_one_line_error(
            cli(*argv, user="bob"),
            f"'{ROGUE}' belongs to another player",
            f"you may only {verb} your own characters",
        )

    assert cli.rows() == before
    assert cli.selections() == []
    assert_one_line_error(cli("character", "current", user="bob"), "you have no character")
    assert cli.json("character", "current")["active"] == ROGUE  # the owner is unaffected
