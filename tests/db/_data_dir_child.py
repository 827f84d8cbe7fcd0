"""A child process of the shared data-directory test (tests/db/test_sqlite_files.py).

It says ``ready``, waits for ``go`` on stdin so that every child starts at
once, then builds engines on the embedded default many times, migrates it
(every child may be the first) and reads from it. Exit 2 and the message on
a DatabaseError.
"""

from __future__ import annotations

import asyncio
import sys

from sqlalchemy import text

from adventorator.config import load_settings
from adventorator.errors import DatabaseError
from adventorator.storage import migrate
from adventorator.storage.database import create_database


async def main(rounds: int) -> int:
    settings = load_settings()
    print("ready", flush=True)
    sys.stdin.readline()
    try:
        for _ in range(rounds):
            await create_database(settings).dispose()
        database = create_database(settings)
        try:
            await migrate.ensure_schema(database, auto_upgrade=True)
            async with database.session_scope() as session:
                await session.execute(text("SELECT count(*) FROM campaigns"))
        finally:
            await database.dispose()
    except DatabaseError as error:
        print(f"error: {error}", flush=True)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(int(sys.argv[1]))))
