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
from app.core.i18n import N_
from app.core.store import Store
from models import Base
from models.sync import HLC_LOGICAL_BITS, field_ids

TABLES = {
    "person": N_("Person"),
    "petition": N_("Petition"),
    "petition_party": N_("Party"),
    "petition_reply": N_("Reply to a petition"),
    "deadline_event": N_("Deadline changes"),
    "hearing": N_("Doorstep hearing"),
    "hearing_officer": N_("Hearing officer"),
    "agreement": N_("Settle-and-withdraw agreement"),
    "aid_case": N_("Judicial aid case"),
    "aid_payment": N_("Judicial aid payment"),
    "return_visit": N_("Return visit"),
    "handover": N_("Hand-over to social assistance"),
    "staff": N_("Staff"),
    "office": N_("Procuratorate"),
    "device": N_("Office laptop"),
    "attachment": N_("Scans and photos"),
}

# Field id -> label, for every table that has the field (unless FIELDS says otherwise).
COMMON_FIELDS = {
    "name_zh": N_("Name (Chinese)"),
    "name_bo": N_("Name (Tibetan)"),
    "sex": N_("Sex"),
    "ethnicity": N_("Ethnicity"),
    "id_number": N_("Resident ID number"),
    "phone": N_("Phone"),
    "county": N_("County"),
    "township": N_("Township"),
    "village": N_("Village"),
    "herding_group": N_("Herding group"),
    "preferred_language": N_("Preferred language"),
    "needs_interpreter": N_("Interpreter needed"),
    "role": N_("Role"),
    "active": N_("Active"),
    "place": N_("Place"),
    "outcome": N_("Outcome"),
    "note": N_("Note"),
    "reason": N_("Reason"),
    "method": N_("Method"),
    "satisfaction": N_("Satisfaction"),
    "interpreter": N_("Interpreter"),
    "deleted": N_("Deleted"),
}

FIELDS = {
    ("petition", "channel"): N_("Channel"),
    ("petition", "category"): N_("Category"),
    ("petition", "business_type"): N_("Business type"),
    ("petition", "summary"): N_("Summary"),
    ("petition", "requests"): N_("Requests"),
    ("petition", "original_case_no"): N_("Original case number"),
    ("petition", "jurisdiction"): N_("Jurisdiction"),
    ("petition", "referral_body"): N_("Referred to"),
    ("petition", "referral_note"): N_("Referral note"),
    ("petition", "handling_procurator_id"): N_("Handling procurator"),
    ("petition", "leader_id"): N_("Leader in charge"),
    ("petition", "higher_office"): N_("Higher office"),
    ("petition", "higher_ref"): N_("Its reference"),
    ("petition", "received_at"): N_("Received"),
    ("petition", "reply_due"): N_("Reply due"),
    ("petition", "answer_due"): N_("Result due"),
    ("petition", "is_sensitive"): N_("Sensitive"),
    ("petition", "is_repeat"): N_("Repeat petition"),
    ("hearing", "kind"): N_("Kind of hearing"),
    ("hearing", "host_id"): N_("Host"),
    ("aid_case", "eligibility"): N_("Eligibility group"),
    ("aid_case", "facts"): N_("Facts of hardship"),
    ("aid_case", "reasons"): N_("Reasons for the amount"),
    ("aid_case", "proposed_fen"): N_("Amount proposed (yuan)"),
    ("aid_case", "status"): N_("Status"),
    ("aid_payment", "amount_fen"): N_("Amount"),
    ("agreement", "status"): N_("Status"),
    ("device", "name"): N_("Laptop name"),
}

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
