"""A leader finds the aid awaiting a decision on Today, opens a case from it and approves it;
"Judicial aid…" on a petition opens the case still under way instead of a new proposal."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from app.aid import cases as aid
from app.core.i18n import _
from app.core.store import Store
from tests.helpers import AidOffice as Office
from tests.helpers import aid_office, petition, settle, tasks_for
from tests.qt_typing import show_active
from ui.main import application

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def office(store: Store) -> Office:
    received = (datetime.now() - timedelta(days=10)).replace(second=0, microsecond=0)
    return aid_office(store, petition(received.isoformat(timespec="minutes")))


@pytest.fixture
def opened(monkeypatch) -> list[QDialog]:  # type: ignore[no-untyped-def]
    """The aid dialogs a screen opens, instead of running them modally."""
    from ui.aid.case_dialog import AidCaseDialog

    application()
    dialogs: list[QDialog] = []
    monkeypatch.setattr(AidCaseDialog, "exec", lambda self: dialogs.append(self) or 0)
    return dialogs


def _propose(office: Office, amount: str = "12000") -> str:
    return aid.propose(office.store, aid.AidProposal(
        office.petition_id, [office.person_id], "poor", "生活困难。", amount, "符合条件。"),
        office.procurator)


def test_a_leader_approves_a_waiting_case_from_today(  # type: ignore[no-untyped-def]
        qtbot, office: Office, opened: list[QDialog]) -> None:
    from ui.aid.case_dialog import AidCaseDialog
    from ui.petitions.today_view import TodayView

    tasks = tasks_for(office.store)
    tasks.set_staff(office.deputy)
    today = TodayView(tasks, office.office_id)
    qtbot.addWidget(today)
    settle(qtbot, tasks)  # Today reads on the worker
    assert today.loaded
    assert today.aid_table.isHidden() and today.aid_heading.isHidden()  # nothing waits
    case_id = _propose(office)
    today.reload()  # (proposed on another laptop, say: Today reads it again on a change)
    settle(qtbot, tasks)
    assert not today.aid_table.isHidden()
    # (The new messages are compared as the catalog of the day translates them.)
    assert today.aid_heading.text() == _("Judicial aid awaiting a decision ({n})").format(n=1)
    assert [today.aid_table.item(0, c).text() for c in (0, 2, 3, 4, 5)] == [
        _("Proposed today"), "达检信〔2026〕1号", "扎西才让", "¥12,000.00", "卓玛"]
    today.aid_table.setCurrentCell(0, 0)
    qtbot.keyClick(today.aid_table, Qt.Key.Key_Return)
    case = opened.pop()
    assert isinstance(case, AidCaseDialog) and case.aid_case_id == case_id
    show_active(qtbot, case)
    assert not case.decision_panel.isHidden()
    case.decision_buttons["approved"].setFocus()
    qtbot.keyClick(case.decision_buttons["approved"], Qt.Key.Key_Space)
    qtbot.keyClick(case, Qt.Key.Key_S, CTRL)
    assert aid.aid_case_detail(office.store, case_id).status == "approved", case.message.text()
    # The decision is broadcast: the row leaves the list, and the list its place.
    qtbot.waitUntil(lambda: today.aid_table.rowCount() == 0)
    assert today.aid_table.isHidden() and today.awaiting_aid == []


def test_judicial_aid_on_a_petition_opens_its_case_under_way(  # type: ignore[no-untyped-def]
        qtbot, office: Office, opened: list[QDialog]) -> None:
    from ui.petitions.petition_dialog import PetitionDialog

    case_id = _propose(office)
    window = PetitionDialog(tasks_for(office.store), office.store.paths, office.petition_id,
                            office.chief)
    qtbot.addWidget(window)
    window.aid_button.click()
    assert opened.pop().aid_case_id == case_id
    # Refused, it is closed: the button offers a new proposal.
    aid.decide(office.store, case_id, "refused", office.deputy, reason="不符合条件")
    window.aid_button.click()
    assert opened.pop().aid_case_id is None
