"""Reception days on screen: a month's schedule and each leader's days against the targets,
scheduling, holding and cancelling a day, logging who came with the petition registered there,
the notice printed (and recorded), and the view in Tibetan and both scripts at 1366×768."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialog, QInputDialog

from app.audit.trail import Action
from app.core.store import Store
from app.ledger import reception as rx
from app.ledger.reception import DayInput
from models import AuditEntry
from tests.helpers import AidOffice, every_role, pdf_text, petition, register, tasks_for
from tests.qt_typing import show_active, type_text
from ui.core.language import LanguageManager
from ui.main import application

NOW = datetime(2026, 12, 1, 12, 0)
TIBETAN = re.compile("[\u0f00-\u0fff]")
CHINESE = re.compile("[\u4e00-\u9fff]")


@pytest.fixture
def office(store: Store) -> tuple[AidOffice, dict[str, str]]:
    return every_role(store, now=NOW)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[QDialog]:
    """The dialogs the view opens, in order, instead of running them modally."""
    from ui.ledger.reception_dialog import DayDialog, ReceptionDayDialog, TargetsDialog

    application()
    dialogs: list[QDialog] = []
    for kind in (DayDialog, ReceptionDayDialog, TargetsDialog):
        monkeypatch.setattr(kind, "exec", lambda self: dialogs.append(self) or 0)
    return dialogs


def _view(qtbot, store: Store, office_id: str):  # type: ignore[no-untyped-def]
    from ui.ledger.reception_view import ReceptionView

    view = ReceptionView(tasks_for(store), office_id)
    qtbot.addWidget(view)
    view.year, view.month = 2026, 3
    view.reload()
    return view


def _cells(table) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def test_schedule_hold_cancel_and_the_count_against_the_targets(  # type: ignore[no-untyped-def]
        qtbot, office, opened: list[QDialog], monkeypatch: pytest.MonkeyPatch) -> None:
    base, _by_role = office
    store = base.store
    view = _view(qtbot, store, base.office_id)
    assert view.month_label.text() == "2026年3月"
    assert view.day_table.rowCount() == 0
    # Nothing held yet: the chief is short by 2 days, the deputy by 1.
    assert [(c.held, c.short) for c in view.counts.leaders] == [(0, 2), (0, 1)]
    assert [re.findall(r"\d", row[4]) for row in _cells(view.count_table)] == [["2"], ["1"]]
    assert [row[3] for row in _cells(view.count_table)] == ["2", "1"]

    # The clerk schedules the chief's day on 10 March, typing the place.
    view.schedule_button.click()
    dialog = opened[-1]
    dialog.leader.setCurrentIndex(dialog.leader.findData(base.chief))
    dialog.day.setDate(QDate(2026, 3, 10))
    dialog.place.clear()
    type_text(qtbot, dialog.place, "12309检察服务中心")
    dialog.save()
    qtbot.waitUntil(lambda: view.day_table.rowCount() == 1)
    assert "12309检察服务中心" in _cells(view.day_table)[0]
    # A second day on the same date for the chief is refused beside the date.
    view.schedule_button.click()
    again = opened[-1]
    assert again.place.text() == "12309检察服务中心"  # the last place, proposed
    again.leader.setCurrentIndex(again.leader.findData(base.chief))
    again.day.setDate(QDate(2026, 3, 10))
    again.save()
    assert again.errors.text("day")
    # The deputy's day on the 20th, then cancelled with a reason.
    tasks_for(store).call(rx.schedule, base.office_id,
                          DayInput(base.deputy, "2026-03-20", "14:30", "17:30", "吉迈镇"))
    qtbot.waitUntil(lambda: view.day_table.rowCount() == 2)

    view.day_table.selectRow(0)
    assert view.held_button.isEnabled()
    view.held_button.click()
    qtbot.waitUntil(lambda: _cells(view.count_table)[0][1] == "1")
    view.day_table.selectRow(1)
    monkeypatch.setattr(QInputDialog, "getText",
                        lambda *args, **kwargs: ("下乡开展巡回检察", True))
    view.cancel_button.click()
    qtbot.waitUntil(lambda: "下乡开展巡回检察" in _cells(view.day_table)[1][4])
    assert not view.cancel_button.isEnabled() and not view.held_button.isEnabled()
    counts = {c.leader_id: (c.held, c.short) for c in view.counts.leaders}
    assert counts == {base.chief: (1, 1), base.deputy: (0, 1)}

    # The day opened: the petitioner registered there that morning is logged through the
    # petition, a first reception by a leader.
    done = register(store, petition("2026-03-10T10:30"), now=NOW)
    view.day_table.selectRow(0)
    view.open_button.click()
    day = opened[-1]
    assert day.petition.count() == 2  # none, and that petition
    day.petition.setCurrentIndex(day.petition.findData(done.id))
    day.first.setChecked(True)
    show_active(qtbot, day)
    qtbot.keyClick(day, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert day.table.rowCount() == 1
    assert _cells(day.table)[0][0] == "扎西才让" and _cells(day.table)[0][2] == done.reg_no
    assert day.petition.count() == 1  # linked: offered no more
    # Someone with no petition registered: a name and the matter.
    type_text(qtbot, day.name, "多杰")
    day.save()
    assert day.errors.text("matter")
    type_text(qtbot, day.matter, "咨询草场补贴")
    day.save()
    assert day.table.rowCount() == 2
    day.table.selectRow(1)
    day.remove_button.click()
    assert day.table.rowCount() == 1
    qtbot.waitUntil(lambda: _cells(view.day_table)[0][5:] == ["1", "1", "1"])
    assert "1" in view.targets_label.text()  # first receptions this month


def test_only_a_leader_changes_the_targets(qtbot, office, opened) -> None:  # type: ignore[no-untyped-def]
    from app.accounts import login

    base, by_role = office
    store = base.store
    login.begin(store, by_role["clerk"])
    view = _view(qtbot, store, base.office_id)
    view.targets_button.click()
    clerkish = opened[-1]
    assert not clerkish.save_button.isEnabled() and clerkish.message.text()
    login.begin(store, by_role["deputy"])
    view = _view(qtbot, store, base.office_id)
    view.targets_button.click()
    deputy = opened[-1]
    deputy.chief_days.setValue(3)
    deputy.leader_days.setValue(2)
    deputy.save()
    qtbot.waitUntil(lambda: [r[3] for r in _cells(view.count_table)] == ["3", "2"])
    assert rx.targets(store, base.office_id) == rx.Targets(3, 2, True)


def test_the_notice_is_printed_and_recorded(qtbot, office, tmp_path: Path,  # type: ignore[no-untyped-def]
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import select

    from ui.widgets.paper_preview import PaperPreview

    base, _by_role = office
    store = base.store
    application()
    rx.schedule(store, base.office_id, DayInput(base.chief, "2026-03-10", "09:00", "12:00",
                                                "12309检察服务中心"))
    view = _view(qtbot, store, base.office_id)
    saved: list[Path] = []

    def save_it(preview: PaperPreview) -> int:
        path = tmp_path / preview.file_name
        preview.save_to(path)
        saved.append(path)
        return 0

    monkeypatch.setattr(PaperPreview, "exec", save_it)
    view.print_button.click()
    qtbot.waitUntil(lambda: len(saved) == 1, timeout=60_000)
    assert saved[0].name == "reception-days-2026-03.pdf"
    text = "".join(pdf_text(saved[0].read_bytes()).split())
    assert "达日县人民检察院" in text and "更桑" in text and "ཀུན་བཟང" in text
    assert "3月10日" in text and "12309检察服务中心" in text
    with store.read() as session:
        qtbot.waitUntil(lambda: bool(session.scalars(select(AuditEntry.detail).where(
            AuditEntry.action == Action.PRINTED)).all()), timeout=10_000)
    with store.read() as session:
        details = session.scalars(select(AuditEntry.detail).where(
            AuditEntry.action == Action.PRINTED)).all()
    assert any("reception-days-2026-03" in d for d in details)


def test_the_view_in_tibetan_and_both_scripts_fits_the_laptop(  # type: ignore[no-untyped-def]
        qtbot, office) -> None:
    base, _by_role = office
    store = base.store
    rx.schedule(store, base.office_id, DayInput(base.chief, "2026-03-10", "09:00", "12:00",
                                                "12309检察服务中心"))
    view = _view(qtbot, store, base.office_id)
    view.resize(1366, 728)
    view.show()
    qtbot.waitExposed(view)
    language = LanguageManager()
    language.install("zh")
    language.set_mode("bo")
    qtbot.waitUntil(lambda: TIBETAN.search(view.month_label.text()) is not None)
    assert not CHINESE.search(view.month_label.text())
    assert TIBETAN.search(view.day_table.item(0, 1).text())  # the chief's title
    assert not CHINESE.search(view.schedule_button.text())
    language.set_mode("bilingual")
    qtbot.waitUntil(lambda: CHINESE.search(view.month_label.text()) is not None)
    assert TIBETAN.search(view.month_label.text())
    hint = view.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 728
    assert date(2026, 3, 10).isoformat() == view.days[0].day


def _day_dialog(qtbot, store: Store, office_id: str, leader: str):  # type: ignore[no-untyped-def]
    from ui.ledger.reception_dialog import ReceptionDayDialog

    application()
    day_id = rx.schedule(store, office_id, DayInput(leader, "2026-03-10", "09:00", "12:00",
                                                    "12309检察服务中心"))
    dialog = ReceptionDayDialog(tasks_for(store), day_id)
    show_active(qtbot, dialog)
    return dialog, day_id


def test_a_person_doorstep_knows_is_found_and_chosen_for_an_entry(  # type: ignore[no-untyped-def]
        qtbot, office) -> None:
    base, _by_role = office
    store = base.store
    dialog, day_id = _day_dialog(qtbot, store, base.office_id, base.chief)
    assert not dialog.unchoose_button.isVisible()
    # Found by the Tibetan name, and by the ID number, as the same person.
    type_text(qtbot, dialog.finder.search, "བཀྲ་ཤིས་ཚེ་རིང")
    qtbot.waitUntil(lambda: dialog.finder.found.count() == 1, timeout=3000)
    dialog.finder.search.clear()
    type_text(qtbot, dialog.finder.search, "632624198503120012")
    qtbot.waitUntil(lambda: dialog.finder.found.count() == 1
                    and dialog.finder.matches[0].reason == "id_number", timeout=3000)
    dialog.finder.found.setCurrentRow(0)
    assert dialog.finder.person_id == base.person_id
    assert "扎西才让" in dialog.person.text() and dialog.unchoose_button.isVisible()
    type_text(qtbot, dialog.matter, "询问起诉进展")
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.message.text() and not dialog.errors.text("name")
    visits = rx.day_detail(store, day_id).visits
    assert [(v.person_id, v.name, v.matter) for v in visits] == [
        (base.person_id, "", "询问起诉进展")]
    assert _cells(dialog.table)[0][:2] == ["扎西才让", "询问起诉进展"]
    assert dialog.finder.person_id == "" and not dialog.finder.search.text()  # ready for the next
    # Chosen and then let go: without a typed name, nobody is said to have come.
    type_text(qtbot, dialog.finder.search, "扎西才让")
    qtbot.waitUntil(lambda: dialog.finder.found.count() == 1, timeout=3000)
    dialog.finder.found.setCurrentRow(0)
    dialog.unchoose_button.click()
    type_text(qtbot, dialog.matter, "咨询")
    dialog.save()
    assert dialog.errors.text("name")
    # Someone not yet known: the typed name.
    type_text(qtbot, dialog.name, "多杰")
    dialog.save()
    assert [(v.person_id, v.name) for v in rx.day_detail(store, day_id).visits][1] == ("", "多杰")


def test_an_entry_is_corrected_and_a_bad_correction_changes_nothing(  # type: ignore[no-untyped-def]
        qtbot, office) -> None:
    base, _by_role = office
    store = base.store
    dialog, day_id = _day_dialog(qtbot, store, base.office_id, base.chief)
    done = register(store, petition("2026-03-10T10:30"), now=NOW)
    rx.log_visit(store, day_id, rx.VisitInput(name="多杰", matter="咨询草场补贴"))
    dialog._reload()
    assert dialog.petition.count() == 2 and not dialog.edit_button.isEnabled()
    dialog.table.selectRow(0)
    dialog.edit_button.click()
    assert dialog.stop_button.isVisible() and "多杰" in dialog.form_heading.text()
    assert (dialog.name.text(), dialog.matter.text(), dialog.first.isChecked()) == (
        "多杰", "咨询草场补贴", False)
    # A bad correction: the matter emptied. Said beside it; nothing saved, still correcting.
    before = rx.day_detail(store, day_id)
    dialog.matter.clear()
    dialog.save()
    assert dialog.errors.text("matter")
    assert rx.day_detail(store, day_id) == before
    assert _cells(dialog.table)[0][1] == "咨询草场补贴" and dialog.editing is not None
    # The matter, the first reception and the petition registered for it, saved at once.
    type_text(qtbot, dialog.matter, "草场补贴未发放")
    dialog.first.setChecked(True)
    dialog.petition.setCurrentIndex(dialog.petition.findData(done.id))
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not dialog.errors.text("matter") and dialog.editing is None
    visit = rx.day_detail(store, day_id).visits[0]
    assert (visit.name, visit.matter, visit.first_reception, visit.petition_id) == (
        "多杰", "草场补贴未发放", True, done.id)
    assert visit.person_id  # the petition's petitioner, brought by the link
    assert _cells(dialog.table)[0][1:] == ["草场补贴未发放", done.reg_no, "是"]
    assert dialog.petition.count() == 1 and not dialog.stop_button.isVisible()
    # Correcting again offers the petition it links, kept; Cancel leaves it as it was.
    dialog.table.selectRow(0)
    dialog.edit_button.click()
    assert dialog.petition.currentData() == done.id
    assert dialog.finder.person_id == visit.person_id and "扎西才让" in dialog.person.text()
    dialog.first.setChecked(False)
    dialog.stop_button.click()
    assert rx.day_detail(store, day_id).visits[0].first_reception
    assert dialog.editing is None and not dialog.matter.text()
    # An entry removed elsewhere while it is being corrected: said on the message line.
    dialog.table.selectRow(0)
    dialog.edit_button.click()
    rx.remove_visit(store, visit.visit_id)
    dialog.save()
    assert dialog.message.text() and dialog.editing is not None
    assert rx.day_detail(store, day_id).visits == []
