"""The schema check every command passes, in one query and without Alembic.

A database at head records exactly ``HEAD_REVISION`` in ``alembic_version``;
that is the everyday case and costs one ``SELECT``. Anything else (an empty,
foreign, behind or newer schema, or the embedded default to upgrade) goes to
``storage.migrate``, which imports Alembic and decides exactly as before.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import exc, text

from adventorator.storage.database import Database
from adventorator.storage.migrations import HEAD_REVISION

_UNDEFINED_TABLE = "42P01"  # Postgres SQLSTATE


async def recorded_revisions(database: Database) -> tuple[str, ...]:
    """The revisions ``alembic_version`` records, in one query (empty: no such table).

    Any other failure (a damaged file, an unreachable server) raises as a one-line
    DatabaseError, as every other query does.
    """
    async with database.connection_errors(), database.engine.connect() as connection:
        try:
            result = await connection.execute(text("SELECT version_num FROM alembic_version"))
        except exc.DBAPIError as error:
            if _is_missing_table(error):
                return ()
            raise
        return tuple(row[0] for row in result)


async def is_at_head(database: Database) -> bool:
    """Whether the database records exactly the head revision (one query)."""
    return await recorded_revisions(database) == (HEAD_REVISION,)


async def ensure_schema(database: Database, *, auto_upgrade: bool) -> None:
    """Return when the schema is at head; otherwise let ``migrate.ensure_schema``
    refuse it or (``auto_upgrade``, the embedded default) upgrade it."""
    if await is_at_head(database):
        return
    from adventorator.storage import migrate

    await migrate.ensure_schema(database, auto_upgrade=auto_upgrade)


def _is_missing_table(error: exc.DBAPIError) -> bool:
    if isinstance(error.orig, sqlite3.OperationalError):
        return str(error.orig).startswith("no such table")
    return str(getattr(error.orig, "sqlstate", None) or "") == _UNDEFINED_TABLE
