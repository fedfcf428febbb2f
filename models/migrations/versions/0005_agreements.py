"""Settle-and-withdraw agreements and attachments.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.migrate import sqlite_only
from models.sync import capture_trigger_ddl, record_columns_v1

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _table(name: str, *columns: sa.Column[object]) -> None:
    op.create_table(name, *record_columns_v1(), *columns)
    sqlite_only(*capture_trigger_ddl(name, ["deleted", *(c.name for c in columns)]))


def upgrade() -> None:
    texts = [sa.Column(f"{section}_{script}", sa.Text(), nullable=False)
             for section in ("matter", "office_terms", "petitioner_terms", "closing")
             for script in ("zh", "bo")]
    _table("agreement",
           sa.Column("petition_id", sa.String(36), sa.ForeignKey("petition.id"), nullable=False),
           sa.Column("hearing_id", sa.String(36), sa.ForeignKey("hearing.id"), nullable=False),
           sa.Column("status", sa.String(10), nullable=False),
           sa.Column("signed_on", sa.String(10), nullable=False),
           sa.Column("agreed_on", sa.String(10), nullable=False),
           sa.Column("place", sa.String(200), nullable=False),
           sa.Column("bilingual", sa.Boolean(), nullable=False),
           *texts)
    op.create_index("ix_agreement_hearing", "agreement", ["hearing_id"])
    _table("attachment",
           sa.Column("owner_kind", sa.String(10), nullable=False),
           sa.Column("owner_id", sa.String(36), nullable=False),
           sa.Column("sha256", sa.String(64), nullable=False),
           sa.Column("file_name", sa.String(255), nullable=False),
           sa.Column("media_type", sa.String(40), nullable=False),
           sa.Column("size", sa.Integer(), nullable=False),
           sa.Column("added_at", sa.String(16), nullable=False),
           sa.Column("caption", sa.String(200), nullable=False))
    op.create_index("ix_attachment_owner", "attachment", ["owner_id"])


def downgrade() -> None:
    raise NotImplementedError("Doorstep restores from the automatic backup instead of downgrading")
