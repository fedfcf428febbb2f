"""Leaders' reception days (检察长接访, issue 17): the days, who came on each, and the office's
monthly targets. Synced tables like every other, with their capture triggers.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.migrate import sqlite_only
from models.sync import capture_trigger_ddl, record_columns_v1

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def _table(name: str, *columns: sa.Column[object]) -> None:
    op.create_table(name, *record_columns_v1(), *columns)
    sqlite_only(*capture_trigger_ddl(name, ["deleted", *(c.name for c in columns)]))


def _text(name: str, length: int | None = None) -> sa.Column[object]:
    kind = sa.String(length) if length else sa.Text()
    return sa.Column(name, kind, nullable=False, server_default="")


def _required(name: str, length: int | None = None) -> sa.Column[object]:
    kind = sa.String(length) if length else sa.Text()
    return sa.Column(name, kind, nullable=False)


def _ref(name: str, table: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.String(36), sa.ForeignKey(f"{table}.id"), nullable=nullable)


def upgrade() -> None:
    _table("reception_day", _ref("office_id", "office", False),
           _ref("leader_id", "staff", False), _required("day", 10),
           _required("start_time", 5), _required("end_time", 5), _required("place", 100),
           _text("note"),
           sa.Column("status", sa.String(10), nullable=False, server_default="scheduled"),
           _text("cancel_reason"))
    op.create_index("ix_reception_day_office", "reception_day", ["office_id", "day"])
    op.create_index("ix_reception_day_leader", "reception_day", ["leader_id", "day"])
    _table("reception_visit", _ref("day_id", "reception_day", False),
           _ref("person_id", "person"), _text("name", 200), _text("matter"),
           _ref("petition_id", "petition"),
           sa.Column("first_reception", sa.Boolean(), nullable=False, server_default="0"))
    op.create_index("ix_reception_visit_day", "reception_visit", ["day_id"])
    op.create_index("ix_reception_visit_petition", "reception_visit", ["petition_id"])
    _table("reception_target", _ref("office_id", "office", False),
           sa.Column("chief_days", sa.Integer(), nullable=False, server_default="2"),
           sa.Column("leader_days", sa.Integer(), nullable=False, server_default="1"))
    op.create_index("ix_reception_target_office", "reception_target", ["office_id"])


def downgrade() -> None:
    raise NotImplementedError("Doorstep restores from the automatic backup instead of downgrading")
