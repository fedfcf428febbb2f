"""Offices, devices, staff, this installation's identity, and the sync version log.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import HLC_TYPE, VERSION_VALUE_TYPE, utc_now_stamp
from models.migrate import sqlite_only
from models.sync import LOG_GUARD_DDL_V1, capture_trigger_ddl, record_columns_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# "DSTP": marks an SQLite file as a Doorstep store.
APPLICATION_ID = 0x44535450


def upgrade() -> None:
    sqlite_only(f"PRAGMA application_id = {APPLICATION_ID}")
    op.create_table(
        "sync_version",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("counter", sa.Integer(), nullable=False),
        sa.Column("hlc", HLC_TYPE, nullable=False),
        sa.Column("tbl", sa.String(64), nullable=False),
        sa.Column("row_id", sa.String(36), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("value", VERSION_VALUE_TYPE),
        sa.Column("parents", sa.Text(), nullable=False, server_default="[]"),
        # Since 0009 (the capture triggers of every revision are today's, which fill it); a
        # store created before it gets the column from 0009.
        sa.Column("staff_id", sa.String(36)),
    )
    op.create_index("uq_sync_version_device_counter", "sync_version", ["device_id", "counter"],
                    unique=True)
    op.create_index("ix_sync_version_hlc", "sync_version", ["hlc"])
    op.create_index("ix_sync_version_row", "sync_version", ["tbl", "row_id", "field"])
    op.create_table(
        "sync_head",
        sa.Column("tbl", sa.String(64), primary_key=True),
        sa.Column("row_id", sa.String(36), primary_key=True),
        sa.Column("field", sa.String(64), primary_key=True),
        sa.Column("device_id", sa.String(36), primary_key=True),
        sa.Column("counter", sa.Integer(), primary_key=True),
        sqlite_with_rowid=False,
    )
    sqlite_only(*LOG_GUARD_DDL_V1)

    op.create_table(
        "office",
        *record_columns_v1(),
        sa.Column("division_code", sa.String(6), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("name_zh", sa.String(100), nullable=False),
        sa.Column("name_bo", sa.String(200), nullable=False),
        sa.Column("short_zh", sa.String(10), nullable=False),
        sa.Column("parent_id", sa.String(36), sa.ForeignKey("office.id")),
    )
    op.create_table(
        "device",
        *record_columns_v1(),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("office_id", sa.String(36), sa.ForeignKey("office.id")),
    )
    op.create_table(
        "staff",
        *record_columns_v1(),
        sa.Column("office_id", sa.String(36), sa.ForeignKey("office.id"), nullable=False),
        sa.Column("name_zh", sa.String(100), nullable=False),
        sa.Column("name_bo", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_staff_office_id", "staff", ["office_id"])
    op.create_table(
        "local_identity",
        sa.Column("slot", sa.Integer(), primary_key=True),
        sa.Column("device_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.String(24), nullable=False,
                  server_default=utc_now_stamp()),
        sa.CheckConstraint("slot = 1", name="single_row"),
    )
    sqlite_only(*capture_trigger_ddl("office", ["deleted", "division_code", "level", "name_zh",
                                              "name_bo", "short_zh", "parent_id"]))
    sqlite_only(*capture_trigger_ddl("device", ["deleted", "name", "office_id"]))
    sqlite_only(*capture_trigger_ddl("staff", ["deleted", "office_id", "name_zh", "name_bo", "role",
                                             "phone", "active"]))


def downgrade() -> None:
    raise NotImplementedError("Doorstep restores from the automatic backup instead of downgrading")
