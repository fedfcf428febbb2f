"""What the statistics count that was not recorded yet: whether a petition can be answered at all
and how it was resolved (petition columns), conciliation and mediation, support to sue and wage
recovery, escalation, people who helped resolve a petition, leads passed to other bodies.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.migrate import sqlite_only
from models.sync import capture_trigger_ddl, record_columns_v1, regenerate_capture_triggers

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _table(name: str, *columns: sa.Column[object]) -> None:
    op.create_table(name, *record_columns_v1(), *columns)
    sqlite_only(*capture_trigger_ddl(name, ["deleted", *(c.name for c in columns)]))
    op.create_index(f"ix_{name}_petition", name, ["petition_id"])


def _petition() -> sa.Column[object]:
    return sa.Column("petition_id", sa.String(36), sa.ForeignKey("petition.id"), nullable=False)


def _text(name: str, length: int | None = None) -> sa.Column[object]:
    kind = sa.String(length) if length else sa.Text()
    return sa.Column(name, kind, nullable=False, server_default="")


def upgrade() -> None:
    for column in ("unanswerable", "resolution", "resolved_on"):
        op.add_column("petition", sa.Column(column, sa.String(16 if column == "unanswerable"
                                                              else 10),
                                            nullable=False, server_default=""))
    _table("conciliation", _petition(),
           sa.Column("kind", sa.String(12), nullable=False),
           sa.Column("concluded_on", sa.String(10), nullable=False),
           sa.Column("court_confirmed", sa.Boolean(), nullable=False, server_default="0"),
           _text("confirmed_on", 10), _text("note"))
    _table("lawsuit_support", _petition(),
           sa.Column("is_wage_claim", sa.Boolean(), nullable=False, server_default="1"),
           sa.Column("workers", sa.Integer(), nullable=False, server_default="0"),
           sa.Column("recovered_fen", sa.Integer(), nullable=False, server_default="0"),
           sa.Column("with_labour_inspectorate", sa.Boolean(), nullable=False,
                     server_default="0"),
           sa.Column("concluded_on", sa.String(10), nullable=False), _text("note"))
    _table("escalation", _petition(),
           sa.Column("kind", sa.String(10), nullable=False),
           sa.Column("level", sa.String(12), nullable=False),
           sa.Column("on_date", sa.String(10), nullable=False), _text("note"))
    _table("resolution_helper", _petition(),
           sa.Column("role", sa.String(12), nullable=False), _text("name", 100),
           sa.Column("on_date", sa.String(10), nullable=False), _text("note"))
    _table("lead_transfer", _petition(),
           sa.Column("body", sa.String(100), nullable=False),
           sa.Column("on_date", sa.String(10), nullable=False), _text("note"))
    # Statistics count petitions by the day they were received, per office.
    op.create_index("ix_petition_office_received", "petition", ["office_id", "received_at"])
    sqlite_only(regenerate_capture_triggers)


def downgrade() -> None:
    raise NotImplementedError("Doorstep restores from the automatic backup instead of downgrading")
