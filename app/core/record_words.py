"""What the kinds of record and their fields are called, for a person: the labels (msgids)
the conflicts of the sync and the record of what was done show. Tables and fields not listed
here are shown by their stored names."""

from __future__ import annotations

from app.core.i18n import N_

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
