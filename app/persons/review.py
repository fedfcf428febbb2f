"""Possible duplicate persons, and merging two records of one person into one.

When two laptops register the same herder while apart, merging their data leaves two ``Person``
records for one human. :func:`possible_duplicates` lists the pairs that look alike, found with
self-joins on the indexed person columns (never by comparing every person with every other);
a person at the office decides for each pair: :func:`merge_persons` moves everything that refers
to one record onto the other, :func:`mark_different` remembers that the two are different people
(a synced ``PersonPairReview``, so the pair is not offered again on any laptop).

Names and phones are stored normalised (``app.persons.records.normalise_name`` /
``normalise_phone`` at intake), so comparing the stored values compares the normalised ones and
can use the indexes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Row,
    Select,
    Table,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from app.core import access
from app.core.access import Permission
from app.core.errors import AppError
from app.core.i18n import N_
from app.core.labels import Vocabulary
from app.core.progress import SILENT, Progress, check
from app.core.records import log_activity, staff_or_none
from app.core.store import Store
from models import Base, Person, PersonPairReview, Petition, PetitionParty
from models.base import STAMP_COLUMNS
from models.sync import synced_tables

log = logging.getLogger(__name__)

# Why a pair is offered, strongest first.


class PairReason(Vocabulary):
    ID_NUMBER = "id_number", N_("Same ID number")
    NAME_ZH_PHONE = "name_zh_phone", N_("Same Chinese name and phone")
    NAME_BO_PHONE = "name_bo_phone", N_("Same Tibetan name and phone")
    NAME_PLACE = "name_place", N_("Same name, township, village and herding group")

# The fields shown side by side and compared, in display order.
COMPARED = ("name_bo", "name_zh", "sex", "ethnicity", "id_number", "phone", "county", "township",
            "village", "herding_group", "preferred_language", "needs_interpreter")

# Keep the IN lists of one statement well under SQLite's limit on bound variables.
_CHUNK = 500
# L10N: a step of looking for possible duplicate persons, under its progress window's message.
FINDING_PAIRS = N_("Finding records that may be one person…")
# L10N: the second step: reading the records of every pair found.
READING_PAIRS = N_("Reading the records of the pairs…")


@dataclass(frozen=True)
class PersonDetails:
    id: str
    name_bo: str
    name_zh: str
    sex: str
    ethnicity: str
    id_number: str
    phone: str
    county: str
    township: str
    village: str
    herding_group: str
    preferred_language: str
    needs_interpreter: bool
    petitions: int  # live petitions the person is a party to
    created_at: str  # UTC ISO time the record was first written, on whichever laptop


@dataclass(frozen=True)
class DuplicatePair:
    """Two live persons who may be one: ``a`` has the smaller id (usually the older record)."""

    a: PersonDetails
    b: PersonDetails
    reasons: tuple[str, ...]  # codes of PairReason, strongest first

    @property
    def same(self) -> frozenset[str]:
        """Compared fields holding the same, non-empty value in both records."""
        return frozenset(f for f in COMPARED if f != "preferred_language"
                         and getattr(self.a, f) and getattr(self.a, f) == getattr(self.b, f))

    @property
    def different(self) -> frozenset[str]:
        """Compared fields filled in both records, with different values."""
        return frozenset(f for f in COMPARED if getattr(self.a, f) and getattr(self.b, f)
                         and getattr(self.a, f) != getattr(self.b, f))


@dataclass(frozen=True)
class MergeResult:
    kept_id: str
    dropped_id: str
    moved: int  # references moved to the kept person
    removed: int  # links removed because the kept person was already there
    petition_ids: list[str] = field(default_factory=list)  # petitions whose history notes it
    filled: list[str] = field(default_factory=list)  # fields of the kept person filled in


# A column of a person, of an alias of ``person`` or of a subquery over it.
_Col = ColumnElement[str] | InstrumentedAttribute[str]


def _numbers_agree(a: _Col, b: _Col) -> ColumnElement[bool]:
    """Two different ID numbers are two people (who cannot be merged): never offered."""
    return or_(a == "", b == "", a == b)


def _not_reviewed(a: _Col, b: _Col) -> ColumnElement[bool]:
    return ~exists().where(PersonPairReview.person_a == a, PersonPairReview.person_b == b,
                           PersonPairReview.deleted.is_(False))


def _pair_queries() -> list[Select[str, str, str]]:
    """One query per reason; each returns (smaller id, larger id, reason code).

    ID numbers and phones are nearly unique, so those rules are self-joins on their indexes
    (both sides required non-empty, or the join would pair every blank with every blank).
    """
    a, b = aliased(Person, name="a"), aliased(Person, name="b")

    def pairs(code: str, *same: InstrumentedAttribute[str]) -> Select[str, str, str]:
        on = [getattr(b, c.key) == getattr(a, c.key) for c in same]
        filled = [getattr(side, c.key) != "" for c in same for side in (a, b)]
        return (select(a.id, b.id, literal(code))
                .join(b, and_(*on, b.id > a.id))
                .where(*filled, a.deleted.is_(False), b.deleted.is_(False),
                       _numbers_agree(a.id_number, b.id_number), _not_reviewed(a.id, b.id)))

    return [
        pairs("id_number", Person.id_number),
        pairs("name_zh_phone", Person.phone, Person.name_zh),
        pairs("name_bo_phone", Person.phone, Person.name_bo),
        _same_name_and_place(Person.name_zh),
        _same_name_and_place(Person.name_bo),
    ]


def _same_name_and_place(name: InstrumentedAttribute[str]) -> Select[str, str, str]:
    """Names repeat by the hundred (扎西才让), so a self-join on the name index would compare
    each person with every namesake. Instead one scan and sort keeps the persons whose name,
    township, village and herding group occur more than once, and only those few are paired."""
    key = (Person.township, Person.village, Person.herding_group, name)
    alike = (select(Person.id, Person.id_number, *key,
                    func.count().over(partition_by=key).label("n"))
             .where(Person.deleted.is_(False), *[column != "" for column in key])
             .subquery("alike"))
    twice = select(alike).where(alike.c.n > 1).cte("twice")
    a, b = twice.alias("a"), twice.alias("b")
    on = [b.c[column.key] == a.c[column.key] for column in key]
    return (select(a.c.id, b.c.id, literal("name_place"))
            .join(b, and_(*on, b.c.id > a.c.id))
            .where(_numbers_agree(a.c.id_number, b.c.id_number), _not_reviewed(a.c.id, b.c.id)))


def _candidate_pairs(session: Session, progress: Progress = SILENT,
                     ) -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    queries = _pair_queries()
    for done, query in enumerate(queries):
        check(progress)
        progress(done, len(queries))
        for first, second, code in session.execute(query):
            found.setdefault((first, second), set()).add(code)
    return found


_DETAIL_COLUMNS = (Person.id, Person.name_bo, Person.name_zh, Person.sex, Person.ethnicity,
                   Person.id_number, Person.phone, Person.county, Person.township, Person.village,
                   Person.herding_group, Person.preferred_language, Person.needs_interpreter,
                   Person.created_at)


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


def _details(session: Session, ids: Sequence[str],
             progress: Progress = SILENT) -> dict[str, PersonDetails]:
    """The records of these persons, read as plain columns: 58,900 of them on a prefecture's
    store, which as ORM objects took twice as long and kept the garbage collector (and with
    it the window, waiting for the interpreter) busy."""
    counts: dict[str, int] = {}
    rows: list[Row[Any]] = []
    for done, chunk in enumerate(_chunks(ids)):
        check(progress)
        progress(done * _CHUNK, len(ids))
        counts.update((pid, int(n)) for pid, n in session.execute(
            select(PetitionParty.person_id, func.count(func.distinct(PetitionParty.petition_id)))
            .join(Petition, Petition.id == PetitionParty.petition_id)
            .where(PetitionParty.person_id.in_(chunk), PetitionParty.deleted.is_(False),
                   Petition.deleted.is_(False))
            .group_by(PetitionParty.person_id)))
        rows.extend(session.execute(select(*_DETAIL_COLUMNS).where(Person.id.in_(chunk))))
    return {p.id: PersonDetails(
        p.id, p.name_bo, p.name_zh, p.sex, p.ethnicity, p.id_number, p.phone, p.county,
        p.township, p.village, p.herding_group, p.preferred_language, bool(p.needs_interpreter),
        counts.get(p.id, 0), p.created_at or "") for p in rows}


def possible_duplicates(store: Store, progress: Progress = SILENT) -> list[DuplicatePair]:
    """Pairs of live persons who look like one person, not yet judged to be two.

    A pair is offered when the two have the same ID number; or the same Chinese name and the
    same phone; or the same Tibetan name and the same phone; or the same name in either script
    and the same township, village and herding group. Pairs whose ID numbers are both filled and
    differ are never offered. Strongest reason first, then by name.

    On 150,000 persons this takes seconds: ``progress`` hears of the two steps (finding the
    pairs, reading their records) and may cancel between two queries (``CancelledError``).
    """
    order: dict[str, int] = {code.value: rank for rank, code in enumerate(PairReason)}
    with store.read() as session:
        progress.stage(FINDING_PAIRS)
        found = _candidate_pairs(session, progress)
        progress.stage(READING_PAIRS)
        details = _details(session, sorted({pid for pair in found for pid in pair}), progress)
    check(progress)
    pairs = [DuplicatePair(details[a], details[b],
                           tuple(sorted(codes, key=order.__getitem__)))
             for (a, b), codes in found.items()]
    pairs.sort(key=lambda p: (order[p.reasons[0]], p.a.name_zh or p.a.name_bo, p.a.id, p.b.id))
    return pairs


def count_possible_duplicates(store: Store) -> int:
    """How many pairs :func:`possible_duplicates` would list (without reading their details)."""
    with store.read() as session:
        return len(_candidate_pairs(session))


def _references(target: Table) -> list[tuple[Table, Column[str]]]:
    """Every synced (table, column) with a foreign key to ``target.id``, from the metadata."""
    return [(table, column) for table in synced_tables(Base.metadata.tables.values())
            for column in table.columns
            if any(fk.column.table is target and fk.column.name == "id"
                   for fk in column.foreign_keys)]


def _owner_columns(table: Table, column: Column[str]) -> list[Column[str]]:
    """The required references of a link row besides ``column`` (its petition, aid case or
    hearing): two live rows with the same owners and the same person say the same thing."""
    return [c for c in table.columns if c is not column and c.foreign_keys and not c.nullable]


def _petitions_of(session: Session, table: Table, owners: dict[str, str]) -> set[str]:
    """The petitions a link row belongs to: its own ``petition_id`` or its owner's."""
    if "petition_id" in table.c:
        return {owners["petition_id"]}
    found = set()
    for name, value in owners.items():
        fk = next(iter(table.c[name].foreign_keys))
        owner = fk.column.table
        if "petition_id" in owner.c:
            petition_id = session.scalar(select(owner.c.petition_id).where(owner.c.id == value))
            if petition_id:
                found.add(str(petition_id))
    return found


