"""Persons at intake: normalising names, checking ID numbers, finding the same person again."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from app.core.errors import ValidationError
from app.core.fulltext import body_matches
from app.core.i18n import N_
from app.core.labels import Ethnicity, Language, Sex, Vocabulary
from app.core.sqltext import POSTGRESQL, dialect_of
from app.core.store import Store
from models import Person, Petition, PetitionParty

MAX_NAME_ZH = 50
MAX_NAME_BO = 100
MAX_PLACE = 50
PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,18}[0-9]$")
_SPACES = re.compile(r"\s+")
_TIBETAN_END = "་། "


def normalise_name(value: str) -> str:
    """NFC, single spaces, no trailing tsheg or shad: one spelling per name."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()
    return text.rstrip(_TIBETAN_END)


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s-]", "", value.strip())


def check_id_number(value: str, today: date, field_name: str) -> str:
    """The ID number in its compact form, or a ValidationError saying what is wrong with it."""
    number = ric.compact(value).upper()
    try:
        ric.validate(number)
    except InvalidLength as exc:
        raise ValidationError(N_("A resident ID number has 18 characters."),
                              field=field_name) from exc
    except InvalidFormat as exc:
        raise ValidationError(N_("A resident ID number is 17 digits followed by a digit or X."),
                              field=field_name) from exc
    except InvalidComponent as exc:
        raise ValidationError(N_("The birth date in this ID number is impossible."),
                              field=field_name) from exc
    except InvalidChecksum as exc:
        raise ValidationError(N_("The last character of this ID number (its check digit) does "
                                 "not match the others: please check the number."),
                              field=field_name) from exc
    if ric.get_birth_date(number) > today:
        raise ValidationError(N_("The birth date in this ID number is in the future."),
                              field=field_name)
    return str(number)


@dataclass
class PersonInput:
    """One person as typed at intake; ``existing_id`` links a person already in the store."""

    name_bo: str = ""
    name_zh: str = ""
    sex: str = ""
    ethnicity: str = ""
    id_number: str = ""
    phone: str = ""
    county: str = ""
    township: str = ""
    village: str = ""
    herding_group: str = ""
    preferred_language: str = "zh"
    needs_interpreter: bool = False
    role: str = "petitioner"  # petitioner | representative
    existing_id: str | None = None


def validate_person(person: PersonInput, prefix: str, today: date) -> list[ValidationError]:
    problems: list[ValidationError] = []
    name_bo, name_zh = normalise_name(person.name_bo), normalise_name(person.name_zh)
    if not name_bo and not name_zh:
        problems.append(ValidationError(N_("Please enter the name (in Tibetan, Chinese or both)."),
                                        field=f"{prefix}.name_zh"))
    if len(name_zh) > MAX_NAME_ZH:
        problems.append(ValidationError(N_("This is too long (at most {n} characters)."),
                                        field=f"{prefix}.name_zh", n=MAX_NAME_ZH))
    if len(name_bo) > MAX_NAME_BO:
        problems.append(ValidationError(N_("This is too long (at most {n} characters)."),
                                        field=f"{prefix}.name_bo", n=MAX_NAME_BO))
    if name_bo and not any("\u0f00" <= ch <= "\u0fff" for ch in name_bo):
        problems.append(ValidationError(N_("The Tibetan name should be in Tibetan script."),
                                        field=f"{prefix}.name_bo"))
    if person.id_number.strip():
        try:
            check_id_number(person.id_number, today, f"{prefix}.id_number")
        except ValidationError as problem:
            problems.append(problem)
    phone = person.phone.strip()
    if phone and not PHONE.match(phone):
        problems.append(ValidationError(N_("A phone number has digits only (a landline may "
                                           "have its area code and a dash)."),
                                        field=f"{prefix}.phone"))
    for name in ("county", "township", "village", "herding_group"):
        if len(getattr(person, name).strip()) > MAX_PLACE:
            problems.append(ValidationError(N_("This is too long (at most {n} characters)."),
                                            field=f"{prefix}.{name}", n=MAX_PLACE))
    if person.sex and not Sex.has(person.sex):
        problems.append(ValidationError(N_("Please choose from the list."), field=f"{prefix}.sex"))
    if person.ethnicity and not Ethnicity.has(person.ethnicity):
        problems.append(ValidationError(N_("Please choose from the list."),
                                        field=f"{prefix}.ethnicity"))
    if not Language.has(person.preferred_language):
        problems.append(ValidationError(N_("Please choose from the list."),
                                        field=f"{prefix}.preferred_language"))
    return problems


def apply_person(session: Session, person: PersonInput, today: date) -> tuple[Person, bool]:
    """Create the person, or update the linked one with what was typed. (person, was_known)."""
    values = {
        "name_bo": normalise_name(person.name_bo),
        "name_zh": normalise_name(person.name_zh),
        "sex": person.sex,
        "ethnicity": person.ethnicity,
        "id_number": (check_id_number(person.id_number, today, "id_number")
                      if person.id_number.strip() else ""),
        "phone": normalise_phone(person.phone),
        "county": person.county.strip(),
        "township": person.township.strip(),
        "village": person.village.strip(),
        "herding_group": person.herding_group.strip(),
        "preferred_language": person.preferred_language,
        "needs_interpreter": person.needs_interpreter,
    }
    existing: Person | None = None
    if person.existing_id:
        existing = session.get(Person, person.existing_id)
    if existing is None and values["id_number"]:
        # The same ID number is the same person, chosen from the list or not.
        existing = session.scalar(select(Person).where(Person.id_number == values["id_number"],
                                                       Person.deleted.is_(False)))
    if existing is None:
        created = Person(**values)
        session.add(created)
        session.flush()
        return created, False
    for key, value in values.items():
        # What the clerk typed now is the newer information; blanks do not erase what we knew.
        if value not in ("", None) and getattr(existing, key) != value:
            setattr(existing, key, value)
    return existing, True


