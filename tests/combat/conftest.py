"""Fixtures for play state: the characters feature's databases, tables and CLI runner."""

from __future__ import annotations

from tests.characters.conftest import char_db, cli, table

__all__ = ["char_db", "cli", "table"]
