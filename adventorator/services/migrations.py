"""What ``adv db`` does, one function per command, each returning its JSON result.

Each takes the database opened without the schema guard (these commands are
how a schema gets fixed); the CLI never imports ``storage/`` itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adventorator.storage.database import Database


async def upgrade(database: Database, revision: str = "head") -> dict[str, Any]:
    """Upgrade to ``revision``: ``{"database", "from", "to"}`` (revision lists)."""
    return await _move(database, revision, down=False)


async def downgrade(database: Database, revision: str) -> dict[str, Any]:
    """Downgrade to ``revision`` ('base': an empty schema), reported as ``upgrade`` is."""
    return await _move(database, revision, down=True)


async def _move(database: Database, revision: str, *, down: bool) -> dict[str, Any]:
    from adventorator.storage import migrate

    before = await migrate.current_revisions(database)
    await (migrate.downgrade if down else migrate.upgrade)(database, revision)
    after = await migrate.current_revisions(database)
    return {"database": database.describe(), "from": list(before), "to": list(after)}


async def status(database: Database) -> dict[str, Any]:
    """The recorded revisions, the code's head and the state (current, behind, ahead, empty)."""
    from adventorator.storage import migrate

    return {
        "database": database.describe(),
        "current": list(await migrate.current_revisions(database)),
        "head": list(migrate.head_revisions()),
        "state": (await migrate.schema_state(database)).value,
    }


async def history(database: Database) -> list[dict[str, Any]]:
    """Every migration, newest first, with ``head`` and ``applied`` marks."""
    from adventorator.storage import migrate

    return [revision.to_json() for revision in await migrate.history(database)]


async def verify(database: Database) -> dict[str, Any]:
    """Raise SchemaMismatchError unless the schema is at head and matches the models."""
    from adventorator.storage import migrate

    await migrate.ensure_schema(database, auto_upgrade=False)
    await migrate.check(database)
    return {"database": database.describe(), "ok": True}
