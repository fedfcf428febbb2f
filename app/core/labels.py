"""Fixed vocabularies stored as codes, with their labels marked for translation."""

from __future__ import annotations

from app.core.i18n import N_, _

OFFICE_LEVELS = {
    "prefecture": N_("Prefecture procuratorate"),
    "county": N_("County procuratorate"),
}

STAFF_ROLES = {
    "chief": N_("Chief procurator"),
    "deputy": N_("Deputy chief procurator"),
    "head": N_("Department head"),
    "procurator": N_("Procurator"),
    "clerk": N_("Clerk"),
}

SEXES = {"M": N_("Male"), "F": N_("Female")}

# GB/T 3304 codes of the nationalities met in Golog.
ETHNICITIES = {
    "04": N_("Tibetan"),
    "01": N_("Han"),
    "03": N_("Hui"),
    "30": N_("Tu"),
    "35": N_("Salar"),
    "02": N_("Mongol"),
}

LANGUAGES = {"bo": N_("Tibetan language"), "zh": N_("Chinese language")}


def label(vocabulary: dict[str, str], code: str) -> str:
    """The translated label of ``code``, or the code itself when it is not in the vocabulary."""
    message = vocabulary.get(code)
    return _(message) if message else code

CHANNELS = {
    "visit": N_("Visit in person"),
    "letter": N_("Letter"),
    "phone": N_("Phone call"),
    "web": N_("Online"),
    "video": N_("Video"),
    "higher": N_("Handed down by a higher office"),
}

CATEGORIES = {
    "suggestion": N_("Suggestions and opinions"),
    "accusation": N_("Reports and accusations"),
    "appeal": N_("Appeals and requests"),
}

BUSINESS_TYPES = {
    "criminal_appeal": N_("Criminal appeal"),
    "civil_supervision": N_("Civil supervision"),
    "administrative": N_("Administrative supervision"),
    "judicial_aid": N_("Judicial aid"),
    "public_interest": N_("Public-interest lead"),
    "support_lawsuit": N_("Support for a lawsuit"),
    "state_compensation": N_("State compensation"),
    "other": N_("Other"),
}

JURISDICTIONS = {
    "accept": N_("Accept into case handling"),
    "refer": N_("Refer to the competent body"),
}

PARTY_ROLES = {"petitioner": N_("Petitioner"), "representative": N_("Representative")}

REPLY_KINDS = {"procedural": N_("Procedural reply"), "result": N_("Result answer")}

REPLY_METHODS = {
    "in_person": N_("In person"),
    "phone": N_("By phone"),
    "written": N_("In writing"),
    "sms": N_("By SMS"),
}

DEADLINES = {"reply": N_("7-day procedural reply"), "answer": N_("3-month result answer")}

DEADLINE_ACTIONS = {"pause": N_("Paused"), "resume": N_("Resumed"), "extend": N_("Extended")}

STATUSES = {
    "awaiting_reply": N_("Awaiting procedural reply"),
    "awaiting_answer": N_("Awaiting result answer"),
    "answered": N_("Answered"),
}

ACTIVITY = {
    "registered": N_("Registered"),
    "renumbered": N_("Registration number given in place of the provisional one"),
    "replied": N_("Reply recorded"),
    "deadline": N_("Deadline changed"),
    "hearing": N_("Hearing recorded"),
    "hearing_planned": N_("Hearing planned"),
    "agreement": N_("Agreement drafted"),
    "agreement_signed": N_("Agreement signed"),
    "agreement_withdrawn": N_("Agreement withdrawn"),
    "attachment_added": N_("Scan or photo attached"),
    "attachment_removed": N_("Scan or photo removed"),
    "aid_proposed": N_("Judicial aid proposed"),
    "aid_approved": N_("Judicial aid approved"),
    "aid_reduced": N_("Judicial aid approved at a reduced amount"),
    "aid_refused": N_("Judicial aid refused"),
    "aid_paid": N_("Judicial aid paid"),
    "aid_reversed": N_("Aid payment reversed"),
    "visit_scheduled": N_("Return visit scheduled"),
    "visit_done": N_("Return visit made"),
    "handover_opened": N_("Handed over to social assistance"),
    "handover_closed": N_("Hand-over to social assistance closed"),
}

