"""Capture triggers whose versions also name the row's ``deleted`` heads (and whose deletes name
every head of the row), so that an edit and a delete made apart are seen as a conflict.

The triggers of every synced table are regenerated from the table's columns as they are in the
file (read with PRAGMA table_info), so this revision does not depend on later models.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

from models.base import STAMP_COLUMNS
from models.sync import capture_trigger_ddl, drop_capture_triggers_ddl

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    tables = [name for (name,) in conn.execute(text(
        "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'"
        " AND name LIKE '%\\_\\_capture\\_insert' ESCAPE '\\' ORDER BY tbl_name"))]
    for table in tables:
        columns = [row[1] for row in conn.execute(text(f'PRAGMA table_info("{table}")'))]
        fields = [c for c in columns if c != "id" and c not in STAMP_COLUMNS]
        for ddl in drop_capture_triggers_ddl(table, fields):
            op.execute(ddl)
        for ddl in capture_trigger_ddl(table, fields):
            op.execute(ddl)


def downgrade() -> None:
    raise NotImplementedError("Doorstep restores from the automatic backup instead of downgrading")
