"""Read use cases over offices, staff and persons, returning plain data for the screens.

Big lists are read as an ordered id list first and then in pages of rows by id, so a screen never
holds every row at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from app.core import access
from app.core.labels import role_rank
from app.core.store import Store
from models import Office, Person, Staff


@dataclass(frozen=True)
class OfficeRow:
    id: str
    name_zh: str
    name_bo: str
    level: str
    division_code: str
    staff_count: int


@dataclass(frozen=True)
class StaffRow:
    id: str
    name_zh: str
    name_bo: str
    role: str
    phone: str
    active: bool


@dataclass(frozen=True)
class PersonRow:
    id: str
    name_bo: str
    name_zh: str
    sex: str
    ethnicity: str
    id_number: str
    phone: str
    county: str
    township: str
    preferred_language: str
    needs_interpreter: bool


# Sortable person columns: key -> ORM column (NULL-free text columns).
PERSON_SORT_KEYS = {
    "name_bo": Person.name_bo,
    "name_zh": Person.name_zh,
    "id_number": Person.id_number,
    "phone": Person.phone,
    "county": Person.county,
    "created": Person.id,  # UUIDv7 ids are in creation order
}


def offices(store: Store) -> list[OfficeRow]:
    counts = (select(Staff.office_id, func.count().label("n"))
              .where(Staff.deleted.is_(False)).group_by(Staff.office_id).subquery())
    stmt = (select(Office, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.office_id == Office.id)
            .where(Office.deleted.is_(False))
            .order_by(Office.level.desc(), Office.division_code))
    with store.read() as session:
        return [OfficeRow(o.id, o.name_zh, o.name_bo, o.level, o.division_code, int(n))
                for o, n in session.execute(stmt)]


def staff_of(store: Store, office_id: str) -> list[StaffRow]:
    with store.read() as session:
        rows = session.scalars(select(Staff).where(Staff.office_id == office_id,
                                                   Staff.deleted.is_(False))).all()
        result = [StaffRow(s.id, s.name_zh, s.name_bo, s.role, s.phone, s.active) for s in rows]
    return sorted(result, key=lambda s: (role_rank(s.role), s.name_zh))


def person_count(store: Store) -> int:
    """How many live persons the directory lists."""
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(Person)
                                  .where(Person.deleted.is_(False))) or 0)


def person_page(store: Store, sort_key: str, descending: bool, offset: int,
                limit: int) -> list[str]:
    """Live persons' ids ``offset`` to ``offset + limit`` in display order, sorted in SQL."""
    column = PERSON_SORT_KEYS[sort_key]
    # The tie-break runs the same way as the sort: the page is then read from the column's
    # index alone (migration 0014), backwards for a descending sort.
    order = (column.desc(), Person.id.desc()) if descending else (column.asc(), Person.id)
    with store.read() as session:
        return list(session.scalars(select(Person.id).where(Person.deleted.is_(False))
                                    .order_by(*order).offset(offset).limit(limit)))


def persons_by_ids(store: Store, ids: Sequence[str]) -> dict[str, PersonRow]:
    with store.read() as session:
        id_shown, phone_shown = access.identifiers(session, store.ctx)
        rows = session.scalars(select(Person).where(Person.id.in_(list(ids)))).all()
        return {p.id: PersonRow(p.id, p.name_bo, p.name_zh, p.sex, p.ethnicity,
                                id_shown(p.id_number), phone_shown(p.phone), p.county,
                                p.township, p.preferred_language, p.needs_interpreter)
                for p in rows}
