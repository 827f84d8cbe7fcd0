"""What ``adv db`` does, one function per command, each returning its JSON result.

The CLI never imports ``storage/``: these open the context's database without
the schema guard (they are how a schema gets fixed) and call ``storage.migrate``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adventorator.context import AppContext


async def upgrade(app: AppContext, revision: str = "head") -> dict[str, Any]:
    """Upgrade to ``revision``: ``{"database", "from", "to"}`` (revision lists)."""
    return await _move(app, revision, down=False)


async def downgrade(app: AppContext, revision: str) -> dict[str, Any]:
    """Downgrade to ``revision`` ('base': an empty schema), reported as ``upgrade`` is."""
    return await _move(app, revision, down=True)


async def _move(app: AppContext, revision: str, *, down: bool) -> dict[str, Any]:
    from adventorator.storage import migrate

    database = await app.database(check_schema=False)
    before = await migrate.current_revisions(database)
    await (migrate.downgrade if down else migrate.upgrade)(database, revision)
    after = await migrate.current_revisions(database)
    return {"database": database.describe(), "from": list(before), "to": list(after)}


async def status(app: AppContext) -> dict[str, Any]:
    """The recorded revisions, the code's head and the state (current, behind, ahead, empty)."""
    from adventorator.storage import migrate

    database = await app.database(check_schema=False)
    return {
        "database": database.describe(),
        "current": list(await migrate.current_revisions(database)),
        "head": list(migrate.head_revisions()),
        "state": (await migrate.schema_state(database)).value,
    }


async def history(app: AppContext) -> list[dict[str, Any]]:
    """Every migration, newest first, with ``head`` and ``applied`` marks."""
    from adventorator.storage import migrate

    database = await app.database(check_schema=False)
    return [revision.to_json() for revision in await migrate.history(database)]


async def verify(app: AppContext) -> dict[str, Any]:
    """Raise SchemaMismatchError unless the schema is at head and matches the models."""
    from adventorator.storage import migrate

    database = await app.database(check_schema=False)
    await migrate.ensure_schema(database, auto_upgrade=False)
    await migrate.check(database)
    return {"database": database.describe(), "ok": True}
