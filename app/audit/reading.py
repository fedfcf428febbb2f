"""Reading and printing the record of what was done, per record and per person (leaders).

Each use case checks ``Permission.READ_AUDIT`` inside its read transaction and returns plain
rows, newest first, every text in the language of the moment.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.audit import trail
from app.core import access
from app.core.formatting import format_money, format_number, format_short_datetime
from app.core.i18n import N_, _, ngettext, pick
from app.core.progress import SILENT, Progress
from app.core.record_words import COMMON_FIELDS, FIELDS, TABLES
from app.core.store import Store
from models import AuditEntry, Base, Petition, PetitionParty, Staff

# What an export wrote (``trail.exported``'s ``what``).
EXPORTS = {
    "sync_package": N_("Package for the office's other laptops"),
    "registry_list": N_("List of petitions"),
    "statistics_report": N_("Statistics report"),
    "table": N_("Table"),
    "all_tables": N_("All tables"),
    # What an import brought in (``app.imports``) or an export took out.
    "petition_register": N_("Petition register"),
    "key_petitioner_ledger": N_("Ledger of key petitioners"),
    "monthly_screening": N_("Monthly screening of key petitioners"),
}
TITLE = N_("Record of what was done")
HEADERS = (N_("Time"), N_("Laptop"), N_("Staff member"), N_("Action"), N_("Record"),
           N_("Details"))
WIDTHS = (1.2, 1.2, 1.0, 1.0, 1.8, 2.8)
# More than this many entries are not printed: a record's or a person's trail is far shorter.
MAX_PRINTED = 5_000


@dataclass(frozen=True)
class AuditRow:
    """One entry, as a leader reads it."""

    at: str  # local time
    laptop: str
    staff: str  # "" when nobody was logged in
    action: str
    record: str  # the kind of record and which one
    detail: str
    log_id: str
    seq: int


def _names(session: Session, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(table, row id) -> the record's name: a person's, a petition's number, or the number
    of the petition a record belongs to."""
    wanted: dict[str, set[str]] = {}
    for tbl, row_id in keys:
        if tbl and row_id:
            wanted.setdefault(tbl, set()).add(row_id)
    petitions = Base.metadata.tables["petition"]
    persons = Base.metadata.tables["person"]
    entries = Base.metadata.tables["key_petitioner"]
    found: dict[tuple[str, str], str] = {}
    for tbl, ids in wanted.items():
        table = Base.metadata.tables.get(tbl)
        if table is None:
            continue
        if tbl == "key_petitioner" or (table is not entries and "entry_id" in table.c):
            # A ledger entry and what hangs off it: by the key petitioner's name.
            query = select(table.c.id, persons.c.name_zh, persons.c.name_bo)
            if table is not entries:
                query = query.join(entries, entries.c.id == table.c.entry_id)
            query = query.join(persons, persons.c.id == entries.c.person_id)
            for row_id, zh, bo in session.execute(query.where(table.c.id.in_(ids))):
                found[(tbl, str(row_id))] = pick(str(zh or bo or ""), str(bo or zh or ""), " ")
        elif tbl == "reception_visit":
            # Whoever came on a reception day: by their name, as the store or the clerk has it.
            visits = (select(table.c.id, table.c.name, persons.c.name_zh, persons.c.name_bo)
                      .outerjoin(persons, persons.c.id == table.c.person_id)
                      .where(table.c.id.in_(ids)))
            for row_id, written, zh, bo in session.execute(visits):
                found[(tbl, str(row_id))] = pick(str(zh or bo or written or ""),
                                                 str(bo or zh or written or ""), " ")
        elif tbl == "reception_day":
            # A leader's reception day: by the day and the leader's name.
            staff = Base.metadata.tables["staff"]
            days = (select(table.c.id, table.c.day, staff.c.name_zh, staff.c.name_bo)
                    .join(staff, staff.c.id == table.c.leader_id)
                    .where(table.c.id.in_(ids)))
            for row_id, day, zh, bo in session.execute(days):
                found[(tbl, str(row_id))] = f"{day} " + pick(str(zh or bo or ""),
                                                             str(bo or zh or ""), " ")
        elif "name_zh" in table.c and "name_bo" in table.c:
            for row_id, zh, bo in session.execute(select(table.c.id, table.c.name_zh,
                                                         table.c.name_bo)
                                                  .where(table.c.id.in_(ids))):
                found[(tbl, str(row_id))] = pick(str(zh or bo or ""), str(bo or zh or ""), " ")
        elif tbl == "petition":
            for row_id, number in session.execute(select(petitions.c.id, petitions.c.reg_no)
                                                  .where(petitions.c.id.in_(ids))):
                found[(tbl, str(row_id))] = str(number or "")
        elif "petition_id" in table.c:
            for row_id, number in session.execute(
                    select(table.c.id, petitions.c.reg_no)
                    .join(petitions, petitions.c.id == table.c.petition_id)
                    .where(table.c.id.in_(ids))):
                found[(tbl, str(row_id))] = str(number or "")
        elif "name" in table.c:
            for row_id, name in session.execute(select(table.c.id, table.c.name)
                                                .where(table.c.id.in_(ids))):
                found[(tbl, str(row_id))] = str(name or "")
    return found


