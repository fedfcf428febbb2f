"""A procurator plans a return visit from the petition's window, finds it in Today when it is
due, records it on the keyboard as made with the person still in need, and hands the person
over to social assistance, then closes the hand-over."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from PySide6.QtCore import QDate, Qt, QUrl
from PySide6.QtWidgets import QDialog

from app.aid import visits
from app.core import i18n
from app.core.labels import Activity, VisitMethod, label
from app.core.settings import load_settings
from app.core.store import Store
from app.petitions.detail import petition_detail
from tests.helpers import office_with_staff, petition, register, settle, tasks_for
from tests.qt_typing import show_active, type_text
from ui.aid.visit_dialog import HandoverDialog, VisitDialog
from ui.core.language import LanguageManager
from ui.main import application
from ui.main_window import MainWindow
from ui.petitions.petition_dialog import PetitionDialog
from ui.petitions.today_view import when_text


@pytest.fixture
def window(qtbot, store: Store) -> Iterator[tuple[MainWindow, str, str]]:  # type: ignore[no-untyped-def]
    _office_id, staff_id = office_with_staff(store, role="procurator")
    received = (datetime.now() - timedelta(days=10)).replace(second=0, microsecond=0)
    done = register(store, petition(received.isoformat(timespec="minutes")), staff_id)
    application()
    settings = load_settings(store.paths)
    settings.current_staff_id = staff_id
    win = MainWindow(tasks_for(store), store.paths, settings, LanguageManager())
    qtbot.addWidget(win)
    win.show()
    settle(qtbot, win.tasks)  # Today's first reading
    yield win, done.id, staff_id



def _save(qtbot, dialog: QDialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


def _capture(monkeypatch, cls: type[QDialog]) -> list[QDialog]:  # type: ignore[no-untyped-def]
    opened: list[QDialog] = []
    monkeypatch.setattr(cls, "exec", lambda self: opened.append(self) or 0)
    return opened


def test_visit_planned_due_in_today_made_still_in_need_handed_over_and_closed(
        qtbot, window: tuple[MainWindow, str, str], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    win, petition_id, staff_id = window
    store = win.tasks.query(lambda s: s)  # the test reads the data itself
    petitions = _capture(monkeypatch, PetitionDialog)
    planned = _capture(monkeypatch, VisitDialog)
    handed = _capture(monkeypatch, HandoverDialog)
    badge_before = win.today.count()
    assert not win.today.visit_table.isVisible() and win.today.visit_summary.isVisible()

    # From the petition's window: "Return visit…", plan a phone call in two days, Ctrl+S.
    win.open_petition(petition_id)
    petition_window = petitions.pop()
    assert isinstance(petition_window, PetitionDialog)
    qtbot.addWidget(petition_window)
    petition_window.visit_button.click()
    dialog = planned.pop()
    assert isinstance(dialog, VisitDialog)
    show_active(qtbot, dialog)
    assert dialog.plan.isChecked() and dialog.plan.hasFocus()
    assert dialog.visitor.currentData() == staff_id and dialog.method.code() == "phone"
    dialog.scheduled_on.setDate(QDate.currentDate().addDays(2))
    _save(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.message.text()
    assert dialog.visit_id is not None
    visit_id = dialog.visit_id
    assert label(VisitMethod, "phone") in petition_window.browser.toPlainText()

    # A second visit planned a month ahead is not due yet.
    petition_window.visit_button.click()
    later = planned.pop()
    assert isinstance(later, VisitDialog)
    show_active(qtbot, later)
    later.scheduled_on.setDate(QDate.currentDate().addDays(30))
    later.method.set_code("on_site")
    _save(qtbot, later)
    assert len(visits.visits_of(store, petition_id)) == 2

    # Today lists the visit due, coloured as due soon, and counts it in the navigation.
    win.show_area("today")
    assert [v.visit_id for v in win.today.due_visits] == [visit_id]
    assert win.today.visit_table.isVisible() and not win.today.visit_summary.isVisible()
    assert win.today.visit_table.item(0, 0).text() == when_text(2, "soon")
    assert win.today.visit_table.item(0, 4).text() == label(VisitMethod, "phone")
    assert win.today.visit_table.item(0, 5).text() == "更桑"
    assert win.today.count() == badge_before + 1
    assert f"({win.today.count()})" in win.nav.item(0).text()

    # Enter on it opens the visit over its petition, ready to record as made.
    win.today.visit_table.setFocus()
    win.today.visit_table.setCurrentCell(0, 0)
    qtbot.keyClick(win.today.visit_table, Qt.Key.Key_Return)
    qtbot.addWidget(petitions.pop())
    dialog = planned.pop()
    assert isinstance(dialog, VisitDialog) and dialog.visit_id == visit_id
    show_active(qtbot, dialog)
    assert dialog.made.isChecked() and dialog.done_on.date() == QDate.currentDate()

    # Saving without findings or satisfaction is refused beside the fields; nothing is saved.
    _save(qtbot, dialog)
    assert dialog.errors.text("findings") and dialog.errors.text("satisfaction")
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert not visits.visit_row(store, visit_id).done

    type_text(qtbot, dialog.findings, "家中仍缺冬季草料，孩子上学有困难。")
    dialog.satisfaction.set_code("basically")
    dialog.still_in_need.setFocus()
    qtbot.keyClick(dialog.still_in_need, Qt.Key.Key_Space)
    assert dialog.still_in_need.isChecked()
    _save(qtbot, dialog)
    made = visits.visit_row(store, visit_id)
    assert made.done and made.done_on == date.today().isoformat() and made.still_in_need
    assert made.findings == "家中仍缺冬季草料，孩子上学有困难。"

    # Still in need: straight on to the hand-over.
    handover = handed.pop()
    assert isinstance(handover, HandoverDialog)
    show_active(qtbot, handover)
    assert handover.body.hasFocus()
    type_text(qtbot, handover.body, "吉迈镇民政所")
    _save(qtbot, handover)
    assert handover.result() == QDialog.DialogCode.Accepted, handover.message.text()
    assert handover.handover_id is not None
    handover_id = handover.handover_id
    assert [h.id for h in visits.open_handovers(store, "")] == [handover_id]
    win.today.reload()
    settle(qtbot, win.tasks)
    assert win.today.due_visits == [] and win.today.count() == badge_before

    # The petition's window lists the visit and its hand-over; the link opens the hand-over.
    petition_window.reload()
    assert "吉迈镇民政所" in petition_window.browser.toPlainText()
    petition_window.browser.anchorClicked.emit(QUrl(f"handover:{handover_id}"))
    handover = handed.pop()
    assert isinstance(handover, HandoverDialog) and handover.handover_id == handover_id
    show_active(qtbot, handover)
    handover.closed.setFocus()
    qtbot.keyClick(handover.closed, Qt.Key.Key_Space)
    _save(qtbot, handover)  # closing needs the outcome
    assert handover.errors.text("outcome")
    assert visits.handover_row(store, handover_id).is_open
    type_text(qtbot, handover.outcome, "已纳入农村低保。")
    _save(qtbot, handover)
    closed = visits.handover_row(store, handover_id)
    assert not closed.is_open and closed.closed_on == date.today().isoformat()
    assert closed.outcome == "已纳入农村低保。"
    assert visits.open_handovers(store, "") == []

    # Opened again, a closed hand-over can be read but not changed.
    petition_window.browser.anchorClicked.emit(QUrl(f"handover:{handover_id}"))
    handover = handed.pop()
    qtbot.addWidget(handover)
    assert not handover.save_button.isEnabled() and handover.outcome.isReadOnly()
    history = [h.action for h in petition_detail(store, petition_id).history]
    assert history[-5:] == ["visit_scheduled", "visit_scheduled", "visit_done",
                            "handover_opened", "handover_closed"]
    petition_window.reload()
    assert label(Activity, "handover_closed") in petition_window.browser.toPlainText()


def test_a_visit_recorded_without_planning_and_a_planned_one_cancelled(
        qtbot, window: tuple[MainWindow, str, str], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    win, petition_id, _staff_id = window
    store = win.tasks.query(lambda s: s)  # the test reads the data itself
    petition_window = PetitionDialog(tasks_for(store), store.paths, petition_id, _staff_id)
    qtbot.addWidget(petition_window)
    planned = _capture(monkeypatch, VisitDialog)
    handed = _capture(monkeypatch, HandoverDialog)
    petition_window.visit_button.click()
    dialog = planned.pop()
    assert isinstance(dialog, VisitDialog)
    show_active(qtbot, dialog)
    dialog.made.setChecked(True)
    assert dialog.findings.isVisibleTo(dialog) and not dialog.scheduled_on.isVisibleTo(dialog)
    dialog.method.set_code("meeting")
    type_text(qtbot, dialog.findings, "对处理结果表示满意。")
    # The form follows a language switch and keeps what is typed and chosen.
    win.language.set_mode(i18n.BO)
    qtbot.waitUntil(lambda: dialog.method.currentText()
                    == i18n.bo_text(VisitMethod.MEETING.message))
    assert win.today.visit_table.horizontalHeaderItem(2).text() == i18n.bo_text(
        "Registration number")
    assert dialog.findings.toPlainText() == "对处理结果表示满意。" and dialog.made.isChecked()
    dialog.satisfaction.set_code("satisfied")
    _save(qtbot, dialog)
    [made] = visits.visits_of(store, petition_id)
    assert made.done and made.method == "meeting" and not made.still_in_need
    assert handed == []  # not in need: no hand-over

    # A planned visit that will not happen is cancelled from its dialog.
    visit_id = visits.schedule_visit(store, visits.VisitInput(
        petition_id=petition_id, method="phone", scheduled_on=date.today().isoformat()))
    petition_window.reload()
    petition_window.browser.anchorClicked.emit(QUrl(f"visit:{visit_id}"))
    dialog = planned.pop()
    assert isinstance(dialog, VisitDialog)
    qtbot.addWidget(dialog)
    assert dialog.cancel_visit_button.isVisibleTo(dialog)
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.cancel_visit_button.click()
    assert [v.id for v in visits.visits_of(store, petition_id)] == [made.id]
