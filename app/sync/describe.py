"""What a conflict is about, in words a person knows: the kind of record, the field, how its
values read, and which record it is (a person's name, a petition's number).

The labels are msgids (translated where shown); the record names are plain data in both
scripts. Tables and fields not listed here are shown by their stored names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Boolean, Table, select

from app.core import labels
from app.core.record_words import COMMON_FIELDS, FIELDS
from app.core.record_words import TABLES as TABLES
from app.core.store import Store
from models import Base
from models.sync import HLC_LOGICAL_BITS, field_ids

VOCABULARIES = {
    ("person", "sex"): labels.Sex,
    ("person", "ethnicity"): labels.Ethnicity,
    ("person", "preferred_language"): labels.Language,
    ("petition", "channel"): labels.Channel,
    ("petition", "category"): labels.Category,
    ("petition", "business_type"): labels.BusinessType,
    ("petition", "jurisdiction"): labels.Jurisdiction,
    ("petition_party", "role"): labels.PartyRole,
    ("petition_reply", "kind"): labels.ReplyKind,
    ("petition_reply", "method"): labels.ReplyMethod,
    ("staff", "role"): labels.StaffRole,
    ("hearing_officer", "role"): labels.OfficerRole,
    ("hearing", "kind"): labels.HearingKind,
    ("hearing", "outcome"): labels.HearingOutcome,
    ("agreement", "status"): labels.AgreementStatus,
    ("aid_case", "eligibility"): labels.AidGroup,
    ("aid_case", "status"): labels.AidStatus,
    ("aid_payment", "method"): labels.PaymentMethod,
    ("return_visit", "method"): labels.VisitMethod,
    ("return_visit", "satisfaction"): labels.Satisfaction,
    ("office", "level"): labels.OfficeLevel,
}


@dataclass(frozen=True)
class FieldWords:
    """How to show a field: its table's and its own label (msgids, None when unknown), the
    vocabulary its codes come from, and whether it holds a yes/no flag or money in fen."""

    table: str | None
    field: str | None
    vocabulary: type[labels.Vocabulary] | None
    flag: bool
    money: bool


def _column(tbl: str, field: str) -> str | None:
    table = Base.metadata.tables.get(tbl)
    if table is None:
        return None
    return next((c for c, f in field_ids(table).items() if f == field), None)


def field_words(tbl: str, field: str) -> FieldWords:
    column = _column(tbl, field)
    table = Base.metadata.tables.get(tbl)
    flag = column is not None and table is not None \
        and isinstance(table.c[column].type, Boolean)
    return FieldWords(TABLES.get(tbl), FIELDS.get((tbl, field), COMMON_FIELDS.get(field)),
                      VOCABULARIES.get((tbl, field)), flag, field.endswith("_fen"))


@dataclass(frozen=True)
class RecordName:
    """Which record: a name or number in both scripts (the same text when it has one)."""

    zh: str
    bo: str


# Tables whose records are named by one or two of their own columns (Chinese, Tibetan).
_NAMED = {"person": ("name_zh", "name_bo"), "staff": ("name_zh", "name_bo"),
          "hearing_officer": ("name_zh", "name_bo"), "office": ("name_zh", "name_bo"),
          "device": ("name", "name"), "petition": ("reg_no", "reg_no"),
          "attachment": ("file_name", "file_name")}


def record_names(store: Store, keys: Iterable[tuple[str, str]]
                 ) -> dict[tuple[str, str], RecordName]:
    """(table, row id) -> the record's name; a record about a petition is named by the
    petition's number. Records with neither are left out."""
    wanted: dict[str, set[str]] = {}
    for tbl, row_id in keys:
        wanted.setdefault(tbl, set()).add(row_id)
    petitions = Base.metadata.tables["petition"]
    found: dict[tuple[str, str], RecordName] = {}
    with store.read() as session:
        for tbl, ids in wanted.items():
            table: Table | None = Base.metadata.tables.get(tbl)
            if table is None:
                continue
            if tbl in _NAMED:
                zh, bo = _NAMED[tbl]
                rows = session.execute(select(table.c.id, table.c[zh], table.c[bo])
                                       .where(table.c.id.in_(ids)))
            elif "petition_id" in table.c:
                rows = session.execute(
                    select(table.c.id, petitions.c.reg_no, petitions.c.reg_no)
                    .join(petitions, petitions.c.id == table.c.petition_id)
                    .where(table.c.id.in_(ids)))
            else:
                continue
            for row_id, name_zh, name_bo in rows:
                if name_zh or name_bo:
                    found[(tbl, row_id)] = RecordName(str(name_zh or name_bo or ""),
                                                      str(name_bo or name_zh or ""))
    return found


# Fields holding the id of another record: the table it is in.
_REFERENCES = {"person_id": "person", "officer_id": "hearing_officer", "office_id": "office",
               "staff_id": "staff", "by_staff_id": "staff", "host_id": "staff",
               "handling_procurator_id": "staff", "leader_id": "staff", "registered_by": "staff",
               "visitor_id": "staff", "decided_by": "staff", "proposed_by": "staff",
               "paid_by": "staff", "device_id": "device", "numbering_device_id": "device"}


def refers_to(field: str) -> str | None:
    """The table whose record a field names by id (its value is then shown by that name)."""
    return _REFERENCES.get(field)


def written_at(hlc: int) -> datetime:
    """When a version was written, from its hybrid logical clock (UTC)."""
    return datetime.fromtimestamp((hlc >> HLC_LOGICAL_BITS) / 1000, UTC)
