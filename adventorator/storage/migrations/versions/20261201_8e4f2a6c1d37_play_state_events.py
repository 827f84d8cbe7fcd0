"""Play state events and the campaign's game master.

``events`` records every change to play state (HP, conditions) with its
before and after, written in the change's transaction; ``undoes_id`` is
unique, so a change is undone at most once even by racing undos.
``campaigns.gm_player_id`` is the game master (the first player by default).

Revision ID: 8e4f2a6c1d37
Revises: 5b1e0c7a9d42
Create Date: 2026-12-01 11:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "8e4f2a6c1d37"
down_revision: str | None = "5b1e0c7a9d42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", _BIGINT, nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("scene_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("character_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("before", _JSON, nullable=True),
        sa.Column("after", _JSON, nullable=True),
        sa.Column("undoes_id", _BIGINT, nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_events_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scene_id"], ["scenes.id"], name=op.f("fk_events_scene_id_scenes"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["players.id"],
            name=op.f("fk_events_actor_id_players"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["character_id"],
            ["characters.id"],
            name=op.f("fk_events_character_id_characters"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["undoes_id"],
            ["events.id"],
            name=op.f("fk_events_undoes_id_events"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("undoes_id", name=op.f("uq_events_undoes_id")),
    )
    op.create_index("ix_events_campaign_recent", "events", ["campaign_id", "id"], unique=False)
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("gm_player_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_campaigns_gm_player_id_players"),
            "players",
            ["gm_player_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_constraint(batch.f("fk_campaigns_gm_player_id_players"), type_="foreignkey")
        batch.drop_column("gm_player_id")
    op.drop_index("ix_events_campaign_recent", table_name="events")
    op.drop_table("events")
