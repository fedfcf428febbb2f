"""Judicial aid: office policy, cases, persons aided, decisions, payments, return visits and
hand-overs to social assistance; the database's guards on the money ledgers.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.aid import LEDGER_GUARD_DDL
from models.migrate import sqlite_only
from models.sync import capture_trigger_ddl, record_columns_v1

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _table(name: str, *columns: sa.Column[object]) -> None:
    op.create_table(name, *record_columns_v1(), *columns)
    sqlite_only(*capture_trigger_ddl(name, ["deleted", *(c.name for c in columns)]))


def _ref(name: str, table: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.String(36), sa.ForeignKey(f"{table}.id"), nullable=nullable)


def upgrade() -> None:
    _table("aid_policy", _ref("office_id", "office"),
           sa.Column("chief_threshold_fen", sa.Integer(), nullable=False))
    _table("aid_case", _ref("petition_id", "petition"), _ref("office_id", "office"),
           sa.Column("eligibility", sa.String(16), nullable=False),
           sa.Column("facts", sa.Text(), nullable=False),
           sa.Column("proposed_fen", sa.Integer(), nullable=False),
           sa.Column("reasons", sa.Text(), nullable=False),
           _ref("proposed_by", "staff"),
           sa.Column("proposed_on", sa.String(10), nullable=False),
           sa.Column("status", sa.String(10), nullable=False),
           sa.Column("approved_fen", sa.Integer(), nullable=False))
    op.create_index("ix_aid_case_petition", "aid_case", ["petition_id"])
    _table("aid_person", _ref("aid_case_id", "aid_case"), _ref("person_id", "person"),
           sa.Column("position", sa.Integer(), nullable=False))
    op.create_index("ix_aid_person_case", "aid_person", ["aid_case_id"])
    _table("aid_decision", _ref("aid_case_id", "aid_case"),
           sa.Column("decision", sa.String(10), nullable=False),
           sa.Column("amount_fen", sa.Integer(), nullable=False),
           sa.Column("reason", sa.Text(), nullable=False),
           _ref("decided_by", "staff"),
           sa.Column("decided_at", sa.String(16), nullable=False))
    op.create_index("ix_aid_decision_case", "aid_decision", ["aid_case_id"])
    _table("aid_payment", _ref("aid_case_id", "aid_case"),
           sa.Column("amount_fen", sa.Integer(), nullable=False),
           sa.Column("paid_on", sa.String(10), nullable=False),
           sa.Column("payee_name", sa.String(100), nullable=False),
           sa.Column("payee_relation", sa.String(10), nullable=False),
           sa.Column("payee_id_number", sa.String(18), nullable=False),
           sa.Column("method", sa.String(10), nullable=False),
           sa.Column("bank_name", sa.String(100), nullable=False),
           sa.Column("account_no", sa.String(34), nullable=False),
           _ref("paid_by", "staff"),
           _ref("reverses_id", "aid_payment", nullable=True),
           sa.Column("note", sa.Text(), nullable=False))
    op.create_index("ix_aid_payment_case", "aid_payment", ["aid_case_id"])
    _table("return_visit", _ref("petition_id", "petition"),
           _ref("aid_case_id", "aid_case", nullable=True),
           sa.Column("method", sa.String(10), nullable=False),
           sa.Column("scheduled_on", sa.String(10), nullable=False),
           sa.Column("done_on", sa.String(10), nullable=False),
           _ref("visitor_id", "staff", nullable=True),
           sa.Column("findings", sa.Text(), nullable=False),
           sa.Column("satisfaction", sa.String(12), nullable=False),
           sa.Column("still_in_need", sa.Boolean(), nullable=False))
    op.create_index("ix_return_visit_petition", "return_visit", ["petition_id"])
    op.create_index("ix_return_visit_due", "return_visit", ["done_on", "scheduled_on"])
    _table("handover", _ref("petition_id", "petition"),
           _ref("return_visit_id", "return_visit"),
           sa.Column("body", sa.String(100), nullable=False),
           sa.Column("handed_on", sa.String(10), nullable=False),
           sa.Column("outcome", sa.Text(), nullable=False),
           sa.Column("closed_on", sa.String(10), nullable=False))
    op.create_index("ix_handover_petition", "handover", ["petition_id"])
    sqlite_only(*LEDGER_GUARD_DDL)


def downgrade() -> None:
    raise NotImplementedError("Doorstep restores from the automatic backup instead of downgrading")
