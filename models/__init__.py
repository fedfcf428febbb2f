"""Doorstep's database: SQLAlchemy 2.0 typed models, the sync version log and Alembic migrations.

This package imports nothing of ours and nothing of Qt.
"""

from models.agreement import Agreement
from models.aid import (
    AidCase,
    AidDecision,
    AidPayment,
    AidPerson,
    AidPolicy,
)
from models.attachment import Attachment
from models.audit import AuditEntry
from models.base import Base, SyncedRecord, new_id
from models.charge import ChargeExtension, ChargeNote, LeaderCharge
from models.core import Device, LocalIdentity, Office, Person, Staff
from models.hearing import (
    Hearing,
    HearingOfficer,
    HearingParticipant,
    HearingStatement,
    OfficerOpinion,
)
from models.hub import HubLogin
from models.ledger import (
    KeyPetitioner,
    LedgerMeasure,
    LedgerMovement,
    LevelChange,
    RiskRule,
)
from models.outcome import (
    Conciliation,
    Escalation,
    LawsuitSupport,
    LeadTransfer,
    ResolutionHelper,
)
from models.person_review import PersonPairReview
from models.petition import (
    Activity,
    DeadlineEvent,
    HolidayOverride,
    NumberBlock,
    Petition,
    PetitionParty,
    PetitionReply,
)
from models.reception import ReceptionDay, ReceptionTarget, ReceptionVisit
from models.screening import Screening, ScreeningRow
from models.sync import SyncHead, SyncVersion
from models.sync_state import (
    SyncApart,
    SyncBatch,
    SyncFork,
    SyncLog,
    SyncPackage,
    SyncPeer,
    SyncRoster,
    SyncSecret,
)
from models.visit import Handover, ReturnVisit

__all__ = [
    "Activity",
    "Agreement",
    "AidCase",
    "AidDecision",
    "AidPayment",
    "AidPerson",
    "AidPolicy",
    "Attachment",
    "AuditEntry",
    "Base",
    "ChargeExtension",
    "ChargeNote",
    "Conciliation",
    "DeadlineEvent",
    "Device",
    "Escalation",
    "Handover",
    "Hearing",
    "HearingOfficer",
    "HearingParticipant",
    "HearingStatement",
    "HolidayOverride",
    "HubLogin",
    "KeyPetitioner",
    "LawsuitSupport",
    "LeadTransfer",
    "LeaderCharge",
    "LedgerMeasure",
    "LedgerMovement",
    "LevelChange",
    "LocalIdentity",
    "NumberBlock",
    "Office",
    "OfficerOpinion",
    "Person",
    "PersonPairReview",
    "Petition",
    "PetitionParty",
    "PetitionReply",
    "ReceptionDay",
    "ReceptionTarget",
    "ReceptionVisit",
    "ResolutionHelper",
    "ReturnVisit",
    "RiskRule",
    "Screening",
    "ScreeningRow",
    "Staff",
    "SyncApart",
    "SyncBatch",
    "SyncFork",
    "SyncHead",
    "SyncLog",
    "SyncPackage",
    "SyncPeer",
    "SyncRoster",
    "SyncSecret",
    "SyncVersion",
    "SyncedRecord",
    "new_id",
]