def _field(tbl: str, field: str) -> str:
    message = FIELDS.get((tbl, field), COMMON_FIELDS.get(field))
    return _(message) if message else field


def _detail(entry: AuditEntry, laptops: dict[str, str]) -> str:
    try:
        detail: dict[str, Any] = json.loads(entry.detail or "{}")
    except ValueError:
        return entry.detail
    if not isinstance(detail, dict):
        return str(detail)
    parts: list[str] = []
    if entry.action == trail.Action.CHANGED and isinstance(detail.get("fields"), list):
        return "、".join(_field(entry.tbl, str(f)) for f in detail["fields"])
    if "amount_fen" in detail:
        parts.append(format_money(int(detail["amount_fen"])))
    if "what" in detail:
        what = str(detail["what"])
        parts.append(_(EXPORTS[what]) if what in EXPORTS else what)
    if "title" in detail or "paper" in detail:
        parts.append(str(detail.get("title") or detail.get("paper")))
    if "table" in detail:
        parts.append(str(detail["table"]))
    if "file" in detail:
        parts.append(str(detail["file"]))
    if "sender" in detail:
        sender = str(detail["sender"])
        parts.append(_("from {laptop}").format(laptop=laptops.get(sender, sender)))
    if "count" in detail:
        count = int(detail["count"])
        parts.append(ngettext("{n} change or row", "{n} changes or rows", count)
                     .format(n=format_number(count)))
    if detail.get("unmasked"):
        parts.append(_("ID and phone numbers in full"))
    if "name" in detail:  # a failed log-in: the name typed
        parts.append(str(detail["name"]))
    return "; ".join(parts)


def _rows(session: Session, entries: Sequence[AuditEntry]) -> list[AuditRow]:
    laptops = trail.laptop_names(session)
    staff_ids = {e.staff_id for e in entries if e.staff_id}
    staff = {str(i): pick(str(zh or bo), str(bo or zh), " ")
             for i, zh, bo in session.execute(select(Staff.id, Staff.name_zh, Staff.name_bo)
                                              .where(Staff.id.in_(staff_ids)))}
    names = _names(session, ((e.tbl, e.row_id) for e in entries))
    rows = []
    for e in entries:
        kind = _(TABLES[e.tbl]) if e.tbl in TABLES else e.tbl
        name = names.get((e.tbl, e.row_id), "")
        action = trail.Action.lookup(e.action)
        rows.append(AuditRow(
            format_short_datetime(datetime.fromisoformat(e.at).astimezone()),
            laptops.get(e.log_id, e.log_id), staff.get(e.staff_id, e.staff_id),
            action.label if action is not None else e.action,
            f"{kind} {name}".strip(), _detail(e, laptops), e.log_id, e.seq))
    return rows


_NEWEST_FIRST = (AuditEntry.at.desc(), AuditEntry.log_id, AuditEntry.seq.desc())


