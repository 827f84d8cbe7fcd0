"""``GET /healthz``: configuration, database and schema, each reported on its own."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from adventorator.errors import AdventoratorError

if TYPE_CHECKING:
    from adventorator.app import AppContext

DATABASE_TIMEOUT_S = 5.0


def config_problem(app: AppContext) -> str | None:
    """What is missing to serve interactions, or None."""
    from adventorator.discord_webhook._verify import parse_public_key

    settings = app.settings
    missing = [
        name
        for name, value in (
            ("DISCORD_PUBLIC_KEY", settings.discord_public_key),
            ("DISCORD_APPLICATION_ID", settings.discord_application_id),
        )
        if not (value or "").strip()
    ]
    if missing:
        return f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set"
    parse_public_key(settings.discord_public_key or "")
    return None


async def health(app: AppContext) -> tuple[bool, dict[str, Any]]:
    """(healthy, report): every check with ``ok`` and, when failing, ``error``."""
    checks: dict[str, dict[str, Any]] = {}
    try:
        problem = config_problem(app)
    except AdventoratorError as error:
        problem = error.message
    checks["config"] = {"ok": problem is None, **({"error": problem} if problem else {})}
    checks.update(await _database_checks(app))
    healthy = all(check["ok"] for check in checks.values())
    return healthy, {"status": "ok" if healthy else "fail", "checks": checks}


async def _database_checks(app: AppContext) -> dict[str, dict[str, Any]]:
    from adventorator import migrate

    try:
        database = await app.database(check_schema=False)
        state = await asyncio.wait_for(migrate.schema_state(database), DATABASE_TIMEOUT_S)
    except AdventoratorError as error:
        failed = {"ok": False, "error": error.message}
        return {"database": failed, "migrations": {"ok": False, "error": "database unavailable"}}
    except TimeoutError:
        failed = {"ok": False, "error": f"no answer within {DATABASE_TIMEOUT_S:g} s"}
        return {"database": failed, "migrations": {"ok": False, "error": "database unavailable"}}
    migrations: dict[str, Any] = {"ok": state is migrate.SchemaState.CURRENT, "state": state.value}
    if not migrations["ok"]:
        migrations["error"] = f"schema is {state.value}: run `adv db upgrade`"
    return {"database": {"ok": True}, "migrations": migrations}
