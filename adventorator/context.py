"""The application context a client builds once and hands to every command.

Everything in it is created on first use, so a command that needs neither
settings nor the database (``adv roll``) never imports pydantic-settings or
SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adventorator.identity import Identity

if TYPE_CHECKING:
    from adventorator.config import Settings
    from adventorator.llm import LLMClient
    from adventorator.services.cache_events import CharacterChangeListener
    from adventorator.services.characters import CharacterService
    from adventorator.services.encounters import EncounterService
    from adventorator.services.identities import IdentityService, KnownIdentity, ResolvedIdentity
    from adventorator.services.play_state import PlayStateService
    from adventorator.services.transcripts import TranscriptService
    from adventorator.storage.database import Database


class AppContext:
    """Lazily loaded settings and database for one process (CLI run or server)."""

    def __init__(self, overrides: dict[str, Any] | None = None) -> None:
        self._overrides = dict(overrides or {})
        self._settings: Settings | None = None
        self._database: Database | None = None
        self._schema_checked = False
        self._characters: CharacterService | None = None
        self._identities: IdentityService | None = None
        self._transcripts: TranscriptService | None = None
        self._play_state: PlayStateService | None = None
        self._encounters: EncounterService | None = None
        self._llm: LLMClient | None = None
        self._llm_loaded = False
        self._listener: CharacterChangeListener | None = None

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
            from adventorator.storage.database import create_database

            self._database = create_database(self.settings)
        if check_schema and not self._schema_checked:
            # One query at head; Alembic is imported only to refuse or migrate.
            from adventorator.storage.schema import ensure_schema

            await ensure_schema(self._database, auto_upgrade=self.settings.is_embedded_default)
            self._schema_checked = True
        return self._database

    async def characters(self) -> CharacterService:
        """The process-wide CharacterService (one cache per process)."""
        if self._characters is None:
            from adventorator.services.characters import CharacterService

            self._characters = CharacterService(
                await self.database(),
                cache_size=self.settings.character_cache_size,
                ttl=self.settings.character_cache_ttl,
            )
        return self._characters

    async def transcripts(self) -> TranscriptService:
        if self._transcripts is None:
            from adventorator.services.transcripts import TranscriptService

            self._transcripts = TranscriptService(await self.database())
        return self._transcripts

    async def play_state(self) -> PlayStateService:
        """Recorded changes to HP and conditions, through the same character cache."""
        if self._play_state is None:
            from adventorator.services.play_state import PlayStateService

            self._play_state = PlayStateService(await self.database(), await self.characters())
        return self._play_state

    async def encounters(self) -> EncounterService:
        """Encounters and initiative in scenes, through the same character cache."""
        if self._encounters is None:
            from adventorator.services.encounters import EncounterService

            self._encounters = EncounterService(await self.database(), await self.characters())
        return self._encounters

    def llm(self) -> LLMClient | None:
        """The configured LLM client, or None in offline mode (no model set)."""
        if not self._llm_loaded:
            from adventorator.llm import LLMClient

            self._llm = LLMClient.from_settings(self.settings)
            self._llm_loaded = True
        return self._llm

    async def resolve(self, identity: Identity) -> ResolvedIdentity:
        """Campaign, player and scene ids for ``identity`` (created on first use): for writes."""
        return await (await self._identity_service()).resolve(identity)

    async def lookup(self, identity: Identity) -> KnownIdentity:
        """The ids of ``identity``'s rows that exist, creating none: for reads."""
        return await (await self._identity_service()).lookup(identity)

    async def _identity_service(self) -> IdentityService:
        if self._identities is None:
            from adventorator.services.identities import IdentityService

            self._identities = IdentityService(await self.database())
        return self._identities

    async def start_cache_listener(self) -> CharacterChangeListener | None:
        """On Postgres, keep this process's character cache coherent with others'.

        For long-running servers; a one-shot CLI run has nothing to keep. Returns
        None on SQLite, where one process owns the database.
        """
        database = await self.database()
        if database.is_sqlite or self._listener is not None:
            return self._listener
        from sqlalchemy.engine import make_url

        from adventorator.config import normalise_database_url
        from adventorator.services.cache_events import CharacterChangeListener

        characters = await self.characters()
        direct = database.url.render_as_string(hide_password=False)
        url = normalise_database_url(self.settings.db_listen_url or direct)
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._listener = CharacterChangeListener(
            dsn,
            on_change=characters.invalidate,
            on_reconnect=characters.clear,
            connect_timeout=self.settings.db_connect_timeout,
        )
        self._listener.start()
        return self._listener

    def cli_identity(self) -> Identity:
        """The local player (``--user``) in the local campaign (``--campaign``)."""
        settings = self.settings
        return Identity(
            client="cli",
            campaign_key=settings.campaign,
            player_key=f"cli:{settings.user}",
            display_name=settings.user,
        )

    async def aclose(self) -> None:
        """Close the database; the services built on it are dropped with it."""
        if self._listener is not None:
            await self._listener.stop()
            self._listener = None
        if self._llm is not None:
            await self._llm.aclose()
        if self._database is not None:
            await self._database.dispose()
        self._database = None
        self._schema_checked = False
        self._characters = self._identities = self._transcripts = None
        self._play_state = None
        self._encounters = None
