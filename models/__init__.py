"""Doorstep's database: SQLAlchemy 2.0 typed models, the sync version log and Alembic migrations.

This package imports nothing of ours and nothing of Qt.
"""

from models.base import Base, SyncedRecord, new_id
from models.core import Device, LocalIdentity, Office, Person, Staff
from models.petition import (
    Activity,
    DeadlineEvent,
    HolidayOverride,
    NumberBlock,
    Petition,
    PetitionParty,
    PetitionReply,
)
from models.sync import SyncHead, SyncVersion

__all__ = [
    "Activity",
    "Base",
    "DeadlineEvent",
    "Device",
    "HolidayOverride",
    "LocalIdentity",
    "NumberBlock",
    "Office",
    "Person",
    "Petition",
    "PetitionParty",
    "PetitionReply",
    "Staff",
    "SyncHead",
    "SyncVersion",
    "SyncedRecord",
    "new_id",
]
