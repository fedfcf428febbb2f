"""The hearing-officer roster and recording a hearing (issue 4, data layer)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from app import hearings
from app.errors import InvalidInputError
from app.hearings import HearingInput, OfficerInput
from app.identity import this_device
from app.petitions import register
from app.registry import petition_detail
from app.store import Store
from models import Hearing, HearingStatement, Staff
from tests.helpers import petition, set_up

NOW = datetime(2026, 11, 24, 16, 0)


@pytest.fixture
def case(store: Store) -> tuple[Store, str, str, str]:
    set_up(store)
    device = this_device(store)
    assert device is not None and device.office_id is not None
    with store.write() as session:
        chief = Staff(office_id=device.office_id, name_zh="更桑", name_bo="ཀུན་བཟང",
                      role="chief", phone="", active=True)
        session.add(chief)
        session.flush()
        chief_id = chief.id
    done = register(store, petition(), now=NOW)
    return store, device.office_id, done.id, chief_id


def test_roster_validates_and_lists_active_officers(case: tuple[Store, str, str, str]) -> None:
    store, office_id, _pid, _chief = case
    with pytest.raises(InvalidInputError) as caught:
        hearings.save_officer(store, OfficerInput(office_id, role="mayor", phone="12ab"))
    assert {p.field for p in caught.value.problems} == {"name_zh", "role", "phone"}
    first = hearings.save_officer(store, OfficerInput(office_id, "索南", "བསོད་ནམས", "deputy",
                                                      "13897500001", "吉迈镇"))
    hearings.save_officer(store, OfficerInput(office_id, "王律师", "", "lawyer", active=False))
    assert [o.id for o in hearings.officers(store, office_id, active_only=True)] == [first]
    assert len(hearings.officers(store, office_id)) == 2


def test_record_a_doorstep_hearing_with_statements_and_opinions(
        case: tuple[Store, str, str, str]) -> None:
    store, office_id, petition_id, chief = case
    officer = hearings.save_officer(store, OfficerInput(office_id, "索南", "བསོད་ནམས", "deputy"))
    party = petition_detail(store, petition_id).parties[0].person_id
    data = HearingInput(
        petition_id=petition_id, kind="doorstep", held_at="2026-11-24T14:00",
        township="窝赛乡", village="查干村", herding_group="二社", place="信访人家中帐篷",
        host_id=chief, officer_ids=[officer], party_ids=[party], interpreter="尼玛（藏汉翻译）",
        statements=[(("procurator", chief), "宣布听证开始，介绍听证员。"),
                    (("party", party), "工程款一直没有拿到，家里生活困难。"),
                    (("officer", officer), "建议依法支持起诉。")],
        opinions={officer: "同意支持起诉，并协调司法救助。"}, outcome="settled",
        outcome_note="签订息诉罢访协议书")
    hearing_id = hearings.record_hearing(store, data, chief, now=NOW)
    detail = hearings.hearing_detail(store, hearing_id)
    assert [s.text for s in detail.statements][1] == "工程款一直没有拿到，家里生活困难。"
    assert [s.speaker_kind for s in detail.statements] == ["procurator", "party", "officer"]
    assert detail.opinions == [("索南", "བསོད་ནམས", "同意支持起诉，并协调司法救助。")]
    assert detail.host_zh == "更桑" and detail.parties[0][0] == "扎西才让"
    assert hearings.hearings_of(store, petition_id) == [hearing_id]
    assert "hearing" in [h.action for h in petition_detail(store, petition_id).history]


def test_bad_hearing_is_refused_whole(case: tuple[Store, str, str, str]) -> None:
    store, office_id, petition_id, chief = case
    officer = hearings.save_officer(store, OfficerInput(office_id, "索南", "", "deputy"))
    bad = HearingInput(petition_id=petition_id, kind="doorstep", held_at="2026-12-30T10:00",
                       host_id="", party_ids=[],
                       statements=[(("officer", officer), "not present"), (("party", "x"), " ")],
                       opinions={officer: "x"}, outcome="")
    with pytest.raises(InvalidInputError) as caught:
        hearings.record_hearing(store, bad, chief, now=NOW)
    fields = {p.field for p in caught.value.problems}
    assert {"held_at", "place", "host_id", "party_ids", "statements.0", "statements.1",
            "opinions", "outcome"} <= fields
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(Hearing)) == 0
        assert session.scalar(select(func.count()).select_from(HearingStatement)) == 0
