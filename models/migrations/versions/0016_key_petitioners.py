"""The key-petitioner ledger (重点信访人员台账, issue 17): entries, their movements and
measures, the office's risk rules and every change of a risk level. Synced tables like every
other, with their capture triggers.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-12
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.migrate import sqlite_only
from models.sync import capture_trigger_ddl, record_columns_v1

revision = "0016"
down_revision = "0015"
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
    _table("key_petitioner",
           _ref("person_id", "person", nullable=False), _ref("office_id", "office", False),
           _required("reason"), _required("entered_on", 10),
           sa.Column("status", sa.String(10), nullable=False, server_default="in_ledger"),
           _text("left_reason"), _text("left_on", 10), _text("situation"), _text("demands"),
           _ref("responsible_staff_id", "staff"), _ref("leader_id", "staff"),
           _text("level", 6), _text("level_confirmed_on", 10))
    op.create_index("ix_key_petitioner_office", "key_petitioner", ["office_id", "status"])
    op.create_index("ix_key_petitioner_person", "key_petitioner", ["person_id"])
    _table("ledger_movement", _ref("entry_id", "key_petitioner", False),
           _required("day", 10), _required("kind", 24), _text("text"))
    op.create_index("ix_ledger_movement_entry", "ledger_movement", ["entry_id", "day"])
    _table("ledger_measure", _ref("entry_id", "key_petitioner", False),
           _required("kind", 12), _ref("staff_id", "staff"), _required("day", 10),
           _text("description"), _text("result"))
    op.create_index("ix_ledger_measure_entry", "ledger_measure", ["entry_id", "day"])
    _table("risk_rule", _ref("office_id", "office", False),
           _required("level", 6), _required("code", 32),
           sa.Column("months", sa.Integer(), nullable=False, server_default="12"),
           sa.Column("min_count", sa.Integer(), nullable=False, server_default="1"),
           sa.Column("active", sa.Boolean(), nullable=False, server_default="1"),
           sa.Column("proposed_by_doorstep", sa.Boolean(), nullable=False, server_default="0"),
           _text("note"))
    op.create_index("ix_risk_rule_office", "risk_rule", ["office_id"])
    _table("level_change", _ref("entry_id", "key_petitioner", False),
           _text("from_level", 6), _required("to_level", 6), _text("proposed_level", 6),
           sa.Column("fired", sa.Text(), nullable=False, server_default="[]"),
           _text("reason"), _ref("staff_id", "staff"), _required("at", 32))
    op.create_index("ix_level_change_entry", "level_change", ["entry_id"])


def downgrade() -> None:
    raise NotImplementedError("Doorstep restores from the automatic backup instead of downgrading")
