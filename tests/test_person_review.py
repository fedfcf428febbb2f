"""Possible duplicate persons after laptops' data is merged: the same herder registered on two
laptops is offered as a pair; merging moves everything onto one record on every laptop; a pair
judged to be two people is not offered again, anywhere."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.aid import cases as aid
from app.aid.cases import AidProposal
from app.core.dump import dump_json
from app.core.errors import AppError
from app.core.identity import ensure_device, set_up_device
from app.core.labels import Activity
from app.core.paths import AppPaths
from app.core.store import Store
from app.hearings import record as hearings
from app.hearings.record import HearingInput
from app.persons.records import PersonInput
from app.persons.review import (
    PairReason,
    count_possible_duplicates,
    mark_different,
    merge_persons,
    possible_duplicates,
)
from app.petitions.detail import petition_detail
from app.sync import engine
from models import Person, PersonPairReview, PetitionParty
from tests.helpers import DARLAG, office_with_staff, petition, register, tashi
from tests.stores import open_test_store

NOW = datetime(2026, 11, 24, 16, 0)


def send(source: Store, target: Store) -> None:
    """Everything ``target`` lacks from ``source``, as a package would carry it."""
    rows = [r for b in engine.versions_after(source, engine.vector(target)) for r in b]
    engine.apply(target, rows)


def meet(a: Store, b: Store) -> None:
    send(a, b)
    send(b, a)


@pytest.fixture
def laptops(tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    """The office's first laptop, and a second one enrolled from its data (so both number)."""
    first = open_test_store(AppPaths(tmp_path / "a"))
    set_up_device(first, "laptop a", DARLAG)
    second = open_test_store(AppPaths(tmp_path / "b"))
    ensure_device(second, "laptop b")
    send(first, second)
    set_up_device(second, "laptop b", DARLAG)
    yield first, second
    first.close()
    second.close()


def _parties(store: Store, petition_id: str) -> list[str]:
    return [p.person_id for p in petition_detail(store, petition_id).parties]


def _person(store: Store, person_id: str) -> Person:
    with store.read() as session:
        person = session.get(Person, person_id)
        assert person is not None
        return person


def test_same_herder_on_two_laptops_is_merged_everywhere(
        laptops: tuple[Store, Store]) -> None:
    a, b = laptops
    # Laptop a registers Tashi without his phone or herding group; laptop b, out in the
    # pastures, registers him again with them but without his village.
    on_a = register(a, petition(persons=[tashi(phone="", herding_group="")]))
    on_b = register(b, petition("2026-11-21T10:00", persons=[tashi(village="")]))
    assert possible_duplicates(a) == [] and possible_duplicates(b) == []
    meet(a, b)

    (pair,) = possible_duplicates(a)
    assert [(p.a.id, p.b.id) for p in possible_duplicates(b)] == [(pair.a.id, pair.b.id)]
    assert count_possible_duplicates(a) == count_possible_duplicates(b) == 1
    assert pair.reasons[0] == "id_number" and PairReason.has(pair.reasons[0])
    assert pair.a.id < pair.b.id
    assert {pair.a.petitions, pair.b.petitions} == {1}
    assert {"id_number", "name_zh", "name_bo", "township"} <= pair.same
    assert "phone" not in pair.same and "phone" not in pair.different
    keep = _parties(a, on_a.id)[0]
    drop = _parties(b, on_b.id)[0]
    assert {pair.a.id, pair.b.id} == {keep, drop}

    result = merge_persons(a, keep, drop)
    assert (result.moved, result.removed) == (1, 0)
    assert result.petition_ids == [on_b.id]
    assert sorted(result.filled) == ["herding_group", "phone"]
    # b's petition now names the kept person; his phone and herding group came from b's
    # record and his village stayed.
    assert _parties(a, on_b.id) == [keep]
    kept = _person(a, keep)
    assert (kept.phone, kept.herding_group, kept.village) == ("13909751234", "二社", "查干村")
    assert _person(a, drop).deleted
    history = petition_detail(a, on_b.id).history
    assert history[-1].action == "persons_merged" and Activity.PERSONS_MERGED.message
    assert "→" in history[-1].detail
    assert possible_duplicates(a) == []

    # The merge travels to laptop b like any edit: the same tables on both, nothing to review.
    meet(a, b)
    assert dump_json(a) == dump_json(b)
    assert possible_duplicates(b) == [] and count_possible_duplicates(b) == 0
    assert _parties(b, on_b.id) == [keep] and _person(b, drop).deleted
    assert engine.conflicts(a) == engine.conflicts(b) == []


