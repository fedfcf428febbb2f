"""Correcting a person's details (a petitioner, a representative) from one of their petitions.

What the clerk submits is what the person's record becomes: a field emptied is emptied (at
intake, a blank keeps what was known; here the clerk sees what was known). It is checked as at
intake. Every petition the person is a party to logs the correction (``person_edited``: the
fields as codes, then the person's names), since each one's papers and detail show them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import access
from app.core.access import Permission
from app.core.errors import AppError, InvalidInputError, ValidationError
from app.core.i18n import N_
from app.core.labels import Vocabulary
from app.core.records import live_petition, log_activity, staff_or_none
from app.core.store import Store
from app.persons.records import (
    PersonInput,
    check_id_number,
    normalise_name,
    normalise_phone,
    validate_person,
)
from models import Person, Petition, PetitionParty

# Where a person's problems point: ``person.name_zh`` and so on.
PREFIX = "person"
# How a ``person_edited`` detail separates the changed fields from the person's names.
SEPARATOR = "\t"


class PersonField(Vocabulary):
    """What a correction of a person may change, as the history names it."""

    NAME_BO = "name_bo", N_("Name in Tibetan")
    NAME_ZH = "name_zh", N_("Name in Chinese")
    SEX = "sex", N_("Sex")
    ETHNICITY = "ethnicity", N_("Ethnicity")
    ID_NUMBER = "id_number", N_("ID number")
    PHONE = "phone", N_("Phone")
    COUNTY = "county", N_("County")
    TOWNSHIP = "township", N_("Township")
    VILLAGE = "village", N_("Village")
    HERDING_GROUP = "herding_group", N_("Herding group")
    PREFERRED_LANGUAGE = "preferred_language", N_("Preferred language")
    NEEDS_INTERPRETER = "needs_interpreter", N_("Interpreter needed")


def _party(session: Session, petition_id: str, person_id: str) -> Person:
    found = session.scalar(select(Person).join(
        PetitionParty, PetitionParty.person_id == Person.id).where(
        PetitionParty.petition_id == petition_id, PetitionParty.person_id == person_id,
        PetitionParty.deleted.is_(False), Person.deleted.is_(False)))
    if found is None:
        raise AppError(N_("This person is not a party to this petition any more."))
    return found


def person_edit(store: Store, petition_id: str, person_id: str) -> PersonInput:
    """The person's details as they stand, to correct from one of their petitions."""
    with store.read() as session:
        live_petition(session, petition_id)
        person = _party(session, petition_id, person_id)
        return PersonInput(
            name_bo=person.name_bo, name_zh=person.name_zh, sex=person.sex,
            ethnicity=person.ethnicity, id_number=person.id_number, phone=person.phone,
            county=person.county, township=person.township, village=person.village,
            herding_group=person.herding_group, preferred_language=person.preferred_language,
            needs_interpreter=person.needs_interpreter, existing_id=person.id)


def edit_person(store: Store, petition_id: str, person_id: str, data: PersonInput,
                staff_id: str = "", today: date | None = None) -> list[str]:
    """Correct a party of the petition; returns the fields changed. A correction that changes
    nothing is refused, saving nothing."""
    today = today or date.today()
    data = replace(data, existing_id=person_id)
    problems = validate_person(data, PREFIX, today)
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        live_petition(session, petition_id)
        person = _party(session, petition_id, person_id)
        number = ""
        if data.id_number.strip() and not any(p.field == f"{PREFIX}.id_number"
                                              for p in problems):
            number = check_id_number(data.id_number, today, f"{PREFIX}.id_number")
            other = session.scalar(select(Person).where(
                Person.id_number == number, Person.id != person_id, Person.deleted.is_(False)))
            if other is not None:
                problems.append(ValidationError(
                    N_("{name} already has this ID number. If they are the same person, merge "
                       "the two under Persons."), field=f"{PREFIX}.id_number",
                    name=other.name_zh or other.name_bo))
        if problems:
            raise InvalidInputError(problems)
        values: dict[str, object] = {
            "name_bo": normalise_name(data.name_bo),
            "name_zh": normalise_name(data.name_zh),
            "sex": data.sex,
            "ethnicity": data.ethnicity,
            "id_number": number,
            "phone": normalise_phone(data.phone),
            "county": data.county.strip(),
            "township": data.township.strip(),
            "village": data.village.strip(),
            "herding_group": data.herding_group.strip(),
            "preferred_language": data.preferred_language,
            "needs_interpreter": data.needs_interpreter,
        }
        changed = []
        for name, value in values.items():
            if getattr(person, name) != value:
                setattr(person, name, value)
                changed.append(name)
        if not changed:
            raise AppError(N_("Nothing was changed, so nothing was saved."))
        detail = SEPARATOR.join((" ".join(changed), person.name_zh, person.name_bo))
        by = staff_or_none(session, staff_id)
        for each in session.scalars(select(PetitionParty.petition_id).join(
                Petition, Petition.id == PetitionParty.petition_id).where(
                PetitionParty.person_id == person_id, PetitionParty.deleted.is_(False),
                Petition.deleted.is_(False)).distinct()):
            log_activity(session, store, each, by, "person_edited", detail)
        return changed


__all__ = ["PREFIX", "PersonField", "edit_person", "person_edit"]
