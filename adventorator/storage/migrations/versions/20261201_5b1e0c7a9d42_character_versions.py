"""Characters: a version number for optimistic concurrency.

Every write of a sheet is ``UPDATE ... WHERE id = :id AND version = :seen``
and bumps the version, so of two read-modify-writes racing on one sheet the
second sees no row, reloads and applies its change again: no acknowledged
update is lost (services.character_service).

Revision ID: 5b1e0c7a9d42
Revises: dd2af03195cb
Create Date: 2026-12-01 10:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b1e0c7a9d42"
down_revision: str | None = "dd2af03195cb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A server default fills existing rows; SQLite can add a NOT NULL column with one.
    op.add_column(
        "characters",
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("characters") as batch:
        batch.drop_column("version")
