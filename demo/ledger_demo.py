"""The demo office's ledger of key petitioners (重点信访人员台账): a handful of its petitioners
entered, with their movements, the measures taken, who is responsible and the leader in charge,
and their risk levels as a person set them over Doorstep's proposals: red (one without a leader
in charge yet), yellow, one raised above the proposal with a reason, one lowered to green by its
leader in charge, and one who left the ledger.

Written through ``app.ledger`` as a clerk would, as of days before today."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from app.core.store import Store
from app.ledger import entries, levels
from app.ledger.entries import EntryInput, MeasureInput
from models import Person, Petition, PetitionParty, Staff

# (reason, situation, demands) of each person entered, in the order they are chosen.
ENTRIES = (
    ("多次到县、州上访，扬言采取极端行为。", "情绪激动，近期多次扬言到县政府门前采取极端行为。",
     "要求一次性赔偿草场损失30万元。"),
    ("组织同村牧民集体上访。", "组织十余户牧民到县城集体上访，反映草原补助发放问题。",
     "要求重新核定草原生态补助。"),
    ("同一事项反复信访，不接受处理意见。", "对法院判决不服，多次以同一事项重复信访。",
     "要求撤销原判决。"),
    ("拒不接受答复意见，扬言进京上访。", "收到答复后表示不服，扬言要到北京上访。",
     "要求追究相关人员责任。"),
    ("曾多次越级上访，经教育转化后趋于稳定。", "经包案领导多次走访，已签订息诉罢访协议，生活稳定。",
     "希望得到低保帮扶。"),
    ("因工资纠纷多次上访。", "工资已全部追回，信访人表示满意。", "追回拖欠工资。"),
)


def _ago(days: int) -> date:
    return date.today() - timedelta(days=days)


def _at(days: int, hour: int = 10) -> datetime:
    return datetime.combine(_ago(days), time(hour, 0))


def fill(store: Store, office_id: str) -> int:
    """The office's ledger; how many persons were entered."""
    with store.read() as session:
        staff = session.scalars(select(Staff).where(Staff.office_id == office_id,
                                                    Staff.deleted.is_(False))
                                .order_by(Staff.id)).all()
        by_role: dict[str, list[str]] = {}
        for s in staff:
            by_role.setdefault(s.role, []).append(s.id)
        # The office's petitioners who came most often first, named (not the anonymous).
        count = func.count(Petition.id.distinct())
        chosen = [str(pid) for pid, _n in session.execute(
            select(PetitionParty.person_id, count)
            .join(Petition, Petition.id == PetitionParty.petition_id)
            .join(Person, Person.id == PetitionParty.person_id)
            .where(Petition.office_id == office_id, Petition.deleted.is_(False),
                   PetitionParty.deleted.is_(False), Person.name_bo != "")
            .group_by(PetitionParty.person_id)
            .order_by(count.desc(), PetitionParty.person_id).limit(len(ENTRIES)))]
    if not chosen or not by_role.get("deputy") or not by_role.get("procurator"):
        return 0
    clerk = store.ctx.staff_id or ""
    deputy, head = by_role["deputy"][0], (by_role.get("head") or by_role["deputy"])[0]
    procurators = by_role["procurator"]
    ids = []
    for index, person_id in enumerate(chosen):
        reason, situation, demands = ENTRIES[index]
        ids.append(entries.enter(store, EntryInput(
            person_id, office_id, reason, _ago(200 - 20 * index).isoformat(), situation,
            demands, procurators[index % len(procurators)],
            # The second (red, a group visit organised) has no leader in charge yet.
            "" if index == 1 else (deputy if index % 2 == 0 else head))))

    def movement(entry: int, days: int, kind: str, text: str = "") -> None:
        if entry < len(ids):
            entries.add_movement(store, ids[entry], _ago(days).isoformat(), kind, text)

    def measure(entry: int, days: int, kind: str, description: str, result: str = "") -> None:
        if entry < len(ids):
            entries.add_measure(store, ids[entry], MeasureInput(
                kind, procurators[entry % len(procurators)], _ago(days).isoformat(),
                description, result))

    movement(0, 40, "threatened_extreme_act", "扬言到县政府门前自焚。")
    movement(0, 12, "announced_going_up", "称要去西宁上访。")
    measure(0, 35, "education", "包案领导与承办检察官上门释法说理。", "情绪有所缓和。")
    measure(0, 10, "counselling", "联系县心理咨询中心进行心理疏导。")
    movement(1, 25, "organised_group_visit", "组织12户牧民到县城集体上访。")
    movement(2, 150, "petitioned_again", "再次就同一判决到院信访。")
    movement(2, 60, "petitioned_again", "第三次就同一判决到院信访。")
    measure(2, 55, "education", "向信访人详细解释判决依据和申诉程序。", "表示考虑。")
    movement(3, 30, "refused_reply", "拒收答复意见书。")
    movement(4, 300, "refused_reply", "对处理意见不满，拒绝签收。")
    movement(4, 90, "stable", "走访时情绪稳定，按时参加放牧劳动。")
    movement(4, 20, "stable")
    measure(4, 120, "assistance", "协调乡政府将其纳入低保。", "已纳入低保。")
    measure(4, 80, "education", "包案领导第三次走访，签订息诉罢访协议。", "已签订协议。")
    movement(5, 100, "stable", "工资已追回。")

    # The levels a person set: each proposal confirmed; the fourth raised to red with its reason.
    for entry, days in ((0, 11), (1, 24), (2, 59), (3, 29)):
        if entry >= len(ids):
            continue
        when = _at(days)
        proposal = levels.propose_level(store, ids[entry], today=when.date())
        if entry == 3:
            levels.set_level(store, ids[entry], "red", "扬言进京上访，且曾有过激言行，提高为红色。",
                             now=when)
        elif proposal.level:
            levels.set_level(store, ids[entry], proposal.level, now=when)
    if len(ids) > 4:
        # Yellow a while ago; lowered to green by its leader in charge once settled.
        levels.set_level(store, ids[4], "yellow", "拒绝签收处理意见，列为黄色。", now=_at(290))
        store.ctx.staff_id = deputy
        try:
            levels.set_level(store, ids[4], "green", "经教育转化并签订息诉罢访协议，近三个月情绪"
                             "稳定，降为绿色。", now=_at(15, 15))
        finally:
            store.ctx.staff_id = clerk
        entries.change_status(store, ids[4], "stable")
    if len(ids) > 5:
        entries.change_status(store, ids[5], "left", "问题已解决，稳定满一年，经集体研究出账。",
                              today=_ago(5))
    return len(ids)
