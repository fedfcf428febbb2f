"""The rules an SQLite store keeps in triggers, on a PostgreSQL store (the prefecture hub, issue
18): the capture of every synced table, the guards of the version log, the aid ledgers and the
audit trail, and the petition search index (``models.postgres``). An SQLite store has had them
since the revisions that made its tables: nothing changes in it.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

from models import postgres

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    for ddl in postgres.FUNCTIONS_DDL:
        op.execute(ddl)
    postgres.create_capture(connection, postgres.synced_table_names(connection))
    for ddl in [*postgres.guard_ddl(), *postgres.SEARCH_DDL]:
        op.execute(ddl)
    op.execute("SELECT doorstep_reindex(ARRAY(SELECT id FROM petition))")


def downgrade() -> None:
    raise NotImplementedError("Doorstep restores from the automatic backup instead of downgrading")
