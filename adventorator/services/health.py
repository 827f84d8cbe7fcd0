"""``adv doctor``: check the database, migrations, pool sizing, the LLM and Discord."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from adventorator.errors import AdventoratorError

if TYPE_CHECKING:
    from adventorator.config import Settings
    from adventorator.context import AppContext
    from adventorator.storage.database import Database

Status = Literal["ok", "warn", "fail", "skip"]
POOL_SHARE_WARN = 0.85  # of max_connections, leaving room for admin and maintenance


@dataclass(frozen=True)
class Finding:
    """One check's outcome."""

    check: str
    status: Status
    detail: str

    def to_json(self) -> dict[str, str]:
        return {"check": self.check, "status": self.status, "detail": self.detail}


def fleet_connections(settings: Settings, instances: int) -> int:
    """The most connections a fleet can open: instances x (pool size + max overflow)."""
    return instances * (settings.db_pool_size + settings.db_max_overflow)


async def run_checks(app: AppContext, *, instances: int) -> list[Finding]:
    """Every check, in order; a failing connection skips those that need it."""
    findings = []
    try:
        # The embedded default upgrades itself on first use, as every command does.
        database = await app.database(check_schema=app.settings.is_embedded_default)
        findings.append(await _connection(database))
    except AdventoratorError as error:
        findings.append(Finding("database connection", "fail", error.message))
        database = None
    if database is None or findings[-1].status == "fail":
        findings.append(Finding("migrations", "skip", "no database connection"))
        findings.append(Finding("pool sizing", "skip", "no database connection"))
    else:
        findings.append(await _migrations(database))
        findings.append(await _pool_sizing(database, app.settings, instances))
    findings.append(await _llm(app))
    findings.append(_discord(app.settings))
    return findings


async def _connection(database: Database) -> Finding:
    from sqlalchemy import text

    start = time.perf_counter()
    async with database.session_scope() as session:
        await session.execute(text("SELECT 1"))
    elapsed = (time.perf_counter() - start) * 1000
    return Finding("database connection", "ok", f"{database.describe()} ({elapsed:.0f} ms)")


async def _migrations(database: Database) -> Finding:
    from adventorator.storage import migrate

    state = await migrate.schema_state(database)
    current = ", ".join(await migrate.current_revisions(database)) or "none"
    if state is migrate.SchemaState.CURRENT:
        return Finding("migrations", "ok", f"at head ({current})")
    advice = (
        "upgrade Adventorator" if state is migrate.SchemaState.AHEAD else "run `adv db upgrade`"
    )
    return Finding("migrations", "fail", f"schema is {state.value} ({current}): {advice}")


async def _pool_sizing(database: Database, settings: Settings, instances: int) -> Finding:
    if database.is_sqlite:
        return Finding("pool sizing", "skip", "SQLite has no connection pool to size")
    from sqlalchemy import text

    async with database.session_scope() as session:
        limit = int((await session.execute(text("SHOW max_connections"))).scalar_one())
    fleet = fleet_connections(settings, instances)
    share = fleet / limit
    detail = (
        f"{instances} instance(s) x ({settings.db_pool_size} + {settings.db_max_overflow}) = "
        f"{fleet} of max_connections {limit} ({share:.0%})"
    )
    if share > POOL_SHARE_WARN:
        return Finding("pool sizing", "warn", f"{detail}: above {POOL_SHARE_WARN:.0%}")
    return Finding("pool sizing", "ok", detail)


async def _llm(app: AppContext) -> Finding:
    from adventorator.errors import LLMError

    client = app.llm()
    if client is None:
        return Finding("llm", "ok", "offline narrator (ADVENTORATOR_LLM_MODEL is not set)")
    start = time.perf_counter()
    try:
        await client.complete_text([{"role": "user", "content": "Reply with: ok"}], name="doctor")
    except LLMError as error:
        return Finding("llm", "fail", f"{client.model}: {error.message}")
    elapsed = (time.perf_counter() - start) * 1000
    return Finding("llm", "ok", f"{client.model} answered in {elapsed:.0f} ms")


def _discord(settings: Settings) -> Finding:
    problems = []
    key = settings.discord_public_key
    if key is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", key):
        problems.append("DISCORD_PUBLIC_KEY is not 64 hex characters")
    app_id = settings.discord_application_id
    if app_id is not None and not app_id.isdigit():
        problems.append("DISCORD_APPLICATION_ID is not a number")
    if problems:
        return Finding("discord", "fail", "; ".join(problems))
    missing = [
        name
        for name, value in (
            ("DISCORD_PUBLIC_KEY", key),
            ("DISCORD_APPLICATION_ID", app_id),
            ("DISCORD_BOT_TOKEN", settings.discord_bot_token),
        )
        if not value
    ]
    if missing:
        return Finding("discord", "warn", f"not configured: {', '.join(missing)}")
    return Finding("discord", "ok", f"application {app_id}; key and token present")


def summary(findings: list[Finding]) -> dict[str, Any]:
    return {
        "ok": not any(f.status == "fail" for f in findings),
        "checks": [f.to_json() for f in findings],
    }
