"""The demo office's leaders at work: leaders in charge (领导包案), reception days (检察长接访)
and last month's monthly screening (动态排查).

- Charges: one closed as resolved (the chief), one past its deadline (a deputy: their Today
  shows it), one with a later deadline awaiting the chief's approval (the department head), on
  petitions; and one on the red key petitioner's matter in the ledger, with progress notes.
- Reception days, last month and this: the chief's days held with visitors, one of them the
  day a petition was registered, received by a leader for the first time; a deputy's held
  day; a deputy's day cancelled; days scheduled ahead.
- Last month's screening of the ledger, every red and yellow person with a leader in charge and
  a deadline, signed by the window clerk and the deputy in charge.

Written through ``app.ledger`` as the window clerk would (the chief decides in their own name),
dated relative to today as the rest of the demo."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.core.store import Store
from app.ledger import charges, reception, screening
from app.ledger.charges import ChargeInput
from app.ledger.reception import DayInput, VisitInput
from app.ledger.rules import Level
from app.ledger.screening import RowInput
from models import KeyPetitioner, Petition, PetitionParty, Staff

PLACE = "本院信访接待室"


def _ago(days: int, today: date) -> str:
    return (today - timedelta(days=days)).isoformat()


def _ahead(days: int, today: date) -> str:
    return (today + timedelta(days=days)).isoformat()


def fill(store: Store, office_id: str, today: date | None = None) -> None:
    """The office's charges, reception days and last month's screening."""
    today = today or date.today()
    with store.read() as session:
        by_role: dict[str, list[str]] = {}
        for staff in session.scalars(select(Staff).where(
                Staff.office_id == office_id, Staff.deleted.is_(False), Staff.active.is_(True))
                .order_by(Staff.id)):
            by_role.setdefault(staff.role, []).append(staff.id)
    if not by_role.get("chief") or not by_role.get("deputy"):
        return
    _charges(store, office_id, by_role, today)
    _reception(store, office_id, by_role, today)
    _screening(store, office_id, by_role, today)


def _petitions(store: Store, office_id: str, before: str) -> list[tuple[str, str]]:
    """The office's petitions received before ``before`` (id, day received), oldest first."""
    with store.read() as session:
        return [(str(i), str(at)[:10]) for i, at in session.execute(
            select(Petition.id, Petition.received_at).where(
                Petition.office_id == office_id, Petition.deleted.is_(False),
                Petition.voided_at == "", Petition.received_at < before)
            .order_by(Petition.received_at, Petition.id))]


