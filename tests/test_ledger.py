"""The key-petitioner ledger and its risk levels (issue 17, points 1 and 2): the office's rules
fire on records built here (colours counted by hand), a person confirms or overrides the
proposal, lowering is for the leader in charge, every change is kept, every reading recorded,
and the administrator is refused the ledger."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.accounts import login
from app.accounts import staff as accounts
from app.audit import reading
from app.audit.trail import Action
from app.core import access, i18n
from app.core.access import Permission
from app.core.paths import AppPaths
from app.core.store import Store
from app.ledger import entries, levels, papers, rules
from app.ledger.entries import EntryInput, MeasureInput
from app.persons.records import PersonInput
from app.petitions import outcomes
from app.petitions.outcomes import EscalationInput
from models import AuditEntry, KeyPetitioner, LevelChange
from tests.helpers import AidOffice, every_role, petition, refused, register
from tests.stores import copy_test_store, open_test_store

REGISTERED = datetime(2026, 12, 1, 9, 0)
TODAY = date(2026, 12, 1)  # the rules' window of 12 months starts after 2025-12-01
NOW = datetime(2026, 12, 1, 10, 0)


def _person(name_zh: str, role: str = "petitioner", existing: str | None = None) -> PersonInput:
    return PersonInput(name_zh=name_zh, sex="M", ethnicity="04", county="达日县", role=role,
                       existing_id=existing)


@dataclass
class Built:
    base: AidOffice
    by_role: dict[str, str]
    people: dict[str, str]  # letter -> person id
    entries: dict[str, str]  # letter -> ledger entry id


def _petition_of(store: Store, when: str, *persons: PersonInput, group: bool = False) -> str:
    data = petition(when, persons=list(persons))
    if group:
        data.is_group, data.head_count = True, len(persons)
    return register(store, data, now=REGISTERED).id


def _people_of(store: Store, petition_id: str) -> list[str]:
    from app.petitions.detail import petition_detail

    return [p.person_id for p in petition_detail(store, petition_id).parties]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Built]:
    """An office with every role and eight key petitioners, built once; each test gets a copy.

    By hand, as of 2026-12-01 with Doorstep's default rules:
    A 扎西 threatened an extreme act (2026-10) and refused the reply (2026-11): red.
    B 卓玛 petitioned three times in 2026, two of them repeats: yellow.
    C 多杰 petitioned in 2025-06, 2025-08 (repeat) and 2026-02 (repeat), went to Beijing in
      2025-11: one repeat and no trip within 12 months: no level.
    D 才让吉 represented a group visit (2026-05) taken to the province: red.
    E 索南 was in that group visit (not its representative), taken to the province: red.
    F 拉毛 settled on 2025-05-01, nothing since: green.
    G 桑杰 settled on 2026-08-01, only four months ago: no level.
    H 尼玛 settled on 2025-04-01 but refused the reply on 2026-01-05: yellow.
    Red 3, yellow 2, green 1, none 2.
    """
    folder = tmp_path_factory.mktemp("ledger") / "data"
    store = open_test_store(AppPaths(folder), create=True)
    base, by_role = every_role(store, now=REGISTERED)
    by_role["deputy2"] = accounts.add_staff(store, accounts.StaffInput("次仁", "", "deputy"))
    people = {"A": base.person_id}
    first = _petition_of(store, "2026-03-01T10:00", _person("卓玛"))
    people["B"] = _people_of(store, first)[0]
    for when in ("2026-06-01T10:00", "2026-09-01T10:00"):
        _petition_of(store, when, _person("卓玛", existing=people["B"]))
    first = _petition_of(store, "2025-06-01T10:00", _person("多杰"))
    people["C"] = _people_of(store, first)[0]
    _petition_of(store, "2025-08-01T10:00", _person("多杰", existing=people["C"]))
    _petition_of(store, "2026-02-01T10:00", _person("多杰", existing=people["C"]))
    group = _petition_of(store, "2026-05-01T10:00", _person("才让吉", "representative"),
                         _person("索南"), group=True)
    people["D"], people["E"] = _people_of(store, group)
    outcomes.add_escalation(store, group, EscalationInput("abnormal", "province", "2026-05-10"),
                            today=TODAY)
    for letter, name, when, settled in (("F", "拉毛", "2025-03-01T10:00", "2025-05-01"),
                                        ("G", "桑杰", "2026-01-10T10:00", "2026-08-01"),
                                        ("H", "尼玛", "2025-03-01T10:00", "2025-04-01")):
        pid = _petition_of(store, when, _person(name))
        people[letter] = _people_of(store, pid)[0]
        outcomes.record_resolution(store, pid, "settled", settled, today=TODAY)
    ids = {}
    for letter, person in people.items():
        ids[letter] = entries.enter(store, EntryInput(person, base.office_id, "多次上访",
                                                      "2026-11-25"), today=TODAY)
    for letter, day, kind in (("A", "2026-10-05", "threatened_extreme_act"),
                              ("A", "2026-11-02", "refused_reply"),
                              ("C", "2025-11-15", "went_to_beijing"),
                              ("H", "2026-01-05", "refused_reply"),
                              ("F", "2026-03-01", "stable")):
        entries.add_movement(store, ids[letter], day, kind, "", today=TODAY)
    entries.update(store, ids["A"], entries.EntryUpdate("情绪不稳定", "要求赔偿",
                                                        by_role["clerk"], base.deputy))
    store.close()
    return folder, Built(base, by_role, people, ids)


@dataclass
class Office:
    store: Store
    built: Built

    def as_(self, role: str) -> None:
        login.begin(self.store, self.built.by_role[role])

    @property
    def entry(self) -> dict[str, str]:
        return self.built.entries


@pytest.fixture
def office(built: tuple[Path, Built], tmp_path: Path) -> Iterator[Office]:
    folder, data = built
    copy_test_store(folder, tmp_path / "data")
    store = open_test_store(AppPaths(tmp_path / "data"))
    yield Office(store, data)
    store.close()


def test_rules_give_the_colours_counted_by_hand(office: Office) -> None:
    proposed = {letter: levels.propose_level(office.store, entry, today=TODAY)
                for letter, entry in office.entry.items()}
    assert {k: p.level for k, p in proposed.items()} == {
        "A": "red", "B": "yellow", "C": "", "D": "red", "E": "red", "F": "green", "G": "",
        "H": "yellow"}
    colours = [p.level for p in proposed.values()]
    assert (colours.count("red"), colours.count("yellow"), colours.count("green"),
            colours.count("")) == (3, 2, 1, 2)
    # Which rules fired, most severe first, and what they found.
    assert proposed["A"].codes == ["extreme_act", "refused_reply"]
    assert proposed["D"].codes == ["group_visit", "went_up"]
    assert proposed["E"].codes == ["went_up"]
    assert proposed["B"].fired[0].count == 2
    # What a rule found is shown with its numbers (in whatever language the screen is in).
    assert {"2", "12"} <= set(re.findall(r"\d+", proposed["B"].fired[0].description()))
    assert "2025-05-01" in proposed["F"].fired[0].description()
    assert proposed["C"].fired == [] and proposed["G"].fired == []


def test_the_office_edits_its_rules_and_the_proposals_follow(office: Office) -> None:
    rows = rules.risk_rules(office.store, office.built.base.office_id)
    assert [r.level for r in rows] == ["red"] * 3 + ["yellow"] * 2 + ["green"]
    assert all(r.proposed_by_doorstep for r in rows)
    repeat = next(r for r in rows if r.code == "repeat_petitions")
    office.as_("clerk")
    change = rules.RuleInput("yellow", "repeat_petitions", 12, 3)
    refused(office.store, access.NOT_PERMITTED[Permission.OFFICE_RULES], rules.edit_rule,
            repeat.rule_id, change)
    office.as_("deputy")
    refused(office.store, rules.BAD_COUNT, rules.edit_rule, repeat.rule_id,
            rules.RuleInput("yellow", "repeat_petitions", 12, 0))
    rules.edit_rule(office.store, repeat.rule_id, change)
    edited = next(r for r in rules.risk_rules(office.store, office.built.base.office_id)
                  if r.rule_id == repeat.rule_id)
    assert (edited.min_count, edited.proposed_by_doorstep) == (3, False)
    assert levels.propose_level(office.store, office.entry["B"], today=TODAY).level == ""
    # A rule switched off fires no more; one the office adds does.
    went_up = next(r for r in rows if r.code == "went_up")
    rules.edit_rule(office.store, went_up.rule_id,
                    rules.RuleInput("red", "went_up", 12, 1, active=False))
    assert levels.propose_level(office.store, office.entry["E"], today=TODAY).level == ""
    rules.add_rule(office.store, office.built.base.office_id,
                   rules.RuleInput("yellow", "went_up", 24, 1))
    found = levels.propose_level(office.store, office.entry["C"], today=TODAY)
    assert (found.level, found.codes) == ("yellow", ["went_up"])


def test_confirming_needs_no_reason_overriding_does(office: Office) -> None:
    office.as_("clerk")
    entry = office.entry["B"]
    refused(office.store, levels.OVERRIDE_NEEDS_REASON, levels.set_level, entry, "red", "",
            now=NOW)
    done = levels.set_level(office.store, entry, "yellow", now=NOW)
    assert (done.level, done.overridden) == ("yellow", False)
    done = levels.set_level(office.store, entry, "red", "扬言进京上访", now=NOW)
    assert done.overridden
    detail = entries.entry_detail(office.store, entry)
    assert detail.level == "red" and detail.level_confirmed_on == "2026-12-01"
    assert [(c.from_level, c.to_level, c.proposed_level, c.fired, c.reason, c.staff_id)
            for c in reversed(detail.levels)] == [
        ("", "yellow", "yellow", ["repeat_petitions"], "", office.built.by_role["clerk"]),
        ("yellow", "red", "yellow", ["repeat_petitions"], "扬言进京上访",
         office.built.by_role["clerk"])]


@pytest.mark.parametrize("role", ["clerk", "procurator", "head", "deputy2"])
def test_lowering_is_refused_to_all_but_the_leader_in_charge(office: Office, role: str) -> None:
    entry = office.entry["A"]  # red; its leader in charge is the deputy 才让
    office.as_("clerk")
    levels.set_level(office.store, entry, "red", now=NOW)
    office.as_(role)
    message = (access.NOT_PERMITTED[Permission.LOWER_RISK_LEVEL] if role != "deputy2"
               else levels.NOT_LEADER_IN_CHARGE)
    refused(office.store, message, levels.set_level, entry, "yellow", "已息诉", now=NOW)


@pytest.mark.parametrize("role", ["deputy", "chief"])
def test_the_leader_in_charge_or_the_chief_lowers_and_the_history_keeps_it(
        office: Office, role: str) -> None:
    entry = office.entry["A"]
    office.as_("clerk")
    levels.set_level(office.store, entry, "red", now=NOW)
    office.as_(role)
    refused(office.store, levels.OVERRIDE_NEEDS_REASON, levels.set_level, entry, "green", "",
            now=NOW)
    levels.set_level(office.store, entry, "green", "经教育转化，已签订息诉罢访协议", now=NOW)
    with office.store.read() as session:
        changes = session.scalars(select(LevelChange).where(LevelChange.entry_id == entry)
                                  .order_by(LevelChange.at, LevelChange.id)).all()
        assert [(c.from_level, c.to_level, c.staff_id, c.reason) for c in changes] == [
            ("", "red", office.built.by_role["clerk"], ""),
            ("red", "green", office.built.by_role[role], "经教育转化，已签订息诉罢访协议")]
        assert session.get(KeyPetitioner, entry).level == "green"


def test_raising_a_level_needs_no_leader(office: Office) -> None:
    office.as_("clerk")
    levels.set_level(office.store, office.entry["F"], "green", now=NOW)
    levels.set_level(office.store, office.entry["F"], "yellow", "近期情绪反复", now=NOW)
    assert entries.entry_detail(office.store, office.entry["F"]).level == "yellow"


def test_entering_twice_is_refused_and_leaving_needs_a_reason(office: Office) -> None:
    office.as_("procurator")
    again = EntryInput(office.built.people["B"], office.built.base.office_id, "再次进京",
                       "2026-11-30")
    refused(office.store, entries.ALREADY_IN_LEDGER, entries.enter, again, today=TODAY)
    refused(office.store, entries.LEFT_REASON_NEEDED, entries.change_status,
            office.entry["B"], "left", "")
    entries.change_status(office.store, office.entry["B"], "left", "问题已解决，稳定一年",
                          today=TODAY)
    refused(office.store, entries.HAS_LEFT, entries.add_movement, office.entry["B"],
            "2026-11-30", "stable", "")
    assert office.entry["B"] not in {r.entry_id for r in
                                     entries.ledger(office.store, office.built.base.office_id)}
    new = entries.enter(office.store, again, today=TODAY)
    assert new != office.entry["B"]


def test_measures_movements_and_the_records_of_the_person(office: Office) -> None:
    office.as_("procurator")
    entry = office.entry["A"]
    refused(office.store, entries.MEASURE_TEXT_NEEDED, entries.add_measure, entry,
            MeasureInput("education", office.built.by_role["procurator"], "2026-11-28", ""),
            today=TODAY)
    refused(office.store, entries.MEASURE_STAFF, entries.add_measure, entry,
            MeasureInput("counselling", office.built.by_role["admin"], "2026-11-28", "谈心"),
            today=TODAY)
    refused(office.store, entries.BAD_MOVEMENT, entries.add_movement, entry, "2026-11-28",
            "flew_away", "")
    entries.add_measure(office.store, entry, MeasureInput(
        "assistance", office.built.by_role["procurator"], "2026-11-28", "协调低保",
        "已纳入低保"), today=TODAY)
    detail = entries.entry_detail(office.store, entry)
    assert [(m.kind, m.result) for m in detail.measures] == [("assistance", "已纳入低保")]
    # Staff names come in both scripts, for the screen to show the one of its mode.
    assert [(m.staff_zh, m.staff_bo) for m in detail.measures] == [("卓玛", "སྒྲོལ་མ")]
    assert (detail.leader_zh, detail.leader_bo) == ("才让", "ཚེ་རིང")
    assert (detail.responsible_zh, detail.responsible_bo) == ("员工clerk", "")
    assert [m.kind for m in detail.movements] == ["refused_reply", "threatened_extreme_act"]
    assert (detail.situation, detail.demands, detail.leader_id) == (
        "情绪不稳定", "要求赔偿", office.built.base.deputy)
    assert [p.petition_id for p in detail.petitions] == [office.built.base.petition_id]


@pytest.mark.parametrize(("language", "leader", "responsible"), [
    (i18n.ZH, "才让", "员工clerk"), (i18n.BO, "ཚེ་རིང", "员工clerk"),
    (i18n.BILINGUAL, "ཚེ་རིང / 才让", "员工clerk")])
def test_the_ledger_paper_names_the_staff_in_its_language(
        office: Office, language: str, leader: str, responsible: str) -> None:
    office.as_("clerk")
    table = papers.ledger_table(office.store, office.built.base.office_id, language)
    headings = [h for h, _size, _cell in papers.LEDGER_COLUMNS]
    # A 扎西才让 (བཀྲ་ཤིས་ཚེ་རིང), after the number column
    row = next(r for r in table.rows if "扎西才让" in r[1] or "བཀྲ་ཤིས་ཚེ་རིང" in r[1])
    assert row[1 + headings.index("Leader in charge")] == leader
    assert row[1 + headings.index("Staff member responsible")] == responsible
    # nobody in charge of the others: a blank, not someone else's name
    assert all(r[1 + headings.index("Leader in charge")] == "" for r in table.rows if r != row)


def test_red_and_yellow_without_a_leader_are_listed(office: Office) -> None:
    office.as_("clerk")
    for letter in ("A", "B", "D", "F"):
        proposal = levels.propose_level(office.store, office.entry[letter], today=TODAY)
        levels.set_level(office.store, office.entry[letter], proposal.level, now=NOW)
    rows = entries.ledger(office.store, office.built.base.office_id)
    assert [r.level for r in rows][:4] == ["red", "red", "yellow", "green"]
    unled = {r.entry_id for r in entries.without_leader(office.store,
                                                        office.built.base.office_id)}
    assert unled == {office.entry["B"], office.entry["D"]}  # A has its leader; F is green


def test_every_reading_is_recorded(office: Office) -> None:
    office.as_("clerk")
    entry = office.entry["D"]
    entries.entry_detail(office.store, entry)
    entries.ledger(office.store, office.built.base.office_id)
    with office.store.read() as session:
        views = session.execute(select(AuditEntry.tbl, AuditEntry.row_id, AuditEntry.person_id,
                                       AuditEntry.staff_id)
                                .where(AuditEntry.action == "viewed")
                                .order_by(AuditEntry.seq)).all()
    clerk = office.built.by_role["clerk"]
    assert [tuple(v) for v in views[-2:]] == [
        ("key_petitioner", entry, office.built.people["D"], clerk),
        ("key_petitioner", "", "", clerk)]
    # A leader reading the record of what was done sees whose entry was opened, by whom.
    office.as_("chief")
    read = reading.entries_for_record(office.store, "key_petitioner", entry)
    assert (read[0].action, read[0].staff) == (Action.VIEWED.label, "员工clerk")
    assert read[0].record.endswith(" 才让吉")


def test_the_administrator_is_refused_the_ledger(office: Office) -> None:
    office.as_("admin")
    message = access.NOT_PERMITTED[Permission.SEE_KEY_PETITIONERS]
    office_id = office.built.base.office_id
    refused(office.store, message, entries.ledger, office_id)
    refused(office.store, message, entries.entry_detail, office.entry["A"])
    refused(office.store, message, levels.propose_level, office.entry["A"], today=TODAY)
    refused(office.store, message, rules.risk_rules, office_id)
    refused(office.store, message, entries.enter,
            EntryInput(office.built.people["C"], office_id, "x", "2026-11-30"), today=TODAY)


@pytest.mark.parametrize(("role", "see", "change_rules"), [
    ("admin", False, False), ("clerk", True, False), ("procurator", True, False),
    ("deputy", True, True), ("chief", True, True)])
def test_screens_learn_what_the_user_may_do_without_a_reading_recorded(
        office: Office, role: str, see: bool, change_rules: bool) -> None:
    office.as_(role)
    with office.store.read() as session:
        before = session.scalar(select(func.count()).select_from(AuditEntry))
    assert entries.ledger_access(office.store) == entries.LedgerAccess(see, change_rules)
    with office.store.read() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_the_demo_office_keeps_a_ledger_of_every_colour(store: Store) -> None:
    import demo.generate as demo
    from app.core.identity import this_device

    demo.fill(store, persons=40)
    device = this_device(store)
    assert device is not None and device.office_id is not None
    rows = entries.ledger(store, device.office_id, include_left=True)
    assert {r.level for r in rows} >= {"red", "yellow", "green"}
    assert any(r.needs_leader for r in rows) and any(r.status == "left" for r in rows)
    lowered = [c for r in rows for c in entries.entry_detail(store, r.entry_id).levels
               if c.from_level == "yellow" and c.to_level == "green"]
    assert len(lowered) == 1 and lowered[0].reason
