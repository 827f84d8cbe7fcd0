"""The application context a client builds once and hands to every command.

Everything in it is created on first use, so a command that needs neither
settings nor the database (``adv roll``) never imports pydantic-settings or
SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adventorator.commands._types import Identity
    from adventorator.config import Settings
    from adventorator.db import Database


class AppContext:
    """Lazily loaded settings and database for one process (CLI run or server)."""

    def __init__(self, overrides: dict[str, Any] | None = None) -> None:
        self._overrides = dict(overrides or {})
        self._settings: Settings | None = None
        self._database: Database | None = None
        self._schema_checked = False

    @property
    def overrides(self) -> dict[str, Any]:
        """Settings given on the command line (None means not given)."""
        return dict(self._overrides)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from adventorator.config import load_settings

            self._settings = load_settings(**self._overrides)
        return self._settings

    async def database(self, *, check_schema: bool = True) -> Database:
        """The database, with its schema checked (and upgraded if embedded) once."""
        if self._database is None:
            from adventorator.db import create_database

            self._database = create_database(self.settings)
        if check_schema and not self._schema_checked:
            from adventorator.migrate import ensure_schema

            await ensure_schema(self._database, auto_upgrade=self.settings.is_embedded_default)
            self._schema_checked = True
        return self._database

    def cli_identity(self) -> Identity:
        """The local player (``--user``) in the local campaign (``--campaign``)."""
        from adventorator.commands._types import Identity

        settings = self.settings
        return Identity(
            client="cli",
            campaign_key=settings.campaign,
            player_key=f"cli:{settings.user}",
            display_name=settings.user,
        )

    async def aclose(self) -> None:
        if self._database is not None:
            await self._database.dispose()
            self._database = None