def _charges(store: Store, office_id: str, by_role: dict[str, list[str]], today: date) -> None:
    chief, deputy = by_role["chief"][0], by_role["deputy"][0]
    head = (by_role.get("head") or by_role["deputy"])[0]
    # Petitions of this year's window (the last 120 days), received 60 days ago or more.
    old = [p for p in _petitions(store, office_id, _ago(60, today)) if p[1] >= _ago(120, today)]
    if len(old) >= 3:
        (closed, received), (late, _r2), (extended, _r3) = old[0], old[len(old) // 2], old[-1]
        # Resolved within its deadline, the chief in charge.
        taken = min(date.fromisoformat(received) + timedelta(days=5), today)
        charge = charges.take_charge(store, ChargeInput(
            chief, "检察长包案：约谈信访人，听取诉求，协调相关部门限期解决。",
            (taken + timedelta(days=60)).isoformat(), taken.isoformat(), petition_id=closed),
            today=today)
        charges.add_note(store, charge, (taken + timedelta(days=12)).isoformat(),
                         "检察长接谈信访人，当面释法说理。", chief, today=today)
        charges.close(store, charge, "resolved", "信访人诉求已依法解决，签订息诉罢访承诺书。",
                      min(taken + timedelta(days=40), today).isoformat(), today=today)
        # Past its deadline: Today shows it to the deputy in charge, in red.
        charge = charges.take_charge(store, ChargeInput(
            deputy, "分管副检察长包案：调阅原案卷宗，组织公开听证。", _ago(4, today),
            _ago(50, today), petition_id=late), today=today)
        charges.add_note(store, charge, _ago(30, today), "调阅原案卷宗，听取承办检察官汇报。",
                         deputy, today=today)
        # A later deadline asked of the chief, not yet decided: the deadline stays.
        charge = charges.take_charge(store, ChargeInput(
            head, "部门负责人包案：协调乡政府核实草场补助发放情况。", _ahead(10, today),
            _ago(45, today), petition_id=extended), today=today)
        charges.request_extension(store, charge, _ahead(60, today),
                                  "需等待乡政府重新核定补助标准，申请延期五十日。", head,
                                  today=today - timedelta(days=2))
    # The red key petitioner with a leader in charge: the leader takes charge of the matter.
    with store.read() as session:
        entry = session.scalar(select(KeyPetitioner.id).where(
            KeyPetitioner.office_id == office_id, KeyPetitioner.deleted.is_(False),
            KeyPetitioner.level == Level.RED, KeyPetitioner.leader_id.is_not(None))
            .order_by(KeyPetitioner.entered_on, KeyPetitioner.id).limit(1))
        leader = session.scalar(select(KeyPetitioner.leader_id).where(
            KeyPetitioner.id == entry)) if entry else None
    if entry and leader:
        charge = charges.take_charge(store, ChargeInput(
            str(leader), "包案领导每月走访一次，联系心理疏导，化解草场损失诉求。",
            _ahead(55, today), _ago(35, today), entry_id=str(entry)), today=today)
        charges.add_note(store, charge, _ago(20, today), "包案领导上门走访，信访人情绪有所缓和。",
                         str(leader), today=today)


def _month_first(day: date, back: int = 0) -> date:
    first = day.replace(day=1)
    for _ in range(back):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def _reception(store: Store, office_id: str, by_role: dict[str, list[str]],
               today: date) -> None:
    chief, deputies = by_role["chief"][0], by_role["deputy"]
    this_month = _month_first(today)
    last_month = _month_first(today, 1)
    taken: set[tuple[str, str]] = set()

    def day(leader: str, on: date, note: str = "", step: int = 1) -> str:
        """The leader's day on ``on``, or the next free one (the one before, ``step`` -1)."""
        while (leader, on.isoformat()) in taken:
            on += timedelta(days=step)
        taken.add((leader, on.isoformat()))
        return reception.schedule(store, office_id, DayInput(
            leader, on.isoformat(), "09:00", "12:00", PLACE, note))

    def visit(day_id: str, data: VisitInput) -> None:
        reception.log_visit(store, day_id, data, today=today)

    # A petition received last month (else this month, up to today), in person if one was:
    # the chief received it on the day it was registered, for the first time.
    found = None
    with store.read() as session:
        for start, end in ((last_month, this_month), (this_month, today + timedelta(days=1))):
            found = session.execute(
                select(Petition.id, Petition.received_at, PetitionParty.person_id)
                .join(PetitionParty, PetitionParty.petition_id == Petition.id)
                .where(Petition.office_id == office_id, Petition.deleted.is_(False),
                       Petition.voided_at == "",
                       PetitionParty.deleted.is_(False),
                       Petition.received_at >= start.isoformat(),
                       Petition.received_at < end.isoformat())
                .order_by(Petition.channel != "visit", Petition.received_at, Petition.id)
                .limit(1)).first()
            if found is not None:
                break
        others = [str(p) for p in session.scalars(
            select(PetitionParty.person_id)
            .join(Petition, Petition.id == PetitionParty.petition_id)
            .where(Petition.office_id == office_id, PetitionParty.deleted.is_(False))
            .order_by(Petition.received_at.desc(), PetitionParty.id).limit(3))]
    if found is not None:
        petition_id, received, _person = found
        visit(day(chief, date.fromisoformat(str(received)[:10]), "检察长接访日"),
              VisitInput(petition_id=str(petition_id), first_reception=True))
    # Last month: the chief's second day, a deputy's day held, another deputy's cancelled.
    held = day(chief, last_month + timedelta(days=14), "检察长接访日")
    visit(held, VisitInput(name="才让东周", matter="反映村委会换届选举中的违规问题。"))
    if others:
        visit(held, VisitInput(person_id=others[0], matter="询问申诉案件办理进度。"))
    held = day(deputies[0], last_month + timedelta(days=9), "分管副检察长接访日")
    visit(held, VisitInput(name="拉毛措", matter="反映征地补偿款分配不公。",
                           first_reception=True))
    reception.cancel(store, day(deputies[-1], last_month + timedelta(days=20)),
                     "参加州院业务培训，改期接访。")
    # This month: the chief's day held (before today), and days scheduled ahead.
    held = day(chief, max(this_month, today - timedelta(days=2)), "检察长接访日", step=-1)
    visit(held, VisitInput(person_id=others[1] if len(others) > 1 else "",
                           name="" if len(others) > 1 else "扎西",
                           matter="对不起诉决定不服，要求复查。"))
    day(chief, today + timedelta(days=8), "检察长接访日")
    day(deputies[0], today + timedelta(days=3), "分管副检察长接访日")


def _screening(store: Store, office_id: str, by_role: dict[str, list[str]],
               today: date) -> None:
    """Last month's screening: each red and yellow person with a leader in charge and a
    deadline; signed by the window clerk, then the deputy in charge, early this month."""
    clerk = store.ctx.staff_id or ""
    deputy = by_role["deputy"][0]
    last_month = _month_first(today, 1)
    with store.read() as session:
        if not clerk or session.scalar(select(KeyPetitioner.id).where(
                KeyPetitioner.office_id == office_id, KeyPetitioner.deleted.is_(False),
                KeyPetitioner.status != "left").limit(1)) is None:
            return  # nobody in the ledger to screen
    made = screening.make(store, office_id, last_month.isoformat()[:7], today=today)
    deadline = (today + timedelta(days=60)).isoformat()
    for row in screening.screening_detail(store, made).rows:
        if row.level in (Level.RED, Level.YELLOW):
            screening.update_row(store, row.row_id, RowInput(
                row.situation, row.work or "承办检察官电话回访，掌握思想动态。", row.level,
                row.leader_id or deputy, deadline))
    signed = min(_month_first(today) + timedelta(days=2), today)
    screening.sign_as_clerk(store, made, clerk, today=signed)
    moment = min(datetime.combine(signed, time(16, 0)).astimezone(), datetime.now().astimezone())
    screening.sign_as_deputy(store, made, deputy, today=signed, now=moment)
