"""Fixed vocabularies stored as codes, with their labels marked for translation.

Each vocabulary is a ``StrEnum`` of ``Vocabulary``: a member is the code as stored (it equals
its text, so rows and packages hold the same strings as ever) and carries its label, a msgid
marked with ``N_`` and translated when shown (``member.label``).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Self

from app.core.i18n import N_, _


class Vocabulary(StrEnum):
    """Codes with their labels: ``CODE = "code", N_("Label")``."""

    message: str  # the label's msgid

    def __new__(cls, code: str, message: str = "") -> Self:
        member = str.__new__(cls, code)
        member._value_ = code
        member.message = message
        return member

    @property
    def label(self) -> str:
        """The label in the current language."""
        return _(self.message)

    @classmethod
    def lookup(cls, code: str) -> Self | None:
        """The member stored as ``code``, or None."""
        return cls._value2member_map_.get(code)  # type: ignore[return-value]

    @classmethod
    def has(cls, code: str) -> bool:
        return code in cls._value2member_map_


# A vocabulary as its users see it: a Vocabulary, or a mapping of codes to msgids (the choices
# some use cases still declare themselves).
Codes = type[Vocabulary] | Mapping[str, str]


def messages(vocabulary: Codes) -> Mapping[str, str]:
    """Each code of ``vocabulary`` with its label's msgid, in order."""
    if isinstance(vocabulary, Mapping):
        return vocabulary
    return {member.value: member.message for member in vocabulary}


def label(vocabulary: Codes, code: str) -> str:
    """The translated label of ``code``, or the code itself when it is not in the vocabulary."""
    message = messages(vocabulary).get(code)
    return _(message) if message else code


class OfficeLevel(Vocabulary):
    PREFECTURE = "prefecture", N_("Prefecture procuratorate")
    COUNTY = "county", N_("County procuratorate")


class StaffRole(Vocabulary):
    CHIEF = "chief", N_("Chief procurator")
    DEPUTY = "deputy", N_("Deputy chief procurator")
    HEAD = "head", N_("Department head")
    PROCURATOR = "procurator", N_("Procurator")
    CLERK = "clerk", N_("Clerk")
    # Keeps the laptops and the staff's accounts (系统管理员); handles no petitions.
    ADMIN = "admin", N_("Office administrator")


_ROLE_RANK = {role.value: rank for rank, role in enumerate(StaffRole)}


def role_rank(role: str) -> int:
    """Where a role comes in a list of staff: the chief first, the administrator last (the
    order ``StaffRole`` names them); a role unknown here after them all."""
    return _ROLE_RANK.get(role, len(_ROLE_RANK))


class Sex(Vocabulary):
    MALE = "M", N_("Male")
    FEMALE = "F", N_("Female")


# GB/T 3304 codes of the nationalities met in Golog.
class Ethnicity(Vocabulary):
    TIBETAN = "04", N_("Tibetan")
    HAN = "01", N_("Han")
    HUI = "03", N_("Hui")
    TU = "30", N_("Tu")
    SALAR = "35", N_("Salar")
    MONGOL = "02", N_("Mongol")


class Language(Vocabulary):
    TIBETAN = "bo", N_("Tibetan language")
    CHINESE = "zh", N_("Chinese language")


class Channel(Vocabulary):
    VISIT = "visit", N_("Visit in person")
    LETTER = "letter", N_("Letter")
    PHONE = "phone", N_("Phone call")
    WEB = "web", N_("Online")
    VIDEO = "video", N_("Video")
    HIGHER = "higher", N_("Handed down by a higher office")


class Category(Vocabulary):
    SUGGESTION = "suggestion", N_("Suggestions and opinions")
    ACCUSATION = "accusation", N_("Reports and accusations")
    APPEAL = "appeal", N_("Appeals and requests")


