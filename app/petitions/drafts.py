"""The intake form's draft: a petition being typed when Doorstep stopped, offered back at the
next start (``app.core.drafts`` keeps it safe on disk)."""

from __future__ import annotations

from app.core.drafts import discard_draft, fill, load_draft, save_draft
from app.core.paths import AppPaths
from app.persons.records import PersonInput
from app.petitions.intake import PetitionInput

INTAKE = "intake"


def save_intake_draft(paths: AppPaths, data: PetitionInput) -> None:
    save_draft(paths, INTAKE, data)


def discard_intake_draft(paths: AppPaths) -> None:
    discard_draft(paths, INTAKE)


def is_blank(data: PetitionInput) -> bool:
    """Nothing a clerk typed: an untouched form is not a draft worth offering back."""
    typed = [data.higher_office, data.higher_ref, data.summary, data.requests,
             data.original_case_no, data.referral_body, data.referral_note]
    for person in data.persons:
        typed += [person.name_bo, person.name_zh, person.id_number, person.phone,
                  person.village, person.herding_group]
    return not any(text.strip() for text in typed) and not any(p.existing_id
                                                               for p in data.persons)


def load_intake_draft(paths: AppPaths) -> PetitionInput | None:
    data = load_draft(paths, INTAKE)
    if data is None:
        return None
    draft: PetitionInput = fill(PetitionInput, {k: v for k, v in data.items() if k != "persons"})
    persons = data.get("persons")
    if isinstance(persons, list):
        draft.persons = [fill(PersonInput, p) for p in persons if isinstance(p, dict)]
        for person, raw in zip(draft.persons, persons, strict=False):
            if isinstance(raw, dict) and isinstance(raw.get("existing_id"), str):
                person.existing_id = raw["existing_id"]
    return None if is_blank(draft) else draft
