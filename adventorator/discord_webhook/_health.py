"""``GET /healthz``: the shared checks of ``services.health``, as JSON.

The endpoint is unauthenticated, so a failing database is reported only as
"database unavailable": the reason (which names host, port, database and
user) goes to the log, once per change, and ``adv doctor`` shows it in full.
Without the Discord keys the server is still healthy: ``config`` says the
interactions endpoint is disabled, and why.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from adventorator.errors import AdventoratorError
from adventorator.services.health import DatabaseCheck, DiscordCheck, check_database, check_discord

if TYPE_CHECKING:
    from adventorator.context import AppContext

log = logging.getLogger("adventorator.discord")

UNAVAILABLE = "database unavailable"


def discord_settings(app: AppContext) -> DiscordCheck:
    """The Discord check; settings that cannot even be read count as a problem."""
    try:
        return check_discord(app.settings)
    except AdventoratorError as error:
        return DiscordCheck(unset=(), problems={"settings": error.message}, application_id=None)


def config_report(discord: DiscordCheck) -> dict[str, Any]:
    """The ``config`` check: malformed keys fail it; missing ones disable the endpoint."""
    if discord.error is not None:
        return {"ok": False, "error": discord.error}
    if not discord.serving:
        return {"ok": True, "interactions": "disabled", "detail": discord.disabled_reason()}
    return {"ok": True, "interactions": "enabled"}


def database_report(check: DatabaseCheck) -> dict[str, dict[str, Any]]:
    """The ``database`` and ``migrations`` checks, without saying where the database is."""
    if not check.reachable:
        unavailable = {"ok": False, "error": UNAVAILABLE}
        return {"database": unavailable, "migrations": dict(unavailable)}
    migrations: dict[str, Any] = {"ok": check.schema_current, "state": check.schema}
    advice = check.schema_advice()
    if advice is not None:
        migrations["error"] = f"schema is {check.schema}: {advice}"
    return {"database": {"ok": True}, "migrations": migrations}


class HealthCheck:
    """The health report of one app; logs a database failure when its reason changes."""

    def __init__(self, app: AppContext, discord: DiscordCheck) -> None:
        self.app = app
        self._config = config_report(discord)  # the settings do not change while serving
        self._last_problem: str | None = None

    async def __call__(self) -> tuple[bool, dict[str, Any]]:
        """(healthy, report): every check with ``ok`` and, when failing, ``error``."""
        database = await check_database(self.app)
        self._log_change(database.problem)
        checks = {"config": dict(self._config), **database_report(database)}
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
