"""A fight for the narrator-in-combat tests: Wren (alice's rogue) against goblins.

Built through the real commands (``init begin``, ``init add``, ``init next``) on
the Table of ``tests.play.support``; read back from the database.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from adventorator.commands import init
from adventorator.storage.models import Event
from tests.play.support import ROGUE, Table, rogue_json


async def fight(
    table: Table, *, goblins: int = 2, create: bool = False, monster: str = "goblin"
) -> None:
    """Wren (initiative 18) against ``goblins`` monsters (5), round 1: Wren's turn."""
    if create:
        await table.create(rogue_json())
    gm = table.invocation("alice")
    await init.begin(gm, init.NoOptions())
    await init.add(gm, init.AddOptions(name="Wren", init=18))
    await init.add(gm, init.AddOptions(name=monster, init=5, count=goblins))
    await init.next_turn(gm, init.TurnOptions())
    # init add makes the GM's newest sheet (a goblin) active: alice plays Wren.
    await table.switch(ROGUE)


async def next_turn(table: Table) -> None:
    await init.next_turn(table.invocation("alice"), init.TurnOptions())


async def hp(table: Table, name: str) -> int:
    """Current hit points as stored."""
    return int((await table.stored_sheet(name))["hp"]["current"])


async def events(table: Table, kind: str = "attack") -> list[dict[str, Any]]:
    database = await table.app.database()
    async with database.session_scope() as session:
        rows = await session.scalars(select(Event).where(Event.kind == kind).order_by(Event.id))
        return [{"before": r.before, "after": r.after, "summary": r.summary} for r in rows]


def attack_proposal(
    weapon: str | None = "Shortsword", target: str | None = "Goblin 1", **more: Any
) -> dict[str, Any]:
    """An attack NarratorProposal as the fake LLM sends it."""
    return {
        "action": "attack",
        "weapon": weapon,
        "target": target,
        "reason": "The player slashes at the goblin.",
        **more,
    }
