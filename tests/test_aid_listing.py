"""The leader's list of aid cases awaiting a decision: exactly the waiting cases of the office,
waiting longest first; and the one case of a petition still under way."""

from __future__ import annotations

from datetime import date, datetime

from app.aid import cases as aid
from app.aid.cases import AidProposal, PaymentInput
from app.aid.listing import awaiting_decision, office_cases
from app.core.store import Store
from models import AidCase, Petition
from tests.helpers import add_leaders, aid_office, petition, register, set_up, tashi

NOW = datetime(2026, 11, 20, 10, 0)
TODAY = date(2026, 11, 26)


def _petition(store: Store, when: str, name_zh: str, name_bo: str) -> tuple[str, str]:
    from app.petitions.detail import petition_detail

    done = register(store, petition(when, persons=[tashi(
        name_zh=name_zh, name_bo=name_bo, id_number="", phone="")]), now=NOW)
    return done.id, petition_detail(store, done.id).parties[0].person_id


def _propose(store: Store, petition_id: str, person_id: str, by: str, on: str,
             amount: str = "3000") -> str:
    return aid.propose(store, AidProposal(petition_id, [person_id], "poor", "生活困难。", amount,
                                          "符合条件。", proposed_on=on), by, today=TODAY)


def test_the_waiting_cases_of_the_office_oldest_first(store: Store) -> None:
    o = aid_office(store, now=NOW)
    first = _propose(store, o.petition_id, o.person_id, o.procurator, "2026-11-24", "12000.50")
    dolma = _petition(store, "2026-11-19T09:00", "卓玛", "སྒྲོལ་མ")
    oldest = _propose(store, *dolma, o.procurator, "2026-11-21")
    # Decided, paid, refused, deleted, of a deleted petition: none awaits a decision.
    for outcome in ("approved", "refused", "paid", "deleted", "petition deleted"):
        pid, person = _petition(store, "2026-11-18T09:00", f"旁人{outcome}", "")
        case = _propose(store, pid, person, o.procurator, "2026-11-19")
        if outcome in ("approved", "paid"):
            aid.decide(store, case, "approved", o.deputy, now=NOW)
        if outcome == "paid":
            aid.pay(store, PaymentInput(case, "3000", "2026-11-25", "旁人", "self"),
                    o.procurator, today=TODAY)
        if outcome == "refused":
            aid.decide(store, case, "refused", o.deputy, reason="不符合条件", now=NOW)
        if outcome in ("deleted", "petition deleted"):
            with store.write() as session:
                row = (session.get(AidCase, case) if outcome == "deleted"
                       else session.get(Petition, pid))
                assert row is not None
                row.deleted = True
    # Another office's waiting case.
    set_up(store, "632621")
    from app.core.identity import this_device

    device = this_device(store)
    assert device is not None and device.office_id is not None
    maqin_deputy, maqin_procurator = add_leaders(store, device.office_id)
    other = _propose(store, *_petition(store, "2026-11-19T10:00", "诺布", "ནོར་བུ"),
                     maqin_procurator, "2026-11-20")

    waiting = awaiting_decision(store, o.office_id, TODAY)
    assert [item.aid_case_id for item in waiting] == [oldest, first]
    assert [(i.reg_no, i.names_zh, i.names_bo, i.proposed_fen, i.proposed_by_zh,
             i.days_waiting) for i in waiting] == [
        ("达检信〔2026〕2号", "卓玛", "སྒྲོལ་མ", 300_000, "卓玛", 5),
        ("达检信〔2026〕1号", "扎西才让", "བཀྲ་ཤིས་ཚེ་རིང", 1_200_050, "卓玛", 2)]
    assert [i.aid_case_id for i in awaiting_decision(store, device.office_id, TODAY)] == [other]
    assert [i.aid_case_id for i in awaiting_decision(store, "", TODAY)] == [
        other, oldest, first]
    # Once decided, a case leaves the list, and is found among the approved.
    aid.decide(store, oldest, "approved", o.chief, now=NOW)
    assert [i.aid_case_id for i in awaiting_decision(store, o.office_id, TODAY)] == [first]
    assert oldest in {i.aid_case_id for i in office_cases(store, o.office_id, "approved", TODAY)}
    assert maqin_deputy


def test_the_case_still_under_way_is_the_petitions_open_one(store: Store) -> None:
    o = aid_office(store, now=NOW)
    assert aid.open_case_of(store, o.petition_id) is None
    refused = _propose(store, o.petition_id, o.person_id, o.procurator, "2026-11-21")
    aid.decide(store, refused, "refused", o.deputy, reason="材料不全", now=NOW)
    assert aid.open_case_of(store, o.petition_id) is None
    case = _propose(store, o.petition_id, o.person_id, o.procurator, "2026-11-24")
    assert aid.open_case_of(store, o.petition_id) == case  # awaiting a decision
    aid.decide(store, case, "approved", o.deputy, now=NOW)
    assert aid.open_case_of(store, o.petition_id) == case  # approved, nothing paid yet
    aid.pay(store, PaymentInput(case, "1000", "2026-11-25", "扎西才让", "self"), o.procurator,
            today=TODAY)
    assert aid.open_case_of(store, o.petition_id) == case  # partly paid
    aid.pay(store, PaymentInput(case, "2000", "2026-11-25", "扎西才让", "self"), o.procurator,
            today=TODAY)
    assert aid.open_case_of(store, o.petition_id) is None  # paid in full