@dataclass(frozen=True)
class EarlierPetition:
    id: str
    reg_no: str
    received_at: str
    summary: str


@dataclass(frozen=True)
class PersonMatch:
    person_id: str
    name_bo: str
    name_zh: str
    id_number: str
    phone: str
    county: str
    township: str
    reason: str  # id_number | name_phone | name
    petitions: list[EarlierPetition] = field(default_factory=list)


class MatchReason(Vocabulary):
    ID_NUMBER = "id_number", N_("Same ID number")
    NAME_PHONE = "name_phone", N_("Same name and phone")
    NAME = "name", N_("Same name")
    NAME_START = "name_start", N_("Name begins with what was typed")
    NAME_PART = "name_part", N_("Name contains what was typed")


# Partial names are looked up once this many characters are typed (one Chinese character, or a
# Tibetan letter, finds too many to read).
PARTIAL_NAME = 2
# Above every character: a name's first characters up to this bound all begin with them.
_LAST = "\U0010ffff"
# Persons with a petition whose name contains the typed name: the petitions' full-text index
# finds the few petitions whose text has it (Chinese by characters, Tibetan by whole
# syllables), and only their parties' names are read.
_NAME_INSIDE = (
    "SELECT DISTINCT pe.id FROM petition_fts AS f"
    " JOIN petition_search_key AS k ON k.key = f.rowid"
    " JOIN petition_party AS pp ON pp.petition_id = k.petition_id"
    " JOIN person AS pe ON pe.id = pp.person_id"
    " WHERE {matches} AND pp.deleted = 0 AND pe.deleted = 0"
    " AND instr(pe.{column}, :name) > 0 LIMIT :limit")
# The same on a hub: its search table (``app.core.fulltext``).
_NAME_INSIDE_POSTGRESQL = (
    "SELECT DISTINCT pe.id FROM petition_search AS f"
    " JOIN petition_party AS pp ON pp.petition_id = f.petition_id"
    " JOIN person AS pe ON pe.id = pp.person_id"
    " WHERE {matches} AND NOT pp.deleted AND NOT pe.deleted"
    " AND strpos(pe.{column}, :name) > 0 LIMIT :limit")


def find_matches(store: Store, name_bo: str = "", name_zh: str = "", id_number: str = "",
                 phone: str = "", limit: int = 8) -> list[PersonMatch]:
    """Persons already registered who may be the one being typed, strongest reason first.

    By ID number (exact, or by its first characters once six are typed), by name in either
    script together with the phone, by name alone, then (once two characters are typed) by the
    start of a name, and by a name that contains the typed one (found through the petitions'
    full-text index, so only persons who have petitioned, and in Tibetan by whole syllables).
    Every lookup uses an index: none reads the persons one by one.
    """

    name_bo, name_zh = normalise_name(name_bo), normalise_name(name_zh)
    number = ric.compact(id_number).upper() if id_number.strip() else ""
    phone = normalise_phone(phone)
    found: dict[str, str] = {}
    with store.read() as session:
        live = Person.deleted.is_(False)
        if len(number) >= 6:
            upper = number + "\uffff"
            for pid in session.scalars(select(Person.id).where(
                    live, Person.id_number >= number, Person.id_number < upper).limit(limit)):
                found.setdefault(pid, "id_number")
        names = [c == v for c, v in ((Person.name_bo, name_bo), (Person.name_zh, name_zh)) if v]
        if names and phone:
            for pid in session.scalars(select(Person.id).where(live, Person.phone == phone,
                                                               or_(*names)).limit(limit)):
                found.setdefault(pid, "name_phone")
        if names:
            for pid in session.scalars(select(Person.id).where(live, or_(*names)).limit(limit)):
                found.setdefault(pid, "name")
        typed = [(c, v) for c, v in ((Person.name_bo, name_bo), (Person.name_zh, name_zh))
                 if len(v) >= PARTIAL_NAME]
        for column, value in typed:
            for pid in session.scalars(select(Person.id).where(
                    live, column > value, column < value + _LAST)
                    .order_by(column).limit(limit)):
                found.setdefault(pid, "name_start")
        dialect = dialect_of(session)
        inside = _NAME_INSIDE_POSTGRESQL if dialect == POSTGRESQL else _NAME_INSIDE
        for column, value in typed:
            holds, params = body_matches(dialect, value, "petition_fts" if dialect != POSTGRESQL
                                         else "f")
            if len(found) >= limit or not holds:
                continue
            for pid in session.scalars(text(inside.format(column=column.key, matches=holds)),
                                       {**params, "name": value, "limit": limit}):
                found.setdefault(pid, "name_part")
        order = {"id_number": 0, "name_phone": 1, "name": 2, "name_start": 3, "name_part": 4}
        ranked = sorted(found.items(), key=lambda item: order[item[1]])[:limit]
        matches = []
        for pid, reason in ranked:
            person = session.get(Person, pid)
            assert person is not None
            earlier = session.execute(
                select(Petition.id, Petition.reg_no, Petition.received_at, Petition.summary)
                .join(PetitionParty, PetitionParty.petition_id == Petition.id)
                .where(PetitionParty.person_id == pid, PetitionParty.deleted.is_(False),
                       Petition.deleted.is_(False))
                .order_by(Petition.received_at.desc()).limit(5)).all()
            matches.append(PersonMatch(
                person.id, person.name_bo, person.name_zh, person.id_number, person.phone,
                person.county, person.township, reason,
                [EarlierPetition(*row) for row in earlier]))
    return matches
