"""The Sync screens: setting an office up, enrolling a laptop by request and grant, writing and
reading packages, refusals that change nothing, settling conflicts, the history of packages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox
from sqlalchemy import select

from app.core.dump import dump_json
from app.core.i18n import _
from app.core.identity import ensure_device, set_up_device, this_device
from app.core.paths import AppPaths
from app.core.store import Store, open_store
from app.sync import crypto, engine, service
from models import Person
from tests.helpers import DARLAG, petition, register, settle, tasks_for
from ui.core import tasks as tasks_module
from ui.sync import common
from ui.sync.laptops_panel import AWAITING_DATA, ENROLLED, MASTER, NO_OFFICE, NOT_SET_UP, REQUESTED
from ui.sync.view import SyncView

PASS = "office-pass"


@dataclass
class Dialogs:
    """Stand-ins for the file dialogs, the passphrase prompt and the message boxes: they answer
    from queues and remember what they were asked."""

    save_to: list[Path] = field(default_factory=list)
    open_from: list[Path] = field(default_factory=list)
    passphrases: list[str] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)
    suggested: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def save(self, _parent: Any, _title: str, suggested: str, _filter: str) -> tuple[str, str]:
        self.suggested.append(suggested)
        return (str(self.save_to.pop(0)), "") if self.save_to else ("", "")

    def open(self, _parent: Any, _title: str, _folder: str, _filter: str) -> tuple[str, str]:
        return (str(self.open_from.pop(0)), "") if self.open_from else ("", "")

    def text(self, _parent: Any, _title: str, label: str, *_args: Any) -> tuple[str, bool]:
        self.prompts.append(label)
        return (self.passphrases.pop(0) if self.passphrases else PASS), True

    def question(self, _parent: Any, _title: str, text: str, *_args: Any) -> Any:
        self.questions.append(text)
        return QMessageBox.StandardButton.Yes

    def warning(self, _parent: Any, _title: str, text: str, *_args: Any) -> Any:
        self.warnings.append(text)
        return QMessageBox.StandardButton.Ok


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    found = Dialogs()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", found.save)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", found.open)
    monkeypatch.setattr(QInputDialog, "getText", found.text)
    monkeypatch.setattr(QMessageBox, "question", found.question)
    monkeypatch.setattr(QMessageBox, "warning", found.warning)
    monkeypatch.setattr(QMessageBox, "exec", lambda self: 0)
    return found


@dataclass
class Laptops:
    master: Store
    field: Store
    folder: Path


@pytest.fixture
def laptops(tmp_path: Path) -> Iterator[Laptops]:
    """The county office's master laptop with one petition; a new laptop just installed."""
    master = open_store(AppPaths(tmp_path / "master"))
    set_up_device(master, "县院主机", DARLAG)
    register(master, petition())
    field_store = open_store(AppPaths(tmp_path / "field"))
    ensure_device(field_store, "DESKTOP-7Q2")  # as the main window does at first start
    folder = tmp_path / "usb"
    folder.mkdir()
    yield Laptops(master, field_store, folder)
    master.close()
    field_store.close()


@pytest.fixture
def enrolled(laptops: Laptops) -> Laptops:
    """The same office with the new laptop enrolled and holding the office's data."""
    service.set_up_office(laptops.master, PASS)
    request = service.enrolment_request(laptops.field, PASS, DARLAG, "下乡笔记本")
    service.accept_grant(laptops.field, service.enrol(laptops.master, request, PASS), PASS)
    first = service.export(laptops.master, laptops.folder / "first.dsp", PASS, full=True)
    service.import_package(laptops.field, first.path, PASS)
    return laptops


def _view(qtbot: Any, store: Store) -> SyncView:
    view = SyncView(tasks_for(store))
    qtbot.addWidget(view)
    view.resize(1100, 650)
    return view


def _shown(widget: Any) -> bool:
    return not widget.isHidden()


def _people(store: Store) -> list[str]:
    with store.read() as session:
        return sorted(session.scalars(select(Person.name_zh)))


