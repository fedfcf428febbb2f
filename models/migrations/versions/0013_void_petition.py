"""A wrong registration can be voided (作废): the petition keeps its number and its row, and
records when, why and by whom it was voided. The new columns are versioned like every other
(the capture triggers are generated again), so a void travels between laptops.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.migrate import sqlite_only
from models.sync import adopt_stored_values, regenerate_capture_triggers

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("petition", sa.Column("voided_at", sa.String(32), nullable=False,
                                        server_default=""))
    op.add_column("petition", sa.Column("void_reason", sa.Text(), nullable=False,
                                        server_default=""))
    # SQLite adds a column with a foreign key only when the key is written inline (Alembic
    # would add the constraint apart, which SQLite cannot).
    op.execute("ALTER TABLE petition ADD COLUMN voided_by VARCHAR(36) REFERENCES staff (id)")
    # A void made on a laptop already upgraded, imported here before this upgrade, was kept
    # as versions of fields this store did not have: it takes effect now.
    # (Only a laptop's SQLite file holds such versions: a PostgreSQL database is made new.)
    sqlite_only(lambda conn: adopt_stored_values(conn, "petition",
                                                 ("voided_at", "void_reason", "voided_by")))
    sqlite_only(regenerate_capture_triggers)


def downgrade() -> None:
    raise NotImplementedError("Doorstep restores from the automatic backup instead of downgrading")
