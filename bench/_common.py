"""Helpers shared by the benchmarks: scratch Postgres databases and HTTP load clients."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

DEFAULT_ADMIN_URL = os.environ.get(
    "ADVENTORATOR_TEST_DATABASE_URL", "postgresql://root@127.0.0.1:5432/test"
)
"""Where the benches create and drop their scratch databases (``--admin-url``)."""

CLIENT_SHARE = 10
"""Connections per httpx client: one client's pool slows down with many connections
(it scans them all on every response), which would make the load generator the
bottleneck instead of the server."""


def admin_sql(admin_url: str, statement: str) -> None:
    """Run one statement outside a transaction (CREATE / DROP DATABASE)."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from adventorator.config import normalise_database_url

    async def run() -> None:
        engine = create_async_engine(
            normalise_database_url(admin_url), isolation_level="AUTOCOMMIT"
        )
        try:
            async with engine.connect() as connection:
                await connection.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(run())


@contextlib.contextmanager
def scratch_database(admin_url: str) -> Iterator[str]:
    """A new, empty database next to ``admin_url``'s; yields its URL, drops it after."""
    from sqlalchemy.engine import make_url

    from adventorator.config import normalise_database_url

    name = f"adv_bench_{uuid.uuid4().hex[:10]}"
    admin_sql(admin_url, f'CREATE DATABASE "{name}"')
    try:
        url = make_url(normalise_database_url(admin_url)).set(database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        admin_sql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def load_clients(concurrency: int) -> list[httpx.AsyncClient]:
    """Enough httpx clients for ``concurrency`` connections, CLIENT_SHARE each."""
    import httpx

    shares = -(-concurrency // CLIENT_SHARE)
    limits = httpx.Limits(max_connections=CLIENT_SHARE, max_keepalive_connections=CLIENT_SHARE)
    return [httpx.AsyncClient(limits=limits, timeout=30) for _ in range(shares)]


def tree_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process and its descendants (Linux /proc), or None."""
    own = _cpu_and_children(pid)
    if own is None:
        return None
    total, pending = own[0], list(own[1])
    while pending:
        child = _cpu_and_children(pending.pop())
        if child is not None:  # a child may have exited meanwhile
            total += child[0]
            pending.extend(child[1])
    return total


def _cpu_and_children(pid: int) -> tuple[float, list[int]] | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            # After the ")" closing the command name, utime and stime are fields 12 and 13.
            fields = stat.read().rpartition(")")[2].split()
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            kids = [int(child) for child in children.read().split()]
    except (OSError, ValueError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), kids
