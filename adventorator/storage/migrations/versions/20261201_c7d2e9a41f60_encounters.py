"""Encounters and their combatants (initiative).

``encounters.active_scene_id`` is the scene while the encounter runs and NULL
once it ended: unique, so a scene has at most one active encounter on every
backend (two ``init begin`` at once: one wins). ``version`` is bumped by
every write, which names the version it read, as ``characters.version``.
A combatant is a character sheet (a monster's sheet is deleted with it).

Revision ID: c7d2e9a41f60
Revises: 8e4f2a6c1d37
Create Date: 2026-12-01 13:00:00.000000

"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c7d2e9a41f60"
down_revision: str | None = "8e4f2a6c1d37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _now(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "encounters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("scene_id", sa.Integer(), nullable=False),
        sa.Column("active_scene_id", sa.Integer(), nullable=True),
        sa.Column("round", sa.Integer(), server_default="0", nullable=False),
        sa.Column("turn", sa.Integer(), server_default="0", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("effects", _JSON, nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        _now("created_at"),
        _now("updated_at"),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_encounters_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scene_id"],
            ["scenes.id"],
            name=op.f("fk_encounters_scene_id_scenes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["active_scene_id"],
            ["scenes.id"],
            name=op.f("fk_encounters_active_scene_id_scenes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_encounters")),
        sa.UniqueConstraint("active_scene_id", name=op.f("uq_encounters_active_scene_id")),
    )
    op.create_index(op.f("ix_encounters_scene_id"), "encounters", ["scene_id"], unique=False)
    op.create_table(
        "combatants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("encounter_id", sa.Integer(), nullable=False),
        sa.Column("character_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("initiative", sa.Integer(), nullable=True),
        sa.Column("modifier", sa.Integer(), nullable=False),
        sa.Column("dexterity", sa.Integer(), nullable=False),
        sa.Column("tiebreak", sa.Integer(), nullable=True),
        sa.Column("order", sa.Integer(), server_default="0", nullable=False),
        sa.Column("monster", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("roll", _JSON, nullable=True),
        _now("created_at"),
        sa.ForeignKeyConstraint(
            ["encounter_id"],
            ["encounters.id"],
            name=op.f("fk_combatants_encounter_id_encounters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["character_id"],
            ["characters.id"],
            name=op.f("fk_combatants_character_id_characters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_combatants")),
        sa.UniqueConstraint(
            "encounter_id", "character_id", name=op.f("uq_combatants_encounter_id")
        ),
    )
    op.create_index(
        op.f("ix_combatants_character_id"), "combatants", ["character_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_combatants_character_id"), table_name="combatants")
    op.drop_table("combatants")
    op.drop_index(op.f("ix_encounters_scene_id"), table_name="encounters")
    op.drop_table("encounters")