OFFICER_ROLES = {
    "deputy": N_("People's congress deputy"),
    "cppcc": N_("CPPCC member"),
    "supervisor": N_("People's supervisor"),
    "lawyer": N_("Lawyer"),
    "community": N_("Community figure"),
    "other": N_("Other"),
}

HEARING_KINDS = {"public": N_("Public hearing"), "simplified": N_("Simplified hearing"),
                 "doorstep": N_("Doorstep hearing")}

HEARING_OUTCOMES = {
    "settled": N_("Settled and withdrawn"),
    "conciliated": N_("Conciliated"),
    "continues": N_("Handling continues"),
    "other": N_("Other"),
}

AGREEMENT_STATUSES = {
    "drafted": N_("Drafted"),
    "printed": N_("Printed"),
    "signed": N_("Signed"),
    "withdrawn": N_("Withdrawn"),
}

AID_GROUPS = {
    "minor": N_("Minor"),
    "poor": N_("Poor household"),
    "disabled": N_("Person with a disability"),
    "student": N_("Student"),
    "victim_family": N_("Victim's family"),
    "other": N_("Other"),
}

AID_STATUSES = {
    "proposed": N_("Proposed, awaiting a leader's decision"),
    "approved": N_("Approved"),
    "reduced": N_("Approved at a reduced amount"),
    "refused": N_("Refused"),
}

AID_DECISIONS = {"approved": N_("Approve"), "reduced": N_("Reduce"), "refused": N_("Refuse")}

PAYMENT_STATES = {"unpaid": N_("Not paid yet"), "partly": N_("Partly paid"),
                  "fully": N_("Fully paid")}

PAYEE_RELATIONS = {
    "self": N_("The person aided"),
    "guardian": N_("Guardian"),
    "relative": N_("Close relative"),
    "other": N_("Other"),
}

PAYMENT_METHODS = {"cash": N_("Cash"), "bank": N_("Bank transfer")}

VISIT_METHODS = {
    "phone": N_("12309 phone call"),
    "on_site": N_("On site"),
    "online": N_("Online"),
    "meeting": N_("Meeting at the office"),
}

SATISFACTION = {
    "satisfied": N_("Satisfied"),
    "basically": N_("Basically satisfied"),
    "dissatisfied": N_("Dissatisfied"),
    "unknown": N_("Could not say"),
}

# Return visits and hand-overs (app/aid/visits.py): history entries beyond those above.
ACTIVITY["visit_cancelled"] = N_("Planned return visit cancelled")
ACTIVITY["handover_updated"] = N_("Hand-over to social assistance updated")

# Possible duplicate persons (app/persons/review.py).
ACTIVITY["persons_merged"] = N_("Duplicate persons merged")

# What the statistics count (app/petitions/outcomes.py).
ACTIVITY["unanswerable"] = N_("Marked as impossible to answer")
ACTIVITY["answerable"] = N_("Marked as possible to answer again")
ACTIVITY["resolved"] = N_("Resolution recorded")
ACTIVITY["resolution_cleared"] = N_("Resolution taken back")
ACTIVITY["conciliation"] = N_("Conciliation or mediation recorded")
ACTIVITY["lawsuit_support"] = N_("Support to sue recorded")
ACTIVITY["escalation"] = N_("Escalation recorded")
ACTIVITY["helper"] = N_("Outside helper recorded")
ACTIVITY["lead_transfer"] = N_("Lead passed to another body")
ACTIVITY["outcome_removed"] = N_("Record entered by mistake removed")