class BusinessType(Vocabulary):
    CRIMINAL_APPEAL = "criminal_appeal", N_("Criminal appeal")
    CIVIL_SUPERVISION = "civil_supervision", N_("Civil supervision")
    ADMINISTRATIVE = "administrative", N_("Administrative supervision")
    JUDICIAL_AID = "judicial_aid", N_("Judicial aid")
    PUBLIC_INTEREST = "public_interest", N_("Public-interest lead")
    SUPPORT_LAWSUIT = "support_lawsuit", N_("Support for a lawsuit")
    STATE_COMPENSATION = "state_compensation", N_("State compensation")
    OTHER = "other", N_("Other")


class Jurisdiction(Vocabulary):
    ACCEPT = "accept", N_("Accept into case handling")
    REFER = "refer", N_("Refer to the competent body")


class PartyRole(Vocabulary):
    PETITIONER = "petitioner", N_("Petitioner")
    REPRESENTATIVE = "representative", N_("Representative")


class ReplyKind(Vocabulary):
    PROCEDURAL = "procedural", N_("Procedural reply")
    RESULT = "result", N_("Result answer")


class ReplyMethod(Vocabulary):
    IN_PERSON = "in_person", N_("In person")
    PHONE = "phone", N_("By phone")
    WRITTEN = "written", N_("In writing")
    SMS = "sms", N_("By SMS")


class Deadline(Vocabulary):
    REPLY = "reply", N_("7-day procedural reply")
    ANSWER = "answer", N_("3-month result answer")


class DeadlineAction(Vocabulary):
    PAUSE = "pause", N_("Paused")
    RESUME = "resume", N_("Resumed")
    EXTEND = "extend", N_("Extended")


class PetitionStatus(Vocabulary):
    AWAITING_REPLY = "awaiting_reply", N_("Awaiting procedural reply")
    AWAITING_ANSWER = "awaiting_answer", N_("Awaiting result answer")
    ANSWERED = "answered", N_("Answered")
    VOID = "void", N_("Void")


class Activity(Vocabulary):
    REGISTERED = "registered", N_("Registered")
    RENUMBERED = "renumbered", N_("Registration number given in place of the provisional one")
    REPLIED = "replied", N_("Reply recorded")
    DEADLINE = "deadline", N_("Deadline changed")
    HEARING = "hearing", N_("Hearing recorded")
    HEARING_PLANNED = "hearing_planned", N_("Hearing planned")
    AGREEMENT = "agreement", N_("Agreement drafted")
    AGREEMENT_SIGNED = "agreement_signed", N_("Agreement signed")
    AGREEMENT_WITHDRAWN = "agreement_withdrawn", N_("Agreement withdrawn")
    ATTACHMENT_ADDED = "attachment_added", N_("Scan or photo attached")
    ATTACHMENT_REMOVED = "attachment_removed", N_("Scan or photo removed")
    AID_PROPOSED = "aid_proposed", N_("Judicial aid proposed")
    AID_APPROVED = "aid_approved", N_("Judicial aid approved")
    AID_REDUCED = "aid_reduced", N_("Judicial aid approved at a reduced amount")
    AID_REFUSED = "aid_refused", N_("Judicial aid refused")
    AID_PAID = "aid_paid", N_("Judicial aid paid")
    AID_REVERSED = "aid_reversed", N_("Aid payment reversed")
    VISIT_SCHEDULED = "visit_scheduled", N_("Return visit scheduled")
    VISIT_DONE = "visit_done", N_("Return visit made")
    HANDOVER_OPENED = "handover_opened", N_("Handed over to social assistance")
    HANDOVER_CLOSED = "handover_closed", N_("Hand-over to social assistance closed")
    VISIT_CANCELLED = "visit_cancelled", N_("Planned return visit cancelled")
    HANDOVER_UPDATED = "handover_updated", N_("Hand-over to social assistance updated")
    PERSONS_MERGED = "persons_merged", N_("Duplicate persons merged")
    UNANSWERABLE = "unanswerable", N_("Marked as impossible to answer")
    ANSWERABLE = "answerable", N_("Marked as possible to answer again")
    RESOLVED = "resolved", N_("Resolution recorded")
    RESOLUTION_CLEARED = "resolution_cleared", N_("Resolution taken back")
    CONCILIATION = "conciliation", N_("Conciliation or mediation recorded")
    LAWSUIT_SUPPORT = "lawsuit_support", N_("Support to sue recorded")
    ESCALATION = "escalation", N_("Escalation recorded")
    HELPER = "helper", N_("Outside helper recorded")
    LEAD_TRANSFER = "lead_transfer", N_("Lead passed to another body")
    OUTCOME_REMOVED = "outcome_removed", N_("Record entered by mistake removed")
    EDITED = "edited", N_("Petition corrected")
    PERSON_EDITED = "person_edited", N_("Petitioner's details corrected")
    TRANSFERRED = "transferred", N_("Handed to another procurator")
    VOIDED = "voided", N_("Registration voided")


