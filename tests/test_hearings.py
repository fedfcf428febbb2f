"""The hearing-officer roster and recording a hearing (issue 4, data layer)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core.errors import AppError, InvalidInputError
from app.core.paths import AppPaths
from app.core.store import Store
from app.hearings import agreements
from app.hearings import record as hearings
from app.hearings.record import HearingInput, OfficerInput
from app.petitions.detail import petition_detail
from models import Hearing, HearingStatement
from tests.helpers import office_with_staff, petition, refused, register

NOW = datetime(2026, 11, 24, 16, 0)


@pytest.fixture
def case(store: Store) -> tuple[Store, str, str, str]:
    office_id, chief_id = office_with_staff(store)
    done = register(store, petition(), now=NOW)
    return store, office_id, done.id, chief_id


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
    bad = HearingInput(petition_id=petition_id, kind="doorstep", held_at="2026-02-30T10:00",
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


def _held(store: Store, office_id: str, petition_id: str, chief: str) -> str:
    officer = hearings.save_officer(store, OfficerInput(office_id, "索南", "བསོད་ནམས", "deputy"))
    party = petition_detail(store, petition_id).parties[0].person_id
    planned = HearingInput(petition_id=petition_id, kind="doorstep", held_at="2026-12-02T11:00",
                           township="窝赛乡", village="查干村", place="信访人家中帐篷",
                           host_id=chief, officer_ids=[officer], party_ids=[party])
    hearing_id = hearings.record_hearing(store, planned, chief, now=NOW)
    assert hearings.hearing_summaries(store, petition_id)[0].outcome == ""
    held = hearings.hearing_input(store, hearing_id)
    assert held.party_ids == [party] and held.officer_ids == [officer]
    held.held_at = "2026-12-02T11:30"
    held.statements = [(("party", party), "同意。")]
    held.opinions = {officer: "同意息诉。"}
    held.outcome = "settled"
    with pytest.raises(InvalidInputError):  # an outcome in the future
        hearings.record_hearing(store, held, chief, now=NOW, hearing_id=hearing_id)
    assert hearings.record_hearing(store, held, chief, now=datetime(2026, 12, 2, 15, 0),
                                   hearing_id=hearing_id) == hearing_id
    detail = hearings.hearing_detail(store, hearing_id)
    assert [s.text for s in detail.statements] == ["同意。"] and len(detail.parties) == 1
    return hearing_id


def test_planned_hearing_is_held_later_and_drafts_an_agreement(
        case: tuple[Store, str, str, str], tmp_path: Path) -> None:
    store, office_id, petition_id, chief = case
    paths = AppPaths(tmp_path / "data")
    hearing_id = _held(store, office_id, petition_id, chief)
    agreement_id = agreements.draft_agreement(store, paths, hearing_id, chief)
    detail = agreements.agreement_detail(store, agreement_id)
    assert detail.status == "drafted" and detail.bilingual  # 扎西才让 prefers Tibetan
    assert "扎西才让" in detail.text.matter_zh and "2026年12月2日" in detail.text.matter_zh
    assert "བཀྲ་ཤིས་ཚེ་རིང" in detail.text.matter_bo
    assert detail.parties[0].id_number == "632624198503120012"
    with pytest.raises(AppError):
        agreements.draft_agreement(store, paths, hearing_id, chief)
    text = detail.text
    text.office_zh += "\n协调发放司法救助金人民币伍仟元整。"
    agreements.save_text(store, agreement_id, text, bilingual=True)
    agreements.mark_printed(store, agreement_id)
    with pytest.raises(InvalidInputError):  # before the hearing
        agreements.mark_signed(store, agreement_id, "2026-12-01", today=date(2026, 12, 5))
    agreements.mark_signed(store, agreement_id, "2026-12-03", chief, today=date(2026, 12, 5))
    signed = agreements.agreement_detail(store, agreement_id)
    assert (signed.status, signed.signed_on) == ("signed", "2026-12-03")
    assert signed.text.office_zh.endswith("伍仟元整。")
    with pytest.raises(AppError):
        agreements.save_text(store, agreement_id, text, bilingual=True)


def test_office_template_wins_and_a_broken_one_is_named(
        case: tuple[Store, str, str, str], tmp_path: Path) -> None:
    store, office_id, petition_id, chief = case
    paths = AppPaths(tmp_path / "data")
    folder = agreements.ensure_office_templates(paths)
    own = folder / "agreement.zh.txt"
    own.write_text(own.read_text(encoding="utf-8").replace(
        "自愿息诉罢访", "自愿息诉罢访并撤回申诉"), encoding="utf-8")
    hearing_id = _held(store, office_id, petition_id, chief)
    agreement_id = agreements.draft_agreement(store, paths, hearing_id)
    assert "并撤回申诉" in agreements.agreement_detail(store, agreement_id).text.petitioner_zh
    agreements.withdraw(store, agreement_id)
    (folder / "agreement.bo.txt").write_text("[matter]\n{petitioner}\n", encoding="utf-8")
    with pytest.raises(AppError) as caught:
        agreements.draft_agreement(store, paths, hearing_id)
    assert "agreement.bo.txt" in str(caught.value.params) and "petitioner" in str(
        caught.value.params)


def test_no_agreement_is_drafted_from_a_hearing_that_did_not_settle(
        case: tuple[Store, str, str, str], tmp_path: Path) -> None:
    """The hearing window offers "Agreement…" only for a hearing that ended settled or
    conciliated; app refuses the others too."""
    store, office_id, petition_id, chief = case
    paths = AppPaths(tmp_path / "data")
    hearing_id = _held(store, office_id, petition_id, chief)
    held = hearings.hearing_input(store, hearing_id)
    for outcome in ("continues", "other"):
        held.outcome = outcome
        hearings.record_hearing(store, held, chief, now=datetime(2026, 12, 2, 15, 0),
                                hearing_id=hearing_id)
        assert not agreements.may_draft_from(outcome)
        refused(store, agreements.NOT_DRAFTED_FROM, agreements.draft_agreement, paths,
                hearing_id, chief)
    assert agreements.agreements_of(store, petition_id) == []
    held.outcome = "conciliated"
    hearings.record_hearing(store, held, chief, now=datetime(2026, 12, 2, 15, 0),
                            hearing_id=hearing_id)
    assert agreements.may_draft_from("conciliated")
    assert agreements.draft_agreement(store, paths, hearing_id, chief)


def test_a_signed_or_withdrawn_agreement_is_not_edited_signed_or_withdrawn_again(
        case: tuple[Store, str, str, str], tmp_path: Path) -> None:
    """The agreement window makes a signed agreement's text read-only and offers neither
    "Signed…" again nor anything but nothing once withdrawn; app refuses the same."""
    store, office_id, petition_id, chief = case
    paths = AppPaths(tmp_path / "data")
    hearing_id = _held(store, office_id, petition_id, chief)
    agreement_id = agreements.draft_agreement(store, paths, hearing_id, chief)
    text = agreements.agreement_detail(store, agreement_id).text
    assert agreements.allowed_actions("printed") == {
        agreements.EDIT, agreements.PRINT, agreements.SIGN, agreements.WITHDRAW}
    agreements.mark_signed(store, agreement_id, "2026-12-03", chief, today=date(2026, 12, 5))
    assert agreements.allowed_actions("signed") == {agreements.PRINT, agreements.WITHDRAW}
    text.closing_zh = "改过的结尾"
    refused(store, agreements.NOT_EDITABLE, agreements.save_text, agreement_id, text,
            bilingual=True)
    refused(store, agreements.NOT_SIGNABLE, agreements.mark_signed, agreement_id,
            "2026-12-04", chief, today=date(2026, 12, 5))
    agreements.withdraw(store, agreement_id, chief)
    assert agreements.allowed_actions("withdrawn") == frozenset()
    refused(store, agreements.NOT_EDITABLE, agreements.save_text, agreement_id, text,
            bilingual=True)
    refused(store, agreements.ALREADY_WITHDRAWN, agreements.withdraw, agreement_id, chief)
    refused(store, "This agreement was withdrawn; it is not printed any more.",
            agreements.mark_printed, agreement_id)
    assert agreements.agreement_detail(store, agreement_id).text.closing_zh != "改过的结尾"


def test_the_agreement_ends_its_matter_sentence_once(store: Store, tmp_path: Path) -> None:
    office_id, chief = office_with_staff(store)
    done = register(store, petition(summary="草场补偿款被拖欠，生活负担过重。"), now=NOW)
    hearing_id = _held(store, office_id, done.id, chief)
    agreement_id = agreements.draft_agreement(store, AppPaths(tmp_path / "data"), hearing_id,
                                              chief)
    text = agreements.agreement_detail(store, agreement_id).text
    assert "负担过重（信访编号" in text.matter_zh
    assert "。（" not in text.matter_zh and "。 (" not in text.matter_bo
