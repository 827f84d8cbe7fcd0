"""``GET /healthz``: configuration, database and schema, each reported on its own.

The endpoint is unauthenticated, so a failing database is reported only as
"database unavailable": the reason (which names host, port, database and
user) goes to the log, once per change, and ``adv doctor`` shows it in full.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from adventorator.errors import AdventoratorError

if TYPE_CHECKING:
    from adventorator.context import AppContext

log = logging.getLogger("adventorator.discord")

DATABASE_TIMEOUT_S = 5.0
UNAVAILABLE = "database unavailable"


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


class HealthCheck:
    """The health report of one app; logs a database failure when its reason changes."""

    def __init__(self, app: AppContext) -> None:
        self.app = app
        self._last_problem: str | None = None

    async def __call__(self) -> tuple[bool, dict[str, Any]]:
        """(healthy, report): every check with ``ok`` and, when failing, ``error``."""
        checks: dict[str, dict[str, Any]] = {}
        try:
            problem = config_problem(self.app)
        except AdventoratorError as error:
            problem = error.message
        checks["config"] = {"ok": problem is None, **({"error": problem} if problem else {})}
        database, detail = await _database_checks(self.app)
        self._log_change(detail)
        checks.update(database)
        healthy = all(check["ok"] for check in checks.values())
        return healthy, {"status": "ok" if healthy else "fail", "checks": checks}

    def _log_change(self, problem: str | None) -> None:
        # A load balancer polls every few seconds: one line per outage, not per poll.
        if problem != self._last_problem:
            if problem is not None:
                log.warning("healthz: %s: %s", UNAVAILABLE, problem)
            else:
                log.info("healthz: the database is reachable again")
        self._last_problem = problem


async def _database_checks(app: AppContext) -> tuple[dict[str, dict[str, Any]], str | None]:
    """The database and migrations checks, and why the database failed (for the log only)."""
    from adventorator.storage import migrate

    unavailable = {"ok": False, "error": UNAVAILABLE}
    try:
        database = await app.database(check_schema=False)
        state = await asyncio.wait_for(migrate.schema_state(database), DATABASE_TIMEOUT_S)
    except AdventoratorError as error:
        return {"database": unavailable, "migrations": unavailable}, error.message
    except TimeoutError:
        failed = {"database": unavailable, "migrations": unavailable}
        return failed, f"no answer within {DATABASE_TIMEOUT_S:g} s"
    migrations: dict[str, Any] = {"ok": state is migrate.SchemaState.CURRENT, "state": state.value}
    if not migrations["ok"]:
        migrations["error"] = f"schema is {state.value}: run `adv db upgrade`"
    return {"database": {"ok": True}, "migrations": migrations}, None