def _person_text(person: Person) -> str:
    return " ".join(part for part in (person.name_bo, person.name_zh, person.id_number) if part)


# Person fields never filled from the other record: the key, the tombstone, the stamps, and
# fields that always hold a value (the preferred language defaults to Chinese; the interpreter
# flag is combined instead: an interpreter once needed is still needed).
_NOT_FILLED = {"id", "deleted", "preferred_language", "needs_interpreter", *STAMP_COLUMNS}


def merge_persons(store: Store, keep_id: str, drop_id: str, staff_id: str = "") -> MergeResult:
    """Make ``drop_id`` one with ``keep_id``, in one transaction.

    Every live reference to the dropped person (found from the foreign keys in the metadata)
    moves to the kept one; where the kept person is already on the same petition, aid case or
    hearing, the dropped person's link is removed instead (and what referred to that link, such
    as a hearing statement, moves to the kept person's link). Empty fields of the kept person are
    filled from the dropped one, never overwritten. The dropped person is removed (``deleted``),
    pairs judged different follow the kept person, and each petition whose parties changed notes
    the merge in its history. Written like any edit, so the merge travels to other laptops.
    """
    if keep_id == drop_id:
        raise AppError(N_("A person cannot be merged with themselves."))
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        keep, drop = session.get(Person, keep_id), session.get(Person, drop_id)
        if keep is None or drop is None or keep.deleted or drop.deleted:
            raise AppError(N_("One of these persons has already been merged or removed. Please "
                              "look at the list again."))
        if keep.id_number and drop.id_number and keep.id_number != drop.id_number:
            raise AppError(N_("These two persons have different ID numbers: they are two "
                              "different people and cannot be merged."))
        petitions: set[str] = set()
        moved = removed = 0
        for table, column in _references(Person.__table__):  # type: ignore[arg-type]
            owner_columns = _owner_columns(table, column)
            rows = session.execute(
                select(table.c.id, *owner_columns)
                .where(column == drop.id, table.c.deleted.is_(False))
                .order_by(table.c.id)).mappings().all()
            for row in rows:
                owners = {c.name: row[c.name] for c in owner_columns}
                twin = None
                if owner_columns:
                    twin = session.scalar(
                        select(table.c.id)
                        .where(column == keep.id, table.c.deleted.is_(False),
                               *[c == owners[c.name] for c in owner_columns])
                        .order_by(table.c.id).limit(1))
                if twin is None:
                    session.execute(update(table).where(table.c.id == row["id"])
                                    .values({column.name: keep.id}))
                    moved += 1
                else:
                    session.execute(update(table).where(table.c.id == row["id"])
                                    .values(deleted=True))
                    for ref_table, ref_column in _references(table):
                        session.execute(update(ref_table).where(
                            ref_column == row["id"], ref_table.c.deleted.is_(False))
                            .values({ref_column.name: twin}))
                    removed += 1
                petitions |= _petitions_of(session, table, owners)

        filled = []
        for name in Person.__table__.columns.keys():
            if name in _NOT_FILLED:
                continue
            if getattr(keep, name) in ("", None) and getattr(drop, name) not in ("", None):
                setattr(keep, name, getattr(drop, name))
                filled.append(name)
        if drop.needs_interpreter and not keep.needs_interpreter:
            keep.needs_interpreter = True
            filled.append("needs_interpreter")
        drop.deleted = True
        _follow_reviews(session, keep.id, drop.id)

        staff = staff_or_none(session, staff_id)
        detail = f"{_person_text(drop)} → {_person_text(keep)}"
        for petition_id in sorted(petitions):
            log_activity(session, store, petition_id, staff, "persons_merged", detail)
        log.info("merged person %s into %s: %d moved, %d removed, %d petitions", drop.id,
                 keep.id, moved, removed, len(petitions))
        return MergeResult(keep.id, drop.id, moved, removed, sorted(petitions), filled)


