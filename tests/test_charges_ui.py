"""Leaders in charge on screen: a leader's case past its deadline shows in their Today (and not
in another leader's); the dialog from a petition's menu takes charge, notes progress, shows the
chief alone the decision on a later deadline, and closes the charge; the office's list marks
the overdue one."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from app.accounts import login
from app.core.i18n import _, ngettext
from app.core.store import Store
from app.ledger import charges
from app.ledger.charges import ChargeInput
from tests.helpers import AidOffice as Office
from tests.helpers import aid_office, petition, settle, tasks_for
from tests.qt_typing import type_text
from ui.main import application


@pytest.fixture
def office(store: Store) -> Office:
    received = (datetime.now() - timedelta(days=60)).replace(second=0, microsecond=0)
    return aid_office(store, petition(received.isoformat(timespec="minutes")))


def _late_charge(office: Office) -> str:
    today = date.today()
    return charges.take_charge(office.store, ChargeInput(
        office.deputy, "约谈申诉人，协调解决", (today - timedelta(days=3)).isoformat(),
        (today - timedelta(days=40)).isoformat(), petition_id=office.petition_id))


def test_a_leaders_case_past_its_deadline_shows_in_today(  # type: ignore[no-untyped-def]
        qtbot, office: Office, monkeypatch) -> None:
    from ui.ledger.charge_dialog import ChargeDialog
    from ui.petitions.today_view import TodayView

    application()
    charge_id = _late_charge(office)
    tasks = tasks_for(office.store)
    # Another leader, the chief, logged in: nothing of theirs is in charge.
    login.begin(office.store, office.chief)
    today = TodayView(tasks, office.office_id)
    qtbot.addWidget(today)
    settle(qtbot, tasks)
    assert today.loaded and today.my_charges == []
    assert today.charge_table.isHidden() and today.charge_heading.isHidden()
    # The deputy in charge logs in: the case is there, three days overdue, in red.
    login.begin(office.store, office.deputy)
    today.reload()
    settle(qtbot, tasks)
    assert not today.charge_table.isHidden()
    assert today.charge_heading.text() == _("My cases in charge (包案) ({n})").format(n=1)
    cells = [today.charge_table.item(0, c).text() for c in range(5)]
    assert cells[0] == ngettext("{n} day overdue", "{n} days overdue", 3).format(n=3)
    assert cells[2] == "达检信〔2026〕1号" and cells[3] == "扎西才让"
    assert today.charge_table.item(0, 0).background().color().name() == "#f8c9c4"
    # The row opens the charge.
    opened: list[QDialog] = []
    monkeypatch.setattr(ChargeDialog, "exec", lambda self: opened.append(self) or 0)
    today.charge_table.setCurrentCell(0, 0)
    qtbot.keyClick(today.charge_table, Qt.Key.Key_Return)
    assert isinstance(opened[0], ChargeDialog) and opened[0].charge_id == charge_id
    # Closed, it leaves Today.
    charges.close(office.store, charge_id, "resolved", "已化解", date.today().isoformat())
    today.reload()
    settle(qtbot, tasks)
    assert today.charge_table.isHidden() and today.my_charges == []


def test_the_dialog_takes_charge_and_closes(  # type: ignore[no-untyped-def]
        qtbot, office: Office, monkeypatch) -> None:
    from ui.ledger.charge_dialog import ChargeDialog
    from ui.ledger.charges_view import ChargesView
    from ui.petitions.petition_dialog import PetitionDialog

    application()
    tasks = tasks_for(office.store)
    login.begin(office.store, office.deputy)
    tasks.set_staff(office.deputy)
    opened: list[ChargeDialog] = []
    monkeypatch.setattr(ChargeDialog, "exec", lambda self: opened.append(self) or 0)
    window = PetitionDialog(tasks, office.store.paths, office.petition_id, office.deputy)
    qtbot.addWidget(window)

    def leader_in_charge() -> None:
        next(a for a in window.registration_menu.actions()
             if a.text() == _("Leader in charge (包案)…")).trigger()

    leader_in_charge()
    new = opened.pop()
    qtbot.addWidget(new)
    assert new.charge_id is None
    # Saving without a plan is refused beside the field; nothing is saved.
    new.close_buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert new.errors.text("plan") == _(charges.PLAN_NEEDED)
    assert charges.open_charge_of(office.store, office.petition_id) is None
    assert new.leader.currentData() == office.deputy  # the leader logged in, on offer
    new.plan.setFocus()
    type_text(qtbot, new.plan, "约谈申诉人")
    new.close_buttons.button(QDialogButtonBox.StandardButton.Save).click()
    charge_id = charges.open_charge_of(office.store, office.petition_id)
    assert charge_id is not None and new.charge_id == charge_id
    assert new.result() == QDialog.DialogCode.Accepted

    # The menu now opens the charge itself; the deputy does not see the decision.
    leader_in_charge()
    kept = opened.pop()
    qtbot.addWidget(kept)
    assert kept.charge_id == charge_id
    assert "约谈申诉人" in kept.browser.toPlainText()
    kept.note_text.setPlainText("走访乡政府")
    kept.note_button.click()
    assert "走访乡政府" in kept.browser.toPlainText()
    kept.asked.setDate(kept.asked.date().addDays(200))
    kept.reason.setPlainText("等待法院判决")
    kept.ask_button.click()
    assert kept.detail is not None and kept.detail.pending is not None
    assert kept.decide_row.isHidden() and not kept.ask_button.isEnabled()

    # The chief sees the decision and approves: the deadline moves.
    login.begin(office.store, office.chief)
    chiefs = ChargeDialog(tasks, office.chief, charge_id)
    qtbot.addWidget(chiefs)
    assert not chiefs.decide_row.isHidden()
    asked = chiefs.detail.pending.asked_deadline if chiefs.detail and chiefs.detail.pending \
        else ""
    chiefs.approve_button.click()
    assert chiefs.detail is not None and chiefs.detail.row.deadline == asked
    assert chiefs.decide_row.isHidden()

    # Closed with its result: the dialog says so and nothing more can be recorded.
    chiefs.result_choice.set_code("partly")
    chiefs.closing_note.setPlainText("部分诉求已解决")
    chiefs.close_charge_button.click()
    assert chiefs.detail is not None
    assert (chiefs.detail.row.status, chiefs.detail.row.result) == ("closed", "partly")
    assert not chiefs.tabs.isEnabled()
    assert _("Partly resolved") in chiefs.browser.toPlainText()

    # The office's list shows it, with the leader and its result.
    view = ChargesView(tasks, office.office_id)
    qtbot.addWidget(view)
    settle(qtbot, tasks)
    assert view.table.rowCount() == 0  # open charges only, at first
    view.show_closed.setChecked(True)
    settle(qtbot, tasks)
    assert view.table.rowCount() == 1
    assert view.table.item(0, 0).text() == "才让"
    assert view.table.item(0, 6).text() == _("Partly resolved")


def test_the_office_list_marks_an_overdue_charge(  # type: ignore[no-untyped-def]
        qtbot, office: Office) -> None:
    from ui.ledger.charges_view import ChargesView

    application()
    _late_charge(office)
    tasks = tasks_for(office.store)
    view = ChargesView(tasks, office.office_id)
    qtbot.addWidget(view)
    settle(qtbot, tasks)
    assert view.overdue() == 1
    assert view.table.item(0, 6).text() == ngettext("{n} day overdue", "{n} days overdue",
                                                    3).format(n=3)
    assert view.table.item(0, 0).background().color().name() == "#f8c9c4"


@pytest.mark.parametrize("mode", ["bilingual", "bo"])
def test_the_charge_dialogs_fit_the_laptop_screen(  # type: ignore[no-untyped-def]
        qtbot, office: Office, mode: str) -> None:
    from PySide6.QtWidgets import QApplication

    from tests.test_screen_fit import assert_on_screen
    from ui.core.language import LanguageManager
    from ui.ledger.charge_dialog import ChargeDialog

    app = application()
    LanguageManager(app).set_mode(mode)
    tasks = tasks_for(office.store)
    new = ChargeDialog(tasks, office.chief, petition_id=office.petition_id)
    charge_id = _late_charge(office)
    charges.add_note(office.store, charge_id, date.today().isoformat(), "约谈申诉人" * 20)
    charges.request_extension(office.store, charge_id,
                              (date.today() + timedelta(days=30)).isoformat(), "等待法院判决")
    # The chief's dialog, with the decision on a later deadline: the tallest.
    kept = ChargeDialog(tasks, office.chief, charge_id)
    assert not kept.decide_row.isHidden()
    for dialog in (new, kept):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        QApplication.processEvents()
        assert_on_screen(dialog)
        dialog.close()
