"""A petition's history reads in words in every language mode (issue 14, point 4): no code, no
ISO date, no amount in fen or as the program logs it, for every kind of entry."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from app.core import i18n
from app.core.labels import Activity
from app.core.store import Store
from app.petitions.detail import petition_detail
from app.petitions.history import describe
from app.petitions.intake import change_deadline, record_reply
from tests.helpers import petition, register, set_up

# Each kind of entry with a detail as the code that logs it writes it.
LOGGED = {
    "registered": "达检信〔2026〕12号",
    "renumbered": "达检信〔2026〕临3F2A-1号 → 达检信〔2026〕13号",
    "replied": "procedural",
    "deadline": "answer extend 2026-11-29 30",
    "hearing": "doorstep 2026-11-24T14:00",
    "hearing_planned": "public 2026-12-02T10:30",
    "agreement": "达检信〔2026〕12号",
    "agreement_signed": "2026-11-24",
    "agreement_withdrawn": "",
    "attachment_added": "协议书扫描件.jpg",
    "attachment_removed": "协议书扫描件.jpg",
    "aid_proposed": "12000.50",
    "aid_approved": "12000.00",
    "aid_reduced": "8000.00",
    "aid_refused": "0.00",
    "aid_paid": "6000.00",
    "aid_reversed": "6000.00",
    "visit_scheduled": "2026-12-24",
    "visit_done": "2026-12-20",
    "handover_opened": "达日县民政局",
    "handover_closed": "达日县民政局",
    "visit_cancelled": "2026-12-24",
    "handover_updated": "达日县民政局",
    "persons_merged": "卓玛 632624198503120012 → 卓玛 632624198503120012",
    "unanswerable": "anonymous",
    "answerable": "",
    "resolved": "settled 2026-11-30",
    "resolution_cleared": "",
    "conciliation": "conciliation 2026-11-28",
    "lawsuit_support": "12 1800000",
    "escalation": "upward province 2026-11-26",
    "helper": "lawyer 王律师",
    "lead_transfer": "达日县公安局 2026-11-25",
    "outcome_removed": "lawsuit",
    "edited": "summary received_at is_sensitive leader_id",
    "person_edited": "name_zh phone needs_interpreter\t扎西才让\tབཀྲ་ཤིས་ཚེ་རིང",
    "transferred": "才让\tཚེ་རིང\t卓玛\tསྒྲོལ་མ\t才让出差",
    "voided": "重复登记",
}
# An ISO date, a code, or an amount as logged (12000.50: no ¥, no grouping).
RAW = re.compile(r"\b\d{4}-\d{2}-\d{2}|\b[a-z_]{3,}\b|(?<![\d,¥\xa0])\d{4,}\.\d{2}\b")


def test_every_kind_of_entry_is_listed() -> None:
    assert set(LOGGED) == {member.value for member in Activity}


@pytest.mark.parametrize("mode", [i18n.ZH, i18n.BO, i18n.BILINGUAL])
@pytest.mark.parametrize("action", list(LOGGED))
def test_no_raw_code_in_any_language(action: str, mode: str) -> None:
    i18n.set_mode(mode)
    text = describe(action, LOGGED[action])
    assert not RAW.search(text.replace("jpg", "")), (action, text)


def test_the_deadline_and_money_entries_read_as_a_clerk_says_them() -> None:
    assert describe("deadline", "answer extend 2026-11-29 30") == \
        "3个月内答复办理结果自2026年11月29日起延长30日"
    assert describe("aid_proposed", "12000.50") == "¥12,000.50"
    assert describe("lawsuit_support", "12 1800000") == "12名务工人员，追回¥18,000.00"
    assert describe("edited", "summary received_at") == "信访事项、收到时间"
    assert describe("transferred", "\t\t卓玛\tསྒྲོལ་མ\t") == "— → 卓玛"
    # A detail from another version is shown as it is.
    assert describe("deadline", "answer someday") == "answer someday"


def test_the_history_of_a_real_petition_reads_in_words(store: Store) -> None:
    """What the use cases log is what ``describe`` reads."""
    set_up(store)
    done = register(store, petition(), now=datetime(2026, 11, 24, 10, 0))
    record_reply(store, done.id, "procedural", date(2026, 11, 21), "phone", "已电话告知",
                 today=date(2026, 11, 24))
    change_deadline(store, done.id, "answer", "extend", date(2026, 11, 24), "案情复杂", days=30)
    change_deadline(store, done.id, "answer", "pause", date(2026, 11, 25), "等待材料")
    history = petition_detail(store, done.id).history
    for mode in (i18n.ZH, i18n.BO, i18n.BILINGUAL):
        i18n.set_mode(mode)
        for entry in history:
            text = describe(entry.action, entry.detail)
            assert not RAW.search(text), (entry.action, text)
