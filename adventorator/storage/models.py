"""ORM tables. Only ``repos.py`` builds queries over them.

One schema serves the CLI and Discord: a guild or the CLI's ``--campaign`` is a
campaign, a channel is a scene, a Discord user or the CLI's ``--user`` is a
player. Names are unique per campaign case-insensitively through ``name_key``,
a casefolded copy kept by the repository, which is portable across SQLite and
Postgres where an expression index would not be.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

# Deterministic constraint names keep migrations reviewable and let SQLite
# batch migrations find constraints by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TRANSCRIPT_ROLES = ("player", "narrator", "mechanics", "system")
TRANSCRIPT_STATUSES = ("ok", "error", "delivery_failed")


class JSONDocumentType(TypeDecorator[Any]):
    """JSONB on Postgres (indexable, compact), plain JSON text elsewhere.

    A decorator rather than ``JSON().with_variant(JSONB(), ...)``: building the
    variant imports the whole Postgres dialect (about 25 ms of CPU), which a
    command on SQLite never uses. Migrations render it as that variant
    (``migrations/env.py``).
    """

    impl = JSON
    cache_ok = True
    # As JSON's default (none_as_null=False): None is stored as JSON null.
    should_evaluate_none = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


JSONDocument = JSONDocumentType()
# SQLite only auto-increments an INTEGER PRIMARY KEY.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp on every backend (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        # SQLite stores the wall-clock time without its offset: store UTC.
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONDocument,
    }


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class Campaign(Timestamped, Base):
    """A table of players: a Discord guild, a DM, or the CLI's ``--campaign``."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # The game master: set to the first player resolved in the campaign, handed on by them.
    gm_player_id: Mapped[int | None] = mapped_column(
        ForeignKey("players.id", ondelete="SET NULL"), default=None
    )


class Player(Timestamped, Base):
    """A person, by client identity: ``cli:alice`` or ``discord:1234``."""

    __tablename__ = "players"

    id: Mapped[int] = mapped_column(primary_key=True)
    identity: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))


class Scene(Timestamped, Base):
    """Where play happens inside a campaign: a Discord channel or the CLI's default."""

    __tablename__ = "scenes"
    __table_args__ = (UniqueConstraint("campaign_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))


class Character(Timestamped, Base):
    """A character sheet (validated JSON) owned by one player in one campaign."""

    __tablename__ = "characters"
    __table_args__ = (
        UniqueConstraint("campaign_id", "name_key"),
        Index("ix_characters_owner_recent", "campaign_id", "owner_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("players.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100))
    sheet: Mapped[dict[str, Any]]
    # Bumped by every write: a write names the version it read (repos.update_character).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now()
    )


class ActiveCharacter(Base):
    """The character a player chose with ``character switch`` in a campaign."""

    __tablename__ = "active_characters"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    player_id: Mapped[int] = mapped_column(
        ForeignKey("players.id", ondelete="CASCADE"), primary_key=True
    )
    character_id: Mapped[int] = mapped_column(
        ForeignKey("characters.id", ondelete="CASCADE"), index=True
    )
    selected_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class TranscriptEntry(Timestamped, Base):
    """One line of play: what a player said, the mechanics, or the narration."""

    __tablename__ = "transcript_entries"
    __table_args__ = (
        CheckConstraint(f"role IN {TRANSCRIPT_ROLES}", name="role"),
        CheckConstraint(f"status IN {TRANSCRIPT_STATUSES}", name="status"),
        Index("ix_transcript_entries_scene_recent", "scene_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    scene_id: Mapped[int] = mapped_column(ForeignKey("scenes.id", ondelete="CASCADE"))
    player_id: Mapped[int | None] = mapped_column(
        ForeignKey("players.id", ondelete="SET NULL"), index=True
    )
    character_id: Mapped[int | None] = mapped_column(
        ForeignKey("characters.id", ondelete="SET NULL"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    meta: Mapped[dict[str, Any] | None]
    status: Mapped[str] = mapped_column(String(20), default="ok", server_default="ok")


class Event(Base):
    """One change to play state (HP, conditions): who, what, before and after.

    Written in the transaction that makes the change; ``undoes_id`` marks an
    undo, and is unique so one change is undone at most once.
    """

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_campaign_recent", "campaign_id", "id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    scene_id: Mapped[int | None] = mapped_column(ForeignKey("scenes.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("players.id", ondelete="SET NULL"))
    character_id: Mapped[int | None] = mapped_column(
        ForeignKey("characters.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    undoes_id: Mapped[int | None] = mapped_column(
        BigIntPK,
        ForeignKey("events.id", ondelete="SET NULL"),
        unique=True,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class Encounter(Timestamped, Base):
    """A fight in a scene: its round, whose turn it is and the effects with a duration.

    ``active_scene_id`` is the scene while it runs and NULL once it ended: unique,
    so a scene has at most one active encounter. ``turn`` indexes the combatants
    in ``order``; ``version`` is bumped by every write (repos.update_encounter).
    """

    __tablename__ = "encounters"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    scene_id: Mapped[int] = mapped_column(ForeignKey("scenes.id", ondelete="CASCADE"), index=True)
    active_scene_id: Mapped[int | None] = mapped_column(
        ForeignKey("scenes.id", ondelete="CASCADE"), unique=True
    )
    round: Mapped[int] = mapped_column(default=0, server_default="0")
    turn: Mapped[int] = mapped_column(default=0, server_default="0")
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    effects: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument, default=list)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now()
    )


class Combatant(Timestamped, Base):
    """A character sheet in an encounter, with its initiative and the tie-breakers."""

    __tablename__ = "combatants"
    __table_args__ = (UniqueConstraint("encounter_id", "character_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id", ondelete="CASCADE"))
    # A deleted sheet leaves the fight with it.
    character_id: Mapped[int] = mapped_column(
        ForeignKey("characters.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    initiative: Mapped[int | None] = mapped_column(default=None)
    modifier: Mapped[int] = mapped_column()
    dexterity: Mapped[int] = mapped_column()
    tiebreak: Mapped[int | None] = mapped_column(default=None)
    order: Mapped[int] = mapped_column(default=0, server_default="0")
    # Created by init add MONSTER: its sheet is deleted when it leaves the fight.
    monster: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    roll: Mapped[dict[str, Any] | None] = mapped_column(default=None)


INTERACTION_KINDS = ("command", "component")
INTERACTION_STATUSES = ("running", "done", "chosen")


class Interaction(Base):
    """A Discord interaction some instance claimed: answered once, replayed on redelivery.

    ``id`` is Discord's snowflake. The first instance to insert it runs it; any
    other (or a redelivery) answers with the stored ``response``. ``meta`` keeps
    what a later interaction needs, such as the choices behind buttons.
    """

    __tablename__ = "interactions"
    __table_args__ = (
        CheckConstraint(f"kind IN {INTERACTION_KINDS}", name="kind"),
        CheckConstraint(f"status IN {INTERACTION_STATUSES}", name="status"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    command: Mapped[str | None] = mapped_column(String(100))
    user_id: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(20), default="running", server_default="running")
    response: Mapped[dict[str, Any] | None]
    meta: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=func.now(), index=True
    )
