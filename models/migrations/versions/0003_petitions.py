"""Petitions, parties, replies, deadline events, history, number blocks, holiday schedule,
the office's numbering device and deadline rule, person lookup indexes, petition search.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.migrate import sqlite_only
from models.search import FTS_DDL, SEARCH_KEY_DDL, search_trigger_ddl
from models.sync import capture_trigger_ddl, drop_capture_triggers_ddl, record_columns_v1

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OFFICE_FIELDS_0001 = ["deleted", "division_code", "level", "name_zh", "name_bo", "short_zh",
                      "parent_id"]
OFFICE_FIELDS = [*OFFICE_FIELDS_0001, "numbering_device_id", "deadline_unit", "reply_days",
                 "answer_months"]


def _table(name: str, *columns: sa.Column[object]) -> None:
    op.create_table(name, *record_columns_v1(), *columns)
    fields = ["deleted", *(c.name for c in columns)]
    sqlite_only(*capture_trigger_ddl(name, fields))


def upgrade() -> None:
    sqlite_only(*drop_capture_triggers_ddl("office", OFFICE_FIELDS_0001))
    op.add_column("office", sa.Column("numbering_device_id", sa.String(36)))
    op.add_column("office", sa.Column("deadline_unit", sa.String(8), nullable=False,
                                      server_default="calendar"))
    op.add_column("office", sa.Column("reply_days", sa.Integer(), nullable=False,
                                      server_default="7"))
    op.add_column("office", sa.Column("answer_months", sa.Integer(), nullable=False,
                                      server_default="3"))
    sqlite_only(*capture_trigger_ddl("office", OFFICE_FIELDS))

    op.create_index("ix_person_id_number", "person", ["id_number"])
    op.create_index("ix_person_phone", "person", ["phone"])
    op.create_index("ix_person_name_zh", "person", ["name_zh"])
    op.create_index("ix_person_name_bo", "person", ["name_bo"])

    _table("petition",
           sa.Column("office_id", sa.String(36), sa.ForeignKey("office.id"), nullable=False),
           sa.Column("reg_year", sa.Integer(), nullable=False),
           sa.Column("reg_seq", sa.Integer()),
           sa.Column("reg_no", sa.String(40), nullable=False),
           sa.Column("channel", sa.String(10), nullable=False),
           sa.Column("higher_office", sa.String(100), nullable=False),
           sa.Column("higher_ref", sa.String(60), nullable=False),
           sa.Column("received_at", sa.String(16), nullable=False),
           sa.Column("category", sa.String(12), nullable=False),
           sa.Column("business_type", sa.String(24), nullable=False),
           sa.Column("summary", sa.Text(), nullable=False),
           sa.Column("requests", sa.Text(), nullable=False),
           sa.Column("original_case_no", sa.String(60), nullable=False),
           sa.Column("is_group", sa.Boolean(), nullable=False),
           sa.Column("head_count", sa.Integer(), nullable=False),
           sa.Column("is_sensitive", sa.Boolean(), nullable=False),
           sa.Column("is_repeat", sa.Boolean(), nullable=False),
           sa.Column("jurisdiction", sa.String(8), nullable=False),
           sa.Column("referral_body", sa.String(100), nullable=False),
           sa.Column("referral_note", sa.Text(), nullable=False),
           sa.Column("handling_procurator_id", sa.String(36), sa.ForeignKey("staff.id")),
           sa.Column("leader_id", sa.String(36), sa.ForeignKey("staff.id")),
           sa.Column("registered_by", sa.String(36), sa.ForeignKey("staff.id")),
           sa.Column("reply_due", sa.String(10), nullable=False),
           sa.Column("answer_due", sa.String(10), nullable=False),
           sa.Column("reply_done_on", sa.String(10)),
           sa.Column("answer_done_on", sa.String(10)))
    op.create_index("uq_petition_number", "petition", ["office_id", "reg_year", "reg_seq"],
                    unique=True, sqlite_where=sa.text("reg_seq IS NOT NULL"),
                    postgresql_where=sa.text("reg_seq IS NOT NULL"))
    op.create_index("ix_petition_received", "petition", ["received_at", "id", "deleted"])
    op.create_index("ix_petition_reply_due", "petition", ["reply_due"],
                    sqlite_where=sa.text("reply_done_on IS NULL"),
                    postgresql_where=sa.text("reply_done_on IS NULL"))
    op.create_index("ix_petition_answer_due", "petition", ["answer_due"],
                    sqlite_where=sa.text("answer_done_on IS NULL"),
                    postgresql_where=sa.text("answer_done_on IS NULL"))

    _table("petition_party",
           sa.Column("petition_id", sa.String(36), sa.ForeignKey("petition.id"), nullable=False),
           sa.Column("person_id", sa.String(36), sa.ForeignKey("person.id"), nullable=False),
           sa.Column("role", sa.String(16), nullable=False),
           sa.Column("position", sa.Integer(), nullable=False))
    op.create_index("ix_petition_party_petition", "petition_party", ["petition_id"])
    op.create_index("ix_petition_party_person", "petition_party", ["person_id"])

    _table("petition_reply",
           sa.Column("petition_id", sa.String(36), sa.ForeignKey("petition.id"), nullable=False),
           sa.Column("kind", sa.String(12), nullable=False),
           sa.Column("replied_on", sa.String(10), nullable=False),
           sa.Column("method", sa.String(10), nullable=False),
           sa.Column("content", sa.Text(), nullable=False),
           sa.Column("by_staff_id", sa.String(36), sa.ForeignKey("staff.id")))
    op.create_index("ix_petition_reply_petition", "petition_reply", ["petition_id"])

    _table("deadline_event",
           sa.Column("petition_id", sa.String(36), sa.ForeignKey("petition.id"), nullable=False),
           sa.Column("deadline", sa.String(8), nullable=False),
           sa.Column("action", sa.String(8), nullable=False),
           sa.Column("on_date", sa.String(10), nullable=False),
           sa.Column("days", sa.Integer(), nullable=False),
           sa.Column("reason", sa.Text(), nullable=False),
           sa.Column("by_staff_id", sa.String(36), sa.ForeignKey("staff.id")))
    op.create_index("ix_deadline_event_petition", "deadline_event", ["petition_id"])

    _table("activity",
           sa.Column("petition_id", sa.String(36), sa.ForeignKey("petition.id"), nullable=False),
           sa.Column("at", sa.String(19), nullable=False),
           sa.Column("staff_id", sa.String(36), sa.ForeignKey("staff.id")),
           sa.Column("device_id", sa.String(36), nullable=False),
           sa.Column("action", sa.String(24), nullable=False),
           sa.Column("detail", sa.Text(), nullable=False))
    op.create_index("ix_activity_petition", "activity", ["petition_id"])

    _table("number_block",
           sa.Column("office_id", sa.String(36), sa.ForeignKey("office.id"), nullable=False),
           sa.Column("year", sa.Integer(), nullable=False),
           sa.Column("device_id", sa.String(36), nullable=False),
           sa.Column("first", sa.Integer(), nullable=False),
           sa.Column("last", sa.Integer(), nullable=False))
    op.create_index("ix_number_block_office_year", "number_block", ["office_id", "year"])

    _table("holiday_override",
           sa.Column("day", sa.String(10), nullable=False),
           sa.Column("kind", sa.String(8), nullable=False),
           sa.Column("note", sa.String(100), nullable=False))
    op.create_index("ix_holiday_override_day", "holiday_override", ["day"])

    sqlite_only(SEARCH_KEY_DDL, FTS_DDL, *search_trigger_ddl())


def downgrade() -> None:
    raise NotImplementedError("Doorstep restores from the automatic backup instead of downgrading")
