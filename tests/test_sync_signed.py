"""Signed version logs, tried as a hostile tester would: changes under another laptop's log, a
revoked laptop's changes relayed by a laptop that has not heard, laptops restored from an older
copy of their data folder (reading a package first, or writing first), each through real
package files between a master and two enrolled laptops."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.core.identity import set_up_device
from app.core.paths import STORE_FILE, AppPaths
from app.core.store import Store, open_store
from app.sync import crypto, service, signed
from app.sync.engine import LogRow
from models import Person, Petition
from tests.helpers import DARLAG, petition, register, settle, shared_dump, tasks_for

PASS = "signed-logs"
NAMES = {"master": "县院主机", "a": "下乡笔记本甲", "b": "下乡笔记本乙"}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A master with a petition and two laptops enrolled that hold the office's data."""
    root = tmp_path_factory.mktemp("signed")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(crypto, "SCRYPT_N", 2**14)  # the least a key file may use: faster tests
        master = open_store(AppPaths(root / "master"))
        set_up_device(master, NAMES["master"], DARLAG)
        service.set_up_office(master, PASS)
        register(master, petition())
        laptops = []
        for who in ("a", "b"):
            store = open_store(AppPaths(root / who))
            request = service.enrolment_request(store, PASS, DARLAG, NAMES[who])
            service.accept_grant(store, service.enrol(master, request, PASS), PASS)
            laptops.append(store)
        first = service.export(master, root / "first.dsp", PASS, full=True).path
        for store in laptops:
            service.import_package(store, first, PASS)
            store.close()
        master.close()
    return root


@dataclass
class Office:
    folder: Path
    stores: dict[str, Store] = field(default_factory=dict)
    files: int = 0

    def __getattr__(self, who: str) -> Store:
        if who in ("master", "a", "b"):
            return self.stores[who]
        raise AttributeError(who)

    def export(self, who: str) -> Path:
        self.files += 1
        return service.export(self.stores[who], self.folder / f"p{self.files}.dsp", PASS).path

    def carry(self, source: str, target: str) -> service.ImportResult:
        return service.import_package(self.stores[target], self.export(source), PASS)

    def snapshot(self, who: str) -> Path:
        """A copy of a laptop's data folder, as a backup would keep it."""
        copy = self.folder / f"backup-{who}-{self.files}"
        copy.mkdir()
        with sqlite3.connect(self.folder / who / STORE_FILE) as source, \
                sqlite3.connect(copy / STORE_FILE) as target:
            source.backup(target)
        return copy

    def restore(self, who: str, copy: Path) -> None:
        """The laptop's data folder replaced by the older copy (a reinstall, a new machine)."""
        self.stores[who].close()
        folder = self.folder / who
        for stale in folder.glob(STORE_FILE + "*"):
            stale.unlink(missing_ok=True)
        shutil.copyfile(copy / STORE_FILE, folder / STORE_FILE)
        self.stores[who] = open_store(AppPaths(folder), create=False)


@pytest.fixture
def office(template: Path, tmp_path: Path) -> Iterator[Office]:
    folder = tmp_path / "office"
    shutil.copytree(template, folder)
    found = Office(folder)
    for who in ("master", "a", "b"):
        found.stores[who] = open_store(AppPaths(folder / who), create=False)
    yield found
    for store in found.stores.values():
        store.close()


def converged(office: Office) -> bool:
    """Each laptop's package read at the office, then the office's by each: all agree."""
    for who in ("a", "b"):
        office.carry(who, "master")
    for who in ("a", "b"):
        office.carry("master", who)
    return shared_dump(office.a) == shared_dump(office.master) == shared_dump(office.b)


def summaries(store: Store) -> dict[str, str]:
    """Registration number by summary, of the petitions in effect."""
    with store.read() as session:
        return {p.summary: p.reg_no for p in session.scalars(
            select(Petition).where(Petition.deleted.is_(False)))}


def apart(store: Store) -> list[tuple[str, str, str]]:
    """(log, reason, the laptop whose package brought it) of each batch kept apart."""
    with store.read() as session:
        return [tuple(r) for r in session.connection().exec_driver_sql(
            "SELECT log_id, reason, sender_id FROM sync_apart ORDER BY log_id, first_counter")]