def test_office_set_up_enrolment_and_first_package_through_the_screens(
        qtbot: Any, dialogs: Dialogs, laptops: Laptops) -> None:
    usb = laptops.folder
    master = _view(qtbot, laptops.master)
    assert master.laptops.state == NOT_SET_UP
    assert _shown(master.laptops.set_up_button)
    assert not master.packages.export_button.isEnabled()
    # Set up: the new passphrase is asked for twice.
    qtbot.mouseClick(master.laptops.set_up_button, Qt.MouseButton.LeftButton)
    assert len(dialogs.prompts) == 2
    assert master.laptops.state == MASTER
    assert master.laptops.table.rowCount() == 1
    office_key = crypto.fingerprint(service.stored_roster(laptops.master).office_public_key)
    assert master.laptops.office_fingerprint == office_key
    assert master.packages.export_button.isEnabled()

    # The new laptop names itself, chooses its office and writes its request.
    field_view = _view(qtbot, laptops.field)
    panel = field_view.laptops
    assert panel.state == NO_OFFICE
    assert not field_view.packages.import_button.isEnabled()
    panel.name_edit.setText("下乡笔记本")
    qtbot.mouseClick(panel.request_button, Qt.MouseButton.LeftButton)
    assert _shown(panel.request_error)  # no office chosen yet
    panel.office_combo.setCurrentIndex(panel.office_combo.findData(DARLAG))
    dialogs.save_to.append(usb / "request.dsreq")
    qtbot.mouseClick(panel.request_button, Qt.MouseButton.LeftButton)
    assert dialogs.suggested[-1].endswith("doorstep-request-下乡笔记本.dsreq")
    request = crypto.read_enrolment_request((usb / "request.dsreq").read_bytes())
    laptop_key = crypto.fingerprint(request.sign_pub)
    assert laptop_key in panel.notice.text()
    assert panel.state == REQUESTED and _shown(panel.accept_button)

    # The master reads the request, shows its name and key, and saves the grant.
    dialogs.open_from.append(usb / "request.dsreq")
    dialogs.save_to.append(usb / "grant.dsgrant")
    qtbot.mouseClick(master.laptops.enrol_button, Qt.MouseButton.LeftButton)
    assert "下乡笔记本" in dialogs.questions[-1] and laptop_key in dialogs.questions[-1]
    assert (usb / "grant.dsgrant").exists()
    assert master.laptops.table.rowCount() == 2
    assert str(usb / "grant.dsgrant") in master.laptops.notice.text()

    # The new laptop checks the office key and accepts the grant.
    dialogs.open_from.append(usb / "grant.dsgrant")
    qtbot.mouseClick(panel.accept_button, Qt.MouseButton.LeftButton)
    assert office_key in dialogs.questions[-1]
    assert panel.state == AWAITING_DATA
    assert panel.office_fingerprint == office_key
    assert field_view.packages.import_button.isEnabled()

    # A full package from the master, written and read through the screens.
    master.packages.full_check.setChecked(True)
    dialogs.save_to.append(usb / "first.dsp")
    qtbot.mouseClick(master.packages.export_button, Qt.MouseButton.LeftButton)
    settle(qtbot, master._tasks)
    assert "doorstep-县院主机-" in dialogs.suggested[-1]
    assert (usb / "first.dsp").exists()
    assert str(usb / "first.dsp") in master.packages.result.text()
    assert "下乡笔记本" in master.packages.result.text()  # who can read it
    [sent] = master.packages.history_rows()
    assert sent.direction == "sent" and sent.full
    assert master.packages.history.item(0, 7).text() == "first.dsp"

    dialogs.open_from.append(usb / "first.dsp")
    with qtbot.waitSignal(field_view.changed):
        qtbot.mouseClick(field_view.packages.import_button, Qt.MouseButton.LeftButton)
        settle(qtbot, field_view._tasks)
    result = field_view.packages.result.text()
    assert "县院主机" in result and _("Records added") in result
    assert _people(laptops.field) == _people(laptops.master) == ["扎西才让"]
    info = this_device(laptops.field)
    assert info is not None and info.office_name_zh == "达日县人民检察院"
    assert panel.state == ENROLLED
    [received] = field_view.packages.history_rows()
    assert received.direction == "received" and received.package_id == sent.package_id
    assert field_view.packages.history.item(0, 2).text() == "县院主机"
    assert dialogs.warnings == []

    # The master revokes the laptop (a lost laptop): it stays listed, greyed, with the date.
    row = next(r for r in range(master.laptops.table.rowCount())
               if master.laptops.table.item(r, 0).text() == "下乡笔记本")
    master.laptops.table.selectRow(row)
    assert master.laptops.revoke_button.isEnabled()
    qtbot.mouseClick(master.laptops.revoke_button, Qt.MouseButton.LeftButton)
    assert "下乡笔记本" in dialogs.questions[-1]
    assert master.laptops.table.item(row, 4).text() != "—"
    assert not master.laptops.revoke_button.isEnabled()
    roster = service.stored_roster(laptops.master)
    assert [d.name for d in roster.roster.active()] == ["县院主机"]