def test_two_people_judged_different_stay_apart_on_both_laptops(
        laptops: tuple[Store, Store]) -> None:
    a, b = laptops
    # Father and son, both 卓玛才让, share the family's phone; neither brought his ID card.
    father = PersonInput(name_zh="卓玛才让", name_bo="སྒྲོལ་མ་ཚེ་རིང", phone="139 0975 5678",
                         township="吉迈镇")
    son = PersonInput(name_zh="卓玛才让", phone="13909755678", township="吉迈镇")
    register(a, petition(persons=[father]))
    register(b, petition(persons=[son]))
    meet(a, b)
    (pair,) = possible_duplicates(b)
    assert pair.reasons == ("name_zh_phone",)
    assert {"name_zh", "phone", "township"} <= pair.same

    review = mark_different(b, pair.b.id, pair.a.id)  # either order
    assert mark_different(b, pair.a.id, pair.b.id) == review  # judged once
    assert possible_duplicates(b) == [] and possible_duplicates(a) == [pair] != []
    meet(a, b)
    assert possible_duplicates(a) == possible_duplicates(b) == []
    assert dump_json(a) == dump_json(b)
    with a.read() as session:
        stored = session.get(PersonPairReview, review)
        assert stored is not None
        assert (stored.person_a, stored.person_b, stored.decision) == (pair.a.id, pair.b.id,
                                                                     "different")


def test_which_pairs_are_offered(store: Store) -> None:
    office_with_staff(store)
    # The same name in the same herding group, one record without an ID number: offered.
    register(store, petition(persons=[
        tashi(phone="", id_number=""), tashi(phone="13800000000", name_bo="")]))
    # The same name and herding group but two different ID numbers: two people, never offered.
    register(store, petition(persons=[
        PersonInput(name_zh="才让", township="吉迈镇", village="查干村", herding_group="一社",
                    id_number="632624199001010010"),
        PersonInput(name_zh="才让", township="吉迈镇", village="查干村", herding_group="一社",
                    id_number="632624199202020012")]))
    # The same Tibetan name and phone, typed with spaces once: offered.
    register(store, petition(persons=[
        PersonInput(name_bo="ལྷ་མོ་", phone="150 9751 0001"),
        PersonInput(name_bo="ལྷ་མོ", name_zh="拉毛", phone="15097510001")]))
    # The same name with nothing else in common: not offered.
    register(store, petition(persons=[PersonInput(name_zh="尼玛", township="吉迈镇"),
                                      PersonInput(name_zh="尼玛", township="窝赛乡")]))
    pairs = possible_duplicates(store)
    assert [p.reasons for p in pairs] == [("name_bo_phone",), ("name_place",)]
    lhamo, tashis = pairs
    assert {lhamo.a.name_zh, lhamo.b.name_zh} == {"", "拉毛"}
    assert "name_zh" not in lhamo.same and "name_zh" not in lhamo.different
    assert tashis.different == frozenset()  # one phone is missing, not different
    assert "herding_group" in tashis.same