def top(store: Store, log_id: str) -> int:
    with store.read() as session:
        return int(session.connection().exec_driver_sql(
            "SELECT COALESCE(MAX(counter), 0) FROM sync_version WHERE device_id = ?",
            (log_id,)).scalar() or 0)


# -- changes under another laptop's log -----------------------------------------------------------
def test_changes_under_another_laptops_log_are_refused_and_its_real_ones_still_arrive(
        office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    a_log = office.a.device_id
    assert a_log is not None
    taken = top(office.a, a_log) + 1  # the counter laptop A will use next
    with office.b.read() as session:
        person = session.scalars(select(Person).order_by(Person.id)).first()
        assert person is not None
        person_id, name = person.id, person.name_zh
    keys_b = service.device_keys(office.b, PASS)
    real_outgoing = signed.outgoing

    def with_a_forgery(raw: Any, known: dict[str, int]) -> signed.Bundle:
        bundle = real_outgoing(raw, known)
        rows = [LogRow(taken, 1 << 62, "person", person_id, "name_zh", "冒名顶替", "[]", None)]
        data = signed.canonical_rows(rows)
        bundle.batches.append((signed.sign_batch(a_log, taken, taken, data, keys_b), data))
        return bundle

    register(office.b, petition(summary="乙的登记"))
    monkeypatch.setattr(signed, "outgoing", with_a_forgery)
    package = office.export("b")
    monkeypatch.undo()
    got = service.import_package(office.master, package, PASS)
    assert got.forged == ((NAMES["a"], 1),)
    assert "乙的登记" in summaries(office.master)  # the rest of B's package was taken
    with office.master.read() as session:
        assert session.get(Person, person_id).name_zh == name  # type: ignore[union-attr]
    assert (a_log, "forged", office.b.device_id) in apart(office.master)

    # A's own change with that very counter is not taken for one already here.
    with office.a.write() as session:
        mine = session.get(Person, person_id)
        assert mine is not None
        mine.phone = "13909750000"
    got = office.carry("a", "master")
    assert got.new >= 1 and got.forged == ()
    with office.master.read() as session:
        assert session.get(Person, person_id).phone == "13909750000"  # type: ignore[union-attr]


# -- revocation through a relay -------------------------------------------------------------------
def test_a_revoked_laptops_changes_relayed_by_a_laptop_that_has_not_heard_are_refused(
        office: Office) -> None:
    assert office.a.device_id is not None
    service.revoke(office.master, office.a.device_id, PASS)
    register(office.a, petition(summary="被盗电脑上的登记"))
    got = service.import_package(office.b, office.export("a"), PASS)
    assert got.new > 0 and "被盗电脑上的登记" in summaries(office.b)  # B has not heard
    register(office.b, petition(summary="乙的登记"))

    got = office.carry("b", "master")
    assert got.revoked and got.revoked[0][0] == NAMES["a"] and got.revoked[0][1] > 0
    assert "乙的登记" in summaries(office.master)
    assert "被盗电脑上的登记" not in summaries(office.master)
    assert {reason for _log, reason, _by in apart(office.master)} == {"revoked"}

    # B learns of the revocation from the master's next package: A's changes leave its tables
    # too (kept apart for review), and the two laptops agree.
    got = office.carry("master", "b")
    assert got.withdrawn > 0
    assert "被盗电脑上的登记" not in summaries(office.b)
    assert {reason for _log, reason, _by in apart(office.b)} == {"revoked"}
    assert shared_dump(office.b) == shared_dump(office.master)
    again = office.carry("b", "master")
    assert again.revoked == () and shared_dump(office.b) == shared_dump(office.master)


# -- restored laptops -----------------------------------------------------------------------------
def test_a_restored_laptop_that_reads_a_package_first_moves_to_a_fresh_log(
        office: Office) -> None:
    backup = office.snapshot("a")
    before = register(office.a, petition(summary="恢复前的登记"))
    package = office.export("a")
    service.import_package(office.master, package, PASS)
    service.import_package(office.b, package, PASS)
    office.carry("b", "master")  # the master knows that every laptop holds A's changes
    office.restore("a", backup)
    assert "恢复前的登记" not in summaries(office.a)

    # So its next package does not carry them, but it says how much of A's log it holds.
    got = office.carry("master", "a")
    assert got.restored and got.forks == ()
    assert office.a.ctx.log_id not in (None, office.a.device_id)
    # Until it holds again what it registered before, it cannot know which numbers it used.
    during = register(office.a, petition(summary="恢复后的登记"))
    assert "临" in during.reg_no
    office.carry("a", "master")  # says what it holds now
    office.carry("master", "a")  # and gets back what it had lost
    assert summaries(office.a)["恢复前的登记"] == before.reg_no
    after = register(office.a, petition(summary="赶上以后的登记"))
    assert "临" not in after.reg_no and after.reg_no != before.reg_no
    assert converged(office)
    assert apart(office.master) == []


def test_a_restored_laptop_gets_back_what_the_office_sends_it_and_goes_on(
        office: Office) -> None:
    backup = office.snapshot("a")
    before = register(office.a, petition(summary="恢复前的登记"))
    office.carry("a", "master")
    office.restore("a", backup)
    # The master has heard nothing from B: its package carries everything, A's lost changes
    # too. A holds its whole log again and goes on in it.
    got = office.carry("master", "a")
    assert not got.restored and got.forks == ()
    assert summaries(office.a)["恢复前的登记"] == before.reg_no
    after = register(office.a, petition(summary="恢复以后的登记"))
    assert "临" not in after.reg_no and after.reg_no != before.reg_no
    assert converged(office)


def test_a_restored_laptop_that_writes_first_forks_its_log_and_nothing_is_lost(
        office: Office) -> None:
    backup = office.snapshot("a")
    before = register(office.a, petition(summary="恢复前的登记"))
    office.carry("a", "master")
    office.restore("a", backup)
    during = register(office.a, petition(summary="恢复后的登记"))
    assert during.reg_no == before.reg_no  # the same counters, the same number: a fork

    got = office.carry("a", "master")
    assert got.forks == (NAMES["a"],) and got.decided == 1
    assert "恢复后的登记" not in summaries(office.master)  # kept apart, not applied
    assert summaries(office.master)["恢复前的登记"] == before.reg_no
    assert [reason for _log, reason, _by in apart(office.master)] == ["fork"]

    # The master's decision and the branch it kept reach A: A takes them, moves to a fresh
    # log and writes its own change again there, under a provisional number.
    got = office.carry("master", "a")
    assert got.restored and got.reissued > 0
    numbers = summaries(office.a)
    assert numbers["恢复前的登记"] == before.reg_no
    assert "临" in numbers["恢复后的登记"]
    got = office.carry("a", "master")
    assert got.forks == ()
    assert summaries(office.master) == summaries(office.a)
    assert converged(office)


# -- as a person sees it ----------------------------------------------------------------------
def forged_package(office: Office, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A package from B carrying one change under A's log, signed with B's key."""
    a_log = office.a.device_id
    assert a_log is not None
    taken = top(office.a, a_log) + 1
    with office.b.read() as session:
        person = session.scalars(select(Person).order_by(Person.id)).first()
        assert person is not None
        person_id = person.id
    keys_b = service.device_keys(office.b, PASS)
    real_outgoing = signed.outgoing

    def with_a_forgery(raw: Any, known: dict[str, int]) -> signed.Bundle:
        bundle = real_outgoing(raw, known)
        data = signed.canonical_rows(
            [LogRow(taken, 1 << 62, "person", person_id, "name_zh", "冒名顶替", "[]", None)])
        bundle.batches.append((signed.sign_batch(a_log, taken, taken, data, keys_b), data))
        return bundle

    with monkeypatch.context() as patch:
        patch.setattr(signed, "outgoing", with_a_forgery)
        return office.export("b")


def test_the_command_line_says_what_was_refused_and_lists_what_is_kept_apart(
        office: Office, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli.main import main
    from app.core.formatting import format_number
    from app.core.i18n import _

    package = forged_package(office, monkeypatch)
    folder = office.master.paths.data_dir
    office.master.close()
    monkeypatch.setenv(service.PASSPHRASE_ENV, PASS)
    assert main(["import", str(package), "--data-dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert _(service.FORGED_NOTE).format(count=format_number(1), laptop=NAMES["a"],
                                         sender=NAMES["b"]) in out
    assert main(["kept-apart", "--data-dir", str(folder)]) == 0
    listed = capsys.readouterr().out.strip().splitlines()
    assert len(listed) == 1 and NAMES["a"] in listed[0] and NAMES["b"] in listed[0]
    assert service.ApartReason.FORGED.label in listed[0]
    office.stores["master"] = open_store(AppPaths(folder), create=False)


def test_the_screens_say_what_was_refused_and_list_it_kept_apart(
        qtbot: Any, office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    import html

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QFileDialog, QInputDialog

    from app.core import i18n
    from app.core.i18n import _
    from ui.sync.view import SyncView

    package = forged_package(office, monkeypatch)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a: (str(package), ""))
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a: (PASS, True))
    view = SyncView(tasks_for(office.master))
    qtbot.addWidget(view)
    assert view.apart.count() == 0
    qtbot.mouseClick(view.packages.import_button, Qt.MouseButton.LeftButton)
    settle(qtbot, view._tasks)
    shown = html.unescape(view.packages.result.text())
    assert _(service.FORGED_NOTE).format(count="1", laptop=NAMES["a"],
                                         sender=NAMES["b"]) in shown
    # The Kept apart tab counts it and says whose, who brought it and why.
    assert view.apart.count() == 1
    assert view.tabs.tabText(3) == _("Kept apart") + " (1)"
    cells = [view.apart.table.item(0, c).text() for c in range(view.apart.table.columnCount())]
    assert cells[1] == NAMES["a"] and cells[4] == NAMES["b"]
    assert cells[5] == service.ApartReason.FORGED.label
    previous = i18n.mode()
    try:
        i18n.set_mode(i18n.BO)
        view.retranslate_ui()
        view.apart.retranslate_ui()
        why = view.apart.table.item(0, 5).text()
        assert why == service.ApartReason.FORGED.label
        assert any("\u0f00" <= ch <= "\u0fff" for ch in why)
    finally:
        i18n.set_mode(previous)


# -- stores from before signed logs ---------------------------------------------------------------
def _as_before_signed_logs(store: Store) -> None:
    """What migration 0012 leaves in a store that synced before signed logs: every run of
    versions it held, as a ``local`` batch (taken on trust, not forwarded)."""
    import importlib.util

    from models import migrate

    path = migrate.MIGRATIONS_DIR / "versions" / "0012_signed_logs.py"
    spec = importlib.util.spec_from_file_location("revision_0012", path)
    assert spec is not None and spec.loader is not None
    revision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision)
    with store.write() as session:
        conn = session.connection()
        conn.exec_driver_sql("DELETE FROM sync_batch")
        conn.exec_driver_sql(revision.LOCAL_BATCHES)


def test_changes_held_from_before_signed_logs_reach_a_new_laptop_signed_by_the_office(
        office: Office) -> None:
    register(office.a, petition(summary="升级前甲的登记"))
    office.carry("a", "master")
    for who in ("master", "a", "b"):
        _as_before_signed_logs(office.stores[who])
    with office.b.read() as session:
        assert session.connection().exec_driver_sql(
            "SELECT COUNT(*) FROM sync_batch WHERE signer <> 'local'").scalar() == 0
    # B never had A's petition. The master signs, with the office key, what it holds of A's
    # (A may never export again); its package brings it to B.
    got = office.carry("master", "b")
    assert "升级前甲的登记" in summaries(office.b) and got.forged == ()
    with office.master.read() as session:
        signers = {s for (s,) in session.connection().exec_driver_sql(
            "SELECT signer FROM sync_batch WHERE log_id = ?", (office.a.device_id,))}
    assert "office" in signers
    # A signs its own log, all of it, at its next export; nothing is taken twice (what is new
    # is only A's record of the packages it read and wrote since).
    def held_of_a() -> int:
        with office.master.read() as session:
            return int(session.connection().exec_driver_sql(
                "SELECT COUNT(*) FROM sync_version WHERE device_id = ?"
                " AND tbl <> 'audit_entry'", (office.a.device_id,)).scalar() or 0)

    before = held_of_a()
    again = office.carry("a", "master")
    assert held_of_a() == before and again.forks == ()
    assert converged(office)
