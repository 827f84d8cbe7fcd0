"""Health, in one place: the Discord settings, the database and its schema.

Every client renders the same checks its own way: ``adv doctor`` as findings
(with the database's detail), ``GET /healthz`` as JSON (with the detail
hidden), ``adv serve`` as its start-up check. The checks here never raise for
a failing database: they report it.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from adventorator.errors import AdventoratorError

if TYPE_CHECKING:
    from adventorator.config import Settings
    from adventorator.llm import LLMClient
    from adventorator.storage.database import Database


class HealthContext(Protocol):
    """What the checks use of a client's context (``AppContext`` satisfies it)."""

    @property
    def settings(self) -> Settings: ...

    async def database(self, *, check_schema: bool = True) -> Database: ...

    def llm(self) -> LLMClient | None: ...


Status = Literal["ok", "warn", "fail", "skip"]
POOL_SHARE_WARN = 0.85  # of max_connections, leaving room for admin and maintenance
DATABASE_TIMEOUT_S = 5.0  # /healthz answers within a load balancer's patience
PUBLIC_KEY = "DISCORD_PUBLIC_KEY"
APPLICATION_ID = "DISCORD_APPLICATION_ID"
BOT_TOKEN = "DISCORD_BOT_TOKEN"
SERVING = (PUBLIC_KEY, APPLICATION_ID)  # what the interactions endpoint needs
_HEX_KEY = re.compile(r"[0-9a-fA-F]{64}")
_SNOWFLAKE = re.compile(r"[0-9]{1,20}")  # ASCII digits: str.isdigit() also takes "²"


@dataclass(frozen=True)
class Finding:
    """One check's outcome."""

    check: str
    status: Status
    detail: str

    def to_json(self) -> dict[str, str]:
        return {"check": self.check, "status": self.status, "detail": self.detail}


def not_set(names: tuple[str, ...]) -> str:
    """``"A and B are not set"``."""
    return f"{' and '.join(names)} {'is' if len(names) == 1 else 'are'} not set"


# Discord ------------------------------------------------------------------


@dataclass(frozen=True)
class DiscordCheck:
    """What the Discord settings allow: serving interactions, registering commands."""

    unset: tuple[str, ...]  # of PUBLIC_KEY, APPLICATION_ID, BOT_TOKEN
    problems: Mapping[str, str]  # setting -> what is wrong with its value
    application_id: str | None

    def missing(self, *names: str) -> tuple[str, ...]:
        """Which of ``names`` are not set."""
        return tuple(name for name in names if name in self.unset)

    @property
    def error(self) -> str | None:
        """The malformed values, in one line, or None."""
        return "; ".join(self.problems.values()) or None

    @property
    def serving(self) -> bool:
        """Whether the interactions endpoint can verify and answer requests."""
        return not self.problems and not self.missing(*SERVING)

    @property
    def configured(self) -> bool:
        """Whether anyone tried to configure the endpoint (one of its keys is set)."""
        return len(self.missing(*SERVING)) < len(SERVING)

    def disabled_reason(self) -> str:
        """Why the interactions endpoint is disabled (only when it is not ``serving``)."""
        if self.error is not None:
            return f"the interactions endpoint is disabled: {self.error}"
        names = " and ".join(self.missing(*SERVING))
        verb = "is" if len(self.missing(*SERVING)) == 1 else "are"
        return f"the interactions endpoint is disabled until {names} {verb} set"


def check_discord(settings: Settings) -> DiscordCheck:
    """Which Discord settings are missing or malformed (values are never echoed)."""
    values = {
        PUBLIC_KEY: (settings.discord_public_key or "").strip(),
        APPLICATION_ID: (settings.discord_application_id or "").strip(),
        BOT_TOKEN: (settings.discord_bot_token or "").strip(),
    }
    problems = {}
    if values[PUBLIC_KEY] and not _HEX_KEY.fullmatch(values[PUBLIC_KEY]):
        problems[PUBLIC_KEY] = f"{PUBLIC_KEY} must be 64 hex characters (the Ed25519 public key)"
    if values[APPLICATION_ID] and not _SNOWFLAKE.fullmatch(values[APPLICATION_ID]):
        problems[APPLICATION_ID] = f"{APPLICATION_ID} must be a number (the application id)"
    return DiscordCheck(
        unset=tuple(name for name, value in values.items() if not value),
        problems=problems,
        application_id=values[APPLICATION_ID] or None,
    )


