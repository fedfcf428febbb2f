"""The log-in passphrases of a prefecture hub's staff (``models.hub``), kept in its database:
a local table, never synced. A laptop's store has it too, empty (its passphrases are a file).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_login",
        sa.Column("staff_id", sa.String(36), primary_key=True),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.String(24), nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("Doorstep restores from the automatic backup instead of downgrading")