def entries_for_record(store: Store, tbl: str, row_id: str) -> list[AuditRow]:
    """What was done to one record (a petition: also to what belongs to it), newest first."""
    with store.read() as session:
        access.require(session, store.ctx, access.Permission.READ_AUDIT)
        entries = list(session.scalars(select(AuditEntry).where(
            AuditEntry.tbl == tbl, AuditEntry.row_id == row_id).order_by(*_NEWEST_FIRST)))
        return _rows(session, entries)


def entries_for_person(store: Store, person_id: str) -> list[AuditRow]:
    """What was done concerning a person: their record, what names them (as a party, an aided
    person, a hearing participant), and the petitions they are a party to; newest first."""
    with store.read() as session:
        access.require(session, store.ctx, access.Permission.READ_AUDIT)
        petitions = select(PetitionParty.petition_id).where(
            PetitionParty.person_id == person_id, PetitionParty.deleted.is_(False))
        entries = list(session.scalars(select(AuditEntry).where(or_(
            AuditEntry.person_id == person_id,
            (AuditEntry.tbl == "person") & (AuditEntry.row_id == person_id),
            (AuditEntry.tbl == "petition") & AuditEntry.row_id.in_(petitions),
        )).order_by(*_NEWEST_FIRST)))
        return _rows(session, entries)


def entries_about(store: Store, tbl: str, row_id: str) -> list[AuditRow]:
    """A person's trail for a person, a record's for any other record."""
    if tbl == "person":
        return entries_for_person(store, row_id)
    return entries_for_record(store, tbl, row_id)


def subject_name(store: Store, tbl: str, row_id: str) -> str:
    """The record the trail is about, in words (for a title)."""
    with store.read() as session:
        name = _names(session, [(tbl, row_id)]).get((tbl, row_id), "")
        if tbl == "petition" and not name:
            petition = session.get(Petition, row_id)
            name = petition.reg_no if petition is not None and petition.reg_no else ""
    kind = _(TABLES[tbl]) if tbl in TABLES else tbl
    return f"{kind} {name}".strip()


def render_pdf(store: Store, tbl: str, row_id: str, now: datetime | None = None,
               progress: Progress = SILENT) -> bytes:
    """The trail of a record (or a person) as an A4 list to print."""
    from app.core.errors import AppError
    from app.core.fonts import shipped_fonts
    from reports.registry_list import ListTable, render_list_pdf

    rows = entries_about(store, tbl, row_id)
    if len(rows) > MAX_PRINTED:
        raise AppError(N_("{n} entries: too many to print (at most {most})."),
                       n=format_number(len(rows)), most=format_number(MAX_PRINTED))
    now = now or datetime.now()
    lines = [subject_name(store, tbl, row_id),
             ngettext("{n} entry", "{n} entries", len(rows)).format(n=format_number(len(rows)))
             + "   " + _("Printed on {date}").format(date=format_short_datetime(now))]
    table = ListTable(_(TITLE), lines, [_(h) for h in HEADERS],
                      [(r.at, r.laptop, r.staff, r.action, r.record, r.detail) for r in rows],
                      WIDTHS, _("Page {page} of {pages}"))
    return render_list_pdf(table, shipped_fonts(), progress)


@dataclass(frozen=True)
class TrailCheck:
    """The result of checking every laptop's record of what was done."""

    entries: int  # how many entries were checked
    laptops: int  # of how many logs
    altered: tuple[str, ...]  # one message per log altered


def check_trail(store: Store) -> TrailCheck:
    """On demand: every laptop's record of what was done checked (``trail.verify``)."""
    with store.read() as session:
        access.require(session, store.ctx, access.Permission.READ_AUDIT)
        entries, logs = session.execute(select(
            func.count(), func.count(AuditEntry.log_id.distinct()))).one()
        found = trail.verify_in(session)
    return TrailCheck(int(entries), int(logs), tuple(a.message() for a in found))


__all__ = [
    "AuditRow",
    "TrailCheck",
    "check_trail",
    "entries_about",
    "entries_for_person",
    "entries_for_record",
    "render_pdf",
    "subject_name",
]
