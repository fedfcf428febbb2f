"""Each version records the staff member who made the change (``sync_version.staff_id``), so a
conflict can show who changed what; the capture triggers are regenerated to fill it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.migrate import sqlite_only
from models.sync import regenerate_capture_triggers

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    columns = [c["name"] for c in sa.inspect(conn).get_columns("sync_version")]
    if "staff_id" not in columns:  # stores created before 0001 declared it
        op.add_column("sync_version", sa.Column("staff_id", sa.String(36)))
    sqlite_only(regenerate_capture_triggers)


def downgrade() -> None:
    raise NotImplementedError("Doorstep restores from the automatic backup instead of downgrading")
