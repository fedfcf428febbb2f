"""Hearing-officer roster, hearings, participants, statements and officers' opinions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.migrate import sqlite_only
from models.sync import capture_trigger_ddl, record_columns_v1

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _table(name: str, *columns: sa.Column[object]) -> None:
    op.create_table(name, *record_columns_v1(), *columns)
    sqlite_only(*capture_trigger_ddl(name, ["deleted", *(c.name for c in columns)]))


def upgrade() -> None:
    _table("hearing_officer",
           sa.Column("office_id", sa.String(36), sa.ForeignKey("office.id"), nullable=False),
           sa.Column("name_zh", sa.String(100), nullable=False),
           sa.Column("name_bo", sa.String(200), nullable=False),
           sa.Column("role", sa.String(12), nullable=False),
           sa.Column("phone", sa.String(20), nullable=False),
           sa.Column("township", sa.String(50), nullable=False),
           sa.Column("active", sa.Boolean(), nullable=False))
    _table("hearing",
           sa.Column("petition_id", sa.String(36), sa.ForeignKey("petition.id"), nullable=False),
           sa.Column("kind", sa.String(10), nullable=False),
           sa.Column("held_at", sa.String(16), nullable=False),
           sa.Column("township", sa.String(50), nullable=False),
           sa.Column("village", sa.String(50), nullable=False),
           sa.Column("herding_group", sa.String(50), nullable=False),
           sa.Column("place", sa.String(200), nullable=False),
           sa.Column("host_id", sa.String(36), sa.ForeignKey("staff.id")),
           sa.Column("interpreter", sa.String(100), nullable=False),
           sa.Column("outcome", sa.String(12), nullable=False),
           sa.Column("outcome_note", sa.Text(), nullable=False))
    op.create_index("ix_hearing_petition", "hearing", ["petition_id"])
    _table("hearing_participant",
           sa.Column("hearing_id", sa.String(36), sa.ForeignKey("hearing.id"), nullable=False),
           sa.Column("kind", sa.String(10), nullable=False),
           sa.Column("staff_id", sa.String(36), sa.ForeignKey("staff.id")),
           sa.Column("officer_id", sa.String(36), sa.ForeignKey("hearing_officer.id")),
           sa.Column("person_id", sa.String(36), sa.ForeignKey("person.id")),
           sa.Column("position", sa.Integer(), nullable=False))
    op.create_index("ix_hearing_participant_hearing", "hearing_participant", ["hearing_id"])
    _table("hearing_statement",
           sa.Column("hearing_id", sa.String(36), sa.ForeignKey("hearing.id"), nullable=False),
           sa.Column("position", sa.Integer(), nullable=False),
           sa.Column("participant_id", sa.String(36), sa.ForeignKey("hearing_participant.id"),
                     nullable=False),
           sa.Column("text", sa.Text(), nullable=False))
    op.create_index("ix_hearing_statement_hearing", "hearing_statement", ["hearing_id"])
    _table("officer_opinion",
           sa.Column("hearing_id", sa.String(36), sa.ForeignKey("hearing.id"), nullable=False),
           sa.Column("officer_id", sa.String(36), sa.ForeignKey("hearing_officer.id"),
                     nullable=False),
           sa.Column("opinion", sa.Text(), nullable=False))
    op.create_index("ix_officer_opinion_hearing", "officer_opinion", ["hearing_id"])


def downgrade() -> None:
    raise NotImplementedError("Doorstep restores from the automatic backup instead of downgrading")
