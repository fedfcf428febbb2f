"""Author-signed version logs: the batches their authors signed, the logs of laptops restored from
an older copy, versions kept apart, forks of a log and the office's decisions on them.

What this laptop held before the upgrade is recorded as ``local`` batches: taken on trust under
the old rules, kept, but forwarded only once the office master has signed them (its first export
after the upgrade does). Its own versions it signs itself at its next export.

The guards of the version log and the capture triggers' delete guards let the sync engine (and
only it: capture off) take versions back out of effect and remove a row none of whose creating
versions remain.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.base import HLC_TYPE
from models.migrate import sqlite_only
from models.sync import LOG_GUARD_DDL, regenerate_capture_triggers

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


# Every run of consecutive counters of each log held now: a ``local`` batch.
LOCAL_BATCHES = (
    "INSERT INTO sync_batch (log_id, first_counter, last_counter, rows_sha, signer, signature)"
    " SELECT device_id, MIN(counter), MAX(counter), '', 'local', X'' FROM ("
    "  SELECT device_id, counter,"
    "   counter - ROW_NUMBER() OVER (PARTITION BY device_id ORDER BY counter) AS run"
    "  FROM sync_version) GROUP BY device_id, run")


def upgrade() -> None:
    with op.batch_alter_table("local_identity") as table:
        table.add_column(sa.Column("log_id", sa.String(36)))
        table.add_column(sa.Column("behind", sa.Text()))
    with op.batch_alter_table("sync_peer") as table:
        table.add_column(sa.Column("ack_hlc", HLC_TYPE, nullable=False,
                                   server_default=sa.text("0")))
    op.create_table("sync_log",
                    sa.Column("log_id", sa.String(36), primary_key=True),
                    sa.Column("device_id", sa.String(36), nullable=False),
                    sa.Column("incarnation", sa.Integer(), nullable=False),
                    sa.Column("statement", sa.LargeBinary(), nullable=False),
                    sa.Column("signature", sa.LargeBinary(), nullable=False))
    def batch_key() -> list[sa.Column[object]]:
        return [sa.Column("log_id", sa.String(36), primary_key=True),
                sa.Column("first_counter", sa.Integer(), primary_key=True),
                sa.Column("last_counter", sa.Integer(), primary_key=True),
                sa.Column("rows_sha", sa.String(64), primary_key=True),
                sa.Column("signer", sa.String(8), nullable=False),
                sa.Column("signature", sa.LargeBinary(), nullable=False)]

    op.create_table("sync_batch", *batch_key())
    op.create_table("sync_apart", *batch_key(),
                    sa.Column("rows", sa.LargeBinary(), nullable=False),
                    sa.Column("reason", sa.String(10), nullable=False),
                    sa.Column("sender_id", sa.String(36), nullable=False, server_default=""),
                    sa.Column("noted_at", sa.String(24), nullable=False),
                    sa.Column("reissued", sa.Integer(), nullable=False,
                              server_default=sa.text("0")))
    op.create_table("sync_fork",
                    sa.Column("log_id", sa.String(36), primary_key=True),
                    sa.Column("counter", sa.Integer(), nullable=False),
                    sa.Column("noted_at", sa.String(24), nullable=False),
                    sa.Column("decision", sa.LargeBinary()),
                    sa.Column("signature", sa.LargeBinary()))
    # Versions from before signed logs are only ever in a laptop's SQLite file: a PostgreSQL
    # database is made new, and holds none at this revision.
    sqlite_only(LOCAL_BATCHES, "DROP TRIGGER sync_version__append_only", LOG_GUARD_DDL[1])
    sqlite_only(regenerate_capture_triggers)


def downgrade() -> None:
    raise NotImplementedError("Doorstep restores from the automatic backup instead of downgrading")
