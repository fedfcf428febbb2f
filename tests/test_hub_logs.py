"""The signed logs' hard cases with the prefecture hub as the party that receives (issue 18): a
county's master and two laptops on SQLite (tests/test_sync_signed's office), a hub on
PostgreSQL enrolled in that county and in another one, and real package files between them. A
revoked laptop, its changes relayed by a laptop that has not heard, a restored laptop that
forks its log and changes under another laptop's log are refused, kept apart or decided at the
hub as a county laptop does with the same packages, and the hub's list of what is kept apart
says the same as that laptop's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.core.dump import dump_json
from app.core.errors import AppError
from app.core.store import Store
from app.hub import service as hub
from app.sync import crypto, engine, service
from models import Person
from tests import test_sync_signed as laptops
from tests.helpers import DARLAG, petition, register, shared_dump
from tests.test_hub import County, Hub, made_county, made_hub
from tests.test_hub_sync import row_counts
from tests.test_sync_signed import NAMES, PASS, Office, apart, forged_package, summaries

pytestmark = pytest.mark.postgres

# The county's master and laptops A and B (``office``), copied from a ``template`` made once.
template, office = laptops.template, laptops.office

MAQEN = "632621"  # 玛沁: the hub is enrolled there first, so 达日 is not its only county


@pytest.fixture
def prefecture(office: Office, postgres_url: str,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[Hub]:
    """The hub enrolled in 玛沁 and then in 达日 (the office's county); laptops A and B have
    read the master's package whose roster lists the hub, so what they write is for it too."""
    monkeypatch.setattr(crypto, "SCRYPT_N", 2**14)  # the least a key file may use: faster
    maqen = made_county(office.folder, MAQEN, 1, PASS)
    made = made_hub(postgres_url, office.folder, [maqen, County(DARLAG, office.master)], PASS)
    listing = office.export("master")
    for who in ("a", "b"):
        service.import_package(office.stores[who], listing, PASS)
    yield made
    made.store.close()
    maqen.master.close()


def to_hub(prefecture: Hub, package: Path) -> service.ImportResult:
    """The package imported at the hub, as its clerks do (``hub.import_packages``)."""
    [done] = hub.import_packages(prefecture.store, [package], PASS)
    assert done.problem is None, done.problem
    assert done.result is not None and done.office_id != ""
    return done.result


def outcome(got: service.ImportResult) -> tuple[Any, ...]:
    """What an import says was refused, kept apart, decided or taken back out."""
    return (got.forged, got.revoked, got.forks, got.decided, got.withdrawn, got.restored,
            got.reissued, got.unverified, service.import_notes(got))


def listed_apart(store: Store) -> list[tuple[Any, ...]]:
    """The list of what is kept apart, as the Kept apart tab and ``kept-apart`` show it (but
    for when each was noted)."""
    return sorted((r.reason, r.laptop, r.brought_by, r.changes, r.tables, r.reissued)
                  for r in service.kept_apart(store))


def same_as_laptop(prefecture: Hub, laptop: Store) -> None:
    """The hub keeps apart what the laptop keeps apart, and lists it in the same words."""
    assert apart(prefecture.store) == apart(laptop)
    assert listed_apart(prefecture.store) == listed_apart(laptop)
    assert engine.conflicts(prefecture.store) == engine.conflicts(laptop)


def everyone_has_everything(office: Office, prefecture: Hub) -> None:
    """The hub's package read by the master, and the master's by the hub: the hub then holds
    what the master holds (but for what each writes on its own after an exchange), the
    prefecture's office record the hub made too."""
    back = hub.export_to(prefecture.store, DARLAG, office.folder / "from-hub.dsp", PASS)
    service.import_package(office.master, back.path, PASS)
    to_hub(prefecture, office.export("master"))
    assert shared_dump(prefecture.store) == shared_dump(office.master)


def unchanged(prefecture: Hub) -> tuple[dict[str, int], str]:
    return row_counts(prefecture.store), dump_json(prefecture.store)


# -- revocation -----------------------------------------------------------------------------------
def test_a_revoked_laptops_package_is_refused_at_the_hub_as_on_a_laptop(
        office: Office, prefecture: Hub) -> None:
    """The hub hears of the revocation from the master's package; A, which has not, writes a
    package: refused at the hub in a laptop's words, PostgreSQL as it was, and what A made
    before (which the master held when it revoked A) stays."""
    a_id = office.a.device_id
    assert a_id is not None
    register(office.a, petition(summary="撤销前的登记"))
    earlier = office.export("a")
    service.import_package(office.master, earlier, PASS)
    assert "撤销前的登记" in summaries(office.master)
    assert to_hub(prefecture, earlier).new > 0

    service.revoke(office.master, a_id, PASS)
    revocation = office.export("master")
    got = to_hub(prefecture, revocation)
    service.import_package(office.b, revocation, PASS)
    # What A made before it was revoked had reached the master: it stays, at the hub too.
    assert got.withdrawn == 0 and got.revoked == ()
    assert "撤销前的登记" in summaries(prefecture.store)
    [darlag] = [c for c in hub.counties(prefecture.store) if c.division_code == DARLAG]
    assert darlag.laptops == 3  # the master, B and the hub: A is revoked

    register(office.a, petition(summary="撤销后的登记"))  # A has not heard
    later = office.export("a")
    with pytest.raises(AppError) as on_laptop:
        service.import_package(office.b, later, PASS)
    before = unchanged(prefecture)
    [done] = hub.import_packages(prefecture.store, [later], PASS)
    assert done.problem is not None and done.result is None
    assert "removed from this office" in str(on_laptop.value)
    assert str(done.problem) == str(on_laptop.value)
    assert done.problem.message == on_laptop.value.message
    assert unchanged(prefecture) == before
    assert "撤销前的登记" in summaries(prefecture.store)
    assert "撤销后的登记" not in summaries(prefecture.store)
    same_as_laptop(prefecture, office.b)


# -- a revoked laptop's changes relayed -----------------------------------------------------------
def test_a_revoked_laptops_changes_relayed_by_a_laptop_that_has_not_heard_are_kept_apart(
        office: Office, prefecture: Hub) -> None:
    """The hub has heard of the revocation; B has not, and carries A's later changes."""
    assert office.a.device_id is not None
    service.revoke(office.master, office.a.device_id, PASS)
    to_hub(prefecture, office.export("master"))
    register(office.a, petition(summary="被盗电脑上的登记"))
    service.import_package(office.b, office.export("a"), PASS)
    register(office.b, petition(summary="乙的登记"))

    relayed = office.export("b")
    at_hub = to_hub(prefecture, relayed)
    at_master = service.import_package(office.master, relayed, PASS)
    assert at_hub.revoked and at_hub.revoked[0][0] == NAMES["a"] and at_hub.revoked[0][1] > 0
    assert outcome(at_hub) == outcome(at_master)
    assert "乙的登记" in summaries(prefecture.store)
    assert "被盗电脑上的登记" not in summaries(prefecture.store)
    assert {reason for _log, reason, _by in apart(prefecture.store)} == {"revoked"}
    same_as_laptop(prefecture, office.master)
    assert {r.laptop for r in service.kept_apart(prefecture.store)} == {NAMES["a"]}

    # Once everyone has everything, the hub holds what the master holds, nothing more, and
    # keeps apart what the master keeps apart (B, which took A's changes in, has its own
    # record of taking them back out).
    office.carry("master", "b")
    everyone_has_everything(office, prefecture)
    same_as_laptop(prefecture, office.master)


def test_a_hub_that_hears_of_the_revocation_late_takes_the_relayed_changes_back_out(
        office: Office, prefecture: Hub) -> None:
    """Neither the hub nor B has heard: the hub takes A's later changes as B did, and takes
    them back out when the master's package tells it, as B does."""
    assert office.a.device_id is not None
    service.revoke(office.master, office.a.device_id, PASS)
    register(office.a, petition(summary="被盗电脑上的登记"))
    service.import_package(office.b, office.export("a"), PASS)
    register(office.b, petition(summary="乙的登记"))
    got = to_hub(prefecture, office.export("b"))
    assert got.new > 0 and "被盗电脑上的登记" in summaries(prefecture.store)

    revocation = office.export("master")
    at_hub = to_hub(prefecture, revocation)
    at_b = service.import_package(office.b, revocation, PASS)
    assert at_hub.withdrawn > 0 and outcome(at_hub) == outcome(at_b)
    assert "被盗电脑上的登记" not in summaries(prefecture.store)
    same_as_laptop(prefecture, office.b)
    # B's package no longer carries A's later changes: the master never holds them, and the
    # hub ends as the master and as B.
    office.carry("b", "master")
    everyone_has_everything(office, prefecture)
    same_as_laptop(prefecture, office.b)


# -- a restored laptop that writes first ----------------------------------------------------------
def test_a_fork_of_a_restored_laptop_is_kept_apart_and_decided_at_the_hub_as_on_a_laptop(
        office: Office, prefecture: Hub) -> None:
    """The hub and laptop B read the same packages in the same order: the old log, its fork,
    the master's decision and A's changes written again; nothing is lost and the hub ends as
    the master, with nothing kept apart or in conflict that B does not have."""

    def to_both(package: Path) -> service.ImportResult:
        at_hub = to_hub(prefecture, package)
        assert outcome(at_hub) == outcome(service.import_package(office.b, package, PASS))
        same_as_laptop(prefecture, office.b)
        return at_hub

    backup = office.snapshot("a")
    before = register(office.a, petition(summary="恢复前的登记"))
    old_log = office.export("a")
    service.import_package(office.master, old_log, PASS)
    to_both(old_log)
    office.restore("a", backup)
    during = register(office.a, petition(summary="恢复后的登记"))
    assert during.reg_no == before.reg_no  # the same counters, the same number: a fork

    fork = office.export("a")
    got = to_both(fork)
    assert got.forks == (NAMES["a"],) and got.decided == 0
    assert "恢复后的登记" not in summaries(prefecture.store)
    assert summaries(prefecture.store)["恢复前的登记"] == before.reg_no
    assert [reason for _log, reason, _by in apart(prefecture.store)] == ["fork"]
    decided = service.import_package(office.master, fork, PASS)
    assert decided.forks == (NAMES["a"],) and decided.decided == 1

    decision = office.export("master")
    to_both(decision)
    got = service.import_package(office.a, decision, PASS)
    assert got.restored and got.reissued > 0
    again = office.export("a")  # A's change written again in its fresh log
    service.import_package(office.master, again, PASS)
    got = to_both(again)
    assert got.forks == () and "临" in summaries(prefecture.store)["恢复后的登记"]
    to_both(office.export("master"))
    assert summaries(prefecture.store) == summaries(office.master) == summaries(office.a)
    everyone_has_everything(office, prefecture)
    assert engine.conflicts(prefecture.store) == []


# -- changes under another laptop's log -----------------------------------------------------------
def test_changes_under_another_laptops_log_are_refused_at_the_hub_and_the_real_ones_arrive(
        office: Office, prefecture: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    a_log = office.a.device_id
    register(office.b, petition(summary="乙的登记"))
    forged = forged_package(office, monkeypatch)
    with office.b.read() as session:
        person = session.scalars(select(Person).order_by(Person.id)).first()
        assert person is not None
        person_id, name = person.id, person.name_zh
    at_hub = to_hub(prefecture, forged)
    at_master = service.import_package(office.master, forged, PASS)
    assert at_hub.forged == ((NAMES["a"], 1),)
    assert outcome(at_hub) == outcome(at_master)
    assert "乙的登记" in summaries(prefecture.store)  # the rest of B's package was taken
    with prefecture.store.read() as session:
        assert session.get(Person, person_id).name_zh == name  # type: ignore[union-attr]
    assert (a_log, "forged", office.b.device_id) in apart(prefecture.store)
    same_as_laptop(prefecture, office.master)
    [kept] = service.kept_apart(prefecture.store)
    assert (kept.laptop, kept.brought_by) == (NAMES["a"], NAMES["b"])

    # A's own change with that very counter is not taken for one already there.
    with office.a.write() as session:
        mine = session.get(Person, person_id)
        assert mine is not None
        mine.phone = "13909750000"
    real = office.export("a")
    got = to_hub(prefecture, real)
    assert got.new >= 1 and got.forged == ()
    with prefecture.store.read() as session:
        assert session.get(Person, person_id).phone == "13909750000"  # type: ignore[union-attr]
    service.import_package(office.master, real, PASS)
    to_hub(prefecture, office.export("master"))
    everyone_has_everything(office, prefecture)
    same_as_laptop(prefecture, office.master)


# -- the hub's window ---------------------------------------------------------------------------
def test_the_hubs_sync_area_lists_its_conflicts_by_laptop_and_settles_them(
        qtbot: Any, office: Office, prefecture: Hub) -> None:
    """A and B rename one person apart; at the hub the Sync area holds only the conflicts and
    what was kept apart (packages go by the hub's commands), names the two laptops from the
    county's roster, and a clerk keeps one name there."""
    from app.core.i18n import _
    from app.core.paths import AppPaths
    from app.core.server import open_server_store
    from app.core.settings import load_settings
    from ui.core.language import LanguageManager
    from ui.core.tasks import Tasks
    from ui.main import application
    from ui.main_window import AREA_KEYS, MainWindow

    register(office.a, petition())
    service.import_package(office.b, office.export("a"), PASS)
    with office.a.read() as session:
        person_id = str(session.scalars(select(Person.id)).one())
    for who, name in (("a", "扎西才让甲"), ("b", "扎西才让乙")):
        with office.stores[who].write() as session:
            person = session.get(Person, person_id)
            assert person is not None
            person.name_zh = name
    for who in ("a", "b"):
        to_hub(prefecture, office.export(who))
    assert len(engine.conflicts(prefecture.store)) == 1

    application()
    paths = AppPaths(office.folder / "clerk")
    window = MainWindow(Tasks(open_server_store(prefecture.url, paths)), paths,
                        load_settings(paths), LanguageManager())
    qtbot.addWidget(window)
    try:
        window.show()
        item = window.nav.item(AREA_KEYS.index("sync"))
        assert item is not None and not item.isHidden()
        window.show_area("sync")
        window.tasks.wait()
        sync = window.sync
        assert [sync.tabs.tabText(i) for i in range(sync.tabs.count())] \
            == [f"{_('Conflicts')} (1)", _("Kept apart")]
        candidates = sync.conflicts.candidate_items()
        said = " ".join(i.text(c) for i in candidates for c in range(i.columnCount()))
        assert NAMES["a"] in said and NAMES["b"] in said
        chosen = next(i for i in candidates
                      if any("扎西才让甲" in i.text(c) for c in range(i.columnCount())))
        sync.conflicts.tree.setCurrentItem(chosen)
        chosen.setSelected(True)
        sync.conflicts.keep_selected()
        assert sync.conflicts.count() == 0
        assert engine.conflicts(prefecture.store) == []
        with prefecture.store.read() as session:
            assert session.get(Person, person_id).name_zh == "扎西才让甲"  # type: ignore[union-attr]
    finally:
        window.close()
        window.tasks.close()
