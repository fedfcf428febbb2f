"""Recording a reply and changing a deadline from a petition's window."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from app.core.store import Store
from app.petitions.detail import petition_detail
from tests.helpers import petition, set_up, tasks_for
from ui.main import application
from ui.petitions.petition_dialog import DeadlineDialog, PetitionDialog, ReplyDialog


def test_reply_and_extension_from_the_petition_window(  # type: ignore[no-untyped-def]
        qtbot, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.helpers import register

    application()
    set_up(store)
    # Received four days ago: the reply the window dates today comes after it, whatever the day.
    received = (datetime.now() - timedelta(days=4)).isoformat(timespec="minutes")
    done = register(store, petition(received))
    window = PetitionDialog(tasks_for(store), store.paths, done.id, "")
    qtbot.addWidget(window)
    assert "待程序性回复" in window.browser.toPlainText()

    reply = ReplyDialog(tasks_for(store), done.id, "")
    qtbot.addWidget(reply)
    reply.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert reply.errors.text("content") == "请填写答复内容。"
    assert reply.result() != QDialog.DialogCode.Accepted
    reply.content.setPlainText("已电话告知受理情况")
    reply.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert reply.result() == QDialog.DialogCode.Accepted

    # The reply given, the deadline the window offers to change is the answer's.
    window.reload()
    offered: list[str] = []

    def exec_(dialog: DeadlineDialog) -> int:
        offered.append(dialog.deadline.code())
        return 0
    monkeypatch.setattr(DeadlineDialog, "exec", exec_)
    window.change_deadline()
    assert offered == ["answer"]

    change = DeadlineDialog(tasks_for(store), done.id, "")
    qtbot.addWidget(change)
    change.deadline.set_code("answer")
    change.action.set_code("extend")
    change.days.setValue(30)
    change.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert change.errors.text("reason") == "请填写理由。"
    change.reason.setPlainText("案情复杂，经检察长批准")
    change.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert change.result() == QDialog.DialogCode.Accepted

    window.reload()
    text = window.browser.toPlainText()
    assert "已电话告知受理情况" in text and "案情复杂，经检察长批准" in text
    # The history in words, not as the record keeps it.
    assert "延长30日" in text and "answer extend" not in text and "procedural" not in text
    detail = petition_detail(store, done.id)
    assert detail.row.status == "awaiting_answer"
    assert [h.action for h in detail.history] == ["registered", "replied", "deadline"]
