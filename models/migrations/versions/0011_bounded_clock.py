"""A clock years ahead no longer spreads: the capture triggers build the next HLC on the
highest one within a day of this laptop's wall clock (``doorstep_hlc_bound()``), not on the
highest one received.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

from models.migrate import sqlite_only
from models.sync import regenerate_capture_triggers

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    sqlite_only(regenerate_capture_triggers)


def downgrade() -> None:
    raise NotImplementedError("Doorstep restores from the automatic backup instead of downgrading")
