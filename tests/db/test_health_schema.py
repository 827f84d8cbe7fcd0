"""The health probe's schema verdict: one query at head, Alembic's verdict otherwise.

``/healthz`` polls this every few seconds, so at head it must not load Alembic;
off head it must say what Alembic says (behind, empty, ahead).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from adventorator.context import AppContext
from adventorator.services.health import check_database
from adventorator.storage import migrate
from adventorator.storage.migrations import HEAD_REVISION

# Probes a database at head in a fresh interpreter, then reports whether Alembic loaded.
PROBE_THEN_REPORT = (
    "import asyncio, sys\n"
    "from adventorator.context import AppContext\n"
    "from adventorator.services.health import check_database\n"
    "async def probe():\n"
    "    app = AppContext({'database_url': sys.argv[1]})\n"
    "    try:\n"
    "        return await check_database(app)\n"
    "    finally:\n"
    "        await app.aclose()\n"
    "check = asyncio.run(probe())\n"
    "print(check.schema, 'alembic' in sys.modules)\n"
)


async def test_at_head_the_probe_says_current(migrated_url: str) -> None:
    app = AppContext({"database_url": migrated_url})
    try:
        check = await check_database(app)
    finally:
        await app.aclose()
    assert check.problem is None
    assert check.schema == "current"
    assert check.revisions == (HEAD_REVISION,)


async def test_off_head_the_probe_says_what_alembic_says(fresh_database_url: str) -> None:
    app = AppContext({"database_url": fresh_database_url})
    try:
        empty = await check_database(app)
        database = await app.database(check_schema=False)
        await migrate.upgrade(database)
        await migrate.downgrade(database, "-1")
        behind = await check_database(app)
        expected = (await migrate.schema_state(database)).value
    finally:
        await app.aclose()
    assert (empty.schema, empty.revisions) == ("empty", ())
    assert behind.schema == expected == "behind"
    assert behind.schema_advice() == "run `adv db upgrade`"


def test_polling_a_database_at_head_never_loads_alembic(migrated_url: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE_THEN_REPORT, migrated_url],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert done.stdout.split() == ["current", "False"]