def discord_finding(check: DiscordCheck) -> Finding:
    """``adv doctor``'s view: a CLI-only install (nothing set) is skipped, not warned about."""
    if check.error is not None:
        return Finding("discord", "fail", check.error)
    if not check.configured:
        return Finding("discord", "skip", f"not configured ({check.disabled_reason()})")
    if not check.serving:
        return Finding("discord", "warn", check.disabled_reason())
    token = "key and token present"
    if check.missing(BOT_TOKEN):
        token = f"key present; {BOT_TOKEN} is not set (only `adv discord register` needs it)"
    return Finding("discord", "ok", f"application {check.application_id}; {token}")


# The database -------------------------------------------------------------


@dataclass(frozen=True)
class DatabaseCheck:
    """Whether the database answered, and its schema.

    ``problem`` (and ``where``) name host, port, database and user: for the
    log and ``adv doctor``, never for an unauthenticated endpoint.
    """

    problem: str | None = None
    where: str = ""
    elapsed_ms: float = 0.0
    schema: str | None = None  # "current", "empty", "behind" or "ahead"
    revisions: tuple[str, ...] = ()

    @property
    def reachable(self) -> bool:
        return self.problem is None

    @property
    def schema_current(self) -> bool:
        return self.schema == "current"

    def schema_advice(self) -> str | None:
        """What to do about the schema, or None when it is at head (or unknown)."""
        if self.schema_current or self.schema is None:
            return None
        return "upgrade Adventorator" if self.schema == "ahead" else "run `adv db upgrade`"


async def check_database(
    app: HealthContext, *, within: float | None = DATABASE_TIMEOUT_S, prepare: bool = False
) -> DatabaseCheck:
    """Connect and read the schema's revisions, within ``within`` seconds (None: no limit).

    ``prepare`` lets the embedded default upgrade itself first, as every
    command does on first use.
    """
    check, _database = await _probe(app, within=within, prepare=prepare)
    return check


async def _probe(
    app: HealthContext, *, within: float | None, prepare: bool
) -> tuple[DatabaseCheck, Database | None]:
    from adventorator.storage import schema

    try:
        async with asyncio.timeout(within):
            upgrade = prepare and app.settings.is_embedded_default
            database = await app.database(check_schema=upgrade)
            start = time.perf_counter()
            revisions = await schema.recorded_revisions(database)  # also proves the connection
            elapsed = (time.perf_counter() - start) * 1000
            state = await _schema_state(database, revisions)
    except AdventoratorError as error:
        return DatabaseCheck(problem=error.message), None
    except TimeoutError:
        return DatabaseCheck(problem=f"no answer within {within:g} s"), None
    check = DatabaseCheck(
        where=database.describe(), elapsed_ms=elapsed, schema=state, revisions=revisions
    )
    return check, database


async def _schema_state(database: Database, revisions: tuple[str, ...]) -> str:
    # At head (every poll of a healthy server) needs no Alembic; anything else
    # is rare, and Alembic's script directory tells behind from newer or foreign.
    from adventorator.storage.migrations import HEAD_REVISION

    if revisions == (HEAD_REVISION,):
        return "current"
    from adventorator.storage import migrate

    return (await migrate.schema_state(database)).value


# adv doctor ---------------------------------------------------------------


def fleet_connections(settings: Settings, instances: int) -> int:
    """The most connections a fleet can open: instances x (pool size + max overflow)."""
    return instances * (settings.db_pool_size + settings.db_max_overflow)


async def run_checks(app: HealthContext, *, instances: int) -> list[Finding]:
    """Every check of ``adv doctor``, in order; a failing connection skips those that need it."""
    check, database = await _probe(app, within=None, prepare=True)
    findings = [connection_finding(check)]
    if database is None:
        findings.append(Finding("migrations", "skip", "no database connection"))
        findings.append(Finding("pool sizing", "skip", "no database connection"))
    else:
        findings.append(migrations_finding(check))
        findings.append(await _pool_sizing(database, app.settings, instances))
    findings.append(await _llm(app))
    findings.append(discord_finding(check_discord(app.settings)))
    return findings


def connection_finding(check: DatabaseCheck) -> Finding:
    if check.problem is not None:
        return Finding("database connection", "fail", check.problem)
    return Finding("database connection", "ok", f"{check.where} ({check.elapsed_ms:.0f} ms)")


def migrations_finding(check: DatabaseCheck) -> Finding:
    current = ", ".join(check.revisions) or "none"
    advice = check.schema_advice()
    if advice is None:
        return Finding("migrations", "ok", f"at head ({current})")
    return Finding("migrations", "fail", f"schema is {check.schema} ({current}): {advice}")


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


async def _llm(app: HealthContext) -> Finding:
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


def summary(findings: list[Finding]) -> dict[str, Any]:
    return {
        "ok": not any(f.status == "fail" for f in findings),
        "checks": [f.to_json() for f in findings],
    }
