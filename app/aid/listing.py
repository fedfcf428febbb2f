"""An office's aid cases by status: first of all the leader's list of cases awaiting a decision,
found without knowing their petitions (Today shows it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.core.store import Store
from models import AidCase, AidPerson, Person, Petition, Staff

AWAITING = "proposed"  # no leader has decided yet


@dataclass(frozen=True)
class AidCaseItem:
    aid_case_id: str
    petition_id: str
    reg_no: str
    # The persons to be aided (the applicants), in the proposal's order.
    names_zh: str
    names_bo: str
    proposed_fen: int
    proposed_by_zh: str
    proposed_by_bo: str
    proposed_on: date
    status: str
    days_waiting: int  # since the proposal


def office_cases(store: Store, office_id: str, status: str = AWAITING,
                 today: date | None = None) -> list[AidCaseItem]:
    """The live aid cases of ``office_id`` (every office when empty) in ``status``, the one
    proposed longest ago first; cases of a deleted petition are left out."""
    today = today or date.today()
    with store.read() as session:
        conds = [AidCase.deleted.is_(False), AidCase.status == status,
                 Petition.deleted.is_(False)]
        if office_id:
            conds.append(AidCase.office_id == office_id)
        rows = session.execute(
            select(AidCase.id, AidCase.petition_id, Petition.reg_no, AidCase.proposed_fen,
                   Staff.name_zh, Staff.name_bo, AidCase.proposed_on, AidCase.status)
            .join(Petition, Petition.id == AidCase.petition_id)
            .outerjoin(Staff, Staff.id == AidCase.proposed_by)
            .where(*conds)
            .order_by(AidCase.proposed_on, AidCase.created_at, Petition.reg_no,
                      AidCase.id)).all()
        names: dict[str, tuple[list[str], list[str]]] = {row[0]: ([], []) for row in rows}
        for case_id, zh, bo in session.execute(
                select(AidPerson.aid_case_id, Person.name_zh, Person.name_bo)
                .join(Person, Person.id == AidPerson.person_id)
                .where(AidPerson.aid_case_id.in_(list(names)), AidPerson.deleted.is_(False))
                .order_by(AidPerson.aid_case_id, AidPerson.position, AidPerson.id)):
            if zh:
                names[case_id][0].append(zh)
            if bo:
                names[case_id][1].append(bo)
    items = []
    for case_id, petition_id, reg_no, fen, by_zh, by_bo, proposed_on, case_status in rows:
        day = date.fromisoformat(proposed_on)
        aided_zh, aided_bo = names[case_id]
        items.append(AidCaseItem(case_id, petition_id, reg_no, "、".join(aided_zh),
                                 "  ".join(aided_bo), fen,
                                 by_zh or "", by_bo or "", day, case_status,
                                 max((today - day).days, 0)))
    return items


def awaiting_decision(store: Store, office_id: str,
                      today: date | None = None) -> list[AidCaseItem]:
    """The cases a leader of the office has still to decide on, waiting longest first."""
    return office_cases(store, office_id, AWAITING, today)