def test_merging_two_records_on_the_same_petition_and_hearing(store: Store) -> None:
    _office_id, chief = office_with_staff(store)
    # Tashi came with his record typed twice: once with his ID number, once with only his name
    # and phone. Both sat in the hearing and the second one spoke.
    done = register(store, petition(persons=[tashi(), tashi(id_number="", role="representative",
                                                            name_bo="")]), now=NOW)
    keep, drop = _parties(store, done.id)
    hearing_id = hearings.record_hearing(store, HearingInput(
        petition_id=done.id, kind="doorstep", held_at="2026-11-24T14:00", township="吉迈镇",
        host_id=chief, party_ids=[keep, drop],
        statements=[(("party", drop), "草场的事情还没有解决。")]), chief, now=NOW)
    # Judicial aid was proposed for him under the second record.
    case_id = aid.propose(store, AidProposal(done.id, [drop], "poor", "家庭生活困难。", "3000",
                                             "符合救助条件。"), chief, today=NOW.date())
    (pair,) = possible_duplicates(store)
    assert pair.reasons == ("name_zh_phone", "name_place")

    result = merge_persons(store, keep, drop, chief)
    # The aid case moves to him; his second place on the petition and at the hearing goes.
    assert (result.moved, result.removed) == (1, 2)
    assert [p.id for p in aid.aid_case_detail(store, case_id).persons] == [keep]
    assert result.petition_ids == [done.id] and result.filled == []
    # He appears once on the petition and once in the hearing, and what he said is still his.
    assert _parties(store, done.id) == [keep]
    detail = hearings.hearing_detail(store, hearing_id)
    assert detail.parties == [("扎西才让", "བཀྲ་ཤིས་ཚེ་རིང")]
    assert [(s.speaker_zh, s.text) for s in detail.statements] == [
        ("扎西才让", "草场的事情还没有解决。")]
    with store.read() as session:
        links = session.scalars(select(PetitionParty).where(
            PetitionParty.petition_id == done.id)).all()
        assert sorted((p.person_id == keep, p.deleted) for p in links) == [(False, True),
                                                                          (True, False)]
    history = petition_detail(store, done.id).history
    assert history[-1].action == "persons_merged" and history[-1].by_zh == "更桑"


def test_a_pair_judged_different_follows_the_merged_person(store: Store) -> None:
    office_with_staff(store)
    # Tashi with his ID card but no phone; Tashi again with his phone; another 扎西才让 from
    # another township who shares that phone.
    done = register(store, petition(persons=[
        tashi(phone=""), tashi(id_number=""),
        tashi(id_number="", name_bo="", township="窝赛乡")]))
    first, second, third = _parties(store, done.id)
    offered = {frozenset((p.a.id, p.b.id)): p.reasons for p in possible_duplicates(store)}
    assert offered == {frozenset((first, second)): ("name_place",),
                       frozenset((second, third)): ("name_zh_phone",)}
    mark_different(store, second, third)
    merge_persons(store, first, second)
    # The first record now has the phone too, but the third was judged a different person.
    assert _person(store, first).phone == "13909751234"
    assert possible_duplicates(store) == []


def test_merges_that_are_refused(laptops: tuple[Store, Store]) -> None:
    a, b = laptops
    on_a = register(a, petition())
    on_b = register(b, petition(persons=[tashi(id_number="632624198503120039")]))
    meet(a, b)
    one, other = _parties(a, on_a.id)[0], _parties(a, on_b.id)[0]
    # Same names, phone and herding group, but two ID numbers: two people, not offered.
    assert possible_duplicates(a) == []
    before = dump_json(a)
    with pytest.raises(AppError) as caught:
        merge_persons(a, one, one)
    assert "themselves" in caught.value.message
    with pytest.raises(AppError) as caught:
        merge_persons(a, one, other)
    assert "different ID numbers" in caught.value.message
    with pytest.raises(AppError):
        mark_different(a, one, one)
    assert dump_json(a) == before
    # A person merged away cannot be merged again (another laptop's list may be stale).
    third = register(a, petition(persons=[tashi(id_number="", name_bo="")]))
    twin = _parties(a, third.id)[0]
    merge_persons(a, one, twin)
    with pytest.raises(AppError) as caught:
        merge_persons(a, one, twin)
    assert "already been merged" in caught.value.message
    with pytest.raises(AppError):
        merge_persons(a, one, "no-such-person")
