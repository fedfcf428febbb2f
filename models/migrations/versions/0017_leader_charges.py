"""Leaders in charge (领导包案, issue 17): a leader's charge of a petition or of a key
petitioner's matter, the extensions of its deadline the chief procurator decides on, and its
progress notes; and the office's setting of which petitions must be taken in charge (the
denominator of 包案率). Synced tables like every other, with their capture triggers; the new
office column is versioned too (the capture triggers are generated again).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from models.migrate import sqlite_only
from models.sync import (
    adopt_stored_values,
    capture_trigger_ddl,
    record_columns_v1,
    regenerate_capture_triggers,
)

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def _table(name: str, *columns: sa.Column[object]) -> None:
    op.create_table(name, *record_columns_v1(), *columns)
    sqlite_only(*capture_trigger_ddl(name, ["deleted", *(c.name for c in columns)]))


def _text(name: str, length: int | None = None) -> sa.Column[object]:
    kind = sa.String(length) if length else sa.Text()
    return sa.Column(name, kind, nullable=False, server_default="")


def _required(name: str, length: int | None = None) -> sa.Column[object]:
    kind = sa.String(length) if length else sa.Text()
    return sa.Column(name, kind, nullable=False)


def _ref(name: str, table: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.String(36), sa.ForeignKey(f"{table}.id"), nullable=nullable)


def upgrade() -> None:
    op.add_column("office", sa.Column("charge_scope", sa.String(12), nullable=False,
                                      server_default="repeat_key"))
    # A setting made on a laptop already upgraded, imported here before this upgrade, was kept
    # as versions of a field this store did not have: it takes effect now.
    # (Only a laptop's SQLite file holds such versions: a PostgreSQL database is made new.)
    sqlite_only(lambda conn: adopt_stored_values(conn, "office", ("charge_scope",)))
    sqlite_only(regenerate_capture_triggers)
    _table("leader_charge", _ref("office_id", "office", False),
           _ref("petition_id", "petition"), _ref("entry_id", "key_petitioner"),
           _ref("leader_id", "staff", False), _text("plan"), _required("deadline", 10),
           _required("taken_on", 10),
           sa.Column("status", sa.String(6), nullable=False, server_default="open"),
           _text("closed_on", 10), _text("result", 20), _text("closing_note"))
    op.create_index("ix_leader_charge_office", "leader_charge", ["office_id", "status"])
    op.create_index("ix_leader_charge_leader", "leader_charge", ["leader_id", "status"])
    op.create_index("ix_leader_charge_petition", "leader_charge", ["petition_id"])
    op.create_index("ix_leader_charge_entry", "leader_charge", ["entry_id"])
    _table("charge_extension", _ref("charge_id", "leader_charge", False),
           _required("asked_deadline", 10), _required("reason"), _ref("requested_by", "staff"),
           _required("requested_on", 10),
           sa.Column("status", sa.String(8), nullable=False, server_default="pending"),
           _ref("decided_by", "staff"), _text("decided_on", 10), _text("decision_note"))
    op.create_index("ix_charge_extension_charge", "charge_extension", ["charge_id"])
    _table("charge_note", _ref("charge_id", "leader_charge", False), _required("day", 10),
           _required("text"), _ref("staff_id", "staff"))
    op.create_index("ix_charge_note_charge", "charge_note", ["charge_id", "day"])


def downgrade() -> None:
    raise NotImplementedError("Doorstep restores from the automatic backup instead of downgrading")
