"""What several repositories share: the backend's INSERT with ON CONFLICT."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from adventorator.storage.models import (
    Base,
)


def dialect_insert(session: AsyncSession) -> Any:
    """The backend's INSERT, which has ``on_conflict_do_nothing`` / ``_do_update``."""
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


async def insert_ignore(
    session: AsyncSession, model: type[Base], values: dict[str, Any], conflict: Sequence[str]
) -> None:
    statement = (
        dialect_insert(session)(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=conflict)
    )
    await session.execute(statement)
