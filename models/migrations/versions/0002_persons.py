"""Persons: petitioners, parties and aided persons, with names in both scripts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.migrate import sqlite_only
from models.sync import capture_trigger_ddl, record_columns_v1

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

PERSON_FIELDS = ["deleted", "name_bo", "name_zh", "sex", "ethnicity", "id_number", "phone",
                 "county", "township", "village", "herding_group", "preferred_language",
                 "needs_interpreter"]


def upgrade() -> None:
    op.create_table(
        "person",
        *record_columns_v1(),
        sa.Column("name_bo", sa.String(200), nullable=False),
        sa.Column("name_zh", sa.String(100), nullable=False),
        sa.Column("sex", sa.String(1), nullable=False),
        sa.Column("ethnicity", sa.String(2), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("county", sa.String(50), nullable=False),
        sa.Column("township", sa.String(50), nullable=False),
        sa.Column("village", sa.String(50), nullable=False),
        sa.Column("herding_group", sa.String(50), nullable=False),
        sa.Column("preferred_language", sa.String(2), nullable=False),
        sa.Column("needs_interpreter", sa.Boolean(), nullable=False),
    )
    sqlite_only(*capture_trigger_ddl("person", PERSON_FIELDS))


def downgrade() -> None:
    raise NotImplementedError("Doorstep restores from the automatic backup instead of downgrading")
