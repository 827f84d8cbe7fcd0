"""Discord interactions: claimed once, answered once, replayed on redelivery."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adventorator.storage.models import (
    Base,
    Interaction,
    utcnow,
)
from adventorator.storage.repos._common import backend_insert

# Interactions (Discord idempotency) ----------------------------------------
#
# These run on every Discord interaction, so they take a Core ``AsyncConnection``
# (in autocommit mode, from ``InteractionService``) rather than an ORM session,
# and reuse prebuilt statements: the ORM session layer cost more than the
# statements themselves.

_INTERACTIONS = Base.metadata.tables[Interaction.__tablename__]
_CLAIM_STATEMENTS: dict[str, Any] = {}
_FINISH_STATEMENTS: dict[tuple[str, ...], Any] = {}
_GET_INTERACTION = select(_INTERACTIONS).where(_INTERACTIONS.c.id == bindparam("interaction_id"))
_CONSUME_INTERACTION = (
    update(_INTERACTIONS)
    .where(_INTERACTIONS.c.id == bindparam("interaction_id"), _INTERACTIONS.c.status == "done")
    .values(status="chosen")
)


def _claim_statement(dialect: str) -> Any:
    statement = _CLAIM_STATEMENTS.get(dialect)
    if statement is None:
        insert = backend_insert(dialect)
        statement = _CLAIM_STATEMENTS[dialect] = (
            insert(_INTERACTIONS)
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(_INTERACTIONS.c.id)
        )
    return statement


async def claim_interaction(
    connection: AsyncConnection,
    *,
    interaction_id: str,
    kind: str,
    user_id: str,
    command: str | None = None,
    response: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
    status: str = "running",
) -> bool:
    """Insert the interaction unless any instance already did; True when this call claimed it.

    One statement (``INSERT ... ON CONFLICT DO NOTHING RETURNING id``): of two
    instances racing on one id, exactly one gets True.
    """
    values = {
        "id": interaction_id,
        "kind": kind,
        "user_id": user_id,
        "command": command,
        "response": response,
        "meta": meta,
        "status": status,
        "created_at": utcnow(),
    }
    result = await connection.execute(_claim_statement(connection.dialect.name), values)
    return result.first() is not None


async def get_interaction(connection: AsyncConnection, interaction_id: str) -> RowMapping | None:
    """The interaction's row (columns by name), or None."""
    result = await connection.execute(_GET_INTERACTION, {"interaction_id": interaction_id})
    return result.mappings().first()


async def finish_interaction(
    connection: AsyncConnection,
    interaction_id: str,
    *,
    status: str = "done",
    response: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
) -> None:
    """Record the outcome; ``response`` and ``meta`` are only written when given."""
    values: dict[str, Any] = {"status": status}
    if response is not None:
        values["response"] = response
    if meta is not None:
        values["meta"] = meta
    columns = tuple(values)
    statement = _FINISH_STATEMENTS.get(columns)
    if statement is None:
        statement = _FINISH_STATEMENTS[columns] = (
            update(_INTERACTIONS)
            .where(_INTERACTIONS.c.id == bindparam("interaction_id"))
            .values({column: bindparam(f"new_{column}") for column in columns})
        )
    params = {f"new_{column}": value for column, value in values.items()}
    await connection.execute(statement, {"interaction_id": interaction_id, **params})


async def consume_interaction(connection: AsyncConnection, interaction_id: str) -> bool:
    """Move a ``done`` interaction to ``chosen``; False when it was not ``done`` (used already)."""
    result = await connection.execute(_CONSUME_INTERACTION, {"interaction_id": interaction_id})
    return bool(result.rowcount)


async def prune_interactions(connection: AsyncConnection, *, before: datetime) -> int:
    """Delete interactions created before ``before``; returns how many."""
    result = await connection.execute(
        delete(_INTERACTIONS).where(_INTERACTIONS.c.created_at < before)
    )
    return int(result.rowcount or 0)
