"""The Alembic migrations of the schema (``env.py``, ``versions/``).

``HEAD_REVISION`` is the newest revision, so that every command can check the
schema with one query without importing Alembic (``storage.schema``). Adding a
migration means updating it; ``tests/db/test_schema_check.py`` fails until it
equals Alembic's own head.
"""

HEAD_REVISION = "c7d2e9a41f60"
