"""What several repositories share: the backend's INSERT with ON CONFLICT."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from adventorator.storage.models import (
    Base,
)


def dialect_insert(session: AsyncSession) -> Any:
    """The backend's INSERT, which has ``on_conflict_do_nothing`` / ``_do_update``."""
    return backend_insert(session.get_bind().dialect.name)


def backend_insert(dialect: str) -> Any:
    """``dialect``'s INSERT construct, its dialect imported only when used: the
    Postgres dialect costs a SQLite command about 25 ms of CPU to import."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert
    from sqlalchemy.dialects import sqlite

    return sqlite.insert


async def insert_ignore(
    session: AsyncSession, model: type[Base], values: dict[str, Any], conflict: Sequence[str]
) -> None:
    statement = (
        dialect_insert(session)(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=conflict)
    )
    await session.execute(statement)