def test_a_wrong_passphrase_is_asked_again_and_cancel_writes_nothing(
        qtbot: Any, dialogs: Dialogs, enrolled: Laptops, monkeypatch: pytest.MonkeyPatch) -> None:
    register(enrolled.master, petition())
    view = _view(qtbot, enrolled.master)
    dialogs.passphrases[:] = ["wrong", PASS]
    dialogs.save_to.append(enrolled.folder / "second.dsp")
    qtbot.mouseClick(view.packages.export_button, Qt.MouseButton.LeftButton)
    settle(qtbot, view._tasks)
    assert _("The passphrase is wrong.") in dialogs.prompts[1]
    assert (enrolled.folder / "second.dsp").exists()
    assert len(view.packages.history_rows()) == 2  # the first package and this one

    # The person presses Cancel in the progress window (its wiring: tests/test_tasks.py).
    monkeypatch.setattr(tasks_module.Progress, "is_cancelled", lambda self: True)
    dialogs.save_to.append(enrolled.folder / "cancelled.dsp")
    qtbot.mouseClick(view.packages.export_button, Qt.MouseButton.LeftButton)
    settle(qtbot, view._tasks)
    assert not (enrolled.folder / "cancelled.dsp").exists()
    assert list(enrolled.folder.glob("*.part")) == []
    assert _("Cancelled: no package was written.") in view.packages.result.text()
    assert len(view.packages.history_rows()) == 2

    # Cancelling the passphrase prompt does nothing at all.
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a: ("", False))
    dialogs.save_to.append(enrolled.folder / "never.dsp")
    qtbot.mouseClick(view.packages.export_button, Qt.MouseButton.LeftButton)
    settle(qtbot, view._tasks)
    assert not (enrolled.folder / "never.dsp").exists()


def test_a_tampered_package_is_refused_and_changes_nothing(
        qtbot: Any, dialogs: Dialogs, enrolled: Laptops) -> None:
    register(enrolled.master, petition())
    package = service.export(enrolled.master, enrolled.folder / "p.dsp", PASS).path
    data = package.read_bytes()
    middle = len(data) // 2
    tampered = enrolled.folder / "tampered.dsp"
    tampered.write_bytes(data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1:])
    before = dump_json(enrolled.field)
    view = _view(qtbot, enrolled.field)
    history = view.packages.history_rows()

    dialogs.open_from.append(tampered)
    qtbot.mouseClick(view.packages.import_button, Qt.MouseButton.LeftButton)
    settle(qtbot, view._tasks)
    [warning] = dialogs.warnings
    assert _("This package's contents have been altered, damaged or cut short.") in warning
    assert _(common.NOTHING_CHANGED) in warning
    assert "tampered.dsp" in view.packages.result.text()
    assert dump_json(enrolled.field) == before
    assert view.packages.history_rows() == history
    # Not a package at all: the same.
    junk = enrolled.folder / "notes.dsp"
    junk.write_bytes(b"shopping list")
    dialogs.open_from.append(junk)
    qtbot.mouseClick(view.packages.import_button, Qt.MouseButton.LeftButton)
    settle(qtbot, view._tasks)
    assert _("This file is not a Doorstep package.") in dialogs.warnings[-1]
    assert dump_json(enrolled.field) == before
    # The untouched package goes in.
    dialogs.open_from.append(package)
    qtbot.mouseClick(view.packages.import_button, Qt.MouseButton.LeftButton)
    settle(qtbot, view._tasks)
    assert len(dialogs.warnings) == 2
    assert len(view.packages.history_rows()) == len(history) + 1


def _rename_person(store: Store, name: str) -> None:
    with store.write() as session:
        session.scalars(select(Person)).one().name_zh = name


