"""Capture triggers whose versions also name the row's ``deleted`` heads (and whose deletes name
every head of the row), so that an edit and a delete made apart are seen as a conflict.

The triggers of every synced table are regenerated from the table's columns as they are in the
file (read with PRAGMA table_info), so this revision does not depend on later models.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from __future__ import annotations

from models.migrate import sqlite_only
from models.sync import regenerate_capture_triggers

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    sqlite_only(regenerate_capture_triggers)


def downgrade() -> None:
    raise NotImplementedError("Doorstep restores from the automatic backup instead of downgrading")
