"""The record of what was done (留痕): a synced, hash-chained table of entries, one per action,
that no local write may change or remove (see ``models.audit``).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.audit import AUDIT_GUARD_DDL
from models.migrate import sqlite_only
from models.sync import capture_trigger_ddl, record_columns_v1

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _text(name: str, length: int | None = None) -> sa.Column[object]:
    kind = sa.String(length) if length else sa.Text()
    return sa.Column(name, kind, nullable=False, server_default="")


def upgrade() -> None:
    columns: list[sa.Column[object]] = [
        sa.Column("log_id", sa.String(36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(24), nullable=False),
        _text("staff_id", 36),
        sa.Column("action", sa.String(16), nullable=False),
        _text("tbl", 64), _text("row_id", 36), _text("person_id", 36),
        sa.Column("detail", sa.Text(), nullable=False, server_default="{}"),
        _text("prev_hash", 64),
        sa.Column("hash", sa.String(64), nullable=False),
    ]
    op.create_table("audit_entry", *record_columns_v1(), *columns)
    sqlite_only(*capture_trigger_ddl("audit_entry", ["deleted", *(c.name for c in columns)]))
    op.create_index("ix_audit_entry_log", "audit_entry", ["log_id", "seq"])
    op.create_index("ix_audit_entry_record", "audit_entry", ["tbl", "row_id"])
    op.create_index("ix_audit_entry_person", "audit_entry", ["person_id"])
    sqlite_only(*AUDIT_GUARD_DDL)


def downgrade() -> None:
    raise NotImplementedError("Doorstep restores from the automatic backup instead of downgrading")
