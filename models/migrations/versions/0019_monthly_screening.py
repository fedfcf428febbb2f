"""The monthly screening of key petitioners (动态排查, issue 17): one per office and month, with
a row per person of the ledger. Synced tables like every other, with their capture triggers.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-13
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.migrate import sqlite_only
from models.sync import capture_trigger_ddl, record_columns_v1

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def _table(name: str, *columns: sa.Column[object]) -> None:
    op.create_table(name, *record_columns_v1(), *columns)
    sqlite_only(*capture_trigger_ddl(name, ["deleted", *(c.name for c in columns)]))


def _text(name: str, length: int | None = None) -> sa.Column[object]:
    kind = sa.String(length) if length else sa.Text()
    return sa.Column(name, kind, nullable=False, server_default="")


def _number(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.Integer(), nullable=False, server_default="0")


def _ref(name: str, table: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.String(36), sa.ForeignKey(f"{table}.id"), nullable=nullable)


def upgrade() -> None:
    _table("screening", _ref("office_id", "office", False),
           sa.Column("month", sa.String(7), nullable=False),
           _ref("made_by", "staff"), _text("signed_by_clerk_on", 10),
           _ref("deputy_id", "staff"), _text("signed_by_deputy_on", 10),
           sa.Column("state", sa.String(10), nullable=False, server_default="draft"),
           _number("round"), _text("signed_at", 32),
           _ref("accepted_by", "staff"), _text("accepted_on", 10), _number("accepted_round"))
    op.create_index("ix_screening_office_month", "screening", ["office_id", "month"])
    _table("screening_row", _ref("screening_id", "screening", False),
           _ref("entry_id", "key_petitioner", False), _ref("person_id", "person", False),
           _text("situation"), _text("work"), _text("level", 6), _ref("leader_id", "staff"),
           _text("deadline", 10),
           sa.Column("resolved", sa.Boolean(), nullable=False, server_default="0"))
    op.create_index("ix_screening_row_screening", "screening_row", ["screening_id"])


def downgrade() -> None:
    raise NotImplementedError("Doorstep restores from the automatic backup instead of downgrading")
