"""This laptop's sync state: wrapped keys, the office roster, peers' vectors, package history;
and the synced record of person pairs judged to be different people.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.migrate import sqlite_only
from models.sync import capture_trigger_ddl, record_columns_v1

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("sync_secret",
                    sa.Column("name", sa.String(16), primary_key=True),
                    sa.Column("blob", sa.Text(), nullable=False))
    op.create_table("sync_roster",
                    sa.Column("office_id", sa.String(36), primary_key=True),
                    sa.Column("office_public_key", sa.LargeBinary(), nullable=False),
                    sa.Column("version", sa.Integer(), nullable=False),
                    sa.Column("signed", sa.LargeBinary(), nullable=False))
    op.create_table("sync_peer",
                    sa.Column("device_id", sa.String(36), primary_key=True),
                    sa.Column("vector", sa.Text(), nullable=False),
                    sa.Column("updated_at", sa.String(24), nullable=False))
    op.create_table("sync_package",
                    sa.Column("package_id", sa.String(36), primary_key=True),
                    sa.Column("direction", sa.String(8), nullable=False),
                    sa.Column("sender_id", sa.String(36), nullable=False),
                    sa.Column("sequence", sa.Integer(), nullable=False),
                    sa.Column("created_at", sa.String(24), nullable=False),
                    sa.Column("handled_at", sa.String(24), nullable=False),
                    sa.Column("file_name", sa.Text(), nullable=False),
                    sa.Column("full", sa.Integer(), nullable=False),
                    sa.Column("versions", sa.Integer(), nullable=False),
                    sa.Column("attachments", sa.Integer(), nullable=False),
                    sa.Column("summary", sa.Text(), nullable=False))
    op.create_index("ix_sync_package_sender", "sync_package", ["sender_id", "sequence"])
    columns = [sa.Column("person_a", sa.String(36), nullable=False),
               sa.Column("person_b", sa.String(36), nullable=False),
               sa.Column("decision", sa.String(10), nullable=False),
               sa.Column("decided_by", sa.String(36))]
    op.create_table("person_pair_review", *record_columns_v1(), *columns)
    op.create_index("ix_person_pair_review_pair", "person_pair_review", ["person_a", "person_b"])
    sqlite_only(*capture_trigger_ddl("person_pair_review",
                                   ["deleted", *(c.name for c in columns)]))


def downgrade() -> None:
    raise NotImplementedError("Doorstep restores from the automatic backup instead of downgrading")