def test_a_conflict_is_shown_in_words_and_settled(
        qtbot: Any, dialogs: Dialogs, enrolled: Laptops) -> None:
    master, field_store, usb = enrolled.master, enrolled.field, enrolled.folder
    # The same person's Chinese name corrected differently on both laptops, offline.
    _rename_person(master, "扎西才让甲")
    _rename_person(field_store, "扎西才让乙")
    back = service.export(field_store, usb / "back.dsp", PASS)
    view = _view(qtbot, master)
    assert view.conflict_count() == 0
    dialogs.open_from.append(back.path)
    qtbot.mouseClick(view.packages.import_button, Qt.MouseButton.LeftButton)
    settle(qtbot, view._tasks)
    assert _shown(view.packages.conflicts_button)
    qtbot.mouseClick(view.packages.conflicts_button, Qt.MouseButton.LeftButton)
    assert view.tabs.currentWidget() is view.conflicts
    assert view.conflict_count() == 1
    assert view.tabs.tabText(2).endswith("(1)")

    panel = view.conflicts
    top = panel.tree.topLevelItem(0)
    shown_now = _people(master)[0]
    assert top.text(0) == f"{_('Person')} {shown_now} — {_('Name (Chinese)')}"
    base = top.child(0)
    assert base.text(0) == "扎西才让" and base.text(1) == _("Both started from this value")
    choices = panel.candidate_items()
    assert {c.text(0) for c in choices} == {"扎西才让甲", "扎西才让乙"}
    assert {c.text(1) for c in choices} == {"县院主机", "下乡笔记本"}
    assert all(c.text(2) for c in choices)  # when each was written
    assert [c.text(3) for c in choices].count(_("Shown now")) == 1
    loser = next(c for c in choices if c.text(3) == "")
    kept = loser.text(0)

    assert not panel.keep_button.isEnabled()
    panel.tree.setCurrentItem(loser)
    assert panel.keep_button.isEnabled()
    with qtbot.waitSignal(view.changed):
        qtbot.mouseClick(panel.keep_button, Qt.MouseButton.LeftButton)
    assert engine.conflicts(master) == []
    assert _people(master) == [kept] and kept != shown_now
    assert kept in panel.notice.text()
    assert panel.tree.topLevelItemCount() == 0 and _shown(panel.empty)
    assert view.tabs.tabText(2) == _("Conflicts")
    # The choice travels: after the next exchange both laptops agree.
    again = service.export(master, usb / "again.dsp", PASS)
    service.import_package(field_store, again.path, PASS)
    assert _people(field_store) == _people(master)
    assert engine.conflicts(field_store) == []


def test_the_main_window_refreshes_after_a_package_arrives(
        qtbot: Any, dialogs: Dialogs, laptops: Laptops) -> None:
    from ui.core.language import LanguageManager
    from ui.main import application, create_main_window

    service.set_up_office(laptops.master, PASS)
    request = service.enrolment_request(laptops.field, PASS, DARLAG, "下乡笔记本")
    service.accept_grant(laptops.field, service.enrol(laptops.master, request, PASS), PASS)
    package = service.export(laptops.master, laptops.folder / "first.dsp", PASS, full=True).path
    paths = laptops.field.paths
    laptops.field.close()
    application()
    window = create_main_window(paths, LanguageManager())
    qtbot.addWidget(window)
    window.show()
    try:
        assert window.nav.item(window.nav.count() - 1).text() == _("Sync")
        window.show_area("sync")
        assert window.stack.currentWidget() is window.sync
        assert window.registry.model.rowCount() == 0
        dialogs.open_from.append(package)
        qtbot.mouseClick(window.sync.packages.import_button, Qt.MouseButton.LeftButton)
        settle(qtbot, window.tasks)
        assert window.registry.model.rowCount() == 1
        assert window.people.model.rowCount() == 1
        assert "达日县人民检察院" in window.office_status.text()
        assert window.device.name == "下乡笔记本"
    finally:
        window.tasks.close()


def test_an_import_keeps_the_window_turning_and_cancel_leaves_the_store_as_it_was(
        qtbot: Any, dialogs: Dialogs, enrolled: Laptops, monkeypatch: pytest.MonkeyPatch) -> None:
    """The package is read on the worker: the window's event loop goes on (a timer keeps
    firing) while it runs, and Cancel, pressed halfway, leaves the laptop's store as it was."""
    import time

    from PySide6.QtCore import QTimer

    for number in range(20):
        register(enrolled.master, petition(summary=f"草场纠纷 第{number}件"))
    second = service.export(enrolled.master, enrolled.folder / "second.dsp", PASS)
    view = _view(qtbot, enrolled.field)
    before = dump_json(enrolled.field)
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)

    def slow_then_cancelled(_self: Any) -> bool:
        """The reading takes its time on the worker; Cancel is pressed once the window has
        been seen turning."""
        time.sleep(0.05)
        return len(ticks) >= 5

    monkeypatch.setattr(tasks_module.Progress, "is_cancelled", slow_then_cancelled)
    dialogs.open_from.append(second.path)
    qtbot.mouseClick(view.packages.import_button, Qt.MouseButton.LeftButton)
    settle(qtbot, view._tasks)
    timer.stop()
    assert len(ticks) >= 5
    assert _("Reading the package was cancelled.") in view.packages.result.text()
    assert dump_json(enrolled.field) == before