def _follow_reviews(session: Session, keep_id: str, drop_id: str) -> None:
    """A pair judged different that named the dropped person now names the kept one: the same
    human, still different from the other."""
    live = PersonPairReview.deleted.is_(False)
    for review in session.scalars(select(PersonPairReview).where(
            live, or_(PersonPairReview.person_a == drop_id,
                      PersonPairReview.person_b == drop_id))):
        other = review.person_b if review.person_a == drop_id else review.person_a
        if other == keep_id:
            continue  # the pair itself, judged different once and merged now: moot
        first, second = sorted((keep_id, other))
        known = session.scalar(select(PersonPairReview.id).where(
            live, PersonPairReview.person_a == first, PersonPairReview.person_b == second))
        if known is not None:
            review.deleted = True
        else:
            review.person_a, review.person_b = first, second


def mark_different(store: Store, a: str, b: str, staff_id: str = "") -> str:
    """Remember that persons ``a`` and ``b`` are two different people; returns the record's id
    (the one already there when the pair was judged before)."""
    if a == b:
        raise AppError(N_("A person cannot be different from themselves."))
    first, second = sorted((a, b))
    with store.write() as session:
        access.require(session, store.ctx, Permission.DAILY_WORK)
        if session.get(Person, first) is None or session.get(Person, second) is None:
            raise AppError(N_("This entry no longer exists."))
        known = session.scalar(select(PersonPairReview.id).where(
            PersonPairReview.deleted.is_(False), PersonPairReview.person_a == first,
            PersonPairReview.person_b == second))
        if known is not None:
            return str(known)
        review = PersonPairReview(person_a=first, person_b=second, decision="different",
                                  decided_by=staff_or_none(session, staff_id))
        session.add(review)
        session.flush()
        return review.id