class OfficerRole(Vocabulary):
    DEPUTY = "deputy", N_("People's congress deputy")
    CPPCC = "cppcc", N_("CPPCC member")
    SUPERVISOR = "supervisor", N_("People's supervisor")
    LAWYER = "lawyer", N_("Lawyer")
    COMMUNITY = "community", N_("Community figure")
    OTHER = "other", N_("Other")


class HearingKind(Vocabulary):
    PUBLIC = "public", N_("Public hearing")
    SIMPLIFIED = "simplified", N_("Simplified hearing")
    DOORSTEP = "doorstep", N_("Doorstep hearing")


class HearingOutcome(Vocabulary):
    SETTLED = "settled", N_("Settled and withdrawn")
    CONCILIATED = "conciliated", N_("Conciliated")
    CONTINUES = "continues", N_("Handling continues")
    OTHER = "other", N_("Other")


class AgreementStatus(Vocabulary):
    DRAFTED = "drafted", N_("Drafted")
    PRINTED = "printed", N_("Printed")
    SIGNED = "signed", N_("Signed")
    WITHDRAWN = "withdrawn", N_("Withdrawn")


class AidGroup(Vocabulary):
    MINOR = "minor", N_("Minor")
    POOR = "poor", N_("Poor household")
    DISABLED = "disabled", N_("Person with a disability")
    STUDENT = "student", N_("Student")
    VICTIM_FAMILY = "victim_family", N_("Victim's family")
    OTHER = "other", N_("Other")


class AidStatus(Vocabulary):
    PROPOSED = "proposed", N_("Proposed, awaiting a leader's decision")
    APPROVED = "approved", N_("Approved")
    REDUCED = "reduced", N_("Approved at a reduced amount")
    REFUSED = "refused", N_("Refused")


class AidDecision(Vocabulary):
    APPROVED = "approved", N_("Approve")
    REDUCED = "reduced", N_("Reduce")
    REFUSED = "refused", N_("Refuse")


class PaymentState(Vocabulary):
    UNPAID = "unpaid", N_("Not paid yet")
    PARTLY = "partly", N_("Partly paid")
    FULLY = "fully", N_("Fully paid")


class PayeeRelation(Vocabulary):
    SELF = "self", N_("The person aided")
    GUARDIAN = "guardian", N_("Guardian")
    RELATIVE = "relative", N_("Close relative")
    OTHER = "other", N_("Other")


class PaymentMethod(Vocabulary):
    CASH = "cash", N_("Cash")
    BANK = "bank", N_("Bank transfer")


class VisitMethod(Vocabulary):
    PHONE = "phone", N_("12309 phone call")
    ON_SITE = "on_site", N_("On site")
    ONLINE = "online", N_("Online")
    MEETING = "meeting", N_("Meeting at the office")


class Satisfaction(Vocabulary):
    SATISFIED = "satisfied", N_("Satisfied")
    BASICALLY = "basically", N_("Basically satisfied")
    DISSATISFIED = "dissatisfied", N_("Dissatisfied")
    UNKNOWN = "unknown", N_("Could not say")

